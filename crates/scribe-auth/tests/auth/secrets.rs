//! No secret, token or API key in logs, errors or Debug output.

use std::sync::Arc;
use std::time::Duration;

use scribe_auth::{Credentials, SecretString};
use scribe_transport::Authenticator;

use crate::support::*;

const SECRET: &str = "s3cr3t-that-must-never-appear-7f3a";

#[tokio::test]
async fn a_failing_login_shows_the_secret_nowhere() {
    let (logs, _guard) = capture_logs();
    let server = sim().await;
    let http = transport();
    let provider = credentials(&http, &server, SECRET);
    let api = http.with_authenticator(Arc::new(provider.clone()));
    let err = api
        .send(templates(&server))
        .await
        .expect_err("login refused");
    let direct = provider.authorize().await.expect_err("refused again");

    let credentials = Credentials::ClientCredentials {
        client_id: server.client_id().to_owned(),
        client_secret: SecretString::from(SECRET.to_owned()),
        api_key: Some(SecretString::from(SECRET.to_owned())),
    };
    let shown = [
        err.to_string(),
        format!("{err:?}"),
        format!("{err:#?}"),
        direct.to_string(),
        format!("{direct:?}"),
        format!("{provider:?}"),
        format!("{credentials:?}"),
        format!("{api:?}"),
        source_chain(&err),
        logs.text(),
    ];
    assert!(!logs.text().is_empty(), "logs were captured");
    for text in &shown {
        assert!(!text.contains(SECRET), "secret leaked into: {text}");
    }
}

#[tokio::test]
async fn a_working_session_logs_no_token_key_or_secret() {
    let (logs, _guard) = capture_logs();
    let server = sim().await;
    let wired = wire(&server, server.client_secret());
    for _ in 0..3 {
        wired.api.send(templates(&server)).await.unwrap();
    }
    wired.clock.advance(Duration::from_secs(2 * 3600));
    wired.api.send(templates(&server)).await.unwrap();
    server.expire_tokens();
    wired.api.send(templates(&server)).await.unwrap();
    let headers = wired.provider.authorize().await.unwrap();
    // The other providers, through the same logging.
    let http = transport();
    for credentials in [
        Credentials::ApiKey(SecretString::from(server.api_key().to_owned())),
        Credentials::ApiKey(SecretString::from("sk_test_refused_key_123".to_owned())),
    ] {
        let provider = credentials
            .into_provider(&http, server.auth_base_url())
            .unwrap();
        let api = http.with_authenticator(provider.into_authenticator());
        let result = api.send(templates(&server)).await;
        if let Err(err) = result {
            assert!(!format!("{err} {err:?}").contains("sk_test_refused_key_123"));
        }
    }

    let text = format!("{}\n{:?}\n{:?}", logs.text(), wired.provider, headers);
    assert!(text.contains("scribe.http"), "request spans were captured");
    assert!(text.contains("/v1/templates"), "path templates are logged");
    // Access tokens are JWTs (base64 of `{"` starts `eyJ`); refresh tokens
    // from the simulator start `simrt_`.
    for needle in [
        "eyJ",
        "simrt_",
        server.client_secret(),
        server.api_key(),
        "Bearer ",
    ] {
        assert!(
            !text.contains(needle),
            "{needle:?} appeared in logs or Debug"
        );
    }
}

fn source_chain(err: &dyn std::error::Error) -> String {
    let mut out = String::new();
    let mut current = err.source();
    while let Some(e) = current {
        out.push_str(&format!("{e} / {e:?}\n"));
        current = e.source();
    }
    out
}
