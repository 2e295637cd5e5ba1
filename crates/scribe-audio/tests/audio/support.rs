//! Test inputs: the committed recordings under `tests/data/` and WAV files
//! built in memory.

use std::path::PathBuf;

/// A committed test recording by file name.
pub fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
        .join(name)
}

/// The bytes of a committed test recording.
pub fn data(name: &str) -> Vec<u8> {
    std::fs::read(data_path(name)).unwrap_or_else(|e| panic!("test data {name}: {e}"))
}

/// The committed compressed speech recordings (same speech, ~5.7 s): file
/// name, container, codec.
pub const SPEECH_FILES: &[(&str, &str, &str)] = &[
    ("speech.mp3", "mp3", "mp3"),
    ("speech.m4a", "isomp4", "aac"),
    ("speech.webm", "matroska", "opus"),
    ("speech.opus.ogg", "ogg", "opus"),
    ("speech.vorbis.ogg", "ogg", "vorbis"),
    ("speech.flac", "flac", "flac"),
    ("speech_u8_8k_stereo.wav", "wave", "pcm_u8"),
];

/// Builds a WAV file in memory with hound.
pub fn wav_bytes(
    spec: hound::WavSpec,
    frames: usize,
    sample: impl Fn(usize, u16) -> f64,
) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut writer = hound::WavWriter::new(&mut cursor, spec).expect("wav writer");
        for i in 0..frames {
            for ch in 0..spec.channels {
                let v = sample(i, ch).clamp(-1.0, 1.0);
                match (spec.sample_format, spec.bits_per_sample) {
                    (hound::SampleFormat::Float, _) => writer.write_sample(v as f32),
                    (hound::SampleFormat::Int, 8) => writer.write_sample((v * 127.0) as i8),
                    (hound::SampleFormat::Int, 16) => writer.write_sample((v * 32767.0) as i16),
                    (hound::SampleFormat::Int, bits) => {
                        let max = ((1i64 << (bits - 1)) - 1) as f64;
                        writer.write_sample((v * max) as i32)
                    }
                }
                .expect("write sample");
            }
        }
        writer.finalize().expect("finalize");
    }
    cursor.into_inner()
}

/// A 440 Hz tone.
pub fn tone(rate: u32) -> impl Fn(usize, u16) -> f64 {
    move |i, _| 0.5 * (2.0 * std::f64::consts::PI * 440.0 * i as f64 / f64::from(rate)).sin()
}

/// Decodes a chunk's WAV, checking it is 16-bit mono 16 kHz.
pub fn wav_samples(wav: &[u8]) -> Vec<i16> {
    let reader = hound::WavReader::new(std::io::Cursor::new(wav)).expect("chunk is a WAV file");
    let spec = reader.spec();
    assert_eq!(spec.channels, 1);
    assert_eq!(spec.sample_rate, 16_000);
    assert_eq!(spec.bits_per_sample, 16);
    assert_eq!(spec.sample_format, hound::SampleFormat::Int);
    reader
        .into_samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect()
}

/// The committed 8 kHz stereo speech as raw interleaved 16-bit LE PCM
/// (read with hound from the 8-bit WAV, independent of the crate's decoder).
pub fn speech_pcm_8k_stereo() -> Vec<u8> {
    let reader =
        hound::WavReader::new(std::io::Cursor::new(data("speech_u8_8k_stereo.wav"))).expect("wav");
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 8000, 8)
    );
    let mut bytes = Vec::new();
    for s in reader.into_samples::<i8>() {
        let s = i16::from(s.expect("sample")) << 8;
        bytes.extend_from_slice(&s.to_le_bytes());
    }
    bytes
}

/// Exact mode (the reference's window order), for equality tests.
pub fn exact() -> scribe_audio::VadConfig {
    scribe_audio::VadConfig::default().with_mode(scribe_audio::VadMode::Sequential)
}

/// `n` seconds of quiet noise at 16 kHz (no speech).
pub fn quiet_noise(seconds: usize) -> Vec<f32> {
    let mut x: u32 = 12345;
    (0..seconds * 16_000)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            ((x >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.002
        })
        .collect()
}
