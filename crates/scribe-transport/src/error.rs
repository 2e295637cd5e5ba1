//! The transport's error: what a request or a WebSocket reports.
//!
//! [`Error`] is an opaque, boxed struct: cheap to move (one pointer), `Send +
//! Sync + 'static`, and free of dependency types. Callers branch on
//! [`Error::kind`] (an open, `#[non_exhaustive]` enum) and read the protocol
//! facts through accessors ([`Error::status`], [`Error::code`],
//! [`Error::retry_after`], [`Error::request_id`]).
//!
//! `Display` prints one line: what went wrong, the protocol facts and a hint
//! naming the fix. It never prints the source error (walk
//! [`std::error::Error::source`] for that), a secret or a response body
//! beyond a short excerpt of a body that cannot hold results.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use scribe_protocol::error::{ApiError, ErrorCode};

/// Boxed cause kept behind [`std::error::Error::source`].
type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of failure an [`Error`] is.
///
/// New kinds may be added in minor releases; match with a wildcard arm.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Credentials were refused or could not be obtained (401, 403, failed login).
    Auth,
    /// The session, template or file does not exist (404).
    NotFound,
    /// The session expired (410).
    Expired,
    /// The session is in a state that forbids the call (ended, completed; 409).
    Conflict,
    /// The audio was refused (format, size, quality, length).
    InvalidAudio,
    /// The request was refused as malformed or not allowed (400, 422).
    Validation,
    /// Too many requests (429); see [`Error::retry_after`].
    RateLimited,
    /// The server failed (5xx), including gateway pages.
    Server,
    /// A timeout: connect, per attempt or the overall deadline.
    Timeout,
    /// The connection could not be made or was dropped.
    Connection,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The server's answer could not be understood.
    Protocol,
    /// A WebSocket was closed by the server with an error close code.
    Closed,
    /// The configuration is invalid (URL, scheme, option values).
    Config,
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
            ErrorKind::Other => "error",
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
/// ```
/// use scribe_transport::{Error, ErrorKind};
///
/// let err = Error::new(ErrorKind::Config, "base_url must use https")
///     .with_hint("use an https:// URL");
/// assert_eq!(err.kind(), ErrorKind::Config);
/// assert!(!err.is_retryable());
/// assert_eq!(
///     err.to_string(),
///     "invalid configuration: base_url must use https; use an https:// URL"
/// );
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: Cow<'static, str>,
    status: Option<u16>,
    code: Option<ErrorCode>,
    details: Option<serde_json::Value>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    attempts: u32,
    hint: Option<Cow<'static, str>>,
    source: Option<Source>,
}

impl Error {
    /// A new error of `kind` with a message (no secrets, no patient data).
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                code: None,
                details: None,
                request_id: None,
                retry_after: None,
                attempts: 0,
                hint: None,
                source: None,
            }),
        }
    }

    /// Builds the error for a non-success HTTP answer from the protocol
    /// envelope (`{"error":{..}}`, FastAPI `{"detail":..}`, HTML or empty).
    pub fn from_api(api: ApiError) -> Self {
        let kind = kind_for(api.status, &api.code);
        let mut err = Error::new(kind, api.message);
        err.inner.hint = answer_hint(kind, &api.code).map(Cow::Borrowed);
        err.inner.status = Some(api.status);
        err.inner.code = Some(api.code);
        err.inner.details = api.details;
        err
    }

    /// Builds the error for a non-success HTTP answer from its status and body.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        Error::from_api(ApiError::from_response(status, body))
    }

    /// Keeps `source` as the cause (reachable by `source()`, never displayed).
    #[must_use]
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.inner.source = Some(source.into());
        self
    }

    /// Adds a hint that tells the caller what to check; replaces any earlier hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }

    /// Replaces the message, keeping kind, status, code and cause.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<Cow<'static, str>>) -> Self {
        self.inner.message = message.into();
        self
    }

    /// Changes the kind, keeping everything else.
    #[must_use]
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }

    /// Sets the HTTP status this error came with.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// Takes the cause out, for a layer above that re-wraps this error's
    /// facts in its own error type and keeps the cause chain one link long.
    pub fn take_source(&mut self) -> Option<Box<dyn std::error::Error + Send + Sync + 'static>> {
        self.inner.source.take()
    }

    pub(crate) fn set_request_id(&mut self, id: Option<String>) {
        self.inner.request_id = id;
    }

    pub(crate) fn set_retry_after(&mut self, after: Option<Duration>) {
        self.inner.retry_after = after;
    }

    pub(crate) fn set_attempts(&mut self, attempts: u32) {
        self.inner.attempts = attempts;
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The message (without hint or protocol facts).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The hint naming what to check, when there is one.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// The HTTP status of the answer, when the error came from one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The protocol error code of the answer, when the error came from one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.inner.code.as_ref()
    }

    /// The `details` of the error envelope, when the server sent any.
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.inner.details.as_ref()
    }

    /// The server's request id (`x-request-id` and similar headers), for support tickets.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How long the server asked to wait (`Retry-After`), when it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// How many attempts were made before giving up (0 when not a request error).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// Whether repeating the same call later may succeed: rate limiting,
    /// 5xx answers (except 501), timeouts and connection failures.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Connection => true,
            ErrorKind::Server => self.inner.status.is_none_or(is_retryable_status),
            _ => false,
        }
    }

    /// Whether the error is a timeout.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the error is a refusal of credentials.
    pub fn is_auth(&self) -> bool {
        self.inner.kind == ErrorKind::Auth
    }
}

/// Statuses worth repeating a safe request for.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// What to check after a refused answer, by kind (and code where the kind
/// is too broad). Layers above replace it when they know better.
fn answer_hint(kind: ErrorKind, code: &ErrorCode) -> Option<&'static str> {
    Some(match (kind, code.as_str()) {
        (ErrorKind::Auth, "token_expired") => {
            "the access token expired and could not be renewed; check the credentials"
        }
        (ErrorKind::Auth, _) => {
            "check the credentials and that they belong to this server's environment"
        }
        (ErrorKind::NotFound, _) => {
            "check the id (sessions belong to the account that created them; template ids \
             come from the templates list) and the base URL"
        }
        (ErrorKind::Expired, _) => "sessions expire; create a new session and send the audio again",
        (ErrorKind::Conflict, "session_ended" | "session_completed") => {
            "the session is already ended; create a new session for more audio"
        }
        (ErrorKind::Conflict, _) => "the session is not in a state that allows this call",
        (ErrorKind::InvalidAudio, _) => {
            "send a supported format (16-bit PCM WAV preferred) within the maximum chunk duration"
        }
        (ErrorKind::Validation, _) => "fix the request as the message says",
        (ErrorKind::RateLimited, _) => "send fewer requests; wait for the Retry-After time",
        (ErrorKind::Server, _) => "the service is failing; try again later",
        (ErrorKind::Protocol, _) => {
            "the server answered outside the protocol; check base_url and the protocol version"
        }
        _ => return None,
    })
}

/// Maps a protocol error code (first) or an HTTP status to a kind.
fn kind_for(status: u16, code: &ErrorCode) -> ErrorKind {
    // An informational or redirect status is not an error answer the
    // protocol defines, whatever code the body was read as.
    if !(400..=599).contains(&status) {
        return ErrorKind::Protocol;
    }
    match code.as_str() {
        "authentication_failed" | "token_expired" | "invalid_api_key" | "forbidden" => {
            return ErrorKind::Auth;
        }
        "session_not_found" | "template_not_found" => return ErrorKind::NotFound,
        "session_expired" => return ErrorKind::Expired,
        "session_ended" | "session_completed" => return ErrorKind::Conflict,
        "invalid_audio_format" | "chunk_too_large" | "audio_quality_poor" | "audio_too_short" => {
            return ErrorKind::InvalidAudio;
        }
        "invalid_request"
        | "invalid_template"
        | "missing_required_field"
        | "unsupported_version"
        | "language_unsupported" => return ErrorKind::Validation,
        "rate_limit_exceeded" => return ErrorKind::RateLimited,
        "processing_failed" | "internal_error" | "service_unavailable" => {
            return ErrorKind::Server;
        }
        _ => {}
    }
    match status {
        401 | 403 => ErrorKind::Auth,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        410 => ErrorKind::Expired,
        413 | 415 => ErrorKind::InvalidAudio,
        429 => ErrorKind::RateLimited,
        400..=499 => ErrorKind::Validation,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Protocol,
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
        // The source is named by its Display only; dependency errors can be
        // verbose but never hold our secrets (headers are not in them).
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
    fn error_is_small_and_thread_safe() {
        assert_send_sync::<Error>();
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn envelope_codes_map_to_kinds() {
        let body = br#"{"error":{"code":"session_ended","message":"session already ended"}}"#;
        let err = Error::from_response(400, body);
        assert_eq!(err.kind(), ErrorKind::Conflict);
        assert_eq!(err.status(), Some(400));
        assert_eq!(err.code().map(ErrorCode::as_str), Some("session_ended"));
        assert!(!err.is_retryable());

        let err = Error::from_response(
            429,
            br#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#,
        );
        assert_eq!(err.kind(), ErrorKind::RateLimited);
        assert!(err.is_retryable());
    }

    #[test]
    fn refused_answers_name_what_to_check() {
        let ended = Error::from_response(
            409,
            br#"{"error":{"code":"session_ended","message":"session already ended"}}"#,
        );
        assert!(
            ended.hint().is_some_and(|h| h.contains("new session")),
            "{ended}"
        );
        let unknown = Error::from_response(404, b"");
        assert!(
            unknown.hint().is_some_and(|h| h.contains("id")),
            "{unknown}"
        );
        let refused = Error::from_response(401, br#"{"detail":"Not authenticated"}"#);
        assert!(
            refused.to_string().contains("check the credentials"),
            "{refused}"
        );
        // A layer that knows better replaces the hint.
        let replaced = refused.with_hint("log in again");
        assert_eq!(replaced.hint(), Some("log in again"));
    }

    #[test]
    fn html_gateway_page_is_a_retryable_server_error() {
        let body = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
        let err = Error::from_response(502, body);
        assert_eq!(err.kind(), ErrorKind::Server);
        assert_eq!(err.status(), Some(502));
        assert!(err.is_retryable());
        assert!(err.to_string().len() < 300, "{err}");
    }

    #[test]
    fn display_omits_the_source() {
        let io = std::io::Error::other("inner detail that must stay out of Display");
        let err =
            Error::new(ErrorKind::Connection, "could not connect to api.example").with_source(io);
        assert!(!err.to_string().contains("inner detail"));
        assert!(std::error::Error::source(&err).is_some());
    }
}
