//! Audio for the EkaScribe SDK: any recording in, speech-bounded chunks out.
//!
//! * [`inspect`] tells what a recording is (format, codec, rate, channels,
//!   duration) by decoding it fully, so corrupt input fails early.
//!
//! Decoding uses symphonia (plus libopus for Opus); the container is detected
//! from the content, not from a file name. Errors are one type,
//! [`AudioError`], whose messages name the fix and never carry audio.
#![deny(missing_docs)]

mod decode;
mod error;
mod guard;
mod inspect;

pub use error::AudioError;
pub use inspect::{AudioInfo, inspect};
