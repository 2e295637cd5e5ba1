//! `POST /v1/sessions`: the create request and its answer.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::SessionStatus;
use crate::catalogue::{CommunicationProtocol, Model, SessionMode, UploadType};
use crate::redact::{Keys, Redacted};
use crate::tolerant::keep_nulls;
use crate::{Extra, Timestamp};

/// `transcript_language`: a string (Eka, reference server) or a list (one
/// spec schema). Written back in the form it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub enum TranscriptLanguage {
    /// One language code, e.g. `"en"`.
    One(String),
    /// Several language codes.
    Many(Vec<String>),
}

impl TranscriptLanguage {
    /// The language codes, whichever form they came in.
    pub fn codes(&self) -> Vec<&str> {
        match self {
            TranscriptLanguage::One(code) => vec![code.as_str()],
            TranscriptLanguage::Many(codes) => codes.iter().map(String::as_str).collect(),
        }
    }
}

impl From<&str> for TranscriptLanguage {
    fn from(code: &str) -> Self {
        TranscriptLanguage::One(code.to_owned())
    }
}

/// `POST /v1/sessions` body. Unset fields are omitted on the wire.
///
/// ```
/// use scribe_protocol::catalogue::{Model, UploadType};
/// use scribe_protocol::session::CreateSessionRequest;
///
/// let mut request = CreateSessionRequest::new(["clinical_notes_template"]);
/// request.model = Some(Model::Pro);
/// request.upload_type = Some(UploadType::Chunked);
/// request.language_hint = Some(vec!["en".into(), "hi".into()]);
/// request.validate(None)?;
/// assert_eq!(
///     serde_json::to_string(&request).unwrap(),
///     r#"{"templates":["clinical_notes_template"],"upload_type":"chunked","model":"pro","language_hint":["en","hi"]}"#
/// );
/// # Ok::<(), scribe_protocol::session::ValidationError>(())
/// ```
#[derive(Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "CreateSessionRequest")
)]
pub struct CreateSessionRequest {
    /// Template ids to extract (1 or 2).
    pub templates: Vec<String>,
    /// How audio will be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_type: Option<UploadType>,
    /// The channel audio travels over.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub communication_protocol: Option<CommunicationProtocol>,
    /// Dictation (default) or consultation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_mode: Option<SessionMode>,
    /// Processing model; the server assumes `lite` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Model>,
    /// Languages the audio is expected to contain (ISO 639-1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_hint: Option<Vec<String>>,
    /// Language(s) to write the transcript in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcript_language: Option<TranscriptLanguage>,
    /// Patient details (a JSON object). Patient data: never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_details: Option<Value>,
    /// Caller data returned unchanged everywhere (an object under 4 KB, no PHI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<Value>,
    /// A client-chosen session id: 16 to 64 ASCII letters, digits, `-` or `_`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(CreateSessionRequest {
    upload_type,
    communication_protocol,
    session_mode,
    model,
    language_hint,
    transcript_language,
    patient_details,
    additional_data,
    session_id,
});

impl CreateSessionRequest {
    /// A request for these templates with every other field unset.
    pub fn new<I, S>(templates: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        CreateSessionRequest {
            templates: templates.into_iter().map(Into::into).collect(),
            ..CreateSessionRequest::default()
        }
    }
}

impl fmt::Debug for CreateSessionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSessionRequest")
            .field("templates", &self.templates)
            .field("upload_type", &self.upload_type)
            .field("communication_protocol", &self.communication_protocol)
            .field("session_mode", &self.session_mode)
            .field("model", &self.model)
            .field("language_hint", &self.language_hint)
            .field("transcript_language", &self.transcript_language)
            .field("patient_details", &Redacted(&self.patient_details))
            .field("additional_data", &Redacted(&self.additional_data))
            .field("session_id", &self.session_id)
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

/// The answer to `POST /v1/sessions` (201, 200 tolerated).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "CreateSessionResponse")
)]
pub struct CreateSessionResponse {
    /// The session's id.
    pub session_id: String,
    /// Its state, usually `created`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<SessionStatus>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    /// When it expires unless ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Where to send audio: for streaming, the `wss://` URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    /// Patient details echoed back. Patient data: never logged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient_details: Option<Value>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(CreateSessionResponse {
    status,
    created_at,
    expires_at,
    upload_url,
    patient_details,
});

impl CreateSessionResponse {
    /// A response with only the session id set.
    pub fn new(session_id: impl Into<String>) -> Self {
        CreateSessionResponse {
            session_id: session_id.into(),
            status: None,
            created_at: None,
            expires_at: None,
            upload_url: None,
            patient_details: None,
            extra: Extra::new(),
        }
    }
}

impl fmt::Debug for CreateSessionResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateSessionResponse")
            .field("session_id", &self.session_id)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            // A pre-signed URL carries its credential in the query: leave it out.
            .field(
                "upload_url",
                &self
                    .upload_url
                    .as_deref()
                    .map(|url| url.split('?').next().unwrap_or(url)),
            )
            .field("patient_details", &Redacted(&self.patient_details))
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}
