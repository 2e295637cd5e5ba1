//! Throughput and memory of the simulator under many concurrent sessions.
//!
//! `cargo bench -p scribe-sim --bench concurrent_sessions -- [sessions] [chunks] [seconds]`
//! (defaults: 200 sessions, 3 chunks each, 5 s chunks of 16 kHz mono WAV).
//! Every session is created, uploads its chunks at once, ends and
//! long-polls for results, all sessions concurrently, over loopback HTTP
//! with a plain hyper client. Prints wall time, uploads per second, audio
//! bytes per second and the process's peak resident memory (client and
//! server share the process; the server keeps every upload in memory).

#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::{Method, Request};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use scribe_sim::Server;
use serde_json::{Value, json};

type Http = Client<HttpConnector, Full<Bytes>>;

fn wav(seconds: f64) -> Vec<u8> {
    scribe_sim::wav::tone_file(seconds, 16_000)
}

async fn call(
    http: &Http,
    method: Method,
    url: String,
    headers: &[(&str, &str)],
    body: Bytes,
) -> (u16, Bytes) {
    let mut request = Request::builder().method(method).uri(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let response = http
        .request(request.body(Full::new(body)).expect("request"))
        .await
        .expect("server answers");
    let status = response.status().as_u16();
    (
        status,
        response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes(),
    )
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let arg = |i: usize, default: f64| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
    let sessions = arg(0, 200.0) as usize;
    let chunks = arg(1, 3.0) as usize;
    let seconds = arg(2, 5.0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run(sessions, chunks, seconds));
}

async fn run(sessions: usize, chunks: usize, seconds: f64) {
    let rss_before = peak_rss_kib();
    let server = Server::builder()
        .processing_delay(Duration::from_millis(10))
        .long_poll_hold(Duration::from_secs(5))
        .start()
        .await
        .expect("simulator starts");
    let http: Http = Client::builder(TokioExecutor::new()).build_http();
    let base = server.base_url().to_owned();
    let (_, login) = call(
        &http,
        Method::POST,
        format!("{}/connect-auth/v1/account/login", server.auth_base_url()),
        &[("content-type", "application/json")],
        Bytes::from(
            json!({ "client_id": server.client_id(), "client_secret": server.client_secret() })
                .to_string(),
        ),
    )
    .await;
    let token: Value = serde_json::from_slice(&login).expect("login JSON");
    let bearer = Arc::new(format!(
        "Bearer {}",
        token["access_token"].as_str().expect("token")
    ));
    let chunk = Bytes::from(wav(seconds));

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..sessions {
        let (http, base, bearer, chunk) = (
            http.clone(),
            base.clone(),
            Arc::clone(&bearer),
            chunk.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let auth = [
                ("authorization", bearer.as_str()),
                ("content-type", "application/json"),
            ];
            let body = Bytes::from(json!({ "templates": ["transcript_template"] }).to_string());
            let (status, created) = call(
                &http,
                Method::POST,
                format!("{base}/v1/sessions"),
                &auth,
                body,
            )
            .await;
            assert_eq!(status, 201);
            let created: Value = serde_json::from_slice(&created).expect("JSON");
            let id = created["session_id"].as_str().expect("id").to_owned();
            let uploads = (0..chunks).map(|i| {
                let headers = [
                    ("authorization", bearer.as_str()),
                    ("content-type", "audio/wav"),
                ];
                let url = format!("{base}/v1/sessions/{id}/audio/chunk_{i}.wav");
                let (http, chunk) = (http.clone(), chunk.clone());
                async move { call(&http, Method::POST, url, &headers, chunk).await.0 }
            });
            for status in futures_util::future::join_all(uploads).await {
                assert_eq!(status, 200);
            }
            let body = Bytes::from(json!({ "audio_files_sent": chunks }).to_string());
            assert_eq!(
                call(
                    &http,
                    Method::POST,
                    format!("{base}/v1/sessions/{id}/end"),
                    &auth,
                    body
                )
                .await
                .0,
                202
            );
            loop {
                let (status, _) = call(
                    &http,
                    Method::GET,
                    format!("{base}/v1/sessions/{id}"),
                    &auth,
                    Bytes::new(),
                )
                .await;
                if status != 202 {
                    assert_eq!(status, 200);
                    break;
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("session task");
    }
    let elapsed = started.elapsed();
    let uploads = sessions * chunks;
    let mib = (uploads * chunk.len()) as f64 / (1024.0 * 1024.0);
    println!("scribe-sim concurrent sessions");
    println!(
        "  sessions: {sessions}, chunks each: {chunks}, chunk: {seconds} s / {} KiB WAV",
        chunk.len() / 1024
    );
    println!("  wall time: {elapsed:.2?} (create + upload + end + long-poll to completed)");
    println!(
        "  uploads: {:.0}/s, audio: {:.1} MiB/s ({mib:.1} MiB total)",
        uploads as f64 / elapsed.as_secs_f64(),
        mib / elapsed.as_secs_f64()
    );
    println!("  requests served: {}", server.requests().len());
    if let (Some(before), Some(peak)) = (rss_before, peak_rss_kib()) {
        println!(
            "  peak RSS: {:.1} MiB (before start {:.1} MiB)",
            peak as f64 / 1024.0,
            before as f64 / 1024.0
        );
    }
    server.shutdown().await;
}
