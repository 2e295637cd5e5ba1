//! WAV files (16-bit mono PCM) and a test tone to send to the simulator.
//!
//! The simulator decodes every upload, so tests need real audio; these
//! helpers make it without fixture files. The simulator stores streamed PCM
//! with [`encode_le_bytes`] too.
//!
//! ```
//! let wav = scribe_sim::wav::tone_file(1.5, 16_000);
//! assert_eq!(wav.len(), 44 + 24_000 * 2);
//! assert_eq!(&wav[..4], b"RIFF");
//! ```

/// Frequency of [`tone`], in Hz.
pub const TONE_HZ: f64 = 440.0;

/// Peak amplitude of [`tone`] (about a quarter of full scale).
pub const TONE_AMPLITUDE: f64 = 8000.0;

/// `seconds` of a [`TONE_HZ`] sine at `sample_rate`, as 16-bit samples.
pub fn tone(seconds: f64, sample_rate: u32) -> Vec<i16> {
    let rate = f64::from(sample_rate);
    let frames = (seconds * rate).round().max(0.0) as usize;
    (0..frames)
        .map(|i| {
            let t = i as f64 / rate;
            ((t * TONE_HZ * std::f64::consts::TAU).sin() * TONE_AMPLITUDE) as i16
        })
        .collect()
}

/// A WAV file of [`tone`].
pub fn tone_file(seconds: f64, sample_rate: u32) -> Vec<u8> {
    encode(&tone(seconds, sample_rate), sample_rate)
}

/// A mono 16-bit WAV file of `samples` at `sample_rate`.
pub fn encode(samples: &[i16], sample_rate: u32) -> Vec<u8> {
    let pcm: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    encode_le_bytes(&pcm, sample_rate)
}

/// A mono 16-bit WAV file around little-endian PCM bytes (a trailing odd
/// byte is kept as sent; the data size then says so).
pub fn encode_le_bytes(pcm: &[u8], sample_rate: u32) -> Vec<u8> {
    let data_len = u32::try_from(pcm.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(44 + pcm.len());
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&data_len.saturating_add(36).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&sample_rate.saturating_mul(2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    out.extend_from_slice(pcm);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_tone_decodes_to_its_length() {
        let info = scribe_audio::inspect(&super::tone_file(0.25, 16_000))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(info.sample_rate, 16_000);
        assert_eq!(info.channels, 1);
        assert!((info.duration_seconds - 0.25).abs() < 1e-9);
    }
}
