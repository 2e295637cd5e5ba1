//! Tolerant reading of protocol bodies: every wire type of scribe-protocol
//! read from the same bytes, written back and read again, plus the error
//! reader that takes any answer at all.

use scribe_protocol::auth::TokenResponse;
use scribe_protocol::discovery::DiscoveryDocument;
use scribe_protocol::error::{ApiError, ErrorEnvelope};
use scribe_protocol::session::{
    CreateSessionRequest, CreateSessionResponse, EndSessionResponse, PatchSessionRequest,
    PatchSessionResponse, ProcessTemplateResponse, SessionResponse,
};
use scribe_protocol::stream::StreamFrame;
use scribe_protocol::templates::TemplateList;
use scribe_protocol::webhook::{WebhookEvent, WebhookRegistration, WebhookRegistrationList};
use scribe_protocol::{Timestamp, paths};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Target, fold};

pub(super) const TARGET: Target = Target {
    name: "protocol",
    about: "serde reading of every response/request type, write-then-read stability, ApiError::from_response",
    run,
    max_len: 8192,
    timeout_ms: 1000,
    extra_seeds: &["crates/scribe-protocol/tests/fixtures"],
    dictionary: &[
        b"\"session_id\":",
        b"\"status\":",
        b"\"created_at\":",
        b"\"templates\":",
        b"\"error\":",
        b"\"code\":",
        b"\"message\":",
        b"\"detail\":",
        b"\"details\":",
        b"\"event\":",
        b"\"timestamp\":",
        b"\"media\":",
        b"\"payload\":",
        b"\"start\":",
        b"\"loc\":",
        b"\"msg\":",
        b"null",
        b"true",
        b"[]",
        b"{}",
        b"\"\"",
        b"-9223372036854775808",
        b"18446744073709551615",
        b"100000000001",
        b"-100000000001",
        b"1e308",
        b"-0.0",
        b"1.5e-400",
        b"\"2025-01-19T10:30:00Z\"",
        b"\"2025-01-19 10:30:00\"",
        b"<html><title>",
        b"</title>",
        b"\\u0000",
        b"\\ud800",
        b"\"t\":",
    ],
    tolerates_caught_foreign_panics: false,
};

/// HTTP statuses the error reader is asked about for every input.
const STATUSES: [u16; 6] = [0, 200, 404, 422, 502, 999];

fn run(data: &[u8]) {
    round_trip::<SessionResponse>(data, "SessionResponse");
    round_trip::<CreateSessionResponse>(data, "CreateSessionResponse");
    round_trip::<EndSessionResponse>(data, "EndSessionResponse");
    round_trip::<PatchSessionResponse>(data, "PatchSessionResponse");
    round_trip::<ProcessTemplateResponse>(data, "ProcessTemplateResponse");
    round_trip::<DiscoveryDocument>(data, "DiscoveryDocument");
    round_trip::<TemplateList>(data, "TemplateList");
    // The envelope is what a server writes; it keeps no unknown fields.
    stable::<ErrorEnvelope>(data, "ErrorEnvelope");
    round_trip::<StreamFrame>(data, "StreamFrame");
    round_trip::<WebhookEvent>(data, "WebhookEvent");
    round_trip::<WebhookRegistration>(data, "WebhookRegistration");
    round_trip::<WebhookRegistrationList>(data, "WebhookRegistrationList");
    round_trip::<TokenResponse>(data, "TokenResponse");
    round_trip::<CreateSessionRequest>(data, "CreateSessionRequest");
    round_trip::<PatchSessionRequest>(data, "PatchSessionRequest");
    round_trip::<Timestamp>(data, "Timestamp");

    queries(data);
    errors(data);
}

/// Reads `data` as the tolerant wire type `T`; when it reads, the value
/// written back keeps the JSON value that was read (unknown fields,
/// explicit nulls and timestamp forms included), and is [`stable`].
///
/// Messages name the type only: bodies may hold patient data.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq>(data: &[u8], what: &str) {
    let Some(written) = stable::<T>(data, what) else {
        return;
    };
    if let Ok(original) = serde_json::from_slice::<Value>(data) {
        let written: Value = serde_json::from_slice(&written).expect("written JSON reads");
        assert!(
            covers(&written, &original),
            "{what}: writing back drops or changes a value that was read"
        );
    }
}

/// Reads `data` as `T`; when it reads, what is written reads back to an
/// equal value, which writes the same bytes again. Returns those bytes.
fn stable<T: Serialize + DeserializeOwned + PartialEq>(data: &[u8], what: &str) -> Option<Vec<u8>> {
    let value = serde_json::from_slice::<T>(data).ok()?;
    let written = serde_json::to_vec(&value).unwrap_or_else(|_| panic!("{what}: write failed"));
    let again: T = serde_json::from_slice(&written)
        .unwrap_or_else(|_| panic!("{what}: a written value does not read back"));
    assert!(again == value, "{what}: write-then-read changed the value");
    let rewritten = serde_json::to_vec(&again).unwrap_or_else(|_| panic!("{what}: rewrite"));
    assert!(rewritten == written, "{what}: writing is not stable");
    Some(written)
}

/// Whether `written` keeps everything in `original`: the same scalars, the
/// same arrays element by element, and every key of an object (a written
/// object may add fields the type defaults, such as an empty list).
fn covers(written: &Value, original: &Value) -> bool {
    match (written, original) {
        (Value::Object(w), Value::Object(o)) => o
            .iter()
            .all(|(key, value)| w.get(key).is_some_and(|kept| covers(kept, value))),
        (Value::Array(w), Value::Array(o)) => {
            w.len() == o.len() && w.iter().zip(o).all(|(w, o)| covers(w, o))
        }
        (w, o) => w == o,
    }
}

/// The accessors callers use on read values, which must answer on any
/// value that read.
fn queries(data: &[u8]) {
    if let Ok(session) = SessionResponse::from_http(fold(data) as u16, data) {
        let _ = session.is_terminal();
        let _ = session.transcript();
        if let Some(templates) = &session.templates {
            let ids = templates.ids();
            assert!(ids.len() <= templates.len());
            for id in ids {
                assert!(templates.get(id).is_some());
            }
            let _ = templates.all_finished();
        }
        let times = [
            &session.created_at,
            &session.expires_at,
            &session.completed_at,
        ];
        for at in times.into_iter().flatten() {
            let _ = (at.datetime(), at.unix_seconds(), at.to_string());
        }
    }
    if let Ok(doc) = serde_json::from_slice::<DiscoveryDocument>(data) {
        for model in doc.model_ids() {
            let _ = doc.model(model);
            let _ = doc.model_supports_language(model, "en");
        }
        let _ = (doc.max_chunk_duration_seconds(), doc.webhooks_url());
        for extension in scribe_protocol::chunk::AudioExtension::ALL {
            let _ = doc.accepts_audio(extension);
        }
        if let Ok(request) = serde_json::from_slice::<CreateSessionRequest>(data) {
            let _ = request.validate(Some(&doc));
        }
    }
    if let Ok(request) = serde_json::from_slice::<CreateSessionRequest>(data) {
        let _ = request.validate(None);
    }
    if let Ok(request) = serde_json::from_slice::<PatchSessionRequest>(data) {
        let _ = request.validate(None);
    }
    if let Ok(frame) = serde_json::from_slice::<StreamFrame>(data) {
        let _ = frame.pcm();
    }
    if let Ok(timestamp) = serde_json::from_slice::<Timestamp>(data) {
        let _ = (
            timestamp.datetime(),
            timestamp.unix_seconds(),
            timestamp.to_string(),
        );
        if let Some(at) = timestamp.datetime() {
            let _ = Timestamp::from_datetime(at);
        }
    }
    let text = String::from_utf8_lossy(data);
    if let Some(origin) = paths::origin(&text) {
        assert!(text.starts_with(origin), "an origin that is not a prefix");
    }
    let _ = paths::session_audio(&text, &text);
}

/// Any answer reads as an error, and an error written as an envelope reads
/// back as itself.
fn errors(data: &[u8]) {
    for status in STATUSES {
        let error = ApiError::from_response(status, data);
        assert_eq!(error.status, status);
        let _ = error.to_string();
        let envelope = serde_json::to_vec(&error.to_envelope()).expect("an envelope writes");
        let again = ApiError::from_response(status, &envelope);
        assert!(
            again == error,
            "an error written as an envelope reads back differently"
        );
    }
}
