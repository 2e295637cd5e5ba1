//! `localhost` names (RFC 6761) reach loopback without the system resolver:
//! `scribe-test.localhost` is in no hosts file and no DNS, yet plain HTTP and
//! WebSocket connections to it reach the simulator on 127.0.0.1.

use std::time::Duration;

use scribe_sim::Route;

use crate::support::*;

/// `url` with its `127.0.0.1` host replaced by a `localhost` name.
fn by_name(url: &str) -> String {
    assert!(url.contains("://127.0.0.1:"), "{url}");
    url.replacen("://127.0.0.1:", "://scribe-test.localhost:", 1)
}

#[tokio::test]
async fn http_to_a_localhost_name_reaches_the_loopback_server() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let url = format!("{}/v1/templates", by_name(server.base_url()));
    let answer = http
        .send(scribe_transport::Request::get(url).path_template("/v1/templates"))
        .await
        .unwrap_or_else(|e| panic!("GET by a localhost name: {e}"));
    assert_eq!(answer.status(), 200);
    assert_eq!(logged(&server, Route::Templates).len(), 1);
}

#[tokio::test]
async fn websocket_to_a_localhost_name_reaches_the_loopback_server() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let created = create_session(&http, &server, true).await;
    let url = created["upload_url"].as_str().expect("upload_url");
    let mut ws = http
        .websocket(&by_name(url))
        .await
        .unwrap_or_else(|e| panic!("WebSocket by a localhost name: {e}"));
    ws.send_binary(pcm_tone(1_600)).await.expect("frame sent");
    ws.send_text(r#"{"event":"stop"}"#)
        .await
        .expect("stop sent");
    let closed = ws
        .wait_closed(Duration::from_secs(5))
        .await
        .expect("server closes cleanly");
    assert_eq!(closed.code, 1000);
}
