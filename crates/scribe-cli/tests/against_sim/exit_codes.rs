//! Exit statuses say what happened, against `scribe sim --fault ...`.

use super::{SimProcess, scribe_with};
use crate::{sample, text};

fn transcribe(sim: &SimProcess, extra_env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let file = sample("consultation.wav");
    let out = scribe_with(
        &["transcribe", file.to_string_lossy().as_ref()],
        &sim.env_with(extra_env),
    );
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// A request that timed out is the server or the network (6), even before
/// any session exists; running out of time waiting for results of a
/// session that exists is "session not completed" (7).
///
/// The login is the request that times out here: a create that times out
/// maps the same way (the unit test in exit.rs makes one time out for real),
/// but the SDK keeps retrying a create for its retry deadline (5 minutes,
/// not settable from the environment), too long for a test.
#[test]
fn timeouts_exit_by_what_happened() {
    let sim = SimProcess::start(&["--fault", "login=slow:5000"]);
    let (code, stdout, stderr) = transcribe(&sim, &[("SCRIBE_REQUEST_TIMEOUT", "500ms")]);
    assert_eq!(
        code,
        Some(6),
        "login timed out, no session exists: {stderr}"
    );
    assert!(stderr.contains("timed out"), "{stderr}");
    assert!(stdout.is_empty());
    drop(sim);

    let sim = SimProcess::start(&["--processing-delay", "30s", "--long-poll-hold", "200ms"]);
    let (code, _, stderr) = transcribe(&sim, &[("SCRIBE_POLL_TIMEOUT", "1s")]);
    assert_eq!(code, Some(7), "results not ready in time: {stderr}");
    assert!(stderr.contains("still processing"), "{stderr}");
}

#[test]
fn a_request_the_server_refuses_is_not_a_usage_error() {
    let sim = SimProcess::start(&["--fault", "create=detail"]);
    let (code, stdout, stderr) = transcribe(&sim, &[]);
    assert_eq!(code, Some(6), "{stderr}");
    assert!(stderr.contains("HTTP 422"), "{stderr}");
    assert!(
        stderr.contains("the server refused the request"),
        "says the server refused it: {stderr}"
    );
    assert!(stdout.is_empty());
}
