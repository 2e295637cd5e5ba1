//! API key, bearer token and `jwt-payload` providers against the simulator.

use std::sync::Arc;

use scribe_auth::{CredentialKind, Credentials, SecretString};
use scribe_sim::Route;
use scribe_transport::{ErrorKind, Request};

use crate::support::*;

#[tokio::test]
async fn api_key_is_sent_as_x_api_key() {
    let server = sim().await;
    let http = transport();
    let provider = Credentials::ApiKey(SecretString::from(server.api_key().to_owned()))
        .into_provider(&http, server.auth_base_url())
        .unwrap();
    assert_eq!(provider.kind(), CredentialKind::ApiKey);
    let api = http.with_authenticator(provider.clone().into_authenticator());
    assert_eq!(api.send(templates(&server)).await.unwrap().status(), 200);
    let err = provider.claims().await.expect_err("no claims in a key");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(count(&server, Route::Login), 0, "no login for an API key");
}

#[tokio::test]
async fn a_wrong_api_key_is_an_auth_error_without_retry_loops() {
    let server = sim().await;
    let http = transport();
    let provider = Credentials::ApiKey(SecretString::from("sk_test_wrong_key".to_owned()))
        .into_provider(&http, server.auth_base_url())
        .unwrap();
    let api = http.with_authenticator(provider.into_authenticator());
    let err = api.send(templates(&server)).await.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(count(&server, Route::Templates), 1);
    assert!(!err.to_string().contains("sk_test_wrong_key"));
}

#[tokio::test]
async fn jwt_payload_dev_header_carries_the_claims() {
    let server = sim().await;
    let http = transport();
    let mut claims = serde_json::Map::new();
    claims.insert("b-id".into(), server.business_id().into());
    claims.insert("oid".into(), "doctor-1".into());
    let provider = Credentials::JwtPayload(claims)
        .into_provider(&http, server.auth_base_url())
        .unwrap();
    let api = http.with_authenticator(provider.clone().into_authenticator());
    assert_eq!(api.send(templates(&server)).await.unwrap().status(), 200);
    let claims = provider.claims().await.unwrap();
    assert_eq!(claims.business_id().unwrap(), server.business_id());
}

#[tokio::test]
async fn a_caller_supplied_bearer_token_is_used_as_is() {
    let server = sim().await;
    let http = transport();
    // Obtain a token the way a caller's own auth code would.
    let login = Request::post(format!(
        "{}/connect-auth/v1/account/login",
        server.auth_base_url()
    ))
    .json(&serde_json::json!({
        "client_id": server.client_id(),
        "client_secret": server.client_secret(),
    }))
    .unwrap()
    .without_auth();
    let token: serde_json::Value = http.send(login).await.unwrap().json().unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();

    let provider = Credentials::BearerToken(SecretString::from(token))
        .into_provider(&http, server.auth_base_url())
        .unwrap();
    assert_eq!(provider.kind(), CredentialKind::BearerToken);
    assert_eq!(
        provider.claims().await.unwrap().business_id().unwrap(),
        server.business_id()
    );
    let api = http.with_authenticator(provider.into_authenticator());
    assert_eq!(api.send(templates(&server)).await.unwrap().status(), 200);

    // The SDK cannot renew a caller's token: an expired one is reported.
    server.expire_tokens();
    let err = api.send(templates(&server)).await.expect_err("expired");
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.code().map(|c| c.as_str()), Some("token_expired"));
}

#[tokio::test]
async fn client_credentials_through_the_credentials_enum() {
    let server = sim().await;
    let http = transport();
    let provider = Credentials::client_credentials(server.client_id(), server.client_secret())
        .into_provider(&http, server.auth_base_url())
        .unwrap();
    assert_eq!(provider.kind(), CredentialKind::ClientCredentials);
    let api = http.with_authenticator(Arc::clone(&provider).into_authenticator());
    assert_eq!(api.send(templates(&server)).await.unwrap().status(), 200);
    assert_eq!(
        provider.claims().await.unwrap().business_id().unwrap(),
        server.business_id()
    );
    assert_eq!(count(&server, Route::Login), 1);
}
