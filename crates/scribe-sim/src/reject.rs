//! Error answers in the protocol's envelope: `{"error": {code, message, details}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The documented error codes the simulator answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Code {
    AuthenticationFailed,
    TokenExpired,
    InvalidApiKey,
    RateLimitExceeded,
    SessionNotFound,
    TemplateNotFound,
    WebhookNotFound,
    SessionExpired,
    InvalidRequest,
    InvalidAudioFormat,
    ChunkTooLarge,
    InvalidTemplate,
    MissingRequiredField,
    UnsupportedVersion,
    SessionEnded,
    LanguageUnsupported,
    InternalError,
    ServiceUnavailable,
    NotFound,
    MethodNotAllowed,
}

impl Code {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Code::AuthenticationFailed => "authentication_failed",
            Code::TokenExpired => "token_expired",
            Code::InvalidApiKey => "invalid_api_key",
            Code::RateLimitExceeded => "rate_limit_exceeded",
            Code::SessionNotFound => "session_not_found",
            Code::TemplateNotFound => "template_not_found",
            Code::WebhookNotFound => "webhook_not_found",
            Code::SessionExpired => "session_expired",
            Code::InvalidRequest => "invalid_request",
            Code::InvalidAudioFormat => "invalid_audio_format",
            Code::ChunkTooLarge => "chunk_too_large",
            Code::InvalidTemplate => "invalid_template",
            Code::MissingRequiredField => "missing_required_field",
            Code::UnsupportedVersion => "unsupported_version",
            Code::SessionEnded => "session_ended",
            Code::LanguageUnsupported => "language_unsupported",
            Code::InternalError => "internal_error",
            Code::ServiceUnavailable => "service_unavailable",
            Code::NotFound => "not_found",
            Code::MethodNotAllowed => "method_not_allowed",
        }
    }

    pub(crate) fn status(self) -> StatusCode {
        match self {
            Code::AuthenticationFailed | Code::TokenExpired | Code::InvalidApiKey => {
                StatusCode::UNAUTHORIZED
            }
            Code::RateLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
            Code::SessionNotFound
            | Code::TemplateNotFound
            | Code::WebhookNotFound
            | Code::NotFound => StatusCode::NOT_FOUND,
            Code::SessionExpired => StatusCode::GONE,
            Code::InvalidRequest
            | Code::InvalidAudioFormat
            | Code::ChunkTooLarge
            | Code::InvalidTemplate
            | Code::MissingRequiredField
            | Code::UnsupportedVersion => StatusCode::BAD_REQUEST,
            Code::SessionEnded => StatusCode::CONFLICT,
            Code::LanguageUnsupported => StatusCode::UNPROCESSABLE_ENTITY,
            Code::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Code::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        }
    }
}

/// An error answer: status, code, message, optional details and `Retry-After`.
#[derive(Debug)]
pub(crate) struct Reject {
    pub(crate) status: StatusCode,
    pub(crate) code: Code,
    pub(crate) message: String,
    pub(crate) details: Option<Value>,
    pub(crate) retry_after_secs: Option<u64>,
}

impl Reject {
    pub(crate) fn new(code: Code, message: impl Into<String>) -> Self {
        Reject {
            status: code.status(),
            code,
            message: message.into(),
            details: None,
            retry_after_secs: None,
        }
    }

    pub(crate) fn details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub(crate) fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after_secs = Some(secs);
        self
    }

    pub(crate) fn missing_field(field: &str) -> Self {
        Reject::new(
            Code::MissingRequiredField,
            format!("the request body needs the field `{field}`"),
        )
        .details(json!({ "field": field }))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Reject::new(Code::InvalidRequest, message)
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let mut error = json!({ "code": self.code.as_str(), "message": self.message });
        if let (Some(details), Some(obj)) = (self.details, error.as_object_mut()) {
            obj.insert("details".to_owned(), details);
        }
        let mut response = (self.status, axum::Json(json!({ "error": error }))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"scribe-sim\""),
            );
        }
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
