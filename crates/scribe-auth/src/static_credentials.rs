//! Credentials the SDK sends as given: API key, bearer token, `jwt-payload`.

use std::fmt;
use std::sync::Arc;

use http::header::HeaderName;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use scribe_transport::{
    API_KEY_HEADER, AuthHeaders, Authenticator, BoxFuture, Error, ErrorKind, JWT_PAYLOAD_HEADER,
};

use crate::claims::Claims;
use crate::provider::{CredentialKind, CredentialProvider};

/// An API key, sent as `X-API-Key` (`sk_live_...` / `sk_test_...`).
pub struct ApiKey {
    headers: AuthHeaders,
}

impl ApiKey {
    /// Wraps `key`; fails when it is empty or cannot be a header value.
    pub fn new(key: SecretString) -> Result<Self, Error> {
        let key = key.expose_secret().trim();
        if key.is_empty() {
            return Err(Error::new(ErrorKind::Config, "the API key is empty")
                .with_hint("pass the API key from the Eka console"));
        }
        let mut headers = AuthHeaders::new(0);
        headers.insert(HeaderName::from_static(API_KEY_HEADER), key)?;
        Ok(ApiKey { headers })
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

impl Authenticator for ApiKey {
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
        let headers = self.headers.clone();
        Box::pin(async move { Ok(headers) })
    }
    // A refused key cannot be refreshed: the default (no retry) applies.
}

impl CredentialProvider for ApiKey {
    fn kind(&self) -> CredentialKind {
        CredentialKind::ApiKey
    }

    fn claims(&self) -> BoxFuture<'_, Result<Claims, Error>> {
        Box::pin(async {
            Err(
                Error::new(ErrorKind::Auth, "an API key carries no claims (no b-id)").with_hint(
                    "use client credentials or a bearer token when the business id is needed",
                ),
            )
        })
    }

    fn into_authenticator(self: Arc<Self>) -> Arc<dyn Authenticator> {
        self
    }
}

/// A bearer token obtained by the caller (OIDC, a gateway, ...). The SDK
/// does not refresh it: a 401 is reported as an auth error.
pub struct BearerToken {
    headers: AuthHeaders,
    claims: Option<Claims>,
}

impl BearerToken {
    /// Wraps `token`; fails when it is empty or cannot be a header value.
    /// A token that is not a JWT is accepted; it just has no claims.
    pub fn new(token: SecretString) -> Result<Self, Error> {
        let token = token.expose_secret().trim();
        let token = token.strip_prefix("Bearer ").unwrap_or(token);
        if token.is_empty() {
            return Err(Error::new(ErrorKind::Config, "the bearer token is empty"));
        }
        Ok(BearerToken {
            headers: AuthHeaders::bearer(token, 0)?,
            claims: Claims::from_jwt(token).ok(),
        })
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

impl Authenticator for BearerToken {
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
        let headers = self.headers.clone();
        Box::pin(async move { Ok(headers) })
    }
}

impl CredentialProvider for BearerToken {
    fn kind(&self) -> CredentialKind {
        CredentialKind::BearerToken
    }

    fn claims(&self) -> BoxFuture<'_, Result<Claims, Error>> {
        let claims = self.claims.clone();
        Box::pin(async move {
            claims.ok_or_else(|| {
                Error::new(
                    ErrorKind::Auth,
                    "the bearer token is not a JWT, so it carries no claims",
                )
            })
        })
    }

    fn into_authenticator(self: Arc<Self>) -> Arc<dyn Authenticator> {
        self
    }
}

/// The `jwt-payload: <JSON claims>` development header, accepted by a local
/// backend that runs without its gateway. Production rejects it.
pub struct JwtPayload {
    headers: AuthHeaders,
    claims: Claims,
}

impl JwtPayload {
    /// Sends `claims` (which should include `b-id`) as the header.
    pub fn new(claims: Map<String, Value>) -> Result<Self, Error> {
        let json = Value::Object(claims.clone()).to_string();
        let mut headers = AuthHeaders::new(0);
        headers.insert(HeaderName::from_static(JWT_PAYLOAD_HEADER), &json)?;
        Ok(JwtPayload {
            headers,
            claims: Claims::from_map(claims),
        })
    }
}

impl fmt::Debug for JwtPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwtPayload")
            .field("claims", &self.claims)
            .finish()
    }
}

impl Authenticator for JwtPayload {
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
        let headers = self.headers.clone();
        Box::pin(async move { Ok(headers) })
    }
}

impl CredentialProvider for JwtPayload {
    fn kind(&self) -> CredentialKind {
        CredentialKind::JwtPayload
    }

    fn claims(&self) -> BoxFuture<'_, Result<Claims, Error>> {
        let claims = self.claims.clone();
        Box::pin(async move { Ok(claims) })
    }

    fn into_authenticator(self: Arc<Self>) -> Arc<dyn Authenticator> {
        self
    }
}
