//! Streaming conversion of mono audio at any rate to 16 kHz.
//!
//! rubato's FFT resampler works on fixed-size input chunks; this wrapper
//! buffers arbitrary blocks into those chunks, drops the resampler's start-up
//! delay and flushes its tail, so the output has exactly
//! `ceil(input × 16000 / rate)` samples aligned with the input.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler, WindowFunction};

use crate::error::AudioError;
use crate::vad::model::VAD_SAMPLE_RATE;

/// Input frames per FFT block, at least (about 1024: measured a third
/// faster than rubato's default 256-frame blocks, with a longer, sharper
/// anti-aliasing filter; the extra delay is trimmed anyway).
const MIN_BLOCK_FRAMES: usize = 1024;
/// FFT blocks per resampler call.
const SUB_CHUNKS: usize = 4;

/// Input frames per resampler call for `rate`.
///
/// rubato sizes its FFTs as a multiple `k` of the reduced ratio (`rate / g`
/// in, `16000 / g` out, `g` their greatest common divisor). A power-of-two
/// `k` keeps the FFT lengths free of large prime factors (48 kHz: 1536 in,
/// 512 out, instead of 1026 and 342 = 2·3²·19, which cost a third of the
/// resampling time in a radix-19 butterfly).
fn chunk_frames(rate: u32) -> usize {
    let g = gcd(rate, VAD_SAMPLE_RATE) as usize;
    let min_in = rate as usize / g;
    let k = MIN_BLOCK_FRAMES.div_ceil(min_in).next_power_of_two();
    k * min_in * SUB_CHUNKS
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Mono resampler to 16 kHz (a pass-through at 16 kHz).
pub(crate) struct To16k {
    inner: Option<Fft<f32>>,
    pending: Vec<f32>,
    scratch: Vec<f32>,
    /// Output frames still to drop (the resampler's delay).
    skip: usize,
    input_frames: u64,
    output_frames: u64,
    rate: u32,
}

impl std::fmt::Debug for To16k {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("To16k")
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

fn resample_error(e: impl std::fmt::Display) -> AudioError {
    AudioError::Corrupt {
        detail: format!("resampling failed: {e}"),
    }
}

impl To16k {
    pub(crate) fn new(rate: u32) -> Result<Self, AudioError> {
        if rate == 0 || rate > crate::decode::MAX_SAMPLE_RATE {
            return Err(AudioError::InvalidSampleRate { rate });
        }
        let inner = if rate == VAD_SAMPLE_RATE {
            None
        } else {
            Some(
                Fft::<f32>::new_custom(
                    rate as usize,
                    VAD_SAMPLE_RATE as usize,
                    chunk_frames(rate),
                    SUB_CHUNKS,
                    1,
                    WindowFunction::BlackmanHarris2,
                    FixedSync::Input,
                )
                .map_err(|_| AudioError::InvalidSampleRate { rate })?,
            )
        };
        let skip = inner.as_ref().map_or(0, Resampler::output_delay);
        Ok(Self {
            inner,
            pending: Vec::new(),
            scratch: Vec::new(),
            skip,
            input_frames: 0,
            output_frames: 0,
            rate,
        })
    }

    /// The input rate.
    pub(crate) fn rate(&self) -> u32 {
        self.rate
    }

    /// Output frames owed for the input seen so far.
    fn expected_output(&self) -> u64 {
        (self.input_frames * u64::from(VAD_SAMPLE_RATE)).div_ceil(u64::from(self.rate))
    }

    /// Resamples `input`, appending 16 kHz samples to `out`.
    pub(crate) fn push(&mut self, input: &[f32], out: &mut Vec<f32>) -> Result<(), AudioError> {
        self.input_frames += input.len() as u64;
        let Some(inner) = self.inner.as_mut() else {
            out.extend_from_slice(input);
            self.output_frames += input.len() as u64;
            return Ok(());
        };
        let mut input = input;
        // First complete the chunk an earlier call started.
        if !self.pending.is_empty() {
            let need = inner.input_frames_next().saturating_sub(self.pending.len());
            let (head, rest) = input.split_at(need.min(input.len()));
            self.pending.extend_from_slice(head);
            input = rest;
            if self.pending.len() < inner.input_frames_next() {
                return Ok(());
            }
            process(inner, &self.pending, None, &mut self.scratch)?;
            emit(&self.scratch, &mut self.skip, &mut self.output_frames, out);
            self.pending.clear();
        }
        // Then whole chunks straight from the input; keep the rest.
        loop {
            let need = inner.input_frames_next();
            if input.len() < need {
                break;
            }
            let (chunk, rest) = input.split_at(need);
            process(inner, chunk, None, &mut self.scratch)?;
            emit(&self.scratch, &mut self.skip, &mut self.output_frames, out);
            input = rest;
        }
        self.pending.extend_from_slice(input);
        Ok(())
    }

    /// Flushes the resampler's buffered input and delay line.
    pub(crate) fn finish(&mut self, out: &mut Vec<f32>) -> Result<(), AudioError> {
        let expected = self.expected_output();
        let Some(inner) = self.inner.as_mut() else {
            return Ok(());
        };
        let mut partial = std::mem::take(&mut self.pending);
        // Feed the tail, then silence, until every owed output frame is out.
        let mut rounds = 0;
        while self.output_frames < expected {
            let need = inner.input_frames_next();
            let valid = partial.len().min(need);
            partial.resize(need, 0.0);
            process(inner, &partial, Some(valid), &mut self.scratch)?;
            partial.clear();
            let before = out.len();
            emit(&self.scratch, &mut self.skip, &mut self.output_frames, out);
            if self.output_frames > expected {
                let extra = (self.output_frames - expected) as usize;
                out.truncate(out.len() - extra.min(out.len() - before));
                self.output_frames = expected;
            }
            rounds += 1;
            if rounds > 64 {
                return Err(resample_error("the resampler did not drain"));
            }
        }
        Ok(())
    }
}

fn process(
    inner: &mut Fft<f32>,
    chunk: &[f32],
    partial_len: Option<usize>,
    scratch: &mut Vec<f32>,
) -> Result<(), AudioError> {
    let frames_out = inner.output_frames_next();
    scratch.resize(frames_out, 0.0);
    let input = InterleavedSlice::new(chunk, 1, chunk.len()).map_err(resample_error)?;
    let mut output = InterleavedSlice::new_mut(scratch, 1, frames_out).map_err(resample_error)?;
    let indexing = Indexing {
        partial_len,
        ..Indexing::default()
    };
    let (_, written) = inner
        .process_into_buffer(&input, &mut output, Some(&indexing))
        .map_err(resample_error)?;
    scratch.truncate(written);
    Ok(())
}

fn emit(block: &[f32], skip: &mut usize, produced: &mut u64, out: &mut Vec<f32>) {
    let dropped = (*skip).min(block.len());
    *skip -= dropped;
    let kept = &block[dropped..];
    out.extend_from_slice(kept);
    *produced += kept.len() as u64;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(rate: u32, input: &[f32], block: usize) -> Vec<f32> {
        let mut r = To16k::new(rate).expect("rate");
        let mut out = Vec::new();
        for piece in input.chunks(block) {
            r.push(piece, &mut out).expect("push");
        }
        r.finish(&mut out).expect("finish");
        out
    }

    #[test]
    fn output_length_matches_rate_ratio_for_any_block_size() {
        for rate in [8_000u32, 11_025, 22_050, 44_100, 48_000, 96_000] {
            let input: Vec<f32> = (0..rate as usize * 3 / 2)
                .map(|i| (i as f32 * 0.01).sin())
                .collect();
            let expected = (input.len() as u64 * 16_000).div_ceil(u64::from(rate)) as usize;
            for block in [1usize, 997, 4096, 100_000] {
                assert_eq!(
                    run(rate, &input, block).len(),
                    expected,
                    "rate {rate} block {block}"
                );
            }
        }
    }

    #[test]
    fn the_output_does_not_depend_on_how_the_input_is_cut() {
        let input: Vec<f32> = (0..200_000)
            .map(|i| (i as f32 * 0.013).sin() * (i as f32 * 0.0001).cos())
            .collect();
        for rate in [44_100u32, 48_000] {
            let whole = run(rate, &input, input.len());
            for block in [1usize, 997, 6_144, 50_000] {
                assert!(
                    run(rate, &input, block) == whole,
                    "rate {rate} block {block}"
                );
            }
        }
    }

    #[test]
    fn a_tone_keeps_its_phase_after_resampling() {
        // 440 Hz at 48 kHz, resampled, should match 440 Hz at 16 kHz once the
        // delay is removed.
        let input: Vec<f32> = (0..48_000)
            .map(|i| (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 48_000.0).sin())
            .collect();
        let out = run(48_000, &input, 1000);
        let max_err = out[1000..15_000]
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let t = (i + 1000) as f32 / 16_000.0;
                (v - (2.0 * std::f32::consts::PI * 440.0 * t).sin()).abs()
            })
            .fold(0.0f32, f32::max);
        assert!(max_err < 0.01, "max error {max_err}");
    }

    #[test]
    fn rate_zero_is_rejected() {
        assert!(matches!(
            To16k::new(0),
            Err(AudioError::InvalidSampleRate { rate: 0 })
        ));
    }
}
