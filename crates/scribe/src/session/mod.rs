//! [`Session`]: one session on the server, and everything done to it.

mod create;

use std::sync::Arc;

use crate::protocol::paths;
use crate::protocol::session::{
    CreateSessionResponse, EndSessionRequest, PatchSessionRequest, PatchSessionResponse,
    ProcessTemplateResponse, ValidationError,
};
use crate::transport::Request;
use crate::{Error, ErrorKind, ScribeClient, SessionResult};

pub use create::CreateSession;

pub(crate) fn validation_error(e: &ValidationError) -> Error {
    // The protocol's message already says what is wrong with which field.
    Error::new(ErrorKind::Validation, e.to_string())
        .with_hint("fix the session options (see the message) and try again")
}

/// One session on the server: from [`ScribeClient::create_session`], or
/// re-attached by id with [`ScribeClient::session`].
///
/// It owns the session id and offers every call on the session: uploads
/// ([`upload_file`](Self::upload_file), [`upload_pcm`](Self::upload_pcm),
/// [`upload_chunks`](Self::upload_chunks)), live streaming
/// ([`open_stream`](Self::open_stream)), [`end`](Self::end),
/// [`get`](Self::get), [`wait`](Self::wait), [`watch`](Self::watch),
/// [`patch`](Self::patch) and [`process_template`](Self::process_template).
/// Cloning is cheap; clones share the client.
///
/// ```no_run
/// # async fn run(client: scribe::ScribeClient) -> Result<(), scribe::Error> {
/// let session = client.create_session().await?;
/// session.upload_file("visit.m4a").concurrency(8).await?; // decode, VAD, upload, end
/// let result = session.wait().await?;
/// println!("{}: {:?}", result.status(), result.transcript());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Session {
    pub(crate) client: ScribeClient,
    id: Arc<str>,
    created: Option<Arc<CreateSessionResponse>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ScribeClient {
    /// Creates a session; set options on the builder, then `.await` it.
    /// See [`CreateSession`].
    pub fn create_session(&self) -> CreateSession<'_> {
        CreateSession::new(self)
    }

    /// The handle of an existing session (made earlier, by this process or
    /// another), to upload to, end, read or wait on it. Nothing is sent
    /// until a call is made.
    pub fn session(&self, id: impl Into<String>) -> Session {
        Session {
            client: self.clone(),
            id: Arc::from(id.into()),
            created: None,
        }
    }
}

impl Session {
    pub(crate) fn created(client: ScribeClient, created: CreateSessionResponse) -> Self {
        Self {
            client,
            id: Arc::from(created.session_id.as_str()),
            created: Some(Arc::new(created)),
        }
    }

    /// The session id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The server's answer to the create (its status, expiry and, for a
    /// streaming session, the stream URL); `None` for a session re-attached
    /// with [`ScribeClient::session`].
    pub fn creation(&self) -> Option<&CreateSessionResponse> {
        self.created.as_deref()
    }

    /// The client this session talks through.
    pub fn client(&self) -> &ScribeClient {
        &self.client
    }

    /// The session's status and whatever results exist. An expired session
    /// (410) is returned, not an error: its body may still hold results.
    pub async fn get(&self) -> Result<SessionResult, Error> {
        self.get_inner(None, None).await
    }

    /// Like [`get`](Self::get), with the results of one template only.
    pub async fn get_template(&self, template_id: &str) -> Result<SessionResult, Error> {
        self.get_inner(Some(template_id), None).await
    }

    pub(crate) async fn get_inner(
        &self,
        template_id: Option<&str>,
        deadline: Option<std::time::Instant>,
    ) -> Result<SessionResult, Error> {
        let url = self.client.url(&match template_id {
            Some(template) => paths::session_template(&self.id, template),
            None => paths::session(&self.id),
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

    /// Ends (commits) the session: the server starts processing the
    /// `audio_files_sent` chunks it should have (0 for a streamed session).
    /// Ending a session that is already ended is not an error.
    ///
    /// The uploads end the session themselves unless told
    /// [`end_session(false)`](crate::Upload::end_session); this is for
    /// sessions fed some other way.
    pub async fn end(&self, audio_files_sent: u32) -> Result<(), Error> {
        let body = EndSessionRequest::new(audio_files_sent);
        let request = Request::post(self.client.url(&paths::session_end(&self.id)))
            .path_template("/v1/sessions/{id}/end")
            .json(&body)?
            // Repeating `end` cannot duplicate work: a second one is refused
            // as already ended, which is accepted below.
            .idempotent(true)
            .deadline(self.client.retry_deadline());
        match self.client.inner.http.send(request).await {
            Ok(_) => Ok(()),
            Err(e)
                if e.kind() == crate::transport::ErrorKind::Conflict
                    && e.code().is_some_and(|c| c.as_str() == "session_ended") =>
            {
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Updates a session that is not yet ended (patient details, languages,
    /// templates, statuses, additional data).
    ///
    /// ```no_run
    /// use scribe::protocol::session::PatchSessionRequest;
    ///
    /// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
    /// let update = PatchSessionRequest {
    ///     language_hint: Some(vec!["en".to_owned(), "ta".to_owned()]),
    ///     ..Default::default()
    /// };
    /// let patched = session.patch(&update).await?;
    /// println!("{:?}", patched.status);
    /// # Ok(()) }
    /// ```
    pub async fn patch(&self, update: &PatchSessionRequest) -> Result<PatchSessionResponse, Error> {
        let discovery = self.client.inner.discovery.get().cloned();
        update
            .validate(discovery.as_deref())
            .map_err(|e| validation_error(&e))?;
        let answer = self
            .client
            .send(
                Request::patch(self.client.url(&paths::session(&self.id)))
                    .path_template("/v1/sessions/{id}")
                    .json(update)?,
            )
            .await?;
        read_answer(answer.body())
    }

    /// Runs template extraction again, for one template (added to the
    /// session if it was not among its templates) or all of them. The
    /// session must be ended; wait for the new results with
    /// [`wait`](Self::wait).
    pub async fn process_template(
        &self,
        template_id: Option<&str>,
    ) -> Result<ProcessTemplateResponse, Error> {
        let answer = self
            .client
            .send(
                Request::post(
                    self.client
                        .url(&paths::process_template(&self.id, template_id)),
                )
                .path_template("/v1/sessions/{id}/process/template")
                .json(&serde_json::json!({}))?,
            )
            .await?;
        read_answer(answer.body())
    }
}

/// A tolerant answer type read from a body; an empty body is the default.
fn read_answer<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> Result<T, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        // The body may hold patient data: only its size and the position.
        Error::new(
            ErrorKind::Protocol,
            format!(
                "the {} byte answer could not be read (line {}, column {})",
                body.len(),
                e.line(),
                e.column()
            ),
        )
        .with_hint("the server may speak another protocol version; check base_url")
    })
}
