//! The spectrogram Silero's encoder starts from, computed by FFT.
//!
//! The model's first layer is a strided convolution whose 258 filters are a
//! Hann-windowed DFT basis (real and imaginary parts of 129 bins over 256
//! samples), followed by the magnitude of each bin. That is exactly what a
//! 256-point real FFT of the windowed frame gives, at a fraction of the
//! multiplications; [`Spectrogram::matches`] checks a model's basis against
//! it before this replaces the convolution.
//!
//! Frames follow the export: each 576-sample row (64 samples of context and
//! the 512-sample window) is padded by reflection, 128 samples each side,
//! frames are taken every 128 samples and the first is dropped, so frames 1
//! to 3 lie inside the row and the last ends with the reflection of the
//! row's final samples (not repeating the edge).

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use super::model::{CONTEXT_SAMPLES, ROW_SAMPLES, WINDOW_SAMPLES};
use super::onnx_proto::FloatTensor;

/// STFT frames per window.
pub(crate) const FRAMES: usize = 4;
/// Samples per frame (the DFT length).
pub(crate) const FRAME_SAMPLES: usize = 256;
/// Frequency bins per frame.
pub(crate) const BINS: usize = FRAME_SAMPLES / 2 + 1;
/// Values per frame of the first convolution's input: the magnitudes of the
/// frame before, the frame itself and the frame after.
pub(crate) const LAYER0_ROW: usize = 3 * BINS;
/// Hop between frames.
const HOP: usize = 128;

fn hann(n: usize) -> f64 {
    0.5 - 0.5 * (std::f64::consts::TAU * n as f64 / FRAME_SAMPLES as f64).cos()
}

/// Computes STFT magnitudes, one window at a time.
pub(crate) struct Spectrogram {
    fft: Arc<dyn RealToComplex<f32>>,
    window: Vec<f32>,
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    magnitudes: Vec<f32>,
}

impl std::fmt::Debug for Spectrogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Spectrogram").finish_non_exhaustive()
    }
}

impl Spectrogram {
    pub(crate) fn new() -> Self {
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(FRAME_SAMPLES);
        Self {
            window: (0..FRAME_SAMPLES).map(|n| hann(n) as f32).collect(),
            frame: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            magnitudes: vec![0.0; FRAMES * BINS],
            fft,
        }
    }

    /// Whether `basis` (`[258, 1, 256]`: real parts, then imaginary parts)
    /// is the Hann-windowed DFT basis this computes.
    pub(crate) fn matches(basis: &FloatTensor) -> bool {
        if basis.dims != [2 * BINS as u64, 1, FRAME_SAMPLES as u64] {
            return false;
        }
        let n = FRAME_SAMPLES as f64;
        (0..2 * BINS).all(|row| {
            let k = (row % BINS) as f64;
            (0..FRAME_SAMPLES).all(|s| {
                let angle = std::f64::consts::TAU * k * s as f64 / n;
                let want = if row < BINS {
                    angle.cos()
                } else {
                    -angle.sin()
                } * hann(s);
                (f64::from(basis.values[row * FRAME_SAMPLES + s]) - want).abs() < 1e-5
            })
        })
    }

    /// Appends the first convolution's input for each window of `audio`
    /// (64 samples of context, then whole windows): per window, `[4, 387]`,
    /// each frame's row holding the magnitudes of the frame before it, its
    /// own and the frame after it (zeros beyond the window's frames).
    pub(crate) fn layer0_input(&mut self, audio: &[f32], out: &mut Vec<f32>) {
        let windows = audio.len().saturating_sub(CONTEXT_SAMPLES) / WINDOW_SAMPLES;
        out.reserve(windows * FRAMES * LAYER0_ROW);
        for w in 0..windows {
            let row = &audio[w * WINDOW_SAMPLES..w * WINDOW_SAMPLES + ROW_SAMPLES];
            for f in 0..FRAMES {
                self.magnitudes_of(row, f);
            }
            for f in 0..FRAMES {
                let frame = |g: usize| &self.magnitudes[g * BINS..(g + 1) * BINS];
                match f.checked_sub(1) {
                    Some(before) => out.extend_from_slice(frame(before)),
                    None => out.resize(out.len() + BINS, 0.0),
                }
                out.extend_from_slice(frame(f));
                if f + 1 < FRAMES {
                    out.extend_from_slice(frame(f + 1));
                } else {
                    out.resize(out.len() + BINS, 0.0);
                }
            }
        }
    }

    /// The magnitudes of frame `f` of `row` into `self.magnitudes`.
    fn magnitudes_of(&mut self, row: &[f32], f: usize) {
        // Frame f starts 128 (f + 1) into the padded row: at row[128 f].
        let start = f * HOP;
        let inside = (ROW_SAMPLES - start).min(FRAME_SAMPLES);
        let reflected = (ROW_SAMPLES - 1 - (FRAME_SAMPLES - inside)..ROW_SAMPLES - 1).rev();
        let samples = row[start..start + inside]
            .iter()
            .copied()
            .chain(reflected.map(|i| row[i]));
        for ((x, s), w) in self.frame.iter_mut().zip(samples).zip(&self.window) {
            *x = s * w;
        }
        // The buffers are the planner's own sizes, so this cannot fail.
        let _ =
            self.fft
                .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch);
        for (m, c) in self.magnitudes[f * BINS..(f + 1) * BINS]
            .iter_mut()
            .zip(&self.spectrum)
        {
            *m = (c.re * c.re + c.im * c.im).sqrt();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded_row_sample(row: &[f32], j: usize) -> f32 {
        // Reflection padding, 128 samples each side, without the edge.
        let r = j as i64 - 128;
        let last = ROW_SAMPLES as i64 - 1;
        let r = if r > last { 2 * last - r } else { r.abs() };
        row[r as usize]
    }

    #[test]
    fn magnitudes_are_those_of_the_reflection_padded_stft() {
        let audio: Vec<f32> = (0..CONTEXT_SAMPLES + 2 * WINDOW_SAMPLES)
            .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
            .collect();
        let mut spectrogram = Spectrogram::new();
        let mut out = Vec::new();
        spectrogram.layer0_input(&audio, &mut out);
        assert_eq!(out.len(), 2 * FRAMES * LAYER0_ROW);
        for w in 0..2 {
            let row = &audio[w * WINDOW_SAMPLES..w * WINDOW_SAMPLES + ROW_SAMPLES];
            // A direct DFT of each frame, in f64.
            let direct: Vec<Vec<f64>> = (0..FRAMES)
                .map(|f| {
                    (0..BINS)
                        .map(|k| {
                            let (mut re, mut im) = (0.0, 0.0);
                            for s in 0..FRAME_SAMPLES {
                                let x =
                                    f64::from(padded_row_sample(row, HOP * (f + 1) + s)) * hann(s);
                                let a = std::f64::consts::TAU * (k * s) as f64 / 256.0;
                                re += x * a.cos();
                                im -= x * a.sin();
                            }
                            (re * re + im * im).sqrt()
                        })
                        .collect()
                })
                .collect();
            for f in 0..FRAMES {
                let at = (w * FRAMES + f) * LAYER0_ROW;
                let got = &out[at..at + LAYER0_ROW];
                for (tap, neighbour) in [f.checked_sub(1), Some(f), Some(f + 1)]
                    .into_iter()
                    .enumerate()
                {
                    let part = &got[tap * BINS..(tap + 1) * BINS];
                    match neighbour.filter(|&g| g < FRAMES) {
                        Some(g) => {
                            for (k, (&m, &d)) in part.iter().zip(&direct[g]).enumerate() {
                                assert!(
                                    (f64::from(m) - d).abs() < 1e-4,
                                    "w{w} f{f} tap{tap} bin{k}: {m} vs {d}"
                                );
                            }
                        }
                        None => assert!(part.iter().all(|&m| m == 0.0), "w{w} f{f} tap{tap}"),
                    }
                }
            }
        }
    }

    #[test]
    fn only_a_hann_dft_basis_matches() {
        let hann_dft: Vec<f32> = (0..2 * BINS)
            .flat_map(|row| {
                (0..FRAME_SAMPLES).map(move |s| {
                    let a = std::f64::consts::TAU * ((row % BINS) * s) as f64 / 256.0;
                    (if row < BINS { a.cos() } else { -a.sin() } * hann(s)) as f32
                })
            })
            .collect();
        let dims = vec![2 * BINS as u64, 1, FRAME_SAMPLES as u64];
        let basis = FloatTensor {
            dims: dims.clone(),
            values: hann_dft.clone(),
        };
        assert!(Spectrogram::matches(&basis));
        let mut other = hann_dft;
        other[300] += 0.01;
        assert!(!Spectrogram::matches(&FloatTensor {
            dims: dims.clone(),
            values: other
        }));
        assert!(!Spectrogram::matches(&FloatTensor {
            dims: vec![1, 2],
            values: vec![0.0; 2]
        }));
    }
}
