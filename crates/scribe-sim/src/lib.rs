//! A local MedScribeAlliance server that speaks EkaScribe's dialect of the
//! protocol (or the spec's), for tests, demos and offline development.
//!
//! Nobody should need api.eka.care, or spend credits, to try the SDK or to
//! test an integration. `scribe-sim` stands in for the service the way a
//! local mock of a payment API does: strict about what it accepts, honest
//! about what it answers, and inspectable.
//!
//! # Running it
//!
//! In a test, start it in-process on a free loopback port:
//!
//! ```no_run
//! # async fn demo() -> Result<(), scribe_sim::Error> {
//! use std::time::Duration;
//! let server = scribe_sim::Server::builder()
//!     .processing_delay(Duration::from_millis(20))
//!     .long_poll_hold(Duration::from_millis(300))
//!     .start()
//!     .await?;
//! // Point a client at it:
//! let (base, auth) = (server.base_url(), server.auth_base_url());
//! let (id, secret) = (server.client_id(), server.client_secret());
//! # let _ = (base, auth, id, secret);
//! // ... run the client, then look at what arrived:
//! for session in server.sessions() {
//!     for file in server.files(&session.session_id).unwrap_or_default() {
//!         println!("{} {} bytes sha256={}", file.name, file.size, file.sha256);
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! From a shell: `cargo run -p scribe-sim -- --addr 127.0.0.1:8787` (or
//! `scribe sim`) prints the base URL, auth URL, client id and secret, and
//! serves until Ctrl-C. Outside an async runtime (blocking-client tests) use
//! [`ServerBuilder::start_blocking`].
//!
//! # What it simulates
//!
//! * Eka login and refresh (`/connect-auth/v1/account/...`) issuing
//!   JWT-shaped tokens with a `b-id` claim and a configurable lifetime;
//!   `401 token_expired` / `authentication_failed`; optionally `X-API-Key`
//!   and the `jwt-payload` development header.
//! * Discovery at `{base}/v1/.well-known/medscribealliance` and
//!   `/.well-known/medscribealliance`; the template list; sessions (create,
//!   get with long-poll, patch, end, process-template); chunk upload as a raw
//!   body; WebSocket streaming at the `upload_url` of a `stream` session;
//!   webhook registration with signed, retried deliveries.
//! * Strictness: unknown fields, more than two or unknown templates, bad chunk
//!   names, a Content-Type that does not fit the extension, audio that does
//!   not decode (every upload is decoded with `scribe_audio::inspect`), upload
//!   or patch after `end`, unknown and expired sessions are all refused with
//!   the protocol's error envelope. A chunk longer than the maximum, or an
//!   `audio_files_sent` that does not match what arrived, makes the session
//!   `partial` with `processing_errors`. Request bodies are read into
//!   scribe-protocol's request types and checked with their `validate`
//!   against this server's discovery document, so the simulator refuses
//!   exactly what a client's own validation refuses (session ids included);
//!   it adds only its template catalogue and the refusal of unknown fields.
//! * Session life `created` -> `recording` -> `processing` -> `completed` /
//!   `partial` / `failed`, with a processing delay, and expiry (410).
//! * Two result dialects ([`Dialect`]): Eka (`templates` as a list of
//!   single-key objects, epoch timestamps) and spec (object, ISO 8601).
//! * Fault injection per route, deterministic from a seed ([`FaultRule`]).
//! * Inspection under `/_sim/` and as [`Server`] methods: received files with
//!   bytes and SHA-256, the request log, webhook deliveries, and controls that
//!   expire or finish a session or expire tokens now.
//!
//! # What it does not do
//!
//! It does not transcribe speech or understand medicine. Results are
//! simulated and say so (`"simulated": true`, lines starting
//! `[simulated]`): the transcript has one line per processed chunk with its
//! name, its place on the session timeline and its decoded length, and each
//! template's `data` repeats those facts in that template's shape. They are
//! deterministic and derived only from the audio received, so a test can
//! check a pipeline end to end. It serves plain HTTP on loopback (no TLS),
//! keeps everything in memory, and delivers webhooks to loopback receivers
//! only.
#![deny(missing_docs)]

mod auth;
mod catalogue;
mod chunk;
#[cfg(feature = "cli")]
pub mod cli;
mod config;
mod error;
mod faults;
mod inspect;
mod paths;
mod reject;
mod render;
mod request_log;
mod results;
mod route;
mod routes;
mod server;
mod session;
mod state;
pub mod wav;
mod webhooks;

pub use config::{
    DEFAULT_API_KEY, DEFAULT_BUSINESS_ID, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Dialect,
    ServerBuilder, WebhookRetry,
};
pub use error::Error;
pub use faults::{FaultKind, FaultRule};
pub use inspect::{ReceivedFile, SessionSummary};
pub use request_log::RequestRecord;
pub use route::Route;
pub use server::{Controls, Server};
pub use webhooks::WebhookDelivery;
