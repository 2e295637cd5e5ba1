//! `inspect`: every format from bytes, every bad-input case.

use scribe_audio::{AudioError, inspect};

use crate::support::{SPEECH_FILES, data, tone, wav_bytes};

#[test]
fn every_committed_format_is_detected_from_content() {
    for (name, format, codec) in SPEECH_FILES {
        let info = inspect(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(info.format, *format, "{name}");
        assert_eq!(info.codec, *codec, "{name}");
        assert!(
            (info.duration_seconds - 5.71).abs() < 0.1,
            "{name}: duration {}",
            info.duration_seconds
        );
        assert!(info.sample_rate > 0 && info.channels > 0, "{name}");
    }
}

#[test]
fn wav_of_every_sample_format_rate_and_channel_count() {
    let cases = [
        (8, hound::SampleFormat::Int, 8_000, 1),
        (16, hound::SampleFormat::Int, 44_100, 2),
        (24, hound::SampleFormat::Int, 48_000, 2),
        (32, hound::SampleFormat::Int, 96_000, 1),
        (32, hound::SampleFormat::Float, 22_050, 6),
        (16, hound::SampleFormat::Int, 11_025, 3),
    ];
    for (bits, format, rate, channels) in cases {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        };
        let frames = rate as usize / 2;
        let bytes = wav_bytes(spec, frames, tone(rate));
        let info = inspect(&bytes).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        assert_eq!(info.sample_rate, rate);
        assert_eq!(info.channels, channels);
        assert_eq!(info.frames, frames as u64);
        assert!((info.duration_seconds - frames as f64 / f64::from(rate)).abs() < 1e-9);
    }
}

#[test]
fn empty_input_is_empty() {
    assert!(matches!(inspect(&[]), Err(AudioError::Empty)));
}

#[test]
fn garbage_is_unrecognized() {
    let garbage: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let err = inspect(&garbage).expect_err("garbage must not decode");
    assert!(
        matches!(
            err,
            AudioError::UnrecognizedFormat | AudioError::Corrupt { .. }
        ),
        "{err:?}"
    );
    assert!(matches!(
        inspect(b"hello"),
        Err(AudioError::UnrecognizedFormat)
    ));
}

#[test]
fn truncated_files_are_truncated() {
    for (name, _, _) in SPEECH_FILES {
        let bytes = data(name);
        let cut = &bytes[..bytes.len() / 2];
        let err = inspect(cut).expect_err(name);
        assert!(
            matches!(
                err,
                AudioError::Truncated { .. } | AudioError::Corrupt { .. }
            ),
            "{name}: {err:?}"
        );
    }
    // A WAV cut inside its header.
    let wav = data("speech_u8_8k_stereo.wav");
    let err = inspect(&wav[..30]).expect_err("header only");
    assert!(matches!(err, AudioError::Truncated { .. }), "{err:?}");
}

#[test]
fn corrupt_payload_is_corrupt() {
    for name in ["speech.mp3", "speech.flac", "speech.opus.ogg", "speech.m4a"] {
        let mut bytes = data(name);
        let len = bytes.len();
        // Keep the header, scramble the rest.
        for (i, b) in bytes[len / 8..].iter_mut().enumerate() {
            *b = (i as u32).wrapping_mul(2_654_435_761).to_be_bytes()[1];
        }
        let err = inspect(&bytes).expect_err(name);
        assert!(
            matches!(
                err,
                AudioError::Corrupt { .. } | AudioError::Truncated { .. }
            ),
            "{name}: {err:?}"
        );
    }
}

#[test]
fn unsupported_codec_is_named() {
    let err = inspect(&data("tone.ac3.mka")).expect_err("ac3 is not supported");
    match err {
        AudioError::UnsupportedCodec { codec } => assert!(codec.contains("ac3"), "{codec}"),
        other => panic!("expected UnsupportedCodec, got {other:?}"),
    }
}

#[test]
fn video_only_file_has_no_audio_track() {
    let err = inspect(&data("video_only.mkv")).expect_err("no audio");
    assert!(matches!(err, AudioError::NoAudioTrack), "{err:?}");
}

#[test]
fn sample_rate_zero_is_rejected() {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut bytes = wav_bytes(spec, 800, tone(8000));
    // The sample rate field of the canonical 44-byte header.
    bytes[24..28].copy_from_slice(&0u32.to_le_bytes());
    let err = inspect(&bytes).expect_err("rate 0");
    assert!(
        matches!(err, AudioError::InvalidSampleRate { rate: 0 }),
        "{err:?}"
    );
}

#[test]
fn damaged_files_never_panic_or_hang() {
    // Overwrite bytes at spread-out places (headers included) in every
    // committed file: each must decode or fail with a typed error.
    for (name, _, _) in SPEECH_FILES {
        let original = data(name);
        for round in 0u32..24 {
            let mut bytes = original.clone();
            let len = bytes.len();
            for k in 0u32..8 {
                let at = ((round * 7919 + k * 104_729) as usize * 31) % len;
                bytes[at] = bytes[at].wrapping_add((round * 37 + k * 11 + 1) as u8);
            }
            let _ = inspect(&bytes);
            let _ = inspect(&bytes[..len * (round as usize % 4 + 1) / 5]);
        }
    }
}

#[test]
fn errors_and_results_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<AudioError>();
    send_sync::<scribe_audio::AudioInfo>();
    send_sync::<scribe_audio::Chunk>();
    send::<scribe_audio::ChunkStream>();
    send::<scribe_audio::StreamingVad>();
    send::<scribe_audio::StreamingChunker>();
}
