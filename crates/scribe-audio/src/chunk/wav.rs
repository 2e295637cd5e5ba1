//! Chunk encoding: 16-bit mono 16 kHz WAV, the format Eka's client sends.

use std::io::Cursor;

use crate::error::AudioError;
use crate::vad::VAD_SAMPLE_RATE;

/// Encodes 16 kHz mono samples as a 16-bit PCM WAV file.
pub(crate) fn encode_wav(samples: &[f32]) -> Result<Vec<u8>, AudioError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: VAD_SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let encode = |e: hound::Error| AudioError::Encode {
        detail: e.to_string(),
    };
    let mut cursor = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    {
        let mut writer = hound::WavWriter::new(&mut cursor, spec).map_err(encode)?;
        {
            let mut fast = writer.get_i16_writer(samples.len() as u32);
            for &s in samples {
                fast.write_sample(to_i16(s));
            }
            fast.flush().map_err(encode)?;
        }
        writer.finalize().map_err(encode)?;
    }
    Ok(cursor.into_inner())
}

/// The 16-bit samples of a chunk's WAV file, as written by [`encode_wav`].
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

fn to_i16(sample: f32) -> i16 {
    (sample * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_read_back_as_written() {
        let samples: Vec<f32> = (0..1_000).map(|i| (i - 500) as f32 / 32_768.0).collect();
        let wav = encode_wav(&samples).expect("encode");
        let back = decode_wav(&wav).expect("decode");
        let expected: Vec<i16> = (0..1_000).map(|i| (i - 500) as i16).collect();
        assert_eq!(back, expected);
    }

    #[test]
    fn bytes_that_are_not_a_wav_are_corrupt() {
        let err = decode_wav(b"not a wav file at all").expect_err("must fail");
        assert!(matches!(err, AudioError::Corrupt { .. }), "{err:?}");
    }
}
