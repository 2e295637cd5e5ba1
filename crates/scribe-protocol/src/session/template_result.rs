//! One template's result: status, extracted data and error.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Extra;
use crate::open_enum::open_enum;
use crate::redact::{Keys, Redacted};
use crate::tolerant::keep_nulls;

open_enum! {
    /// State of one template's extraction.
    pub enum TemplateStatus {
        /// Extracted; `data` holds the result.
        Success => "success",
        /// Extraction failed; `error` says why.
        Failed => "failed",
        /// Still running.
        Processing => "processing",
    }
}

open_enum! {
    /// Why a template's extraction failed.
    pub enum TemplateErrorCode {
        /// The template id is unknown.
        TemplateNotFound => "template_not_found",
        /// The model could not extract the template.
        ExtractionFailed => "extraction_failed",
        /// Too little audio to extract from.
        InsufficientAudio => "insufficient_audio",
        /// Extraction took too long.
        Timeout => "timeout",
    }
}

/// A coded template error: `{"code", "message"}`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct TemplateErrorDetail {
    /// Machine-readable reason.
    pub code: TemplateErrorCode,
    /// Human-readable explanation.
    #[serde(default)]
    pub message: String,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for TemplateErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message may quote what was said; show only the code.
        f.debug_struct("TemplateErrorDetail")
            .field("code", &self.code)
            .field("extra", &Keys(&self.extra))
            .finish_non_exhaustive()
    }
}

/// A template's `error`: a plain string in one spec schema, `{code, message}`
/// in the other (and in the Eka dialect). Written back in the form it was read.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum TemplateError {
    /// `{"code", "message"}`.
    Coded(TemplateErrorDetail),
    /// A bare message.
    Message(String),
}

impl TemplateError {
    /// The code, when the server sent one.
    pub fn code(&self) -> Option<&TemplateErrorCode> {
        match self {
            TemplateError::Coded(detail) => Some(&detail.code),
            TemplateError::Message(_) => None,
        }
    }

    /// The human-readable explanation.
    pub fn message(&self) -> &str {
        match self {
            TemplateError::Coded(detail) => &detail.message,
            TemplateError::Message(message) => message,
        }
    }
}

impl fmt::Debug for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::Coded(detail) => f.debug_tuple("Coded").field(detail).finish(),
            TemplateError::Message(_) => f.write_str("Message(<redacted>)"),
        }
    }
}

/// One template's result: `{"status", "data", "error"}`.
///
/// `Debug` never prints `data` (patient data).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "TemplateResult")
)]
pub struct TemplateResult {
    /// Extraction state.
    pub status: TemplateStatus,
    /// The extracted document: any JSON, provider-defined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    /// Why extraction failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<TemplateError>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(TemplateResult { data, error });

impl TemplateResult {
    /// A successful result carrying `data`.
    pub fn success(data: Value) -> Self {
        TemplateResult {
            status: TemplateStatus::Success,
            data: Some(data),
            error: None,
            extra: Extra::new(),
        }
    }

    /// A failed result.
    pub fn failed(code: TemplateErrorCode, message: impl Into<String>) -> Self {
        TemplateResult {
            status: TemplateStatus::Failed,
            data: None,
            error: Some(TemplateError::Coded(TemplateErrorDetail {
                code,
                message: message.into(),
                extra: Extra::new(),
            })),
            extra: Extra::new(),
        }
    }

    /// A result still being produced.
    pub fn processing() -> Self {
        TemplateResult {
            status: TemplateStatus::Processing,
            data: None,
            error: None,
            extra: Extra::new(),
        }
    }
}

impl fmt::Debug for TemplateResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemplateResult")
            .field("status", &self.status)
            .field("data", &Redacted(&self.data))
            .field("error", &self.error)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}
