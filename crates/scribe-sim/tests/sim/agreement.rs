//! The simulator refuses exactly what the client's own validation
//! (scribe-protocol's `validate`, against the simulator's discovery
//! document) refuses, and accepts what it accepts.

use hyper::Method;
use scribe_protocol::discovery::DiscoveryDocument;
use scribe_protocol::paths;
use scribe_protocol::session::{CreateSessionRequest, PatchSessionRequest};
use serde_json::{Value, json};

use crate::support::Sim;

const TEMPLATE: &str = "transcript_template";

/// What a client learns from the server before sending anything.
async fn discovery(sim: &Sim) -> DiscoveryDocument {
    let r = sim.call(Method::GET, paths::DISCOVERY, None).await;
    assert_eq!(r.status, 200);
    serde_json::from_slice(&r.body).expect("the discovery document reads")
}

fn client_accepts_create(body: &Value, discovery: &DiscoveryDocument) -> bool {
    let request: CreateSessionRequest =
        serde_json::from_value(body.clone()).expect("the body reads as a create request");
    request.validate(Some(discovery)).is_ok()
}

#[tokio::test]
async fn session_ids_the_client_accepts_are_the_ones_the_simulator_accepts() {
    let sim = Sim::start().await;
    let discovery = discovery(&sim).await;
    let letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let cases: Vec<(String, bool)> = vec![
        ("a".repeat(15), false),
        ("b".repeat(16), true),
        ("c".repeat(64), true),
        ("d".repeat(65), false),
        (String::new(), false),
        (letters.to_owned(), true),
        ("visit-2026_11-25-bed-14".to_owned(), true),
        ("-_-_-_-_-_-_-_-_".to_owned(), true),
        // 16 characters but 17 bytes, and 64 characters but 65 bytes: the
        // character is refused whatever the length counts.
        (format!("é{}", "e".repeat(15)), false),
        (format!("é{}", "e".repeat(63)), false),
        ("has spaces in the id!!".to_owned(), false),
        ("visit/2026/11/25/bed/14".to_owned(), false),
        ("visit.2026.11.25.bed.14".to_owned(), false),
        ("visit~2026~11~25~bed~14".to_owned(), false),
        ("visit%2F2026%2F11%2F25".to_owned(), false),
        ("visit?2026=11&25=bed14".to_owned(), false),
        ("visit\n2026-11-25-bed-14".to_owned(), false),
    ];
    for (id, expected) in cases {
        let body = json!({ "templates": [TEMPLATE], "session_id": id });
        assert_eq!(
            client_accepts_create(&body, &discovery),
            expected,
            "client validation of {id:?}"
        );
        let r = sim.create(body).await;
        if expected {
            assert_eq!(r.status, 201, "the simulator refused {id:?}: {:?}", r.body);
            assert_eq!(r.json()["session_id"], id.as_str());
            // An accepted id works in every later path the client builds.
            let got = sim.call(Method::GET, &paths::session(&id), None).await;
            assert_eq!(got.status, 202, "GET {id:?}: {:?}", got.body);
        } else {
            assert_eq!(
                (r.status, r.code().as_str()),
                (400, "invalid_request"),
                "the simulator's answer to {id:?}"
            );
            assert_eq!(r.json()["error"]["details"]["field"], "session_id");
        }
    }
}

#[tokio::test]
async fn create_bodies_the_client_refuses_are_refused_by_the_simulator() {
    let sim = Sim::start().await;
    let discovery = discovery(&sim).await;
    let t = TEMPLATE;
    let cases = [
        (json!({ "templates": [t] }), None),
        (
            json!({ "templates": [t, "eka_emr_template"], "model": "pro", "session_mode": "consultation",
                "language_hint": ["en", "hi"], "transcript_language": "hi",
                "patient_details": { "age": 40 }, "additional_data": { "k": "v" } }),
            None,
        ),
        (
            json!({ "templates": [t], "upload_type": "stream", "communication_protocol": "websocket" }),
            None,
        ),
        (json!({ "templates": [] }), Some((400, "invalid_template"))),
        (
            json!({ "templates": [t, "eka_emr_template", "clinical_notes_template"] }),
            Some((400, "invalid_template")),
        ),
        (
            json!({ "templates": [t, t] }),
            Some((400, "invalid_template")),
        ),
        (
            json!({ "templates": [" "] }),
            Some((400, "invalid_template")),
        ),
        (
            json!({ "templates": [t], "model": "ultra" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "upload_type": "single" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "upload_type": "stream", "communication_protocol": "http" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "upload_type": "chunked", "communication_protocol": "websocket" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "communication_protocol": "pigeon" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "session_mode": "karaoke" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "language_hint": ["xx"] }),
            Some((422, "language_unsupported")),
        ),
        (
            json!({ "templates": [t], "transcript_language": ["en", "zz"] }),
            Some((422, "language_unsupported")),
        ),
        (
            json!({ "templates": [t], "patient_details": "Jane" }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "additional_data": [1, 2] }),
            Some((400, "invalid_request")),
        ),
        (
            json!({ "templates": [t], "additional_data": { "blob": "x".repeat(5000) } }),
            Some((400, "invalid_request")),
        ),
    ];
    for (body, refusal) in cases {
        assert_eq!(
            client_accepts_create(&body, &discovery),
            refusal.is_none(),
            "client validation of {body}"
        );
        let r = sim.create(body.clone()).await;
        match refusal {
            None => assert_eq!(r.status, 201, "{body}: {:?}", r.body),
            Some((status, code)) => {
                assert_eq!((r.status, r.code().as_str()), (status, code), "{body}");
            }
        }
    }
}

#[tokio::test]
async fn patch_bodies_the_client_refuses_are_refused_by_the_simulator() {
    let sim = Sim::start().await;
    let discovery = discovery(&sim).await;
    let id = sim.session(TEMPLATE).await;
    let path = paths::session(&id);
    let cases = [
        (json!({ "user_status": "reviewing" }), None),
        (json!({ "user_status": null }), None),
        (
            json!({ "templates": [TEMPLATE, "eka_emr_template"], "language_hint": ["hi"] }),
            None,
        ),
        (json!({}), Some((400, "invalid_request"))),
        (
            json!({ "status": "completed" }),
            Some((400, "invalid_request")),
        ),
        (json!({ "model": null }), Some((400, "invalid_request"))),
        (json!({ "templates": [] }), Some((400, "invalid_template"))),
        (
            json!({ "language_hint": ["xx"] }),
            Some((422, "language_unsupported")),
        ),
        (
            json!({ "additional_data": "text" }),
            Some((400, "invalid_request")),
        ),
    ];
    for (body, refusal) in cases {
        let update: PatchSessionRequest =
            serde_json::from_value(body.clone()).expect("the body reads as a patch");
        assert_eq!(
            update.validate(Some(&discovery)).is_ok(),
            refusal.is_none(),
            "client validation of {body}"
        );
        let r = sim.call(Method::PATCH, &path, Some(body.clone())).await;
        match refusal {
            None => assert_eq!(r.status, 200, "{body}: {:?}", r.body),
            Some((status, code)) => {
                assert_eq!((r.status, r.code().as_str()), (status, code), "{body}");
            }
        }
    }
}

#[tokio::test]
async fn a_field_of_the_wrong_shape_is_named() {
    let sim = Sim::start().await;
    for (body, field, code) in [
        (
            json!({ "templates": "transcript_template" }),
            "templates",
            "invalid_template",
        ),
        (
            json!({ "templates": [TEMPLATE, 3] }),
            "templates",
            "invalid_template",
        ),
        (
            json!({ "templates": [TEMPLATE], "session_id": 12 }),
            "session_id",
            "invalid_request",
        ),
        (
            json!({ "templates": [TEMPLATE], "language_hint": "en" }),
            "language_hint",
            "invalid_request",
        ),
        (
            json!({ "templates": [TEMPLATE], "colour": "blue" }),
            "colour",
            "invalid_request",
        ),
    ] {
        let r = sim.create(body.clone()).await;
        assert_eq!((r.status, r.code().as_str()), (400, code), "{body}");
        let error = &r.json()["error"];
        assert_eq!(error["details"]["field"], field, "{body}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("`{field}`")), "{body}: {message}");
    }
    let r = sim.create(json!({ "templates": null })).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "missing_required_field")
    );
    assert_eq!(r.json()["error"]["details"]["field"], "templates");
}
