//! The model's tensors: the windows it scores and the context each sees,
//! the recurrent state carried from call to call, the features between the
//! encoder and the recurrent half, and copying a call's probabilities and
//! new state back out.

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

/// Values per window between the encoder and the recurrent part.
pub(crate) const FEATURES_PER_WINDOW: usize = 128;

/// Copies the `speech_probs` of `n` windows into `probs` and the new LSTM
/// state (`hn`, `cn`) into `state`; `mismatch` names the error for outputs
/// of the wrong name or shape.
pub(super) fn store_recurrent_outputs(
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
