//! [`CreateSession`]: what a session is created with, and creating it.

use std::future::IntoFuture;

use serde_json::Value;

use crate::flavor::{BoxFuture, sealed};
use crate::protocol::catalogue::{CommunicationProtocol, Model, SessionMode, UploadType};
use crate::protocol::paths;
use crate::protocol::session::{
    CreateSessionRequest, CreateSessionResponse, SessionStatus, TranscriptLanguage,
};
use crate::transport::Request;
use crate::{Error, ErrorKind, ScribeClient, Session};

/// Creates a session; from [`ScribeClient::create_session`]. Anything left
/// unset comes from the client's configuration (templates, model,
/// languages) or is left to the server. Runs on `.await` (on the
/// [blocking client](crate::blocking), with `.send()`).
///
/// The request is checked against the catalogue and, once
/// [`discovery`](ScribeClient::discovery) has been fetched, against the
/// server's document, before anything is sent.
///
/// Creating is safe to retry, and is retried (until the client's
/// [`retry_deadline`](crate::ClientBuilder::retry_deadline)): the request
/// always carries a session id (the caller's, or one the SDK chose), so if
/// an earlier attempt made the session but its answer was lost, that
/// session is returned and no second one is made.
///
/// ```no_run
/// use scribe::{Model, SessionMode};
///
/// # async fn run(client: scribe::ScribeClient) -> Result<(), scribe::Error> {
/// let session = client
///     .create_session()
///     .templates(["clinical_notes_template", "transcript_template"])
///     .model(Model::Pro)
///     .mode(SessionMode::Consultation)
///     .language_hint(["en", "hi"])
///     .session_id("visit-2026-11-25-bed-14")
///     .await?;
/// println!("{}", session.id());
/// # Ok(()) }
/// ```
///
/// `Debug` shows whether patient details and additional data are set, never
/// their content.
#[must_use = "a session is created only when this is awaited (or sent)"]
pub struct CreateSession<'a, C = ScribeClient> {
    pub(crate) client: &'a C,
    options: SessionOptions,
}

/// What a session is created with (the builder's state).
#[derive(Clone, Default)]
pub(crate) struct SessionOptions {
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

impl<C> std::fmt::Debug for CreateSession<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.options.fmt(f)
    }
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateSession")
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

impl<'a, C: sealed::Client> CreateSession<'a, C> {
    pub(crate) fn new(client: &'a C) -> Self {
        Self {
            client,
            options: SessionOptions::default(),
        }
    }

    /// Template ids (1 or 2).
    pub fn templates<I, S>(mut self, templates: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options.templates = Some(templates.into_iter().map(Into::into).collect());
        self
    }

    /// The model (`lite`, `pro`, or what discovery offers).
    pub fn model(mut self, model: impl Into<Model>) -> Self {
        self.options.model = Some(model.into());
        self
    }

    /// Dictation (one speaker) or consultation (a conversation).
    pub fn mode(mut self, mode: SessionMode) -> Self {
        self.options.mode = Some(mode);
        self
    }

    /// Spoken languages, ISO 639-1 (`en`, `hi`, ...).
    pub fn language_hint<I, S>(mut self, languages: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.options.language_hint = Some(languages.into_iter().map(Into::into).collect());
        self
    }

    /// Language of the transcript.
    pub fn transcript_language(mut self, language: impl Into<String>) -> Self {
        self.options.transcript_language = Some(language.into());
        self
    }

    /// Patient details (a JSON object) stored with the session.
    pub fn patient_details(mut self, details: Value) -> Self {
        self.options.patient_details = Some(details);
        self
    }

    /// Data returned unchanged with the session (a JSON object under 4 KB,
    /// no patient data).
    pub fn additional_data(mut self, data: Value) -> Self {
        self.options.additional_data = Some(data);
        self
    }

    /// A session id chosen by the caller (16 to 64 ASCII letters, digits,
    /// `-` or `_`); without one the SDK chooses a random one.
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.options.session_id = Some(id.into());
        self
    }

    /// Makes a session for live streaming over a WebSocket (upload type
    /// `stream`); open the stream with [`Session::open_stream`]. Without
    /// it, the session takes chunk uploads.
    pub fn streaming(mut self) -> Self {
        self.options.upload_type = Some(UploadType::Stream);
        self.options.communication_protocol = Some(CommunicationProtocol::Websocket);
        self
    }

    /// Creates the session (what `.await` and the blocking `.send()` run).
    pub(crate) async fn run(self) -> Result<Session, Error> {
        let client = self.client.client();
        let created = create(client, self.options).await?;
        Ok(Session::created(client.clone(), created))
    }
}

impl<'a> IntoFuture for CreateSession<'a, ScribeClient> {
    type Output = Result<Session, Error>;
    type IntoFuture = BoxFuture<'a, Result<Session, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.run())
    }
}

impl SessionOptions {
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

/// `POST /v1/sessions`, validated first; a repeated create that finds the
/// session an earlier attempt made returns that session.
async fn create(
    client: &ScribeClient,
    options: SessionOptions,
) -> Result<CreateSessionResponse, Error> {
    let mut request = options.into_request(&client.inner.config);
    // A create carrying its session id is safe to repeat: a retry after a
    // lost answer finds the session the first attempt made instead of
    // making a second. So the SDK always sends one, choosing it when the
    // caller did not (the protocol lets clients choose).
    let id = request
        .session_id
        .get_or_insert_with(new_session_id)
        .clone();
    let discovery = client.inner.discovery.get().cloned();
    request
        .validate(discovery.as_deref())
        .map_err(|e| super::validation_error(&e))?;
    let sent = client
        .inner
        .http
        .send(
            Request::post(client.url(paths::SESSIONS))
                .path_template(paths::SESSIONS)
                .json(&request)?
                .idempotent(true)
                .deadline(client.retry_deadline()),
        )
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        // A repeated create found the session an earlier attempt made
        // before its answer was lost: that session is the result.
        Err(e) if e.status() == Some(409) && e.attempts() > 1 => {
            return created_by_earlier_attempt(client, &id, e).await;
        }
        Err(e) => return Err(e.into()),
    };
    let created: CreateSessionResponse = answer.json()?;
    if created.session_id.is_empty() {
        return Err(Error::new(
            ErrorKind::Protocol,
            "the server created a session without an id",
        ));
    }
    Ok(created)
}

/// A fresh session id: 32 random letters and digits (about 190 bits), far
/// from any collision and within the protocol's 16 to 64 characters.
fn new_session_id() -> String {
    use rand::Rng;
    use rand::distr::Alphanumeric;
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// The session a lost-answer create made, when it is still untouched
/// (`created`); anything else means the id was taken before, and the
/// conflict stands.
async fn created_by_earlier_attempt(
    client: &ScribeClient,
    session_id: &str,
    conflict: crate::transport::Error,
) -> Result<CreateSessionResponse, Error> {
    let Ok(found) = client.session(session_id).get().await else {
        return Err(conflict.into());
    };
    if *found.status() != SessionStatus::Created {
        return Err(Error::from(conflict)
            .with_hint("this session_id is already in use; choose a new one for a new session"));
    }
    let response = found.response();
    let mut created = CreateSessionResponse::new(session_id);
    created.status = Some(response.status.clone());
    created.created_at = response.created_at.clone();
    created.expires_at = response.expires_at.clone();
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::catalogue::Model;

    #[test]
    fn debug_hides_patient_details() {
        let options = SessionOptions {
            patient_details: Some(serde_json::json!({"name": "Asha Rao"})),
            ..SessionOptions::default()
        };
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
        let request = SessionOptions::default().into_request(&config);
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
        let stream = SessionOptions {
            templates: Some(vec!["transcript_template".to_owned()]),
            upload_type: Some(UploadType::Stream),
            communication_protocol: Some(CommunicationProtocol::Websocket),
            ..SessionOptions::default()
        }
        .into_request(&config);
        assert_eq!(stream.templates, ["transcript_template"]);
        assert_eq!(
            stream.communication_protocol,
            Some(CommunicationProtocol::Websocket)
        );
    }
}
