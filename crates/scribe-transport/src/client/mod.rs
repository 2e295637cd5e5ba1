//! The pooled HTTP client: timeouts, retries, the auth hook and tracing.

mod failure;
mod progress;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::header::{HeaderValue, USER_AGENT};
use http_body_util::{BodyExt, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use tracing::Instrument;

use crate::answer_headers::{parse_retry_after, request_id};
use crate::auth::{
    AuthHeaders, Authenticator, MAX_REFRESHES_PER_REQUEST, REFUSED_AFTER_RENEWALS,
    refresh_after_401,
};
use crate::config::TransportConfig;
use crate::endpoint::{self, Origin};
use crate::error::{Error, ErrorKind};
use crate::request::{Request, Retrying};
use crate::resolve::{HttpConnector, Resolver};
use crate::response::Response;
use crate::tls;
use crate::ws::{WsConnection, WsRequest};
use progress::{Progress, ProgressBody};

type HyperClient = Client<HttpsConnector<HttpConnector>, ProgressBody>;

/// The SDK's HTTP client: one connection pool (HTTP/1.1 and HTTP/2 by ALPN
/// over rustls with the `ring` provider), timeouts, retries, and the
/// per-request [`Authenticator`] hook.
///
/// Cloning is cheap and shares the pool. [`with_authenticator`] returns a
/// clone that authenticates its requests; the auth crate keeps a clone
/// without one for its logins, so one pool serves both.
///
/// [`with_authenticator`]: HttpClient::with_authenticator
///
/// ```no_run
/// use scribe_transport::{HttpClient, Request, TransportConfig};
///
/// # async fn run() -> Result<(), scribe_transport::Error> {
/// let http = HttpClient::new(TransportConfig::default())?;
/// let answer = http
///     .send(Request::get("https://api.eka.care/voice/v1/.well-known/medscribealliance")
///         .path_template("/v1/.well-known/medscribealliance")
///         .without_auth())
///     .await?;
/// let document: serde_json::Value = answer.json()?;
/// # let _ = document;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct HttpClient {
    shared: Arc<Shared>,
    auth: Option<Arc<dyn Authenticator>>,
    /// Origins credentials may be sent to; `None`: every origin.
    auth_origins: Option<Arc<[Origin]>>,
}

struct Shared {
    client: HyperClient,
    config: TransportConfig,
    ws_tls: Arc<rustls::ClientConfig>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.shared.config)
            .field("authenticated", &self.auth.is_some())
            .field("credential_origins", &self.auth_origins)
            .finish()
    }
}

/// What one attempt produced: an answer (any status) or a failure to get one.
type AttemptResult = Result<Response, Error>;

impl HttpClient {
    /// Builds a client (and its connection pool) from `config`.
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        let tls = tls::client_config(config.roots, &config.extra_roots)?;
        let ws_tls = tls::websocket_config(&tls);

        let mut http = HttpConnector::new_with_resolver(Resolver);
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(config.connect_timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_all_versions()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Ok(HttpClient {
            shared: Arc::new(Shared {
                client,
                config,
                ws_tls,
            }),
            auth: None,
            auth_origins: None,
        })
    }

    /// A clone sharing the pool whose requests carry `authenticator`'s
    /// credentials (to every origin unless restricted with
    /// [`restrict_credentials_to`](HttpClient::restrict_credentials_to)).
    #[must_use]
    pub fn with_authenticator(&self, authenticator: Arc<dyn Authenticator>) -> Self {
        HttpClient {
            shared: Arc::clone(&self.shared),
            auth: Some(authenticator),
            auth_origins: self.auth_origins.clone(),
        }
    }

    /// A clone sharing the pool that sends no credentials.
    #[must_use]
    pub fn without_authenticator(&self) -> Self {
        HttpClient {
            shared: Arc::clone(&self.shared),
            auth: None,
            auth_origins: None,
        }
    }

    /// A clone that sends credentials only to the origins (scheme, host,
    /// port) of `urls`; requests elsewhere, such as a pre-signed storage URL
    /// a server hands out, go without them. `wss`/`ws` count as the origin
    /// of `https`/`http` on the same host and port.
    ///
    /// ```
    /// use std::sync::Arc;
    /// # use scribe_transport::{AuthHeaders, Authenticator, BoxFuture, Error};
    /// # struct Key;
    /// # impl Authenticator for Key {
    /// #     fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
    /// #         Box::pin(async { Ok(AuthHeaders::new(0)) })
    /// #     }
    /// # }
    /// use scribe_transport::{HttpClient, TransportConfig};
    ///
    /// let http = HttpClient::new(TransportConfig::default())?
    ///     .with_authenticator(Arc::new(Key))
    ///     .restrict_credentials_to(&["https://api.eka.care/voice"])?;
    /// assert!(http.sends_credentials_to("wss://api.eka.care/voice/v1/stream/sessions/s/audio"));
    /// assert!(!http.sends_credentials_to("https://storage.example.com/upload?sig=1"));
    /// # Ok::<(), scribe_transport::Error>(())
    /// ```
    pub fn restrict_credentials_to(&self, urls: &[&str]) -> Result<Self, Error> {
        let origins = urls
            .iter()
            .map(|url| {
                Origin::of_url(url).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Config,
                        format!("not an absolute http(s) or ws(s) URL: {url}"),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HttpClient {
            shared: Arc::clone(&self.shared),
            auth: self.auth.clone(),
            auth_origins: Some(origins.into()),
        })
    }

    /// Whether a request to `url` would carry this client's credentials.
    pub fn sends_credentials_to(&self, url: &str) -> bool {
        self.auth.is_some()
            && match &self.auth_origins {
                None => true,
                Some(origins) => {
                    Origin::of_url(url).is_some_and(|origin| origins.contains(&origin))
                }
            }
    }

    /// The authenticator to use for `url`, honouring the origin restriction.
    fn authenticator_for(&self, url: &str, wanted: bool) -> Option<&Arc<dyn Authenticator>> {
        if !wanted {
            return None;
        }
        if self.sends_credentials_to(url) {
            self.auth.as_ref()
        } else {
            if self.auth.is_some() {
                tracing::debug!("request to another origin: sent without credentials");
            }
            None
        }
    }

    /// The authenticator, when one is set.
    pub fn authenticator(&self) -> Option<&Arc<dyn Authenticator>> {
        self.auth.as_ref()
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &TransportConfig {
        &self.shared.config
    }

    /// Checks `url` against the scheme policy (`https`, or plain `http` only
    /// to loopback or with the opt-in) without sending anything.
    pub fn check_url(&self, url: &str) -> Result<(), Error> {
        endpoint::check(url, self.shared.config.allow_insecure_http, false).map(|_| ())
    }

    /// Sends `request`, retrying what is safe to retry, and returns the
    /// answer when its status is a success (2xx or accepted by
    /// [`Request::accept_status`]); any other status becomes an [`Error`]
    /// built from the protocol error envelope.
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        let uri = endpoint::check(&request.url, self.shared.config.allow_insecure_http, false)?;
        let span = tracing::info_span!(
            "scribe.http",
            method = %request.method,
            path = %request.template(),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self
            .send_with_retries(&request, &uri, &span)
            .instrument(span.clone())
            .await;
        span.record("elapsed_ms", started.elapsed().as_millis() as u64);
        result
    }

    async fn send_with_retries(
        &self,
        request: &Request,
        uri: &http::Uri,
        span: &tracing::Span,
    ) -> Result<Response, Error> {
        let config = &self.shared.config;
        let policy = &config.retry;
        let started = Instant::now();
        let deadline = request
            .deadline
            .or_else(|| config.overall_timeout.and_then(|d| started.checked_add(d)));
        let auth = self.authenticator_for(&request.url, request.authenticate);

        let mut attempt: u32 = 0;
        let mut retries: u32 = 0;
        let mut waited = Duration::ZERO;
        let mut refreshes = 0;
        // A request with its own deadline keeps trying until it (see RetryPolicy).
        let patient = policy.get_until_deadline() && request.deadline.is_some();
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let credentials = match auth {
                Some(auth) => Some(authorize_within(auth.as_ref(), deadline).await.map_err(
                    |mut e| {
                        e.set_attempts(attempt);
                        e
                    },
                )?),
                None => None,
            };
            let result = self
                .attempt(request, uri, credentials.as_ref(), deadline)
                .await;
            let mut error = match result {
                Ok(response) => {
                    span.record("status", response.status);
                    if request.is_success(response.status) {
                        tracing::debug!(status = response.status, attempt, "answered");
                        return Ok(Response {
                            attempts: attempt,
                            ..response
                        });
                    }
                    let mut error = Error::from_response(response.status, &response.body);
                    error.set_request_id(request_id(&response.headers));
                    error.set_retry_after(parse_retry_after(&response.headers, SystemTime::now()));
                    if response.status == 401 {
                        tracing::debug!(attempt, refreshes, "credentials refused, renewing");
                        let again = refresh_after_401(auth, credentials.as_ref(), &mut refreshes)
                            .await
                            .map_err(|mut e| {
                                e.set_attempts(attempt);
                                e
                            })?;
                        if again {
                            continue;
                        }
                        if refreshes >= MAX_REFRESHES_PER_REQUEST {
                            error = error.with_hint(REFUSED_AFTER_RENEWALS);
                        }
                    }
                    error
                }
                Err(error) => error,
            };
            error.set_attempts(attempt);

            let out_of_attempts = !patient && attempt >= policy.get_max_attempts();
            if !request.idempotent || !error.is_retryable() || out_of_attempts {
                return Err(error);
            }
            retries += 1;
            let mut delay = policy.backoff(retries);
            if let Some(after) = error.retry_after() {
                if !patient && after > policy.get_max_retry_after() {
                    tracing::debug!(
                        retry_after_ms = after.as_millis() as u64,
                        "Retry-After beyond the policy's limit"
                    );
                    return Err(error);
                }
                delay = delay.max(after);
            }
            if !patient && waited.saturating_add(delay) > policy.get_budget() {
                return Err(error);
            }
            if let Some(deadline) = deadline
                && Instant::now()
                    .checked_add(delay)
                    .is_none_or(|at| at >= deadline)
            {
                return Err(error);
            }
            if let Some(observer) = &request.on_retry {
                observer(&Retrying {
                    attempt: attempt + 1,
                    delay,
                    error: &error,
                });
            }
            tracing::info!(
                attempt,
                delay_ms = delay.as_millis() as u64,
                kind = ?error.kind(),
                status = error.status(),
                "retrying"
            );
            tokio::time::sleep(delay).await;
            waited = waited.saturating_add(delay);
        }
    }

    /// One attempt: send, read the whole body, within the attempt timeout and
    /// the overall deadline.
    async fn attempt(
        &self,
        request: &Request,
        uri: &http::Uri,
        credentials: Option<&AuthHeaders>,
        deadline: Option<Instant>,
    ) -> AttemptResult {
        let config = &self.shared.config;
        let per_attempt = request.attempt_timeout.unwrap_or(config.request_timeout);
        let (limit, by_deadline) = match deadline {
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left < per_attempt {
                    (left, true)
                } else {
                    (per_attempt, false)
                }
            }
            None => (per_attempt, false),
        };
        if limit.is_zero() {
            return Err(Error::new(
                ErrorKind::Timeout,
                "the request's overall deadline passed",
            ));
        }

        let mut builder = http::Request::builder()
            .method(request.method.clone())
            .uri(uri.clone());
        if let Some(headers) = builder.headers_mut() {
            for (name, value) in &config.default_headers {
                headers.insert(name.clone(), value.clone());
            }
            // A request's own header replaces the default of the same name.
            for name in request.headers.keys() {
                headers.remove(name);
            }
            headers.extend(request.headers.clone());
            if !headers.contains_key(USER_AGENT)
                && let Ok(agent) = HeaderValue::from_str(&config.user_agent)
            {
                headers.insert(USER_AGENT, agent);
            }
            if let Some(credentials) = credentials {
                for (name, value) in credentials.iter() {
                    headers.insert(name.clone(), value.clone());
                }
            }
        }
        let progress = Progress::new();
        let body = ProgressBody::new(request.body.clone(), Arc::clone(&progress));
        let hyper_request = builder.body(body).map_err(|e| {
            Error::new(ErrorKind::Config, "the request could not be built").with_source(e)
        })?;

        let host = uri.host().unwrap_or("").to_owned();
        let exchange = async {
            let response = self
                .shared
                .client
                .request(hyper_request)
                .await
                .map_err(|e| failure::classify(e, &host))?;
            let (parts, body) = response.into_parts();
            progress.tick(true);
            let mut body = Limited::new(body, config.max_response_bytes);
            let mut received = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        Error::new(
                            ErrorKind::Protocol,
                            format!(
                                "the answer is larger than max_response_bytes ({} bytes)",
                                config.max_response_bytes
                            ),
                        )
                        .with_status(parts.status.as_u16())
                    } else {
                        Error::new(
                            ErrorKind::Connection,
                            format!("the connection to {host} dropped while reading the answer"),
                        )
                        .with_source(e)
                    }
                })?;
                if let Ok(data) = frame.into_data() {
                    progress.tick(true);
                    received.extend_from_slice(&data);
                }
            }
            Ok::<_, Error>(Response {
                status: parts.status.as_u16(),
                version: parts.version,
                headers: parts.headers,
                body: Bytes::from(received),
                attempts: 0,
            })
        };
        let idle = config.idle_timeout.min(limit);
        let watched = async {
            tokio::select! {
                result = exchange => result,
                () = progress.stalled(idle) => Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the connection to {host} stalled: no progress for {:.1}s",
                        idle.as_secs_f64()
                    ),
                )),
            }
        };
        match tokio::time::timeout(limit, watched).await {
            Ok(result) => result,
            Err(_) if by_deadline => Err(Error::new(
                ErrorKind::Timeout,
                "the request's overall deadline passed",
            )),
            Err(_) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "no complete answer from {host} within {:.1}s",
                    limit.as_secs_f64()
                ),
            )
            .with_hint("raise the request timeout if the network is slow")),
        }
    }

    /// Opens a WebSocket to `url` (`wss://`, or `ws://` under the plain-HTTP
    /// policy) with the client's TLS setup and credentials; see [`WsConnection`].
    pub async fn websocket(&self, url: &str) -> Result<WsConnection, Error> {
        self.websocket_with(WsRequest::new(url)).await
    }

    /// Opens a WebSocket described by `request` (extra headers, auth choice).
    pub async fn websocket_with(&self, request: WsRequest) -> Result<WsConnection, Error> {
        let uri = endpoint::check(&request.url, self.shared.config.allow_insecure_http, true)?;
        let auth = self.authenticator_for(&request.url, request.authenticate);
        crate::ws::connect(
            &self.shared.config,
            Arc::clone(&self.shared.ws_tls),
            uri,
            request,
            auth,
        )
        .await
    }
}

/// Asks the authenticator for credentials, within the request's deadline
/// (a login on the way counts against it).
async fn authorize_within(
    auth: &dyn Authenticator,
    deadline: Option<Instant>,
) -> Result<AuthHeaders, Error> {
    match deadline {
        None => auth.authorize().await,
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            tokio::time::timeout(left, auth.authorize())
                .await
                .unwrap_or_else(|_| {
                    Err(Error::new(
                        ErrorKind::Timeout,
                        "the request's overall deadline passed while obtaining credentials",
                    ))
                })
        }
    }
}
