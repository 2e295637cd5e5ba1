//! Audio for the EkaScribe SDK: any recording in, speech-bounded chunks out.
//!
//! * [`inspect`] tells what a recording is (format, codec, rate, channels,
//!   duration) by decoding it fully, so corrupt input fails early.
//! * [`chunk_audio`] turns a recording ([`AudioInput`]: a file, bytes, raw
//!   16-bit PCM or f32 samples) into a [`ChunkStream`] of upload-ready
//!   [`Chunk`]s: 16-bit mono 16 kHz WAV files holding only speech, each at
//!   most [`ChunkConfig::max_seconds`] long, named with the protocol's
//!   [`ChunkName`](scribe_protocol::chunk::ChunkName).
//! * [`speech_timestamps`] gives the speech segments alone, with the
//!   semantics of Silero's reference `get_speech_timestamps`.
//! * [`StreamingVad`] and [`StreamingChunker`] do the same for live PCM fed
//!   as it arrives.
//! * [`encode_wav`] writes 16-bit mono samples as a WAV file, with the same
//!   code that writes chunks.
//!
//! # How it works
//!
//! Decoding uses symphonia (plus libopus for Opus); the container is detected
//! from the content, not from a file name. Audio is mixed down to mono and
//! resampled to 16 kHz with rubato, block by block. Silero VAD runs through
//! ONNX Runtime, loaded at run time from the library and model that
//! `cargo xtask assets` puts in the cache (see [`AssetConfig`]). The default
//! [`VadMode::Sequential`] scores windows in the reference's exact order,
//! carrying the model's state from each window to the next as the
//! reference does. The model's stateless encoder is rebuilt in memory, from
//! its own weights, as an FFT spectrogram and a few whole-batch matrix
//! products: several times faster than the exported convolutions, with
//! probabilities equal to the reference's to float rounding (about 1e-6;
//! on the parity recordings every segment boundary is identical).
//! [`VadMode::sections`] scores parts of the recording in parallel, each
//! warmed up on the audio before it, for machines with cores to spare.
//!
//! The file pipeline runs on background threads joined by bounded channels.
//! MP3, FLAC, Vorbis and PCM recordings are decoded on every core at once,
//! in sections handed back in order, giving exactly the samples one decoder
//! gives; one thread resamples; the model's encoder runs on another, ahead
//! of its recurrent half, which keeps the exact window order on a third and
//! also packs chunks. Memory stays flat however long the recording, and the
//! first chunk is ready long before the file is decoded.
//!
//! Errors are one type, [`AudioError`], whose messages name the fix and
//! never carry audio. A recording damaged part way through (cut short, or
//! corrupt) gives the chunks of its audio up to the damage before the error,
//! and [`ChunkStream::damage`] says where the audio stops ([`AudioDamage`]),
//! so a caller can keep them and warn rather than fail.
#![deny(missing_docs)]

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
#[path = "fuzzing.rs"]
pub mod __fuzz;
mod assets;
mod chunk;
mod damage;
mod decode;
mod detector;
mod error;
mod inspect;
mod panic_guard;
mod pipeline;
mod resample;
mod source;
mod streaming;
mod vad;
mod wav;

pub use assets::{
    AssetConfig, CACHED_ORT_DYLIB, CACHED_VAD_MODEL, ORT_DYLIB_ENV, ResolvedAssets, VAD_MODEL_ENV,
    VAD_SEQUENCE_MODEL,
};
pub use chunk::{Chunk, ChunkConfig};
pub use damage::{AudioDamage, DamageKind};
pub use detector::ChunkSummary;
pub use error::AudioError;
pub use inspect::{AudioInfo, inspect};
pub use pipeline::{ChunkStream, PipelineConfig, chunk_audio, speech_timestamps};
pub use source::AudioInput;
pub use streaming::{PcmFormat, StreamingChunker, StreamingVad};
pub use vad::{SourceRange, VAD_SAMPLE_RATE, VadConfig, VadMode, WINDOW_SAMPLES};
pub use wav::encode_wav;
