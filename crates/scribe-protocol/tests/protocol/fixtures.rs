//! Every fixture under `tests/fixtures/<kind>/` parses as its wire type and
//! writes back to an equal JSON value.

use std::fs;
use std::path::{Path, PathBuf};

use scribe_protocol::auth::{LoginRequest, RefreshRequest, TokenResponse};
use scribe_protocol::discovery::DiscoveryDocument;
use scribe_protocol::error::ErrorEnvelope;
use scribe_protocol::session::{
    CreateSessionRequest, CreateSessionResponse, EndSessionRequest, EndSessionResponse,
    PatchSessionRequest, SessionResponse,
};
use scribe_protocol::stream::StreamFrame;
use scribe_protocol::templates::TemplateList;
use scribe_protocol::webhook::{
    WebhookEvent, WebhookRegistration, WebhookRegistrationList, WebhookRegistrationRequest,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub(crate) fn fixture_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(kind)
}

/// The fixtures of one kind, sorted, as (file name, raw text).
pub(crate) fn fixtures(kind: &str) -> Vec<(String, String)> {
    let dir = fixture_dir(kind);
    let mut files: Vec<(String, String)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path
                .file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned();
            let text = fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            (name, text)
        })
        .filter(|(name, _)| name.ends_with(".json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

pub(crate) fn fixture(kind: &str, name: &str) -> String {
    let path = fixture_dir(kind).join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// Checks every fixture of a kind; returns how many there were.
type KindCheck = fn(&str) -> usize;

fn round_trip<T: Serialize + DeserializeOwned>(kind: &str) -> usize {
    let files = fixtures(kind);
    for (name, text) in &files {
        let original: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{kind}/{name} is not JSON: {e}"));
        let parsed: T = serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("{kind}/{name} does not parse: {e}"));
        let written = serde_json::to_value(&parsed)
            .unwrap_or_else(|e| panic!("{kind}/{name} does not serialise: {e}"));
        assert_eq!(written, original, "{kind}/{name} changed on round trip");
        // Writing is stable: a second trip gives the same value again.
        let again: T = serde_json::from_value(written.clone()).expect("re-read");
        assert_eq!(
            serde_json::to_value(&again).expect("re-write"),
            written,
            "{kind}/{name}"
        );
    }
    files.len()
}

#[test]
fn every_fixture_kind_round_trips() {
    let kinds: &[(&str, KindCheck)] = &[
        ("create_request", round_trip::<CreateSessionRequest>),
        ("create_response", round_trip::<CreateSessionResponse>),
        ("session", round_trip::<SessionResponse>),
        ("end_request", round_trip::<EndSessionRequest>),
        ("end_response", round_trip::<EndSessionResponse>),
        ("patch_request", round_trip::<PatchSessionRequest>),
        ("template_list", round_trip::<TemplateList>),
        ("discovery", round_trip::<DiscoveryDocument>),
        ("error_envelope", round_trip::<ErrorEnvelope>),
        ("webhook_event", round_trip::<WebhookEvent>),
        (
            "webhook_registration_request",
            round_trip::<WebhookRegistrationRequest>,
        ),
        ("webhook_registration", round_trip::<WebhookRegistration>),
        (
            "webhook_registration_list",
            round_trip::<WebhookRegistrationList>,
        ),
        ("stream_frame", round_trip::<StreamFrame>),
        ("login_request", round_trip::<LoginRequest>),
        ("refresh_request", round_trip::<RefreshRequest>),
        ("token_response", round_trip::<TokenResponse>),
    ];
    let mut seen = 0;
    for (kind, check) in kinds {
        seen += check(kind);
    }
    // Every fixture directory is covered by the table above.
    let on_disk = fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"))
        .expect("fixtures directory")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .count();
    assert_eq!(
        on_disk,
        kinds.len(),
        "a fixture directory has no round-trip check"
    );
    assert!(seen >= 50, "only {seen} fixtures checked");
}

#[test]
fn session_fixtures_keep_their_http_status() {
    for (name, text) in fixtures("session") {
        let status: u16 = name[..3]
            .parse()
            .expect("session fixtures start with their HTTP status");
        let session = SessionResponse::from_http(status, text.as_bytes()).expect(&name);
        assert_eq!(session.http_status, status, "{name}");
        match status {
            200 | 206 | 410 => assert!(session.is_terminal(), "{name} should be terminal"),
            202 => assert!(!session.is_terminal(), "{name} should not be terminal"),
            other => panic!("unexpected status {other} in {name}"),
        }
    }
}
