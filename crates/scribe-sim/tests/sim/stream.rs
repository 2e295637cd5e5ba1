use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt as _, StreamExt as _};
use hyper::Method;
use scribe_sim::{FaultKind, FaultRule, Route};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::support::{Sim, quick};

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn stream_session(sim: &Sim) -> (String, String) {
    let r = sim
        .create(json!({ "templates": ["transcript_template"], "upload_type": "stream", "communication_protocol": "websocket" }))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let body = r.json();
    (
        body["session_id"].as_str().unwrap().to_owned(),
        body["upload_url"].as_str().unwrap().to_owned(),
    )
}

async fn connect(sim: &Sim, url: &str) -> Ws {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", sim.bearer().parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("WebSocket connects")
        .0
}

/// PCM for `seconds` of a quiet ramp at 16 kHz.
fn pcm(seconds: f64) -> Vec<u8> {
    let samples = (seconds * 16_000.0) as usize;
    (0..samples)
        .flat_map(|i| ((i % 200) as i16 * 10).to_le_bytes())
        .collect()
}

/// Read until the server closes; return its close code.
async fn close_code(ws: &mut Ws) -> Option<CloseCode> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("server answers")
        {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code),
            Some(Ok(_)) => continue,
            _ => return None,
        }
    }
}

#[tokio::test]
async fn binary_pcm_is_flushed_into_wav_chunks_on_stop() {
    let sim = Sim::start().await;
    let (id, url) = stream_session(&sim).await;
    let mut ws = connect(&sim, &url).await;
    let audio = pcm(12.5);
    for frame in audio.chunks(16_000) {
        ws.send(Message::binary(frame.to_vec())).await.unwrap();
    }
    ws.send(Message::text(r#"{"event":"stop","reason":"done"}"#))
        .await
        .unwrap();
    assert_eq!(close_code(&mut ws).await, Some(CloseCode::Normal));

    let files = sim.server.files(&id).unwrap();
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["stream_0.wav", "stream_1.wav"], "10 s chunks");
    assert!((files[0].duration_seconds - 10.0).abs() < 1e-9);
    assert!((files[1].duration_seconds - 2.5).abs() < 1e-9);
    let rejoined: Vec<u8> = files.iter().flat_map(|f| f.bytes[44..].to_vec()).collect();
    assert_eq!(rejoined, audio, "stored PCM equals the PCM sent");
    assert_eq!(
        sim.server.session_status(&id).as_deref(),
        Some("recording"),
        "closing does not finalize"
    );

    assert_eq!(sim.end(&id, 0).await.status, 202);
    let r = sim.wait_final(&id).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.json()["audio_files"],
        json!(["stream_0.wav", "stream_1.wav"])
    );
}

#[tokio::test]
async fn the_json_envelope_carries_base64_pcm() {
    let sim = Sim::start().await;
    let (id, url) = stream_session(&sim).await;
    let stream_id = url.rsplit('/').nth(1).unwrap().to_owned();
    let mut ws = connect(&sim, &url).await;
    let start = json!({ "event": "start", "start": { "streamId": stream_id, "mediaFormat": { "encoding": "audio/x-l16", "sampleRate": 16000 } } });
    ws.send(Message::text(start.to_string())).await.unwrap();
    for _ in 0..4 {
        let payload = base64::engine::general_purpose::STANDARD.encode(pcm(0.25));
        ws.send(Message::text(
            json!({ "event": "media", "media": { "payload": payload } }).to_string(),
        ))
        .await
        .unwrap();
    }
    ws.send(Message::text(r#"{"event":"stop"}"#)).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(CloseCode::Normal));
    let files = sim.server.files(&id).unwrap();
    assert_eq!(files.len(), 1);
    assert!((files[0].duration_seconds - 1.0).abs() < 1e-9);
}

#[tokio::test]
async fn bad_frames_close_with_a_reason() {
    let sim = Sim::start().await;
    for (frame, code) in [
        (
            json!({ "event": "start", "start": { "streamId": "{id}", "mediaFormat": { "encoding": "audio/x-l16", "sampleRate": 44100 } } }),
            CloseCode::Unsupported,
        ),
        (
            json!({ "event": "start", "start": { "mediaFormat": { "encoding": "audio/x-l16", "sampleRate": 16000 } } }),
            CloseCode::Invalid,
        ),
        (
            json!({ "event": "start", "start": { "streamId": "someone-else" } }),
            CloseCode::Policy,
        ),
        (
            json!({ "event": "media", "media": { "payload": "***" } }),
            CloseCode::Invalid,
        ),
        (json!({ "event": "dance" }), CloseCode::Policy),
    ] {
        let (_, url) = stream_session(&sim).await;
        let stream_id = url.rsplit('/').nth(1).unwrap_or_default();
        let frame = frame.to_string().replace("{id}", stream_id);
        let mut ws = connect(&sim, &url).await;
        ws.send(Message::text(frame.clone())).await.unwrap();
        assert_eq!(close_code(&mut ws).await, Some(code), "{frame}");
    }
}

#[tokio::test]
async fn stream_sessions_refuse_http_uploads_and_the_socket_needs_auth() {
    let sim = Sim::start().await;
    let (id, url) = stream_session(&sim).await;
    let r = sim
        .upload(
            &id,
            "chunk_0.wav",
            "audio/wav",
            crate::support::wav(0.2, 16_000),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_request"));
    let err = tokio_tungstenite::connect_async(url.as_str())
        .await
        .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 401),
        other => panic!("expected a 401 answer, got {other}"),
    }
    let r = sim
        .call(
            Method::GET,
            &url.replacen("ws://", "http://", 1)
                .replacen(sim.server.base_url(), "", 1),
            None,
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "invalid_request"),
        "a plain GET is not an upgrade"
    );
}

#[tokio::test]
async fn end_flushes_what_is_still_buffered() {
    let sim = Sim::start().await;
    let (id, url) = stream_session(&sim).await;
    let mut ws = connect(&sim, &url).await;
    ws.send(Message::binary(pcm(0.5))).await.unwrap();
    // Let the frame land before ending without `stop`.
    for _ in 0..50 {
        if sim
            .server
            .sessions()
            .iter()
            .any(|s| s.stream_pending_bytes > 0)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(sim.end(&id, 0).await.status, 202);
    assert_eq!(sim.server.files(&id).unwrap().len(), 1);
    assert_eq!(
        close_code(&mut ws).await,
        Some(CloseCode::Normal),
        "the server closes once the session ended"
    );
}

#[tokio::test]
async fn ws_drop_fault_cuts_the_connection_after_n_frames() {
    let sim = Sim::with(quick().fault(FaultRule::on(
        Route::Stream,
        FaultKind::WsDropAfterFrames(3),
    )))
    .await;
    let (id, url) = stream_session(&sim).await;
    let mut ws = connect(&sim, &url).await;
    let mut send_failed = false;
    for _ in 0..20 {
        if ws.send(Message::binary(pcm(0.1))).await.is_err() {
            send_failed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let next = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("socket ends");
    assert!(
        send_failed || !matches!(next, Some(Ok(Message::Close(_)))),
        "dropped without a close frame, got {next:?}"
    );
    let pending = sim
        .server
        .sessions()
        .into_iter()
        .find(|s| s.session_id == id)
        .unwrap()
        .stream_pending_bytes;
    assert_eq!(
        pending,
        3 * 3200,
        "the three frames before the drop were kept"
    );
    let log = sim.server.requests();
    assert!(log.iter().any(|r| r.fault.as_deref() == Some("ws-drop:3")));
}

#[tokio::test]
async fn unflushed_stream_audio_is_bounded() {
    let sim = Sim::with(quick().max_upload_bytes(10_000)).await;
    let (_, url) = stream_session(&sim).await;
    let mut ws = connect(&sim, &url).await;
    for _ in 0..5 {
        if ws.send(Message::binary(vec![0u8; 9_000])).await.is_err() {
            break;
        }
    }
    assert_eq!(
        close_code(&mut ws).await,
        Some(CloseCode::Size),
        "40 000 bytes at most before stop"
    );
}

#[tokio::test]
async fn a_reconnected_stream_continues_the_same_audio() {
    let rule = FaultRule::on(Route::Stream, FaultKind::WsDropAfterFrames(2)).limit(1);
    let sim = Sim::with(quick().fault(rule)).await;
    let (id, url) = stream_session(&sim).await;
    let first = pcm(0.4);
    let mut ws = connect(&sim, &url).await;
    for frame in first.chunks(3200) {
        let _ = ws.send(Message::binary(frame.to_vec())).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), ws.next()).await;
    let mut ws = connect(&sim, &url).await;
    let second = pcm(0.3);
    ws.send(Message::binary(second.clone())).await.unwrap();
    ws.send(Message::text(r#"{"event":"stop"}"#)).await.unwrap();
    assert_eq!(close_code(&mut ws).await, Some(CloseCode::Normal));
    let files = sim.server.files(&id).unwrap();
    let stored: Vec<u8> = files.iter().flat_map(|f| f.bytes[44..].to_vec()).collect();
    let mut expected = first[..6400].to_vec();
    expected.extend_from_slice(&second);
    assert_eq!(
        stored, expected,
        "the two frames before the drop, then the new connection's audio"
    );
}
