//! Transport configuration: timeouts, retry policy, TLS roots, plain-HTTP policy.

use std::time::Duration;

/// How failed requests that are safe to repeat are retried.
///
/// Retries apply to network errors, timeouts and the statuses 429, 500, 502,
/// 503 and 504, and only to requests marked idempotent
/// ([`crate::Request::idempotent`]).
///
/// A request without a deadline stops after [`max_attempts`](Self::max_attempts)
/// or when the waits would pass the [`budget`](Self::budget). A request with
/// its own deadline ([`crate::Request::deadline`]: a chunk upload, `end`,
/// result polling, a login) keeps trying until that deadline, so a gateway
/// outage of a minute or two costs time, not the session; turn this off
/// with [`until_deadline(false)`](Self::until_deadline).
/// [`RetryPolicy::none()`] never retries anything. The delay before retry `n` (1-based) is
/// drawn uniformly from `[base/2, base]` where `base = min(max_backoff,
/// initial_backoff * 2^(n-1))` ("equal jitter": never zero, never in step
/// with other clients). A `Retry-After` from the server replaces the computed
/// delay when it is longer, capped by `max_retry_after`.
///
/// ```
/// use std::time::Duration;
/// use scribe_transport::RetryPolicy;
///
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .budget(Duration::from_secs(30));
/// assert_eq!(policy.get_max_attempts(), 6);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
    max_retry_after: Duration,
    until_deadline: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            budget: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(60),
            until_deadline: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries, whatever the request's deadline.
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1).until_deadline(false)
    }

    /// Whether a request with its own deadline retries until that deadline
    /// instead of stopping after `max_attempts` (default true).
    #[must_use]
    pub fn until_deadline(mut self, until_deadline: bool) -> Self {
        self.until_deadline = until_deadline;
        self
    }

    /// Whether a request with its own deadline retries until it.
    pub fn get_until_deadline(&self) -> bool {
        self.until_deadline
    }

    /// Total attempts including the first (at least 1; default 4).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Delay before the first retry, doubled for each later one (default 200 ms).
    #[must_use]
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Upper bound of a computed backoff delay (default 30 s).
    #[must_use]
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// Total time that may be spent waiting between attempts of one request
    /// (default 60 s). A retry whose delay would exceed it is not made.
    #[must_use]
    pub fn budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    /// Longest `Retry-After` honoured (default 60 s); a longer one ends the
    /// retries of a request without a deadline. A request with a deadline
    /// waits as asked when the wait ends before its deadline.
    #[must_use]
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// Total attempts including the first.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Total time that may be spent waiting between attempts.
    pub fn get_budget(&self) -> Duration {
        self.budget
    }

    /// Longest honoured `Retry-After`.
    pub fn get_max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The jittered backoff before retry number `retry` (1-based).
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = base / 2;
        let spread = base.saturating_sub(half);
        let jitter = if spread.is_zero() {
            Duration::ZERO
        } else {
            spread.mul_f64(rand::random::<f64>())
        };
        half + jitter
    }
}

/// Which certificate authorities are trusted.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TlsRoots {
    /// The Mozilla roots bundled in the binary (`webpki-roots`). Default.
    #[default]
    Webpki,
    /// The operating system's store plus the bundled roots (feature `native-roots`).
    #[cfg(feature = "native-roots")]
    NativeAndWebpki,
}

/// Settings of an [`crate::HttpClient`].
///
/// ```
/// use std::time::Duration;
/// use scribe_transport::{RetryPolicy, TransportConfig};
///
/// let config = TransportConfig::default()
///     .connect_timeout(Duration::from_secs(5))
///     .request_timeout(Duration::from_secs(30))
///     .retry(RetryPolicy::default().max_attempts(3));
/// assert_eq!(config.get_request_timeout(), Duration::from_secs(30));
/// ```
#[derive(Debug, Clone)]
pub struct TransportConfig {
    pub(crate) connect_timeout: Duration,
    pub(crate) request_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    pub(crate) overall_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) allow_insecure_http: bool,
    pub(crate) roots: TlsRoots,
    pub(crate) extra_roots: Vec<Vec<u8>>,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) max_response_bytes: usize,
    pub(crate) user_agent: String,
    pub(crate) default_headers: http::HeaderMap,
    pub(crate) ws_ping_interval: Duration,
    pub(crate) ws_pong_timeout: Duration,
    pub(crate) ws_close_timeout: Duration,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            // Eka's GET long-polls for about 14 s: leave room above that.
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(10),
            overall_timeout: None,
            retry: RetryPolicy::default(),
            allow_insecure_http: false,
            roots: TlsRoots::default(),
            extra_roots: Vec::new(),
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 16,
            max_response_bytes: 32 * 1024 * 1024,
            user_agent: concat!("scribe-rust-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
            default_headers: http::HeaderMap::new(),
            ws_ping_interval: Duration::from_secs(15),
            ws_pong_timeout: Duration::from_secs(20),
            ws_close_timeout: Duration::from_secs(10),
        }
    }
}

impl TransportConfig {
    /// Time allowed to open a TCP connection (default 10 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from sending to the end of the body (default 30 s).
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Longest time a body may make no progress, while it is sent or while
    /// the answer's body is read (default 10 s, never more than the request
    /// timeout): a stalled connection fails, and is retried, long before the
    /// request timeout would end it.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Default overall deadline of a request, all attempts and waits included
    /// (default none: bounded by the retry policy only). A request can set its own.
    #[must_use]
    pub fn overall_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.overall_timeout = timeout;
        self
    }

    /// Retry policy for requests that are safe to repeat.
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Allows plain `http://` and `ws://` to any host (default: only loopback
    /// hosts). Credentials then cross the network unencrypted: use only on a
    /// trusted network.
    #[must_use]
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Which certificate authorities to trust.
    #[must_use]
    pub fn tls_roots(mut self, roots: TlsRoots) -> Self {
        self.roots = roots;
        self
    }

    /// Also trusts this certificate authority (DER bytes), for a
    /// TLS-intercepting proxy or a private deployment. Checked when the
    /// client is built.
    #[must_use]
    pub fn add_root_certificate_der(mut self, der: impl Into<Vec<u8>>) -> Self {
        self.extra_roots.push(der.into());
        self
    }

    /// How long an idle pooled connection is kept (default 60 s).
    #[must_use]
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Idle connections kept per host (default 16).
    #[must_use]
    pub fn pool_max_idle_per_host(mut self, max: usize) -> Self {
        self.pool_max_idle_per_host = max;
        self
    }

    /// Largest response body accepted (default 32 MiB); a larger one is a protocol error.
    #[must_use]
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = max;
        self
    }

    /// The `User-Agent` header sent with every request.
    #[must_use]
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.user_agent = agent.into();
        self
    }

    /// A header sent with every HTTP request and WebSocket handshake (for
    /// example `MSA-Version: 0.1`); a request's own header of the same name
    /// wins. Credential headers are marked sensitive.
    #[must_use]
    pub fn default_header(mut self, name: http::HeaderName, mut value: http::HeaderValue) -> Self {
        if crate::auth::is_sensitive_header(&name) {
            value.set_sensitive(true);
        }
        self.default_headers.insert(name, value);
        self
    }

    /// Interval of WebSocket pings (default 15 s).
    #[must_use]
    pub fn ws_ping_interval(mut self, interval: Duration) -> Self {
        self.ws_ping_interval = interval;
        self
    }

    /// Silence after which a WebSocket is considered dropped (default 20 s).
    #[must_use]
    pub fn ws_pong_timeout(mut self, timeout: Duration) -> Self {
        self.ws_pong_timeout = timeout;
        self
    }

    /// Longest wait for the server's close frame after ours (default 10 s).
    #[must_use]
    pub fn ws_close_timeout(mut self, timeout: Duration) -> Self {
        self.ws_close_timeout = timeout;
        self
    }

    /// Time allowed to open a TCP connection.
    pub fn get_connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Time allowed for one attempt.
    pub fn get_request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// Default overall deadline of a request.
    pub fn get_overall_timeout(&self) -> Option<Duration> {
        self.overall_timeout
    }

    /// The retry policy.
    pub fn get_retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Whether plain HTTP is allowed to non-loopback hosts.
    pub fn get_allow_insecure_http(&self) -> bool {
        self.allow_insecure_http
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_within_bounds() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for _ in 0..200 {
            let first = policy.backoff(1);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let third = policy.backoff(3);
            assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
            let tenth = policy.backoff(10);
            assert!(tenth >= Duration::from_millis(500) && tenth <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn at_least_one_attempt() {
        assert_eq!(RetryPolicy::default().max_attempts(0).get_max_attempts(), 1);
    }
}
