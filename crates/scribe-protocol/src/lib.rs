//! Wire types and pure protocol logic for EkaScribe, spoken over the open
//! MedScribeAlliance protocol (v0.1).
//!
//! This crate is the bottom layer of the SDK: it knows every JSON shape,
//! path, error code and naming rule of the protocol, and does no I/O at all
//! (no sockets, no files, no clock, no async runtime). The transport, the
//! local simulator and the façade build on it; it is also useful alone, for
//! example to verify webhook signatures in a receiver.
//!
//! # Design
//!
//! * **Tolerant reading.** Servers disagree (the spec, Eka's production
//!   service and the reference server each have their own dialect) and newer
//!   servers add things. Every wire object keeps fields it does not know in a
//!   flattened `extra` map and writes them back unchanged; explicit `null`s are
//!   kept too. Every enum keeps strings it does not know as `Other(String)`.
//!   Timestamps read epoch numbers and ISO 8601 strings ([`Timestamp`]) and are
//!   written back in the form they came in. So a body read and written again
//!   is the same JSON value.
//! * **Strict writing.** Requests omit every field that is unset; enums write
//!   the documented strings. Requests can be checked before sending
//!   ([`session::CreateSessionRequest::validate`]), with errors that say what
//!   is wrong and how to fix it.
//! * **No I/O.** Functions take bytes, strings and the current time as
//!   arguments (see [`webhook::verify`]), so everything here is deterministic
//!   and testable without a network.
//! * **No secrets or patient data in errors.** `Debug` redacts credentials and
//!   tokens; [`error::ApiError`] keeps a server's error message but never a
//!   JSON body (FastAPI's echoed `input` is dropped); of an answer that is not
//!   JSON it keeps an HTML page's title or a short one-line excerpt.
//!
//! # A quick look
//!
//! ```
//! use scribe_protocol::chunk::{AudioExtension, ChunkName};
//! use scribe_protocol::session::{CreateSessionRequest, SessionResponse, SessionStatus};
//! use scribe_protocol::{error, paths};
//!
//! // Build and check a request before sending it.
//! let request = CreateSessionRequest::new(["clinical_notes_template"]);
//! request.validate(None)?;
//! assert_eq!(paths::SESSIONS, "/v1/sessions");
//!
//! // Name the chunks the way the server orders them.
//! let chunk = ChunkName::chunk(0, AudioExtension::Wav);
//! assert_eq!(paths::session_audio("ses_1", &chunk.to_string()), "/v1/sessions/ses_1/audio/chunk_0.wav");
//!
//! // Read a status answer with its HTTP status; the Eka list shape of
//! // `templates` and an epoch timestamp read like the spec's object shape.
//! let body = br#"{"session_id":"ses_1","status":"completed","created_at":1741000000,
//!   "templates":[{"clinical_notes_template":{"status":"success","data":{"notes":"..."}}}]}"#;
//! let session = SessionResponse::from_http(200, body)?;
//! assert_eq!(session.status, SessionStatus::Completed);
//! assert!(session.templates.as_ref().and_then(|t| t.get("clinical_notes_template")).is_some());
//!
//! // Any failed answer becomes one typed error.
//! let failure = error::ApiError::from_response(429, br#"{"detail":"Too many requests"}"#);
//! assert_eq!(failure.code, error::ErrorCode::RateLimitExceeded);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Modules
//!
//! * [`error`]: the error envelope, [`error::ErrorCode`] and
//!   [`error::ApiError::from_response`] for any failed answer.
//! * [`chunk`]: audio chunk names (`chunk_0.wav`) and their Content-Types.
//! * [`webhook`]: webhook registration, events and `X-MSA-Signature`.
//! * [`paths`]: every request path, and the origin of a base URL.
//! * [`auth`]: login and refresh bodies.
//! * [`session`]: create, status and results, end, update, validation.
//! * [`catalogue`]: models, upload types, languages and limits.
//! * [`discovery`]: the discovery document.
//! * [`templates`]: the template list.
//! * [`stream`]: WebSocket control frames.
//! * [`duration`]: durations written as text (`30s`, `250ms`), read the same
//!   way by the SDK's configuration and the simulator's flags.
//!
//! With the `schemars` feature every public wire type implements
//! `schemars::JsonSchema`; `cargo xtask codegen` writes those schemas to
//! `docs/schema/`.

#![deny(missing_docs)]

mod open_enum;
mod redact;
mod timestamp;
mod tolerant;

pub mod auth;
pub mod catalogue;
pub mod chunk;
pub mod discovery;
pub mod duration;
pub mod error;
pub mod paths;
pub mod session;
pub mod stream;
pub mod templates;
pub mod webhook;

pub use timestamp::Timestamp;
pub use tolerant::Extra;
