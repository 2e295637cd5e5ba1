//! Session results, waiting for them, and watching them change.

use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::protocol::session::{ProcessingError, SessionResponse, SessionStatus, TemplateResult};
use crate::{Error, ErrorKind, ScribeClient};

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

    fn is_expired(&self) -> bool {
        self.response.status == SessionStatus::Expired || self.response.http_status == 410
    }
}

/// How [`ScribeClient::wait_for_results_with`] waits.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct WaitOptions {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    template_id: Option<String>,
    cancel: Option<CancellationToken>,
}

impl WaitOptions {
    /// The client's configured interval and timeout.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most one request per `interval`. The server holds each request
    /// until something changes (long poll), so this is a cap on the rate,
    /// not a pause added after each answer.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = Some(interval);
        self
    }

    /// Give up after this long (an error for which `is_timeout()` is true).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Ask for the results of one template only.
    pub fn template_id(mut self, template_id: impl Into<String>) -> Self {
        self.template_id = Some(template_id.into());
        self
    }

    /// Stop waiting when `token` is cancelled.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }
}

/// State of one polling loop.
struct Poll {
    client: ScribeClient,
    session_id: String,
    template_id: Option<String>,
    interval: Duration,
    timeout: Duration,
    deadline: Instant,
    cancel: CancellationToken,
    last_request: Option<Instant>,
    last_status: Option<(SessionStatus, Option<usize>)>,
    done: bool,
}

impl Poll {
    fn new(client: &ScribeClient, session_id: &str, options: WaitOptions) -> Self {
        let config = &client.inner.config;
        let timeout = options.timeout.unwrap_or(config.poll_timeout());
        Self {
            client: client.clone(),
            session_id: session_id.to_owned(),
            template_id: options.template_id,
            interval: options.interval.unwrap_or(config.poll_interval()),
            timeout,
            deadline: Instant::now() + timeout,
            cancel: options.cancel.unwrap_or_default(),
            last_request: None,
            last_status: None,
            done: false,
        }
    }

    /// One request, no sooner than `interval` after the previous one.
    async fn next(&mut self) -> Result<SessionResult, Error> {
        if let Some(last) = self.last_request {
            let due = last + self.interval;
            let now = Instant::now();
            if due > now {
                let pause = (due - now).min(self.deadline.saturating_duration_since(now));
                tokio::select! {
                    () = self.cancel.cancelled() => return Err(Error::cancelled("waiting for results")),
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
        if Instant::now() >= self.deadline {
            return Err(self.timed_out());
        }
        self.last_request = Some(Instant::now());
        let sessions = self.client.sessions();
        let get = sessions.get_inner(
            &self.session_id,
            self.template_id.as_deref(),
            Some(self.deadline),
        );
        let result = tokio::select! {
            () = self.cancel.cancelled() => return Err(Error::cancelled("waiting for results")),
            r = get => r,
        };
        match result {
            Ok(r) if r.is_expired() => Err(expired(&self.session_id, &r)),
            Ok(r) => Ok(r),
            Err(e) if e.is_timeout() && Instant::now() >= self.deadline => Err(self.timed_out()),
            Err(e) => Err(e),
        }
    }

    fn timed_out(&self) -> Error {
        let status = self
            .last_status
            .as_ref()
            .map_or("unknown", |(s, _)| s.as_str());
        Error::new(
            ErrorKind::Timeout,
            format!(
                "session {} still {status} after {:.0}s",
                self.session_id,
                self.timeout.as_secs_f64()
            ),
        )
        .with_hint("wait again later (results are kept), or raise SCRIBE_POLL_TIMEOUT")
    }
}

fn expired(session_id: &str, _result: &SessionResult) -> Error {
    Error::new(ErrorKind::Expired, format!("session {session_id} expired"))
        .with_hint("create a new session and upload the audio again")
}

impl ScribeClient {
    /// Waits until the session reaches a terminal state and returns its
    /// results: completed, partial or failed (check
    /// [`SessionResult::is_complete`]). An expired session and the end of the
    /// configured poll timeout are errors.
    pub async fn wait_for_results(&self, session_id: &str) -> Result<SessionResult, Error> {
        self.wait_for_results_with(session_id, WaitOptions::default())
            .await
    }

    /// [`wait_for_results`](Self::wait_for_results) with options.
    pub async fn wait_for_results_with(
        &self,
        session_id: &str,
        options: WaitOptions,
    ) -> Result<SessionResult, Error> {
        let mut poll = Poll::new(self, session_id, options);
        loop {
            let result = poll.next().await?;
            if result.is_terminal() {
                return Ok(result);
            }
            poll.last_status = Some((result.status().clone(), None));
        }
    }

    /// The session's updates as a stream: the first answer, then every
    /// answer whose status or number of template results changed, ending
    /// after a terminal one. Expiry and the poll timeout end it with an error.
    pub fn watch(
        &self,
        session_id: &str,
    ) -> impl Stream<Item = Result<SessionResult, Error>> + Send + 'static {
        self.watch_with(session_id, WaitOptions::default())
    }

    /// [`watch`](Self::watch) with options.
    pub fn watch_with(
        &self,
        session_id: &str,
        options: WaitOptions,
    ) -> impl Stream<Item = Result<SessionResult, Error>> + Send + 'static {
        let poll = Poll::new(self, session_id, options);
        stream::unfold(poll, |mut poll| async move {
            loop {
                if poll.done {
                    return None;
                }
                match poll.next().await {
                    Err(e) => {
                        poll.done = true;
                        return Some((Err(e), poll));
                    }
                    Ok(result) => {
                        let key = (result.status().clone(), Some(result.templates().count()));
                        let changed = poll.last_status.as_ref() != Some(&key);
                        poll.last_status = Some(key);
                        if result.is_terminal() {
                            poll.done = true;
                            return Some((Ok(result), poll));
                        }
                        if changed {
                            return Some((Ok(result), poll));
                        }
                    }
                }
            }
        })
    }
}
