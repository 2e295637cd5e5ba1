//! Exact scoring on two cores: the encoder half of the model runs on its own
//! thread, ahead of the recurrent half, which keeps the reference's window
//! order and state on the calling thread.
//!
//! The encoder is about 90% of the model's work and needs no state, so
//! nothing about the result changes: the probabilities are bit-identical to
//! the whole model's. Results come back a little later than they would on
//! one thread (at most [`MAX_JOBS_IN_FLIGHT`] jobs behind), which suits the
//! file pipeline; live audio scores on one thread.

use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, sync_channel};
use std::thread::JoinHandle;

use super::model::{CONTEXT_SAMPLES, EncoderModel, RecurrentModel, STATE_PER_ROW, WINDOW_SAMPLES};
use crate::error::AudioError;

/// Windows per encoder job (as many as the model's measured best batch).
const JOB_WINDOWS: usize = 64;
/// Jobs handed to the encoder and not yet scored, at most (about 16 s of
/// audio: bounded memory, and room for the threads to drift apart).
pub(crate) const MAX_JOBS_IN_FLIGHT: usize = 32;

/// The encoder's answer for one job: 128 features per window.
type Features = Result<Vec<f32>, AudioError>;

pub(crate) struct PipelinedScorer {
    recurrent: RecurrentModel,
    jobs: Option<SyncSender<Vec<f32>>>,
    results: Receiver<Features>,
    worker: Option<JoinHandle<()>>,
    /// The 64 samples before the first window not yet scored, then the
    /// audio from it on (windows sent to the encoder included).
    pending: Vec<f32>,
    /// Windows of `pending` sent to the encoder, per job in order.
    in_flight: std::collections::VecDeque<usize>,
    sent_windows: usize,
    state: Vec<f32>,
    finished: bool,
}

impl std::fmt::Debug for PipelinedScorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelinedScorer")
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

impl PipelinedScorer {
    /// Starts the encoder thread.
    pub(crate) fn new(
        encoder: EncoderModel,
        recurrent: RecurrentModel,
    ) -> Result<Self, AudioError> {
        let (jobs, job_rx) = sync_channel::<Vec<f32>>(MAX_JOBS_IN_FLIGHT);
        let (result_tx, results) = sync_channel::<Features>(MAX_JOBS_IN_FLIGHT);
        let worker = std::thread::Builder::new()
            .name("scribe-audio-encode".into())
            .spawn(move || encode_worker(encoder, &job_rx, &result_tx))
            .map_err(|_| AudioError::WorkerStopped)?;
        Ok(Self {
            recurrent,
            jobs: Some(jobs),
            results,
            worker: Some(worker),
            pending: vec![0.0; CONTEXT_SAMPLES],
            in_flight: std::collections::VecDeque::new(),
            sent_windows: 0,
            state: vec![0.0; STATE_PER_ROW],
            finished: false,
        })
    }

    /// Adds 16 kHz samples; appends the probabilities of the windows scored
    /// by now, and those windows' samples.
    pub(crate) fn push(
        &mut self,
        samples: &[f32],
        probs: &mut Vec<f32>,
        scored: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        if self.finished {
            return Err(AudioError::InvalidConfig(
                "audio pushed after finish; start a new stream".into(),
            ));
        }
        self.pending.extend_from_slice(samples);
        loop {
            let full = (self.pending.len() - CONTEXT_SAMPLES) / WINDOW_SAMPLES;
            if full - self.sent_windows < JOB_WINDOWS {
                break;
            }
            self.send(JOB_WINDOWS, probs, scored)?;
        }
        self.receive(false, probs, scored)
    }

    /// The audio ended: scores the rest (the last window padded with zeros,
    /// as the reference does) and everything in flight.
    pub(crate) fn finish(
        &mut self,
        probs: &mut Vec<f32>,
        scored: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        if self.finished {
            return Ok(());
        }
        self.finished = true;
        let sent_samples = CONTEXT_SAMPLES + self.sent_windows * WINDOW_SAMPLES;
        let rest = self.pending.len() - sent_samples;
        let windows = rest.div_ceil(WINDOW_SAMPLES);
        let padding = windows * WINDOW_SAMPLES - rest;
        self.pending
            .resize(sent_samples + windows * WINDOW_SAMPLES, 0.0);
        let mut left = windows;
        while left > 0 {
            let n = left.min(JOB_WINDOWS);
            self.send(n, probs, scored)?;
            left -= n;
        }
        while !self.in_flight.is_empty() {
            self.receive(true, probs, scored)?;
        }
        // The zero padding is not audio.
        scored.truncate(scored.len().saturating_sub(padding));
        Ok(())
    }

    /// Sends the next `n` unsent windows to the encoder, first making room
    /// if too many jobs are out.
    fn send(
        &mut self,
        n: usize,
        probs: &mut Vec<f32>,
        scored: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        if self.in_flight.len() >= MAX_JOBS_IN_FLIGHT {
            self.receive(true, probs, scored)?;
        }
        let from = self.sent_windows * WINDOW_SAMPLES;
        let to = from + n * WINDOW_SAMPLES + CONTEXT_SAMPLES;
        let job = self.pending[from..to].to_vec();
        self.jobs
            .as_ref()
            .ok_or(AudioError::WorkerStopped)?
            .send(job)
            .map_err(|_| AudioError::WorkerStopped)?;
        self.in_flight.push_back(n);
        self.sent_windows += n;
        Ok(())
    }

    /// Scores the encoded jobs in order: waits for the first if `wait`,
    /// then takes every one already done.
    fn receive(
        &mut self,
        mut wait: bool,
        probs: &mut Vec<f32>,
        scored: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        while let Some(&n) = self.in_flight.front() {
            let features = if wait {
                self.results.recv().map_err(|_| AudioError::WorkerStopped)?
            } else {
                match self.results.try_recv() {
                    Ok(features) => features,
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => return Err(AudioError::WorkerStopped),
                }
            };
            wait = false;
            let features = match features {
                Ok(features) => features,
                Err(e) => {
                    // Later results would no longer line up with their
                    // windows: stop scoring altogether.
                    self.finished = true;
                    self.in_flight.clear();
                    return Err(e);
                }
            };
            let first = probs.len();
            probs.resize(first + n, 0.0);
            self.recurrent
                .run(&features, &mut self.state, &mut probs[first..])?;
            let samples = n * WINDOW_SAMPLES;
            scored.extend_from_slice(&self.pending[CONTEXT_SAMPLES..CONTEXT_SAMPLES + samples]);
            self.pending.drain(..samples);
            self.sent_windows -= n;
            self.in_flight.pop_front();
        }
        Ok(())
    }
}

impl Drop for PipelinedScorer {
    fn drop(&mut self) {
        // Closing the job channel ends the encoder after its current job.
        // Its results are drained so it is never stuck handing one over.
        self.jobs = None;
        while self.results.recv().is_ok() {}
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

fn encode_worker(
    mut encoder: EncoderModel,
    jobs: &Receiver<Vec<f32>>,
    results: &SyncSender<Features>,
) {
    for audio in jobs {
        let mut features = Vec::new();
        let result = encoder.encode(&audio, &mut features).map(|()| features);
        if results.send(result).is_err() {
            return;
        }
    }
}
