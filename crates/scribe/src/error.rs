//! The one error of the SDK.
//!
//! [`Error`] is the façade's own type: what a request to the server reports
//! (HTTP status, protocol code, `Retry-After`, request id, attempts) plus
//! what only the façade knows: configuration, local audio, files and
//! cancellation. Branch on [`Error::kind`] or the `is_*` queries.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::config::ConfigError;
use crate::protocol::error::ErrorCode;

/// Boxed cause kept behind [`std::error::Error::source`].
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of failure an [`Error`] is.
///
/// New kinds may be added in minor releases; match with a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Credentials are missing, were refused or could not be obtained.
    Auth,
    /// The session, template or file does not exist (404).
    NotFound,
    /// The session expired (410).
    Expired,
    /// The session is in a state that forbids the call (ended, completed; 409).
    Conflict,
    /// The server refused the audio (format, size, quality, length).
    InvalidAudio,
    /// The request was refused as malformed, or a local check refused it
    /// before sending (400, 422, or an option outside what the server offers).
    Validation,
    /// Too many requests (429); see [`Error::retry_after`].
    RateLimited,
    /// The server failed (5xx), including gateway pages.
    Server,
    /// A timeout: connect, per attempt, the overall deadline, or waiting for results.
    Timeout,
    /// The connection could not be made or was dropped.
    Connection,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The server's answer could not be understood.
    Protocol,
    /// A WebSocket was closed by the server with an error close code.
    Closed,
    /// The configuration is invalid (a URL, a value, a config file).
    Config,
    /// Local audio could not be read, decoded or analysed.
    Audio,
    /// A local file or system operation failed.
    Io,
    /// The work was stopped by the caller's cancellation signal.
    Cancelled,
    /// A failure that fits no other kind.
    Other,
}

impl ErrorKind {
    /// A short human description of the kind, used by `Display`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Auth => "authentication failed",
            ErrorKind::NotFound => "not found",
            ErrorKind::Expired => "session expired",
            ErrorKind::Conflict => "conflicting session state",
            ErrorKind::InvalidAudio => "audio refused",
            ErrorKind::Validation => "request refused",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::Server => "server error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Connection => "connection failed",
            ErrorKind::Tls => "TLS failure",
            ErrorKind::Protocol => "unreadable answer",
            ErrorKind::Closed => "connection closed by server",
            ErrorKind::Config => "invalid configuration",
            ErrorKind::Audio => "audio error",
            ErrorKind::Io => "I/O error",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Other => "error",
        }
    }

    /// The façade's kind for a transport kind (one to one).
    fn of_transport(kind: scribe_transport::ErrorKind) -> Self {
        use scribe_transport::ErrorKind as T;
        match kind {
            T::Auth => ErrorKind::Auth,
            T::NotFound => ErrorKind::NotFound,
            T::Expired => ErrorKind::Expired,
            T::Conflict => ErrorKind::Conflict,
            T::InvalidAudio => ErrorKind::InvalidAudio,
            T::Validation => ErrorKind::Validation,
            T::RateLimited => ErrorKind::RateLimited,
            T::Server => ErrorKind::Server,
            T::Timeout => ErrorKind::Timeout,
            T::Connection => ErrorKind::Connection,
            T::Tls => ErrorKind::Tls,
            T::Protocol => ErrorKind::Protocol,
            T::Closed => ErrorKind::Closed,
            T::Config => ErrorKind::Config,
            _ => ErrorKind::Other,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible SDK call.
///
/// `Display` prints one line (what failed, the protocol facts, the fix) and
/// never a secret, audio, a transcript or a result body; the cause is
/// reachable through [`std::error::Error::source`].
///
/// ```no_run
/// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
/// match session.upload_file("visit.wav").await {
///     Ok(summary) => println!("{} chunks", summary.chunks()),
///     Err(e) if e.is_audio() => eprintln!("check the recording: {e}"),
///     Err(e) if e.is_auth() => eprintln!("check the credentials: {e}"),
///     Err(e) if e.is_retryable() => eprintln!("try again later ({:?}): {e}", e.retry_after()),
///     Err(e) => {
///         eprintln!("{e} (request id {:?})", e.request_id());
///         return Err(e);
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    hint: Option<Cow<'static, str>>,
    status: Option<u16>,
    code: Option<ErrorCode>,
    retry_after: Option<Duration>,
    request_id: Option<String>,
    attempts: u32,
    /// Whether the transport would call this failure worth repeating.
    transient: bool,
    source: Option<Source>,
}

impl Error {
    /// A new error of `kind`. The message must hold no secret and no patient data.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                hint: None,
                status: None,
                code: None,
                retry_after: None,
                request_id: None,
                attempts: 0,
                transient: matches!(
                    kind,
                    ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Connection
                ),
                source: None,
            }),
        }
    }

    /// The error of work stopped by the caller's cancellation signal.
    pub(crate) fn cancelled(what: &str) -> Self {
        Error::new(ErrorKind::Cancelled, format!("{what} was cancelled"))
    }

    /// Adds (or replaces) the hint naming the fix.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }

    /// Keeps a cause (reachable through `source()`, never displayed).
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message, without protocol facts or hint.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The hint naming the fix, when there is one.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// The HTTP status of the server's answer, when the error came from one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The protocol error code of the server's answer, when it sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.inner.code.as_ref()
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The server's request id, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// HTTP attempts made before giving up (0 when no request was made).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.inner.transient && self.inner.kind != ErrorKind::Cancelled
    }

    /// Whether credentials are missing, refused or could not be obtained.
    pub fn is_auth(&self) -> bool {
        self.inner.kind == ErrorKind::Auth
    }

    /// Whether the configuration is invalid.
    pub fn is_config(&self) -> bool {
        self.inner.kind == ErrorKind::Config
    }

    /// Whether local audio could not be read, decoded or analysed, or the
    /// server refused the audio.
    pub fn is_audio(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Audio | ErrorKind::InvalidAudio)
    }

    /// Whether a timeout ran out (a request, or waiting for results).
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the session expired.
    pub fn is_expired(&self) -> bool {
        self.inner.kind == ErrorKind::Expired
    }

    /// Whether the session (or template) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind == ErrorKind::NotFound
    }

    /// Whether the work was stopped by the caller's cancellation signal.
    pub fn is_cancelled(&self) -> bool {
        self.inner.kind == ErrorKind::Cancelled
    }

    /// Whether the failure came from the server or the network rather than
    /// from local input.
    pub fn is_server(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Server
                | ErrorKind::Connection
                | ErrorKind::Tls
                | ErrorKind::Protocol
                | ErrorKind::Closed
                | ErrorKind::RateLimited
        )
    }
}

impl From<scribe_transport::Error> for Error {
    fn from(mut e: scribe_transport::Error) -> Self {
        let source = e.take_source();
        Error {
            inner: Box::new(Inner {
                kind: ErrorKind::of_transport(e.kind()),
                message: Cow::Owned(e.message().to_owned()),
                hint: e.hint().map(|h| Cow::Owned(h.to_owned())),
                status: e.status(),
                code: e.code().cloned(),
                retry_after: e.retry_after(),
                request_id: e.request_id().map(str::to_owned),
                attempts: e.attempts(),
                transient: e.is_retryable(),
                source,
            }),
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        let message = format!("{}: {}", e.key(), e.problem());
        let hint = e.fix().to_owned();
        Error::new(ErrorKind::Config, message)
            .with_hint(hint)
            .with_source(e)
    }
}

#[cfg(feature = "audio")]
impl From<scribe_audio::AudioError> for Error {
    fn from(e: scribe_audio::AudioError) -> Self {
        // The audio error's text names the fix and never holds audio.
        let kind = match e {
            scribe_audio::AudioError::Io { .. } => ErrorKind::Io,
            _ => ErrorKind::Audio,
        };
        Error::new(kind, e.to_string()).with_source(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        write!(f, "{}", inner.kind)?;
        if !inner.message.is_empty() {
            write!(f, ": {}", inner.message)?;
        }
        let mut facts = Vec::new();
        if let Some(status) = inner.status {
            facts.push(format!("HTTP {status}"));
        }
        if let Some(code) = &inner.code {
            facts.push(format!("code {}", code.as_str()));
        }
        if let Some(after) = inner.retry_after {
            facts.push(format!("retry after {:.1}s", after.as_secs_f64()));
        }
        if let Some(id) = &inner.request_id {
            facts.push(format!("request id {id}"));
        }
        if inner.attempts > 1 {
            facts.push(format!("after {} attempts", inner.attempts));
        }
        if !facts.is_empty() {
            write!(f, " ({})", facts.join(", "))?;
        }
        if let Some(hint) = &inner.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &inner.kind)
            .field("message", &inner.message);
        if let Some(status) = inner.status {
            d.field("status", &status);
        }
        if let Some(code) = &inner.code {
            d.field("code", &code.as_str());
        }
        if let Some(id) = &inner.request_id {
            d.field("request_id", id);
        }
        if let Some(after) = inner.retry_after {
            d.field("retry_after", &after);
        }
        if inner.attempts > 0 {
            d.field("attempts", &inner.attempts);
        }
        if let Some(hint) = &inner.hint {
            d.field("hint", hint);
        }
        if let Some(source) = &inner.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn small_and_thread_safe() {
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn config_errors_keep_key_and_fix() {
        let e: Error =
            ConfigError::new("SCRIBE_ENV", "unknown environment `x`", "use prod or dev").into();
        assert!(e.is_config());
        assert_eq!(e.hint(), Some("use prod or dev"));
        assert!(e.to_string().contains("SCRIBE_ENV"));
        assert!(std::error::Error::source(&e).is_some());
    }

    #[test]
    fn cancellation_is_its_own_kind_and_not_retryable() {
        let e = Error::cancelled("the upload");
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        assert!(e.is_cancelled());
        assert!(!e.is_retryable());
        assert_eq!(e.to_string(), "cancelled: the upload was cancelled");
    }

    #[test]
    fn transport_facts_carry_over_and_the_cause_chain_stays_one_link() {
        let io = std::io::Error::other("reset by peer");
        let t = scribe_transport::Error::from_response(
            503,
            br#"{"error":{"code":"service_unavailable","message":"busy"}}"#,
        )
        .with_source(io);
        let e = Error::from(t);
        assert_eq!(e.kind(), ErrorKind::Server);
        assert_eq!(e.status(), Some(503));
        assert_eq!(e.code().map(ErrorCode::as_str), Some("service_unavailable"));
        assert!(e.is_retryable());
        let cause = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(cause.as_deref(), Some("reset by peer"));
    }
}
