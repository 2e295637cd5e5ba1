//! Typed errors for what the server and the network answer, and the
//! refresh-and-retry-once rule for 401.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use scribe_sim::{FaultKind, FaultRule, Route};
use scribe_transport::{ErrorKind, HttpClient, Request, RetryPolicy, TransportConfig};

use crate::support::*;

#[tokio::test]
async fn html_gateway_page_becomes_a_typed_server_error() {
    let server = sim(vec![FaultRule::on(
        Route::Templates,
        FaultKind::GatewayHtml,
    )])
    .await;
    let http = client(
        &server,
        TransportConfig::default().retry(RetryPolicy::none()),
    );
    let err = http.send(templates(&server)).await.expect_err("502");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(502));
    assert!(err.is_retryable());
    let shown = err.to_string();
    assert!(shown.contains("502"), "{shown}");
    assert!(
        !shown.contains("<html") && !shown.contains("<body"),
        "{shown}"
    );
    assert!(shown.len() < 300, "{shown}");
}

#[tokio::test]
async fn plain_http_to_a_non_loopback_host_is_refused_before_connecting() {
    let http = HttpClient::new(TransportConfig::default()).unwrap();
    let started = Instant::now();
    // 192.0.2.0/24 is reserved for documentation: nothing answers there.
    let err = http
        .send(Request::get("http://192.0.2.1/voice/v1/templates"))
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Config);
    assert!(err.to_string().contains("https"), "{err}");
    assert!(started.elapsed() < Duration::from_millis(500));

    let http = HttpClient::new(TransportConfig::default().allow_insecure_http(true)).unwrap();
    assert!(http.check_url("http://192.0.2.1/voice").is_ok());
}

#[tokio::test]
async fn connection_refused_is_a_retryable_connection_error() {
    // Bind and drop a listener to get a loopback port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let http =
        HttpClient::new(TransportConfig::default().retry(fast_retries().max_attempts(2))).unwrap();
    let err = http
        .send(Request::get(format!(
            "http://127.0.0.1:{port}/v1/templates"
        )))
        .await
        .expect_err("nothing listens");
    assert_eq!(err.kind(), ErrorKind::Connection);
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 2);
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn unauthorized_refreshes_once_and_retries_once() {
    let server = sim(vec![]).await;
    let auth = Arc::new(KeyAuth::starting_with("sk_test_wrong", server.api_key()));
    let http = HttpClient::new(TransportConfig::default())
        .unwrap()
        .with_authenticator(auth.clone());
    let answer = http
        .send(templates(&server))
        .await
        .expect("retried with fresh credentials");
    assert_eq!(answer.status(), 200);
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
    let statuses: Vec<_> = logged(&server, Route::Templates)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [Some(401), Some(200)]);
}

#[tokio::test]
async fn a_401_after_every_renewal_is_reported_as_an_auth_error() {
    let server = sim(vec![]).await;
    let auth = Arc::new(KeyAuth::starting_with(
        "sk_test_wrong",
        "sk_test_also_wrong",
    ));
    let http = HttpClient::new(TransportConfig::default())
        .unwrap()
        .with_authenticator(auth.clone());
    let err = http
        .send(templates(&server))
        .await
        .expect_err("still refused");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.status(), Some(401));
    // The authenticator renewed once, then said renewing cannot help.
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 2);
    assert_eq!(
        logged(&server, Route::Templates).len(),
        2,
        "one retry, with the renewed key"
    );
    assert!(!err.to_string().contains("sk_test_"), "{err}");
}

/// Always has "newer" credentials, all of them refused: a token storm
/// that never ends.
struct EndlessRenewal {
    generation: std::sync::atomic::AtomicU64,
}

impl scribe_transport::Authenticator for EndlessRenewal {
    fn authorize(
        &self,
    ) -> scribe_transport::BoxFuture<
        '_,
        Result<scribe_transport::AuthHeaders, scribe_transport::Error>,
    > {
        Box::pin(async move {
            let generation = self.generation.load(Ordering::SeqCst);
            let mut headers = scribe_transport::AuthHeaders::new(generation);
            headers.insert(
                scribe_transport::http::HeaderName::from_static("x-api-key"),
                &format!("sk_test_refused_{generation}"),
            )?;
            Ok(headers)
        })
    }

    fn refresh_after_rejection<'a>(
        &'a self,
        _rejected: &'a scribe_transport::AuthHeaders,
    ) -> scribe_transport::BoxFuture<'a, Result<bool, scribe_transport::Error>> {
        Box::pin(async move {
            self.generation.fetch_add(1, Ordering::SeqCst);
            Ok(true)
        })
    }
}

#[tokio::test]
async fn renewals_after_401_are_many_but_bounded() {
    let server = sim(vec![]).await;
    let auth = Arc::new(EndlessRenewal {
        generation: std::sync::atomic::AtomicU64::new(1),
    });
    let http = HttpClient::new(TransportConfig::default())
        .unwrap()
        .with_authenticator(auth.clone());
    let err = http
        .send(templates(&server))
        .await
        .expect_err("refused every time");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(
        err.to_string().contains("right after each renewal"),
        "{err}"
    );
    assert_eq!(auth.generation.load(Ordering::SeqCst), 9, "8 renewals");
    assert_eq!(logged(&server, Route::Templates).len(), 9);
    assert!(!err.to_string().contains("sk_test_"), "{err}");
}

#[tokio::test]
async fn protocol_envelope_codes_become_kinds() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let request = Request::post(format!("{}/v1/sessions", server.base_url()))
        .path_template("/v1/sessions")
        .json(&serde_json::json!({ "templates": ["no_such_template"] }))
        .unwrap();
    let err = http.send(request).await.expect_err("unknown template");
    assert_eq!(err.kind(), ErrorKind::Validation, "{err:?}");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code().map(|c| c.as_str()), Some("invalid_template"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn public_requests_carry_no_credentials() {
    let server = Arc::new(sim(vec![]).await);
    let http = HttpClient::new(TransportConfig::default()).unwrap();
    let discovery = Request::get(format!(
        "{}/v1/.well-known/medscribealliance",
        server.base_url()
    ))
    .path_template("/v1/.well-known/medscribealliance")
    .without_auth();
    let doc: serde_json::Value = http.send(discovery).await.unwrap().json().unwrap();
    assert!(doc.get("protocol_version").is_some(), "{doc}");
    let err = http
        .send(templates(&server))
        .await
        .expect_err("templates need credentials");
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[tokio::test]
async fn a_failed_tls_handshake_is_a_tls_error() {
    // The simulator speaks plain HTTP: a TLS client hello gets an HTTP answer.
    let server = sim(vec![]).await;
    let https = server.base_url().replacen("http://", "https://", 1);
    let http = HttpClient::new(TransportConfig::default().retry(RetryPolicy::none())).unwrap();
    let err = http
        .send(Request::get(format!("{https}/v1/templates")))
        .await
        .expect_err("no TLS there");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err:?}");
    assert!(err.hint().is_some());
}

#[tokio::test]
async fn the_retry_budget_bounds_waiting() {
    let server = sim(vec![FaultRule::on(
        Route::Templates,
        FaultKind::InternalError,
    )])
    .await;
    let http = client(
        &server,
        TransportConfig::default().retry(
            RetryPolicy::default()
                .max_attempts(10)
                .initial_backoff(Duration::from_millis(100))
                .budget(Duration::from_millis(250)),
        ),
    );
    let err = http.send(templates(&server)).await.expect_err("always 500");
    // Waits of 50-100 ms then 100-200 ms fit the budget; 200-400 ms more cannot.
    assert!(err.attempts() >= 2 && err.attempts() <= 3, "{err:?}");
    assert_eq!(
        logged(&server, Route::Templates).len() as u32,
        err.attempts()
    );
}

#[tokio::test]
async fn credentials_go_only_to_the_configured_origins() {
    let server = sim(vec![]).await;
    let api = default_client(&server)
        .restrict_credentials_to(&["https://api.eka.care/voice"])
        .unwrap();
    // The simulator is not a configured origin: no credentials are sent, so
    // it refuses the request.
    let err = api
        .send(templates(&server))
        .await
        .expect_err("sent without credentials");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(!api.sends_credentials_to(server.base_url()));

    let api = default_client(&server)
        .restrict_credentials_to(&[server.base_url()])
        .unwrap();
    assert!(api.sends_credentials_to(&server.base_url().replacen("http://", "ws://", 1)));
    assert_eq!(api.send(templates(&server)).await.unwrap().status(), 200);
    assert!(api.restrict_credentials_to(&["not a url"]).is_err());
}

#[tokio::test]
async fn default_headers_are_sent_and_requests_override_them() {
    use scribe_transport::http::{HeaderName, HeaderValue};
    let server = sim(vec![]).await;
    let version = HeaderName::from_static("msa-version");
    // The simulator refuses protocol versions it does not speak.
    let http = client(
        &server,
        TransportConfig::default().default_header(version.clone(), HeaderValue::from_static("9.9")),
    );
    let err = http
        .send(templates(&server))
        .await
        .expect_err("unsupported version");
    assert_eq!(
        err.code().map(|c| c.as_str()),
        Some("unsupported_version"),
        "{err}"
    );
    let answer = http
        .send(templates(&server).header(version, HeaderValue::from_static("0.1")))
        .await
        .expect("the request's own header wins");
    assert_eq!(answer.status(), 200);
}

#[test]
fn a_client_can_be_built_outside_any_runtime() {
    // The blocking façade builds its client before entering its runtime.
    let http = HttpClient::new(TransportConfig::default()).expect("no runtime needed to build");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let err = runtime
        .block_on(http.send(Request::get("ftp://127.0.0.1/x")))
        .expect_err("scheme refused");
    assert_eq!(err.kind(), ErrorKind::Config);
}
