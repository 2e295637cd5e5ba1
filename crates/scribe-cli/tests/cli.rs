//! The built `scribe` binary, run as a user would.

mod against_sim;

use std::path::PathBuf;
use std::process::{Command, Output};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/audio")
        .join(name)
}

/// `scribe` in an empty directory with no SCRIBE_* variables.
fn scribe(args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("scribe-cli-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let mut command = Command::new(env!("CARGO_BIN_EXE_scribe"));
    command.args(args).current_dir(&dir);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SCRIBE_")
            && key != "SCRIBE_ORT_DYLIB"
            && key != "SCRIBE_VAD_MODEL"
        {
            command.env_remove(key);
        }
    }
    command
        .output()
        .unwrap_or_else(|e| panic!("running scribe: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn transcribe_local_prints_simulated_notes() {
    let file = sample("consultation.wav");
    let out = scribe(&["transcribe", file.to_string_lossy().as_ref(), "--local"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.contains("completed (simulated)"), "{stdout}");
    assert!(
        stdout.contains("template clinical_notes_template: success"),
        "{stdout}"
    );
    assert!(stderr.contains("results are simulated"), "{stderr}");
}

#[test]
fn transcribe_json_prints_only_the_result_json() {
    let first = sample("consultation.mp3");
    let second = sample("consultation.m4a");
    let out = scribe(&[
        "transcribe",
        first.to_string_lossy().as_ref(),
        second.to_string_lossy().as_ref(),
        "--local",
        "--json",
        "--templates",
        "clinical_notes_template,transcript_template",
        "--language",
        "en,hi",
        "--mode",
        "consultation",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON only: {e}"));
    assert_eq!(json["status"], "completed");
    assert_eq!(
        json["audio_files"].as_array().map(Vec::len),
        Some(2),
        "{json}"
    );
    assert_eq!(json["templates"].as_array().map(Vec::len), Some(2));
}

#[test]
fn transcribe_stream_local() {
    let file = sample("consultation.flac");
    let out = scribe(&[
        "transcribe",
        file.to_string_lossy().as_ref(),
        "--local",
        "--stream",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(json["status"], "completed");
}

#[test]
fn vad_json_has_the_documented_shape() {
    let file = sample("consultation.webm");
    let dir = std::env::temp_dir().join(format!("scribe-vad-out-{}", std::process::id()));
    let out = scribe(&[
        "vad",
        file.to_string_lossy().as_ref(),
        "--json",
        "--out",
        dir.to_string_lossy().as_ref(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let duration = json["duration"]
        .as_f64()
        .unwrap_or_else(|| panic!("duration: {json}"));
    assert!(duration > 4.0 && duration < 6.0, "{duration}");
    let segments = json["segments"]
        .as_array()
        .unwrap_or_else(|| panic!("segments: {json}"));
    assert!(!segments.is_empty());
    for s in segments {
        let (start, end) = (
            s["start"].as_f64().unwrap_or(-1.0),
            s["end"].as_f64().unwrap_or(-1.0),
        );
        assert!(0.0 <= start && start < end && end <= duration, "{s}");
    }
    let chunks = json["chunks"]
        .as_array()
        .unwrap_or_else(|| panic!("chunks: {json}"));
    assert!(!chunks.is_empty());
    for (n, c) in chunks.iter().enumerate() {
        assert_eq!(c["index"].as_u64(), Some(n as u64));
        assert_eq!(c["name"].as_str(), Some(format!("chunk_{n}.wav").as_str()));
        assert!(c["duration"].as_f64().is_some_and(|d| d > 0.0));
        assert!(c["source"].as_array().is_some_and(|s| {
            !s.is_empty()
                && s.iter()
                    .all(|r| r["start"].is_number() && r["end"].is_number())
        }));
        assert!(
            dir.join(format!("chunk_{n}.wav")).is_file(),
            "--out wrote chunk_{n}.wav"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_credentials_the_error_names_the_variables_and_local() {
    let file = sample("consultation.wav");
    let out = scribe(&["transcribe", file.to_string_lossy().as_ref()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "auth exit code: {stderr}");
    assert!(
        stderr.contains("SCRIBE_CLIENT_ID")
            && stderr.contains("SCRIBE_CLIENT_SECRET")
            && stderr.contains("--local"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn exit_codes_tell_usage_config_and_audio_apart() {
    assert_eq!(
        scribe(&["transcribe"]).status.code(),
        Some(2),
        "missing FILE is a usage error"
    );
    assert_eq!(
        scribe(&["--env", "staging", "templates", "--local"])
            .status
            .code(),
        Some(3)
    );
    let not_audio =
        std::env::temp_dir().join(format!("scribe-not-audio-{}.wav", std::process::id()));
    let _ = std::fs::write(&not_audio, b"this is not audio at all");
    let out = scribe(&[
        "transcribe",
        not_audio.to_string_lossy().as_ref(),
        "--local",
    ]);
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let _ = std::fs::remove_file(not_audio);
    let out = scribe(&["transcribe", "/no/such/file.wav", "--local"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(scribe(&["--help"]).status.success());
}

#[test]
fn templates_and_discovery_local() {
    let out = scribe(&["templates", "--local"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("clinical_notes_template"));
    let out = scribe(&["discovery", "--local"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(json.get("protocol_version").is_some(), "{json}");
}

/// `consultation.wav` cut at 90% of its audio (inside a sample), written
/// to a file of its own: 4.4 s of the 4.9 s the header declares.
fn cut_wav(tag: &str) -> PathBuf {
    let wav = std::fs::read(sample("consultation.wav")).unwrap_or_else(|e| panic!("{e}"));
    let cut = &wav[..44 + (wav.len() - 44) * 9 / 10 + 1];
    let path =
        std::env::temp_dir().join(format!("scribe-cli-cut-{tag}-{}.wav", std::process::id()));
    std::fs::write(&path, cut).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

#[test]
fn transcribe_warns_of_a_cut_recording_and_transcribes_the_audio_before_it() {
    let file = cut_wav("lenient");
    let out = scribe(&["transcribe", file.to_string_lossy().as_ref(), "--local"]);
    let _ = std::fs::remove_file(&file);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let warning = stderr
        .lines()
        .find(|line| line.starts_with("warning:") && line.contains("damaged"))
        .unwrap_or_else(|| panic!("no damage warning on stderr: {stderr}"));
    assert!(
        warning.contains("the audio stops at 0:04.4 of 0:04.9 (0.5 s lost): truncated"),
        "{warning}"
    );
    assert!(stdout.contains("completed (simulated)"), "{stdout}");
}

#[test]
fn transcribe_strict_audio_fails_on_a_cut_recording_naming_the_open_session() {
    let file = cut_wav("strict");
    let out = scribe(&[
        "transcribe",
        file.to_string_lossy().as_ref(),
        "--local",
        "--strict-audio",
    ]);
    let _ = std::fs::remove_file(&file);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "an audio failure: {stderr}");
    let (_, after) = stderr
        .split_once("; session ")
        .unwrap_or_else(|| panic!("no session named: {stderr}"));
    let (id, rest) = after
        .split_once(' ')
        .unwrap_or_else(|| panic!("no session named: {stderr}"));
    assert!(
        id.len() >= 16
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)),
        "{id:?} is a session id: {stderr}"
    );
    assert!(rest.starts_with("was left open (not ended)"), "{stderr}");
    assert!(stderr.contains("the audio stops at 0:04.4"), "{stderr}");
    assert!(
        stderr.contains(&format!("`scribe session end {id} --files ")),
        "the hint names the way to keep the audio: {stderr}"
    );
}
