//! The authentication hook every request passes through.
//!
//! The transport knows nothing about logins or tokens; it asks an
//! [`Authenticator`] for the headers of each request and, when the server
//! answers 401, tells it which credentials were refused so it can refresh
//! them once. `scribe-auth` implements the trait for client credentials, API
//! keys, bearer tokens and the `jwt-payload` dev header.
//!
//! The trait is object safe (`Arc<dyn Authenticator>`): methods return boxed
//! futures, so one `HttpClient` type serves every credential kind and the
//! façade can choose the provider at run time. The box costs one allocation
//! per request, noise next to a network round trip.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use http::header::{AUTHORIZATION, HeaderName, HeaderValue};

use crate::error::{Error, ErrorKind};

/// A boxed, `Send` future, the return type of [`Authenticator`] methods.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The header carrying an API key.
pub const API_KEY_HEADER: &str = "x-api-key";
/// The dev header carrying claims instead of a token (local backends only).
pub const JWT_PAYLOAD_HEADER: &str = "jwt-payload";

/// Whether a header carries credentials and must be marked sensitive
/// (never logged, never indexed by HTTP/2 header compression).
pub fn is_sensitive_header(name: &HeaderName) -> bool {
    name == AUTHORIZATION
        || name.as_str() == API_KEY_HEADER
        || name.as_str() == JWT_PAYLOAD_HEADER
        || name == http::header::PROXY_AUTHORIZATION
        || name == http::header::COOKIE
}

/// The credential headers for one request, and which credentials they are.
///
/// Every value is marked sensitive. `Debug` shows header names only.
///
/// ```
/// use scribe_transport::AuthHeaders;
///
/// let headers = AuthHeaders::bearer("eyJhbGciOi...", 3)?;
/// assert_eq!(headers.generation(), 3);
/// assert!(!format!("{headers:?}").contains("eyJ"));
/// # Ok::<(), scribe_transport::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct AuthHeaders {
    headers: Vec<(HeaderName, HeaderValue)>,
    generation: u64,
}

impl AuthHeaders {
    /// Empty headers for credentials generation `generation`.
    ///
    /// The generation identifies a set of credentials (for example a count of
    /// logins and refreshes): when a request is refused, the authenticator
    /// compares the refused generation with its current one to refresh only
    /// once however many requests were refused together.
    pub fn new(generation: u64) -> Self {
        AuthHeaders {
            headers: Vec::new(),
            generation,
        }
    }

    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: &str, generation: u64) -> Result<Self, Error> {
        let mut headers = AuthHeaders::new(generation);
        headers.insert(AUTHORIZATION, &format!("Bearer {token}"))?;
        Ok(headers)
    }

    /// Adds a header; the value is marked sensitive. Fails (without showing
    /// the value) when it holds characters a header cannot carry.
    pub fn insert(&mut self, name: HeaderName, value: &str) -> Result<(), Error> {
        let mut value = HeaderValue::from_str(value).map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!("credential for header {name} holds characters not allowed in a header"),
            )
            .with_hint("check the token or key for stray newlines or quotes")
        })?;
        value.set_sensitive(true);
        self.headers.push((name, value));
        Ok(())
    }

    /// The credentials generation these headers belong to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The headers, values marked sensitive.
    pub fn iter(&self) -> impl Iterator<Item = (&HeaderName, &HeaderValue)> {
        self.headers.iter().map(|(n, v)| (n, v))
    }

    /// Whether no header is set.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }
}

impl fmt::Debug for AuthHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHeaders")
            .field(
                "names",
                &self
                    .headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("generation", &self.generation)
            .finish()
    }
}

/// The per-request authentication hook.
///
/// [`authorize`](Authenticator::authorize) is called before every attempt of
/// every authenticated request and must be cheap when credentials are fresh;
/// it may log in or refresh when they are not (concurrent callers should
/// share one login). On a 401 the transport calls
/// [`refresh_after_rejection`](Authenticator::refresh_after_rejection) once
/// with the refused headers and, when it returns `Ok(true)`, repeats the
/// request once with fresh headers.
pub trait Authenticator: Send + Sync + 'static {
    /// The credential headers for the next request.
    fn authorize(&self) -> BoxFuture<'_, Result<AuthHeaders, Error>>;

    /// The server refused `rejected` with 401. Return `Ok(true)` when newer
    /// credentials are available (refreshed now or by another request since),
    /// `Ok(false)` when retrying cannot help. The default cannot refresh.
    fn refresh_after_rejection<'a>(
        &'a self,
        rejected: &'a AuthHeaders,
    ) -> BoxFuture<'a, Result<bool, Error>> {
        let _ = rejected;
        Box::pin(async { Ok(false) })
    }
}

/// Renewals one request may ask for after 401s before giving up: enough
/// for tokens that expire every half second, few enough that a server
/// refusing every fresh token ends the request quickly.
pub(crate) const MAX_REFRESHES_PER_REQUEST: u32 = 8;

/// Refresh-on-401, shared by HTTP requests and WebSocket handshakes: asks
/// `auth` for newer credentials after it refused `rejected`, at most
/// [`MAX_REFRESHES_PER_REQUEST`] times per request (`refreshes` counts).
/// `Ok(true)` means: repeat the request with fresh credentials.
pub(crate) async fn refresh_after_401(
    auth: Option<&std::sync::Arc<dyn Authenticator>>,
    rejected: Option<&AuthHeaders>,
    refreshes: &mut u32,
) -> Result<bool, Error> {
    let (Some(auth), Some(rejected)) = (auth, rejected) else {
        return Ok(false);
    };
    if *refreshes >= MAX_REFRESHES_PER_REQUEST {
        return Ok(false);
    }
    *refreshes += 1;
    auth.refresh_after_rejection(rejected).await
}

/// The hint of a 401 that stands after every renewal was tried.
pub(crate) const REFUSED_AFTER_RENEWALS: &str = "the server refused the credentials again right after \
     each renewal; check the credentials and that the server's clock and token settings are sane";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_values_are_sensitive_and_hidden_from_debug() {
        let mut headers = AuthHeaders::bearer("tok-123", 7).unwrap();
        headers
            .insert(HeaderName::from_static(API_KEY_HEADER), "sk_test_abc")
            .unwrap();
        assert!(headers.iter().all(|(_, value)| value.is_sensitive()));
        let shown = format!("{headers:?}");
        assert!(
            !shown.contains("tok-123") && !shown.contains("sk_test_abc"),
            "{shown}"
        );
        assert!(shown.contains("authorization") && shown.contains("x-api-key"));
    }

    #[test]
    fn a_value_that_cannot_be_a_header_is_refused_without_echoing_it() {
        let err = AuthHeaders::bearer("tok\nen-secret", 1).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(!format!("{err} {err:?}").contains("en-secret"));
    }

    #[test]
    fn sensitive_header_names() {
        for name in ["authorization", "x-api-key", "jwt-payload", "cookie"] {
            assert!(
                is_sensitive_header(&HeaderName::from_static(name)),
                "{name}"
            );
        }
        assert!(!is_sensitive_header(&HeaderName::from_static(
            "content-type"
        )));
    }
}
