//! Streaming over a WebSocket, in both frame modes.

use scribe::FrameMode;

use crate::support::*;

async fn round_trip(mode: FrameMode) {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = session_with(client.create_session().streaming()).await;
    let mut live = session
        .open_stream()
        .frame_mode(mode)
        .await
        .unwrap_or_else(|e| panic!("open: {e}"));
    assert_eq!(live.session().id(), session.id());
    let id = session.id().to_owned();
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

    let result = results(&session).await;
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

/// Collects log output in memory.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut out) = self.0.lock() {
            out.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn dropping_a_stream_without_stop_says_so() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = session_with(client.create_session().streaming()).await;
    let mut live = session
        .open_stream()
        .await
        .unwrap_or_else(|e| panic!("open: {e}"));
    let id = live.session().id().to_owned();
    live.send_audio(&[0i16; 1600])
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, || drop(live));
    let log = String::from_utf8_lossy(&captured.0.lock().map(|b| b.clone()).unwrap_or_default())
        .into_owned();
    assert!(log.contains("without stop()") && log.contains(&id), "{log}");
    assert!(!log.contains(server.client_secret()));
    assert_ne!(
        server.session_status(&id).as_deref(),
        Some("processing"),
        "not ended"
    );
}

/// A server that drops stream connections after `frames` frames, and a
/// stream open on it.
async fn stream_dropped_after(frames: u32) -> (scribe_sim::Server, scribe::LiveStream) {
    let server = start(quick_server().fault(scribe_sim::FaultRule::on(
        scribe_sim::Route::Stream,
        scribe_sim::FaultKind::WsDropAfterFrames(frames),
    )))
    .await;
    let session = session_with(client_for(&server).create_session().streaming()).await;
    let live = session
        .open_stream()
        .await
        .unwrap_or_else(|e| panic!("open: {e}"));
    (server, live)
}

#[tokio::test]
async fn a_dropped_socket_is_a_typed_error() {
    let (_server, mut live) = stream_dropped_after(3).await;
    let mut failure = None;
    for _ in 0..200 {
        if let Err(e) = live.send_audio(&[0i16; 1600]).await {
            failure = Some(e);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let err = match failure {
        Some(e) => e,
        None => live
            .stop()
            .await
            .err()
            .unwrap_or_else(|| panic!("a dropped stream stopped cleanly")),
    };
    assert!(err.is_server(), "{err}");
}

#[tokio::test]
async fn a_socket_dropped_before_the_flush_fails_stop_and_leaves_the_session_open() {
    // Two audio frames, then the stop frame is the third: the server drops
    // the connection instead of flushing and closing.
    let (server, mut live) = stream_dropped_after(3).await;
    let id = live.session().id().to_owned();
    for _ in 0..2 {
        live.send_audio(&[0i16; 1600])
            .await
            .unwrap_or_else(|e| panic!("send: {e}"));
    }
    let err = live
        .stop()
        .await
        .err()
        .unwrap_or_else(|| panic!("a stream dropped before its flush stopped cleanly"));
    assert!(err.is_server(), "{err}");
    assert!(err.hint().is_some_and(|h| h.contains("not ended")), "{err}");
    assert_ne!(
        server.session_status(&id).as_deref(),
        Some("processing"),
        "not ended"
    );
}
