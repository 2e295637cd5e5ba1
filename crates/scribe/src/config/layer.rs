//! One layer of settings (builder, environment or config file): every field
//! optional, so layers can be stacked with the highest one winning.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;

use super::Environment;

/// Settings given by one source. `None` means "not set here".
#[derive(Clone, Default)]
pub(crate) struct Layer {
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<SecretString>,
    pub(crate) api_key: Option<SecretString>,
    pub(crate) bearer_token: Option<SecretString>,
    pub(crate) environment: Option<Environment>,
    pub(crate) base_url: Option<String>,
    pub(crate) auth_base_url: Option<String>,
    pub(crate) default_templates: Option<Vec<String>>,
    pub(crate) default_model: Option<String>,
    pub(crate) default_language_hint: Option<Vec<String>>,
    pub(crate) transcript_language: Option<String>,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) poll_interval: Option<Duration>,
    pub(crate) poll_timeout: Option<Duration>,
    pub(crate) retry_deadline: Option<Duration>,
    pub(crate) config_path: Option<PathBuf>,
}

/// The names of the settings, in the spelling of each source. The config
/// file key is the environment variable without `SCRIBE_`, lowercased.
pub(crate) struct Key {
    pub(crate) env: &'static str,
    pub(crate) file: &'static str,
}

macro_rules! keys {
    ($($name:ident = $env:literal, $file:literal;)*) => {
        $(pub(crate) const $name: Key = Key { env: $env, file: $file };)*
    };
}

keys! {
    CLIENT_ID = "SCRIBE_CLIENT_ID", "client_id";
    CLIENT_SECRET = "SCRIBE_CLIENT_SECRET", "client_secret";
    API_KEY = "SCRIBE_API_KEY", "api_key";
    ENV = "SCRIBE_ENV", "env";
    BASE_URL = "SCRIBE_BASE_URL", "base_url";
    AUTH_BASE_URL = "SCRIBE_AUTH_BASE_URL", "auth_base_url";
    DEFAULT_TEMPLATES = "SCRIBE_DEFAULT_TEMPLATES", "default_templates";
    DEFAULT_MODEL = "SCRIBE_DEFAULT_MODEL", "default_model";
    DEFAULT_LANGUAGE_HINT = "SCRIBE_DEFAULT_LANGUAGE_HINT", "default_language_hint";
    TRANSCRIPT_LANGUAGE = "SCRIBE_TRANSCRIPT_LANGUAGE", "transcript_language";
    REQUEST_TIMEOUT = "SCRIBE_REQUEST_TIMEOUT", "request_timeout";
    POLL_INTERVAL = "SCRIBE_POLL_INTERVAL", "poll_interval";
    POLL_TIMEOUT = "SCRIBE_POLL_TIMEOUT", "poll_timeout";
    RETRY_DEADLINE = "SCRIBE_RETRY_DEADLINE", "retry_deadline";
    CONFIG = "SCRIBE_CONFIG", "config";
}

/// Keys a config file may hold.
pub(crate) const FILE_KEYS: &[&Key] = &[
    &ENV,
    &BASE_URL,
    &AUTH_BASE_URL,
    &DEFAULT_TEMPLATES,
    &DEFAULT_MODEL,
    &DEFAULT_LANGUAGE_HINT,
    &TRANSCRIPT_LANGUAGE,
    &REQUEST_TIMEOUT,
    &POLL_INTERVAL,
    &POLL_TIMEOUT,
    &RETRY_DEADLINE,
];

/// Credentials: only ever from the environment or code.
pub(crate) const SECRET_KEYS: &[&Key] = &[&CLIENT_ID, &CLIENT_SECRET, &API_KEY];

impl Layer {
    /// Fills every field this layer leaves unset from `lower`.
    ///
    /// A layer that chooses an environment also chooses its URLs: URLs from
    /// lower layers no longer apply, so `--env dev` is not silently
    /// overridden by a `SCRIBE_BASE_URL` left in a `.env` file.
    pub(crate) fn over(self, lower: Layer) -> Layer {
        let (lower_base, lower_auth) = if self.environment.is_some() {
            (None, None)
        } else {
            (lower.base_url, lower.auth_base_url)
        };
        Layer {
            client_id: self.client_id.or(lower.client_id),
            client_secret: self.client_secret.or(lower.client_secret),
            api_key: self.api_key.or(lower.api_key),
            bearer_token: self.bearer_token.or(lower.bearer_token),
            environment: self.environment.or(lower.environment),
            base_url: self.base_url.or(lower_base),
            auth_base_url: self.auth_base_url.or(lower_auth),
            default_templates: self.default_templates.or(lower.default_templates),
            default_model: self.default_model.or(lower.default_model),
            default_language_hint: self.default_language_hint.or(lower.default_language_hint),
            transcript_language: self.transcript_language.or(lower.transcript_language),
            request_timeout: self.request_timeout.or(lower.request_timeout),
            poll_interval: self.poll_interval.or(lower.poll_interval),
            poll_timeout: self.poll_timeout.or(lower.poll_timeout),
            retry_deadline: self.retry_deadline.or(lower.retry_deadline),
            config_path: self.config_path.or(lower.config_path),
        }
    }
}
