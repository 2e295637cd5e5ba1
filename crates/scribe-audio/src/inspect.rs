//! `inspect`: what a recording is, checked by decoding every packet.

use std::io::Cursor;

use crate::decode::PacketDecoder;
use crate::error::AudioError;
use crate::panic_guard::catch_decoder_panic;

/// What [`inspect`] learned about a recording.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AudioInfo {
    /// Playable length in seconds (decoded frames ÷ sample rate).
    pub duration_seconds: f64,
    /// Sample rate of the decoded audio in Hz.
    pub sample_rate: u32,
    /// Channels in the decoded audio.
    pub channels: u16,
    /// Decoded frames (samples per channel).
    pub frames: u64,
    /// The container, as detected from the content (`wav`, `mp3`, `isomp4`,
    /// `mkv`, `ogg`, `flac`, ...).
    pub format: String,
    /// The audio codec (`pcm_s16le`, `mp3`, `aac`, `opus`, `vorbis`, `flac`, ...).
    pub codec: String,
}

/// Detects the format of `bytes` from their content and decodes every packet,
/// so that a corrupt or truncated file is an error here rather than later.
///
/// ```
/// // 0.1 s of 16-bit mono silence at 8 kHz, as a WAV file.
/// let mut wav = Vec::new();
/// let frames: u32 = 800;
/// wav.extend_from_slice(b"RIFF");
/// wav.extend_from_slice(&(36 + frames * 2).to_le_bytes());
/// wav.extend_from_slice(b"WAVEfmt ");
/// wav.extend_from_slice(&16u32.to_le_bytes());
/// wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
/// wav.extend_from_slice(&1u16.to_le_bytes()); // mono
/// wav.extend_from_slice(&8000u32.to_le_bytes());
/// wav.extend_from_slice(&16000u32.to_le_bytes());
/// wav.extend_from_slice(&2u16.to_le_bytes());
/// wav.extend_from_slice(&16u16.to_le_bytes());
/// wav.extend_from_slice(b"data");
/// wav.extend_from_slice(&(frames * 2).to_le_bytes());
/// wav.resize(wav.len() + frames as usize * 2, 0);
///
/// let info = scribe_audio::inspect(&wav)?;
/// assert_eq!(info.sample_rate, 8000);
/// assert_eq!(info.channels, 1);
/// assert!((info.duration_seconds - 0.1).abs() < 1e-9);
/// # Ok::<(), scribe_audio::AudioError>(())
/// ```
///
/// # Errors
///
/// [`AudioError::Empty`], [`AudioError::Truncated`], [`AudioError::Corrupt`],
/// [`AudioError::UnrecognizedFormat`], [`AudioError::UnsupportedCodec`],
/// [`AudioError::NoAudioTrack`], [`AudioError::InvalidSampleRate`].
pub fn inspect(bytes: &[u8]) -> Result<AudioInfo, AudioError> {
    if bytes.is_empty() {
        return Err(AudioError::Empty);
    }
    catch_decoder_panic(|| {
        let prefix = &bytes[..bytes.len().min(16)];
        let mut decoder = PacketDecoder::open(Box::new(Cursor::new(bytes)), prefix)?;
        while decoder.next_block()?.is_some() {}
        let facts = decoder.facts();
        let frames = decoder.decoded_frames();
        Ok(AudioInfo {
            duration_seconds: frames as f64 / f64::from(facts.sample_rate),
            sample_rate: facts.sample_rate,
            channels: facts.channels,
            frames,
            format: facts.format.clone(),
            codec: facts.codec.clone(),
        })
    })
}
