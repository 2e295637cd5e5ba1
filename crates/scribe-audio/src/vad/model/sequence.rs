//! The sequence export, `silero_vad_16k_sequence.onnx`, run whole: a run of
//! consecutive windows of one stream per call, the state carried inside the
//! call. Used when the export cannot be split (see [`super::split`]).

use std::path::Path;

use ort::session::Session;
use ort::value::TensorRef;

use super::session;
use super::tensors::{ROW_SAMPLES, STATE_PER_ROW, store_recurrent_outputs};
use crate::assets::ResolvedAssets;
use crate::error::AudioError;

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
    /// Loads the sequence export at `path`.
    pub(super) fn load(assets: &ResolvedAssets, path: &Path) -> Result<Self, AudioError> {
        let session = session::from_file(assets, path)?;
        Ok(Self { session })
    }

    /// Scores `rows.len() / 576` consecutive windows.
    pub(super) fn run(
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
