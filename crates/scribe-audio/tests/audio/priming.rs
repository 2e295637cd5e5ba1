//! Decoded length equals the source's: encoder priming and padding the
//! container declares are dropped (MP4 edit list, Opus pre-skip, Matroska
//! `DiscardPadding`), nothing else.
//!
//! The expected counts are ffmpeg's (`ffmpeg -i FILE -map 0:a:0 -f f32le -`
//! bytes ÷ 4 ÷ channels, native rate, ffmpeg 6), computed once; the test does
//! not need ffmpeg. They are exact: every file here is the same speech, and
//! all but the AAC ones decode to the source's length (237,087 frames at
//! 48 kHz for the examples, 274,040 for `tests/data`). For AAC ffmpeg drops
//! the edit list's 1024 priming frames but keeps the tail of the last
//! 1024-frame packet, as we do: the `elst` duration is in movie ticks
//! (1 ms here), too coarse to cut the end without cutting real audio.

use std::path::PathBuf;

use scribe_audio::inspect;

/// `examples/audio/` at the workspace root: file name, frames.
const EXAMPLES: &[(&str, u64)] = &[
    ("consultation.m4a", 237_568),
    ("consultation.webm", 237_087),
    ("consultation-opus.ogg", 237_087),
    ("consultation-vorbis.ogg", 237_087),
    ("consultation.mp3", 237_087),
    ("consultation.flac", 79_029),
    ("consultation.wav", 79_029),
    ("consultation-48k-stereo.wav", 237_087),
];

/// `tests/data/`: file name, frames.
const TEST_DATA: &[(&str, u64)] = &[
    ("speech.m4a", 274_432),
    ("speech.webm", 274_040),
    ("speech.opus.ogg", 274_040),
    ("speech.vorbis.ogg", 125_888),
    ("speech.mp3", 274_040),
    ("speech.flac", 91_347),
    ("speech_u8_8k_stereo.wav", 45_674),
];

fn frames_of(path: &PathBuf) -> u64 {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    inspect(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .frames
}

#[test]
fn example_recordings_decode_to_ffmpegs_length() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/audio");
    for (name, expected) in EXAMPLES {
        assert_eq!(frames_of(&root.join(name)), *expected, "{name}");
    }
}

#[test]
fn test_recordings_decode_to_ffmpegs_length() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    for (name, expected) in TEST_DATA {
        assert_eq!(frames_of(&root.join(name)), *expected, "{name}");
    }
}

/// The 60-minute benchmark set (`target/bench-audio/`, not committed; made
/// by the benchmark scripts): ffmpeg decodes every one to 172,800,000 frames
/// at 48 kHz except AAC, whose last packet's tail ffmpeg keeps as well.
#[test]
#[ignore = "needs target/bench-audio/ (60-minute files); run with --ignored --release"]
fn hour_long_recordings_decode_to_ffmpegs_length() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench-audio");
    for (name, expected) in [
        ("consult_60m.m4a", 172_800_000),
        ("consult_60m.webm", 172_800_000),
    ] {
        let path = root.join(name);
        if path.exists() {
            assert_eq!(frames_of(&path), expected, "{name}");
        }
    }
}
