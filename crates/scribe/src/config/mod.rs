//! Configuration: where the client connects, with which credentials and
//! defaults.
//!
//! Resolution order, highest first:
//!
//! 1. values set on [`ScribeClient::builder()`](crate::ScribeClient::builder);
//! 2. the environment: `SCRIBE_*` variables, with a `.env` file in the working
//!    directory read first (variables already set in the process win);
//! 3. a config file: `SCRIBE_CONFIG`, or `scribe.config.json`, `.yaml` or
//!    `.yml` in the working directory;
//! 4. defaults: production hosts, the `clinical_notes_template` template,
//!    30 s request timeout, polling at most every 2 s for up to 10 minutes.
//!
//! | variable | config-file key | meaning |
//! |---|---|---|
//! | `SCRIBE_CLIENT_ID`, `SCRIBE_CLIENT_SECRET` | (refused) | client credentials |
//! | `SCRIBE_API_KEY` | (refused) | API key, alone or with client credentials |
//! | `SCRIBE_ENV` | `env` | `prod` (default) or `dev` host presets |
//! | `SCRIBE_BASE_URL`, `SCRIBE_AUTH_BASE_URL` | `base_url`, `auth_base_url` | other hosts |
//! | `SCRIBE_DEFAULT_TEMPLATES` | `default_templates` | 1 or 2 template ids, comma-separated |
//! | `SCRIBE_DEFAULT_MODEL` | `default_model` | `lite` or `pro` |
//! | `SCRIBE_DEFAULT_LANGUAGE_HINT` | `default_language_hint` | ISO 639-1 codes, comma-separated |
//! | `SCRIBE_TRANSCRIPT_LANGUAGE` | `transcript_language` | one ISO 639-1 code |
//! | `SCRIBE_REQUEST_TIMEOUT` | `request_timeout` | per request (`30`, `30s`, `500ms`, `2m`, `1h`) |
//! | `SCRIBE_POLL_INTERVAL`, `SCRIBE_POLL_TIMEOUT` | `poll_interval`, `poll_timeout` | result polling |
//! | `SCRIBE_RETRY_DEADLINE` | `retry_deadline` | how long a create, chunk upload or `end` keeps retrying (default 5 minutes) |
//! | `SCRIBE_CONFIG` | | path of the config file |
//!
//! A layer that chooses an environment (`SCRIBE_ENV`, `.environment(..)`)
//! discards URLs set by lower layers. When only `base_url` is given, the auth
//! host defaults to its origin (as it is for both Eka deployments).

mod env;
mod error;
mod file;
mod layer;
mod value;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;

pub use env::EnvVars;
pub use error::ConfigError;
pub use file::CONFIG_FILE_NAMES;
pub(crate) use layer::Layer;
pub use value::Environment;

/// The template used when neither code nor configuration names one.
pub const DEFAULT_TEMPLATE: &str = "clinical_notes_template";
/// Default per-request timeout. Longer than the service's ~14 s long poll.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default upper bound on the polling rate while waiting for results.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(2);
/// Default time to wait for results before giving up.
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(600);
/// Default time a create, a chunk upload or an `end` keeps retrying.
pub const DEFAULT_RETRY_DEADLINE: Duration = Duration::from_secs(300);

/// The resolved configuration of a client.
///
/// `Debug` never shows secrets.
#[derive(Clone)]
pub struct Config {
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<SecretString>,
    pub(crate) api_key: Option<SecretString>,
    pub(crate) bearer_token: Option<SecretString>,
    environment: Environment,
    base_url: String,
    auth_base_url: String,
    default_templates: Vec<String>,
    default_model: Option<String>,
    default_language_hint: Vec<String>,
    transcript_language: Option<String>,
    request_timeout: Duration,
    poll_interval: Duration,
    poll_timeout: Duration,
    retry_deadline: Duration,
    config_file: Option<PathBuf>,
}

impl Config {
    /// Resolves builder values over the environment over a config file over
    /// defaults. `working_dir` is where `.env` and config files are looked for.
    pub(crate) fn resolve(
        builder: Layer,
        vars: &EnvVars,
        working_dir: &Path,
    ) -> Result<Self, ConfigError> {
        let env_vars = vars.collect(working_dir)?;
        let env_layer = env::layer(&env_vars)?;
        let explicit_file = builder
            .config_path
            .clone()
            .or_else(|| env_layer.config_path.clone());
        let config_file = file::locate(explicit_file.as_deref(), working_dir)?;
        let file_layer = match &config_file {
            Some(path) => file::load(path)?,
            None => Layer::default(),
        };
        let merged = builder.over(env_layer).over(file_layer);

        let environment = merged.environment.unwrap_or_default();
        let base_url = merged
            .base_url
            .unwrap_or_else(|| environment.base_url().to_owned());
        let auth_base_url = match merged.auth_base_url {
            Some(url) => url,
            None => origin(&base_url),
        };
        match (&merged.client_id, &merged.client_secret) {
            (Some(_), None) => {
                return Err(ConfigError::new(
                    layer::CLIENT_SECRET.env,
                    "a client id is set but no client secret",
                    "set SCRIBE_CLIENT_SECRET too (or remove SCRIBE_CLIENT_ID)",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    layer::CLIENT_ID.env,
                    "a client secret is set but no client id",
                    "set SCRIBE_CLIENT_ID too (or remove SCRIBE_CLIENT_SECRET)",
                ));
            }
            _ => {}
        }
        Ok(Self {
            client_id: merged.client_id,
            client_secret: merged.client_secret,
            api_key: merged.api_key,
            bearer_token: merged.bearer_token,
            environment,
            base_url,
            auth_base_url,
            default_templates: merged
                .default_templates
                .unwrap_or_else(|| vec![DEFAULT_TEMPLATE.to_owned()]),
            default_model: merged.default_model,
            default_language_hint: merged.default_language_hint.unwrap_or_default(),
            transcript_language: merged.transcript_language,
            request_timeout: merged.request_timeout.unwrap_or(DEFAULT_REQUEST_TIMEOUT),
            poll_interval: merged.poll_interval.unwrap_or(DEFAULT_POLL_INTERVAL),
            poll_timeout: merged.poll_timeout.unwrap_or(DEFAULT_POLL_TIMEOUT),
            retry_deadline: merged.retry_deadline.unwrap_or(DEFAULT_RETRY_DEADLINE),
            config_file,
        })
    }

    /// The environment preset in force (`prod` unless chosen).
    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// The protocol base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The authentication base URL, without a trailing `/`.
    pub fn auth_base_url(&self) -> &str {
        &self.auth_base_url
    }

    /// The client id, when client credentials are configured.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Whether any credential (client credentials, API key or bearer token)
    /// is configured.
    pub fn has_credentials(&self) -> bool {
        self.client_secret.is_some() || self.api_key.is_some() || self.bearer_token.is_some()
    }

    /// Templates used when a session does not name any.
    pub fn default_templates(&self) -> &[String] {
        &self.default_templates
    }

    /// Model used when a session does not name one (`None`: the server's).
    pub fn default_model(&self) -> Option<&str> {
        self.default_model.as_deref()
    }

    /// Language hint used when a session does not give one.
    pub fn default_language_hint(&self) -> &[String] {
        &self.default_language_hint
    }

    /// Transcript language used when a session does not give one.
    pub fn transcript_language(&self) -> Option<&str> {
        self.transcript_language.as_deref()
    }

    /// Timeout of each HTTP request.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Highest polling rate while waiting for results.
    pub fn poll_interval(&self) -> Duration {
        self.poll_interval
    }

    /// How long to wait for results.
    pub fn poll_timeout(&self) -> Duration {
        self.poll_timeout
    }

    /// How long a create, a chunk upload or an `end` keeps retrying
    /// through failures (see [`ClientBuilder::retry_deadline`](crate::ClientBuilder::retry_deadline)).
    pub fn retry_deadline(&self) -> Duration {
        self.retry_deadline
    }

    /// The config file that was read, if any.
    pub fn config_file(&self) -> Option<&Path> {
        self.config_file.as_deref()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |s: &Option<SecretString>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &redacted(&self.client_secret))
            .field("api_key", &redacted(&self.api_key))
            .field("bearer_token", &redacted(&self.bearer_token))
            .field("environment", &self.environment)
            .field("base_url", &self.base_url)
            .field("auth_base_url", &self.auth_base_url)
            .field("default_templates", &self.default_templates)
            .field("default_model", &self.default_model)
            .field("default_language_hint", &self.default_language_hint)
            .field("transcript_language", &self.transcript_language)
            .field("request_timeout", &self.request_timeout)
            .field("retry_deadline", &self.retry_deadline)
            .field("poll_interval", &self.poll_interval)
            .field("poll_timeout", &self.poll_timeout)
            .field("config_file", &self.config_file)
            .finish()
    }
}

/// `scheme://host[:port]` of a URL already checked by [`value::url`], as
/// [`scribe_protocol::paths::origin`] finds it (which `value::url` checks
/// succeeds, so the URL itself is never the answer).
pub(crate) fn origin(url: &str) -> String {
    scribe_protocol::paths::origin(url)
        .unwrap_or(url)
        .to_owned()
}

/// Parsing helpers for builder values, which are checked like any other layer.
pub(crate) mod check {
    pub(crate) use super::value::{language, languages, model, templates, url};
}

#[cfg(test)]
mod tests;
