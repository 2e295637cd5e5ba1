use std::time::Duration;

use hyper::Method;
use serde_json::json;

use crate::support::{Sim, quick, wav};

#[tokio::test]
async fn inspection_routes_show_sessions_files_requests_and_deliveries() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.3, 16_000))
        .await;
    let root = sim.server.auth_base_url().to_owned();
    let get = |path: &str| {
        let http = sim.http.clone();
        let url = format!("{root}{path}");
        async move { http.send(Method::GET, &url, &[], "").await }
    };
    let index = get("/_sim/").await.json();
    assert!(index["routes"].as_array().unwrap().len() >= 9);
    let sessions = get("/_sim/sessions").await.json();
    assert_eq!(sessions["sessions"][0]["session_id"], id.as_str());
    assert_eq!(sessions["sessions"][0]["status"], "recording");
    let one = get(&format!("/_sim/sessions/{id}")).await.json();
    assert_eq!(one["files"][0]["name"], "chunk_0.wav");
    assert_eq!(one["files"][0]["duration_seconds"], 0.3);
    assert!(
        one["files"][0].get("bytes").is_none(),
        "bytes are served separately"
    );
    assert_eq!(get("/_sim/sessions/nope").await.status, 404);
    assert_eq!(
        get(&format!("/_sim/sessions/{id}/files/chunk_9.wav"))
            .await
            .status,
        404
    );

    let requests = get("/_sim/requests").await.json();
    let upload = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["route"] == "upload_audio")
        .unwrap()
        .clone();
    assert_eq!(upload["status"], 200);
    assert_eq!(upload["session_id"], id.as_str());
    assert_eq!(upload["attempt"], 1);
    assert!(upload["at_ms"].is_number() && upload["elapsed_ms"].is_number());
    let cleared = sim
        .http
        .send(Method::DELETE, &format!("{root}/_sim/requests"), &[], "")
        .await;
    assert_eq!(cleared.status, 204);
    // The GET of the log after clearing sees only itself.
    assert_eq!(
        get("/_sim/requests").await.json()["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        get("/_sim/webhooks/deliveries").await.json()["deliveries"],
        json!([])
    );
    let debug = format!("{:?}", sim.server.files(&id).unwrap()[0]);
    assert!(
        debug.contains("sha256") && !debug.contains("bytes"),
        "{debug}"
    );
}

#[tokio::test]
async fn unknown_sessions_are_session_not_found_everywhere() {
    let sim = Sim::start().await;
    let missing = "0000000000000000-missing";
    for (method, path, body) in [
        (Method::GET, format!("/v1/sessions/{missing}"), None),
        (
            Method::PATCH,
            format!("/v1/sessions/{missing}"),
            Some(json!({ "user_status": "x" })),
        ),
        (
            Method::POST,
            format!("/v1/sessions/{missing}/end"),
            Some(json!({ "audio_files_sent": 0 })),
        ),
        (
            Method::POST,
            format!("/v1/sessions/{missing}/process/template"),
            None,
        ),
    ] {
        let r = sim.call(method.clone(), &path, body).await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (404, "session_not_found"),
            "{method} {path}"
        );
    }
    assert!(!sim.server.expire_session(missing));
    assert_eq!(sim.server.finish_session(missing), None);
    assert!(sim.server.files(missing).is_none());
}

#[tokio::test]
async fn end_needs_a_whole_audio_files_sent() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let path = format!("/v1/sessions/{id}/end");
    for (body, code) in [
        (json!({}), "missing_required_field"),
        (json!({ "audio_files_sent": -1 }), "invalid_request"),
        (json!({ "audio_files_sent": "2" }), "invalid_request"),
        (
            json!({ "audio_files_sent": 1, "extra": true }),
            "invalid_request",
        ),
    ] {
        assert_eq!(
            sim.call(Method::POST, &path, Some(body.clone()))
                .await
                .code(),
            code,
            "{body}"
        );
    }
    assert_eq!(sim.server.session_status(&id).as_deref(), Some("created"));
}

#[tokio::test]
async fn spec_single_uploads_take_one_file_and_expire_with_iso_times() {
    let sim = Sim::with(
        quick()
            .dialect(scribe_sim::Dialect::Spec)
            .session_expiry(Duration::from_millis(800)),
    )
    .await;
    let r = sim
        .create(json!({ "templates": ["hpi"], "upload_type": "single", "communication_protocol": "http" }))
        .await;
    let id = r.json()["session_id"].as_str().unwrap().to_owned();
    assert_eq!(
        sim.upload(&id, "audio_0.wav", "audio/wav", wav(0.2, 16_000))
            .await
            .status,
        200
    );
    assert_eq!(
        sim.upload(&id, "audio_0.wav", "audio/wav", wav(0.2, 16_000))
            .await
            .status,
        200,
        "same name again is fine"
    );
    let r = sim
        .upload(&id, "audio_1.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_request"));
    tokio::time::sleep(Duration::from_millis(900)).await;
    let r = sim.get(&id).await;
    assert_eq!(r.status, 410);
    let body = r.json();
    assert!(
        body["expired_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
    );
    assert_eq!(body["templates"], json!({}));
    assert!(body["transcript"].is_null());
}

#[test]
fn start_blocking_refuses_to_run_inside_a_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = runtime
        .block_on(async { quick().start_blocking().map(|_| ()) })
        .unwrap_err();
    assert!(err.to_string().contains("start().await"), "{err}");
}
