//! Credentials and token lifecycle for the EkaScribe SDK.
//!
//! Every credential kind implements the transport's per-request hook,
//! [`scribe_transport::Authenticator`], and this crate's
//! [`CredentialProvider`] (kind and claims):
//!
//! * [`ClientCredentials`]: Eka client id and secret, logged in at
//!   `{auth_base_url}/connect-auth/v1/account/login`, refreshed at
//!   `.../refresh-token`.
//! * [`ApiKey`]: `X-API-Key` on every request.
//! * [`BearerToken`]: a token the caller obtained elsewhere.
//! * [`JwtPayload`]: the `jwt-payload` header a local backend accepts
//!   instead of a token.
//!
//! [`Credentials`] is the same choice as configuration data.
//!
//! # Design choices
//!
//! * **Renew ahead, renew once.** A token is renewed 5 minutes before it
//!   expires (half its lifetime when it lives 10 minutes or less). Renewal
//!   tries the refresh token, then a fresh login. It runs under one async
//!   lock with a re-check after the lock is taken, so fifty concurrent
//!   requests cause one login or refresh; requests with a fresh token never
//!   wait on the lock. A 401 renews only if no other request renewed since
//!   the refused token was issued (tokens carry a generation number).
//! * **Keep working through an auth outage.** When renewal fails ahead of
//!   expiry the current token is used until it really expires.
//! * **Injected clock.** Lifetimes are measured with a [`Clock`]; tests use
//!   [`ManualClock`] to jump past expiry instead of sleeping.
//! * **Secrets stay secret.** Client secrets, API keys and tokens live in
//!   [`secrecy::SecretString`]; every `Debug` here is hand-written and
//!   redacted; header values are marked sensitive; auth errors are scrubbed
//!   of any credential a server might echo, and they say what to check
//!   (credentials for the chosen environment, an unreachable auth host, a
//!   malformed answer).
//! * **Claims are read, not verified.** The business id (`b-id`) and other
//!   claims come from the token's payload ([`Claims`]); the server verifies
//!   tokens, the client only needs to read them.
//!
//! # Example
//!
//! ```no_run
//! use std::sync::Arc;
//! use scribe_auth::Credentials;
//! use scribe_transport::{HttpClient, Request, TransportConfig};
//!
//! # async fn run() -> Result<(), scribe_transport::Error> {
//! let http = HttpClient::new(TransportConfig::default())?;
//! let provider = Credentials::client_credentials("client-id", "client-secret")
//!     .into_provider(&http, "https://api.eka.care")?;
//! let b_id = provider.claims().await?.business_id()?.to_owned();
//! let api = http.with_authenticator(provider.into_authenticator());
//! let templates = api
//!     .send(Request::get("https://api.eka.care/voice/v1/templates").path_template("/v1/templates"))
//!     .await?;
//! # let _ = (b_id, templates);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod claims;
mod client_credentials;
mod clock;
mod provider;
mod static_credentials;

pub use claims::Claims;
pub use client_credentials::ClientCredentials;
pub use clock::{Clock, ManualClock, SystemClock};
pub use provider::{CredentialKind, CredentialProvider, Credentials};
pub use secrecy::{ExposeSecret, SecretString};
pub use static_credentials::{ApiKey, BearerToken, JwtPayload};
