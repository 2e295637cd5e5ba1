//! The documented error codes and their usual HTTP statuses.

use crate::open_enum::open_enum;

open_enum! {
    /// A machine-readable error code from the error envelope.
    ///
    /// Every code PROTOCOL.md documents has its own variant; newer codes are
    /// kept as [`ErrorCode::Other`].
    ///
    /// ```
    /// use scribe_protocol::error::ErrorCode;
    ///
    /// let code = ErrorCode::parse("rate_limit_exceeded");
    /// assert_eq!(code, ErrorCode::RateLimitExceeded);
    /// assert_eq!(code.default_status(), 429);
    /// assert_eq!(ErrorCode::parse("brand_new").as_str(), "brand_new");
    /// ```
    pub enum ErrorCode {
        /// The credentials were rejected (401).
        AuthenticationFailed => "authentication_failed",
        /// The access token has expired; refresh it (401).
        TokenExpired => "token_expired",
        /// The API key is unknown or revoked (401).
        InvalidApiKey => "invalid_api_key",
        /// The caller may not do this (403).
        Forbidden => "forbidden",
        /// Too many requests; wait for `Retry-After` (429).
        RateLimitExceeded => "rate_limit_exceeded",
        /// No session with that id (404).
        SessionNotFound => "session_not_found",
        /// No template with that id (404).
        TemplateNotFound => "template_not_found",
        /// The session expired (410).
        SessionExpired => "session_expired",
        /// The request is malformed (400).
        InvalidRequest => "invalid_request",
        /// The audio format is not accepted (400).
        InvalidAudioFormat => "invalid_audio_format",
        /// An audio chunk is too large or too long (400).
        ChunkTooLarge => "chunk_too_large",
        /// A template id is not valid for this request (400).
        InvalidTemplate => "invalid_template",
        /// A required field is missing (400).
        MissingRequiredField => "missing_required_field",
        /// The server does not speak the requested protocol version (400).
        UnsupportedVersion => "unsupported_version",
        /// The session was already ended (409, some servers 400).
        SessionEnded => "session_ended",
        /// The session already completed (409, some servers 400).
        SessionCompleted => "session_completed",
        /// The audio quality is too poor to process (422).
        AudioQualityPoor => "audio_quality_poor",
        /// There is too little audio to process (422).
        AudioTooShort => "audio_too_short",
        /// The language is not supported (422).
        LanguageUnsupported => "language_unsupported",
        /// Processing failed on the server (500).
        ProcessingFailed => "processing_failed",
        /// The server hit an internal error (500).
        InternalError => "internal_error",
        /// The service is temporarily unavailable (503).
        ServiceUnavailable => "service_unavailable",
    }
}

impl ErrorCode {
    /// The HTTP status a server usually answers with for this code.
    ///
    /// Unknown codes report 500, the status of an unexplained server error.
    pub fn default_status(&self) -> u16 {
        use ErrorCode::*;
        match self {
            AuthenticationFailed | TokenExpired | InvalidApiKey => 401,
            Forbidden => 403,
            RateLimitExceeded => 429,
            SessionNotFound | TemplateNotFound => 404,
            SessionExpired => 410,
            InvalidRequest | InvalidAudioFormat | ChunkTooLarge | InvalidTemplate
            | MissingRequiredField | UnsupportedVersion => 400,
            SessionEnded | SessionCompleted => 409,
            AudioQualityPoor | AudioTooShort | LanguageUnsupported => 422,
            ProcessingFailed | InternalError => 500,
            ServiceUnavailable => 503,
            Other(_) => 500,
        }
    }

    /// The code to assume for a body that names none (HTML, empty, FastAPI
    /// `detail`), from the HTTP status alone.
    ///
    /// A bare 404 cannot tell a missing session from a missing template, so
    /// it becomes `Other("not_found")`; a 409 becomes `Other("conflict")`.
    pub fn for_status(status: u16) -> ErrorCode {
        match status {
            401 => ErrorCode::AuthenticationFailed,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::Other("not_found".to_owned()),
            409 => ErrorCode::Other("conflict".to_owned()),
            410 => ErrorCode::SessionExpired,
            413 => ErrorCode::ChunkTooLarge,
            415 => ErrorCode::InvalidAudioFormat,
            429 => ErrorCode::RateLimitExceeded,
            502..=504 => ErrorCode::ServiceUnavailable,
            400..=499 => ErrorCode::InvalidRequest,
            _ => ErrorCode::InternalError,
        }
    }

    /// Whether a client may retry the same request later with a fair chance
    /// of success (rate limits and server-side trouble).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimitExceeded | ErrorCode::InternalError | ErrorCode::ServiceUnavailable
        )
    }
}
