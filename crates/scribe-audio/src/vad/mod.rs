//! Voice activity detection with Silero VAD.
//!
//! [`VadConfig`] holds the reference `get_speech_timestamps` parameters
//! (same defaults) and the batching mode; [`SourceRange`]s are in 16 kHz
//! sample coordinates, as the reference reports them.

pub(crate) mod model;
pub(crate) mod onnx_proto;
pub(crate) mod pipelined;
pub(crate) mod rebuilt_encoder;
pub(crate) mod scorer;
pub(crate) mod segmenter;
pub(crate) mod spectrogram;
pub(crate) mod split_graph;

pub use model::{VAD_SAMPLE_RATE, WINDOW_SAMPLES};
pub use scorer::VadMode;

use crate::error::AudioError;
use segmenter::SegmenterParams;

/// Speech detection parameters. Defaults are those of Silero's reference
/// `get_speech_timestamps`; `max_speech_duration_s` has no equivalent (the
/// chunker bounds lengths instead).
///
/// ```
/// use scribe_audio::{VadConfig, VadMode};
///
/// let parallel = VadConfig::default().with_mode(VadMode::sections());
/// assert_eq!(parallel.threshold, 0.5);
/// assert_eq!(VadConfig::default().mode, VadMode::Sequential);
/// assert_eq!(parallel.effective_neg_threshold(), 0.35);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct VadConfig {
    /// Probability at or above which a window is speech (0.5).
    pub threshold: f32,
    /// Probability below which speech pauses; `None` means
    /// `max(threshold - 0.15, 0.01)` (0.35).
    pub neg_threshold: Option<f32>,
    /// Speech not longer than this is dropped (250 ms).
    pub min_speech_ms: u32,
    /// Quiet this long ends speech (100 ms).
    pub min_silence_ms: u32,
    /// Padding added on each side of speech (30 ms).
    pub speech_pad_ms: u32,
    /// How windows are run through the model ([`VadMode::Sequential`], the
    /// exact reference order, by default; [`VadMode::sections`] runs parts
    /// of the recording in parallel).
    pub mode: VadMode,
    /// Worker threads, each with its own model session (2): in
    /// [`VadMode::Sections`] they share a block's sections; in the file
    /// pipeline's [`VadMode::Sequential`] they run the model's encoder
    /// (exact either way), capped at one fewer than the machine's cores
    /// since decoding uses them too. Live scoring uses the caller's thread.
    pub threads: usize,
}

impl Default for VadConfig {
    fn default() -> Self {
        Self {
            threshold: 0.5,
            neg_threshold: None,
            min_speech_ms: 250,
            min_silence_ms: 100,
            speech_pad_ms: 30,
            mode: VadMode::default(),
            threads: 2,
        }
    }
}

impl VadConfig {
    /// Sets the speech threshold.
    #[must_use]
    pub fn with_threshold(mut self, threshold: f32) -> Self {
        self.threshold = threshold;
        self
    }

    /// Sets the negative (pause) threshold.
    #[must_use]
    pub fn with_neg_threshold(mut self, neg_threshold: f32) -> Self {
        self.neg_threshold = Some(neg_threshold);
        self
    }

    /// Sets the minimum speech duration.
    #[must_use]
    pub fn with_min_speech_ms(mut self, ms: u32) -> Self {
        self.min_speech_ms = ms;
        self
    }

    /// Sets the minimum silence that ends speech.
    #[must_use]
    pub fn with_min_silence_ms(mut self, ms: u32) -> Self {
        self.min_silence_ms = ms;
        self
    }

    /// Sets the padding around speech.
    #[must_use]
    pub fn with_speech_pad_ms(mut self, ms: u32) -> Self {
        self.speech_pad_ms = ms;
        self
    }

    /// Sets the batching mode.
    #[must_use]
    pub fn with_mode(mut self, mode: VadMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the worker threads (see [`VadConfig::threads`]).
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// The negative threshold in effect.
    pub fn effective_neg_threshold(&self) -> f32 {
        self.neg_threshold
            .unwrap_or_else(|| (self.threshold - 0.15).max(0.01))
    }

    /// Checks ranges.
    ///
    /// # Errors
    ///
    /// [`AudioError::InvalidConfig`] naming the bad value.
    pub fn validate(&self) -> Result<(), AudioError> {
        let bad = |what: String| Err(AudioError::InvalidConfig(what));
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return bad(format!(
                "VAD threshold {} must be in (0, 1]",
                self.threshold
            ));
        }
        let neg = self.effective_neg_threshold();
        if !(neg >= 0.0 && neg <= self.threshold) {
            return bad(format!(
                "VAD negative threshold {neg} must be in [0, threshold {}]",
                self.threshold
            ));
        }
        if let VadMode::Sections {
            sections,
            block_windows,
            ..
        } = self.mode
            && (sections == 0 || block_windows == 0)
        {
            return bad("VAD sections and block_windows must be at least 1".into());
        }
        if self.threads == 0 || self.threads > 64 {
            return bad(format!("VAD threads {} must be 1 to 64", self.threads));
        }
        Ok(())
    }

    pub(crate) fn segmenter_params(&self) -> SegmenterParams {
        let samples = |ms: u32| u64::from(ms) * u64::from(VAD_SAMPLE_RATE) / 1000;
        SegmenterParams {
            threshold: self.threshold,
            neg_threshold: self.effective_neg_threshold(),
            min_speech: samples(self.min_speech_ms),
            min_silence: samples(self.min_silence_ms),
            pad: samples(self.speech_pad_ms),
        }
    }
}

/// A stretch of the recording, in samples of its 16 kHz mono form (the
/// reference's coordinates), end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceRange {
    /// First sample.
    pub start: u64,
    /// One past the last sample.
    pub end: u64,
}

impl SourceRange {
    /// Start in seconds.
    pub fn start_seconds(&self) -> f64 {
        self.start as f64 / f64::from(VAD_SAMPLE_RATE)
    }

    /// End in seconds.
    pub fn end_seconds(&self) -> f64 {
        self.end as f64 / f64::from(VAD_SAMPLE_RATE)
    }

    /// Length in samples.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the segment holds no samples.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}
