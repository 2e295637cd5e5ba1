//! Sessions: create, read status and results, end, update.
//!
//! One session is one recording: created with [`CreateSessionRequest`], fed
//! audio, ended with [`EndSessionRequest`], then polled with `GET` until its
//! [`SessionResponse`] is terminal.

mod create;
mod lifecycle;
mod results;
mod template_result;
mod templates;
mod validate;

pub use create::{CreateSessionRequest, CreateSessionResponse, TranscriptLanguage};
pub use lifecycle::{
    EndSessionRequest, EndSessionResponse, PatchSessionRequest, PatchSessionResponse,
    ProcessTemplateResponse,
};
pub use results::{ProcessingError, SessionError, SessionResponse};
pub use template_result::{
    TemplateError, TemplateErrorCode, TemplateErrorDetail, TemplateResult, TemplateStatus,
};
pub use templates::{Templates, TemplatesShape};
pub use validate::{ValidationError, ValidationIssue};

pub use crate::Timestamp;

use crate::open_enum::open_enum;

open_enum! {
    /// Where a session is in its life.
    ///
    /// ```
    /// use scribe_protocol::session::SessionStatus;
    ///
    /// assert!(SessionStatus::Partial.is_terminal());
    /// assert!(!SessionStatus::parse("transcribing").is_terminal());
    /// ```
    pub enum SessionStatus {
        /// Created; no audio yet.
        Created => "created",
        /// Ready to receive audio.
        Initialized => "initialized",
        /// Receiving audio.
        Recording => "recording",
        /// Ended; results are being produced.
        Processing => "processing",
        /// All results are ready (HTTP 200).
        Completed => "completed",
        /// Some results are ready, some failed (HTTP 206).
        Partial => "partial",
        /// Processing failed.
        Failed => "failed",
        /// The session expired (HTTP 410).
        Expired => "expired",
    }
}

impl SessionStatus {
    /// Whether the session will not change any more: completed, partial,
    /// failed or expired. Unknown states are not terminal, so a client keeps
    /// polling until its deadline.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            SessionStatus::Completed
                | SessionStatus::Partial
                | SessionStatus::Failed
                | SessionStatus::Expired
        )
    }

    /// The HTTP status a server answers `GET /v1/sessions/{id}` with in this
    /// state: 200 completed (and failed), 206 partial, 410 expired, else 202.
    pub fn http_status(&self) -> u16 {
        match self {
            SessionStatus::Completed | SessionStatus::Failed => 200,
            SessionStatus::Partial => 206,
            SessionStatus::Expired => 410,
            _ => 202,
        }
    }
}
