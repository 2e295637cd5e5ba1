use hyper::Method;
use scribe_sim::{Dialect, Server};

use crate::support::{Http, Sim, quick};

#[tokio::test]
async fn discovery_is_public_at_both_paths_and_announces_the_server() {
    let server = quick().max_chunk_seconds(12.5).start().await.unwrap();
    let http = Http::new();
    let under_base = http
        .send(
            Method::GET,
            &format!("{}/v1/.well-known/medscribealliance", server.base_url()),
            &[],
            "",
        )
        .await;
    let at_root = http
        .send(
            Method::GET,
            &format!("{}/.well-known/medscribealliance", server.auth_base_url()),
            &[],
            "",
        )
        .await;
    assert_eq!((under_base.status, at_root.status), (200, 200));
    let doc = under_base.json();
    assert_eq!(doc, at_root.json());
    assert_eq!(doc["protocol_version"], "0.1");
    // Announced in whole seconds, rounded down.
    assert_eq!(doc["capabilities"]["max_chunk_duration_seconds"], 12);
    assert_eq!(
        doc["endpoints"]["webhooks_url"],
        format!("{}/v1/webhooks", server.base_url())
    );
    assert!(
        doc["capabilities"]["audio_formats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "audio/wav")
    );
    let models: Vec<&str> = doc["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(models, ["lite", "pro"]);
    assert_eq!(doc["languages"]["supported"].as_array().unwrap().len(), 10);
    let parsed: scribe_protocol::discovery::DiscoveryDocument =
        serde_json::from_value(doc).expect("scribe-protocol reads the document");
    drop(parsed);
}

#[tokio::test]
async fn dialects_announce_their_chunk_limits_and_templates() {
    let http = Http::new();
    for (dialect, max, first_template) in [
        (Dialect::Eka, 24, "clinical_notes_template"),
        (Dialect::Spec, 20, "transcript"),
    ] {
        let sim = Sim::with(quick().dialect(dialect)).await;
        let doc = http
            .send(
                Method::GET,
                &format!("{}/v1/.well-known/medscribealliance", sim.server.base_url()),
                &[],
                "",
            )
            .await
            .json();
        assert_eq!(doc["capabilities"]["max_chunk_duration_seconds"], max);
        let list = sim.call(Method::GET, "/v1/templates", None).await;
        assert_eq!(list.status, 200);
        let list = list.json();
        assert_eq!(list["templates"][0]["id"], first_template);
        assert!(
            list["templates"][0]["name"].is_string()
                && list["templates"][0]["description"].is_string()
        );
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_in_the_envelope() {
    let sim = Sim::start().await;
    let r = sim.call(Method::GET, "/v1/nothing-here", None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = sim.call(Method::DELETE, "/v1/sessions", None).await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn times_too_long_for_the_clock_are_refused() {
    let err = Server::builder()
        .token_lifetime(std::time::Duration::MAX)
        .start()
        .await
        .unwrap_err();
    assert!(matches!(err, scribe_sim::Error::Config(_)), "{err}");
    assert!(err.to_string().contains("token_lifetime"), "{err}");
}

#[tokio::test]
async fn non_loopback_addresses_need_the_allow_flag() {
    let err = Server::builder()
        .addr("0.0.0.0:0".parse().unwrap())
        .start()
        .await
        .unwrap_err();
    assert!(
        matches!(err, scribe_sim::Error::NonLoopback { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("allow_non_loopback"));
    let server = Server::builder()
        .addr("0.0.0.0:0".parse().unwrap())
        .allow_non_loopback(true)
        .start()
        .await
        .unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    let taken = server.local_addr().port();
    let err = Server::builder()
        .addr(format!("0.0.0.0:{taken}").parse().unwrap())
        .allow_non_loopback(true)
        .start()
        .await;
    assert!(matches!(err, Err(scribe_sim::Error::Bind { .. })));
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let server = quick().start().await.unwrap();
    let url = format!("{}/.well-known/medscribealliance", server.auth_base_url());
    let http = Http::fresh_connections();
    assert_eq!(http.send(Method::GET, &url, &[], "").await.status, 200);
    server.shutdown().await;
    assert!(http.try_send(Method::GET, &url, &[], "").await.is_err());
}

#[test]
fn a_blocking_server_runs_outside_any_runtime() {
    use std::io::{Read as _, Write as _};
    let server = quick().start_blocking().unwrap();
    let mut stream = std::net::TcpStream::connect(server.local_addr()).unwrap();
    write!(
        stream,
        "GET /.well-known/medscribealliance HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("medscribealliance"));
}

#[tokio::test]
async fn the_protocol_can_be_served_at_the_root() {
    let sim = Sim::with(quick().base_path("")).await;
    assert_eq!(sim.server.base_url(), sim.server.auth_base_url());
    let id = sim.session("transcript_template").await;
    assert_eq!(sim.get(&id).await.status, 202);
    let record = sim
        .server
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.method == "GET")
        .unwrap();
    assert_eq!(
        (record.route, record.session_id.as_deref()),
        (scribe_sim::Route::GetSession, Some(id.as_str()))
    );
    let doc = Http::new()
        .send(
            Method::GET,
            &format!("{}/v1/.well-known/medscribealliance", sim.server.base_url()),
            &[],
            "",
        )
        .await;
    assert_eq!(doc.status, 200);
}
