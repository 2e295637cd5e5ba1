//! [`ClientBuilder`]: everything a client can be told in code.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;

use crate::config::{self, Config, ConfigError, EnvVars, Environment, Layer};
use crate::transport::{Authenticator, RetryPolicy};
use crate::{Error, ScribeClient};

/// Default number of chunk uploads in flight at once.
pub const DEFAULT_UPLOAD_CONCURRENCY: usize = 4;

/// Builds a client: a [`ScribeClient`], or a
/// [`blocking::ScribeClient`](crate::blocking::ScribeClient) when it comes
/// from that type's `builder()` (the type parameter says which; `build`
/// gives that client). Values set here win over the environment and the
/// config file (see [`crate::config`]).
///
/// ```no_run
/// use std::time::Duration;
///
/// let client = scribe::ScribeClient::builder()
///     .environment(scribe::config::Environment::Dev)
///     .poll_timeout(Duration::from_secs(300))
///     .build()?;
/// # Ok::<(), scribe::Error>(())
/// ```
#[must_use]
pub struct ClientBuilder<C = ScribeClient> {
    pub(crate) layer: Layer,
    pub(crate) problems: Vec<ConfigError>,
    pub(crate) env: EnvVars,
    pub(crate) working_dir: Option<PathBuf>,
    pub(crate) authenticator: Option<Arc<dyn Authenticator>>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) upload_concurrency: usize,
    pub(crate) allow_insecure_http: bool,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    #[cfg(feature = "audio")]
    pub(crate) pipeline: crate::audio::PipelineConfig,
    client: PhantomData<fn() -> C>,
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self {
            layer: Layer::default(),
            problems: Vec::new(),
            env: EnvVars::process(),
            working_dir: None,
            authenticator: None,
            retry: None,
            upload_concurrency: DEFAULT_UPLOAD_CONCURRENCY,
            allow_insecure_http: false,
            connect_timeout: None,
            idle_timeout: None,
            #[cfg(feature = "audio")]
            pipeline: crate::audio::PipelineConfig::default(),
            client: PhantomData,
        }
    }
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("env", &self.env)
            .field("working_dir", &self.working_dir)
            .field("upload_concurrency", &self.upload_concurrency)
            .finish_non_exhaustive()
    }
}

impl<C> ClientBuilder<C> {
    fn check<T>(&mut self, r: Result<T, ConfigError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.problems.push(e);
                None
            }
        }
    }

    /// Eka client credentials (a login, then refreshed bearer tokens).
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.layer.client_id = Some(client_id.into());
        self.layer.client_secret = Some(SecretString::from(client_secret.into()));
        self
    }

    /// An API key (`X-API-Key`), alone or sent with the client-credentials login.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.layer.api_key = Some(SecretString::from(key.into()));
        self
    }

    /// A bearer token obtained elsewhere (used as is, never refreshed).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.layer.bearer_token = Some(SecretString::from(token.into()));
        self
    }

    /// Any authenticator (for example one of `scribe::auth`'s providers
    /// configured by hand). It replaces the credentials above.
    pub fn authenticator(mut self, authenticator: Arc<dyn Authenticator>) -> Self {
        self.authenticator = Some(authenticator);
        self
    }

    /// The deployment preset (host URLs).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.layer.environment = Some(environment);
        self
    }

    /// The protocol base URL (`https://...`; plain `http://` only to loopback
    /// unless [`allow_insecure_http`](Self::allow_insecure_http)).
    pub fn base_url(mut self, url: impl AsRef<str>) -> Self {
        self.layer.base_url = self.check(config::check::url("builder.base_url", url.as_ref()));
        self
    }

    /// The authentication base URL.
    pub fn auth_base_url(mut self, url: impl AsRef<str>) -> Self {
        self.layer.auth_base_url =
            self.check(config::check::url("builder.auth_base_url", url.as_ref()));
        self
    }

    /// Templates used when a session names none (1 or 2 ids).
    pub fn default_templates<I, S>(mut self, templates: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = templates.into_iter().map(Into::into).collect();
        self.layer.default_templates =
            self.check(config::check::templates("builder.default_templates", list));
        self
    }

    /// Model used when a session names none (`lite` or `pro`).
    pub fn default_model(mut self, model: impl AsRef<str>) -> Self {
        self.layer.default_model = self.check(config::check::model(
            "builder.default_model",
            model.as_ref(),
        ));
        self
    }

    /// Language hint used when a session gives none (ISO 639-1 codes).
    pub fn default_language_hint<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let list = languages.into_iter().map(Into::into).collect();
        self.layer.default_language_hint = self.check(config::check::languages(
            "builder.default_language_hint",
            list,
        ));
        self
    }

    /// Transcript language used when a session gives none.
    pub fn transcript_language(mut self, language: impl AsRef<str>) -> Self {
        self.layer.transcript_language = self.check(config::check::language(
            "builder.transcript_language",
            language.as_ref(),
        ));
        self
    }

    /// Timeout of each HTTP attempt.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.layer.request_timeout = Some(timeout);
        self
    }

    /// Highest polling rate while waiting for results.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.layer.poll_interval = Some(interval);
        self
    }

    /// How long [`Session::wait`](crate::Session::wait) and [`Session::watch`](crate::Session::watch) wait (default 10 minutes).
    pub fn poll_timeout(mut self, timeout: Duration) -> Self {
        self.layer.poll_timeout = Some(timeout);
        self
    }

    /// Reads this config file instead of searching the working directory.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.layer.config_path = Some(path.into());
        self
    }

    /// Where environment variables come from (default: the process and a
    /// `.env` file). Pass [`EnvVars::from_map`] to read nothing global.
    pub fn env_vars(mut self, vars: EnvVars) -> Self {
        self.env = vars;
        self
    }

    /// Where `.env` and config files are looked for (default: the current directory).
    pub fn working_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.working_dir = Some(dir.into());
        self
    }

    /// Retry policy of every request that is safe to repeat (chunk uploads,
    /// `end`, reads, a create with a caller-chosen id): the one retry layer
    /// of the SDK. [`RetryPolicy::none()`] makes exactly one request each.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Chunk uploads in flight at once (default 4, at least 1).
    pub fn upload_concurrency(mut self, uploads: usize) -> Self {
        self.upload_concurrency = uploads.max(1);
        self
    }

    /// How long a session create, each chunk upload and `end` keep retrying
    /// through network failures, 5xx and 429 (default 5 minutes; result
    /// polling keeps retrying until the [poll timeout](Self::poll_timeout)).
    /// A gateway outage shorter than this costs time, not audio or results.
    /// Only a [`RetryPolicy`] with `until_deadline` (the default) waits this
    /// long; [`RetryPolicy::none()`] never retries.
    pub fn retry_deadline(mut self, deadline: Duration) -> Self {
        self.layer.retry_deadline = Some(deadline);
        self
    }

    /// Longest time a request or answer body may make no progress before
    /// the attempt fails and is retried (default 10 s, never more than the
    /// request timeout).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = Some(timeout);
        self
    }

    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Allows plain `http://` to hosts other than loopback. Credentials and
    /// audio then cross the network unencrypted.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Speech detection, chunk sizes and the location of the ONNX Runtime
    /// library and VAD model (default: `SCRIBE_ORT_DYLIB`,
    /// `SCRIBE_VAD_MODEL`, then the cache `cargo xtask assets` fills).
    #[cfg(feature = "audio")]
    pub fn audio_pipeline(mut self, pipeline: crate::audio::PipelineConfig) -> Self {
        self.pipeline = pipeline;
        self
    }

    /// Resolves the configuration without building a client.
    pub fn resolve_config(&self) -> Result<Config, Error> {
        if let Some(problem) = self.problems.first() {
            return Err(problem.clone().into());
        }
        let dir = match &self.working_dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().map_err(|e| {
                Error::new(
                    crate::ErrorKind::Config,
                    "the current directory cannot be read",
                )
                .with_hint("run from an existing directory or set ClientBuilder::working_dir")
                .with_source(e)
            })?,
        };
        Ok(Config::resolve(self.layer.clone(), &self.env, &dir)?)
    }

    /// The async client this builder describes.
    pub(crate) fn build_async(self) -> Result<ScribeClient, Error> {
        let config = self.resolve_config()?;
        ScribeClient::from_parts(self, config)
    }
}

impl ClientBuilder<ScribeClient> {
    /// Resolves the configuration and builds the client. Fails when the
    /// configuration is invalid or no credentials are configured.
    pub fn build(self) -> Result<ScribeClient, Error> {
        self.build_async()
    }
}
