//! Login and refresh bodies for Eka's client-credentials flow.
//!
//! `Debug` on every type here redacts secrets and tokens.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Extra;
use crate::tolerant::keep_nulls;

/// Access-token lifetime to assume when the server omits `expires_in`.
pub const DEFAULT_EXPIRES_IN: u64 = 3600;

/// `POST {auth_base_url}/connect-auth/v1/account/login`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct LoginRequest {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// An API key, sent only when configured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

impl fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoginRequest")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// `POST {auth_base_url}/connect-auth/v1/account/refresh-token`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct RefreshRequest {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
    /// The (possibly expired) access token it belongs to.
    pub access_token: String,
}

impl fmt::Debug for RefreshRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefreshRequest")
            .field("refresh_token", &"<redacted>")
            .field("access_token", &"<redacted>")
            .finish()
    }
}

/// The answer to login and refresh.
///
/// ```
/// use scribe_protocol::auth::TokenResponse;
///
/// let token: TokenResponse = serde_json::from_str(r#"{"access_token":"a.b.c","refresh_token":"r"}"#)?;
/// assert_eq!(token.expires_in(), 3600);
/// assert!(!format!("{token:?}").contains("a.b.c"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "TokenResponse")
)]
pub struct TokenResponse {
    /// Bearer token for protocol requests.
    pub access_token: String,
    /// Token for the next refresh; when absent, log in again instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime of the access token in seconds, as sent; see
    /// [`expires_in`](Self::expires_in) for the value to use.
    #[serde(
        rename = "expires_in",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in_seconds: Option<u64>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(TokenResponse {
    refresh_token,
    expires_in_seconds = "expires_in",
});

impl TokenResponse {
    /// Access-token lifetime in seconds; [`DEFAULT_EXPIRES_IN`] when absent.
    pub fn expires_in(&self) -> u64 {
        self.expires_in_seconds.unwrap_or(DEFAULT_EXPIRES_IN)
    }
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_in", &self.expires_in())
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}
