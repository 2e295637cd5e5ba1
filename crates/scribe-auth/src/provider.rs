//! The provider trait every credential kind implements, and the choice of
//! credentials as configuration.

use std::fmt;
use std::sync::Arc;

use secrecy::SecretString;
use serde_json::{Map, Value};

use scribe_transport::{Authenticator, BoxFuture, Error, HttpClient};

use crate::claims::Claims;
use crate::client_credentials::ClientCredentials;
use crate::static_credentials::{ApiKey, BearerToken, JwtPayload};

/// Which kind of credentials a provider holds.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// Eka client id and secret, exchanged for access tokens.
    ClientCredentials,
    /// An `X-API-Key`.
    ApiKey,
    /// A bearer token the caller obtained.
    BearerToken,
    /// The `jwt-payload` development header.
    JwtPayload,
}

/// A source of credentials: the transport's [`Authenticator`] hook plus
/// what the layers above need to know about the credentials.
pub trait CredentialProvider: Authenticator {
    /// The kind of credentials.
    fn kind(&self) -> CredentialKind;

    /// The claims of the current credentials (logging in first if needed).
    /// An API key carries none: that is an error naming the alternative.
    fn claims(&self) -> BoxFuture<'_, Result<Claims, Error>>;

    /// The provider as the transport's hook (for
    /// [`HttpClient::with_authenticator`]).
    fn into_authenticator(self: Arc<Self>) -> Arc<dyn Authenticator>;
}

/// The credentials an SDK client is configured with.
///
/// `Debug` names the kind and the client id only.
///
/// ```
/// use scribe_auth::Credentials;
///
/// let creds = Credentials::client_credentials("my-client", "my-secret".to_owned());
/// assert!(!format!("{creds:?}").contains("my-secret"));
/// ```
#[non_exhaustive]
#[derive(Clone)]
pub enum Credentials {
    /// Eka client credentials (login and refresh at the auth base URL).
    ClientCredentials {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: SecretString,
        /// An API key sent along with the login, when the account uses one.
        api_key: Option<SecretString>,
    },
    /// An API key sent as `X-API-Key` on every request.
    ApiKey(SecretString),
    /// A bearer token the caller obtained (not refreshed by the SDK).
    BearerToken(SecretString),
    /// Claims sent as the `jwt-payload` header, for a local backend without a
    /// gateway. Never accepted by the production service.
    JwtPayload(Map<String, Value>),
}

impl Credentials {
    /// Client credentials without an API key.
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Credentials::ClientCredentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
            api_key: None,
        }
    }

    /// The kind of these credentials.
    pub fn kind(&self) -> CredentialKind {
        match self {
            Credentials::ClientCredentials { .. } => CredentialKind::ClientCredentials,
            Credentials::ApiKey(_) => CredentialKind::ApiKey,
            Credentials::BearerToken(_) => CredentialKind::BearerToken,
            Credentials::JwtPayload(_) => CredentialKind::JwtPayload,
        }
    }

    /// Builds the provider. `http` is the SDK client's transport (its pool is
    /// shared; logins are sent without credentials), `auth_base_url` the
    /// Eka auth host (used by client credentials only).
    pub fn into_provider(
        self,
        http: &HttpClient,
        auth_base_url: &str,
    ) -> Result<Arc<dyn CredentialProvider>, Error> {
        self.build(http, auth_base_url, None)
    }

    /// As [`into_provider`](Credentials::into_provider), naming the
    /// environment (`prod`, `dev`) in auth error hints.
    pub fn into_provider_with_environment(
        self,
        http: &HttpClient,
        auth_base_url: &str,
        environment: &str,
    ) -> Result<Arc<dyn CredentialProvider>, Error> {
        self.build(http, auth_base_url, Some(environment))
    }

    fn build(
        self,
        http: &HttpClient,
        auth_base_url: &str,
        environment: Option<&str>,
    ) -> Result<Arc<dyn CredentialProvider>, Error> {
        Ok(match self {
            Credentials::ClientCredentials {
                client_id,
                client_secret,
                api_key,
            } => {
                let mut provider =
                    ClientCredentials::new(http, auth_base_url, client_id, client_secret)?;
                if let Some(key) = api_key {
                    provider = provider.with_api_key(key);
                }
                if let Some(environment) = environment {
                    provider = provider.with_environment(environment);
                }
                Arc::new(provider)
            }
            Credentials::ApiKey(key) => Arc::new(ApiKey::new(key)?),
            Credentials::BearerToken(token) => Arc::new(BearerToken::new(token)?),
            Credentials::JwtPayload(claims) => Arc::new(JwtPayload::new(claims)?),
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ClientCredentials {
                client_id, api_key, ..
            } => f
                .debug_struct("ClientCredentials")
                .field("client_id", client_id)
                .field("client_secret", &"[redacted]")
                .field("api_key", &api_key.as_ref().map(|_| "[redacted]"))
                .finish(),
            Credentials::ApiKey(_) => f.write_str("ApiKey([redacted])"),
            Credentials::BearerToken(_) => f.write_str("BearerToken([redacted])"),
            Credentials::JwtPayload(map) => f
                .debug_tuple("JwtPayload")
                .field(&map.keys().collect::<Vec<_>>())
                .finish(),
        }
    }
}
