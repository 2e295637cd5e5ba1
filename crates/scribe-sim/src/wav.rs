//! A test tone to send to the simulator, as a WAV file, and the WAV files
//! the simulator stores streamed PCM in. Both are written by
//! [`scribe_audio::encode_wav`], the project's one WAV writer (16-bit mono
//! PCM).
//!
//! The simulator decodes every upload, so tests need real audio; these
//! helpers make it without fixture files.
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

/// A mono 16-bit WAV file of [`tone`].
///
/// # Panics
///
/// When `sample_rate` is 0 or above 768 kHz, or the tone does not fit in
/// one WAV file (about 37 hours at 16 kHz).
pub fn tone_file(seconds: f64, sample_rate: u32) -> Vec<u8> {
    scribe_audio::encode_wav(&tone(seconds, sample_rate), sample_rate)
        .unwrap_or_else(|e| panic!("a test tone as WAV: {e}"))
}

/// A mono 16-bit WAV file of little-endian 16-bit PCM (streamed audio the
/// simulator stores; callers pass whole samples, so no odd byte is left).
///
/// # Panics
///
/// When `sample_rate` is unusable or the audio does not fit in one WAV
/// file; the stream route passes at most a chunk's worth at 16 kHz.
pub(crate) fn encode_le_bytes(pcm: &[u8], sample_rate: u32) -> Vec<u8> {
    let samples: Vec<i16> = pcm
        .chunks_exact(2)
        .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
        .collect();
    scribe_audio::encode_wav(&samples, sample_rate)
        .unwrap_or_else(|e| panic!("streamed PCM as WAV: {e}"))
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

    #[test]
    fn streamed_pcm_is_stored_as_the_samples_it_holds() {
        let samples = super::tone(0.1, 16_000);
        let pcm: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        let stored = super::encode_le_bytes(&pcm, 16_000);
        assert_eq!(stored, super::tone_file(0.1, 16_000));
        assert_eq!(&stored[44..], pcm.as_slice());
    }
}
