//! Speech detection on 16 kHz mono samples, the synchronous core shared by
//! the file pipeline and the live streaming types: samples in; the model's
//! probabilities, speech events, segments and (when chunking is asked for)
//! chunks out.

use crate::assets::{AssetConfig, ResolvedAssets};
use crate::chunk::{Chunk, ChunkConfig, Packer, PackerParams};
use crate::error::AudioError;
use crate::vad::model::VadModel;
use crate::vad::scorer::Scorer;
use crate::vad::segmenter::{Segmenter, SpeechEvent};
use crate::vad::{SourceRange, VAD_SAMPLE_RATE, VadConfig, VadMode};

/// What a recording held, known once it has been fully processed.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ChunkSummary {
    /// Length of the recording in seconds.
    pub source_seconds: f64,
    /// Speech found (including padding), in seconds.
    pub speech_seconds: f64,
    /// Speech segments found.
    pub segments: u64,
    /// Chunks emitted.
    pub chunks: u32,
}

impl ChunkSummary {
    /// True when the recording held no speech at all, so no chunk was made.
    pub fn no_speech(&self) -> bool {
        self.segments == 0
    }
}

/// The model's scorer, the segmenter and, when chunking, the packer, fed
/// the same samples in order.
pub(crate) struct SpeechDetector {
    scorer: Scorer,
    /// Where the model is, for extra encoder sessions.
    resolved: ResolvedAssets,
    threads: usize,
    segmenter: Segmenter,
    packer: Option<Packer>,
    probs: Vec<f32>,
    /// Samples of the windows just scored, on their way to the packer.
    scored: Vec<f32>,
    events: Vec<SpeechEvent>,
    total: u64,
    open_start: Option<u64>,
    segments: u64,
    speech_samples: u64,
    finished: bool,
}

impl std::fmt::Debug for SpeechDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeechDetector")
            .field("total", &self.total)
            .field("segments", &self.segments)
            .finish_non_exhaustive()
    }
}

impl SpeechDetector {
    /// Validates the configuration and loads the model (so that a missing
    /// runtime or model is reported here, before any audio is read).
    pub(crate) fn new(
        vad: &VadConfig,
        chunking: Option<&ChunkConfig>,
        assets: &AssetConfig,
    ) -> Result<Self, AudioError> {
        vad.validate()?;
        if let Some(c) = chunking {
            c.validate()?;
        }
        let resolved = assets.resolve()?;
        // One session per worker thread; sequential scoring uses one.
        let sessions = match vad.mode {
            VadMode::Sequential => 1,
            VadMode::Sections { .. } => vad.threads,
        };
        let models = (0..sessions)
            .map(|_| VadModel::load(&resolved))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            scorer: Scorer::new(models, vad.mode),
            resolved,
            threads: vad.threads,
            segmenter: Segmenter::new(vad.segmenter_params()),
            packer: chunking.map(|c| Packer::new(PackerParams::new(c))),
            probs: Vec::new(),
            scored: Vec::new(),
            events: Vec::new(),
            total: 0,
            open_start: None,
            segments: 0,
            speech_samples: 0,
            finished: false,
        })
    }

    /// Runs the model's encoder on its own thread (exact; results come a
    /// few jobs later), for the file pipeline. Call before any audio.
    pub(crate) fn pipeline_encoder(&mut self) -> Result<(), AudioError> {
        // Decoding already uses every core; more encoders than the cores
        // beyond the first only compete with it (measured slower on two).
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let encoders = self.threads.min(cores.saturating_sub(1)).max(1);
        self.scorer.pipeline_encoder(&self.resolved, encoders)
    }

    /// Adds 16 kHz mono samples; finished segments and chunks are appended.
    pub(crate) fn push(
        &mut self,
        samples: &[f32],
        segments: &mut Vec<SourceRange>,
        chunks: &mut Vec<Chunk>,
    ) -> Result<(), AudioError> {
        if self.finished {
            return Err(AudioError::InvalidConfig(
                "audio pushed after finish; start a new stream".into(),
            ));
        }
        self.total += samples.len() as u64;
        self.probs.clear();
        self.scored.clear();
        self.scorer
            .push(samples, &mut self.probs, &mut self.scored)?;
        if let Some(packer) = self.packer.as_mut() {
            packer.push_audio(&self.scored);
        }
        self.consume_probs(segments, chunks)
    }

    /// Ends the audio: scores the tail and closes open speech and chunks.
    pub(crate) fn finish(
        &mut self,
        segments: &mut Vec<SourceRange>,
        chunks: &mut Vec<Chunk>,
    ) -> Result<ChunkSummary, AudioError> {
        if !self.finished {
            self.probs.clear();
            self.scored.clear();
            self.scorer.finish(&mut self.probs, &mut self.scored)?;
            if let Some(packer) = self.packer.as_mut() {
                packer.push_audio(&self.scored);
            }
            self.consume_probs(segments, chunks)?;
            self.events.clear();
            self.segmenter.finish(self.total, &mut self.events);
            self.apply_events(segments, chunks)?;
            if let Some(packer) = self.packer.as_mut() {
                packer.finish(chunks)?;
            }
            self.finished = true;
        }
        Ok(self.summary())
    }

    pub(crate) fn summary(&self) -> ChunkSummary {
        let rate = f64::from(VAD_SAMPLE_RATE);
        ChunkSummary {
            source_seconds: self.total as f64 / rate,
            speech_seconds: self.speech_samples as f64 / rate,
            segments: self.segments,
            chunks: self.packer.as_ref().map_or(0, Packer::chunks_emitted),
        }
    }

    fn consume_probs(
        &mut self,
        segments: &mut Vec<SourceRange>,
        chunks: &mut Vec<Chunk>,
    ) -> Result<(), AudioError> {
        if self.probs.is_empty() {
            return Ok(());
        }
        if let Some(packer) = self.packer.as_mut() {
            packer.push_probs(&self.probs);
        }
        let probs = std::mem::take(&mut self.probs);
        for &p in &probs {
            self.events.clear();
            self.segmenter.push(p, &mut self.events);
            self.apply_events(segments, chunks)?;
            if let Some(packer) = self.packer.as_mut() {
                packer.check_open(self.segmenter.certain_until(), chunks)?;
            }
        }
        self.probs = probs;
        if let Some(packer) = self.packer.as_mut() {
            packer.trim(self.segmenter.floor());
        }
        Ok(())
    }

    fn apply_events(
        &mut self,
        segments: &mut Vec<SourceRange>,
        chunks: &mut Vec<Chunk>,
    ) -> Result<(), AudioError> {
        for i in 0..self.events.len() {
            let event = self.events[i];
            match event {
                SpeechEvent::Start(at) => self.open_start = Some(at),
                SpeechEvent::End(at) => {
                    let start = self.open_start.take().unwrap_or(at);
                    let end = at.min(self.total);
                    segments.push(SourceRange { start, end });
                    self.segments += 1;
                    self.speech_samples += end.saturating_sub(start);
                }
            }
            if let Some(packer) = self.packer.as_mut() {
                packer.on_event(event, chunks)?;
            }
        }
        Ok(())
    }
}
