//! The EkaScribe SDK: audio in, structured clinical notes out, over the
//! MedScribeAlliance protocol.
//!
//! ```no_run
//! # #[cfg(feature = "audio")]
//! # async fn run() -> Result<(), scribe::Error> {
//! let client = scribe::ScribeClient::from_env()?; // loads .env
//! let session = client.create_session().await?;
//! session.upload_file("visit.wav").await?; // decode + VAD + upload + end
//! let result = session.wait().await?;
//! # let _ = result;
//! # Ok(()) }
//! ```
//!
//! * [`ScribeClient`] (async, tokio) and [`blocking::ScribeClient`] (for
//!   scripts) are configured by [`ScribeClient::builder`], the environment
//!   and a config file; see [`config`].
//! * [`ScribeClient::create_session`] gives a [`Session`], the handle of
//!   every call on one session; [`ScribeClient::session`] re-attaches to
//!   one made earlier.
//! * There is one way to do each thing: an operation with options is a
//!   builder that runs on `.await` ([`CreateSession`], [`Upload`], [`Wait`],
//!   [`Watch`], [`OpenStream`]); the blocking client has the same builders,
//!   finished with `.send()`.
//! * Recordings are decoded, cut at speech boundaries by voice activity
//!   detection and uploaded chunk by chunk, each as soon as it exists, a few
//!   at a time; then the session is ended with the exact count
//!   ([`Session::upload_file`], feature `audio`, on by default). Without the
//!   feature the SDK speaks HTTP only and never builds ONNX Runtime or the
//!   decoders: upload encoded chunks with [`Session::upload_chunks`].
//! * Live audio streams over a WebSocket ([`Session::open_stream`]).
//! * Results: [`Session::wait`] and [`Session::watch`] give a
//!   [`SessionResult`].
//! * Every failure is one [`Error`] with an [`ErrorKind`] and `is_*`
//!   queries; it never shows a secret or patient data.
//! * Credentials are sent only to `base_url`'s host; a URL a server hands
//!   out for another host receives none.
//! * One retry layer, the client's [`RetryPolicy`](transport::RetryPolicy),
//!   covers every request that cannot duplicate work: chunk uploads, `end`,
//!   reads, and a create carrying a caller-chosen session id.
//! * Cancellation takes any future (`cancel_on`), so no crate's token type
//!   is part of the API; dropping a future also stops its work.
//!
//! The layers are re-exported for those who need one of them:
//! [`protocol`] (wire types), [`transport`], [`auth`] and, with `audio`,
//! [`audio`].
#![deny(missing_docs)]

pub mod blocking;
mod cancel;
mod client;
pub mod config;
mod credentials;
mod error;
mod flavor;
mod results;
mod session;
pub mod stream;
mod upload;
mod wait;

#[cfg(feature = "audio")]
pub use scribe_audio as audio;
pub use scribe_auth as auth;
pub use scribe_protocol as protocol;
pub use scribe_transport as transport;

pub use client::{ClientBuilder, DEFAULT_UPLOAD_CONCURRENCY, ScribeClient};
pub use error::{Error, ErrorKind};
pub use flavor::BoxFuture;
pub use protocol::catalogue::{Model, SessionMode};
pub use protocol::chunk::AudioExtension;
pub use results::SessionResult;
pub use session::{CreateSession, Session};
pub use stream::{FrameMode, LiveStream, OpenStream, ServerMessage, StreamSummary};
#[cfg(feature = "audio")]
pub use upload::AudioSource;
pub use upload::{AudioChunk, ProgressEvent, Upload, UploadSummary};
pub use wait::{Wait, Watch};

/// Protocol limits used by configuration checks.
mod protocol_limits {
    pub(crate) use crate::protocol::catalogue::{LANGUAGES, MAX_TEMPLATES};
}
