//! Waiting for results, and watching them change. The server long-polls,
//! so the interval is a cap on the request rate, not a pause.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll as TaskPoll};
use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream};

use crate::cancel::Cancel;
use crate::flavor::{BoxFuture, sealed};
use crate::protocol::session::SessionStatus;
use crate::{Error, ErrorKind, Session, SessionResult};

/// How long and how often to ask for results.
#[derive(Debug, Clone, Default)]
pub(crate) struct WaitOptions {
    interval: Option<Duration>,
    timeout: Option<Duration>,
    template_id: Option<String>,
    cancel: Cancel,
}

macro_rules! wait_options {
    () => {
        /// At most one request per `interval` (default: the client's poll
        /// interval). The server holds each request until something changes
        /// (long poll), so this caps the rate; it is not a pause added after
        /// each answer.
        pub fn interval(mut self, interval: Duration) -> Self {
            self.options.interval = Some(interval);
            self
        }

        /// Give up after this long (default: the client's poll timeout),
        /// with an error of kind [`Timeout`](crate::ErrorKind::Timeout).
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// Ask for the results of one template only.
        pub fn template_id(mut self, template_id: impl Into<String>) -> Self {
            self.options.template_id = Some(template_id.into());
            self
        }

        /// Stop waiting when `signal` completes (any future), with an error
        /// of kind [`Cancelled`](crate::ErrorKind::Cancelled).
        pub fn cancel_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
            self.options.cancel = Cancel::on(signal);
            self
        }
    };
}

/// Waits until the session reaches a terminal state; from
/// [`Session::wait`]. Resolves to its results: completed, partial or failed
/// (check [`SessionResult::is_complete`]). An expired session and the end of
/// the timeout are errors. Runs on `.await` (blocking client: `.send()`).
///
/// ```no_run
/// use std::time::Duration;
///
/// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
/// match session.wait().timeout(Duration::from_secs(300)).await {
///     Ok(result) if result.is_complete() => println!("{:?}", result.template("clinical_notes_template")),
///     Ok(result) => eprintln!("finished as {}: {:?}", result.status(), result.error_message()),
///     Err(e) if e.is_timeout() => eprintln!("still processing; results are kept, wait again later"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[must_use = "nothing is asked until this is awaited (or sent)"]
#[derive(Debug)]
pub struct Wait<'a, S = Session> {
    pub(crate) session: &'a S,
    options: WaitOptions,
}

impl<'a, S: sealed::Session> Wait<'a, S> {
    wait_options!();

    /// Waits (what `.await` and the blocking `.send()` run).
    pub(crate) fn run(self) -> BoxFuture<'a, Result<SessionResult, Error>> {
        let mut poll = Poller::new(self.session.session(), self.options);
        Box::pin(async move {
            loop {
                let result = poll.next().await?;
                if result.is_terminal() {
                    return Ok(result);
                }
                poll.last_status = Some((result.status().clone(), None));
            }
        })
    }
}

impl<'a> IntoFuture for Wait<'a, Session> {
    type Output = Result<SessionResult, Error>;
    type IntoFuture = BoxFuture<'a, Result<SessionResult, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        self.run()
    }
}

/// A session's updates as a boxed stream.
pub(crate) type Updates =
    Pin<Box<dyn Stream<Item = Result<SessionResult, Error>> + Send + 'static>>;

/// The session's updates; from [`Session::watch`]: the first answer, then
/// every answer whose status or number of template results changed, ending
/// after a terminal one. Expiry and the timeout end it with an error.
///
/// Set options first; it is a [`Stream`] (on the blocking client, an
/// iterator) from the first poll on.
///
/// ```no_run
/// use futures_util::StreamExt;
///
/// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
/// let mut updates = session.watch();
/// while let Some(update) = updates.next().await {
///     let update = update?;
///     println!("{} ({} template results)", update.status(), update.templates().count());
/// }
/// # Ok(()) }
/// ```
#[must_use = "a watch does nothing until it is polled"]
pub struct Watch<'a, S = Session> {
    pub(crate) session: &'a S,
    options: WaitOptions,
    updates: Option<Updates>,
}

impl<S> std::fmt::Debug for Watch<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("options", &self.options)
            .field("started", &self.updates.is_some())
            .finish()
    }
}

impl<'a, S: sealed::Session> Watch<'a, S> {
    wait_options!();

    /// The stream of updates, made on first use.
    pub(crate) fn updates(&mut self) -> &mut Updates {
        let session = self.session.session();
        let options = &self.options;
        self.updates
            .get_or_insert_with(|| Box::pin(watch(Poller::new(session, options.clone()))))
    }
}

impl Stream for Watch<'_, Session> {
    type Item = Result<SessionResult, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> TaskPoll<Option<Self::Item>> {
        self.get_mut().updates().as_mut().poll_next(cx)
    }
}

impl Session {
    /// Waits for the session's results; see [`Wait`].
    pub fn wait(&self) -> Wait<'_> {
        Wait::new(self)
    }

    /// The session's updates as a stream; see [`Watch`].
    pub fn watch(&self) -> Watch<'_> {
        Watch::new(self)
    }
}

impl<'a, S> Wait<'a, S> {
    pub(crate) fn new(session: &'a S) -> Self {
        Self {
            session,
            options: WaitOptions::default(),
        }
    }
}

impl<'a, S> Watch<'a, S> {
    pub(crate) fn new(session: &'a S) -> Self {
        Self {
            session,
            options: WaitOptions::default(),
            updates: None,
        }
    }
}

/// State of one polling loop.
struct Poller {
    session: Session,
    template_id: Option<String>,
    interval: Duration,
    timeout: Duration,
    deadline: Instant,
    cancel: Cancel,
    last_request: Option<Instant>,
    last_status: Option<(SessionStatus, Option<usize>)>,
    done: bool,
}

impl Poller {
    fn new(session: &Session, options: WaitOptions) -> Self {
        let config = &session.client.inner.config;
        let timeout = options.timeout.unwrap_or(config.poll_timeout());
        Self {
            session: session.clone(),
            template_id: options.template_id,
            interval: options.interval.unwrap_or(config.poll_interval()),
            timeout,
            deadline: after(timeout),
            cancel: options.cancel,
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
                    () = self.cancel.fired() => return Err(Error::cancelled("waiting for results")),
                    () = tokio::time::sleep(pause) => {}
                }
            }
        }
        if Instant::now() >= self.deadline {
            return Err(self.timed_out());
        }
        self.last_request = Some(Instant::now());
        let get = self
            .session
            .get_inner(self.template_id.as_deref(), Some(self.deadline));
        let result = tokio::select! {
            () = self.cancel.fired() => return Err(Error::cancelled("waiting for results")),
            r = get => r,
        };
        match result {
            Ok(r) if r.is_expired() => Err(expired(self.session.id())),
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
                self.session.id(),
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

fn expired(session_id: &str) -> Error {
    Error::new(ErrorKind::Expired, format!("session {session_id} expired"))
        .with_hint("create a new session and upload the audio again")
}

/// The updates of a polling loop as a stream.
fn watch(poll: Poller) -> impl Stream<Item = Result<SessionResult, Error>> + Send + 'static {
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
