//! Creating sessions and the calls on one session (get, end, patch,
//! process-template).

mod options;

use serde_json::Value;

use crate::protocol::paths;
use crate::protocol::session::{
    CreateSessionResponse, PatchSessionRequest, SessionStatus, ValidationError,
};
use crate::transport::Request;
use crate::{Error, ErrorKind, ScribeClient, SessionResult};

pub use options::SessionOptions;

pub(crate) fn validation_error(e: &ValidationError) -> Error {
    Error::new(
        ErrorKind::Validation,
        format!("invalid session request: {e}"),
    )
    .with_hint("fix the session options (see the message) and try again")
}

impl ScribeClient {
    /// Creates a session. Options left unset come from configuration; the
    /// request is checked against the catalogue and, once
    /// [`discovery`](Self::discovery) has been fetched, against the server's
    /// document, before anything is sent.
    ///
    /// A session with a client-chosen `session_id` (16 to 64 characters) is
    /// safe to retry, and is retried: if an earlier attempt made the session
    /// but its answer was lost, that session is returned. Without one the
    /// request is sent once, since a retry could make a second session.
    ///
    /// ```no_run
    /// use scribe::{Model, SessionMode, SessionOptions};
    ///
    /// # async fn run(client: scribe::ScribeClient) -> Result<(), scribe::Error> {
    /// let session = client
    ///     .create_session(
    ///         SessionOptions::new()
    ///             .templates(["clinical_notes_template", "transcript_template"])
    ///             .model(Model::Pro)
    ///             .mode(SessionMode::Consultation)
    ///             .language_hint(["en", "hi"])
    ///             .session_id("visit-2026-11-25-bed-14"),
    ///     )
    ///     .await?;
    /// println!("{}", session.session_id);
    /// # Ok(()) }
    /// ```
    pub async fn create_session(
        &self,
        options: SessionOptions,
    ) -> Result<CreateSessionResponse, Error> {
        let request = options.into_request(&self.inner.config);
        let discovery = self.inner.discovery.get().cloned();
        request
            .validate(discovery.as_deref())
            .map_err(|e| validation_error(&e))?;
        // Only a create carrying a client-chosen id may be repeated: without
        // one, a lost answer and a retry would make two sessions.
        let retry_safe = request.session_id.is_some();
        let sent = self
            .inner
            .http
            .send(
                Request::post(self.url(paths::SESSIONS))
                    .path_template(paths::SESSIONS)
                    .json(&request)?
                    .idempotent(retry_safe),
            )
            .await;
        let answer = match (sent, &request.session_id) {
            (Ok(answer), _) => answer,
            // A repeated create found the session an earlier attempt made
            // before its answer was lost: that session is the result.
            (Err(e), Some(id)) if e.status() == Some(409) && e.attempts() > 1 => {
                return self.created_by_earlier_attempt(id, e).await;
            }
            (Err(e), _) => return Err(e.into()),
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

    /// The session a lost-answer create made, when it is still untouched
    /// (`created`); anything else means the id was taken before, and the
    /// conflict stands.
    async fn created_by_earlier_attempt(
        &self,
        session_id: &str,
        conflict: crate::transport::Error,
    ) -> Result<CreateSessionResponse, Error> {
        let Ok(found) = self.sessions().get(session_id).await else {
            return Err(conflict.into());
        };
        if *found.status() != SessionStatus::Created {
            return Err(Error::from(conflict).with_hint(
                "this session_id is already in use; choose a new one for a new session",
            ));
        }
        let response = found.response();
        let mut created = CreateSessionResponse::new(session_id);
        created.status = Some(response.status.clone());
        created.created_at = response.created_at.clone();
        created.expires_at = response.expires_at.clone();
        Ok(created)
    }

    /// The calls on existing sessions.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { client: self }
    }
}

/// Calls on existing sessions; from [`ScribeClient::sessions`].
///
/// ```no_run
/// use scribe::protocol::session::PatchSessionRequest;
///
/// # async fn run(client: scribe::ScribeClient, session_id: &str) -> Result<(), scribe::Error> {
/// let update = PatchSessionRequest {
///     language_hint: Some(vec!["en".to_owned(), "ta".to_owned()]),
///     ..Default::default()
/// };
/// client.sessions().patch(session_id, &update).await?;
/// let now = client.sessions().get(session_id).await?;
/// println!("{} with {} files", now.status(), now.audio_files().len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a> {
    client: &'a ScribeClient,
}

impl Sessions<'_> {
    /// The session's status and whatever results exist. An expired session
    /// (410) is returned, not an error: its body may still hold results.
    pub async fn get(&self, session_id: &str) -> Result<SessionResult, Error> {
        self.get_inner(session_id, None, None).await
    }

    /// Like [`get`](Self::get), with the results of one template only.
    pub async fn get_template(
        &self,
        session_id: &str,
        template_id: &str,
    ) -> Result<SessionResult, Error> {
        self.get_inner(session_id, Some(template_id), None).await
    }

    pub(crate) async fn get_inner(
        &self,
        session_id: &str,
        template_id: Option<&str>,
        deadline: Option<std::time::Instant>,
    ) -> Result<SessionResult, Error> {
        let url = self.client.url(&match template_id {
            Some(template) => paths::session_template(session_id, template),
            None => paths::session(session_id),
        });
        let mut request = Request::get(url)
            .path_template("/v1/sessions/{id}")
            .accept_status(410);
        if let Some(deadline) = deadline {
            request = request.deadline(deadline);
        }
        let answer = self.client.send(request).await?;
        SessionResult::from_answer(answer.status(), answer.body())
    }

    /// Ends (commits) the session with the number of audio files sent.
    pub async fn end(&self, session_id: &str, audio_files_sent: u32) -> Result<(), Error> {
        self.client.end_session(session_id, audio_files_sent).await
    }

    /// Updates a session that is not yet ended (patient details, languages,
    /// templates, statuses, additional data).
    pub async fn patch(
        &self,
        session_id: &str,
        update: &PatchSessionRequest,
    ) -> Result<Value, Error> {
        let discovery = self.client.inner.discovery.get().cloned();
        update
            .validate(discovery.as_deref())
            .map_err(|e| validation_error(&e))?;
        let answer = self
            .client
            .send(
                Request::patch(self.client.url(&paths::session(session_id)))
                    .path_template("/v1/sessions/{id}")
                    .json(update)?,
            )
            .await?;
        body_json(answer.body())
    }

    /// Runs template extraction again, for one template or all of them.
    pub async fn process_template(
        &self,
        session_id: &str,
        template_id: Option<&str>,
    ) -> Result<Value, Error> {
        let answer = self
            .client
            .send(
                Request::post(
                    self.client
                        .url(&paths::process_template(session_id, template_id)),
                )
                .path_template("/v1/sessions/{id}/process/template")
                .json(&serde_json::json!({}))?,
            )
            .await?;
        body_json(answer.body())
    }
}

/// A JSON answer, or `null` for an empty body.
fn body_json(body: &[u8]) -> Result<Value, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(body).map_err(|e| {
        Error::new(
            ErrorKind::Protocol,
            format!("the {} byte answer is not JSON", body.len()),
        )
        .with_source(e)
    })
}
