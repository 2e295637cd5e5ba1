use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::Method;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use scribe_protocol::webhook::{SIGNATURE_HEADER, verify};
use scribe_sim::WebhookRetry;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::support::{Sim, quick, wav};

/// A delivery as the receiver saw it.
struct Delivery {
    signature: Option<String>,
    body: Bytes,
}

/// A loopback receiver answering 500 to the first `failures` requests, then 200.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<Delivery>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let tx = tx.clone();
                    let seen = Arc::clone(&seen);
                    async move {
                        let signature = request
                            .headers()
                            .get(SIGNATURE_HEADER)
                            .map(|v| v.to_str().unwrap().to_owned());
                        let body = request.into_body().collect().await.unwrap().to_bytes();
                        let _ = tx.send(Delivery { signature, body });
                        let status = if seen.fetch_add(1, Ordering::SeqCst) < failures {
                            500
                        } else {
                            200
                        };
                        Ok::<_, Infallible>(
                            hyper::Response::builder()
                                .status(status)
                                .body(Full::new(Bytes::new()))
                                .unwrap(),
                        )
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Delivery>) -> Delivery {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("a delivery arrives")
        .unwrap()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn register_list_and_delete() {
    let sim = Sim::start().await;
    let r = sim
        .call(Method::POST, "/v1/webhooks", Some(json!({ "url": "http://127.0.0.1:9/hook", "events": ["session.completed"], "secret": "s3cret" })))
        .await;
    assert_eq!(r.status, 201, "{:?}", r.body);
    let created = r.json();
    let id = created["webhook_id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "active");
    assert!(
        created.get("secret").is_none(),
        "the secret is never echoed"
    );
    let list = sim.call(Method::GET, "/v1/webhooks", None).await.json();
    assert_eq!(list["webhooks"].as_array().unwrap().len(), 1);
    assert_eq!(list["webhooks"][0]["webhook_id"], id.as_str());
    assert_eq!(
        sim.call(Method::DELETE, &format!("/v1/webhooks/{id}"), None)
            .await
            .status,
        204
    );
    let r = sim
        .call(Method::DELETE, &format!("/v1/webhooks/{id}"), None)
        .await;
    assert_eq!((r.status, r.code().as_str()), (404, "webhook_not_found"));
    assert!(
        sim.call(Method::GET, "/v1/webhooks", None).await.json()["webhooks"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    for (bad, code) in [
        (
            json!({ "events": ["session.completed"] }),
            "missing_required_field",
        ),
        (
            json!({ "url": "https://example.com/hook", "events": ["session.completed"] }),
            "invalid_request",
        ),
        (
            json!({ "url": "http://10.0.0.1/hook", "events": ["session.completed"] }),
            "invalid_request",
        ),
        (
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["session.exploded"] }),
            "invalid_request",
        ),
        (
            json!({ "url": "http://127.0.0.1:9/hook", "events": [] }),
            "invalid_request",
        ),
        (
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["session.ended"], "colour": 1 }),
            "invalid_request",
        ),
    ] {
        assert_eq!(
            sim.call(Method::POST, "/v1/webhooks", Some(bad.clone()))
                .await
                .code(),
            code,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn every_session_event_is_delivered_signed() {
    let sim = Sim::start().await;
    let (url, mut rx) = receiver(0).await;
    let events = [
        "session.started",
        "session.ended",
        "session.completed",
        "session.expired",
    ];
    let r = sim
        .call(
            Method::POST,
            "/v1/webhooks",
            Some(json!({ "url": url, "events": events, "secret": "whsec_sim" })),
        )
        .await;
    assert_eq!(r.status, 201);
    let id = sim.session("transcript_template").await;
    sim.upload(&id, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    sim.end(&id, 1).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let d = next(&mut rx).await;
        let header = d.signature.expect("signed");
        verify(
            b"whsec_sim",
            &header,
            &d.body,
            now(),
            Duration::from_secs(300),
        )
        .expect("signature verifies");
        assert!(verify(b"wrong", &header, &d.body, now(), Duration::from_secs(300)).is_err());
        let body: Value = serde_json::from_slice(&d.body).unwrap();
        assert_eq!(body["session_id"], id.as_str());
        assert_eq!(
            body.as_object().unwrap().len(),
            3,
            "event, timestamp, session_id only: {body}"
        );
        let event: scribe_protocol::webhook::WebhookEvent =
            serde_json::from_value(body.clone()).unwrap();
        drop(event);
        seen.push(body["event"].as_str().unwrap().to_owned());
    }
    seen.sort();
    assert_eq!(
        seen,
        ["session.completed", "session.ended", "session.started"]
    );
    let other = sim.session("transcript_template").await;
    next(&mut rx).await; // started
    sim.server.expire_session(&other);
    let d = next(&mut rx).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&d.body).unwrap()["event"],
        "session.expired"
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_backoff() {
    let sim = Sim::with(quick().webhook_retry(WebhookRetry {
        attempts: 4,
        initial_backoff: Duration::from_millis(50),
    }))
    .await;
    let (url, mut rx) = receiver(2).await;
    sim.call(
        Method::POST,
        "/v1/webhooks",
        Some(json!({ "url": url, "events": ["session.started"] })),
    )
    .await;
    let id = sim.session("transcript_template").await;
    let bodies: Vec<Bytes> = vec![
        next(&mut rx).await.body,
        next(&mut rx).await.body,
        next(&mut rx).await.body,
    ];
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "the same event each time"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let log: Vec<_> = sim
        .server
        .webhook_deliveries()
        .into_iter()
        .filter(|d| d.session_id == id)
        .collect();
    let attempts: Vec<(u32, Option<u16>)> = log.iter().map(|d| (d.attempt, d.status)).collect();
    assert_eq!(attempts, [(1, Some(500)), (2, Some(500)), (3, Some(200))]);
    assert!(!log[0].signed);
    assert!(
        log[1].at - log[0].at >= Duration::from_millis(45),
        "backoff 50 ms"
    );
    assert!(
        log[2].at - log[1].at >= Duration::from_millis(95),
        "backoff doubles"
    );
    assert!(rx.try_recv().is_err(), "no delivery after success");
}

#[tokio::test]
async fn partial_and_failed_sessions_announce_themselves() {
    let sim = Sim::start().await;
    let (url, mut rx) = receiver(0).await;
    let events = json!(["session.partial", "session.failed"]);
    sim.call(
        Method::POST,
        "/v1/webhooks",
        Some(json!({ "url": url, "events": events })),
    )
    .await;
    let partial = sim.session("transcript_template").await;
    sim.upload(&partial, "chunk_0.wav", "audio/wav", wav(0.2, 16_000))
        .await;
    sim.end(&partial, 5).await;
    let d = next(&mut rx).await;
    assert!(d.signature.is_none(), "no secret, no signature");
    let body: Value = serde_json::from_slice(&d.body).unwrap();
    assert_eq!(
        (body["event"].as_str(), body["session_id"].as_str()),
        (Some("session.partial"), Some(partial.as_str()))
    );
    let failed = sim.session("transcript_template").await;
    sim.end(&failed, 0).await;
    let body: Value = serde_json::from_slice(&next(&mut rx).await.body).unwrap();
    assert_eq!(
        (body["event"].as_str(), body["session_id"].as_str()),
        (Some("session.failed"), Some(failed.as_str()))
    );
}
