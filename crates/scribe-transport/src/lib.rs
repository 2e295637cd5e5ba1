//! HTTP and WebSocket transport for the EkaScribe SDK.
//!
//! This is the only crate of the SDK that opens sockets. It gives the layers
//! above one pooled [`HttpClient`], one [`WsConnection`] type, one
//! authentication hook ([`Authenticator`]) and the one error type of the whole
//! SDK ([`Error`]). Most applications use the `scribe` façade instead.
//!
//! # Design choices
//!
//! * **hyper 1 + hyper-util's pooled client + hyper-rustls.** One pool per
//!   SDK client (clones share it), HTTP/1.1 and HTTP/2 negotiated by ALPN.
//!   TLS is rustls built explicitly with the `ring` provider, so no
//!   process-wide provider needs installing and no second provider is linked.
//!   Roots are the bundled Mozilla set; the `native-roots` feature adds the
//!   operating system's store. The WebSocket uses the same configuration
//!   (ALPN limited to HTTP/1.1, which the upgrade needs).
//! * **Encrypted by default.** `https`/`wss` only; plain `http`/`ws` is
//!   accepted for loopback hosts (the local simulator) or after
//!   [`TransportConfig::allow_insecure_http`]. Anything else is a
//!   [`ErrorKind::Config`] error naming the fix.
//! * **Whole bodies.** Protocol answers are small JSON documents and uploads
//!   are chunks of a few hundred kilobytes, so a [`Request`] holds its body as
//!   [`bytes::Bytes`] (a retry re-sends it without copying) and a [`Response`]
//!   is read completely, bounded by `max_response_bytes`.
//! * **Retries only where they are safe.** Network errors, timeouts and 429,
//!   500, 502, 503, 504 are retried for requests marked idempotent (GET by
//!   default; a chunk upload, `end` or a create with a client-chosen session
//!   id when the caller says so), with exponential backoff and jitter,
//!   `Retry-After` honoured, bounded by attempts, a total wait budget and an
//!   optional overall deadline ([`RetryPolicy`], [`Request::timeout`]).
//!   Other requests are sent once.
//! * **Credentials only where they belong.** Credential headers are marked
//!   sensitive; [`HttpClient::restrict_credentials_to`] limits them to the
//!   configured origins, so a URL a server hands out (a pre-signed upload,
//!   say) never receives the SDK's token.
//! * **An object-safe auth hook.** [`Authenticator`] returns boxed futures so
//!   the credential kind is chosen at run time behind `Arc<dyn
//!   Authenticator>`. A 401 makes the client ask the authenticator to
//!   refresh, once, and repeat the request once.
//! * **One opaque error.** [`Error`] is a boxed struct with a
//!   `#[non_exhaustive]` [`ErrorKind`], protocol facts (status, code, details,
//!   request id, retry-after) and a hint; no hyper or tungstenite type is
//!   public. Layers above add their own context with [`Error::new`],
//!   [`Error::with_hint`] and the `Audio`, `Config` and `Io` kinds.
//! * **Quiet tracing.** Each request is a `scribe.http` span with method,
//!   path *template*, status, attempt and elapsed milliseconds. Bodies are
//!   never logged; credential headers are marked sensitive.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use scribe_transport::{HttpClient, Request, RetryPolicy, TransportConfig};
//!
//! # async fn run() -> Result<(), scribe_transport::Error> {
//! let http = HttpClient::new(
//!     TransportConfig::default().retry(RetryPolicy::default().max_attempts(5)),
//! )?;
//! let templates = http
//!     .send(
//!         Request::get("https://api.eka.care/voice/v1/templates")
//!             .path_template("/v1/templates")
//!             .timeout(Duration::from_secs(20)),
//!     )
//!     .await?;
//! println!("{} bytes", templates.body().len());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod answer_headers;
mod auth;
mod client;
mod config;
mod endpoint;
mod error;
mod request;
mod resolve;
mod response;
mod tls;
mod ws;

pub use auth::{
    API_KEY_HEADER, AuthHeaders, Authenticator, BoxFuture, JWT_PAYLOAD_HEADER, is_sensitive_header,
};
pub use client::HttpClient;
pub use config::{RetryPolicy, TlsRoots, TransportConfig};
pub use endpoint::is_loopback as is_loopback_host;
pub use error::{Error, ErrorKind};
pub use request::{Request, RetryObserver, Retrying};
pub use response::Response;
pub use ws::{CloseInfo, WsConnection, WsMessage, WsRequest};

/// Re-export of the `http` crate, whose `Method`, `HeaderName` and
/// `HeaderValue` appear in this crate's API.
pub use http;
