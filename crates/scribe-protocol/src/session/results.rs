//! `GET /v1/sessions/{id}`: status and results, 200/202/206/410 in one type.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{SessionStatus, Templates};
use crate::catalogue::Model;
use crate::error::ErrorCode;
use crate::redact::{Keys, Redacted};
use crate::tolerant::keep_nulls;
use crate::{Extra, Timestamp};

/// A non-fatal problem in a partial session: `{"type", "message", "file"?}`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "ProcessingError")
)]
pub struct ProcessingError {
    /// Category, e.g. `audio_file_skipped`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// The audio file concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(ProcessingError { file });

impl fmt::Debug for ProcessingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessingError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("file", &self.file)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

/// Why a session failed: `{"code", "message"}`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct SessionError {
    /// Machine-readable reason.
    pub code: ErrorCode,
    /// Human-readable explanation.
    #[serde(default)]
    pub message: String,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionError")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

/// The body of `GET /v1/sessions/{id}`, with the HTTP status it came with.
///
/// One type covers every answer: 202 while processing (maybe with an early
/// transcript), 200 completed (or failed, with `error`), 206 partial (with
/// `audio_files_processed` and `processing_errors`) and 410 expired (with
/// `expired_at`, `message` and whatever results exist).
///
/// `Debug` shows ids, states and counts, never the transcript, results,
/// patient details or additional data.
///
/// ```
/// use scribe_protocol::session::{SessionResponse, SessionStatus};
///
/// let body = br#"{"session_id":"ses_abc123def456","status":"partial","created_at":1737282600,
///   "audio_files_received":3,"audio_files_processed":2,
///   "templates":[{"clinical_notes_template":{"status":"success","data":{}}}],
///   "processing_errors":[{"type":"audio_file_skipped","message":"poor quality","file":"chunk_2.wav"}]}"#;
/// let session = SessionResponse::from_http(206, body)?;
/// assert_eq!(session.http_status, 206);
/// assert_eq!(session.status, SessionStatus::Partial);
/// assert!(session.is_terminal());
/// assert!(session.templates.unwrap().get("clinical_notes_template").is_some());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "SessionResponse")
)]
pub struct SessionResponse {
    /// The HTTP status the body came with (200, 202, 206 or 410). Not part
    /// of the JSON: set by [`from_http`](Self::from_http); plain serde
    /// deserialisation leaves 0.
    #[serde(skip)]
    pub http_status: u16,
    /// The session's id.
    pub session_id: String,
    /// Its state.
    pub status: SessionStatus,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it expires unless ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// When processing finished.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// When it expired (410).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<Timestamp>,
    /// A human-readable note (410 and some servers' other answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The model that processed the audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_used: Option<Model>,
    /// Language code detected in the audio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_detected: Option<String>,
    /// Number of audio files the server holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_files_received: Option<u64>,
    /// Number of audio files processed (206, 410).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_files_processed: Option<u64>,
    /// Names of the audio files received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_files: Option<Vec<String>>,
    /// The caller's data from create, unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
    /// Patient details. Patient data: never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_details: Option<Value>,
    /// The transcript, usually a string (see [`transcript`](Self::transcript)).
    /// Patient data: never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript: Option<Value>,
    /// Per-template results, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templates: Option<Templates>,
    /// Non-fatal problems (206).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub processing_errors: Option<Vec<ProcessingError>>,
    /// Why the session failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<SessionError>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(SessionResponse {
    created_at,
    expires_at,
    completed_at,
    expired_at,
    message,
    model_used,
    language_detected,
    audio_files_received,
    audio_files_processed,
    audio_files,
    additional_data,
    patient_details,
    transcript,
    templates,
    processing_errors,
    error,
});

impl SessionResponse {
    /// Reads a `GET /v1/sessions/{id}` answer and keeps its HTTP status.
    pub fn from_http(http_status: u16, body: &[u8]) -> Result<SessionResponse, serde_json::Error> {
        let mut session: SessionResponse = serde_json::from_slice(body)?;
        session.http_status = http_status;
        Ok(session)
    }

    /// A body with only id and state set; `http_status` follows the state.
    pub fn new(session_id: impl Into<String>, status: SessionStatus) -> Self {
        SessionResponse {
            http_status: status.http_status(),
            session_id: session_id.into(),
            status,
            created_at: None,
            expires_at: None,
            completed_at: None,
            expired_at: None,
            message: None,
            model_used: None,
            language_detected: None,
            audio_files_received: None,
            audio_files_processed: None,
            audio_files: None,
            additional_data: None,
            patient_details: None,
            transcript: None,
            templates: None,
            processing_errors: None,
            error: None,
            extra: Extra::new(),
        }
    }

    /// Whether the session will not change any more: its state is terminal,
    /// or the server answered 410 Gone.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal() || self.http_status == 410
    }

    /// The transcript text, when the server sent a string.
    pub fn transcript(&self) -> Option<&str> {
        self.transcript.as_ref().and_then(Value::as_str)
    }
}

impl fmt::Debug for SessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionResponse")
            .field("http_status", &self.http_status)
            .field("session_id", &self.session_id)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("completed_at", &self.completed_at)
            .field("expired_at", &self.expired_at)
            .field("model_used", &self.model_used)
            .field("language_detected", &self.language_detected)
            .field("audio_files_received", &self.audio_files_received)
            .field("audio_files_processed", &self.audio_files_processed)
            .field("audio_files", &self.audio_files)
            .field("additional_data", &Redacted(&self.additional_data))
            .field("patient_details", &Redacted(&self.patient_details))
            .field("transcript", &Redacted(&self.transcript))
            .field("templates", &self.templates)
            .field(
                "processing_errors",
                &self.processing_errors.as_ref().map(Vec::len),
            )
            .field("error", &self.error.as_ref().map(|error| &error.code))
            .field("extra", &Keys(&self.extra))
            .finish_non_exhaustive()
    }
}
