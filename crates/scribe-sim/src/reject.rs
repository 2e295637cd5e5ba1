//! Error answers in the protocol's envelope (`{"error": {code, message,
//! details}}`), built from `scribe_protocol::error` so the codes live in one
//! place.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use scribe_protocol::error::{ErrorBody, ErrorCode, ErrorEnvelope};
use serde_json::{Value, json};

/// An error answer: status, code, message, optional details and `Retry-After`.
/// Boxed, so that `Result<_, Reject>` stays small on the happy path.
#[derive(Debug)]
pub(crate) struct Reject(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    code: ErrorCode,
    message: String,
    details: Option<Value>,
    retry_after_secs: Option<u64>,
}

impl Reject {
    /// An answer with the code's usual status.
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let status = StatusCode::from_u16(code.default_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        Reject(Box::new(Inner {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after_secs: None,
        }))
    }

    /// A code the protocol does not document (`not_found`, ...), with its status.
    pub(crate) fn other(code: &str, status: StatusCode, message: impl Into<String>) -> Self {
        Reject::new(ErrorCode::Other(code.to_owned()), message).status(status)
    }

    pub(crate) fn status(mut self, status: StatusCode) -> Self {
        self.0.status = status;
        self
    }

    pub(crate) fn details(mut self, details: Value) -> Self {
        self.0.details = Some(details);
        self
    }

    pub(crate) fn retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after_secs = Some(secs);
        self
    }

    pub(crate) fn missing_field(field: &str) -> Self {
        Reject::new(
            ErrorCode::MissingRequiredField,
            format!("the request body needs the field `{field}`"),
        )
        .details(json!({ "field": field }))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Reject::new(ErrorCode::InvalidRequest, message)
    }
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let Inner {
            status,
            code,
            message,
            details,
            retry_after_secs,
        } = *self.0;
        let mut body = ErrorBody::new(code, message);
        body.details = details;
        let mut response = (status, axum::Json(ErrorEnvelope::from(body))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"scribe-sim\""),
            );
        }
        if let Some(secs) = retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
