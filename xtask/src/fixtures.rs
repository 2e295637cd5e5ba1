//! `cargo xtask fixtures [examples|parity|all] [--python PATH] [--check]`: the project's
//! own sample recordings, generated deterministically with espeak-ng, sox and
//! ffmpeg.
//!
//! * `examples` (default): a short doctor/patient exchange in every supported
//!   format under `examples/audio/`, for the façade tests and the README.
//! * `parity`: 16 kHz mono FLAC recordings under
//!   `crates/scribe-audio/tests/fixtures/parity/`; with `--python PATH` (an
//!   interpreter with `silero-vad` installed) it also rewrites the reference
//!   speech timestamps next to them with `generate.py`.
//! * `--check`: regenerates into a scratch folder and fails unless every file
//!   equals the committed one byte for byte.

pub(crate) mod synth;

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use synth::{Noise, Rng, Timeline, Tts, Voice, ffmpeg_encode, require_tools};

/// The doctor's voice in every fixture.
pub(crate) const DOCTOR: Voice = Voice {
    name: "en-gb+m3",
    wpm: 165,
    pitch: 40,
    pan: (1.0, 0.8),
};

/// The patient's voice in every fixture.
pub(crate) const PATIENT: Voice = Voice {
    name: "en-us+f3",
    wpm: 150,
    pitch: 65,
    pan: (0.75, 1.0),
};

const EXAMPLE_RATE: u32 = 48_000;

/// (file name, ffmpeg output options) for each example; the master is 48 kHz
/// stereo, so the compressed files exercise downmixing and resampling.
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "consultation.wav",
        &["-ac", "1", "-ar", "16000", "-c:a", "pcm_s16le"],
    ),
    ("consultation-48k-stereo.wav", &["-c:a", "pcm_s16le"]),
    ("consultation.mp3", &["-c:a", "libmp3lame", "-b:a", "64k"]),
    ("consultation.m4a", &["-c:a", "aac", "-b:a", "64k"]),
    (
        "consultation.webm",
        &["-c:a", "libopus", "-b:a", "32k", "-f", "webm"],
    ),
    (
        "consultation-opus.ogg",
        &["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"],
    ),
    (
        "consultation-vorbis.ogg",
        &["-c:a", "libvorbis", "-q:a", "0", "-f", "ogg"],
    ),
    (
        "consultation.flac",
        &["-ac", "1", "-ar", "16000", "-c:a", "flac"],
    ),
];

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut what = "examples";
    let mut python: Option<PathBuf> = None;
    let mut check = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "examples" | "parity" | "all" => what = arg,
            "--python" => {
                python = Some(it.next().context("--python needs a path")?.into());
            }
            "--check" => check = true,
            other => bail!(
                "unknown argument `{other}`; usage: cargo xtask fixtures [examples|parity|all] [--python PATH] [--check]"
            ),
        }
    }
    require_tools()?;
    let root = crate::workspace_root();
    if check {
        return check_reproducible(&root, what);
    }
    if what != "parity" {
        examples(&root.join("examples/audio"))?;
    }
    if what != "examples" {
        let dir = root.join("crates/scribe-audio/tests/fixtures/parity");
        parity(&dir)?;
        if let Some(python) = python {
            let status = Command::new(&python)
                .arg(dir.join("generate.py"))
                .arg(&dir)
                .status()
                .with_context(|| format!("could not start {}", python.display()))?;
            if !status.success() {
                bail!(
                    "generate.py failed; is silero-vad installed for {}?",
                    python.display()
                );
            }
        }
    }
    Ok(())
}

/// Regenerates into a scratch folder and compares with the committed files
/// byte for byte (same tool versions give the same bytes).
fn check_reproducible(root: &Path, what: &str) -> Result<()> {
    let scratch =
        std::env::temp_dir().join(format!("scribe-fixtures-check-{}", std::process::id()));
    let mut pairs = Vec::new();
    if what != "parity" {
        let dir = scratch.join("examples");
        examples(&dir)?;
        pairs.push((dir, root.join("examples/audio")));
    }
    if what != "examples" {
        let dir = scratch.join("parity");
        parity(&dir)?;
        pairs.push((dir, root.join("crates/scribe-audio/tests/fixtures/parity")));
    }
    let mut differ = Vec::new();
    let mut same = 0;
    for (fresh, committed) in &pairs {
        for entry in std::fs::read_dir(fresh)? {
            let path = entry?.path();
            let name = path.file_name().context("file name")?;
            if std::fs::read(&path)? == std::fs::read(committed.join(name)).unwrap_or_default() {
                same += 1;
            } else {
                differ.push(committed.join(name).display().to_string());
            }
        }
    }
    std::fs::remove_dir_all(&scratch)?;
    if !differ.is_empty() {
        bail!(
            "{} generated file(s) differ from the committed ones (other espeak-ng/sox/ffmpeg versions?): {}",
            differ.len(),
            differ.join(", ")
        );
    }
    eprintln!("{same} generated files match the committed ones byte for byte");
    Ok(())
}

/// Writes the raw interleaved 16-bit render of `timeline` to a temporary file.
fn render_raw(
    timeline: &Timeline,
    total: usize,
    channels: usize,
    noise: Option<Noise>,
    raw: &Path,
) -> Result<()> {
    let mut out = BufWriter::new(File::create(raw)?);
    timeline.render(total, channels, noise, &mut out)?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

fn examples(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tts = Tts::new(EXAMPLE_RATE);
    let mut t = Timeline::new(EXAMPLE_RATE);
    let doctor = Voice { wpm: 185, ..DOCTOR };
    let patient = Voice {
        wpm: 175,
        ..PATIENT
    };
    t.pause(0.3);
    t.say(
        &mut tts,
        &doctor,
        "How long have you had this headache?",
        0.45,
    )?;
    t.pause(0.7);
    t.say(
        &mut tts,
        &patient,
        "Three days. It is worse at night.",
        0.35,
    )?;
    t.pause(0.3);
    let total = t.seconds();
    let noise = Noise {
        pink_dbfs: -62.0,
        hum_dbfs: None,
        seed: 11,
    };
    let raw = std::env::temp_dir().join("scribe-fixture-example.s16le");
    render_raw(&t, 0, 2, Some(noise), &raw)?;
    for (name, options) in EXAMPLES {
        ffmpeg_encode(&raw, EXAMPLE_RATE, 2, &dir.join(name), options)?;
    }
    std::fs::remove_file(&raw)?;
    let bytes: u64 = EXAMPLES
        .iter()
        .filter_map(|(n, _)| std::fs::metadata(dir.join(n)).ok())
        .map(|m| m.len())
        .sum();
    eprintln!(
        "examples/audio: {} files, {total:.2} s each, {} KiB in all",
        EXAMPLES.len(),
        bytes / 1024
    );
    Ok(())
}

/// One parity recording: its name and how to build it.
struct Scene {
    name: &'static str,
    build: fn(&mut Tts, &mut Timeline, &mut Rng) -> Result<()>,
    noise: Noise,
}

const PARITY_RATE: u32 = 16_000;

const QUIET_ROOM: Noise = Noise {
    pink_dbfs: -68.0,
    hum_dbfs: None,
    seed: 1,
};

fn scenes() -> Vec<Scene> {
    vec![
        Scene {
            name: "turns",
            build: scene_turns,
            noise: QUIET_ROOM,
        },
        Scene {
            name: "long_silence",
            build: scene_long_silence,
            noise: Noise {
                seed: 2,
                ..QUIET_ROOM
            },
        },
        Scene {
            name: "noisy_clinic",
            build: scene_noisy,
            noise: Noise {
                pink_dbfs: -32.0,
                hum_dbfs: Some(-40.0),
                seed: 3,
            },
        },
        Scene {
            name: "short_answers",
            build: scene_short_answers,
            noise: Noise {
                seed: 4,
                ..QUIET_ROOM
            },
        },
        Scene {
            name: "rapid_quiet",
            build: scene_rapid_quiet,
            noise: Noise {
                pink_dbfs: -50.0,
                hum_dbfs: None,
                seed: 5,
            },
        },
        Scene {
            name: "hindi_mixed",
            build: scene_hindi,
            noise: Noise {
                pink_dbfs: -48.0,
                hum_dbfs: Some(-55.0),
                seed: 6,
            },
        },
    ]
}

fn parity(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    for scene in scenes() {
        let mut tts = Tts::new(PARITY_RATE);
        let mut t = Timeline::new(PARITY_RATE);
        let mut rng = Rng::new(0xC0FFEE ^ scene.noise.seed);
        (scene.build)(&mut tts, &mut t, &mut rng)?;
        let raw = std::env::temp_dir().join(format!("scribe-parity-{}.s16le", scene.name));
        render_raw(&t, 0, 1, Some(scene.noise), &raw)?;
        let out = dir.join(format!("{}.flac", scene.name));
        ffmpeg_encode(
            &raw,
            PARITY_RATE,
            1,
            &out,
            &["-c:a", "flac", "-compression_level", "12"],
        )?;
        std::fs::remove_file(&raw)?;
        eprintln!(
            "{}: {:.1} s, {} KiB",
            out.display(),
            t.seconds(),
            std::fs::metadata(&out)?.len() / 1024
        );
    }
    Ok(())
}

const DOCTOR_LINES: &[&str] = &[
    "Good afternoon. What seems to be the trouble?",
    "When did the cough begin?",
    "Is it worse at night or during the day?",
    "Have you measured your temperature at home?",
    "Any pain in the chest when you breathe in?",
    "I will listen to your lungs now. Take a slow, deep breath.",
    "Your oxygen saturation is ninety seven percent, which is fine.",
    "I am prescribing cetirizine ten milligrams at bedtime for five days.",
    "Drink warm fluids and rest your voice.",
    "If the fever goes above one hundred and two, call the clinic.",
];

const PATIENT_LINES: &[&str] = &[
    "It started about a week ago, after I got caught in the rain.",
    "Mostly at night. I can hardly sleep.",
    "Yesterday it was one hundred and one.",
    "A little, on the left side, when I cough hard.",
    "I took some cough syrup, but it did not help much.",
    "I am allergic to amoxicillin. I got a rash last time.",
    "Should I stay home from work?",
    "Thank you, doctor. I will come back on Friday.",
];

fn turns(
    tts: &mut Tts,
    t: &mut Timeline,
    rng: &mut Rng,
    count: usize,
    pause: (f64, f64),
) -> Result<()> {
    for turn in 0..count {
        let (voice, lines, gain) = if turn % 2 == 0 {
            (&DOCTOR, DOCTOR_LINES, rng.range(0.35, 0.55))
        } else {
            (&PATIENT, PATIENT_LINES, rng.range(0.25, 0.45))
        };
        let sentences = 1 + rng.index(2);
        for s in 0..sentences {
            let line = lines[rng.index(lines.len())];
            t.say(tts, voice, line, gain as f32)?;
            if s + 1 < sentences {
                t.pause(rng.range(0.15, 0.5));
            }
        }
        t.pause(rng.range(pause.0, pause.1));
    }
    Ok(())
}

/// A plain conversation: alternating turns, pauses of 0.3-1.8 s.
fn scene_turns(tts: &mut Tts, t: &mut Timeline, rng: &mut Rng) -> Result<()> {
    t.pause(0.8);
    turns(tts, t, rng, 5, (0.3, 1.8))
}

/// Speech, 22 s of room noise only, speech again.
fn scene_long_silence(tts: &mut Tts, t: &mut Timeline, rng: &mut Rng) -> Result<()> {
    t.pause(1.5);
    turns(tts, t, rng, 2, (0.4, 1.2))?;
    t.pause(22.0);
    turns(tts, t, rng, 3, (0.4, 1.2))?;
    t.pause(2.0);
    Ok(())
}

/// A conversation over loud fan-like noise and mains hum.
fn scene_noisy(tts: &mut Tts, t: &mut Timeline, rng: &mut Rng) -> Result<()> {
    t.pause(1.0);
    turns(tts, t, rng, 4, (0.5, 2.0))
}

/// One- and two-word answers with pauses, some very short (under the
/// 100 ms minimum silence) and some long.
fn scene_short_answers(tts: &mut Tts, t: &mut Timeline, rng: &mut Rng) -> Result<()> {
    const ANSWERS: &[&str] = &[
        "Yes.",
        "No.",
        "Okay.",
        "Two days.",
        "Sometimes.",
        "Hmm.",
        "Never.",
    ];
    t.pause(0.6);
    for (i, answer) in ANSWERS.iter().enumerate() {
        t.say(tts, &DOCTOR, DOCTOR_LINES[i % DOCTOR_LINES.len()], 0.45)?;
        t.pause(if i % 3 == 0 {
            0.06
        } else {
            rng.range(0.4, 2.5)
        });
        t.say(tts, &PATIENT, answer, rng.range(0.2, 0.45) as f32)?;
        t.pause(rng.range(0.3, 1.5));
    }
    Ok(())
}

/// Quick exchanges with gaps of 40-250 ms and a patient who speaks softly.
fn scene_rapid_quiet(tts: &mut Tts, t: &mut Timeline, rng: &mut Rng) -> Result<()> {
    let soft = Voice {
        wpm: 175,
        ..PATIENT
    };
    let brisk = Voice { wpm: 190, ..DOCTOR };
    t.pause(0.5);
    for turn in 0..10 {
        if turn % 2 == 0 {
            let line = DOCTOR_LINES[rng.index(DOCTOR_LINES.len())];
            t.say(tts, &brisk, line, 0.5)?;
        } else {
            let line = PATIENT_LINES[rng.index(PATIENT_LINES.len())];
            t.say(tts, &soft, line, rng.range(0.03, 0.08) as f32)?;
        }
        t.pause(rng.range(0.04, 0.25));
    }
    t.pause(1.0);
    Ok(())
}

/// Hindi and English turns mixed, as in many Indian clinics.
fn scene_hindi(tts: &mut Tts, t: &mut Timeline, rng: &mut Rng) -> Result<()> {
    const DOCTOR_HI: Voice = Voice {
        name: "hi",
        wpm: 150,
        pitch: 45,
        pan: (1.0, 0.8),
    };
    const PATIENT_HI: Voice = Voice {
        name: "hi+f3",
        wpm: 140,
        pitch: 60,
        pan: (0.75, 1.0),
    };
    const LINES: &[(&Voice, &str)] = &[
        (&DOCTOR_HI, "नमस्ते, बताइए क्या तकलीफ है?"),
        (&PATIENT_HI, "पेट में दर्द है, दो दिन से।"),
        (&DOCTOR, "Is the pain before or after meals?"),
        (&PATIENT_HI, "खाने के बाद ज़्यादा होता है।"),
        (&DOCTOR_HI, "उल्टी या दस्त तो नहीं?"),
        (&PATIENT, "No vomiting, but I feel bloated."),
        (&DOCTOR_HI, "यह दवाई सुबह खाली पेट लीजिए।"),
        (&PATIENT_HI, "ठीक है, धन्यवाद।"),
    ];
    t.pause(0.7);
    for (voice, line) in LINES {
        t.say(tts, voice, line, rng.range(0.3, 0.5) as f32)?;
        t.pause(rng.range(0.3, 1.6));
    }
    Ok(())
}
