//! The error envelope and one typed error for every failed HTTP answer.
//!
//! Servers answer errors as `{"error": {"code", "message", "details"}}`;
//! FastAPI-based servers may answer `{"detail": ...}` and gateways HTML or
//! nothing at all. [`ApiError::from_response`] turns any of these into one
//! [`ApiError`] with a typed [`ErrorCode`], never keeping a long raw body.

mod code;
mod from_response;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use code::ErrorCode;

/// The body of the error envelope: `{"code", "message", "details"?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    /// Machine-readable code.
    pub code: ErrorCode,
    /// Human-readable explanation.
    #[serde(default)]
    pub message: String,
    /// Optional structured context (for example which field was invalid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

impl ErrorBody {
    /// An error body without details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
            details: None,
        }
    }

    /// Adds structured details.
    #[must_use]
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }
}

/// The error envelope a server sends: `{"error": {...}}`.
///
/// ```
/// use scribe_protocol::error::{ErrorBody, ErrorCode, ErrorEnvelope};
///
/// let envelope = ErrorEnvelope::new(ErrorCode::SessionNotFound, "no such session");
/// let json = serde_json::to_string(&envelope)?;
/// assert_eq!(json, r#"{"error":{"code":"session_not_found","message":"no such session"}}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

impl ErrorEnvelope {
    /// An envelope around a body without details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorEnvelope {
            error: ErrorBody::new(code, message),
        }
    }
}

impl From<ErrorBody> for ErrorEnvelope {
    fn from(error: ErrorBody) -> Self {
        ErrorEnvelope { error }
    }
}

/// A failed HTTP answer from a scribe server, whatever shape its body had.
///
/// The message is the server's own (cut to a few hundred characters) or, for
/// bodies that are not an error envelope, a short description of what came
/// back. Raw bodies are never kept.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code} (HTTP {status}): {message}")]
pub struct ApiError {
    /// The HTTP status of the answer.
    pub status: u16,
    /// The error code the server named, or the one its status implies.
    pub code: ErrorCode,
    /// A human-readable explanation.
    pub message: String,
    /// Structured context from the envelope or from FastAPI validation items
    /// (locations, messages and types only; echoed input is dropped).
    pub details: Option<Value>,
}

impl ApiError {
    /// The envelope a server would send for this error.
    pub fn to_envelope(&self) -> ErrorEnvelope {
        ErrorEnvelope {
            error: ErrorBody {
                code: self.code.clone(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        }
    }
}
