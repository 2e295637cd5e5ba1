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

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::TensorRef;

use super::rebuilt_encoder;
use super::spectrogram::{self, Spectrogram};
use super::split_graph::{ENCODER_INPUT, split_before_lstm};
use crate::assets::{ResolvedAssets, ort_environment};
use crate::error::AudioError;

/// Samples scored per window at 16 kHz.
pub const WINDOW_SAMPLES: usize = 512;
/// Samples of the previous audio each window sees.
pub(crate) const CONTEXT_SAMPLES: usize = 64;
/// Samples per input row.
pub(crate) const ROW_SAMPLES: usize = WINDOW_SAMPLES + CONTEXT_SAMPLES;
/// State values per batch row (the state tensor is `[2, batch, 128]`).
pub(crate) const STATE_PER_ROW: usize = 2 * 128;
/// The only sample rate the pipeline feeds the model.
pub const VAD_SAMPLE_RATE: u32 = 16_000;

/// Windows per call of the sequence export (measured fastest).
const SEQUENCE_WINDOWS: usize = 64;

/// Either export of the model.
#[derive(Debug)]
pub(crate) enum VadModel {
    /// `silero_vad.onnx`: one window per stream per call.
    Window(SileroModel),
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
                if let Some((encoder, recurrent)) = load_split(assets, path) {
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
                Ok(VadModel::Window(SileroModel::load(assets)?))
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

/// A session of the sequence export.
pub(crate) struct SequenceModel {
    session: Session,
}

impl std::fmt::Debug for SequenceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SequenceModel").finish_non_exhaustive()
    }
}

impl SequenceModel {
    fn load(assets: &ResolvedAssets, path: &std::path::Path) -> Result<Self, AudioError> {
        let session = build_session(assets, path)?;
        Ok(Self { session })
    }

    /// Scores `rows.len() / 576` consecutive windows.
    fn run(
        &mut self,
        rows: &[f32],
        state: &mut [f32],
        probs: &mut [f32],
    ) -> Result<(), AudioError> {
        let runtime = |e: ort::Error| AudioError::Runtime {
            detail: e.to_string(),
        };
        let n = rows.len() / ROW_SAMPLES;
        if n == 0
            || rows.len() != n * ROW_SAMPLES
            || state.len() != STATE_PER_ROW
            || probs.len() < n
        {
            return Err(AudioError::Runtime {
                detail: "VAD sequence shape mismatch (a bug in scribe-audio)".into(),
            });
        }
        let half = STATE_PER_ROW / 2;
        let outputs = self
            .session
            .run(ort::inputs![
                "input" => TensorRef::from_array_view(([n, ROW_SAMPLES], rows)).map_err(runtime)?,
                "h" => TensorRef::from_array_view(([1usize, 1, 128], &state[..half])).map_err(runtime)?,
                "c" => TensorRef::from_array_view(([1usize, 1, 128], &state[half..])).map_err(runtime)?,
            ])
            .map_err(runtime)?;
        let unexpected = || AudioError::Runtime {
            detail:
                "the VAD sequence model returned unexpected outputs; re-run `cargo xtask assets`"
                    .into(),
        };
        store_recurrent_outputs(&outputs, n, probs, state, unexpected)
    }
}

/// Loads the two halves of the sequence export; `None` (the whole model is
/// used instead) when the file cannot be cut or a half does not load.
fn load_split(
    assets: &ResolvedAssets,
    path: &std::path::Path,
) -> Option<(EncoderModel, RecurrentModel)> {
    let bytes = std::fs::read(path).ok()?;
    let Some(graphs) = split_before_lstm(&bytes) else {
        tracing::debug!("the VAD sequence export could not be split; using it whole");
        return None;
    };
    let load = |model: &[u8]| match session_builder(assets) {
        Ok(mut builder) => builder.commit_from_memory(model).ok(),
        Err(_) => None,
    };
    let mut cut = EncoderModel {
        session: load(&graphs.encoder)?,
        layout: EncoderLayout::Rows,
        output: graphs.features.clone(),
        input: Vec::new(),
    };
    let recurrent = RecurrentModel {
        session: load(&graphs.recurrent)?,
        features: graphs.features,
    };
    let batched = rebuilt_encoder::build(&bytes)
        .and_then(|m| load(&m))
        .map(|session| EncoderModel {
            session,
            layout: EncoderLayout::Spectrum(Box::new(Spectrogram::new())),
            output: rebuilt_encoder::OUTPUT.into(),
            input: Vec::new(),
        });
    let encoder = match batched {
        Some(mut batched) => {
            if agree(&mut cut, &mut batched) {
                batched
            } else {
                tracing::debug!("the rebuilt VAD encoder disagrees with the export's; not used");
                cut
            }
        }
        None => {
            tracing::debug!("the VAD encoder could not be rebuilt as matrix products");
            cut
        }
    };
    Some((encoder, recurrent))
}

/// Whether two encoders give the same features (to within float rounding)
/// on a probe of tones, noise and silence.
fn agree(a: &mut EncoderModel, b: &mut EncoderModel) -> bool {
    let mut seed = 0x9e37_79b9_u32;
    let probe: Vec<f32> = (0..CONTEXT_SAMPLES + 24 * WINDOW_SAMPLES)
        .map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed as f32 / u32::MAX as f32 - 0.5) * 0.1;
            let tone = (i as f32 * 0.031).sin() * 0.5 * (i as f32 * 0.0007).sin();
            if (i / 2048) % 4 == 3 {
                0.0
            } else {
                noise + tone
            }
        })
        .collect();
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    if a.encode(&probe, &mut fa).is_err() || b.encode(&probe, &mut fb).is_err() {
        return false;
    }
    let scale = fa.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    fa.len() == fb.len()
        && fa.len() == 24 * FEATURES_PER_WINDOW
        && fa
            .iter()
            .zip(&fb)
            .all(|(x, y)| (x - y).abs() <= 1e-3 * scale)
}

/// Values per window between the encoder and the recurrent part.
pub(crate) const FEATURES_PER_WINDOW: usize = 128;

/// What an encoder session takes as input.
#[derive(Debug)]
enum EncoderLayout {
    /// The export's own encoder: one 576-sample row per window.
    Rows,
    /// The rebuilt encoder ([`rebuilt_encoder`]): it starts after the
    /// spectrogram, computed here.
    Spectrum(Box<Spectrogram>),
}

/// The encoder half: windows (with context) in, 128 features per window out.
pub(crate) struct EncoderModel {
    session: Session,
    layout: EncoderLayout,
    output: String,
    input: Vec<f32>,
}

impl std::fmt::Debug for EncoderModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncoderModel")
            .field("rebuilt", &self.is_rebuilt())
            .finish_non_exhaustive()
    }
}

impl EncoderModel {
    /// Whether this is the encoder rebuilt as matrix products.
    fn is_rebuilt(&self) -> bool {
        matches!(self.layout, EncoderLayout::Spectrum(_))
    }

    /// Encodes the windows of `audio` (64 samples of context, then whole
    /// windows), replacing `features` with 128 values per window.
    pub(crate) fn encode(
        &mut self,
        audio: &[f32],
        features: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        let runtime = |e: ort::Error| AudioError::Runtime {
            detail: e.to_string(),
        };
        let n = audio.len().saturating_sub(CONTEXT_SAMPLES) / WINDOW_SAMPLES;
        features.clear();
        if n == 0 {
            return Ok(());
        }
        self.input.clear();
        let (name, shape) = match &mut self.layout {
            EncoderLayout::Rows => {
                for w in 0..n {
                    self.input.extend_from_slice(
                        &audio[w * WINDOW_SAMPLES..w * WINDOW_SAMPLES + ROW_SAMPLES],
                    );
                }
                (ENCODER_INPUT, vec![n, ROW_SAMPLES])
            }
            EncoderLayout::Spectrum(spectrogram) => {
                spectrogram.layer0_input(audio, &mut self.input);
                (
                    rebuilt_encoder::INPUT,
                    vec![n, spectrogram::FRAMES, spectrogram::LAYER0_ROW],
                )
            }
        };
        let outputs = self
            .session
            .run(ort::inputs![
                name => TensorRef::from_array_view((shape, self.input.as_slice())).map_err(runtime)?,
            ])
            .map_err(runtime)?;
        let (_, out) = outputs
            .get(self.output.as_str())
            .ok_or_else(split_mismatch)?
            .try_extract_tensor::<f32>()
            .map_err(runtime)?;
        if out.len() != n * FEATURES_PER_WINDOW {
            return Err(split_mismatch());
        }
        features.extend_from_slice(out);
        Ok(())
    }
}

fn split_mismatch() -> AudioError {
    AudioError::Runtime {
        detail: "the split VAD model returned unexpected shapes (a bug in scribe-audio)".into(),
    }
}

/// The recurrent half: features in window order, with the state carried.
pub(crate) struct RecurrentModel {
    session: Session,
    features: String,
}

impl std::fmt::Debug for RecurrentModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecurrentModel").finish_non_exhaustive()
    }
}

impl RecurrentModel {
    /// Scores the windows whose features are given (128 each), carrying
    /// `state` (h then c) in and out.
    pub(crate) fn run(
        &mut self,
        features: &[f32],
        state: &mut [f32],
        probs: &mut [f32],
    ) -> Result<(), AudioError> {
        let runtime = |e: ort::Error| AudioError::Runtime {
            detail: e.to_string(),
        };
        let n = features.len() / FEATURES_PER_WINDOW;
        if n == 0 {
            return Ok(());
        }
        if features.len() != n * FEATURES_PER_WINDOW
            || state.len() != STATE_PER_ROW
            || probs.len() < n
        {
            return Err(split_mismatch());
        }
        let half = STATE_PER_ROW / 2;
        let outputs = self
            .session
            .run(ort::inputs![
                self.features.as_str() => TensorRef::from_array_view(([n, 1, FEATURES_PER_WINDOW], features)).map_err(runtime)?,
                "h" => TensorRef::from_array_view(([1usize, 1, 128], &state[..half])).map_err(runtime)?,
                "c" => TensorRef::from_array_view(([1usize, 1, 128], &state[half..])).map_err(runtime)?,
            ])
            .map_err(runtime)?;
        store_recurrent_outputs(&outputs, n, probs, state, split_mismatch)
    }
}

/// Copies the `speech_probs` of `n` windows into `probs` and the new LSTM
/// state (`hn`, `cn`) into `state`; `mismatch` names the error for outputs
/// of the wrong name or shape.
fn store_recurrent_outputs(
    outputs: &ort::session::SessionOutputs<'_>,
    n: usize,
    probs: &mut [f32],
    state: &mut [f32],
    mismatch: impl Fn() -> AudioError,
) -> Result<(), AudioError> {
    let extract = |name: &str| {
        outputs
            .get(name)
            .ok_or_else(&mismatch)?
            .try_extract_tensor::<f32>()
            .map(|(_, values)| values)
            .map_err(|e| AudioError::Runtime {
                detail: e.to_string(),
            })
    };
    let half = STATE_PER_ROW / 2;
    let p = extract("speech_probs")?;
    let h = extract("hn")?;
    let c = extract("cn")?;
    if p.len() < n || h.len() != half || c.len() != half || probs.len() < n {
        return Err(mismatch());
    }
    probs[..n].copy_from_slice(&p[..n]);
    state[..half].copy_from_slice(h);
    state[half..].copy_from_slice(c);
    Ok(())
}

fn session_builder(
    assets: &ResolvedAssets,
) -> Result<ort::session::builder::SessionBuilder, AudioError> {
    let env = ort_environment(&assets.ort_dylib)?;
    let runtime = |e: ort::Error| AudioError::Runtime {
        detail: e.to_string(),
    };
    let recover = |e: ort::Error<ort::session::builder::SessionBuilder>| AudioError::Runtime {
        detail: e.to_string(),
    };
    Session::builder(&env)
        .map_err(runtime)?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(recover)?
        .with_intra_threads(1)
        .map_err(recover)?
        .with_inter_threads(1)
        .map_err(recover)
}

fn build_session(assets: &ResolvedAssets, path: &std::path::Path) -> Result<Session, AudioError> {
    let env = ort_environment(&assets.ort_dylib)?;
    let runtime = |e: ort::Error| AudioError::Runtime {
        detail: e.to_string(),
    };
    let recover = |e: ort::Error<ort::session::builder::SessionBuilder>| AudioError::Runtime {
        detail: e.to_string(),
    };
    Session::builder(&env)
        .map_err(runtime)?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(recover)?
        .with_intra_threads(1)
        .map_err(recover)?
        .with_inter_threads(1)
        .map_err(recover)?
        .commit_from_file(path)
        .map_err(|e| AudioError::Runtime {
            detail: format!(
                "cannot load the VAD model {}: {e}; run `cargo xtask assets` or point \
                 SCRIBE_VAD_MODEL at silero_vad.onnx",
                path.display()
            ),
        })
}

/// A session of the window export.
pub(crate) struct SileroModel {
    session: Session,
    sr: [i64; 1],
}

impl std::fmt::Debug for SileroModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SileroModel").finish_non_exhaustive()
    }
}

impl SileroModel {
    /// Loads the window export.
    pub(crate) fn load(assets: &ResolvedAssets) -> Result<Self, AudioError> {
        let session = build_session(assets, &assets.vad_model)?;
        Ok(Self {
            session,
            sr: [i64::from(VAD_SAMPLE_RATE)],
        })
    }

    /// Scores `batch` rows. `input` holds `batch × 576` samples (context then
    /// window per row); `state` holds `2 × batch × 128` values and is replaced
    /// by the next state; one probability per row is written to `probs`.
    pub(crate) fn run(
        &mut self,
        input: &[f32],
        batch: usize,
        state: &mut [f32],
        probs: &mut Vec<f32>,
    ) -> Result<(), AudioError> {
        let runtime = |e: ort::Error| AudioError::Runtime {
            detail: e.to_string(),
        };
        if input.len() != batch * ROW_SAMPLES || state.len() != batch * STATE_PER_ROW {
            return Err(AudioError::Runtime {
                detail: "VAD batch shape mismatch (a bug in scribe-audio)".into(),
            });
        }
        let input_t = TensorRef::from_array_view(([batch, ROW_SAMPLES], input)).map_err(runtime)?;
        let state_t =
            TensorRef::from_array_view(([2usize, batch, 128usize], &*state)).map_err(runtime)?;
        let sr_t = TensorRef::from_array_view(((), &self.sr[..])).map_err(runtime)?;
        let outputs = self
            .session
            .run(ort::inputs![
                "input" => input_t,
                "state" => state_t,
                "sr" => sr_t,
            ])
            .map_err(runtime)?;
        let (_, out) = outputs["output"]
            .try_extract_tensor::<f32>()
            .map_err(runtime)?;
        let (_, next) = outputs["stateN"]
            .try_extract_tensor::<f32>()
            .map_err(runtime)?;
        if out.len() < batch || next.len() != state.len() {
            return Err(AudioError::Runtime {
                detail: "the VAD model returned unexpected shapes; is this silero_vad.onnx v5+?"
                    .into(),
            });
        }
        probs.clear();
        probs.extend_from_slice(&out[..batch]);
        state.copy_from_slice(next);
        Ok(())
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
