//! Ending and updating a session.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::SessionStatus;
use crate::Extra;
use crate::redact::{Keys, Redacted};
use crate::tolerant::keep_nulls;

/// `POST /v1/sessions/{id}/end`: commit the audio and start processing.
///
/// `audio_files_sent` must equal the number of distinct chunks uploaded (0
/// for a streamed session); a mismatch may make the session `partial`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct EndSessionRequest {
    /// Number of distinct audio files uploaded.
    pub audio_files_sent: u32,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl EndSessionRequest {
    /// An end request for `audio_files_sent` files.
    pub fn new(audio_files_sent: u32) -> Self {
        EndSessionRequest {
            audio_files_sent,
            extra: Extra::new(),
        }
    }
}

/// The answer to `POST /v1/sessions/{id}/end` (202, 200 tolerated).
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "EndSessionResponse")
)]
pub struct EndSessionResponse {
    /// The session's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Its state, usually `processing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// A human-readable note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Number of audio files the server holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_files_received: Option<u64>,
    /// Names of the audio files received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_files: Option<Vec<String>>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for EndSessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndSessionResponse")
            .field("session_id", &self.session_id)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("audio_files_received", &self.audio_files_received)
            .field("audio_files", &self.audio_files)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

keep_nulls!(EndSessionResponse {
    session_id,
    status,
    message,
    audio_files_received,
    audio_files,
});

/// The answer to `PATCH /v1/sessions/{id}` (200): the session as it now is.
///
/// Servers answer with more or less of the session; every field is
/// optional and unknown ones are kept in `extra`.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "PatchSessionResponse")
)]
pub struct PatchSessionResponse {
    /// The session's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Its state after the update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// A human-readable note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this SDK does not know (the rest of the session), kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for PatchSessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The rest of the session may hold patient details: keys only.
        f.debug_struct("PatchSessionResponse")
            .field("session_id", &self.session_id)
            .field("status", &self.status)
            .field("message", &self.message)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

keep_nulls!(PatchSessionResponse {
    session_id,
    status,
    message,
});

/// The answer to `POST /v1/sessions/{id}/process/template[/{template_id}]`
/// (200 or 202): extraction runs again for the named templates.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "ProcessTemplateResponse")
)]
pub struct ProcessTemplateResponse {
    /// The session's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Its state, usually `processing`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// The templates being processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<String>>,
    /// A human-readable note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for ProcessTemplateResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessTemplateResponse")
            .field("session_id", &self.session_id)
            .field("status", &self.status)
            .field("templates", &self.templates)
            .field("message", &self.message)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

keep_nulls!(ProcessTemplateResponse {
    session_id,
    status,
    templates,
    message,
});

/// `PATCH /v1/sessions/{id}`: update a session that has not been ended.
///
/// The protocol allows only these fields; [`validate`](Self::validate)
/// rejects anything in `extra`.
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "PatchSessionRequest")
)]
pub struct PatchSessionRequest {
    /// New patient details. Patient data: never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_details: Option<Value>,
    /// A status the user set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_status: Option<String>,
    /// A processing status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_status: Option<String>,
    /// New caller data (an object under 4 KB, no PHI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
    /// New language hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_hint: Option<Vec<String>>,
    /// New template ids (1 or 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Vec<String>>,
    /// Fields the protocol does not allow here, kept so a server can reject them.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(PatchSessionRequest {
    patient_details,
    user_status,
    processing_status,
    additional_data,
    language_hint,
    templates,
});

impl fmt::Debug for PatchSessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatchSessionRequest")
            .field("patient_details", &Redacted(&self.patient_details))
            .field("user_status", &self.user_status)
            .field("processing_status", &self.processing_status)
            .field("additional_data", &Redacted(&self.additional_data))
            .field("language_hint", &self.language_hint)
            .field("templates", &self.templates)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}
