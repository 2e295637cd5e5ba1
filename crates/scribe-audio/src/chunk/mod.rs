//! Speech segments packed into upload-ready chunks.
//!
//! Consecutive speech segments, in order and with their audio untouched, are
//! concatenated into a chunk until it reaches the target length; a segment
//! that would push the chunk past the maximum starts the next chunk. A
//! single run of speech longer than the maximum is cut at the least
//! speech-like window (lowest VAD probability) in the few seconds before the
//! limit. Chunks are emitted as soon as their content is final.

mod packer;

use scribe_protocol::chunk::{AudioExtension, ChunkName};

use crate::error::AudioError;
use crate::vad::SourceRange;

pub(crate) use packer::{Packer, PackerParams};

/// How speech is packed into chunks.
///
/// ```
/// use scribe_audio::ChunkConfig;
///
/// // The façade passes discovery's `max_chunk_duration_seconds`.
/// let config = ChunkConfig::default().with_max_seconds(24.0);
/// assert_eq!(config.target_seconds, 10.0);
/// config.validate()?;
/// # Ok::<(), scribe_audio::AudioError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ChunkConfig {
    /// A chunk is closed once it holds this much speech (10 s); a target
    /// above the maximum acts as the maximum.
    pub target_seconds: f64,
    /// No chunk is longer than this (20 s).
    pub max_seconds: f64,
    /// How far before the limit to look for the quietest window when one
    /// run of speech must be cut (3 s).
    pub split_search_seconds: f64,
    /// File name base: chunks are named `{base}_{index}.wav` ("chunk").
    pub base_name: String,
}

impl Default for ChunkConfig {
    fn default() -> Self {
        Self {
            target_seconds: 10.0,
            max_seconds: 20.0,
            split_search_seconds: 3.0,
            base_name: scribe_protocol::chunk::DEFAULT_BASE.to_string(),
        }
    }
}

impl ChunkConfig {
    /// Sets the target length.
    #[must_use]
    pub fn with_target_seconds(mut self, seconds: f64) -> Self {
        self.target_seconds = seconds;
        self
    }

    /// Sets the maximum length (for example discovery's
    /// `max_chunk_duration_seconds`).
    #[must_use]
    pub fn with_max_seconds(mut self, seconds: f64) -> Self {
        self.max_seconds = seconds;
        self
    }

    /// Sets how far before the limit a long run may be cut.
    #[must_use]
    pub fn with_split_search_seconds(mut self, seconds: f64) -> Self {
        self.split_search_seconds = seconds;
        self
    }

    /// Sets the chunk file name base.
    #[must_use]
    pub fn with_base_name(mut self, base: impl Into<String>) -> Self {
        self.base_name = base.into();
        self
    }

    /// Checks ranges and the name base.
    ///
    /// # Errors
    ///
    /// [`AudioError::InvalidConfig`] naming the bad value.
    pub fn validate(&self) -> Result<(), AudioError> {
        let bad = |what: String| Err(AudioError::InvalidConfig(what));
        if !(self.max_seconds.is_finite() && self.max_seconds >= 0.1) {
            return bad(format!(
                "max chunk length {} s must be at least 0.1 s",
                self.max_seconds
            ));
        }
        if !(self.target_seconds.is_finite() && self.target_seconds > 0.0) {
            return bad(format!(
                "target chunk length {} s must be positive",
                self.target_seconds
            ));
        }
        if !(self.split_search_seconds.is_finite() && self.split_search_seconds >= 0.0) {
            return bad(format!(
                "split search {} s must be zero or more",
                self.split_search_seconds
            ));
        }
        ChunkName::new(&self.base_name, 0, AudioExtension::Wav)
            .map_err(|e| AudioError::InvalidConfig(format!("chunk base name: {e}")))?;
        Ok(())
    }
}

/// One upload-ready piece of speech: 16-bit mono 16 kHz WAV.
#[derive(Clone, PartialEq)]
pub struct Chunk {
    /// Position in the session, from 0.
    pub index: u32,
    /// The protocol file name (`chunk_{index}.wav`).
    pub name: ChunkName,
    /// The complete WAV file.
    pub wav: Vec<u8>,
    /// Length of the audio in seconds.
    pub duration_seconds: f64,
    /// The parts of the source, in order, whose audio this chunk holds back
    /// to back (16 kHz sample coordinates).
    pub speech: Vec<SourceRange>,
}

impl Chunk {
    /// The chunk's audio as 16-bit mono samples at 16 kHz, read back from
    /// [`wav`](Self::wav) (for example to stream it as raw PCM).
    ///
    /// # Errors
    ///
    /// [`AudioError::Corrupt`] when `wav` was replaced by something that is
    /// not 16-bit PCM WAV.
    pub fn samples(&self) -> Result<Vec<i16>, AudioError> {
        crate::wav::decode_wav(&self.wav)
    }
}

impl std::fmt::Debug for Chunk {
    // The WAV bytes are patient audio: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chunk")
            .field("index", &self.index)
            .field("name", &self.name.to_string())
            .field("wav_bytes", &self.wav.len())
            .field("duration_seconds", &self.duration_seconds)
            .field("speech", &self.speech)
            .finish()
    }
}
