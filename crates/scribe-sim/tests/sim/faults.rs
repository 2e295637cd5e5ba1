use std::time::Duration;

use hyper::Method;
use scribe_sim::{FaultKind, FaultRule, Route};

use crate::support::{Http, Sim, quick, wav};

#[tokio::test]
async fn status_faults_answer_in_the_envelope_with_retry_after() {
    let sim = Sim::with(
        quick()
            .fault(FaultRule::on(Route::Templates, FaultKind::InternalError).limit(1))
            .fault(
                FaultRule::on(
                    Route::Templates,
                    FaultKind::Unavailable {
                        retry_after: Some(Duration::from_secs(2)),
                    },
                )
                .limit(1),
            )
            .fault(
                FaultRule::on(
                    Route::Templates,
                    FaultKind::RateLimited {
                        retry_after: Duration::from_secs(1),
                    },
                )
                .limit(1),
            )
            .fault(FaultRule::on(Route::Templates, FaultKind::GatewayHtml).limit(1)),
    )
    .await;
    let answers = [
        sim.call(Method::GET, "/v1/templates", None).await,
        sim.call(Method::GET, "/v1/templates", None).await,
        sim.call(Method::GET, "/v1/templates", None).await,
        sim.call(Method::GET, "/v1/templates", None).await,
        sim.call(Method::GET, "/v1/templates", None).await,
    ];
    assert_eq!(
        (answers[0].status, answers[0].code().as_str()),
        (500, "internal_error")
    );
    assert_eq!(
        (answers[1].status, answers[1].code().as_str()),
        (503, "service_unavailable")
    );
    assert_eq!(answers[1].headers["retry-after"], "2");
    assert_eq!(
        (answers[2].status, answers[2].code().as_str()),
        (429, "rate_limit_exceeded")
    );
    assert_eq!(answers[2].headers["retry-after"], "1");
    assert_eq!(answers[3].status, 502);
    assert!(
        answers[3].headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(String::from_utf8_lossy(&answers[3].body).contains("502 Bad Gateway"));
    assert_eq!(answers[4].status, 200, "limits reached: normal service");

    let log: Vec<_> = sim
        .server
        .requests()
        .into_iter()
        .filter(|r| r.route == Route::Templates)
        .collect();
    // (status, fault, attempt, retry_after_seconds)
    type Seen<'a> = (Option<u16>, Option<&'a str>, u32, Option<u64>);
    let seen: Vec<Seen<'_>> = log
        .iter()
        .map(|r| {
            (
                r.status,
                r.fault.as_deref(),
                r.attempt,
                r.retry_after_seconds,
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (Some(500), Some("500"), 1, None),
            (Some(503), Some("503"), 2, Some(2)),
            (Some(429), Some("429"), 3, Some(1)),
            (Some(502), Some("gateway-html"), 4, None),
            (Some(200), None, 5, None),
        ]
    );
}

#[tokio::test]
async fn resets_before_the_body_drop_the_connection_without_an_answer() {
    let sim = Sim::with(
        quick().fault(FaultRule::on(Route::UploadAudio, FaultKind::ResetBeforeBody).limit(1)),
    )
    .await;
    let id = sim.session("transcript_template").await;
    let http = Http::fresh_connections();
    let bearer = sim.bearer();
    let url = sim.url(&format!("/v1/sessions/{id}/audio/chunk_0.wav"));
    let headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "audio/wav"),
    ];
    let err = http
        .try_send(Method::POST, &url, &headers, wav(0.5, 16_000))
        .await
        .unwrap_err();
    assert!(
        err.is_connect()
            || err.to_string().contains("connection")
            || std::error::Error::source(&err).is_some(),
        "{err}"
    );
    assert!(sim.server.files(&id).unwrap().is_empty());
    let retry = http
        .send(Method::POST, &url, &headers, wav(0.5, 16_000))
        .await;
    assert_eq!(retry.status, 200, "the retry is served");
    let uploads: Vec<_> = sim
        .server
        .requests()
        .into_iter()
        .filter(|r| r.route == Route::UploadAudio)
        .collect();
    assert_eq!(uploads[0].status, None, "reset: no status");
    assert_eq!(uploads[0].fault.as_deref(), Some("reset-before-body"));
    assert_eq!((uploads[1].status, uploads[1].attempt), (Some(200), 2));
}

#[tokio::test]
async fn resets_after_the_body_read_it_all_and_store_nothing() {
    let sim = Sim::with(
        quick().fault(FaultRule::on(Route::UploadAudio, FaultKind::ResetAfterBody).limit(1)),
    )
    .await;
    let id = sim.session("transcript_template").await;
    let http = Http::fresh_connections();
    let bearer = sim.bearer();
    let url = sim.url(&format!("/v1/sessions/{id}/audio/chunk_0.wav"));
    let headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "audio/wav"),
    ];
    assert!(
        http.try_send(Method::POST, &url, &headers, wav(2.0, 16_000))
            .await
            .is_err()
    );
    assert!(
        sim.server.files(&id).unwrap().is_empty(),
        "the upload was read but not stored"
    );
    assert_eq!(
        http.send(Method::POST, &url, &headers, wav(2.0, 16_000))
            .await
            .status,
        200
    );
    assert_eq!(sim.server.files(&id).unwrap().len(), 1);
}

#[tokio::test]
async fn lost_answers_keep_the_side_effect() {
    let sim =
        Sim::with(quick().fault(FaultRule::on(Route::UploadAudio, FaultKind::LostAnswer).limit(1)))
            .await;
    let id = sim.session("transcript_template").await;
    let http = Http::fresh_connections();
    let bearer = sim.bearer();
    let url = sim.url(&format!("/v1/sessions/{id}/audio/chunk_0.wav"));
    let headers = [
        ("authorization", bearer.as_str()),
        ("content-type", "audio/wav"),
    ];
    let bytes = wav(0.5, 16_000);
    assert!(
        http.try_send(Method::POST, &url, &headers, bytes.clone())
            .await
            .is_err(),
        "no answer arrives"
    );
    let files = sim.server.files(&id).unwrap();
    assert_eq!(files.len(), 1, "the upload was stored all the same");
    assert_eq!(files[0].bytes.as_ref(), bytes.as_slice());
    let log = sim.server.requests();
    let upload = log.iter().find(|r| r.route == Route::UploadAudio).unwrap();
    assert_eq!(upload.fault.as_deref(), Some("lost-answer"));
    assert_eq!(upload.status, None, "reset: no status");
}

#[tokio::test]
async fn slow_answers_arrive_after_the_delay() {
    let sim = Sim::with(quick().fault(FaultRule::on(
        Route::Templates,
        FaultKind::Slow(Duration::from_millis(300)),
    )))
    .await;
    let started = std::time::Instant::now();
    assert_eq!(
        sim.call(Method::GET, "/v1/templates", None).await.status,
        200
    );
    assert!(started.elapsed() >= Duration::from_millis(300));
    let record = sim
        .server
        .requests()
        .into_iter()
        .find(|r| r.route == Route::Templates)
        .unwrap();
    assert_eq!(record.fault.as_deref(), Some("slow:300ms"));
    assert!(record.elapsed.unwrap() >= Duration::from_millis(300));
}

#[tokio::test]
async fn fractions_are_deterministic_for_a_seed() {
    async fn pattern(seed: u64) -> Vec<u16> {
        let sim = Sim::with(
            quick().fault_seed(seed).fault(
                FaultRule::on(
                    Route::Templates,
                    FaultKind::Unavailable { retry_after: None },
                )
                .fraction(0.4),
            ),
        )
        .await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(sim.call(Method::GET, "/v1/templates", None).await.status);
        }
        statuses
    }
    let a = pattern(11).await;
    assert_eq!(a, pattern(11).await, "same seed, same pattern");
    assert_ne!(a, pattern(12).await, "another seed, another pattern");
    let failures = a.iter().filter(|s| **s == 503).count();
    assert!((5..=28).contains(&failures), "about 40% of 40: {failures}");
    assert!(a.iter().all(|s| *s == 503 || *s == 200));
}

#[tokio::test]
async fn everywhere_rules_spare_inspection_and_parse_from_flags() {
    let rule: FaultRule = "any=500#2".parse().unwrap();
    let server = quick().fault(rule).start().await.unwrap();
    let http = Http::new();
    let root = server.auth_base_url().to_owned();
    let discovery = format!("{root}/.well-known/medscribealliance");
    let inspect = http
        .send(Method::GET, &format!("{root}/_sim/requests"), &[], "")
        .await;
    assert_eq!(inspect.status, 200, "inspection is never faulted");
    let login = http
        .send(
            Method::POST,
            &format!("{root}/connect-auth/v1/account/login"),
            &[],
            "{}",
        )
        .await;
    assert_eq!(login.code(), "internal_error");
    assert_eq!(
        http.send(Method::GET, &discovery, &[], "").await.code(),
        "internal_error"
    );
    assert_eq!(
        http.send(Method::GET, &discovery, &[], "").await.status,
        200,
        "limit of 2 reached"
    );
    let routes: Vec<Route> = server.requests().iter().map(|r| r.route).collect();
    assert_eq!(
        routes,
        [
            Route::Inspect,
            Route::Login,
            Route::Discovery,
            Route::Discovery
        ]
    );
}

#[tokio::test]
async fn empty_and_fastapi_bodies_stand_in_for_other_servers() {
    let sim = Sim::with(
        quick()
            .fault("templates=empty:504#1".parse().unwrap())
            .fault("templates=detail#1".parse().unwrap()),
    )
    .await;
    let empty = sim.call(Method::GET, "/v1/templates", None).await;
    assert_eq!((empty.status, empty.body.len()), (504, 0));
    let detail = sim.call(Method::GET, "/v1/templates", None).await;
    assert_eq!(detail.status, 422);
    assert!(detail.json()["detail"][0]["msg"].is_string());
    let parsed = scribe_protocol::error::ApiError::from_response(detail.status, &detail.body);
    assert_eq!(parsed.status, 422);
    assert_eq!(
        sim.call(Method::GET, "/v1/templates", None).await.status,
        200
    );
    assert!("get=empty:200".parse::<FaultRule>().is_err());
}
