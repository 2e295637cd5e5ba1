//! WebSocket streaming against the simulator's stream endpoint.

use std::time::Duration;

use scribe_sim::{FaultKind, FaultRule, Route, Server};
use scribe_transport::{ErrorKind, HttpClient, TransportConfig};

use crate::support::*;

async fn stream_session(http: &HttpClient, server: &Server) -> (String, String) {
    let created = create_session(http, server, true).await;
    let id = created["session_id"]
        .as_str()
        .expect("session id")
        .to_owned();
    let url = created["upload_url"]
        .as_str()
        .expect("stream sessions carry an upload_url")
        .to_owned();
    (id, url)
}

#[tokio::test]
async fn streams_pcm_then_stop_and_waits_for_the_server_to_close() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let (id, url) = stream_session(&http, &server).await;
    let mut ws = http.websocket(&url).await.expect("socket opens");
    let pcm = pcm_tone(16_000 * 2);
    for frame in pcm.chunks(3_200) {
        ws.send_binary(frame.to_vec()).await.expect("frame sent");
    }
    ws.send_text(r#"{"event":"stop"}"#)
        .await
        .expect("stop sent");
    let closed = ws
        .wait_closed(Duration::from_secs(5))
        .await
        .expect("server closes cleanly");
    assert_eq!(closed.code, 1000);
    let files = server.files(&id).expect("session known");
    let total: f64 = files.iter().map(|f| f.duration_seconds).sum();
    assert!(
        (total - 2.0).abs() < 0.01,
        "stored {total} s of the 2 s streamed"
    );
    // The connection is finished: sending again is a typed error.
    let err = ws.send_binary(vec![0u8; 2]).await.expect_err("closed");
    assert_eq!(err.kind(), ErrorKind::Closed);
}

#[tokio::test]
async fn client_initiated_close_is_bounded_and_clean() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let (_, url) = stream_session(&http, &server).await;
    let ws = http.websocket(&url).await.expect("socket opens");
    ws.send_binary(pcm_tone(1_600)).await.unwrap();
    let info = ws.close().await.expect("clean close");
    assert_eq!(info.code, 1000);
}

#[tokio::test]
async fn a_dropped_connection_is_a_typed_connection_error() {
    let server = sim(vec![FaultRule::on(
        Route::Stream,
        FaultKind::WsDropAfterFrames(3),
    )])
    .await;
    let http = default_client(&server);
    let (_, url) = stream_session(&http, &server).await;
    let mut ws = http.websocket(&url).await.expect("socket opens");
    let mut failure = None;
    for _ in 0..50 {
        if let Err(e) = ws.send_binary(pcm_tone(320)).await {
            failure = Some(e);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let err = match failure {
        Some(e) => e,
        None => ws.recv().await.expect_err("the drop is reported"),
    };
    assert!(
        matches!(err.kind(), ErrorKind::Connection),
        "{:?}: {err}",
        err.kind()
    );
}

#[tokio::test]
async fn plain_ws_to_a_non_loopback_host_is_refused() {
    let http = HttpClient::new(TransportConfig::default()).unwrap();
    let err = http
        .websocket("ws://192.0.2.1/stream")
        .await
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Config);
}

#[tokio::test]
async fn websocket_without_credentials_is_refused_with_an_auth_error() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let (_, url) = stream_session(&http, &server).await;
    let anonymous = http.without_authenticator();
    let err = anonymous.websocket(&url).await.expect_err("no credentials");
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
}

#[tokio::test]
async fn pings_keep_an_idle_stream_alive() {
    let server = sim(vec![]).await;
    let http = client(
        &server,
        TransportConfig::default()
            .ws_ping_interval(Duration::from_millis(50))
            .ws_pong_timeout(Duration::from_millis(200)),
    );
    let (id, url) = stream_session(&http, &server).await;
    let mut ws = http.websocket(&url).await.expect("socket opens");
    ws.send_binary(pcm_tone(16_000)).await.unwrap();
    // Idle for many pong timeouts: the server's pongs keep the stream open.
    tokio::time::sleep(Duration::from_millis(800)).await;
    ws.send_text(r#"{"event":"stop"}"#)
        .await
        .expect("still open");
    ws.wait_closed(Duration::from_secs(5))
        .await
        .expect("clean close");
    assert!(!server.files(&id).unwrap().is_empty());
}

#[tokio::test]
async fn a_server_that_stops_answering_pings_is_detected() {
    // Completes the WebSocket handshake, then never reads again, so no
    // pong is ever sent.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        tokio::time::sleep(Duration::from_secs(10)).await;
        drop(ws);
    });
    let http = HttpClient::new(
        TransportConfig::default()
            .ws_ping_interval(Duration::from_millis(50))
            .ws_pong_timeout(Duration::from_millis(300)),
    )
    .unwrap();
    let mut ws = http
        .websocket(&format!("ws://127.0.0.1:{}/silent", addr.port()))
        .await
        .expect("handshake completes");
    let started = std::time::Instant::now();
    let err = ws.recv().await.expect_err("silence is detected");
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert!(err.to_string().contains("stopped answering pings"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn dropping_the_handle_closes_the_socket_politely() {
    use futures_util::StreamExt;
    // A server that reports the close code it receives.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        while let Some(Ok(message)) = ws.next().await {
            if let tokio_tungstenite::tungstenite::Message::Close(frame) = message {
                let _ = tx.send(frame.map(|f| u16::from(f.code)));
                break;
            }
        }
    });
    let http = HttpClient::new(TransportConfig::default()).unwrap();
    let ws = http
        .websocket(&format!("ws://127.0.0.1:{}/audio", addr.port()))
        .await
        .expect("socket opens");
    ws.send_binary(pcm_tone(1_600)).await.unwrap();
    drop(ws);
    let code = tokio::time::timeout(Duration::from_secs(3), rx)
        .await
        .expect("close frame arrives")
        .unwrap();
    assert_eq!(code, Some(1000));
}

#[tokio::test]
async fn a_refused_handshake_refreshes_credentials_once() {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let (_, url) = stream_session(&http, &server).await;
    let auth = Arc::new(KeyAuth::starting_with("sk_test_stale", server.api_key()));
    let stale = HttpClient::new(TransportConfig::default())
        .unwrap()
        .with_authenticator(auth.clone());
    let ws = stale
        .websocket(&url)
        .await
        .expect("opens after one refresh");
    assert_eq!(auth.refreshes.load(Ordering::SeqCst), 1);
    assert_eq!(ws.close().await.expect("clean close").code, 1000);
}
