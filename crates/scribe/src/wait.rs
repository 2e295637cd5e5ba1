//! Waiting for results, and watching them change. The server long-polls,
//! so the interval is a cap on the request rate, not a pause.

use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream};
use tokio_util::sync::CancellationToken;

use crate::protocol::session::SessionStatus;
use crate::{Error, ErrorKind, ScribeClient, SessionResult};

/// How [`ScribeClient::wait_for_results_with`] waits.
///
/// ```no_run
/// use std::time::Duration;
///
/// # async fn run(client: scribe::ScribeClient, session_id: &str) -> Result<(), scribe::Error> {
/// let options = scribe::WaitOptions::new()
///     .interval(Duration::from_secs(1))
///     .timeout(Duration::from_secs(300))
///     .template_id("clinical_notes_template");
/// match client.wait_for_results_with(session_id, options).await {
///     Ok(result) if result.is_complete() => println!("{:?}", result.template("clinical_notes_template")),
///     Ok(result) => eprintln!("finished as {}: {:?}", result.status(), result.error_message()),
///     Err(e) if e.is_timeout() => eprintln!("still processing; results are kept, wait again later"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
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
            deadline: after(timeout),
            cancel: options.cancel.unwrap_or_default(),
            last_request: None,
            last_status: None,
            done: false,
        }
    }

    /// One request, no sooner than `interval` after the previous one.
    async fn next(&mut self) -> Result<SessionResult, Error> {
        if let Some(last) = self.last_request {
            let due = last.checked_add(self.interval).unwrap_or(self.deadline);
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

/// The instant `wait` from now; a wait too long for the clock (such as
/// `Duration::MAX`, "no limit") is a century.
fn after(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
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
    ///
    /// ```no_run
    /// use futures_util::StreamExt;
    ///
    /// # async fn run(client: scribe::ScribeClient, session_id: &str) -> Result<(), scribe::Error> {
    /// let mut updates = std::pin::pin!(client.watch(session_id));
    /// while let Some(update) = updates.next().await {
    ///     let update = update?;
    ///     println!("{} ({} template results)", update.status(), update.templates().count());
    /// }
    /// # Ok(()) }
    /// ```
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_wait_does_not_overflow_the_clock() {
        let far = after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(365 * 24 * 3600));
        assert!(after(Duration::from_secs(1)) <= Instant::now() + Duration::from_secs(1));
    }
}
