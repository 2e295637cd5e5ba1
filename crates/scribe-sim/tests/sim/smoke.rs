use hyper::Method;
use serde_json::json;

use crate::support::{Sim, wav};

#[tokio::test]
async fn chunked_session_completes_with_results_from_the_audio() {
    let sim = Sim::start().await;
    let id = sim.session("transcript_template").await;
    let r = sim
        .upload(&id, "chunk_1.wav", "audio/wav", wav(2.0, 16_000))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = sim
        .upload(&id, "chunk_0.wav", "audio/wav", wav(1.5, 16_000))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = sim.end(&id, 2).await;
    assert_eq!(r.status, 202, "{:?}", r.body);
    let r = sim.wait_final(&id).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let body = r.json();
    assert_eq!(body["status"], "completed");
    assert_eq!(body["audio_files"], json!(["chunk_0.wav", "chunk_1.wav"]));
    let transcript = body["transcript"].as_str().unwrap();
    let lines: Vec<&str> = transcript.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("chunk_0.wav 0.00-1.50 s"), "{transcript}");
    assert!(lines[1].contains("chunk_1.wav 1.50-3.50 s"), "{transcript}");
    let data = &body["templates"][0]["transcript_template"]["data"];
    assert_eq!(data["simulated"], true);
    assert_eq!(data["segments"][1]["duration_seconds"], 2.0);
    let files = sim.server.files(&id).unwrap();
    assert_eq!(files.len(), 2);
    let _ = sim.call(Method::GET, "/v1/templates", None).await;
}
