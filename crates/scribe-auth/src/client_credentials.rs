//! Eka client credentials: login, refresh ahead of expiry, single-flight.
//!
//! The token is renewed at `expires_at - skew`, where the skew is 5 minutes,
//! or half the lifetime for tokens living 10 minutes or less. Renewal tries
//! the refresh token first and falls back to a fresh login. All renewals run
//! under one async lock and re-check freshness after taking it, so any
//! number of concurrent requests cause exactly one login or refresh; requests
//! holding fresh credentials never touch the lock.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use scribe_protocol::auth::{LoginRequest, RefreshRequest, TokenResponse};
use scribe_protocol::paths::{LOGIN, REFRESH};

use scribe_transport::{
    AuthHeaders, Authenticator, BoxFuture, Error, ErrorKind, HttpClient, Request,
};

use crate::claims::Claims;
use crate::clock::{Clock, SystemClock};
use crate::provider::{CredentialKind, CredentialProvider};

/// Longest lifetime believed; a longer `expires_in` is treated as this.
const MAX_LIFETIME_SECS: u64 = 24 * 3600;
/// Renew this long before expiry...
const SKEW: Duration = Duration::from_secs(300);
/// ...unless the token lives this long or less: then at half its lifetime.
const SHORT_LIFETIME: Duration = Duration::from_secs(600);

/// Eka client credentials (`client_id` + `client_secret`, optional API key),
/// exchanged for access tokens at `{auth_base_url}/connect-auth/v1/account/login`.
///
/// Cheap to clone; clones share the token.
///
/// ```no_run
/// use std::sync::Arc;
/// use scribe_auth::ClientCredentials;
/// use scribe_transport::{HttpClient, TransportConfig};
///
/// # async fn run() -> Result<(), scribe_transport::Error> {
/// let http = HttpClient::new(TransportConfig::default())?;
/// let auth = ClientCredentials::new(&http, "https://api.eka.care", "client-id", "secret".into())?;
/// let api = http.with_authenticator(Arc::new(auth));
/// # let _ = api; Ok(()) }
/// ```
#[derive(Clone)]
pub struct ClientCredentials {
    inner: Arc<Inner>,
}

/// What the provider was built with; changing it starts over without a token.
#[derive(Clone)]
struct Settings {
    http: HttpClient,
    login_url: String,
    refresh_url: String,
    auth_host: String,
    client_id: String,
    client_secret: SecretString,
    api_key: Option<SecretString>,
    environment: Option<String>,
    clock: Arc<dyn Clock>,
    patience: Duration,
}

/// How long a renewal keeps retrying once a login has succeeded (see
/// [`ClientCredentials::with_patience`]).
pub(crate) const DEFAULT_PATIENCE: Duration = Duration::from_secs(300);

/// How long the first login keeps retrying network failures, 5xx and 429
/// (a wrong URL or a refused secret is still reported at once or soon).
pub(crate) const FIRST_LOGIN_PATIENCE: Duration = Duration::from_secs(20);

struct Inner {
    settings: Settings,
    current: RwLock<Option<Arc<Token>>>,
    renewal: tokio::sync::Mutex<()>,
    generation: AtomicU64,
    /// Whether a login has ever succeeded: the settings are right, so a
    /// later failure is an outage to ride out, not a mistake to report.
    logged_in_once: std::sync::atomic::AtomicBool,
}

/// A token and its schedule.
struct Token {
    access: SecretString,
    refresh: Option<SecretString>,
    headers: AuthHeaders,
    claims: Option<Claims>,
    renew_at: Instant,
    expires_at: Instant,
}

impl ClientCredentials {
    /// Credentials logging in at `auth_base_url` (for example
    /// `https://api.eka.care`) through `http`'s pool (without its
    /// authenticator).
    pub fn new(
        http: &HttpClient,
        auth_base_url: &str,
        client_id: impl Into<String>,
        client_secret: SecretString,
    ) -> Result<Self, Error> {
        let client_id = client_id.into();
        if client_id.trim().is_empty() {
            return Err(Error::new(ErrorKind::Config, "the client id is empty")
                .with_hint("pass the client id from the Eka console"));
        }
        if client_secret.expose_secret().trim().is_empty() {
            return Err(Error::new(ErrorKind::Config, "the client secret is empty")
                .with_hint("pass the client secret from the Eka console"));
        }
        let base = auth_base_url.trim_end_matches('/');
        let login_url = format!("{base}{LOGIN}");
        http.check_url(&login_url).map_err(|e| {
            let hint = format!(
                "check the auth base URL ({})",
                e.hint().unwrap_or("use https")
            );
            e.with_hint(hint)
        })?;
        let auth_host = login_url
            .parse::<http::Uri>()
            .ok()
            .and_then(|u| u.host().map(str::to_owned))
            .unwrap_or_default();
        Ok(ClientCredentials::from_settings(Settings {
            http: http.without_authenticator(),
            refresh_url: format!("{base}{REFRESH}"),
            login_url,
            auth_host,
            client_id,
            client_secret,
            api_key: None,
            environment: None,
            clock: Arc::new(SystemClock),
            patience: DEFAULT_PATIENCE,
        }))
    }

    fn from_settings(settings: Settings) -> Self {
        ClientCredentials {
            inner: Arc::new(Inner {
                settings,
                current: RwLock::new(None),
                renewal: tokio::sync::Mutex::new(()),
                generation: AtomicU64::new(0),
                logged_in_once: std::sync::atomic::AtomicBool::new(false),
            }),
        }
    }

    /// A provider with changed settings and no token yet.
    fn rebuilt(&self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.inner.settings.clone();
        change(&mut settings);
        ClientCredentials::from_settings(settings)
    }

    /// Also sends `api_key` with the login, for accounts that need one.
    #[must_use]
    pub fn with_api_key(self, api_key: SecretString) -> Self {
        self.rebuilt(|s| s.api_key = Some(api_key))
    }

    /// Names the environment (`prod`, `dev`) in auth error hints.
    #[must_use]
    pub fn with_environment(self, environment: impl Into<String>) -> Self {
        self.rebuilt(|s| s.environment = Some(environment.into()))
    }

    /// How long a login keeps retrying (network failures, 5xx, 429) when no
    /// usable token is left and a first login has succeeded before (default
    /// 5 minutes): an outage in the middle of a session is ridden out. The
    /// first login keeps trying for at most 20 s (or
    /// this patience, when shorter), so a wrong URL is reported within
    /// seconds; refreshes and renewals ahead of expiry fail fast, so a
    /// working token is not held up.
    #[must_use]
    pub fn with_patience(self, patience: Duration) -> Self {
        self.rebuilt(|s| s.patience = patience)
    }

    /// Measures token lifetimes with `clock` (tests inject a [`crate::ManualClock`]).
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        self.rebuilt(|s| s.clock = clock)
    }

    /// The client id (not a secret).
    pub fn client_id(&self) -> &str {
        &self.inner.settings.client_id
    }

    /// Logs in now unless a fresh token is held; returns its claims.
    pub async fn claims(&self) -> Result<Claims, Error> {
        self.inner.headers().await?;
        let token = self.inner.current();
        token.and_then(|t| t.claims.clone()).ok_or_else(|| {
            Error::new(
                ErrorKind::Auth,
                "the access token is not a JWT, so it carries no claims",
            )
            .with_hint("check the auth base URL points at the Eka auth service")
        })
    }

    /// The business id (`b-id` claim) of the current token, logging in if needed.
    pub async fn business_id(&self) -> Result<String, Error> {
        self.claims().await?.business_id().map(str::to_owned)
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.inner.settings.client_id)
            .field("auth_host", &self.inner.settings.auth_host)
            .field("client_secret", &"[redacted]")
            .field("has_token", &self.inner.current().is_some())
            .finish()
    }
}

impl Inner {
    fn current(&self) -> Option<Arc<Token>> {
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn fresh(&self) -> Option<AuthHeaders> {
        let token = self.current()?;
        (self.settings.clock.now() < token.renew_at).then(|| token.headers.clone())
    }

    /// Fresh headers, renewing (once for all concurrent callers) when due.
    async fn headers(&self) -> Result<AuthHeaders, Error> {
        if let Some(headers) = self.fresh() {
            return Ok(headers);
        }
        let _turn = self.renewal.lock().await;
        if let Some(headers) = self.fresh() {
            return Ok(headers);
        }
        let previous = self.current();
        // Without a token that still works, the renewal is needed now and
        // rides out an outage; ahead of expiry it fails fast instead.
        let needed = previous
            .as_deref()
            .is_none_or(|token| self.settings.clock.now() >= token.expires_at);
        match self.renew(previous.as_deref(), needed).await {
            Ok(headers) => Ok(headers),
            Err(err) => match previous {
                // Renewal runs ahead of expiry: a token that has not expired
                // yet still works while the auth service recovers.
                Some(token) if self.settings.clock.now() < token.expires_at => {
                    tracing::warn!(kind = ?err.kind(), "token renewal failed; using the current token until it expires");
                    Ok(token.headers.clone())
                }
                _ => Err(err),
            },
        }
    }

    /// After a 401: renew unless someone already did since `rejected` was issued.
    async fn after_rejection(&self, rejected: &AuthHeaders) -> Result<bool, Error> {
        let _turn = self.renewal.lock().await;
        if self.generation.load(Ordering::Acquire) != rejected.generation() {
            return Ok(true);
        }
        let previous = self.current();
        tracing::debug!("the server refused the access token; renewing");
        self.renew(previous.as_deref(), true).await?;
        Ok(true)
    }

    /// Refresh with the refresh token when there is one, else (or when that
    /// fails) log in; a `needed` login (no usable token) keeps retrying for
    /// the patience once a login has ever succeeded. Caller holds the
    /// renewal lock.
    async fn renew(&self, previous: Option<&Token>, needed: bool) -> Result<AuthHeaders, Error> {
        if let Some(previous) = previous
            && let Some(refresh) = &previous.refresh
        {
            let body = RefreshRequest {
                refresh_token: refresh.expose_secret().to_owned(),
                access_token: previous.access.expose_secret().to_owned(),
            };
            match self
                .exchange(&self.settings.refresh_url, REFRESH, &body, "refresh", false)
                .await
            {
                Ok(token) => return Ok(self.install(token)),
                Err(err) => {
                    tracing::info!(kind = ?err.kind(), status = err.status(), "token refresh failed; logging in again");
                }
            }
        }
        let body = LoginRequest {
            client_id: self.settings.client_id.clone(),
            client_secret: self.settings.client_secret.expose_secret().to_owned(),
            api_key: self
                .settings
                .api_key
                .as_ref()
                .map(|k| k.expose_secret().to_owned()),
        };
        let token = self
            .exchange(&self.settings.login_url, LOGIN, &body, "login", needed)
            .await?;
        Ok(self.install(token))
    }

    fn install(&self, token: Token) -> AuthHeaders {
        let headers = token.headers.clone();
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Arc::new(token));
        headers
    }

    /// One login or refresh call, turned into a scheduled token.
    async fn exchange<B: Serialize>(
        &self,
        url: &str,
        template: &'static str,
        body: &B,
        what: &'static str,
        patient: bool,
    ) -> Result<Token, Error> {
        let mut request = Request::post(url)
            .path_template(template)
            .without_auth()
            // Repeating a login or refresh creates no duplicate side effect
            // the SDK cares about: a lost answer just means another token.
            .idempotent(true)
            .json(body)?;
        // The first login rides out a short spell of failures (a gateway
        // hiccup must not end a run before it starts) yet reports a wrong
        // URL within seconds; once a login has worked, a needed one waits
        // out a real outage.
        let wait = if !self.logged_in_once.load(Ordering::Relaxed) {
            Some(FIRST_LOGIN_PATIENCE.min(self.settings.patience))
        } else {
            patient.then_some(self.settings.patience)
        };
        if let Some(wait) = wait {
            request = request.timeout(wait);
        }
        let sent_at = self.settings.clock.now();
        let answer = self
            .settings
            .http
            .send(request)
            .await
            .map_err(|e| self.explain(e, what))?;
        let parsed: TokenResponse = answer.json().map_err(|e| self.explain(e, what))?;
        self.logged_in_once.store(true, Ordering::Relaxed);
        let access = parsed.access_token.trim().to_owned();
        if access.is_empty() {
            return Err(self.explain(
                Error::new(
                    ErrorKind::Protocol,
                    format!("the {what} answer has no access_token"),
                )
                .with_status(answer.status()),
                what,
            ));
        }
        // A zero lifetime would renew on every request; a huge one would
        // overflow the clock: keep it between one second and a day.
        let lifetime = Duration::from_secs(parsed.expires_in().clamp(1, MAX_LIFETIME_SECS));
        let skew = if lifetime <= SHORT_LIFETIME {
            lifetime / 2
        } else {
            SKEW
        };
        let generation = self.generation.fetch_add(1, Ordering::AcqRel) + 1;
        let headers = AuthHeaders::bearer(&access, generation)?;
        let claims = Claims::from_jwt(&access).ok();
        tracing::info!(
            what,
            lifetime_s = lifetime.as_secs(),
            generation,
            "obtained an access token"
        );
        Ok(Token {
            access: SecretString::from(access),
            refresh: parsed
                .refresh_token
                .filter(|t| !t.trim().is_empty())
                .map(SecretString::from),
            headers,
            claims,
            renew_at: sent_at + lifetime.saturating_sub(skew),
            expires_at: sent_at + lifetime,
        })
    }

    /// Adds what to check to a login or refresh failure, and makes sure no
    /// credential appears in it.
    fn explain(&self, err: Error, what: &str) -> Error {
        let host = &self.settings.auth_host;
        let env = match &self.settings.environment {
            Some(env) => format!(
                "the environment in use ({env}: prod is api.eka.care, dev is api.dev.eka.care)"
            ),
            None => format!("the auth host in use ({host})"),
        };
        let (message, hint) = match err.kind() {
            ErrorKind::Auth | ErrorKind::Validation | ErrorKind::NotFound => (
                format!("{what} at {host} was refused"),
                format!("check the client id and secret and that they belong to {env}"),
            ),
            ErrorKind::Connection | ErrorKind::Timeout | ErrorKind::Tls => (
                format!("the auth host {host} is unreachable ({})", err.message()),
                "check the network, any proxy, and the auth base URL".to_owned(),
            ),
            ErrorKind::Protocol => (
                format!(
                    "the {what} answer from {host} is not a token response ({})",
                    err.message()
                ),
                "check that the auth base URL points at the Eka auth service".to_owned(),
            ),
            _ => (
                format!("{what} at {host} failed ({})", err.message()),
                "the auth service is failing; retry later".to_owned(),
            ),
        };
        let message = self.scrub(&message);
        err.with_message(message).with_hint(hint)
    }

    /// Removes any credential a server might have echoed into a message.
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        let mut secrets: Vec<&str> = vec![self.settings.client_secret.expose_secret()];
        if let Some(key) = &self.settings.api_key {
            secrets.push(key.expose_secret());
        }
        let token = self.current();
        if let Some(token) = token.as_deref() {
            secrets.push(token.access.expose_secret());
            if let Some(refresh) = &token.refresh {
                secrets.push(refresh.expose_secret());
            }
        }
        for secret in secrets {
            if secret.len() >= 4 {
                out = out.replace(secret, "[redacted]");
            }
        }
        out
    }
}

impl Authenticator for ClientCredentials {
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>> {
        Box::pin(self.inner.headers())
    }

    fn refresh_after_rejection<'a>(
        &'a self,
        rejected: &'a AuthHeaders,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        Box::pin(self.inner.after_rejection(rejected))
    }
}

impl CredentialProvider for ClientCredentials {
    fn kind(&self) -> CredentialKind {
        CredentialKind::ClientCredentials
    }

    fn claims(&self) -> BoxFuture<'_, Result<Claims, Error>> {
        Box::pin(ClientCredentials::claims(self))
    }

    fn into_authenticator(self: Arc<Self>) -> Arc<dyn Authenticator> {
        self
    }
}
