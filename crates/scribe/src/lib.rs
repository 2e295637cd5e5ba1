//! The EkaScribe SDK: audio in, structured clinical notes out, over the
//! MedScribeAlliance protocol.
//!
//! ```no_run
//! # #[cfg(feature = "audio")]
//! # async fn run() -> Result<(), scribe::Error> {
//! let client = scribe::ScribeClient::from_env()?; // loads .env
//! let s = client.create_session(Default::default()).await?;
//! client.upload_audio_file(&s.session_id, "visit.wav").await?; // decode + VAD + upload + end
//! let result = client.wait_for_results(&s.session_id).await?;
//! # let _ = result;
//! # Ok(()) }
//! ```
//!
//! * [`ScribeClient`] (async, tokio) and [`blocking::ScribeClient`] (for
//!   scripts; same method names) are configured by [`ScribeClient::builder`],
//!   the environment and a config file; see [`config`].
//! * Recordings are decoded, cut at speech boundaries by voice activity
//!   detection and uploaded chunk by chunk, each as soon as it exists, a few
//!   at a time, with retries; then the session is ended with the exact count
//!   ([`ScribeClient::upload_audio_file`], feature `audio`, on by default).
//!   Without the feature the SDK speaks HTTP only and never builds ONNX
//!   Runtime or the decoders: upload encoded chunks with
//!   [`ScribeClient::upload_chunks`].
//! * Live audio streams over a WebSocket ([`ScribeClient::open_stream`]).
//! * Results: [`ScribeClient::wait_for_results`] and [`ScribeClient::watch`]
//!   give a [`SessionResult`].
//! * Every failure is one [`Error`] with kind queries; it never shows a
//!   secret or patient data.
//! * Credentials are sent only to `base_url`'s host; a URL a server hands
//!   out for another host receives none.
//! * Only requests that cannot duplicate work are retried: chunk uploads,
//!   `end`, reads, and a create carrying a client-chosen `session_id`.
//!
//! The layers are re-exported for those who need one of them:
//! [`protocol`] (wire types), [`transport`], [`auth`] and, with `audio`,
//! [`audio`].
#![deny(missing_docs)]

pub mod blocking;
mod client;
pub mod config;
mod credentials;
mod error;
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
pub use protocol::catalogue::{Model, SessionMode};
pub use protocol::chunk::AudioExtension;
pub use results::SessionResult;
pub use session::{SessionOptions, Sessions};
pub use stream::{FrameMode, LiveStream, StreamOptions, StreamSummary};
pub use tokio_util::sync::CancellationToken;
#[cfg(feature = "audio")]
pub use upload::AudioSource;
pub use upload::{AudioChunk, Progress, ProgressEvent, UploadOptions, UploadSummary};
pub use wait::WaitOptions;

/// Protocol limits used by configuration checks.
mod protocol_limits {
    pub(crate) use crate::protocol::catalogue::{LANGUAGES, MAX_TEMPLATES};
}
