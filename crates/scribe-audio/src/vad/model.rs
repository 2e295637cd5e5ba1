//! The Silero VAD network run by ONNX Runtime.
//!
//! The network scores 512-sample windows (32 ms at 16 kHz). It is
//! recurrent: each window carries a `[2, 128]` state (LSTM h and c) from the
//! previous one, and sees the last 64 samples before it as context, so one
//! input row is 576 samples.
//!
//! Two exports of the same weights ship in the `silero-vad` package:
//! `silero_vad.onnx` scores one window per stream per call (a batch of
//! independent streams at once), and `silero_vad_16k_sequence.onnx` scores a
//! run of consecutive windows of one stream per call, carrying the state
//! inside the call. They give bit-identical probabilities. The sequence
//! export is used when present, cut in two (see [`super::split_graph`]):
//! the stateless encoder, which can run on another thread, and the
//! recurrent part. The encoder is then rebuilt as a few whole-batch matrix
//! products after an FFT spectrogram ([`super::rebuilt_encoder`],
//! [`super::spectrogram`]), several times faster; its features agree with
//! the export's to float rounding and each build is checked against the
//! export's encoder before it is used.
//!
//! The pieces: [`tensors`] (window, context and state sizes, and the
//! outputs read back), [`session`] (ONNX Runtime sessions), [`window`] and
//! [`sequence`] (the two exports run whole), [`split`] (the two halves)
//! and [`probe`] (the check a rebuilt encoder must pass).

mod probe;
mod sequence;
mod session;
mod split;
mod tensors;
mod window;

pub(crate) use split::{EncoderModel, RecurrentModel};
pub(crate) use tensors::{CONTEXT_SAMPLES, ROW_SAMPLES, STATE_PER_ROW};
pub use tensors::{VAD_SAMPLE_RATE, WINDOW_SAMPLES};

use sequence::SequenceModel;
use window::WindowModel;

use crate::assets::ResolvedAssets;
use crate::error::AudioError;

/// Windows per call of the sequence export (measured fastest).
const SEQUENCE_WINDOWS: usize = 64;

/// Either export of the model.
#[derive(Debug)]
pub(crate) enum VadModel {
    /// `silero_vad.onnx`: one window per stream per call.
    Window(WindowModel),
    /// `silero_vad_16k_sequence.onnx`: runs of windows of one stream.
    Sequence(SequenceModel),
    /// The sequence export cut in two (see [`super::split_graph`]): the
    /// encoder, which may run on another thread, and the recurrent part.
    Split {
        /// STFT and convolutions, window by window.
        encoder: EncoderModel,
        /// LSTM and output layer, in window order.
        recurrent: RecurrentModel,
    },
}

impl VadModel {
    /// Loads the sequence export when it was found, else the window export.
    pub(crate) fn load(assets: &ResolvedAssets) -> Result<Self, AudioError> {
        match assets.vad_sequence_model.as_deref() {
            Some(path) => {
                if let Some((encoder, recurrent)) = split::load(assets, path) {
                    tracing::debug!(model = %path.display(), "Silero VAD: sequence export, split");
                    return Ok(VadModel::Split { encoder, recurrent });
                }
                tracing::debug!(model = %path.display(), "Silero VAD: sequence export");
                Ok(VadModel::Sequence(SequenceModel::load(assets, path)?))
            }
            None => {
                tracing::debug!(
                    model = %assets.vad_model.display(),
                    "Silero VAD: window export (no sequence export beside it; slower, same results)"
                );
                Ok(VadModel::Window(WindowModel::load(assets)?))
            }
        }
    }

    /// Scores consecutive windows of one stream. `audio` holds the 64
    /// samples of context before the first window, then the windows (one
    /// probability per 512 samples goes to `probs`); `state` (h then c, 256
    /// values) is carried in and out.
    pub(crate) fn run_stream(
        &mut self,
        audio: &[f32],
        state: &mut [f32],
        probs: &mut [f32],
    ) -> Result<(), AudioError> {
        let windows = audio.len().saturating_sub(CONTEXT_SAMPLES) / WINDOW_SAMPLES;
        let row = |w: usize| &audio[w * WINDOW_SAMPLES..w * WINDOW_SAMPLES + ROW_SAMPLES];
        match self {
            VadModel::Window(model) => {
                let mut out = Vec::with_capacity(1);
                for (w, slot) in probs.iter_mut().enumerate().take(windows) {
                    model.run(row(w), 1, state, &mut out)?;
                    *slot = out.first().copied().unwrap_or(0.0);
                }
                Ok(())
            }
            VadModel::Split { encoder, recurrent } => {
                let mut features = Vec::new();
                let mut first = 0;
                while first < windows.min(probs.len()) {
                    let last = (first + SEQUENCE_WINDOWS).min(windows).min(probs.len());
                    let from = first * WINDOW_SAMPLES;
                    let to = (last - 1) * WINDOW_SAMPLES + ROW_SAMPLES;
                    encoder.encode(&audio[from..to], &mut features)?;
                    recurrent.run(&features, state, &mut probs[first..last])?;
                    first = last;
                }
                Ok(())
            }
            VadModel::Sequence(model) => {
                // Windows overlap by their context, so each call's rows are
                // laid out afresh.
                let mut rows = Vec::with_capacity(SEQUENCE_WINDOWS * ROW_SAMPLES);
                let mut first = 0;
                while first < windows.min(probs.len()) {
                    let last = (first + SEQUENCE_WINDOWS).min(windows).min(probs.len());
                    rows.clear();
                    for w in first..last {
                        rows.extend_from_slice(row(w));
                    }
                    model.run(&rows, state, &mut probs[first..last])?;
                    first = last;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::AssetConfig;

    /// A deterministic mix of tone bursts and noise, long enough for several
    /// model calls.
    fn audio(windows: usize) -> Vec<f32> {
        let mut seed = 0x2545_f491_u32;
        (0..CONTEXT_SAMPLES + windows * WINDOW_SAMPLES)
            .map(|i| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                let noise = (seed as f32 / u32::MAX as f32 - 0.5) * 0.02;
                let burst = if (i / 8000) % 2 == 0 {
                    (i as f32 * 0.07).sin() * 0.3 * (i as f32 * 0.0009).sin()
                } else {
                    0.0
                };
                noise + burst
            })
            .collect()
    }

    fn max_difference(a: &[f32], b: &[f32]) -> f32 {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn the_split_model_with_the_rebuilt_encoder_gives_the_whole_models_probabilities() {
        let assets = AssetConfig::default()
            .resolve()
            .expect("run `cargo xtask assets` first");
        let path = assets
            .vad_sequence_model
            .clone()
            .expect("xtask assets unpacks the sequence export");
        let mut split = VadModel::load(&assets).expect("loads");
        match &split {
            VadModel::Split { encoder, .. } => assert!(
                encoder.is_rebuilt(),
                "the encoder is rebuilt as matrix products"
            ),
            other => panic!("the sequence export is split, not {other:?}"),
        }
        let mut whole = VadModel::Sequence(SequenceModel::load(&assets, &path).expect("whole"));
        let windows = 3 * SEQUENCE_WINDOWS + 5;
        let input = audio(windows);
        let mut state_whole = vec![0.0; STATE_PER_ROW];
        let mut state_split = vec![0.0; STATE_PER_ROW];
        let mut probs_whole = vec![0.0; windows];
        let mut probs_split = vec![0.0; windows];
        whole
            .run_stream(&input, &mut state_whole, &mut probs_whole)
            .expect("whole runs");
        split
            .run_stream(&input, &mut state_split, &mut probs_split)
            .expect("split runs");
        // Only the order of floating-point sums differs.
        let dp = max_difference(&probs_split, &probs_whole);
        assert!(dp < 1e-5, "probabilities differ by {dp}");
        let ds = max_difference(&state_split, &state_whole);
        assert!(ds < 1e-4, "state differs by {ds}");
        assert!(probs_whole.iter().any(|&p| p > 0.3));
        assert!(probs_whole.iter().any(|&p| p < 0.01));
    }
}
