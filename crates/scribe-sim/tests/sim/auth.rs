use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::Method;
use serde_json::{Value, json};

use crate::support::{Http, Sim, quick};

fn claims(token: &str) -> Value {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "JWT-shaped: header.payload.signature");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("base64url payload"))
        .expect("JSON payload")
}

async fn login(http: &Http, auth: &str, body: Value) -> crate::support::Reply {
    http.send(
        Method::POST,
        &format!("{auth}/connect-auth/v1/account/login"),
        &[("content-type", "application/json")],
        body.to_string(),
    )
    .await
}

#[tokio::test]
async fn login_issues_jwt_shaped_tokens_with_the_business_id() {
    let sim = Sim::with(quick().business_id("b-777")).await;
    let r = login(
        &sim.http,
        sim.server.auth_base_url(),
        json!({ "client_id": sim.server.client_id(), "client_secret": sim.server.client_secret() }),
    )
    .await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["expires_in"], 3600);
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
    );
    let c = claims(body["access_token"].as_str().unwrap());
    assert_eq!(c["b-id"], "b-777");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let exp = c["exp"].as_u64().unwrap();
    assert!(exp > now + 3500 && exp <= now + 3601, "exp {exp} now {now}");
}

#[tokio::test]
async fn bad_credentials_and_bodies_are_refused() {
    let sim = Sim::start().await;
    let auth = sim.server.auth_base_url();
    let r = login(
        &sim.http,
        auth,
        json!({ "client_id": sim.server.client_id(), "client_secret": "nope" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "authentication_failed")
    );
    let r = login(
        &sim.http,
        auth,
        json!({ "client_id": sim.server.client_id() }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "missing_required_field")
    );
    let r = sim
        .http
        .send(
            Method::POST,
            &format!("{auth}/connect-auth/v1/account/login"),
            &[],
            "not json",
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_request"));
    let r = login(
        &sim.http,
        auth,
        json!({ "client_id": sim.server.client_id(), "client_secret": sim.server.client_secret(), "api_key": "wrong" }),
    )
    .await;
    assert_eq!((r.status, r.code().as_str()), (401, "invalid_api_key"));
}

#[tokio::test]
async fn refresh_rotates_tokens_and_refuses_reuse() {
    let sim = Sim::start().await;
    let auth = sim.server.auth_base_url();
    let first = login(
        &sim.http,
        auth,
        json!({ "client_id": sim.server.client_id(), "client_secret": sim.server.client_secret() }),
    )
    .await
    .json();
    let refresh = |body: Value| {
        let http = sim.http.clone();
        let url = format!("{auth}/connect-auth/v1/account/refresh-token");
        async move {
            http.send(
                Method::POST,
                &url,
                &[("content-type", "application/json")],
                body.to_string(),
            )
            .await
        }
    };
    let body =
        json!({ "refresh_token": first["refresh_token"], "access_token": first["access_token"] });
    let r = refresh(body.clone()).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let second = r.json();
    assert_ne!(second["access_token"], first["access_token"]);
    assert_eq!(
        claims(second["access_token"].as_str().unwrap())["b-id"],
        sim.server.business_id()
    );
    let r = refresh(body).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "authentication_failed")
    );
    let r =
        refresh(json!({ "refresh_token": second["refresh_token"], "access_token": "a.b.c" })).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "authentication_failed")
    );
    let r = refresh(json!({ "access_token": second["access_token"] })).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "missing_required_field")
    );
}

#[tokio::test]
async fn expired_tokens_get_token_expired_and_bad_ones_authentication_failed() {
    let sim = Sim::with(quick().token_lifetime(Duration::from_millis(300))).await;
    assert_eq!(
        sim.call(Method::GET, "/v1/templates", None).await.status,
        200
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = sim.call(Method::GET, "/v1/templates", None).await;
    assert_eq!((r.status, r.code().as_str()), (401, "token_expired"));
    assert!(r.headers.contains_key("www-authenticate"));

    let url = sim.url("/v1/templates");
    for header in ["Bearer not-a-token", "Basic abc", "Bearer a.b.c"] {
        let r = sim
            .http
            .send(Method::GET, &url, &[("authorization", header)], "")
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (401, "authentication_failed"),
            "{header}"
        );
    }
    let r = sim.http.send(Method::GET, &url, &[], "").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "authentication_failed")
    );
}

#[tokio::test]
async fn expire_tokens_control_expires_live_tokens() {
    let sim = Sim::start().await;
    assert_eq!(
        sim.call(Method::GET, "/v1/templates", None).await.status,
        200
    );
    let r = sim
        .http
        .send(
            Method::POST,
            &format!("{}/_sim/tokens/expire", sim.server.auth_base_url()),
            &[],
            "",
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(
        sim.call(Method::GET, "/v1/templates", None).await.code(),
        "token_expired"
    );
}

#[tokio::test]
async fn api_key_and_jwt_payload_are_accepted_when_enabled() {
    let sim = Sim::start().await;
    let url = sim.url("/v1/templates");
    let key = sim.server.api_key().to_owned();
    assert_eq!(
        sim.http
            .send(Method::GET, &url, &[("x-api-key", &key)], "")
            .await
            .status,
        200
    );
    let r = sim
        .http
        .send(Method::GET, &url, &[("x-api-key", "sk_test_wrong")], "")
        .await;
    assert_eq!((r.status, r.code().as_str()), (401, "invalid_api_key"));
    assert_eq!(
        sim.http
            .send(
                Method::GET,
                &url,
                &[("jwt-payload", r#"{"b-id":"other"}"#)],
                ""
            )
            .await
            .status,
        200
    );
    let r = sim
        .http
        .send(Method::GET, &url, &[("jwt-payload", "[1]")], "")
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (401, "authentication_failed")
    );

    let strict = Sim::with(quick().accept_api_key(false).accept_jwt_payload(false)).await;
    let url = strict.url("/v1/templates");
    let key = strict.server.api_key().to_owned();
    assert_eq!(
        strict
            .http
            .send(Method::GET, &url, &[("x-api-key", &key)], "")
            .await
            .code(),
        "invalid_api_key"
    );
    assert_eq!(
        strict
            .http
            .send(Method::GET, &url, &[("jwt-payload", "{}")], "")
            .await
            .code(),
        "authentication_failed"
    );
}

#[tokio::test]
async fn sessions_are_private_to_their_business() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let url = sim.url(&format!("/v1/sessions/{id}"));
    let r = sim
        .http
        .send(
            Method::GET,
            &url,
            &[("jwt-payload", r#"{"b-id":"someone-else"}"#)],
            "",
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (404, "session_not_found"));
    let mine = format!(r#"{{"b-id":"{}"}}"#, sim.server.business_id());
    assert_eq!(
        sim.http
            .send(Method::GET, &url, &[("jwt-payload", &mine)], "")
            .await
            .status,
        202
    );
}

#[tokio::test]
async fn unsupported_protocol_version_is_refused() {
    let sim = Sim::start().await;
    let bearer = sim.bearer();
    let url = sim.url("/v1/templates");
    let r = sim
        .http
        .send(
            Method::GET,
            &url,
            &[("authorization", &bearer), ("msa-version", "0.2")],
            "",
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "unsupported_version"));
    let r = sim
        .http
        .send(
            Method::GET,
            &url,
            &[("authorization", &bearer), ("msa-version", "0.1")],
            "",
        )
        .await;
    assert_eq!(r.status, 200);
}
