//! Auth failures say what to check.

use scribe_auth::{ClientCredentials, SecretString};
use scribe_sim::Route;
use scribe_transport::{Authenticator, ErrorKind};
use std::time::Duration;

use crate::support::*;

#[tokio::test]
async fn wrong_credentials_name_the_environment_to_check() {
    let server = sim().await;
    let http = transport();
    let provider = credentials(&http, &server, "not-the-secret").with_environment("dev");
    let err = provider.authorize().await.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(401));
    let shown = err.to_string();
    assert!(shown.contains("login"), "{shown}");
    assert!(shown.contains("client id and secret"), "{shown}");
    assert!(shown.contains("(dev: prod is"), "{shown}");
    assert!(
        !shown.contains("SCRIBE_"),
        "no façade variable named: {shown}"
    );
    assert_eq!(
        count(&server, Route::Login),
        1,
        "a refused login is not retried"
    );
}

#[tokio::test]
async fn an_unreachable_auth_host_is_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let http = transport();
    let provider = ClientCredentials::new(
        &http,
        &format!("http://127.0.0.1:{port}"),
        "client",
        SecretString::from("secret".to_owned()),
    )
    .unwrap()
    // The first login retries network failures for a while; keep it short.
    .with_patience(Duration::from_secs(2));
    let err = provider.authorize().await.expect_err("unreachable");
    assert_eq!(err.kind(), ErrorKind::Connection);
    let shown = err.to_string();
    assert!(shown.contains("unreachable"), "{shown}");
    assert!(shown.contains("auth base URL"), "{shown}");
}

#[tokio::test]
async fn a_malformed_answer_is_named() {
    let server = sim().await;
    let http = transport();
    // A simulator control path that answers 204 with no body stands in for
    // an auth service answering something other than a token (the login
    // path lands in the query string).
    let not_auth = format!("{}/_sim/tokens/expire?", server.auth_base_url());
    let provider = ClientCredentials::new(
        &http,
        &not_auth,
        server.client_id(),
        SecretString::from(server.client_secret().to_owned()),
    )
    .unwrap();
    let err = provider.authorize().await.expect_err("not a token");
    assert_eq!(err.kind(), ErrorKind::Protocol);
    let shown = err.to_string();
    assert!(shown.contains("not a token response"), "{shown}");
    assert!(shown.contains("auth base URL"), "{shown}");
}

#[tokio::test]
async fn plain_http_auth_host_off_loopback_is_refused() {
    let err = ClientCredentials::new(
        &transport(),
        "http://auth.example.com",
        "client",
        SecretString::from("secret".to_owned()),
    )
    .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("auth base URL"), "{err}");
}

#[tokio::test]
async fn empty_credentials_are_configuration_errors() {
    let http = transport();
    let err = ClientCredentials::new(
        &http,
        "https://api.eka.care",
        "",
        SecretString::from("s".to_owned()),
    )
    .expect_err("empty id");
    assert_eq!(err.kind(), ErrorKind::Config);
    let err = ClientCredentials::new(
        &http,
        "https://api.eka.care",
        "id",
        SecretString::from(" ".to_owned()),
    )
    .expect_err("empty secret");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("client secret"), "{err}");
}
