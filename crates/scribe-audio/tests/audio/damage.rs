//! Damaged recordings: the chunks of the audio before the damage, where
//! that audio stops, and a header with no audio after it.

use scribe_audio::{
    AudioDamage, AudioError, AudioInput, Chunk, DamageKind, PipelineConfig, chunk_audio, inspect,
};

/// The bytes of an example recording (`examples/audio/`).
fn example(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/audio")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What chunking `bytes` on `threads` decoding threads gives: the chunks,
/// the error that ended the stream, and the damage it reports.
fn chunked(bytes: &[u8], threads: usize) -> (Vec<Chunk>, Option<AudioError>, Option<AudioDamage>) {
    let config = PipelineConfig::default().with_decode_threads(threads);
    let mut stream = match chunk_audio(AudioInput::Bytes(bytes.to_vec()), &config) {
        Ok(stream) => stream,
        Err(e) => return (Vec::new(), Some(e), None),
    };
    let mut chunks = Vec::new();
    let mut error = None;
    for item in &mut stream {
        match item {
            Ok(chunk) => {
                assert!(error.is_none(), "a chunk after the error");
                chunks.push(chunk);
            }
            Err(e) => error = Some(e),
        }
    }
    (chunks, error, stream.damage().cloned())
}

/// `consultation.wav`'s 16 kHz mono 16-bit header, 44 bytes.
const WAV_HEADER: usize = 44;

#[test]
fn a_header_only_wav_has_no_audio_frames() {
    let wav = example("consultation.wav");
    // As a recorder that stopped before any sound leaves it: sizes of 0...
    let mut empty = wav[..WAV_HEADER].to_vec();
    empty[4..8].copy_from_slice(&36u32.to_le_bytes());
    empty[40..44].copy_from_slice(&0u32.to_le_bytes());
    // ... and as a copy cut right after the header: sizes of the whole.
    let cut = wav[..WAV_HEADER].to_vec();
    for (bytes, announced) in [(empty, false), (cut, true)] {
        let err = inspect(&bytes).expect_err("no audio");
        assert!(
            matches!(err, AudioError::NoAudioFrames { announced: a } if a == announced),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.contains("no audio frames"), "{text}");
        assert!(!text.contains("0 bytes"), "{text}");
        for threads in [1, 2] {
            let (chunks, err, damage) = chunked(&bytes, threads);
            assert!(chunks.is_empty());
            assert!(
                matches!(err, Some(AudioError::NoAudioFrames { .. })),
                "{threads} threads: {err:?}"
            );
            assert_eq!(damage, None, "nothing decoded is no damage to keep");
        }
    }
    // Truly empty input is still empty.
    assert!(matches!(inspect(&[]), Err(AudioError::Empty)));
}

#[test]
fn a_cut_wav_gives_its_audio_up_to_the_cut_and_says_where_it_stops() {
    let wav = example("consultation.wav");
    let data = wav.len() - WAV_HEADER;
    // Cut at 90% of the audio, inside a sample.
    let cut_at = WAV_HEADER + data * 9 / 10 + 1;
    let cut_seconds = ((cut_at - WAV_HEADER) / 2) as f64 / 16_000.0;
    let whole_seconds = (data / 2) as f64 / 16_000.0;
    let cut = &wav[..cut_at];

    let (one, one_err, one_damage) = chunked(cut, 1);
    assert!(
        matches!(one_err, Some(AudioError::Truncated { .. })),
        "{one_err:?}"
    );
    let damage = one_damage.expect("the damage is reported");
    assert_eq!(damage.kind, DamageKind::Truncated);
    assert!(
        damage.at_seconds <= cut_seconds && damage.at_seconds > cut_seconds - 0.1,
        "stops at {} s, cut at {cut_seconds} s",
        damage.at_seconds
    );
    let declared = damage
        .declared_seconds
        .expect("the header declares a length");
    assert!((declared - whole_seconds).abs() < 1e-9, "{declared}");
    let lost = damage.lost_seconds().expect("declared");
    assert!((lost - (whole_seconds - damage.at_seconds)).abs() < 1e-9);
    let line = damage.to_string();
    assert!(
        line.starts_with("the audio stops at 0:04.4 of 0:04.9"),
        "{line}"
    );

    assert!(!one.is_empty(), "the speech before the cut is chunked");
    let last_speech = one
        .iter()
        .flat_map(|c| &c.speech)
        .map(|r| r.end)
        .max()
        .expect("speech");
    assert!(
        last_speech as f64 / 16_000.0 <= damage.at_seconds + 1e-9,
        "no chunk holds audio past where it stops"
    );

    // Decoded in sections on two threads: the same chunks, the same damage.
    let (two, two_err, two_damage) = chunked(cut, 2);
    assert!(matches!(two_err, Some(AudioError::Truncated { .. })));
    assert_eq!(two_damage.as_ref(), Some(&damage));
    assert_eq!(two.len(), one.len());
    for (a, b) in two.iter().zip(&one) {
        assert!(a.wav == b.wav, "chunk {} differs", a.index);
    }
}

#[test]
fn a_cut_mp3_is_truncated_by_its_info_frame_count() {
    let mp3 = example("consultation.mp3");
    let (_, err, damage) = chunked(&mp3[..mp3.len() / 2], 1);
    assert!(matches!(err, Some(AudioError::Truncated { .. })), "{err:?}");
    let damage = damage.expect("damage");
    assert_eq!(damage.kind, DamageKind::Truncated);
    let declared = damage
        .declared_seconds
        .expect("the Info frame counts frames");
    assert!((declared - 4.939).abs() < 0.01, "{declared}");
    assert!(
        (2.0..2.6).contains(&damage.at_seconds),
        "half the bytes, about half the audio: {}",
        damage.at_seconds
    );
}

/// `consultation.mp3` without its ID3 tag and Info frame, behind an ID3v2.3
/// tag holding only `TLEN` (the length in milliseconds): a CBR file whose
/// only declared length is the tag's.
fn mp3_with_only_tlen(millis: &str) -> Vec<u8> {
    let mp3 = example("consultation.mp3");
    // The example's ID3v2.4 tag: 10-byte header plus a synchsafe size.
    assert_eq!(&mp3[..3], b"ID3");
    let size = mp3[6..10]
        .iter()
        .fold(0usize, |n, &b| (n << 7) | usize::from(b & 0x7f));
    let first = 10 + size;
    // The first MPEG frame is the Info frame: MPEG-1 layer III, 64 kb/s at
    // 48 kHz, 144 * 64000 / 48000 = 192 bytes (plus a padding byte).
    assert_eq!(mp3[first], 0xFF);
    assert_eq!(&mp3[first + 36..first + 40], b"Info");
    let padding = usize::from((mp3[first + 2] >> 1) & 1);
    let audio = &mp3[first + 192 + padding..];
    assert_eq!(audio[0], 0xFF, "the next frame follows");

    let mut text = vec![0u8]; // ISO-8859-1
    text.extend_from_slice(millis.as_bytes());
    let mut frame = b"TLEN".to_vec();
    frame.extend_from_slice(&(text.len() as u32).to_be_bytes());
    frame.extend_from_slice(&[0, 0]);
    frame.extend_from_slice(&text);
    let mut out = b"ID3\x03\x00\x00".to_vec();
    let n = frame.len() as u32;
    out.extend_from_slice(&[
        (n >> 21 & 0x7f) as u8,
        (n >> 14 & 0x7f) as u8,
        (n >> 7 & 0x7f) as u8,
        (n & 0x7f) as u8,
    ]);
    out.extend_from_slice(&frame);
    out.extend_from_slice(audio);
    out
}

#[test]
fn a_cut_mp3_is_truncated_by_its_id3_length() {
    let whole = mp3_with_only_tlen("4939");
    // Whole, it decodes without complaint.
    let info = inspect(&whole).expect("the whole file decodes");
    assert!(info.duration_seconds > 4.9, "{info:?}");
    // Cut, its size gives symphonia a shorter estimate; the tag does not.
    let cut = &whole[..whole.len() / 2];
    let (_, err, damage) = chunked(cut, 1);
    assert!(matches!(err, Some(AudioError::Truncated { .. })), "{err:?}");
    let damage = damage.expect("damage");
    assert_eq!(damage.declared_seconds, Some(4.939));
    assert!(damage.at_seconds < 2.6, "{}", damage.at_seconds);
    // A tag that is no length is ignored, not an error.
    assert!(inspect(&mp3_with_only_tlen("soon")).is_ok());
}

#[test]
fn damage_before_any_audio_is_an_error_not_damage() {
    let mp3 = example("consultation.mp3");
    // The tags and the Info frame only.
    let (chunks, err, damage) = chunked(&mp3[..300], 1);
    assert!(chunks.is_empty());
    assert!(err.is_some());
    assert_eq!(damage, None);
}
