//! The sequence export cut in two (see [`crate::vad::split_graph`]): the
//! encoder half, stateless, which may run on other threads, and the
//! recurrent half, which carries the state in window order.
//!
//! The encoder is rebuilt as whole-batch matrix products after an FFT
//! spectrogram ([`crate::vad::rebuilt_encoder`]) when that build agrees
//! with the export's own encoder on a probe ([`super::probe`]); otherwise
//! the export's encoder is used as cut.

use std::path::Path;

use ort::session::Session;
use ort::value::TensorRef;

use super::probe::encoders_agree;
use super::session;
use super::tensors::{
    CONTEXT_SAMPLES, FEATURES_PER_WINDOW, ROW_SAMPLES, STATE_PER_ROW, WINDOW_SAMPLES,
    store_recurrent_outputs,
};
use crate::assets::ResolvedAssets;
use crate::error::AudioError;
use crate::vad::rebuilt_encoder;
use crate::vad::spectrogram::{self, Spectrogram};
use crate::vad::split_graph::{ENCODER_INPUT, split_before_lstm};

/// Loads the two halves of the sequence export; `None` (the whole model is
/// used instead) when the file cannot be cut or a half does not load.
pub(super) fn load(assets: &ResolvedAssets, path: &Path) -> Option<(EncoderModel, RecurrentModel)> {
    let bytes = std::fs::read(path).ok()?;
    let Some(graphs) = split_before_lstm(&bytes) else {
        tracing::debug!("the VAD sequence export could not be split; using it whole");
        return None;
    };
    let load = |model: &[u8]| match session::builder(assets) {
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
            if encoders_agree(&mut cut, &mut batched) {
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
    pub(super) fn is_rebuilt(&self) -> bool {
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
