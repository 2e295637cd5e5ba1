//! Speech timestamps against the reference Python `silero-vad` package.
//!
//! `tests/fixtures/parity/` holds 16 kHz mono FLAC recordings and, next to
//! each, the speech runs that `silero_vad.get_speech_timestamps` (default
//! parameters) found in exactly its decoded samples (`generate.py` there made
//! them). For every recording, in the exact sequential mode, the default
//! configuration and the parallel sections mode:
//!
//! * at least 98% of the boundaries (starts and ends, matched like with like)
//!   lie within one window (512 samples, 32 ms) of the other side's nearest
//!   boundary, counted both ways so that missing and extra speech both show;
//! * every reference speech sample is inside our speech: nothing is lost.
//!
//! The chunk pipeline is held to the second rule as well: the speech it
//! sends covers every reference speech sample, in chunks within the maximum.
//!
//! Needs the ONNX Runtime library and the Silero model (`cargo xtask assets`).

use std::path::{Path, PathBuf};

use scribe_audio::{
    AssetConfig, AudioInput, ChunkConfig, PipelineConfig, SourceRange, VadConfig, VadMode,
    WINDOW_SAMPLES, chunk_audio, speech_timestamps,
};

/// Boundaries within this many samples of each other agree.
const TOLERANCE: u64 = WINDOW_SAMPLES as u64;
/// Fraction of boundaries that must agree.
const MIN_AGREEMENT: f64 = 0.98;

struct Fixture {
    name: String,
    input: AudioInput,
    samples: u64,
    reference: Vec<(u64, u64)>,
}

fn parity_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/parity")
}

/// Every recording with its reference, plus all of them back to back (long
/// enough that the batched mode scores it as sections side by side, so the
/// seams between sections are checked too).
fn fixtures() -> Vec<Fixture> {
    let dir = parity_dir();
    let mut found: Vec<Fixture> = std::fs::read_dir(&dir)
        .expect("the parity fixture folder exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".reference.json"))
        .map(|path| {
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&path).expect("reference readable"))
                    .expect("reference is JSON");
            let name = json["file"].as_str().expect("reference names its file");
            let input = if name.contains('+') {
                let mut samples = Vec::new();
                for part in name.split('+') {
                    samples.extend(decode_flac(&dir.join(part)));
                }
                AudioInput::F32 {
                    samples,
                    sample_rate: 16_000,
                    channels: 1,
                }
            } else {
                AudioInput::Path(dir.join(name))
            };
            let reference = json["speech"]
                .as_array()
                .expect("reference lists speech")
                .iter()
                .map(|s| {
                    let at = |k: &str| s[k].as_u64().expect("sample positions are integers");
                    (at("start"), at("end"))
                })
                .collect();
            Fixture {
                name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().replace(".reference.json", ""))
                    .unwrap_or_default(),
                input,
                samples: json["samples"]
                    .as_u64()
                    .expect("reference gives the length"),
                reference,
            }
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    assert!(
        found.len() >= 6,
        "expected at least 5 parity recordings and their concatenation in {}",
        dir.display()
    );
    found
}

/// A 16-bit FLAC file as f32 samples (x / 32768, as the reference reads it).
fn decode_flac(path: &Path) -> Vec<f32> {
    use symphonia::core::codecs::CodecParameters;
    use symphonia::core::codecs::audio::AudioDecoderOptions;
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;

    let file = std::fs::File::open(path).expect("fixture readable");
    let stream = MediaSourceStream::new(Box::new(file), Default::default());
    let mut format = symphonia::default::get_probe()
        .probe(
            &Hint::new(),
            stream,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .expect("fixture is FLAC");
    let track = format
        .default_track(TrackType::Audio)
        .expect("fixture has audio");
    let Some(CodecParameters::Audio(params)) = track.codec_params.clone() else {
        panic!("fixture has no audio parameters");
    };
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .expect("FLAC decoder");
    let mut samples = Vec::new();
    let mut buffer: Vec<i16> = Vec::new();
    while let Some(packet) = format.next_packet().expect("fixture decodes") {
        if packet.track_id != track_id {
            continue;
        }
        let decoded = decoder.decode(&packet).expect("fixture decodes");
        decoded.copy_to_vec_interleaved(&mut buffer);
        samples.extend(buffer.iter().map(|&x| f32::from(x) / 32768.0));
    }
    samples
}

/// How two sets of speech runs agree.
#[derive(Default, Debug, Clone, Copy)]
struct Agreement {
    /// Reference boundaries with one of ours within the tolerance.
    reference_matched: usize,
    reference_boundaries: usize,
    /// Our boundaries with one of the reference's within the tolerance.
    ours_matched: usize,
    ours_boundaries: usize,
    /// Boundaries at exactly the same sample.
    identical: usize,
    /// Reference speech samples not inside our speech.
    lost_samples: u64,
    reference_speech: u64,
    /// Our speech samples outside the reference's speech.
    extra_samples: u64,
    /// Largest distance of a reference boundary from our nearest one.
    worst_distance: u64,
}

impl Agreement {
    fn add(&mut self, other: &Agreement) {
        self.reference_matched += other.reference_matched;
        self.reference_boundaries += other.reference_boundaries;
        self.ours_matched += other.ours_matched;
        self.ours_boundaries += other.ours_boundaries;
        self.identical += other.identical;
        self.lost_samples += other.lost_samples;
        self.reference_speech += other.reference_speech;
        self.extra_samples += other.extra_samples;
        self.worst_distance = self.worst_distance.max(other.worst_distance);
    }

    fn reference_rate(&self) -> f64 {
        ratio(self.reference_matched, self.reference_boundaries)
    }

    fn ours_rate(&self) -> f64 {
        ratio(self.ours_matched, self.ours_boundaries)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

fn nearest(sorted: &[u64], x: u64) -> u64 {
    sorted
        .iter()
        .map(|&y| y.abs_diff(x))
        .min()
        .unwrap_or(u64::MAX)
}

fn merged(runs: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut sorted = runs.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::new();
    for (a, b) in sorted {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ if b > a => out.push((a, b)),
            _ => {}
        }
    }
    out
}

/// Samples of `a` not inside `b`.
fn uncovered(a: &[(u64, u64)], b: &[(u64, u64)]) -> u64 {
    let (a, b) = (merged(a), merged(b));
    let total: u64 = a.iter().map(|(s, e)| e - s).sum();
    let mut inside = 0;
    for &(s, e) in &a {
        for &(t, u) in &b {
            let (lo, hi) = (s.max(t), e.min(u));
            if hi > lo {
                inside += hi - lo;
            }
        }
    }
    total - inside
}

fn agreement(reference: &[(u64, u64)], ours: &[(u64, u64)]) -> Agreement {
    let starts = |v: &[(u64, u64)]| v.iter().map(|r| r.0).collect::<Vec<_>>();
    let ends = |v: &[(u64, u64)]| v.iter().map(|r| r.1).collect::<Vec<_>>();
    let mut a = Agreement::default();
    for (theirs, mine) in [
        (starts(reference), starts(ours)),
        (ends(reference), ends(ours)),
    ] {
        for &x in &theirs {
            let d = nearest(&mine, x);
            a.reference_boundaries += 1;
            a.reference_matched += usize::from(d <= TOLERANCE);
            a.identical += usize::from(d == 0);
            a.worst_distance = a.worst_distance.max(d);
        }
        for &x in &mine {
            a.ours_boundaries += 1;
            a.ours_matched += usize::from(nearest(&theirs, x) <= TOLERANCE);
        }
    }
    a.lost_samples = uncovered(reference, ours);
    a.reference_speech = reference.iter().map(|(s, e)| e - s).sum();
    a.extra_samples = uncovered(ours, reference);
    a
}

fn ranges(found: &[SourceRange]) -> Vec<(u64, u64)> {
    found.iter().map(|r| (r.start, r.end)).collect()
}

fn check_mode(label: &str, vad: &VadConfig) {
    let assets = AssetConfig::default();
    let mut total = Agreement::default();
    eprintln!(
        "{label}: fixture | runs ref/ours | boundaries within 32 ms ref->ours, ours->ref | identical | worst (samples) | lost samples | extra samples"
    );
    for f in fixtures() {
        let ours = speech_timestamps(f.input.clone(), vad, &assets)
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        let ours = ranges(&ours);
        if let Some(last) = ours.last() {
            assert!(last.1 <= f.samples, "{}: speech past the end", f.name);
        }
        let a = agreement(&f.reference, &ours);
        eprintln!(
            "{label}: {} | {}/{} | {}/{}, {}/{} | {} | {} | {} | {}",
            f.name,
            f.reference.len(),
            ours.len(),
            a.reference_matched,
            a.reference_boundaries,
            a.ours_matched,
            a.ours_boundaries,
            a.identical,
            a.worst_distance,
            a.lost_samples,
            a.extra_samples
        );
        total.add(&a);
    }
    eprintln!(
        "{label}: total: reference boundaries matched {:.2}%, ours matched {:.2}%, identical {}/{}, lost {} of {} reference speech samples, extra {}",
        100.0 * total.reference_rate(),
        100.0 * total.ours_rate(),
        total.identical,
        total.reference_boundaries,
        total.lost_samples,
        total.reference_speech,
        total.extra_samples
    );
    assert!(
        total.reference_rate() >= MIN_AGREEMENT,
        "{label}: only {:.2}% of reference boundaries within 32 ms",
        100.0 * total.reference_rate()
    );
    assert!(
        total.ours_rate() >= MIN_AGREEMENT,
        "{label}: only {:.2}% of our boundaries within 32 ms of the reference",
        100.0 * total.ours_rate()
    );
    assert_eq!(
        total.lost_samples, 0,
        "{label}: reference speech samples missing from ours"
    );
}

#[test]
fn sequential_mode_matches_the_reference() {
    check_mode(
        "sequential",
        &VadConfig::default().with_mode(VadMode::Sequential),
    );
}

#[test]
fn default_config_matches_the_reference() {
    check_mode("default", &VadConfig::default());
}

#[test]
fn parallel_sections_mode_matches_the_reference() {
    check_mode(
        "sections",
        &VadConfig::default().with_mode(VadMode::sections()),
    );
}

#[test]
fn chunks_send_all_reference_speech_within_the_maximum() {
    for vad in [
        VadConfig::default(),
        VadConfig::default().with_mode(VadMode::sections()),
    ] {
        check_chunks(&vad);
    }
}

fn check_chunks(vad: &VadConfig) {
    let chunk = ChunkConfig::default();
    let config = PipelineConfig::default()
        .with_vad(vad.clone())
        .with_chunk(chunk.clone());
    for f in fixtures() {
        let (chunks, summary) = chunk_audio(f.input.clone(), &config)
            .and_then(|s| s.collect_all())
            .unwrap_or_else(|e| panic!("{}: {e}", f.name));
        assert_eq!(summary.chunks as usize, chunks.len(), "{}", f.name);
        let mut sent = Vec::new();
        let mut last_end = 0;
        for (i, c) in chunks.iter().enumerate() {
            assert_eq!(c.index as usize, i, "{}: chunk order", f.name);
            assert!(
                c.duration_seconds <= chunk.max_seconds + 1e-9,
                "{}: chunk {i} is {:.3} s, over the {} s maximum",
                f.name,
                c.duration_seconds,
                chunk.max_seconds
            );
            let held: u64 = c.speech.iter().map(SourceRange::len).sum();
            let wav = hound::WavReader::new(std::io::Cursor::new(&c.wav))
                .unwrap_or_else(|e| panic!("{}: chunk {i} is not WAV: {e}", f.name));
            let spec = wav.spec();
            assert_eq!(
                (spec.sample_rate, spec.channels, spec.bits_per_sample),
                (16_000, 1, 16),
                "{}: chunk {i} format",
                f.name
            );
            assert_eq!(
                u64::from(wav.len()),
                held,
                "{}: chunk {i} audio length differs from its source ranges",
                f.name
            );
            for r in &c.speech {
                assert!(r.start >= last_end, "{}: chunks overlap or go back", f.name);
                last_end = r.end;
                sent.push((r.start, r.end));
            }
        }
        let lost = uncovered(&f.reference, &sent);
        eprintln!(
            "chunks ({:?}): {}: {} chunks for {} reference runs, {lost} reference speech samples not sent",
            vad.mode,
            f.name,
            chunks.len(),
            f.reference.len()
        );
        assert_eq!(lost, 0, "{}: reference speech not sent", f.name);
    }
}

#[test]
fn agreement_counts_what_it_should() {
    // The scorer itself: a shifted boundary beyond the tolerance is a
    // mismatch both ways, and uncovered samples are counted exactly.
    let reference = [(1000, 5000), (9000, 12000)];
    let ours = [(1000, 5000 + TOLERANCE), (9000 + TOLERANCE + 1, 12000)];
    let a = agreement(&reference, &ours);
    assert_eq!((a.reference_matched, a.reference_boundaries), (3, 4));
    assert_eq!((a.ours_matched, a.ours_boundaries), (3, 4));
    assert_eq!(a.identical, 2);
    assert_eq!(a.lost_samples, TOLERANCE + 1);
    assert_eq!(a.extra_samples, TOLERANCE);
    assert_eq!(a.worst_distance, TOLERANCE + 1);
}
