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

fn to_i16(sample: f32) -> i16 {
    (sample * 32768.0).round().clamp(-32768.0, 32767.0) as i16
}
