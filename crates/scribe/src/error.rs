//! The one error of the SDK.
//!
//! [`Error`] wraps the transport's error (which already carries HTTP status,
//! protocol code, `Retry-After` and request id) and adds what only the façade
//! knows: configuration, local audio and cancellation. Branch on
//! [`Error::kind`] or the `is_*` queries.

use std::fmt;
use std::time::Duration;

use crate::config::ConfigError;
use crate::protocol::error::ErrorCode;

pub use scribe_transport::ErrorKind;

/// The error of every fallible SDK call.
///
/// `Display` prints one line (what failed, the protocol facts, the fix) and
/// never a secret, audio, a transcript or a result body; the cause is
/// reachable through [`std::error::Error::source`].
///
/// ```no_run
/// # async fn run(client: scribe::ScribeClient, session_id: &str) -> Result<(), scribe::Error> {
/// match client.upload_audio_file(session_id, "visit.wav").await {
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
    inner: scribe_transport::Error,
    cancelled: bool,
}

impl Error {
    /// A new error of `kind`. The message must hold no secret and no patient data.
    pub fn new(kind: ErrorKind, message: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        scribe_transport::Error::new(kind, message).into()
    }

    /// The error of work stopped by a cancellation token.
    pub(crate) fn cancelled(what: &str) -> Self {
        Error {
            inner: scribe_transport::Error::new(ErrorKind::Other, format!("{what} was cancelled")),
            cancelled: true,
        }
    }

    /// Adds (or replaces) the hint naming the fix.
    #[must_use]
    pub fn with_hint(self, hint: impl Into<std::borrow::Cow<'static, str>>) -> Self {
        Error {
            inner: self.inner.with_hint(hint),
            cancelled: self.cancelled,
        }
    }

    /// Keeps a cause (reachable through `source()`, never displayed).
    #[must_use]
    pub fn with_source(
        self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Error {
            inner: self.inner.with_source(source),
            cancelled: self.cancelled,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind()
    }

    /// The message, without protocol facts or hint.
    pub fn message(&self) -> &str {
        self.inner.message()
    }

    /// The hint naming the fix, when there is one.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint()
    }

    /// The HTTP status of the server's answer, when the error came from one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status()
    }

    /// The protocol error code of the server's answer, when it sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.inner.code()
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after()
    }

    /// The server's request id, for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id()
    }

    /// Whether trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        !self.cancelled && self.inner.is_retryable()
    }

    /// Whether credentials are missing, refused or could not be obtained.
    pub fn is_auth(&self) -> bool {
        self.inner.kind() == ErrorKind::Auth
    }

    /// Whether the configuration is invalid.
    pub fn is_config(&self) -> bool {
        self.inner.kind() == ErrorKind::Config
    }

    /// Whether local audio could not be read, decoded or analysed, or the
    /// server refused the audio.
    pub fn is_audio(&self) -> bool {
        matches!(
            self.inner.kind(),
            ErrorKind::Audio | ErrorKind::InvalidAudio
        )
    }

    /// Whether a timeout ran out (a request, or waiting for results).
    pub fn is_timeout(&self) -> bool {
        self.inner.kind() == ErrorKind::Timeout
    }

    /// Whether the session expired.
    pub fn is_expired(&self) -> bool {
        self.inner.kind() == ErrorKind::Expired
    }

    /// Whether the session (or template) does not exist.
    pub fn is_not_found(&self) -> bool {
        self.inner.kind() == ErrorKind::NotFound
    }

    /// Whether the work was stopped by a cancellation token.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled
    }

    /// Whether the failure came from the server or the network rather than
    /// from local input.
    pub fn is_server(&self) -> bool {
        matches!(
            self.inner.kind(),
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
    fn from(inner: scribe_transport::Error) -> Self {
        Error {
            inner,
            cancelled: false,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        let message = format!("{}: {}", e.key(), e.problem());
        let hint = e.fix().to_owned();
        scribe_transport::Error::new(ErrorKind::Config, message)
            .with_hint(hint)
            .with_source(e)
            .into()
    }
}

#[cfg(feature = "audio")]
impl From<scribe_audio::AudioError> for Error {
    fn from(e: scribe_audio::AudioError) -> Self {
        // The audio error's text names the fix and never holds audio.
        scribe_transport::Error::new(ErrorKind::Audio, e.to_string())
            .with_source(e)
            .into()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cancelled {
            f.write_str("Cancelled ")?;
        }
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + 'static>() {}

    #[test]
    fn small_and_thread_safe() {
        assert_send_sync::<Error>();
        assert!(std::mem::size_of::<Error>() <= 2 * std::mem::size_of::<usize>());
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
    fn cancellation_is_not_retryable() {
        let e = Error::cancelled("the upload");
        assert!(e.is_cancelled());
        assert!(!e.is_retryable());
    }
}
