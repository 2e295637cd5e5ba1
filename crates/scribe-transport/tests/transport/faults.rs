//! Retries against injected faults: what is survived, what is reported once,
//! and the spacing `Retry-After` asks for (read from the simulator's log).

use std::time::{Duration, Instant};

use scribe_sim::{FaultKind, FaultRule, Route};
use scribe_transport::{ErrorKind, Request, RetryPolicy, TransportConfig};

use crate::support::*;

/// Two faulted answers, then success on the third attempt of the same GET.
async fn survives(kind: FaultKind, hits: u64) {
    let server = sim(vec![FaultRule::on(Route::Templates, kind).limit(hits)]).await;
    let http = client(
        &server,
        TransportConfig::default()
            .retry(fast_retries())
            .request_timeout(Duration::from_millis(700)),
    );
    let answer = http
        .send(templates(&server))
        .await
        .unwrap_or_else(|e| panic!("{kind:?} was not survived: {e}"));
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.attempts() as u64, hits + 1, "{kind:?}");
    let body: serde_json::Value = answer.json().unwrap();
    assert!(body["templates"].is_array());

    let log = logged(&server, Route::Templates);
    assert_eq!(log.len() as u64, hits + 1, "{kind:?}: {log:?}");
    assert!(
        log[..hits as usize].iter().all(|r| r.fault.is_some()),
        "{log:?}"
    );
    assert!(log[hits as usize].fault.is_none());
    assert_eq!(log[hits as usize].status, Some(200));
}

#[tokio::test]
async fn internal_error_500_is_survived() {
    survives(FaultKind::InternalError, 2).await;
}

#[tokio::test]
async fn unavailable_503_is_survived() {
    survives(FaultKind::Unavailable { retry_after: None }, 2).await;
}

#[tokio::test]
async fn rate_limited_429_is_survived() {
    survives(
        FaultKind::RateLimited {
            retry_after: Duration::from_secs(1),
        },
        1,
    )
    .await;
}

#[tokio::test]
async fn reset_before_body_is_survived() {
    survives(FaultKind::ResetBeforeBody, 2).await;
}

#[tokio::test]
async fn reset_after_body_is_survived() {
    survives(FaultKind::ResetAfterBody, 2).await;
}

#[tokio::test]
async fn html_gateway_502_is_survived() {
    survives(FaultKind::GatewayHtml, 2).await;
}

#[tokio::test]
async fn slow_answer_beyond_the_attempt_timeout_is_survived() {
    survives(FaultKind::Slow(Duration::from_secs(3)), 2).await;
}

#[tokio::test]
async fn idempotent_upload_is_retried_after_a_reset_and_stored_once() {
    let server = sim(vec![
        FaultRule::on(Route::UploadAudio, FaultKind::ResetAfterBody).limit(1),
    ])
    .await;
    let http = default_client(&server);
    let created = create_session(&http, &server, false).await;
    let id = created["session_id"].as_str().unwrap();
    let wav = wav_tone(1.0);
    let upload = Request::post(format!(
        "{}/v1/sessions/{id}/audio/chunk_0.wav",
        server.base_url()
    ))
    .path_template("/v1/sessions/{id}/audio/{file}")
    .body(wav.clone(), "audio/wav")
    .unwrap()
    .idempotent(true);
    let answer = http.send(upload).await.expect("upload survives one reset");
    assert_eq!(answer.attempts(), 2);
    let files = server.files(id).expect("session known");
    assert_eq!(files.len(), 1, "one stored file");
    assert_eq!(
        files[0].bytes.as_ref() as &[u8],
        &wav[..],
        "stored bytes equal sent bytes"
    );
}

#[tokio::test]
async fn non_idempotent_post_is_sent_once_and_reported_with_its_kind() {
    let server = sim(vec![
        FaultRule::on(
            Route::CreateSession,
            FaultKind::Unavailable { retry_after: None },
        )
        .limit(1),
    ])
    .await;
    let http = default_client(&server);
    let request = Request::post(format!("{}/v1/sessions", server.base_url()))
        .path_template("/v1/sessions")
        .json(&serde_json::json!({ "templates": ["clinical_notes_template"] }))
        .unwrap();
    let err = http.send(request).await.expect_err("503 reported");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.status(), Some(503));
    assert!(
        err.is_retryable(),
        "the caller may retry; the transport did not"
    );
    assert_eq!(err.attempts(), 1);
    assert_eq!(logged(&server, Route::CreateSession).len(), 1);
}

#[tokio::test]
async fn non_retryable_answer_is_reported_once() {
    let server = sim(vec![]).await;
    let http = default_client(&server);
    let request = Request::get(format!(
        "{}/v1/sessions/ses_doesnotexist000000",
        server.base_url()
    ))
    .path_template("/v1/sessions/{id}");
    let err = http.send(request).await.expect_err("unknown session");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code().map(|c| c.as_str()), Some("session_not_found"));
    assert!(!err.is_retryable());
    assert_eq!(logged(&server, Route::GetSession).len(), 1);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = sim(vec![
        FaultRule::on(
            Route::Templates,
            FaultKind::RateLimited {
                retry_after: Duration::from_secs(1),
            },
        )
        .limit(1),
        FaultRule::on(
            Route::Templates,
            FaultKind::Unavailable {
                retry_after: Some(Duration::from_secs(1)),
            },
        )
        .limit(1),
    ])
    .await;
    let http = default_client(&server);
    http.send(templates(&server)).await.expect("survived");
    let log = logged(&server, Route::Templates);
    assert_eq!(log.len(), 3, "{log:?}");
    assert_eq!(log[0].retry_after_seconds, Some(1));
    assert_eq!(log[1].retry_after_seconds, Some(1));
    for pair in log.windows(2) {
        let gap = pair[1].at - pair[0].at;
        // The backoff alone would be at most 100 ms here.
        assert!(
            gap >= Duration::from_secs(1),
            "retried after {gap:?} despite Retry-After: 1"
        );
        assert!(gap < Duration::from_secs(3), "waited {gap:?}");
    }
}

#[tokio::test]
async fn retry_after_beyond_the_policy_limit_is_reported_at_once() {
    let server = sim(vec![FaultRule::on(
        Route::Templates,
        FaultKind::RateLimited {
            retry_after: Duration::from_secs(30),
        },
    )])
    .await;
    let http = client(
        &server,
        TransportConfig::default().retry(fast_retries().max_retry_after(Duration::from_secs(5))),
    );
    let err = http.send(templates(&server)).await.expect_err("429");
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert_eq!(logged(&server, Route::Templates).len(), 1);
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = sim(vec![FaultRule::on(
        Route::Templates,
        FaultKind::InternalError,
    )])
    .await;
    let http = client(
        &server,
        TransportConfig::default().retry(fast_retries().max_attempts(3)),
    );
    let err = http.send(templates(&server)).await.expect_err("always 500");
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(logged(&server, Route::Templates).len(), 3);
}

#[tokio::test]
async fn the_overall_deadline_bounds_retries_and_slow_answers() {
    let server = sim(vec![FaultRule::on(
        Route::Templates,
        FaultKind::Slow(Duration::from_secs(5)),
    )])
    .await;
    let http = client(
        &server,
        TransportConfig::default()
            .retry(RetryPolicy::default())
            .request_timeout(Duration::from_secs(10)),
    );
    let started = Instant::now();
    let err = http
        .send(templates(&server).timeout(Duration::from_millis(600)))
        .await
        .expect_err("deadline");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
