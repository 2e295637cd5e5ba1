//! The window export, `silero_vad.onnx`: one 576-sample row per stream per
//! call, a batch of independent streams at once, each with its own state.
//! Used when the sequence export is not beside it (slower, same results).

use ort::session::Session;
use ort::value::TensorRef;

use super::session;
use super::tensors::{ROW_SAMPLES, STATE_PER_ROW, VAD_SAMPLE_RATE};
use crate::assets::ResolvedAssets;
use crate::error::AudioError;

/// A session of the window export.
pub(crate) struct WindowModel {
    session: Session,
    sr: [i64; 1],
}

impl std::fmt::Debug for WindowModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowModel").finish_non_exhaustive()
    }
}

impl WindowModel {
    /// Loads the window export.
    pub(crate) fn load(assets: &ResolvedAssets) -> Result<Self, AudioError> {
        let session = session::from_file(assets, &assets.vad_model)?;
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
