//! 16-bit mono PCM WAV files: the one writer every WAV file of the project
//! goes through (chunks here; the simulator's stored streams and the test
//! audio of other crates through [`encode_wav`]), and the reader for
//! chunks.
//!
//! The canonical 44-byte header is written here and the samples converted
//! in one pass (a sample-at-a-time writer costs more than the rest of the
//! chunking); [`decode_wav`] reads the result back with hound.

use std::io::Cursor;

use crate::decode::MAX_SAMPLE_RATE;
use crate::error::AudioError;
use crate::vad::VAD_SAMPLE_RATE;

/// Bytes of the canonical WAV header: RIFF, `fmt ` (PCM) and `data`.
const HEADER_BYTES: usize = 44;

/// Encodes 16-bit mono samples at `sample_rate` Hz as a PCM WAV file.
///
/// ```
/// let wav = scribe_audio::encode_wav(&[0, 1_000, -1_000], 8_000)?;
/// assert_eq!(wav.len(), 44 + 3 * 2);
/// assert_eq!(&wav[..4], b"RIFF");
/// # Ok::<(), scribe_audio::AudioError>(())
/// ```
///
/// # Errors
///
/// [`AudioError::InvalidSampleRate`] for a rate of 0 or above 768 kHz;
/// [`AudioError::Encode`] when the samples do not fit in one WAV file
/// (4 GiB of data).
pub fn encode_wav(samples: &[i16], sample_rate: u32) -> Result<Vec<u8>, AudioError> {
    let mut wav = header(samples.len(), sample_rate)?;
    wav.extend(samples.iter().flat_map(|s| s.to_le_bytes()));
    Ok(wav)
}

/// Encodes 16 kHz mono samples in [-1, 1] as a chunk's 16-bit PCM WAV file.
pub(crate) fn encode_chunk_wav(samples: &[f32]) -> Result<Vec<u8>, AudioError> {
    let mut wav = header(samples.len(), VAD_SAMPLE_RATE)?;
    wav.extend(samples.iter().flat_map(|&s| to_i16(s).to_le_bytes()));
    Ok(wav)
}

/// The header of a WAV file of `samples` 16-bit mono samples at
/// `sample_rate`, in a buffer with room for the samples.
fn header(samples: usize, sample_rate: u32) -> Result<Vec<u8>, AudioError> {
    if sample_rate == 0 || sample_rate > MAX_SAMPLE_RATE {
        return Err(AudioError::InvalidSampleRate { rate: sample_rate });
    }
    let too_long = || AudioError::Encode {
        detail: format!("{samples} samples do not fit in one WAV file"),
    };
    let data_bytes = samples
        .checked_mul(2)
        .and_then(|bytes| u32::try_from(bytes).ok())
        .ok_or_else(too_long)?;
    let riff_bytes = data_bytes.checked_add(36).ok_or_else(too_long)?;
    let mut wav = Vec::with_capacity(HEADER_BYTES + samples * 2);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&riff_bytes.to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&sample_rate.to_le_bytes());
    wav.extend_from_slice(&(sample_rate * 2).to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_bytes.to_le_bytes());
    Ok(wav)
}

/// The 16-bit samples of a chunk's WAV file, as written by
/// [`encode_chunk_wav`].
pub(crate) fn decode_wav(wav: &[u8]) -> Result<Vec<i16>, AudioError> {
    let corrupt = |e: hound::Error| AudioError::Corrupt {
        detail: format!("chunk WAV: {e}"),
    };
    let reader = hound::WavReader::new(Cursor::new(wav)).map_err(corrupt)?;
    let spec = reader.spec();
    if spec.bits_per_sample != 16 || spec.sample_format != hound::SampleFormat::Int {
        return Err(AudioError::Corrupt {
            detail: "chunk WAV is not 16-bit integer PCM".to_owned(),
        });
    }
    reader
        .into_samples::<i16>()
        .collect::<Result<_, _>>()
        .map_err(corrupt)
}

/// `sample × 32768` rounded half away from zero, as `f32::round` does but
/// without the library call it is on baseline x86-64 (so the loop
/// vectorises), saturated to i16.
fn to_i16(sample: f32) -> i16 {
    let x = (sample * 32768.0).clamp(-32768.0, 32767.0);
    // In range, so the cast truncates exactly and `x - t` is exact.
    let t = x as i32;
    let fraction = x - t as f32;
    (t + i32::from(fraction >= 0.5) - i32::from(fraction <= -0.5)) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_read_back_as_written() {
        let samples: Vec<f32> = (0..1_000).map(|i| (i - 500) as f32 / 32_768.0).collect();
        let wav = encode_chunk_wav(&samples).expect("encode");
        let back = decode_wav(&wav).expect("decode");
        let expected: Vec<i16> = (0..1_000).map(|i| (i - 500) as i16).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn rounding_matches_the_standard_library() {
        let mut seed = 1u32;
        let mut samples: Vec<f32> = (0..100_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (seed as f32 / u32::MAX as f32 - 0.5) * 2.2
            })
            .collect();
        // Exact halves, the edges and beyond, signed zeros and a NaN.
        samples.extend([0.5, -0.5, 1.5, -1.5, 2.5, -2.5].map(|h| h / 32768.0));
        samples.extend([1.0, -1.0, 1.5, -1.5, 0.0, -0.0, f32::NAN]);
        for s in samples {
            let want = (s * 32768.0).round().clamp(-32768.0, 32767.0) as i16;
            assert_eq!(to_i16(s), want, "{s}");
        }
    }

    #[test]
    fn the_header_is_what_hound_writes() {
        let samples = [0.25f32, -0.5, 0.0, 1.0];
        let mut cursor = Cursor::new(Vec::new());
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: VAD_SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("writer");
        for &s in &samples {
            writer.write_sample(to_i16(s)).expect("sample");
        }
        writer.finalize().expect("finalize");
        assert_eq!(
            encode_chunk_wav(&samples).expect("encodes"),
            cursor.into_inner()
        );
    }

    #[test]
    fn bytes_that_are_not_a_wav_are_corrupt() {
        let err = decode_wav(b"not a wav file at all").expect_err("must fail");
        assert!(matches!(err, AudioError::Corrupt { .. }), "{err:?}");
    }

    #[test]
    fn i16_samples_read_back_sample_for_sample() {
        let samples: Vec<i16> = (i32::from(i16::MIN)..=i32::from(i16::MAX))
            .step_by(7)
            .map(|s| s as i16)
            .chain([i16::MIN, -1, 0, 1, i16::MAX])
            .collect();
        for rate in [8_000, 16_000, 44_100, 48_000] {
            let wav = encode_wav(&samples, rate).expect("encodes");
            assert_eq!(decode_wav(&wav).expect("decodes"), samples, "{rate} Hz");
            let reader = hound::WavReader::new(Cursor::new(&wav)).expect("hound reads it");
            let spec = reader.spec();
            assert_eq!((spec.channels, spec.sample_rate), (1, rate));
            assert_eq!(reader.len() as usize, samples.len());
        }
    }

    #[test]
    fn both_writers_share_the_header() {
        let wav = encode_wav(&[0, 8_192, -16_384, 32_767], VAD_SAMPLE_RATE).expect("i16");
        let chunk = encode_chunk_wav(&[0.0, 0.25, -0.5, 1.0]).expect("f32");
        assert_eq!(wav, chunk);
        assert_eq!(encode_wav(&[], 8_000).expect("empty").len(), HEADER_BYTES);
    }

    #[test]
    fn unusable_rates_are_refused() {
        for rate in [0, MAX_SAMPLE_RATE + 1] {
            let err = encode_wav(&[0; 4], rate).expect_err("must fail");
            assert!(
                matches!(err, AudioError::InvalidSampleRate { .. }),
                "{err:?}"
            );
        }
        assert!(encode_wav(&[0; 4], MAX_SAMPLE_RATE).is_ok());
    }
}
