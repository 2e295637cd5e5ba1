//! Riding out what a fault soak found: creates that fail on the way, an
//! outage after the audio is up, token storms, stalled connections.

use std::time::Duration;

use scribe::ProgressEvent;
use scribe::audio::AudioInput;
use scribe_sim::{FaultKind, FaultRule, Route};

use crate::support::*;

#[tokio::test]
async fn a_create_that_fails_on_the_way_is_retried_without_a_second_session() {
    let server = start(
        quick_server()
            .fault(FaultRule::on(Route::CreateSession, FaultKind::ResetBeforeBody).limit(1))
            .fault(
                FaultRule::on(
                    Route::CreateSession,
                    FaultKind::Unavailable { retry_after: None },
                )
                .limit(1),
            )
            .fault(FaultRule::on(Route::CreateSession, FaultKind::LostAnswer).limit(1)),
    )
    .await;
    let client = client_for(&server);
    let session = session_with(client.create_session()).await;
    assert_eq!(server.sessions().len(), 1, "exactly one session");
    let creates: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.route == Route::CreateSession)
        .collect();
    assert!(
        creates.len() >= 4,
        "three failures, then the answer ({})",
        creates.len()
    );
    assert_eq!(
        server.sessions()[0].session_id,
        session.id(),
        "the session the lost answer made is the one returned"
    );
}

#[tokio::test]
async fn a_minute_of_gateway_errors_after_the_last_chunk_loses_nothing() {
    let server = start(quick_server()).await;
    let client = builder_for(&server)
        .poll_timeout(Duration::from_secs(240))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let session = new_session(&client).await;
    let (pcm, rate) = long_recording(3);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    let sim = server.controls();
    let summary = session
        .upload_file(wav)
        .on_progress(move |event| {
            if matches!(event, ProgressEvent::AudioComplete { .. }) {
                // Every request now gets a gateway's 502 for a minute.
                sim.outage(Duration::from_secs(60));
            }
        })
        .await
        .unwrap_or_else(|e| panic!("end across the outage: {e}"));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    let result = results(&session).await;
    assert!(result.is_complete(), "{:?}", result.status());
    assert_stored(&server, session.id(), &expected, 0);
    let refused = server
        .requests()
        .iter()
        .filter(|r| r.fault.as_deref() == Some("gateway-html"))
        .count();
    assert!(
        refused >= 10,
        "the outage was real ({refused} answers of 502)"
    );
}

#[tokio::test]
async fn a_token_storm_does_not_stop_an_upload() {
    // Tokens live half a second, and every token issued so far is revoked
    // every 25 ms: a request's fresh token is often refused too.
    let server = start(quick_server().token_lifetime(Duration::from_millis(500))).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let (pcm, rate) = long_recording(6);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    let storm = server.controls();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stopped = std::sync::Arc::clone(&stop);
    let revoker = tokio::spawn(async move {
        while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
            storm.expire_tokens();
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    });
    let summary = session.upload_file(wav).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let _ = revoker.await;
    let summary = summary.unwrap_or_else(|e| panic!("upload in a token storm: {e}"));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, session.id(), &expected, 0);
    let refused = server
        .requests()
        .iter()
        .filter(|r| r.status == Some(401))
        .count();
    assert!(refused >= 1, "tokens were refused ({refused})");
    assert!(results(&session).await.is_complete());
}

#[tokio::test]
async fn a_stalled_answer_fails_at_the_idle_timeout_and_is_retried() {
    let server = start(
        quick_server().fault(FaultRule::on(Route::UploadAudio, FaultKind::StallBody).limit(2)),
    )
    .await;
    // A generous request timeout: only the idle timeout can end a stall soon.
    let client = builder_for(&server)
        .request_timeout(Duration::from_secs(120))
        .idle_timeout(Duration::from_millis(500))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let session = new_session(&client).await;
    let upload = session
        .upload_file(sample("consultation.wav"))
        .concurrency(1);
    let summary = tokio::time::timeout(Duration::from_secs(60), upload)
        .await
        .unwrap_or_else(|_| panic!("a stalled connection held the upload"))
        .unwrap_or_else(|e| panic!("{e}"));
    let expected = local_chunks(AudioInput::Path(sample("consultation.wav")));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, session.id(), &expected, 0);
    let counts = upload_counts(&server, session.id());
    assert_eq!(
        counts.get("chunk_0.wav"),
        Some(&3),
        "two stalls, then stored: {counts:?}"
    );
}
