//! Long consultation-like recordings for the audio benchmark: doctor and
//! patient turns (English, some Hindi), short pauses, occasional long
//! silences, quiet pink noise, 48 kHz stereo; plus a ground-truth file with
//! the placed speech, in the shape the Python reference's `baseline.py` reads.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Result;

use crate::fixtures::synth::{Noise, Rng, Spoken, Timeline, Tts, Voice, ffmpeg_encode};
use crate::fixtures::{DOCTOR, PATIENT};

/// Bumped whenever the generated audio changes, so caches are rebuilt.
pub(crate) const GENERATOR_VERSION: u32 = 1;

/// Master rate and channel count of the benchmark recordings.
pub(crate) const RATE: u32 = 48_000;
const CHANNELS: usize = 2;

/// ffmpeg options per benchmark format (input: the 48 kHz stereo master).
pub(crate) fn encoder(format: &str) -> Option<&'static [&'static str]> {
    Some(match format {
        "mp3" => &["-c:a", "libmp3lame", "-b:a", "128k"],
        "m4a" => &["-c:a", "aac", "-b:a", "128k"],
        "webm" => &["-c:a", "libopus", "-b:a", "64k", "-f", "webm"],
        "ogg" => &["-c:a", "libopus", "-b:a", "64k", "-f", "ogg"],
        "flac" => &["-c:a", "flac"],
        "wav" => &["-c:a", "pcm_s16le"],
        _ => return None,
    })
}

const DOCTOR_EN: &[&str] = &[
    "Good morning. Please sit down and tell me what is bothering you.",
    "How many days has this been going on?",
    "Does anything make it better or worse?",
    "Have you had any fever, vomiting or loose motions?",
    "Which medicines are you taking right now, and in what dose?",
    "Any allergy to medicines or food?",
    "Your blood pressure today is one hundred and thirty six over eighty eight.",
    "The fasting sugar report says one hundred and forty two.",
    "I am starting telmisartan forty milligrams once a day.",
    "Take omeprazole twenty milligrams half an hour before breakfast.",
    "Please do a lipid profile and a kidney function test before the next visit.",
    "Lie back, please. Tell me if this hurts.",
    "Breathe in through your mouth. Again.",
    "The swelling should settle in four to five days.",
    "Walk for half an hour every morning and cut down on fried food.",
    "Come back in three weeks, or earlier if the pain returns.",
    "Is there anyone in your family with asthma or high blood pressure?",
    "How is your appetite, and have you lost any weight?",
];

const DOCTOR_HI: &[&str] = &[
    "दवाई खाना खाने के बाद लीजिए।",
    "तीन हफ्ते बाद फिर से दिखाइए।",
    "रोज़ सुबह आधा घंटा टहलिए।",
];

const PATIENT_EN: &[&str] = &[
    "I have had this pain in my lower back for about ten days.",
    "It gets worse when I bend or lift something heavy.",
    "I had a mild fever on Sunday, but not since then.",
    "I take one tablet for sugar in the morning, I think it is glimepiride.",
    "No allergies, as far as I know.",
    "My father had high blood pressure.",
    "I feel tired by the afternoon and my feet swell in the evening.",
    "Yes, there, it hurts when you press.",
    "I have not been sleeping well for a month.",
    "Can I continue my evening walk?",
    "Do I need to take this medicine for the rest of my life?",
    "I will get the tests done on Monday.",
    "Thank you, doctor.",
];

const PATIENT_HI: &[&str] = &[
    "कमर में दस दिन से दर्द है।",
    "रात को नींद नहीं आती।",
    "जी, समझ गया, धन्यवाद।",
];

/// Voice variants per speaker (speed and pitch differ from visit to visit).
fn voice(rng: &mut Rng, base: Voice, hindi: bool, female: bool) -> Voice {
    let name = match (hindi, female) {
        (true, true) => "hi+f3",
        (true, false) => "hi",
        _ => base.name,
    };
    let wpm = [base.wpm - 15, base.wpm, base.wpm + 15][rng.index(3)];
    let pitch = [base.pitch - 5, base.pitch + 5][rng.index(2)];
    Voice {
        name,
        wpm,
        pitch,
        ..base
    }
}

/// Builds `minutes` of consultation: the timeline, what was said, and the
/// total length in frames.
fn plan(minutes: u32, seed: u64, tts: &mut Tts) -> Result<(Timeline, Vec<Spoken>, usize)> {
    let mut rng = Rng::new(seed ^ u64::from(minutes));
    let rate = f64::from(RATE);
    let total = (f64::from(minutes) * 60.0 * rate) as usize;
    let tail = 0.5;
    let mut t = Timeline::new(RATE);
    let mut spoken = Vec::new();
    t.pause(rng.range(0.5, 1.5));
    for turn in 0.. {
        let doctor = turn % 2 == 0;
        let hindi = rng.unit() < if doctor { 0.1 } else { 0.2 };
        let (base, lines, gain) = match (doctor, hindi) {
            (true, false) => (DOCTOR, DOCTOR_EN, rng.range(0.3, 0.5)),
            (true, true) => (DOCTOR, DOCTOR_HI, rng.range(0.3, 0.5)),
            (false, false) => (PATIENT, PATIENT_EN, rng.range(0.2, 0.4)),
            (false, true) => (PATIENT, PATIENT_HI, rng.range(0.2, 0.4)),
        };
        let v = voice(&mut rng, base, hindi, !doctor);
        let sentences = 1 + rng.index(if doctor { 3 } else { 2 });
        let texts: Vec<&str> = (0..sentences)
            .map(|_| lines[rng.index(lines.len())])
            .collect();
        let gaps: Vec<f64> = (1..sentences).map(|_| rng.range(0.15, 0.6)).collect();
        let mut length = gaps.iter().sum::<f64>();
        for text in &texts {
            length += tts.speak(&v, text)?.len() as f64 / rate;
        }
        if t.seconds() + length + tail > total as f64 / rate {
            break;
        }
        for (i, text) in texts.iter().enumerate() {
            spoken.push(t.say(tts, &v, text, gain as f32)?);
            if let Some(gap) = gaps.get(i) {
                t.pause(*gap);
            }
        }
        let pause = if rng.unit() < 0.05 {
            rng.range(10.0, 40.0)
        } else {
            rng.range(0.3, 3.0)
        };
        t.pause(pause);
    }
    Ok((t, spoken, total))
}

/// Writes `consult_{MM}m.{format}` for each format and
/// `consult_{MM}m.truth.json` into `dir`.
pub(crate) fn generate(dir: &Path, minutes: u32, formats: &[String], seed: u64) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut tts = Tts::new(RATE);
    let (t, spoken, total) = plan(minutes, seed, &mut tts)?;
    let name = format!("consult_{minutes:02}m");
    let raw = dir.join(format!("{name}.s16le"));
    {
        let mut out = BufWriter::new(File::create(&raw)?);
        let noise = Noise {
            pink_dbfs: -45.0,
            hum_dbfs: None,
            seed,
        };
        t.render(total, CHANNELS, Some(noise), &mut out)?;
        out.flush()?;
    }
    for format in formats {
        let options =
            encoder(format).ok_or_else(|| anyhow::anyhow!("unknown bench format `{format}`"))?;
        ffmpeg_encode(
            &raw,
            RATE,
            CHANNELS,
            &dir.join(format!("{name}.{format}")),
            options,
        )?;
    }
    std::fs::remove_file(&raw)?;
    write_truth(
        &dir.join(format!("{name}.truth.json")),
        minutes,
        seed,
        total,
        &spoken,
    )
}

/// Ground truth in the shape `baseline.py` scores against: speech intervals
/// (one per placed sentence, trimmed) in seconds.
fn write_truth(
    path: &Path,
    minutes: u32,
    seed: u64,
    total: usize,
    spoken: &[Spoken],
) -> Result<()> {
    let rate = f64::from(RATE);
    let speech: Vec<serde_json::Value> = spoken
        .iter()
        .map(|s| {
            serde_json::json!({
                "start": (s.start as f64 / rate * 1e4).round() / 1e4,
                "end": (s.end as f64 / rate * 1e4).round() / 1e4,
            })
        })
        .collect();
    let utterances: Vec<serde_json::Value> = spoken
        .iter()
        .zip(&speech)
        .map(|(s, at)| {
            serde_json::json!({
                "start": at["start"], "end": at["end"], "voice": s.voice, "text": s.text,
            })
        })
        .collect();
    let speech_s: f64 = spoken.iter().map(|s| (s.end - s.start) as f64 / rate).sum();
    let truth = serde_json::json!({
        "generator": "cargo xtask bench",
        "generator_version": GENERATOR_VERSION,
        "minutes": minutes,
        "seed": seed,
        "duration_s": total as f64 / rate,
        "sample_rate": RATE,
        "channels": CHANNELS,
        "stats": { "speech_s": (speech_s * 1e3).round() / 1e3, "n_speech": spoken.len() },
        "speech": speech,
        "utterances": utterances,
    });
    std::fs::write(path, serde_json::to_string(&truth)?)?;
    Ok(())
}
