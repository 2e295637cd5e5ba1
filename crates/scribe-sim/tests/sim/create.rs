use hyper::Method;
use scribe_sim::Dialect;
use serde_json::{Value, json};

use crate::support::{Sim, quick};

async fn refused(sim: &Sim, body: Value) -> (u16, String) {
    let r = sim.create(body).await;
    (r.status, r.code())
}

#[tokio::test]
async fn create_refuses_what_a_real_server_refuses() {
    let sim = Sim::start().await;
    let t = "transcript_template";
    let cases = [
        (json!({}), (400, "missing_required_field")),
        (json!({ "templates": [] }), (400, "invalid_template")),
        (
            json!({ "templates": ["transcript_template", "eka_emr_template", "clinical_notes_template"] }),
            (400, "invalid_template"),
        ),
        (json!({ "templates": ["soap"] }), (400, "invalid_template")),
        (json!({ "templates": [t, t] }), (400, "invalid_template")),
        (
            json!({ "templates": "transcript_template" }),
            (400, "invalid_template"),
        ),
        (
            json!({ "templates": [t], "colour": "blue" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "upload_type": "carrier_pigeon" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "upload_type": "single" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "upload_type": "stream", "communication_protocol": "http" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "model": "ultra" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "session_mode": "karaoke" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "language_hint": ["xx"] }),
            (422, "language_unsupported"),
        ),
        (
            json!({ "templates": [t], "language_hint": "en" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "transcript_language": "zz" }),
            (422, "language_unsupported"),
        ),
        (
            json!({ "templates": [t], "patient_details": "Jane" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "additional_data": { "blob": "x".repeat(5000) } }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "session_id": "short" }),
            (400, "invalid_request"),
        ),
        (
            json!({ "templates": [t], "session_id": "has spaces in the id!!" }),
            (400, "invalid_request"),
        ),
    ];
    for (body, (status, code)) in cases {
        assert_eq!(
            refused(&sim, body.clone()).await,
            (status, code.to_owned()),
            "{body}"
        );
    }
    let r = sim
        .http
        .send(
            Method::POST,
            &sim.url("/v1/sessions"),
            &[("authorization", &sim.bearer())],
            "{not json",
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_request"));
    assert!(
        sim.server.sessions().is_empty(),
        "nothing refused was created"
    );
}

#[tokio::test]
async fn eka_create_answers_epoch_times_and_keeps_pass_through_data() {
    let sim = Sim::start().await;
    let r = sim
        .create(json!({
            "templates": ["clinical_notes_template", "eka_emr_template"],
            "language_hint": ["en", "hi"],
            "patient_details": { "age": 40 },
            "additional_data": { "emr_encounter_id": "enc_1" },
            "session_id": "my-client-chosen-id-0001",
        }))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let body = r.json();
    assert_eq!(body["session_id"], "my-client-chosen-id-0001");
    assert_eq!(body["status"], "created");
    assert!(body["created_at"].is_u64() && body["expires_at"].is_u64());
    assert!(
        body.get("upload_url").is_none(),
        "Eka sends no upload_url for chunked sessions"
    );
    assert_eq!(body["additional_data"]["emr_encounter_id"], "enc_1");
    let parsed: scribe_protocol::session::CreateSessionResponse =
        serde_json::from_value(body).expect("scribe-protocol reads it");
    drop(parsed);
    let again = sim
        .create(json!({ "templates": ["transcript_template"], "session_id": "my-client-chosen-id-0001" }))
        .await;
    assert_eq!(again.status, 409);
    let got = sim.get("my-client-chosen-id-0001").await.json();
    assert_eq!(got["additional_data"]["emr_encounter_id"], "enc_1");
    assert_eq!(got["patient_details"]["age"], 40);
}

#[tokio::test]
async fn spec_create_needs_upload_fields_and_answers_iso_times() {
    let sim = Sim::with(quick().dialect(Dialect::Spec)).await;
    let r = sim.create(json!({ "templates": ["soap"] })).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "missing_required_field")
    );
    let r = sim
        .create(json!({ "templates": ["soap", "medications"], "upload_type": "chunked", "communication_protocol": "http" }))
        .await;
    assert_eq!(r.status, 201);
    let body = r.json();
    let id = body["session_id"].as_str().unwrap();
    assert!(id.starts_with("ses_") && id[4..].chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(
        time::OffsetDateTime::parse(
            body["created_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
    assert_eq!(
        body["upload_url"],
        format!("{}/v1/sessions/{id}/audio", sim.server.base_url())
    );
    assert_eq!(
        sim.create(json!({ "templates": ["transcript_template"], "upload_type": "chunked", "communication_protocol": "http" }))
            .await
            .code(),
        "invalid_template"
    );
}

#[tokio::test]
async fn stream_sessions_get_a_websocket_upload_url() {
    let sim = Sim::start().await;
    let r = sim
        .create(json!({ "templates": ["transcript_template"], "upload_type": "stream", "communication_protocol": "websocket" }))
        .await;
    assert_eq!(r.status, 201);
    let url = r.json()["upload_url"].as_str().unwrap().to_owned();
    let ws_base = sim.server.base_url().replacen("http://", "ws://", 1);
    assert!(
        url.starts_with(&format!("{ws_base}/v1/stream/sessions/")) && url.ends_with("/audio"),
        "{url}"
    );
}
