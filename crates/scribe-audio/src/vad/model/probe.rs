//! Checking a rebuilt encoder against the export's own before it is used:
//! both encode the same probe of tones, noise and silence, and must give
//! the same features to within float rounding.

use super::split::EncoderModel;
use super::tensors::{CONTEXT_SAMPLES, FEATURES_PER_WINDOW, WINDOW_SAMPLES};

/// Windows in the probe.
const PROBE_WINDOWS: usize = 24;

/// Whether two encoders give the same features (to within float rounding)
/// on a probe of tones, noise and silence.
pub(super) fn encoders_agree(a: &mut EncoderModel, b: &mut EncoderModel) -> bool {
    let probe = probe();
    let (mut fa, mut fb) = (Vec::new(), Vec::new());
    if a.encode(&probe, &mut fa).is_err() || b.encode(&probe, &mut fb).is_err() {
        return false;
    }
    let scale = fa.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    fa.len() == fb.len()
        && fa.len() == PROBE_WINDOWS * FEATURES_PER_WINDOW
        && fa
            .iter()
            .zip(&fb)
            .all(|(x, y)| (x - y).abs() <= 1e-3 * scale)
}

/// The probe: the context and [`PROBE_WINDOWS`] windows of an
/// amplitude-modulated tone over light noise, every fourth 2048-sample
/// stretch silent. Deterministic, so a build is judged the same way every
/// time.
fn probe() -> Vec<f32> {
    let mut seed = 0x9e37_79b9_u32;
    (0..CONTEXT_SAMPLES + PROBE_WINDOWS * WINDOW_SAMPLES)
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
        .collect()
}
