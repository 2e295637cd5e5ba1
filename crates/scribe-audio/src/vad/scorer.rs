//! 16 kHz audio to one speech probability per 512-sample window.
//!
//! Sequential mode does exactly what the reference does: windows in order,
//! the state of each feeding the next, the 64 samples before each window as
//! its context, zeros before the start and after the end.
//!
//! Sections mode trades a little exactness for using more cores: a block of
//! windows is cut into sections scored at the same time on worker threads.
//! The first section continues the exact state of the previous block; every
//! other section starts from a zero state some windows early (the warm-up),
//! on the real audio before it, so that by its first window the state has
//! mostly forgotten the zero start. The last section's state carries into
//! the next block.
//!
//! Blocks grow from a short first block (scored exactly, so the first
//! results come quickly) to the configured size. Block boundaries depend
//! only on the window index, so the same audio always gets the same
//! probabilities however it is fed.

use super::model::{CONTEXT_SAMPLES, ROW_SAMPLES, STATE_PER_ROW, VadModel, WINDOW_SAMPLES};
use super::pipelined::PipelinedScorer;
use crate::assets::ResolvedAssets;
use crate::error::AudioError;

/// How the windows of a recording are run through the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VadMode {
    /// One stream of windows in order, exactly as the reference does.
    Sequential,
    /// Blocks of up to `block_windows` windows, each split into up to
    /// `sections` sections scored in parallel, each section after the first
    /// warmed up on `warmup_windows` windows of the audio before it.
    Sections {
        /// Sections per block (spread over [`VadConfig::threads`](crate::VadConfig::threads)).
        sections: usize,
        /// Windows of warm-up before each section after the first.
        warmup_windows: usize,
        /// Windows per block, at most (memory and latency grow with it).
        block_windows: usize,
    },
}

impl VadMode {
    /// The parallel mode with this crate's defaults: 2 sections, 25.6 s of
    /// warm-up, blocks of up to about 4.3 minutes (8000 windows). On the
    /// recordings tested its segments equal the exact mode's; it pays off
    /// only with cores to spare (decoding already keeps a second core busy).
    pub const fn sections() -> Self {
        VadMode::Sections {
            sections: 2,
            warmup_windows: 800,
            block_windows: 8_000,
        }
    }
}

impl Default for VadMode {
    /// [`VadMode::Sequential`]: exact, and with the model's sequence export
    /// as fast as the parallel mode on two cores.
    fn default() -> Self {
        VadMode::Sequential
    }
}

/// Windows in the first block; each later block doubles, up to the
/// configured size.
const FIRST_BLOCK_WINDOWS: usize = 256;

/// A section must be at least this many times its warm-up (or it is not
/// worth splitting off).
const MIN_SECTION_OVER_WARMUP: usize = 2;

/// One section: windows fed from `feed_from`, kept from `keep_from` until
/// `keep_to` (block-relative).
#[derive(Debug, Clone, Copy)]
struct Section {
    feed_from: usize,
    keep_from: usize,
    keep_to: usize,
}

pub(crate) struct Scorer {
    models: Vec<VadModel>,
    mode: VadMode,
    /// The 64 samples before the next unscored window, then the unscored
    /// samples.
    pending: Vec<f32>,
    /// Recurrent state after the last scored window (h then c).
    state: Vec<f32>,
    blocks_scored: u32,
    /// Exact scoring with the encoder on its own thread (the file
    /// pipeline's sequential mode, when the model could be split).
    pipelined: Option<PipelinedScorer>,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer")
            .field("mode", &self.mode)
            .field("blocks_scored", &self.blocks_scored)
            .finish_non_exhaustive()
    }
}

impl Scorer {
    /// `models` holds one session per worker thread (at least one).
    pub(crate) fn new(models: Vec<VadModel>, mode: VadMode) -> Self {
        Self {
            models,
            mode,
            pending: vec![0.0; CONTEXT_SAMPLES],
            state: vec![0.0; STATE_PER_ROW],
            blocks_scored: 0,
            pipelined: None,
        }
    }

    /// Moves the encoder half of the model to `threads` threads of its own,
    /// when the mode is sequential and the model was split (else nothing
    /// changes). Call before any audio.
    pub(crate) fn pipeline_encoder(
        &mut self,
        assets: &ResolvedAssets,
        threads: usize,
    ) -> Result<(), AudioError> {
        if self.mode != VadMode::Sequential || self.models.len() != 1 || self.pipelined.is_some() {
            return Ok(());
        }
        match self.models.pop() {
            Some(VadModel::Split { encoder, recurrent }) => {
                let mut encoders = vec![encoder];
                while encoders.len() < threads {
                    match VadModel::load(assets)? {
                        VadModel::Split { encoder, .. } => encoders.push(encoder),
                        _ => break,
                    }
                }
                self.pipelined = Some(PipelinedScorer::new(encoders, recurrent)?);
            }
            Some(other) => self.models.push(other),
            None => {}
        }
        Ok(())
    }

    fn next_block_windows(&self) -> usize {
        match self.mode {
            VadMode::Sequential => 1,
            VadMode::Sections { block_windows, .. } => {
                let grown = FIRST_BLOCK_WINDOWS
                    .checked_shl(self.blocks_scored.min(24))
                    .unwrap_or(usize::MAX);
                grown.min(block_windows.max(1))
            }
        }
    }

    /// Adds 16 kHz samples; appends the probabilities of every window that
    /// could be scored to `probs`, and those windows' samples to `scored`.
    pub(crate) fn push(
        &mut self,
        samples: &[f32],
        probs: &mut Vec<f32>,
        scored: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        if let Some(pipelined) = self.pipelined.as_mut() {
            return pipelined.push(samples, probs, scored);
        }
        self.pending.extend_from_slice(samples);
        match self.mode {
            VadMode::Sequential => {
                let n = self.unscored_full_windows();
                if n > 0 {
                    self.score_block(n, probs)?;
                    self.release(n * WINDOW_SAMPLES, scored);
                }
            }
            VadMode::Sections { .. } => loop {
                let need = self.next_block_windows();
                if self.unscored_full_windows() < need {
                    break;
                }
                self.score_block(need, probs)?;
                self.release(need * WINDOW_SAMPLES, scored);
            },
        }
        Ok(())
    }

    /// The audio ended: scores what is left, the last window padded with
    /// zeros as the reference does.
    pub(crate) fn finish(
        &mut self,
        probs: &mut Vec<f32>,
        scored: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        if let Some(pipelined) = self.pipelined.as_mut() {
            return pipelined.finish(probs, scored);
        }
        let unscored = self.pending.len() - CONTEXT_SAMPLES;
        if unscored == 0 {
            return Ok(());
        }
        let windows = unscored.div_ceil(WINDOW_SAMPLES);
        self.pending
            .resize(CONTEXT_SAMPLES + windows * WINDOW_SAMPLES, 0.0);
        self.score_block(windows, probs)?;
        scored.extend_from_slice(&self.pending[CONTEXT_SAMPLES..CONTEXT_SAMPLES + unscored]);
        self.pending.truncate(CONTEXT_SAMPLES);
        Ok(())
    }

    /// Hands out the samples of the windows just scored and drops them,
    /// keeping the last 64 as the next context.
    fn release(&mut self, samples: usize, scored: &mut Vec<f32>) {
        scored.extend_from_slice(&self.pending[CONTEXT_SAMPLES..CONTEXT_SAMPLES + samples]);
        self.pending.drain(..samples);
    }

    fn unscored_full_windows(&self) -> usize {
        (self.pending.len() - CONTEXT_SAMPLES) / WINDOW_SAMPLES
    }

    /// Scores the next `n` windows of `pending` (the caller drops them).
    fn score_block(&mut self, n: usize, probs: &mut Vec<f32>) -> Result<(), AudioError> {
        let (sections, warmup) = match self.mode {
            VadMode::Sequential => (1, 0),
            VadMode::Sections {
                sections,
                warmup_windows,
                ..
            } => (sections.max(1), warmup_windows),
        };
        let min_section = (warmup * MIN_SECTION_OVER_WARMUP).max(32);
        let count = sections.min(n / min_section).max(1);
        let len = n.div_ceil(count);
        let plan: Vec<Section> = (0..count)
            .map(|r| {
                let keep_from = (r * len).min(n);
                let keep_to = ((r + 1) * len).min(n);
                let feed_from = if r == 0 {
                    0
                } else {
                    keep_from.saturating_sub(warmup)
                };
                Section {
                    feed_from,
                    keep_from,
                    keep_to,
                }
            })
            .filter(|s| s.keep_to > s.keep_from)
            .collect();
        let first = probs.len();
        probs.resize(first + n, 0.0);
        self.score_sections(&plan, &mut probs[first..])?;
        self.blocks_scored = self.blocks_scored.saturating_add(1);
        Ok(())
    }

    /// Scores the sections, spread over the sessions (one thread each).
    fn score_sections(&mut self, plan: &[Section], out: &mut [f32]) -> Result<(), AudioError> {
        let Some(last) = plan.last().copied() else {
            return Ok(());
        };
        let groups = self.models.len().min(plan.len()).max(1);
        let per_group = plan.len().div_ceil(groups);
        let pending = &self.pending;
        let carried = &self.state;
        let mut results: Vec<Result<Option<Vec<f32>>, AudioError>> = Vec::new();
        std::thread::scope(|scope| {
            let mut handles = Vec::new();
            let mut rest: &mut [f32] = out;
            let mut consumed = 0;
            let jobs = self.models.iter_mut().zip(plan.chunks(per_group));
            let job_count = jobs.len();
            for (g, (model, sections)) in jobs.enumerate() {
                let group_end = sections.last().map_or(consumed, |s| s.keep_to);
                let (mine, later) = rest.split_at_mut(group_end - consumed);
                let offset = consumed;
                consumed = group_end;
                rest = later;
                let start_state = (g == 0).then_some(carried.as_slice());
                let mut run =
                    move || run_sections(model, pending, sections, start_state, last, offset, mine);
                if g + 1 == job_count {
                    // The calling thread takes the last group.
                    results.push(run());
                } else {
                    handles.push(scope.spawn(run));
                }
            }
            for handle in handles {
                results.push(handle.join().unwrap_or(Err(AudioError::WorkerStopped)));
            }
        });
        for result in results {
            if let Some(state) = result? {
                self.state = state;
            }
        }
        Ok(())
    }
}

/// Scores `sections` one after the other with `model`. The section starting
/// at window 0 continues `start_state`; others start from zeros. Returns the
/// state after the block's final section when it is among them. `out` holds
/// this group's kept windows, the first at block-relative window `offset`.
fn run_sections(
    model: &mut VadModel,
    pending: &[f32],
    sections: &[Section],
    start_state: Option<&[f32]>,
    final_section: Section,
    offset: usize,
    out: &mut [f32],
) -> Result<Option<Vec<f32>>, AudioError> {
    let mut probs = Vec::new();
    let mut carried = None;
    for section in sections {
        let mut state = vec![0.0; STATE_PER_ROW];
        if section.feed_from == 0
            && let Some(start) = start_state
        {
            state.copy_from_slice(start);
        }
        let windows = section.keep_to - section.feed_from;
        probs.clear();
        probs.resize(windows, 0.0);
        let from = section.feed_from * WINDOW_SAMPLES;
        let to = (section.keep_to - 1) * WINDOW_SAMPLES + ROW_SAMPLES;
        model.run_stream(&pending[from..to], &mut state, &mut probs)?;
        let skip = section.keep_from - section.feed_from;
        let dest = &mut out[section.keep_from - offset..section.keep_to - offset];
        dest.copy_from_slice(&probs[skip..]);
        if section.keep_to == final_section.keep_to {
            carried = Some(state);
        }
    }
    Ok(carried)
}
