use std::time::{Duration, Instant};

use hyper::Method;
use serde_json::json;

use crate::support::{Sim, quick, wav};

#[tokio::test]
async fn states_move_created_recording_processing_completed() {
    let sim = Sim::with(
        quick()
            .processing_delay(Duration::from_millis(300))
            .long_poll_hold(Duration::ZERO),
    )
    .await;
    let id = sim.session("transcript_template").await;
    let r = sim.get(&id).await;
    assert_eq!(
        (r.status, r.json()["status"].as_str()),
        (202, Some("created"))
    );
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.4, 16_000))
        .await;
    let r = sim.get(&id).await.json();
    assert_eq!(r["status"], "recording");
    assert_eq!(r["audio_files_received"], 1);
    assert!(
        r["transcript"].as_str().unwrap().contains("chunk_0.wav"),
        "interim transcript"
    );
    let end = sim.end(&id, 1).await;
    assert_eq!(end.status, 202);
    let end = end.json();
    assert_eq!(
        (end["status"].as_str(), end["audio_files"].clone()),
        (Some("processing"), json!(["chunk_0.wav"]))
    );
    let r = sim.get(&id).await;
    assert_eq!(r.status, 202);
    let r = r.json();
    assert_eq!(r["status"], "processing");
    assert_eq!(
        r["templates"][0]["transcript_template"]["status"],
        "processing"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = sim.get(&id).await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["status"], "completed");
    assert_eq!(body["model_used"], "lite");
    assert!(body["completed_at"].is_u64());
    let parsed: scribe_protocol::session::SessionResponse =
        serde_json::from_value(body).expect("scribe-protocol reads the result");
    drop(parsed);
}

#[tokio::test]
async fn a_count_mismatch_or_an_overlong_chunk_makes_the_session_partial() {
    let sim = Sim::with(quick().max_chunk_seconds(1.0)).await;
    let id = sim.session("transcript_template").await;
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.5, 16_000))
        .await;
    sim.upload(&id, "chunk_1.wav", "audio/wav", wav(1.5, 16_000))
        .await;
    sim.end(&id, 3).await;
    let r = sim.wait_final(&id).await;
    assert_eq!(r.status, 206, "{:?}", r.body);
    let body = r.json();
    assert_eq!(body["status"], "partial");
    assert_eq!(body["audio_files_received"], 2);
    assert_eq!(body["audio_files_processed"], 1);
    let kinds: Vec<&str> = body["processing_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["chunk_too_long", "audio_files_mismatch"]);
    assert_eq!(body["processing_errors"][0]["file"], "chunk_1.wav");
    assert_eq!(
        body["transcript"].as_str().unwrap().lines().count(),
        1,
        "the long chunk is skipped"
    );
}

#[tokio::test]
async fn a_session_without_audio_fails() {
    let sim = Sim::start().await;
    let id = sim.session("clinical_notes_template").await;
    sim.end(&id, 0).await;
    let r = sim.wait_final(&id).await;
    assert_eq!(r.status, 200);
    let body = r.json();
    assert_eq!(body["status"], "failed");
    assert_eq!(body["error"]["code"], "audio_too_short");
    assert_eq!(
        body["templates"][0]["clinical_notes_template"]["status"],
        "failed"
    );
    assert_eq!(
        body["templates"][0]["clinical_notes_template"]["error"]["code"],
        "insufficient_audio"
    );
}

#[tokio::test]
async fn sessions_expire_with_the_expired_body_and_refuse_audio() {
    let sim = Sim::with(quick().session_expiry(Duration::from_millis(300))).await;
    let id = sim.session("transcript_template").await;
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let r = sim.get(&id).await;
    assert_eq!(r.status, 410);
    let body = r.json();
    assert_eq!(body["status"], "expired");
    assert!(body["expired_at"].is_u64());
    assert_eq!(
        body["message"],
        "Session expired before processing was initiated"
    );
    assert_eq!(body["audio_files"], json!(["chunk_0.wav"]));
    let r = sim
        .upload(&id, "chunk_1.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    assert_eq!((r.status, r.code().as_str()), (410, "session_expired"));
    let r = sim.end(&id, 1).await;
    assert_eq!((r.status, r.code().as_str()), (410, "session_expired"));
}

#[tokio::test]
async fn controls_expire_or_finish_a_session_now() {
    let sim = Sim::with(quick().processing_delay(Duration::from_secs(600))).await;
    let a = sim.session("transcript_template").await;
    sim.upload(&a, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    assert_eq!(sim.server.finish_session(&a).as_deref(), Some("completed"));
    assert_eq!(sim.get(&a).await.status, 200);

    let b = sim.session("transcript_template").await;
    let base = sim.server.auth_base_url();
    let r = sim
        .http
        .send(
            Method::POST,
            &format!("{base}/_sim/sessions/{b}/expire"),
            &[],
            "",
        )
        .await
        .json();
    assert_eq!(r["status"], "expired");
    assert_eq!(sim.get(&b).await.status, 410);

    let c = sim.session("transcript_template").await;
    sim.upload(&c, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    sim.end(&c, 1).await;
    let r = sim
        .http
        .send(
            Method::POST,
            &format!("{base}/_sim/sessions/{c}/finish"),
            &[],
            "",
        )
        .await
        .json();
    assert_eq!(
        r["status"], "completed",
        "processing skipped its 600 s delay"
    );
    assert!(
        sim.server.expire_session(&c),
        "a finished session can be forced to expire"
    );
    let r = sim.get(&c).await;
    assert_eq!(r.status, 410);
    let body = r.json();
    assert_eq!(
        body["message"],
        "Session expired; results produced before expiry are included"
    );
    assert!(body["templates"][0]["transcript_template"]["data"].is_object());
}

#[tokio::test]
async fn patch_updates_only_documented_fields_before_end() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let path = format!("/v1/sessions/{id}");
    let r = sim
        .call(
            Method::PATCH,
            &path,
            Some(json!({ "patient_details": { "name": "P" }, "user_status": "reviewing", "templates": ["eka_emr_template", "transcript_template"], "language_hint": ["hi"] })),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let body = r.json();
    assert_eq!(body["user_status"], "reviewing");
    assert_eq!(body["patient_details"]["name"], "P");
    for (bad, code) in [
        (json!({ "status": "completed" }), "invalid_request"),
        (json!({}), "invalid_request"),
        (json!({ "templates": ["nope"] }), "invalid_template"),
        (json!({ "language_hint": ["xx"] }), "language_unsupported"),
        (json!({ "user_status": 3 }), "invalid_request"),
    ] {
        assert_eq!(
            sim.call(Method::PATCH, &path, Some(bad.clone()))
                .await
                .code(),
            code,
            "{bad}"
        );
    }
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    sim.end(&id, 1).await;
    let done = sim.wait_final(&id).await.json();
    assert_eq!(done["language_detected"], "hi");
    let ids: Vec<&str> = done["templates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_object().unwrap().keys().next().unwrap().as_str())
        .collect();
    assert_eq!(ids, ["eka_emr_template", "transcript_template"]);
}

#[tokio::test]
async fn process_template_reruns_extraction_and_template_id_filters_results() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let r = sim
        .call(
            Method::POST,
            &format!("/v1/sessions/{id}/process/template"),
            None,
        )
        .await;
    assert_eq!(r.status, 409, "not before end");
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    sim.end(&id, 1).await;
    sim.wait_final(&id).await;
    let r = sim
        .call(
            Method::POST,
            &format!("/v1/sessions/{id}/process/template/unknown_template"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (404, "template_not_found"));
    let r = sim
        .call(
            Method::POST,
            &format!("/v1/sessions/{id}/process/template/clinical_notes_template"),
            None,
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(r.json()["status"], "processing");
    let done = sim.wait_final(&id).await.json();
    assert_eq!(done["templates"].as_array().unwrap().len(), 2);
    let one = sim
        .call(
            Method::GET,
            &format!("/v1/sessions/{id}?template_id=clinical_notes_template"),
            None,
        )
        .await
        .json();
    let templates = one["templates"].as_array().unwrap();
    assert_eq!(templates.len(), 1);
    assert!(templates[0].get("clinical_notes_template").is_some());
    let r = sim
        .call(
            Method::GET,
            &format!("/v1/sessions/{id}?template_id=soap"),
            None,
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (404, "template_not_found"));
    let r = sim
        .call(
            Method::POST,
            &format!("/v1/sessions/{id}/process/template/eka_emr_template"),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_template"),
        "a third template is too many"
    );
}

#[tokio::test]
async fn long_poll_wakes_as_soon_as_the_session_changes() {
    let sim = Sim::with(quick().long_poll_hold(Duration::from_secs(10))).await;
    let id = sim.session("transcript_template").await;
    let uploader = {
        let http = sim.http.clone();
        let url = sim.url(&format!("/v1/sessions/{id}/audio/chunk_0.wav"));
        let bearer = sim.bearer();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            http.send(
                Method::POST,
                &url,
                &[("authorization", &bearer), ("content-type", "audio/wav")],
                wav(0.2, 16_000),
            )
            .await
        })
    };
    let started = Instant::now();
    let r = sim.get(&id).await;
    let waited = started.elapsed();
    assert_eq!(uploader.await.unwrap().status, 200);
    assert_eq!(
        r.json()["status"],
        "recording",
        "the answer reflects the change that woke it"
    );
    assert!(
        waited >= Duration::from_millis(250),
        "held until the change ({waited:?})"
    );
    assert!(
        waited < Duration::from_secs(9),
        "answered on the change, not at the 10 s hold ({waited:?})"
    );

    // A finished session answers at once.
    sim.server.finish_session(&id);
    let started = Instant::now();
    assert_eq!(sim.get(&id).await.status, 200);
    assert!(started.elapsed() < Duration::from_secs(9));
}

#[tokio::test]
async fn long_poll_holds_for_the_configured_time_without_changes() {
    let sim = Sim::with(quick().long_poll_hold(Duration::from_millis(500))).await;
    let id = sim.session("transcript_template").await;
    let started = Instant::now();
    let r = sim.get(&id).await;
    assert_eq!(r.status, 202);
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "{:?}",
        started.elapsed()
    );
    let log = sim.server.requests();
    let get = log.iter().rev().find(|r| r.method == "GET").unwrap();
    assert_eq!(get.session_id.as_deref(), Some(id.as_str()));
    assert!(get.elapsed.unwrap() >= Duration::from_millis(450));
}
