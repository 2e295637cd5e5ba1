//! Configuration: the dialect the simulator speaks and the [`ServerBuilder`].

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use crate::Error;
use crate::faults::{FaultPlan, FaultRule};
use crate::server::Server;

/// Which of the two shapes of the protocol the simulator answers in.
///
/// The Eka dialect is what the production EkaScribe service serves; the spec
/// dialect follows the MedScribeAlliance v0.1 documents and their reference
/// server. The table at the end of the protocol notes lists the differences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// EkaScribe: `templates` as a list of single-key objects, epoch-second
    /// timestamps, Eka template ids, 24 s chunk limit.
    #[default]
    Eka,
    /// MedScribeAlliance v0.1: `templates` as an object keyed by id, ISO 8601
    /// timestamps, spec template ids, 20 s chunk limit.
    Spec,
}

impl Dialect {
    /// The name used on the command line and in logs (`eka` or `spec`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Eka => "eka",
            Dialect::Spec => "spec",
        }
    }

    /// The default longest chunk, in seconds, this dialect accepts without
    /// marking the session `partial`.
    #[must_use]
    pub fn default_max_chunk_seconds(self) -> f64 {
        use scribe_protocol::catalogue::{EKA_MAX_CHUNK_SECONDS, SPEC_MAX_CHUNK_SECONDS};
        match self {
            Dialect::Eka => f64::from(EKA_MAX_CHUNK_SECONDS),
            Dialect::Spec => f64::from(SPEC_MAX_CHUNK_SECONDS),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Dialect {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "eka" => Ok(Dialect::Eka),
            "spec" | "msa" | "medscribealliance" => Ok(Dialect::Spec),
            other => Err(Error::Config(format!(
                "unknown dialect `{other}`; use `eka` or `spec`"
            ))),
        }
    }
}

/// How many times, and how far apart, the simulator retries a webhook
/// delivery that failed (no answer or a non-2xx status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookRetry {
    /// Total delivery attempts per event and webhook (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubles after each further failure.
    pub initial_backoff: Duration,
}

impl Default for WebhookRetry {
    fn default() -> Self {
        WebhookRetry {
            attempts: 5,
            initial_backoff: Duration::from_millis(200),
        }
    }
}

/// Everything the running server needs to know; built by [`ServerBuilder`].
#[derive(Clone)]
pub(crate) struct Config {
    pub(crate) addr: SocketAddr,
    pub(crate) allow_non_loopback: bool,
    pub(crate) dialect: Dialect,
    pub(crate) base_path: String,
    pub(crate) token_lifetime: Duration,
    pub(crate) processing_delay: Duration,
    pub(crate) session_expiry: Duration,
    pub(crate) long_poll_hold: Duration,
    pub(crate) max_chunk_seconds: f64,
    pub(crate) max_upload_bytes: usize,
    pub(crate) accept_api_key: bool,
    pub(crate) accept_jwt_payload: bool,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) api_key: String,
    pub(crate) business_id: String,
    pub(crate) faults: FaultPlan,
    pub(crate) webhook_retry: WebhookRetry,
}

/// Client id the simulator accepts unless configured otherwise.
pub const DEFAULT_CLIENT_ID: &str = "scribe-sim-client";
/// Client secret the simulator accepts unless configured otherwise. Not a
/// real credential: the simulator is a local test server.
pub const DEFAULT_CLIENT_SECRET: &str = "scribe-sim-secret";
/// API key the simulator accepts (when API keys are enabled) unless
/// configured otherwise.
pub const DEFAULT_API_KEY: &str = "sk_test_scribesim0000000000";
/// Business id (`b-id` claim) of the simulator's tokens unless configured
/// otherwise.
pub const DEFAULT_BUSINESS_ID: &str = "sim-business-1";

/// Configures and starts a [`Server`].
///
/// Every setting has a default suitable for tests except the long-poll hold
/// (14 s, like the production service), which tests usually shorten.
///
/// ```no_run
/// # async fn demo() -> Result<(), scribe_sim::Error> {
/// use std::time::Duration;
/// let server = scribe_sim::Server::builder()
///     .processing_delay(Duration::from_millis(50))
///     .long_poll_hold(Duration::from_millis(500))
///     .start()
///     .await?;
/// println!("protocol base URL: {}", server.base_url());
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct ServerBuilder {
    config: Config,
    max_chunk_seconds: Option<f64>,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Credentials are left out on purpose.
        f.debug_struct("ServerBuilder")
            .field("addr", &self.config.addr)
            .field("dialect", &self.config.dialect)
            .field("base_path", &self.config.base_path)
            .finish_non_exhaustive()
    }
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder {
            config: Config {
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                allow_non_loopback: false,
                dialect: Dialect::Eka,
                base_path: "/voice".to_owned(),
                token_lifetime: Duration::from_secs(3600),
                processing_delay: Duration::from_millis(500),
                session_expiry: Duration::from_secs(3600),
                long_poll_hold: Duration::from_secs(14),
                max_chunk_seconds: Dialect::Eka.default_max_chunk_seconds(),
                max_upload_bytes: 25 * 1024 * 1024,
                accept_api_key: true,
                accept_jwt_payload: true,
                client_id: DEFAULT_CLIENT_ID.to_owned(),
                client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
                api_key: DEFAULT_API_KEY.to_owned(),
                business_id: DEFAULT_BUSINESS_ID.to_owned(),
                faults: FaultPlan::default(),
                webhook_retry: WebhookRetry::default(),
            },
            max_chunk_seconds: None,
        }
    }
}

impl ServerBuilder {
    /// A builder with every default: `127.0.0.1:0`, Eka dialect.
    pub fn new() -> Self {
        Self::default()
    }

    /// Address to listen on (default `127.0.0.1:0`, a free port). A
    /// non-loopback address also needs [`allow_non_loopback`](Self::allow_non_loopback).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.config.addr = addr;
        self
    }

    /// Allow listening on a non-loopback address (off by default: the
    /// simulator has fixed credentials and plain HTTP). Even then `/_sim/`,
    /// which serves the received audio, answers loopback clients only.
    pub fn allow_non_loopback(mut self, allow: bool) -> Self {
        self.config.allow_non_loopback = allow;
        self
    }

    /// The dialect to answer in (default [`Dialect::Eka`]).
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.config.dialect = dialect;
        self
    }

    /// Path prefix of the protocol base URL (default `/voice`, like
    /// `https://api.eka.care/voice`). Use `""` to serve the protocol at the root.
    pub fn base_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        let trimmed = path.trim_end_matches('/');
        self.config.base_path = if trimmed.is_empty() || trimmed.starts_with('/') {
            trimmed.to_owned()
        } else {
            format!("/{trimmed}")
        };
        self
    }

    /// Lifetime of the access tokens login and refresh issue (default one
    /// hour). A short lifetime lets tests expire a token mid-upload.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.token_lifetime = lifetime;
        self
    }

    /// How long a session stays `processing` after `end` before its results
    /// are ready (default 500 ms).
    pub fn processing_delay(mut self, delay: Duration) -> Self {
        self.config.processing_delay = delay;
        self
    }

    /// How long after creation a session that was never ended expires
    /// (default one hour).
    pub fn session_expiry(mut self, expiry: Duration) -> Self {
        self.config.session_expiry = expiry;
        self
    }

    /// Longest time `GET /v1/sessions/{id}` holds an unfinished session's
    /// answer waiting for a change (default 14 s; zero answers at once).
    pub fn long_poll_hold(mut self, hold: Duration) -> Self {
        self.config.long_poll_hold = hold;
        self
    }

    /// Longest chunk, in seconds, processed normally; a longer chunk is kept
    /// but makes the session `partial` (default 24 s Eka, 20 s spec). Also
    /// announced in discovery as `max_chunk_duration_seconds` (whole seconds, rounded down).
    pub fn max_chunk_seconds(mut self, seconds: f64) -> Self {
        self.max_chunk_seconds = Some(seconds);
        self
    }

    /// Largest accepted upload body in bytes (default 25 MiB); a larger body
    /// is answered `400 chunk_too_large`. A stream may hold four times this
    /// much unflushed audio before `stop`; more closes the socket (1009).
    pub fn max_upload_bytes(mut self, bytes: usize) -> Self {
        self.config.max_upload_bytes = bytes;
        self
    }

    /// Accept `X-API-Key: <api key>` instead of a bearer token (default on).
    pub fn accept_api_key(mut self, accept: bool) -> Self {
        self.config.accept_api_key = accept;
        self
    }

    /// Accept the `jwt-payload: <JSON object>` development header instead of
    /// a bearer token (default on).
    pub fn accept_jwt_payload(mut self, accept: bool) -> Self {
        self.config.accept_jwt_payload = accept;
        self
    }

    /// Client credentials login accepts (default [`DEFAULT_CLIENT_ID`] /
    /// [`DEFAULT_CLIENT_SECRET`]).
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.config.client_id = id.into();
        self.config.client_secret = secret.into();
        self
    }

    /// API key accepted when API keys are on (default [`DEFAULT_API_KEY`]).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_key = key.into();
        self
    }

    /// Business id put in the tokens' `b-id` claim (default [`DEFAULT_BUSINESS_ID`]).
    pub fn business_id(mut self, id: impl Into<String>) -> Self {
        self.config.business_id = id.into();
        self
    }

    /// Seed of the fault injector's deterministic decisions (default 0).
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.config.faults.seed = seed;
        self
    }

    /// Add one fault rule; rules are checked in the order added.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.config.faults.rules.push(rule);
        self
    }

    /// Retry schedule for webhook deliveries.
    pub fn webhook_retry(mut self, retry: WebhookRetry) -> Self {
        self.config.webhook_retry = retry;
        self
    }

    fn finish(mut self) -> Result<Config, Error> {
        let max = self
            .max_chunk_seconds
            .unwrap_or_else(|| self.config.dialect.default_max_chunk_seconds());
        if !(max.is_finite() && max > 0.0) {
            return Err(Error::Config(format!(
                "max_chunk_seconds must be a positive number of seconds, got {max}"
            )));
        }
        self.config.max_chunk_seconds = max;
        // Times are added to the clock; a century is far beyond any test.
        const LONGEST: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
        for (name, value) in [
            ("token_lifetime", self.config.token_lifetime),
            ("processing_delay", self.config.processing_delay),
            ("session_expiry", self.config.session_expiry),
            ("long_poll_hold", self.config.long_poll_hold),
        ] {
            if value > LONGEST {
                return Err(Error::Config(format!(
                    "{name} must be at most a century, got {} s",
                    value.as_secs()
                )));
            }
        }
        if self.config.webhook_retry.attempts == 0 {
            return Err(Error::Config(
                "webhook retry attempts must be at least 1".to_owned(),
            ));
        }
        if self.config.client_id.is_empty() || self.config.client_secret.is_empty() {
            return Err(Error::Config(
                "client id and secret must not be empty".to_owned(),
            ));
        }
        for rule in &self.config.faults.rules {
            rule.check()?;
        }
        if !self.config.allow_non_loopback && !self.config.addr.ip().is_loopback() {
            return Err(Error::NonLoopback {
                addr: self.config.addr,
            });
        }
        Ok(self.config)
    }

    /// Bind the socket and start serving on the current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] when the address is taken, [`Error::NonLoopback`] for a
    /// non-loopback address without the allow flag, [`Error::Config`] for a
    /// value out of range.
    pub async fn start(self) -> Result<Server, Error> {
        let config = self.finish()?;
        Server::start_with(config).await
    }

    /// Start the server on a runtime of its own (two worker threads), for
    /// callers outside any async runtime such as blocking-client tests.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start), plus [`Error::Runtime`], and
    /// [`Error::Config`] when called inside a tokio runtime.
    pub fn start_blocking(self) -> Result<Server, Error> {
        let config = self.finish()?;
        Server::start_blocking_with(config)
    }
}
