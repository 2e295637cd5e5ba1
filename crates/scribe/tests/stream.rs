//! Streaming over a WebSocket, in both frame modes.

use scribe::{FrameMode, SessionOptions, StreamOptions};

use crate::support::*;

async fn round_trip(mode: FrameMode) {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let mut live = client
        .open_stream(StreamOptions::new(SessionOptions::new()).frame_mode(mode))
        .await
        .unwrap_or_else(|e| panic!("open: {e}"));
    let id = live.session_id().to_owned();
    let (pcm, _) = consultation_pcm();
    live.send_samples_paced(&pcm, Some(20.0))
        .await
        .unwrap_or_else(|e| panic!("send: {e}"));
    let from_file = live
        .send_file(sample("consultation-opus.ogg"), None)
        .await
        .unwrap_or_else(|e| panic!("send file: {e}"));
    assert!(from_file.audio_seconds > 1.0);
    let summary = live.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    let expected_seconds = pcm.len() as f64 / 16_000.0 + from_file.audio_seconds;
    assert!((summary.audio_seconds - expected_seconds).abs() < 0.01);

    let result = client
        .wait_for_results(&id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(result.is_complete(), "{mode:?}: {:?}", result.status());
    let stored: usize = server
        .files(&id)
        .unwrap_or_default()
        .iter()
        .map(|f| f.size)
        .sum();
    // The server keeps what arrived as WAV files: at least the PCM sent.
    assert!(
        stored as f64 >= summary.audio_seconds * 32_000.0,
        "{stored} bytes stored"
    );
}

#[tokio::test]
async fn binary_frames() {
    round_trip(FrameMode::Binary).await;
}

#[tokio::test]
async fn json_envelope_frames() {
    round_trip(FrameMode::JsonEnvelope).await;
}
