//! `scribe session end` never quietly commits a session still recording,
//! and never reports success for one already ended.

use super::{Sim, scribe_with};
use crate::{sample, text};

/// A session left `recording` with every chunk stored, as an upload that
/// died before its `end` leaves it: `transcribe` uploads, and the one
/// `end` it sends is refused (422, not retried).
fn recording_session(sim: &Sim) -> (String, usize) {
    let file = sample("consultation.wav");
    let out = scribe_with(&["transcribe", file.to_string_lossy().as_ref()], &sim.env());
    assert_ne!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let sessions = sim.server.sessions();
    assert_eq!(sessions.len(), 1, "{sessions:?}");
    let id = sessions[0].session_id.clone();
    assert_eq!(sim.server.session_status(&id).as_deref(), Some("recording"));
    let held = sim.server.files(&id).map_or(0, |f| f.len());
    assert!(held > 0, "the upload stored chunks");
    (id, held)
}

#[test]
fn ending_a_recording_session_without_a_terminal_or_yes_is_refused() {
    let sim = Sim::start(&["end=detail#1"]);
    let (id, held) = recording_session(&sim);
    let out = scribe_with(&["session", "end", &id], &sim.env());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(9),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("still `recording`: the server holds {held} audio")),
        "shows what the server holds: {stderr}"
    );
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(stderr.contains("stdin is not a terminal"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "client.session(\"{id}\").upload_file(path).resume()"
        )),
        "points to the resume path: {stderr}"
    );
    assert!(
        stderr.contains("`scribe transcribe` cannot resume"),
        "{stderr}"
    );
    assert_eq!(
        sim.server.session_status(&id).as_deref(),
        Some("recording"),
        "nothing was changed"
    );
}

#[test]
fn yes_ends_it_and_a_second_end_says_already_ended() {
    let sim = Sim::start(&["end=detail#1"]);
    let (id, held) = recording_session(&sim);

    let out = scribe_with(&["session", "end", &id, "--yes", "--json"], &sim.env());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(
        json["audio_files_sent"].as_u64(),
        Some(held as u64),
        "{json}"
    );
    assert_eq!(json["status_before"], "recording", "{json}");
    assert!(
        stderr.contains(&format!("still `recording` with {held} audio")),
        "even with --yes it says what it commits: {stderr}"
    );
    assert_ne!(sim.server.session_status(&id).as_deref(), Some("recording"));

    let out = scribe_with(&["session", "end", &id, "--yes"], &sim.env());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(8),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.is_empty(), "no success line: {stdout}");
    assert!(stderr.contains("already ended"), "{stderr}");
}

/// An expired session is reported from its state; no `end` is sent that
/// the server could only refuse.
#[test]
fn an_expired_session_is_reported_without_sending_an_end() {
    let sim = Sim::start(&["end=detail#1"]);
    let (id, _) = recording_session(&sim);
    assert!(sim.server.expire_session(&id));
    let ends_before = ends(&sim);
    let out = scribe_with(&["session", "end", &id, "--yes"], &sim.env());
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{stderr}");
    assert!(out.stdout.is_empty());
    assert!(stderr.contains("has expired"), "{stderr}");
    assert_eq!(ends(&sim), ends_before, "no end request was sent");
}

fn ends(sim: &Sim) -> usize {
    sim.server
        .requests()
        .iter()
        .filter(|r| r.route == scribe_sim::Route::EndSession)
        .count()
}
