//! A session's status and results, as read from the server.

use serde_json::Value;

use crate::protocol::session::{ProcessingError, SessionResponse, SessionStatus, TemplateResult};
use crate::{Error, ErrorKind};

/// A session's status and results, as one `GET` returned them.
///
/// Both result dialects are read: Eka's list of single-key template objects
/// (kept in order, ids may repeat) and the spec's object keyed by id.
/// `Debug` shows id and status only (results are patient data).
#[derive(Clone)]
pub struct SessionResult {
    response: SessionResponse,
    raw: Value,
}

impl std::fmt::Debug for SessionResult {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionResult")
            .field("session_id", &self.response.session_id)
            .field("status", &self.response.status)
            .field("http_status", &self.response.http_status)
            .finish_non_exhaustive()
    }
}

impl SessionResult {
    pub(crate) fn from_answer(http_status: u16, body: &[u8]) -> Result<Self, Error> {
        let unreadable = |e: serde_json::Error| {
            // The body may hold results: only its size and the position are named.
            Error::new(
                ErrorKind::Protocol,
                format!(
                    "the {} byte session answer could not be read (line {}, column {})",
                    body.len(),
                    e.line(),
                    e.column()
                ),
            )
            .with_hint("the server may speak another protocol version; check base_url")
        };
        let raw: Value = serde_json::from_slice(body).map_err(unreadable)?;
        let response = SessionResponse::from_http(http_status, body).map_err(unreadable)?;
        Ok(Self { response, raw })
    }

    /// The session id.
    pub fn session_id(&self) -> &str {
        &self.response.session_id
    }

    /// Where the session is (unknown states from newer servers are kept as
    /// [`SessionStatus::Other`]).
    pub fn status(&self) -> &SessionStatus {
        &self.response.status
    }

    /// The transcript, when the server sent one as text.
    pub fn transcript(&self) -> Option<&str> {
        self.response.transcript()
    }

    /// The template results in the order the server gave them.
    pub fn templates(&self) -> impl Iterator<Item = (&str, &TemplateResult)> {
        self.response.templates.iter().flat_map(|t| t.iter())
    }

    /// The first result of `template_id`.
    pub fn template(&self, template_id: &str) -> Option<&TemplateResult> {
        self.response
            .templates
            .as_ref()
            .and_then(|t| t.get(template_id))
    }

    /// Every result of `template_id` (one template may yield several documents).
    pub fn template_all<'a>(
        &'a self,
        template_id: &'a str,
    ) -> impl Iterator<Item = &'a TemplateResult> {
        self.response
            .templates
            .iter()
            .flat_map(move |t| t.get_all(template_id))
    }

    /// Names of the audio files the server has received.
    pub fn audio_files(&self) -> &[String] {
        self.response.audio_files.as_deref().unwrap_or_default()
    }

    /// Per-file processing problems of a partial session.
    pub fn processing_errors(&self) -> &[ProcessingError] {
        self.response
            .processing_errors
            .as_deref()
            .unwrap_or_default()
    }

    /// The failure message of a failed session (or the message of an expired one).
    pub fn error_message(&self) -> Option<&str> {
        self.response
            .error
            .as_ref()
            .map(|e| e.message.as_str())
            .or(self.response.message.as_deref())
    }

    /// Whether the session will not change any more.
    pub fn is_terminal(&self) -> bool {
        self.response.is_terminal()
    }

    /// Whether every result is ready (`completed`).
    pub fn is_complete(&self) -> bool {
        self.response.status == SessionStatus::Completed
    }

    /// The HTTP status of the answer (202 in progress, 200, 206 partial, 410 expired).
    pub fn http_status(&self) -> u16 {
        self.response.http_status
    }

    /// The answer as JSON, exactly as received.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The typed answer.
    pub fn response(&self) -> &SessionResponse {
        &self.response
    }

    /// The typed answer, by value.
    pub fn into_response(self) -> SessionResponse {
        self.response
    }

    pub(crate) fn is_expired(&self) -> bool {
        self.response.status == SessionStatus::Expired || self.response.http_status == 410
    }
}
