//! The asynchronous client.

mod builder;

use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::config::Config;
use crate::protocol::discovery::DiscoveryDocument;
use crate::protocol::paths;
use crate::protocol::templates::TemplateList;
use crate::transport::{HttpClient, Request, Response, TransportConfig};
use crate::{Error, ErrorKind};

pub use builder::{ClientBuilder, DEFAULT_UPLOAD_CONCURRENCY};

/// The EkaScribe client: sessions, uploads, streaming and results.
///
/// Cloning is cheap (an [`Arc`] inside) and clones share the connection
/// pool, the credentials and the cached discovery document, so one client
/// serves a whole application.
///
/// ```no_run
/// # async fn run() -> Result<(), scribe::Error> {
/// let client = scribe::ScribeClient::from_env()?;
/// let templates = client.templates().await?;
/// let session = client.create_session().await?;   // a new session
/// let earlier = client.session("an-earlier-session-id"); // or an existing one
/// # let _ = (templates, session, earlier);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ScribeClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    /// Requests carrying credentials.
    pub(crate) http: HttpClient,
    /// Requests to public endpoints (discovery).
    pub(crate) public: HttpClient,
    pub(crate) discovery: OnceCell<Arc<DiscoveryDocument>>,
    pub(crate) upload_concurrency: usize,
    #[cfg(feature = "audio")]
    pub(crate) pipeline: crate::audio::PipelineConfig,
}

impl std::fmt::Debug for ScribeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScribeClient")
            .field("base_url", &self.inner.config.base_url())
            .finish_non_exhaustive()
    }
}

impl ScribeClient {
    /// A builder; values set on it win over the environment and config file.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (a `.env` file in the
    /// working directory is read first) and any config file.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    pub(crate) fn from_parts<C>(builder: ClientBuilder<C>, config: Config) -> Result<Self, Error> {
        let mut transport = TransportConfig::default()
            .request_timeout(config.request_timeout())
            .allow_insecure_http(builder.allow_insecure_http);
        if let Some(retry) = builder.retry.clone() {
            transport = transport.retry(retry);
        }
        if let Some(timeout) = builder.connect_timeout {
            transport = transport.connect_timeout(timeout);
        }
        if let Some(timeout) = builder.idle_timeout {
            transport = transport.idle_timeout(timeout);
        }
        let public = HttpClient::new(transport)?;
        public.check_url(config.base_url())?;
        public.check_url(config.auth_base_url())?;
        let authenticator = match builder.authenticator {
            Some(auth) => auth,
            None => crate::credentials::authenticator(&config, &public)?,
        };
        // Credentials go to the protocol host only: a URL a server hands
        // out (a stream or storage URL on another host, a placeholder) gets
        // none. Logins to the auth host carry no credential header.
        let http = public
            .with_authenticator(authenticator)
            .restrict_credentials_to(&[config.base_url()])?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                http,
                public,
                discovery: OnceCell::new(),
                upload_concurrency: builder.upload_concurrency,
                #[cfg(feature = "audio")]
                pipeline: builder.pipeline,
            }),
        })
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The absolute URL of a protocol path.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.inner.config.base_url(), path)
    }

    /// The deadline of a create, chunk upload or `end` that starts now.
    pub(crate) fn retry_deadline(&self) -> std::time::Instant {
        let now = std::time::Instant::now();
        now.checked_add(self.inner.config.retry_deadline())
            .unwrap_or(now)
    }

    /// Sends an authenticated request.
    pub(crate) async fn send(&self, request: Request) -> Result<Response, Error> {
        Ok(self.inner.http.send(request).await?)
    }

    /// The service's discovery document: models, languages, formats, limits.
    ///
    /// Fetched once per client (the Eka path under `base_url`, then the
    /// spec's host-root path) and cached; concurrent callers share one fetch.
    pub async fn discovery(&self) -> Result<Arc<DiscoveryDocument>, Error> {
        self.inner
            .discovery
            .get_or_try_init(|| async {
                let eka = Request::get(self.url(paths::DISCOVERY))
                    .path_template(paths::DISCOVERY)
                    .without_auth();
                let answer = match self.inner.public.send(eka).await {
                    Ok(answer) => answer,
                    Err(e) if e.status() == Some(404) => {
                        let root = format!(
                            "{}{}",
                            crate::config::origin(self.inner.config.base_url()),
                            paths::DISCOVERY_ROOT
                        );
                        self.inner
                            .public
                            .send(
                                Request::get(root)
                                    .path_template(paths::DISCOVERY_ROOT)
                                    .without_auth(),
                            )
                            .await
                            .map_err(|e| {
                                let missing = e.status() == Some(404);
                                let e = Error::from(e);
                                if missing {
                                    e.with_hint(
                                        "the server publishes no discovery document at either \
                                         path; check base_url",
                                    )
                                } else {
                                    e
                                }
                            })?
                    }
                    Err(e) => return Err(Error::from(e)),
                };
                Ok(Arc::new(answer.json::<DiscoveryDocument>()?))
            })
            .await
            .cloned()
    }

    /// The templates the service offers.
    pub async fn templates(&self) -> Result<TemplateList, Error> {
        let answer = self
            .send(Request::get(self.url(paths::TEMPLATES)).path_template(paths::TEMPLATES))
            .await?;
        Ok(answer.json()?)
    }
}

/// An error for a caller mistake in arguments, naming the fix.
pub(crate) fn invalid(message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::new(ErrorKind::Validation, message.into()).with_hint(hint.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::EnvVars;

    #[test]
    fn credentials_go_to_the_protocol_host_only() {
        let client = ScribeClient::builder()
            .env_vars(EnvVars::none())
            .working_dir(std::env::temp_dir())
            .base_url("https://api.eka.care/voice")
            .api_key("test-key")
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let http = &client.inner.http;
        assert!(http.sends_credentials_to("https://api.eka.care/voice/v1/sessions"));
        assert!(http.sends_credentials_to("wss://api.eka.care/voice/v1/stream/sessions/s/audio"));
        assert!(!http.sends_credentials_to("wss://placeholder.example/v1/stream/sessions/s/audio"));
        assert!(!http.sends_credentials_to("https://storage.example.com/put?sig=1"));
    }
}
