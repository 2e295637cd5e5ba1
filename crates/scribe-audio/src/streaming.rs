//! Live audio: PCM fed as it arrives (a microphone, a WebSocket source).
//!
//! The model state carries across calls, and results are returned as soon
//! as they are final, so feeding a recording piece by piece gives exactly
//! what feeding it whole gives.

use crate::assets::AssetConfig;
use crate::chunk::{Chunk, ChunkConfig};
use crate::detector::{ChunkSummary, SpeechDetector};
use crate::error::AudioError;
use crate::resample::To16k;
use crate::source::downmix;
use crate::vad::{SourceRange, VadConfig, VadMode};

/// The layout of live PCM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PcmFormat {
    /// Frames per second.
    pub sample_rate: u32,
    /// Interleaved channels.
    pub channels: u16,
}

impl PcmFormat {
    /// 16 kHz mono, the model's native format.
    pub const MONO_16K: PcmFormat = PcmFormat {
        sample_rate: 16_000,
        channels: 1,
    };
}

/// Converts live interleaved PCM to 16 kHz mono, keeping partial frames and
/// odd bytes between calls.
struct LiveInput {
    channels: usize,
    resampler: To16k,
    carry_bytes: Vec<u8>,
    carry_samples: Vec<f32>,
    interleaved: Vec<f32>,
    mono: Vec<f32>,
    out: Vec<f32>,
}

impl LiveInput {
    fn new(format: PcmFormat) -> Result<Self, AudioError> {
        if format.channels == 0 {
            return Err(AudioError::InvalidChannels { channels: 0 });
        }
        Ok(Self {
            channels: usize::from(format.channels),
            resampler: To16k::new(format.sample_rate)?,
            carry_bytes: Vec::new(),
            carry_samples: Vec::new(),
            interleaved: Vec::new(),
            mono: Vec::new(),
            out: Vec::new(),
        })
    }

    fn push_i16le(&mut self, bytes: &[u8]) -> Result<&[f32], AudioError> {
        self.carry_bytes.extend_from_slice(bytes);
        let whole = self.carry_bytes.len() / 2 * 2;
        let samples: Vec<f32> = self.carry_bytes[..whole]
            .chunks_exact(2)
            .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
            .collect();
        self.carry_bytes.drain(..whole);
        self.push_f32(&samples)
    }

    fn push_f32(&mut self, samples: &[f32]) -> Result<&[f32], AudioError> {
        self.interleaved.clear();
        self.interleaved.append(&mut self.carry_samples);
        self.interleaved.extend_from_slice(samples);
        let whole = self.interleaved.len() / self.channels * self.channels;
        self.carry_samples
            .extend_from_slice(&self.interleaved[whole..]);
        downmix(&self.interleaved[..whole], self.channels, &mut self.mono);
        self.out.clear();
        self.resampler.push(&self.mono, &mut self.out)?;
        Ok(&self.out)
    }

    fn finish(&mut self) -> Result<&[f32], AudioError> {
        self.out.clear();
        self.resampler.finish(&mut self.out)?;
        Ok(&self.out)
    }
}

fn live_vad_config(vad: &VadConfig) -> VadConfig {
    // Live audio is scored as it arrives; sections would wait for a whole
    // block. Sequential also makes live results equal the exact mode.
    let mut vad = vad.clone();
    if matches!(vad.mode, VadMode::Sections { .. }) {
        vad.mode = VadMode::Sequential;
    }
    vad
}

/// Speech detection over live PCM: each call returns the speech segments
/// that became final.
///
/// Scoring is always sequential here (a live source arrives far slower than
/// the model runs), so the result equals [`crate::speech_timestamps`] in
/// [`VadMode::Sequential`] on the same audio.
#[derive(Debug)]
pub struct StreamingVad {
    input: LiveInput,
    detector: SpeechDetector,
}

impl std::fmt::Debug for LiveInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveInput")
            .field("channels", &self.channels)
            .field("resampler", &self.resampler)
            .finish_non_exhaustive()
    }
}

impl StreamingVad {
    /// Loads the model for live PCM in `format`.
    ///
    /// # Errors
    ///
    /// Configuration errors, [`AudioError::RuntimeMissing`] /
    /// [`AudioError::ModelMissing`] when the assets are not found.
    pub fn new(
        format: PcmFormat,
        vad: &VadConfig,
        assets: &AssetConfig,
    ) -> Result<Self, AudioError> {
        Ok(Self {
            input: LiveInput::new(format)?,
            detector: SpeechDetector::new(&live_vad_config(vad), None, assets)?,
        })
    }

    /// Feeds interleaved f32 samples; returns segments that became final.
    ///
    /// # Errors
    ///
    /// [`AudioError::Runtime`] if the model fails.
    pub fn push_f32(&mut self, samples: &[f32]) -> Result<Vec<SourceRange>, AudioError> {
        let mono = self.input.push_f32(samples)?;
        let mut segments = Vec::new();
        self.detector.push(mono, &mut segments, &mut Vec::new())?;
        Ok(segments)
    }

    /// Feeds interleaved 16-bit little-endian PCM bytes (any split, even
    /// mid-sample); returns segments that became final.
    ///
    /// # Errors
    ///
    /// [`AudioError::Runtime`] if the model fails.
    pub fn push_i16le(&mut self, bytes: &[u8]) -> Result<Vec<SourceRange>, AudioError> {
        let mono = self.input.push_i16le(bytes)?;
        let mut segments = Vec::new();
        self.detector.push(mono, &mut segments, &mut Vec::new())?;
        Ok(segments)
    }

    /// Ends the stream; returns the remaining segments.
    ///
    /// # Errors
    ///
    /// [`AudioError::Runtime`] if the model fails.
    pub fn finish(mut self) -> Result<Vec<SourceRange>, AudioError> {
        let mono = self.input.finish()?;
        let mut segments = Vec::new();
        self.detector.push(mono, &mut segments, &mut Vec::new())?;
        self.detector.finish(&mut segments, &mut Vec::new())?;
        Ok(segments)
    }
}

/// Chunking over live PCM: each call returns the chunks that became final.
///
/// ```no_run
/// use scribe_audio::{AssetConfig, ChunkConfig, PcmFormat, StreamingChunker, VadConfig};
///
/// let mut chunker = StreamingChunker::new(
///     PcmFormat { sample_rate: 48_000, channels: 2 },
///     &VadConfig::default(),
///     &ChunkConfig::default(),
///     &AssetConfig::default(),
/// )?;
/// # let frames_from_microphone: Vec<Vec<u8>> = Vec::new();
/// for bytes in frames_from_microphone {
///     for chunk in chunker.push_i16le(&bytes)? {
///         println!("{} ready: {:.1} s", chunk.name, chunk.duration_seconds);
///     }
/// }
/// let (last, summary) = chunker.finish()?;
/// # let _ = (last, summary);
/// # Ok::<(), scribe_audio::AudioError>(())
/// ```
#[derive(Debug)]
pub struct StreamingChunker {
    input: LiveInput,
    detector: SpeechDetector,
}

impl StreamingChunker {
    /// Loads the model for live PCM in `format`.
    ///
    /// # Errors
    ///
    /// Configuration errors, [`AudioError::RuntimeMissing`] /
    /// [`AudioError::ModelMissing`] when the assets are not found.
    pub fn new(
        format: PcmFormat,
        vad: &VadConfig,
        chunking: &ChunkConfig,
        assets: &AssetConfig,
    ) -> Result<Self, AudioError> {
        Ok(Self {
            input: LiveInput::new(format)?,
            detector: SpeechDetector::new(&live_vad_config(vad), Some(chunking), assets)?,
        })
    }

    /// Feeds interleaved f32 samples; returns chunks that became final.
    ///
    /// # Errors
    ///
    /// [`AudioError::Runtime`] if the model fails.
    pub fn push_f32(&mut self, samples: &[f32]) -> Result<Vec<Chunk>, AudioError> {
        let mono = self.input.push_f32(samples)?;
        let mut chunks = Vec::new();
        self.detector.push(mono, &mut Vec::new(), &mut chunks)?;
        Ok(chunks)
    }

    /// Feeds interleaved 16-bit little-endian PCM bytes (any split); returns
    /// chunks that became final.
    ///
    /// # Errors
    ///
    /// [`AudioError::Runtime`] if the model fails.
    pub fn push_i16le(&mut self, bytes: &[u8]) -> Result<Vec<Chunk>, AudioError> {
        let mono = self.input.push_i16le(bytes)?;
        let mut chunks = Vec::new();
        self.detector.push(mono, &mut Vec::new(), &mut chunks)?;
        Ok(chunks)
    }

    /// Ends the stream; returns the last chunks and what the stream held.
    ///
    /// # Errors
    ///
    /// [`AudioError::Runtime`] if the model fails.
    pub fn finish(mut self) -> Result<(Vec<Chunk>, ChunkSummary), AudioError> {
        let mono = self.input.finish()?;
        let mut chunks = Vec::new();
        self.detector.push(mono, &mut Vec::new(), &mut chunks)?;
        let summary = self.detector.finish(&mut Vec::new(), &mut chunks)?;
        Ok((chunks, summary))
    }
}
