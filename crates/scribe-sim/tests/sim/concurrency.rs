use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{Sim, quick, wav};

/// 200 sessions uploading at once, each 3 chunks, then ending and
/// long-polling for results. Throughput is printed, not asserted (see the
/// `concurrent_sessions` bench for numbers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_sessions_upload_without_error() {
    const SESSIONS: usize = 200;
    let sim = Arc::new(
        Sim::with(
            quick()
                .processing_delay(Duration::from_millis(50))
                .long_poll_hold(Duration::from_secs(2)),
        )
        .await,
    );
    let chunk = wav(1.0, 16_000);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..SESSIONS {
        let sim = Arc::clone(&sim);
        let chunk = chunk.clone();
        tasks.push(tokio::spawn(async move {
            let id = sim.session("transcript_template").await;
            let names: Vec<String> = (0..3).map(|i| format!("chunk_{i}.wav")).collect();
            let uploads = names
                .iter()
                .map(|name| sim.upload(&id, name, "audio/wav", chunk.clone()));
            for r in futures_util::future::join_all(uploads).await {
                assert_eq!(r.status, 200, "{:?}", r.body);
            }
            assert_eq!(sim.end(&id, 3).await.status, 202);
            let done = sim.wait_final(&id).await;
            assert_eq!(done.status, 200, "{:?}", done.body);
            id
        }));
    }
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.expect("session task"));
    }
    let elapsed = started.elapsed();
    for id in &ids {
        let files = sim.server.files(id).unwrap();
        assert_eq!(files.len(), 3);
        assert!(files.iter().all(|f| f.bytes.as_ref() == chunk.as_slice()));
    }
    let uploads = sim
        .server
        .requests()
        .iter()
        .filter(|r| r.route == scribe_sim::Route::UploadAudio && r.status == Some(200))
        .count();
    assert_eq!(uploads, SESSIONS * 3);
    eprintln!(
        "{SESSIONS} sessions x 3 chunks ({} KiB each) in {elapsed:?}: {:.0} uploads/s",
        chunk.len() / 1024,
        uploads as f64 / elapsed.as_secs_f64()
    );
}
