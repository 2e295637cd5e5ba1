//! [`SessionOptions`]: what a session is created with.

use serde_json::Value;

use crate::protocol::catalogue::{CommunicationProtocol, Model, SessionMode, UploadType};
use crate::protocol::session::{CreateSessionRequest, TranscriptLanguage};

/// What to create a session with; anything unset comes from the client's
/// configuration (templates, model, languages) or is left to the server.
///
/// ```
/// use scribe::{SessionMode, SessionOptions};
///
/// let options = SessionOptions::new()
///     .templates(["clinical_notes_template", "transcript_template"])
///     .mode(SessionMode::Consultation)
///     .language_hint(["en", "hi"]);
/// # let _ = options;
/// ```
///
/// `Debug` shows whether patient details and additional data are set, never
/// their content.
#[derive(Clone, Default)]
#[must_use]
pub struct SessionOptions {
    templates: Option<Vec<String>>,
    model: Option<Model>,
    mode: Option<SessionMode>,
    language_hint: Option<Vec<String>>,
    transcript_language: Option<String>,
    patient_details: Option<Value>,
    additional_data: Option<Value>,
    session_id: Option<String>,
    upload_type: Option<UploadType>,
    communication_protocol: Option<CommunicationProtocol>,
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("templates", &self.templates)
            .field("model", &self.model)
            .field("mode", &self.mode)
            .field("language_hint", &self.language_hint)
            .field("transcript_language", &self.transcript_language)
            .field(
                "patient_details",
                &self.patient_details.as_ref().map(|_| "<set>"),
            )
            .field(
                "additional_data",
                &self.additional_data.as_ref().map(|_| "<set>"),
            )
            .field("session_id", &self.session_id)
            .field("upload_type", &self.upload_type)
            .field("communication_protocol", &self.communication_protocol)
            .finish()
    }
}

impl SessionOptions {
    /// Everything from configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Template ids (1 or 2).
    pub fn templates<I, S>(mut self, templates: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.templates = Some(templates.into_iter().map(Into::into).collect());
        self
    }

    /// The model (`lite`, `pro`, or what discovery offers).
    pub fn model(mut self, model: impl Into<Model>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Dictation (one speaker) or consultation (a conversation).
    pub fn mode(mut self, mode: SessionMode) -> Self {
        self.mode = Some(mode);
        self
    }

    /// Spoken languages, ISO 639-1 (`en`, `hi`, ...).
    pub fn language_hint<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.language_hint = Some(languages.into_iter().map(Into::into).collect());
        self
    }

    /// Language of the transcript.
    pub fn transcript_language(mut self, language: impl Into<String>) -> Self {
        self.transcript_language = Some(language.into());
        self
    }

    /// Patient details (a JSON object) stored with the session.
    pub fn patient_details(mut self, details: Value) -> Self {
        self.patient_details = Some(details);
        self
    }

    /// Data returned unchanged with the session (a JSON object under 4 KB,
    /// no patient data).
    pub fn additional_data(mut self, data: Value) -> Self {
        self.additional_data = Some(data);
        self
    }

    /// A session id chosen by the caller (16 to 64 characters); makes
    /// creation safe to retry.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// How audio will arrive (default chunked).
    pub fn upload_type(mut self, upload_type: UploadType) -> Self {
        self.upload_type = Some(upload_type);
        self
    }

    /// Which channel audio travels over.
    pub fn communication_protocol(mut self, protocol: CommunicationProtocol) -> Self {
        self.communication_protocol = Some(protocol);
        self
    }

    /// The wire request, with the client's defaults filled in.
    pub(crate) fn into_request(self, config: &crate::config::Config) -> CreateSessionRequest {
        let templates = self
            .templates
            .unwrap_or_else(|| config.default_templates().to_vec());
        let mut request = CreateSessionRequest::new(templates);
        request.model = self
            .model
            .or_else(|| config.default_model().map(Model::parse));
        request.session_mode = self.mode;
        request.language_hint = self.language_hint.or_else(|| {
            let hint = config.default_language_hint();
            (!hint.is_empty()).then(|| hint.to_vec())
        });
        request.transcript_language = self
            .transcript_language
            .or_else(|| config.transcript_language().map(str::to_owned))
            .map(TranscriptLanguage::One);
        request.patient_details = self.patient_details;
        request.additional_data = self.additional_data;
        request.session_id = self.session_id;
        // The spec requires both; Eka accepts them. Chunked upload over HTTP
        // is what this SDK does unless streaming.
        let upload_type = self.upload_type.unwrap_or(UploadType::Chunked);
        request.communication_protocol = Some(self.communication_protocol.unwrap_or(
            if upload_type == UploadType::Stream {
                CommunicationProtocol::Websocket
            } else {
                CommunicationProtocol::Http
            },
        ));
        request.upload_type = Some(upload_type);
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::catalogue::Model;

    #[test]
    fn debug_hides_patient_details() {
        let options =
            SessionOptions::new().patient_details(serde_json::json!({"name": "Asha Rao"}));
        let shown = format!("{options:?}");
        assert!(
            !shown.contains("Asha") && shown.contains("<set>"),
            "{shown}"
        );
    }

    #[test]
    fn defaults_come_from_configuration() {
        let config = crate::config::Config::resolve(
            crate::config::Layer::default(),
            &crate::config::EnvVars::from_map([
                ("SCRIBE_DEFAULT_TEMPLATES", "eka_emr_template"),
                ("SCRIBE_DEFAULT_MODEL", "pro"),
                ("SCRIBE_DEFAULT_LANGUAGE_HINT", "en,ta"),
                ("SCRIBE_TRANSCRIPT_LANGUAGE", "en"),
            ]),
            &std::env::temp_dir(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let request = SessionOptions::new().into_request(&config);
        assert_eq!(request.templates, ["eka_emr_template"]);
        assert_eq!(request.model, Some(Model::Pro));
        assert_eq!(
            request.language_hint,
            Some(vec!["en".to_owned(), "ta".to_owned()])
        );
        assert_eq!(request.upload_type, Some(UploadType::Chunked));
        assert_eq!(
            request.communication_protocol,
            Some(CommunicationProtocol::Http)
        );
        let stream = SessionOptions::new()
            .templates(["transcript_template"])
            .upload_type(UploadType::Stream)
            .into_request(&config);
        assert_eq!(stream.templates, ["transcript_template"]);
        assert_eq!(
            stream.communication_protocol,
            Some(CommunicationProtocol::Websocket)
        );
    }
}
