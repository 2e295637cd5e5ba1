//! Misbehaving servers: injected faults, tokens and sessions that expire.

use scribe::audio::AudioInput;
use scribe::{ErrorKind, ProgressEvent};
use scribe_sim::{FaultKind, FaultRule, Route};

use crate::support::*;

#[tokio::test]
async fn twenty_percent_faults_lose_nothing() {
    let server = start(
        quick_server()
            .fault_seed(7)
            .fault(FaultRule::on(Route::UploadAudio, FaultKind::InternalError).fraction(0.08))
            .fault(FaultRule::on(Route::UploadAudio, FaultKind::ResetAfterBody).fraction(0.06))
            .fault(FaultRule::on(Route::UploadAudio, FaultKind::GatewayHtml).fraction(0.03))
            .fault(
                FaultRule::on(
                    Route::UploadAudio,
                    FaultKind::Unavailable { retry_after: None },
                )
                .fraction(0.03),
            )
            .fault(FaultRule::on(Route::EndSession, FaultKind::ResetAfterBody).fraction(0.2))
            .fault(FaultRule::on(Route::GetSession, FaultKind::InternalError).fraction(0.2))
            .fault(FaultRule::on(Route::CreateSession, FaultKind::ResetBeforeBody).fraction(0.2)),
    )
    .await;
    let client = client_for(&server);
    let (pcm, rate) = long_recording(12);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    let mut faults_seen = 0;
    for _ in 0..3 {
        // The SDK retries the create itself (it always carries an id).
        let session = session_with(client.create_session()).await;
        let summary = session
            .upload_file(wav.clone())
            .await
            .unwrap_or_else(|e| panic!("upload under faults: {e}"));
        assert_eq!(summary.ended_with, Some(expected.len() as u32));
        assert_stored(&server, session.id(), &expected, 0);
        let result = results(&session).await;
        assert!(result.is_complete(), "{:?}", result.status());
        faults_seen += server
            .requests()
            .iter()
            .filter(|r| r.session_id.as_deref() == Some(session.id()) && r.fault.is_some())
            .count();
    }
    assert!(faults_seen >= 3, "the faults were injected ({faults_seen})");
}

#[tokio::test]
async fn tokens_expiring_mid_upload_are_renewed() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let (pcm, rate) = long_recording(8);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    let session = new_session(&client).await;
    let sim = &server;
    let expire = std::sync::Once::new();
    // Expire every token after the first chunk is stored.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    // The callback owns the only sender: the channel closes when the upload
    // is done, which ends the watcher.
    let upload = session
        .upload_file(wav)
        .concurrency(2)
        .on_progress(move |event| {
            let _ = tx.send(event.clone());
        })
        .into_future();
    let watcher = async {
        while let Some(event) = rx.recv().await {
            if matches!(event, ProgressEvent::ChunkUploaded { .. }) {
                expire.call_once(|| sim.expire_tokens());
            }
        }
    };
    let (summary, ()) = tokio::join!(upload, watcher);
    let summary = summary.unwrap_or_else(|e| panic!("upload across token expiry: {e}"));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert!(expire.is_completed());
    assert_stored(&server, session.id(), &expected, 0);
    let refused = server
        .requests()
        .iter()
        .filter(|r| r.status == Some(401))
        .count();
    assert!(refused >= 1, "an expired token was refused at least once");
    let result = results(&session).await;
    assert!(result.is_complete());
}

#[tokio::test]
async fn an_expired_session_is_an_error() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    assert!(server.expire_session(session.id()));
    let err = session
        .wait()
        .await
        .err()
        .unwrap_or_else(|| panic!("expired session gave results"));
    assert!(err.is_expired(), "{err}");
    let got = session.get().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.http_status(), 410);
    assert!(got.is_terminal() && !got.is_complete());
    let err = session
        .upload_file(sample("consultation.wav"))
        .await
        .err()
        .unwrap_or_else(|| panic!("upload to an expired session accepted"));
    assert!(err.is_expired(), "{err}");
}

/// Uploads `consultation.wav` one chunk at a time to a new session on a
/// server refusing the first `refusals` chunk uploads with a 500; returns
/// the server, the session, the outcome and the progress events.
async fn upload_against_refusals(
    refusals: u64,
) -> (
    scribe_sim::Server,
    scribe::Session,
    Result<scribe::UploadSummary, scribe::Error>,
    Vec<ProgressEvent>,
) {
    let server = start(
        quick_server()
            .fault(FaultRule::on(Route::UploadAudio, FaultKind::InternalError).limit(refusals)),
    )
    .await;
    // Attempts bounded by count, not by the retry deadline, so the test
    // can count them.
    let client = builder_for(&server)
        .retry_policy(
            scribe::transport::RetryPolicy::default()
                .max_attempts(5)
                .initial_backoff(std::time::Duration::from_millis(20))
                .max_backoff(std::time::Duration::from_millis(200))
                .until_deadline(false),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let session = new_session(&client).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let outcome = session
        .upload_file(sample("consultation.wav"))
        .concurrency(1)
        .on_progress(move |event| {
            let _ = tx.send(event.clone());
        })
        .await;
    let mut events = Vec::new();
    while let Ok(event) = rx.try_recv() {
        events.push(event);
    }
    (server, session, outcome, events)
}

#[tokio::test]
async fn a_refused_chunk_is_retried_under_the_retry_policy_and_reported() {
    // Three refusals in a row: within the client's five attempts.
    let (server, session, outcome, events) = upload_against_refusals(3).await;
    let summary = outcome.unwrap_or_else(|e| panic!("{e}"));
    let expected = local_chunks(AudioInput::Path(sample("consultation.wav")));
    assert_stored(&server, session.id(), &expected, 0);

    let retries: Vec<(u32, u32)> = events
        .iter()
        .filter_map(|event| match event {
            ProgressEvent::Retry {
                index,
                attempt,
                reason,
                ..
            } => {
                assert!(reason.contains("500"), "{reason}");
                Some((*index, *attempt))
            }
            _ => None,
        })
        .collect();
    // One chunk in flight at a time: the first takes all three refusals.
    assert_eq!(retries, [(0, 2), (0, 3), (0, 4)], "each retry reported");
    assert!(events.contains(&ProgressEvent::ChunkUploaded {
        index: 0,
        bytes: expected[0].wav.len(),
        attempts: 4,
    }));

    let counts = upload_counts(&server, session.id());
    assert_eq!(
        counts.get("chunk_0.wav"),
        Some(&4),
        "three refused, one stored"
    );
    let sent: usize = counts.values().sum();
    assert_eq!(sent, expected.len() + 3, "every other chunk sent once");
    assert_eq!(
        summary.requests as usize, sent,
        "the summary counts every request"
    );
}

#[tokio::test]
async fn a_chunk_refused_for_a_while_is_stored_by_default() {
    // The default policy keeps a chunk trying until the retry deadline, so
    // seven refusals in a row cost time, not the chunk.
    let server = start(
        quick_server().fault(FaultRule::on(Route::UploadAudio, FaultKind::InternalError).limit(7)),
    )
    .await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let summary = session
        .upload_file(sample("consultation.wav"))
        .concurrency(1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let counts = upload_counts(&server, session.id());
    assert_eq!(counts.get("chunk_0.wav"), Some(&8), "{counts:?}");
    assert_eq!(summary.ended_with, Some(summary.next_index));
}

#[tokio::test]
async fn a_chunk_outlasting_the_retry_policy_fails_the_upload() {
    // Seven refusals in a row: more than the policy's five attempts (with
    // `until_deadline(false)`). The retry policy is the only retry layer:
    // the upload gives up.
    let (server, session, outcome, events) = upload_against_refusals(7).await;
    let err = outcome
        .err()
        .unwrap_or_else(|| panic!("an upload refused beyond the retry policy succeeded"));
    assert!(err.is_server(), "{err}");
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status(), Some(500), "{err}");
    assert_eq!(err.attempts(), 5, "{err}");

    let counts = upload_counts(&server, session.id());
    assert_eq!(counts.get("chunk_0.wav"), Some(&5), "{counts:?}");
    assert_eq!(
        counts.values().sum::<usize>(),
        5,
        "nothing else was sent: {counts:?}"
    );
    let retries = events
        .iter()
        .filter(|e| matches!(e, ProgressEvent::Retry { .. }))
        .count();
    assert_eq!(retries, 4, "a Retry event before each of attempts 2 to 5");
    assert!(
        !events.iter().any(|e| matches!(
            e,
            ProgressEvent::ChunkUploaded { .. } | ProgressEvent::Ended { .. }
        )),
        "{events:?}"
    );
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.route != Route::EndSession),
        "a failed upload does not end the session"
    );
}

#[tokio::test]
async fn lost_answers_duplicate_nothing() {
    let server = start(
        quick_server()
            .fault(FaultRule::on(Route::CreateSession, FaultKind::LostAnswer).limit(2))
            .fault(FaultRule::on(Route::UploadAudio, FaultKind::LostAnswer).fraction(0.3))
            .fault(FaultRule::on(Route::EndSession, FaultKind::LostAnswer).limit(1)),
    )
    .await;
    let client = client_for(&server);

    // The SDK gives every create a session id, so a create whose answer is
    // lost is repeated, and the session the lost attempt made is the
    // answer: one session, not two.
    let first = session_with(client.create_session()).await;
    assert_eq!(
        server.sessions().len(),
        1,
        "retried without a second session"
    );
    assert_eq!(first.id().len(), 32, "an id the SDK chose");

    // The same with an id the caller chose.
    let chosen = "visit-2026-11-25-bed-14";
    let session = session_with(client.create_session().session_id(chosen)).await;
    assert_eq!(session.id(), chosen);
    assert_eq!(server.sessions().len(), 2);

    // Chunks and `end` whose answers are lost are stored and counted once.
    let (pcm, rate) = long_recording(4);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    let summary = upload_file(&session, wav).await;
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, session.id(), &expected, 0);
    let lost = server
        .requests()
        .iter()
        .filter(|r| r.fault.as_deref() == Some("lost-answer"))
        .count();
    assert!(lost >= 3, "answers were lost ({lost})");
    let result = results(&session).await;
    assert!(result.is_complete(), "{:?}", result.status());

    // An id already in use by a session that has moved on stays a conflict.
    let err = client
        .create_session()
        .session_id(chosen)
        .await
        .err()
        .unwrap_or_else(|| panic!("a used session id was accepted"));
    assert_eq!(err.status(), Some(409), "{err}");
}
