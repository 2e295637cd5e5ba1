//! A last line of defence around third-party decoders.
//!
//! symphonia and libopus are careful, but a crafted file must never take the
//! caller's process down: a panic inside decoding becomes
//! [`AudioError::Corrupt`].

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::error::AudioError;

/// Runs `f`, turning a panic into a corrupt-input error.
pub(crate) fn catch_decoder_panic<T>(
    f: impl FnOnce() -> Result<T, AudioError>,
) -> Result<T, AudioError> {
    // The closure's state is dropped on unwind and never observed again, so
    // asserting unwind safety is sound here.
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        Err(AudioError::Corrupt {
            detail: "the decoder rejected the stream".into(),
        })
    })
}
