//! Exact scoring on several cores: the encoder half of the model runs on
//! threads of its own (jobs dealt out in turn), ahead of the recurrent half,
//! which keeps the reference's window order and state on the calling
//! thread.
//!
//! The encoder needs no state, so where it runs changes nothing: the
//! probabilities are bit-identical to scoring on one thread. Results come
//! back a little later (at most [`MAX_JOBS_IN_FLIGHT`] jobs behind), which
//! suits the file pipeline; live audio scores on one thread.

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

/// One encoder thread and its channels.
struct Encoder {
    jobs: Option<SyncSender<Vec<f32>>>,
    results: Receiver<Features>,
    worker: Option<JoinHandle<()>>,
}

pub(crate) struct PipelinedScorer {
    recurrent: RecurrentModel,
    encoders: Vec<Encoder>,
    /// Jobs sent and results taken so far (job `k` goes to encoder
    /// `k % encoders.len()`, so results are taken in the same turn).
    jobs_sent: usize,
    jobs_done: usize,
    /// The 64 samples before the first window not yet scored, then the
    /// audio from it on (windows sent to the encoder included).
    pending: Vec<f32>,
    /// Where in `pending` that audio starts (the samples before it are
    /// scored and dropped in bulk now and then, not on every job).
    base: usize,
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
    /// Starts one thread per encoder session (at least one).
    pub(crate) fn new(
        encoders: Vec<EncoderModel>,
        recurrent: RecurrentModel,
    ) -> Result<Self, AudioError> {
        let mut started = Vec::new();
        for (i, encoder) in encoders.into_iter().enumerate() {
            let (jobs, job_rx) = sync_channel::<Vec<f32>>(MAX_JOBS_IN_FLIGHT);
            let (result_tx, results) = sync_channel::<Features>(MAX_JOBS_IN_FLIGHT);
            let worker = std::thread::Builder::new()
                .name(format!("scribe-audio-encode-{i}"))
                .spawn(move || encode_worker(encoder, &job_rx, &result_tx))
                .map_err(|_| AudioError::WorkerStopped)?;
            started.push(Encoder {
                jobs: Some(jobs),
                results,
                worker: Some(worker),
            });
        }
        if started.is_empty() {
            return Err(AudioError::WorkerStopped);
        }
        Ok(Self {
            recurrent,
            encoders: started,
            jobs_sent: 0,
            jobs_done: 0,
            pending: vec![0.0; CONTEXT_SAMPLES],
            base: 0,
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
            let full = (self.pending.len() - self.base - CONTEXT_SAMPLES) / WINDOW_SAMPLES;
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
        let rest = self.pending.len() - self.base - sent_samples;
        let windows = rest.div_ceil(WINDOW_SAMPLES);
        let padding = windows * WINDOW_SAMPLES - rest;
        self.pending
            .resize(self.base + sent_samples + windows * WINDOW_SAMPLES, 0.0);
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
        let job = self.pending[self.base + from..self.base + to].to_vec();
        let turn = self.jobs_sent % self.encoders.len();
        self.encoders[turn]
            .jobs
            .as_ref()
            .ok_or(AudioError::WorkerStopped)?
            .send(job)
            .map_err(|_| AudioError::WorkerStopped)?;
        self.jobs_sent += 1;
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
            let results = &self.encoders[self.jobs_done % self.encoders.len()].results;
            let features = if wait {
                results.recv().map_err(|_| AudioError::WorkerStopped)?
            } else {
                match results.try_recv() {
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
            let first = self.base + CONTEXT_SAMPLES;
            scored.extend_from_slice(&self.pending[first..first + samples]);
            self.base += samples;
            if self.base > self.pending.len() / 2 {
                self.pending.drain(..self.base);
                self.base = 0;
            }
            self.sent_windows -= n;
            self.jobs_done += 1;
            self.in_flight.pop_front();
        }
        Ok(())
    }
}

impl Drop for PipelinedScorer {
    fn drop(&mut self) {
        // Closing the job channels ends the encoders after their queued
        // jobs; their results are drained so none is stuck handing one over.
        for encoder in &mut self.encoders {
            encoder.jobs = None;
        }
        for encoder in &mut self.encoders {
            while encoder.results.recv().is_ok() {}
            if let Some(worker) = encoder.worker.take() {
                let _ = worker.join();
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::AssetConfig;
    use crate::vad::model::VadModel;
    use crate::vad::scorer::{Scorer, VadMode};

    fn audio(samples: usize) -> Vec<f32> {
        (0..samples)
            .map(|i| {
                let t = i as f32;
                let envelope = if (i / 12_000) % 3 == 0 { 0.4 } else { 0.01 };
                envelope * ((t * 0.05).sin() + 0.5 * (t * 0.031).sin())
            })
            .collect()
    }

    fn split(model: VadModel) -> (EncoderModel, RecurrentModel) {
        match model {
            VadModel::Split { encoder, recurrent } => (encoder, recurrent),
            _ => panic!("the sequence export is split"),
        }
    }

    /// A scorer's `push`.
    type Push<'a> = dyn FnMut(&[f32], &mut Vec<f32>, &mut Vec<f32>) -> Result<(), AudioError> + 'a;

    /// Feeds `input` in uneven pieces; returns probabilities and samples
    /// handed out.
    fn run(push: &mut Push<'_>, input: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let (mut probs, mut scored) = (Vec::new(), Vec::new());
        let mut at = 0;
        let mut step = 1_000;
        while at < input.len() {
            let end = (at + step).min(input.len());
            push(&input[at..end], &mut probs, &mut scored).expect("push");
            at = end;
            step = step * 7 % 40_001 + 333;
        }
        (probs, scored)
    }

    #[test]
    fn two_encoder_threads_give_the_one_thread_result_exactly() {
        let assets = AssetConfig::default()
            .resolve()
            .expect("run `cargo xtask assets` first");
        // An odd length: the last window is padded.
        let input = audio(16_000 * 50 + 77);

        let mut reference = Scorer::new(
            vec![VadModel::load(&assets).expect("model")],
            VadMode::Sequential,
        );
        let (mut want_probs, mut want_scored) = run(&mut |s, p, o| reference.push(s, p, o), &input);
        reference
            .finish(&mut want_probs, &mut want_scored)
            .expect("finish");

        let (first, recurrent) = split(VadModel::load(&assets).expect("model"));
        let (second, _) = split(VadModel::load(&assets).expect("model"));
        let mut pipelined = PipelinedScorer::new(vec![first, second], recurrent).expect("starts");
        let (mut probs, mut scored) = run(&mut |s, p, o| pipelined.push(s, p, o), &input);
        pipelined.finish(&mut probs, &mut scored).expect("finish");

        assert_eq!(probs.len(), input.len().div_ceil(WINDOW_SAMPLES));
        assert_eq!(probs, want_probs);
        assert_eq!(scored, input);
        assert_eq!(want_scored, input);
        // Not a constant: the windows were really scored.
        let (low, high) = probs
            .iter()
            .fold((f32::MAX, f32::MIN), |(l, h), &p| (l.min(p), h.max(p)));
        assert!(high - low > 1e-3, "{low}..{high}");
    }
}
