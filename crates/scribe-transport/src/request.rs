//! One HTTP request as the SDK describes it, before credentials and retries.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use serde::Serialize;

use crate::auth::is_sensitive_header;
use crate::error::{Error, ErrorKind};

/// A request to send with [`crate::HttpClient::send`].
///
/// GET, HEAD, PUT, DELETE and OPTIONS are idempotent by default, POST and
/// PATCH are not; mark a POST that is safe to repeat (a chunk upload, `end`,
/// a create carrying a client-chosen session id) with
/// [`idempotent(true)`](Request::idempotent) so it is retried.
///
/// The body is held as [`Bytes`] so that a retry re-sends it without a copy.
/// `Debug` shows method, template and sizes, never the body.
///
/// ```
/// use scribe_transport::Request;
///
/// let req = Request::post("https://api.eka.care/voice/v1/sessions/s-1/audio/chunk_0.wav")
///     .path_template("/v1/sessions/{id}/audio/{file}")
///     .body(vec![0u8; 44], "audio/wav")?
///     .idempotent(true);
/// assert!(req.is_idempotent());
/// # Ok::<(), scribe_transport::Error>(())
/// ```
#[must_use]
#[derive(Clone)]
pub struct Request {
    pub(crate) method: Method,
    pub(crate) url: String,
    pub(crate) template: Option<Cow<'static, str>>,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) idempotent: bool,
    pub(crate) authenticate: bool,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) deadline: Option<Instant>,
    pub(crate) accepted: Vec<u16>,
    pub(crate) on_retry: Option<RetryObserver>,
}

/// A callback told of each retry (see [`Request::on_retry`]).
pub type RetryObserver = Arc<dyn Fn(&Retrying<'_>) + Send + Sync>;

/// A retry the client is about to make, as told to [`Request::on_retry`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Retrying<'a> {
    /// The attempt about to be made (2 for the first retry).
    pub attempt: u32,
    /// How long the client waits before it.
    pub delay: Duration,
    /// Why the previous attempt failed.
    pub error: &'a Error,
}

impl Request {
    /// A request with `method` to the absolute `url`.
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        let idempotent = method.is_idempotent();
        Request {
            method,
            url: url.into(),
            template: None,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            idempotent,
            authenticate: true,
            attempt_timeout: None,
            deadline: None,
            accepted: Vec::new(),
            on_retry: None,
        }
    }

    /// A GET request.
    pub fn get(url: impl Into<String>) -> Self {
        Request::new(Method::GET, url)
    }

    /// A POST request (not idempotent unless marked).
    pub fn post(url: impl Into<String>) -> Self {
        Request::new(Method::POST, url)
    }

    /// A PATCH request (not idempotent unless marked).
    pub fn patch(url: impl Into<String>) -> Self {
        Request::new(Method::PATCH, url)
    }

    /// A PUT request.
    pub fn put(url: impl Into<String>) -> Self {
        Request::new(Method::PUT, url)
    }

    /// A DELETE request.
    pub fn delete(url: impl Into<String>) -> Self {
        Request::new(Method::DELETE, url)
    }

    /// The path with placeholders (`/v1/sessions/{id}`) recorded in tracing
    /// spans instead of the concrete path. Without it the span records
    /// `<untemplated>`, so ids never reach logs by accident.
    pub fn path_template(mut self, template: impl Into<Cow<'static, str>>) -> Self {
        self.template = Some(template.into());
        self
    }

    /// Adds a header. Credential headers (`Authorization`, `X-API-Key`,
    /// `jwt-payload`) are marked sensitive.
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        if is_sensitive_header(&name) {
            value.set_sensitive(true);
        }
        self.headers.append(name, value);
        self
    }

    /// Sets a raw body and its content type.
    pub fn body(mut self, body: impl Into<Bytes>, content_type: &str) -> Result<Self, Error> {
        let value = HeaderValue::from_str(content_type).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!("invalid content type {content_type:?}"),
            )
        })?;
        self.headers.insert(CONTENT_TYPE, value);
        self.body = body.into();
        Ok(self)
    }

    /// Serializes `value` as the JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Result<Self, Error> {
        let body = serde_json::to_vec(value).map_err(|e| {
            Error::new(
                ErrorKind::Config,
                "request body could not be serialized as JSON",
            )
            .with_source(e)
        })?;
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = Bytes::from(body);
        Ok(self)
    }

    /// Whether repeating the request cannot duplicate a side effect; only
    /// such requests are retried.
    pub fn idempotent(mut self, idempotent: bool) -> Self {
        self.idempotent = idempotent;
        self
    }

    /// Sends the request without asking the client's authenticator (public
    /// endpoints, and the login itself).
    pub fn without_auth(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// Time allowed for each attempt (overrides the client's request timeout).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Overall time allowed from now, all attempts and waits included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.deadline = Instant::now().checked_add(timeout);
        self
    }

    /// Overall deadline, all attempts and waits included.
    pub fn deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Treats `status` as a success (for example 410 on a session GET, whose
    /// body still carries results) instead of an error.
    pub fn accept_status(mut self, status: u16) -> Self {
        self.accepted.push(status);
        self
    }

    /// Calls `observer` before each retry of this request (after the failed
    /// attempt, before the pause), for progress reports. It runs on the
    /// sending task: keep it quick.
    pub fn on_retry(mut self, observer: RetryObserver) -> Self {
        self.on_retry = Some(observer);
        self
    }

    /// Whether the request will be retried on retryable failures.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The absolute URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn template(&self) -> &str {
        self.template.as_deref().unwrap_or("<untemplated>")
    }

    pub(crate) fn is_success(&self, status: u16) -> bool {
        (200..300).contains(&status) || self.accepted.contains(&status)
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.template())
            .field("body_bytes", &self.body.len())
            .field("idempotent", &self.idempotent)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_is_not_idempotent_unless_marked() {
        assert!(!Request::post("https://x.test/").is_idempotent());
        assert!(Request::get("https://x.test/").is_idempotent());
        assert!(
            Request::post("https://x.test/")
                .idempotent(true)
                .is_idempotent()
        );
    }

    #[test]
    fn credential_headers_added_to_a_request_are_marked_sensitive() {
        let req = Request::get("https://x.test/")
            .header(
                HeaderName::from_static("x-api-key"),
                HeaderValue::from_static("sk_live_1"),
            )
            .header(
                HeaderName::from_static("x-trace"),
                HeaderValue::from_static("t"),
            );
        assert!(req.headers["x-api-key"].is_sensitive());
        assert!(!req.headers["x-trace"].is_sensitive());
        assert!(!format!("{req:?}").contains("sk_live_1"));
    }
}
