//! Misbehaving servers: injected faults, tokens and sessions that expire.

use scribe::SessionOptions;
use scribe::audio::AudioInput;
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
        let s = loop {
            // Creating is not retried by the SDK (it is not idempotent
            // without a client-chosen id); the caller retries.
            match client.create_session(SessionOptions::new()).await {
                Ok(s) => break s,
                Err(e) if e.is_retryable() => continue,
                Err(e) => panic!("create: {e}"),
            }
        };
        let summary = client
            .upload_audio_file(&s.session_id, wav.clone())
            .await
            .unwrap_or_else(|e| panic!("upload under faults: {e}"));
        assert_eq!(summary.ended_with, Some(expected.len() as u32));
        assert_stored(&server, &s.session_id, &expected, 0);
        let result = results(&client, &s.session_id).await;
        assert!(result.is_complete(), "{:?}", result.status());
        faults_seen += server
            .requests()
            .iter()
            .filter(|r| r.session_id.as_deref() == Some(&s.session_id) && r.fault.is_some())
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
    let s = new_session(&client).await;
    let sim = &server;
    let expire = std::sync::Once::new();
    // Expire every token after the first chunk is stored.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let options = scribe::UploadOptions::new()
        .concurrency(2)
        .progress(scribe::Progress::channel(tx));
    let upload = client.upload_audio_file_with(&s.session_id, wav, options);
    let watcher = async {
        while let Some(event) = rx.recv().await {
            if matches!(event, scribe::ProgressEvent::ChunkUploaded { .. }) {
                expire.call_once(|| sim.expire_tokens());
            }
        }
    };
    let (summary, ()) = tokio::join!(upload, watcher);
    let summary = summary.unwrap_or_else(|e| panic!("upload across token expiry: {e}"));
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert!(expire.is_completed());
    assert_stored(&server, &s.session_id, &expected, 0);
    let refused = server
        .requests()
        .iter()
        .filter(|r| r.status == Some(401))
        .count();
    assert!(refused >= 1, "an expired token was refused at least once");
    let result = results(&client, &s.session_id).await;
    assert!(result.is_complete());
}

#[tokio::test]
async fn an_expired_session_is_an_error() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let s = new_session(&client).await;
    assert!(server.expire_session(&s.session_id));
    let err = client
        .wait_for_results(&s.session_id)
        .await
        .err()
        .unwrap_or_else(|| panic!("expired session gave results"));
    assert!(err.is_expired(), "{err}");
    let got = client
        .sessions()
        .get(&s.session_id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got.http_status(), 410);
    assert!(got.is_terminal() && !got.is_complete());
    let err = client
        .upload_audio_file(&s.session_id, sample("consultation.wav"))
        .await
        .err()
        .unwrap_or_else(|| panic!("upload to an expired session accepted"));
    assert!(err.is_expired(), "{err}");
}

#[tokio::test]
async fn a_chunk_outlasting_the_transport_retries_is_tried_again_and_reported() {
    // Seven refusals in a row: more than one round of transport retries.
    let server = start(
        quick_server().fault(FaultRule::on(Route::UploadAudio, FaultKind::InternalError).limit(7)),
    )
    .await;
    let client = client_for(&server);
    let s = new_session(&client).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let summary = client
        .upload_audio_file_with(
            &s.session_id,
            sample("consultation.wav"),
            scribe::UploadOptions::new().progress(scribe::Progress::channel(tx)),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut retries = 0;
    while let Ok(event) = rx.try_recv() {
        if let scribe::ProgressEvent::Retry { reason, .. } = event {
            assert!(reason.contains("500"), "{reason}");
            retries += 1;
        }
    }
    assert!(retries >= 1, "a Retry event was reported");
    assert_eq!(summary.requests, 8, "seven refused, one stored");
    let expected = local_chunks(AudioInput::Path(sample("consultation.wav")));
    assert_stored(&server, &s.session_id, &expected, 0);
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

    // Without a client-chosen id a create is sent once: its answer is lost,
    // and the one session it made is the only one.
    let err = client
        .create_session(SessionOptions::new())
        .await
        .err()
        .unwrap_or_else(|| panic!("a create whose answer was lost succeeded"));
    assert!(err.is_server(), "{err}");
    assert_eq!(server.sessions().len(), 1, "sent once, not retried");

    // With one, it is repeated, and the session the lost attempt made is
    // the answer.
    let chosen = "visit-2026-11-25-bed-14";
    let s = session_with(&client, SessionOptions::new().session_id(chosen)).await;
    assert_eq!(s.session_id, chosen);
    assert_eq!(server.sessions().len(), 2);

    // Chunks and `end` whose answers are lost are stored and counted once.
    let (pcm, rate) = long_recording(4);
    let wav = wav_file(&pcm, rate);
    let expected = local_chunks(AudioInput::Bytes(wav.clone()));
    let summary = upload_file(&client, &s.session_id, wav).await;
    assert_eq!(summary.ended_with, Some(expected.len() as u32));
    assert_stored(&server, &s.session_id, &expected, 0);
    let lost = server
        .requests()
        .iter()
        .filter(|r| r.fault.as_deref() == Some("lost-answer"))
        .count();
    assert!(lost >= 3, "answers were lost ({lost})");
    let result = results(&client, &s.session_id).await;
    assert!(result.is_complete(), "{:?}", result.status());

    // An id already in use by a session that has moved on stays a conflict.
    let err = client
        .create_session(SessionOptions::new().session_id(chosen))
        .await
        .err()
        .unwrap_or_else(|| panic!("a used session id was accepted"));
    assert_eq!(err.status(), Some(409), "{err}");
}
