//! From configured credentials to the transport's authentication hook.

use std::sync::Arc;

use crate::auth::Credentials;
use crate::config::Config;
use crate::transport::{Authenticator, HttpClient};
use crate::{Error, ErrorKind};

/// The fix named whenever no credentials are configured.
pub(crate) const MISSING_CREDENTIALS_FIX: &str = "set SCRIBE_CLIENT_ID and SCRIBE_CLIENT_SECRET (in the environment or a .env file), \
     or SCRIBE_API_KEY, or pass them to ScribeClient::builder()";

/// Chooses the credentials: a bearer token given in code first, then client
/// credentials (with the API key sent along when both are set), then an API
/// key alone.
pub(crate) fn credentials(config: &Config) -> Result<Credentials, Error> {
    if let Some(token) = &config.bearer_token {
        return Ok(Credentials::BearerToken(token.clone()));
    }
    if let (Some(id), Some(secret)) = (&config.client_id, &config.client_secret) {
        return Ok(Credentials::ClientCredentials {
            client_id: id.clone(),
            client_secret: secret.clone(),
            api_key: config.api_key.clone(),
        });
    }
    if let Some(key) = &config.api_key {
        return Ok(Credentials::ApiKey(key.clone()));
    }
    Err(Error::new(ErrorKind::Auth, "no credentials configured").with_hint(MISSING_CREDENTIALS_FIX))
}

/// The authentication hook for the configured credentials.
pub(crate) fn authenticator(
    config: &Config,
    http: &HttpClient,
) -> Result<Arc<dyn Authenticator>, Error> {
    // Auth errors then name the environment whose credentials to check.
    let provider = credentials(config)?.into_provider_with_environment(
        http,
        config.auth_base_url(),
        config.environment().as_str(),
    )?;
    Ok(provider.into_authenticator())
}
