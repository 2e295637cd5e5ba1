//! Results: both dialects, waiting, watching, validation, discovery, templates.

use std::time::Duration;

use futures_util::StreamExt;
use scribe::ErrorKind;
use scribe::protocol::session::SessionStatus;
use scribe_sim::Dialect;

use crate::support::*;

#[tokio::test]
async fn eka_dialect_templates_in_order_with_lookup() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = session_with(
        client
            .create_session()
            .templates(["clinical_notes_template", "transcript_template"]),
    )
    .await;
    upload_file(&session, sample("consultation.wav")).await;
    let result = results(&session).await;
    assert!(result.is_complete() && result.is_terminal());
    assert_eq!(result.http_status(), 200);
    let ids: Vec<&str> = result.templates().map(|(id, _)| id).collect();
    assert_eq!(ids, ["clinical_notes_template", "transcript_template"]);
    assert!(result.template("transcript_template").is_some());
    assert!(result.template("soap").is_none());
    assert!(result.raw()["templates"].is_array(), "Eka sends a list");
    assert!(result.transcript().is_some());
    assert!(
        !format!("{result:?}").contains("simulated"),
        "Debug shows no results"
    );
}

#[tokio::test]
async fn spec_dialect_templates_as_an_object() {
    let server = start(quick_server().dialect(Dialect::Spec)).await;
    let client = client_for(&server);
    let session = session_with(client.create_session().templates(["soap", "medications"])).await;
    upload_file(&session, sample("consultation.flac")).await;
    let result = results(&session).await;
    assert!(result.is_complete());
    assert!(
        result.raw()["templates"].is_object(),
        "the spec sends an object"
    );
    assert!(result.template("soap").is_some_and(|t| t.data.is_some()));
    assert_eq!(result.templates().count(), 2);
}

#[tokio::test]
async fn watch_reports_changes_and_ends_terminal() {
    let server = start(quick_server().processing_delay(Duration::from_millis(400))).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    upload_file(&session, sample("consultation.m4a")).await;
    let updates: Vec<_> = session.watch().collect().await;
    assert!(!updates.is_empty());
    let statuses: Vec<String> = updates
        .iter()
        .map(|u| {
            u.as_ref()
                .map(|r| r.status().to_string())
                .unwrap_or_else(|e| panic!("{e}"))
        })
        .collect();
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("completed"),
        "{statuses:?}"
    );
    assert!(
        statuses
            .windows(2)
            .all(|w| w[0] != w[1] || w[1] == "completed"),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn waiting_gives_up_at_the_timeout_and_respects_the_rate() {
    let server = start(quick_server().long_poll_hold(Duration::from_millis(10))).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    server.clear_requests();
    let started = std::time::Instant::now();
    let err = session
        .wait()
        .interval(Duration::from_millis(200))
        .timeout(Duration::from_millis(900))
        .await
        .err()
        .unwrap_or_else(|| panic!("a session never ended gave results"));
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let gets = server
        .requests()
        .iter()
        .filter(|r| r.route == scribe_sim::Route::GetSession)
        .count();
    assert!(
        (2..=6).contains(&gets),
        "{gets} polls in 0.9 s at one per 0.2 s"
    );
}

#[tokio::test]
async fn invalid_sessions_are_refused_before_sending() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    server.clear_requests();
    let err = client
        .create_session()
        .templates(["a_template", "b_template", "c_template"])
        .await
        .err()
        .unwrap_or_else(|| panic!("three templates accepted"));
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    let err = client
        .create_session()
        .language_hint(["xx"])
        .await
        .err()
        .unwrap_or_else(|| panic!("unknown language accepted"));
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.route != scribe_sim::Route::CreateSession)
    );
}

#[tokio::test]
async fn discovery_is_cached_and_templates_listed() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let first = client.discovery().await.unwrap_or_else(|e| panic!("{e}"));
    let again = client
        .clone()
        .discovery()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(std::sync::Arc::ptr_eq(&first, &again));
    let fetched = server
        .requests()
        .iter()
        .filter(|r| r.route == scribe_sim::Route::Discovery)
        .count();
    assert_eq!(fetched, 1);
    let templates = client.templates().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(templates.contains("clinical_notes_template"));

    // With discovery fetched, a model the server does not offer is refused locally.
    let err = client
        .create_session()
        .model("ultra")
        .await
        .err()
        .unwrap_or_else(|| panic!("unknown model accepted"));
    assert_eq!(err.kind(), ErrorKind::Validation, "{err}");
}

#[tokio::test]
async fn a_server_without_discovery_is_named() {
    let server = start(quick_server().fault(scribe_sim::FaultRule::on(
        scribe_sim::Route::Discovery,
        scribe_sim::FaultKind::EmptyBody { status: 404 },
    )))
    .await;
    let err = client_for(&server)
        .discovery()
        .await
        .err()
        .unwrap_or_else(|| panic!("discovery without a document succeeded"));
    assert!(err.is_not_found(), "{err}");
    assert!(err.hint().is_some_and(|h| h.contains("base_url")), "{err}");
    let tried = server
        .requests()
        .iter()
        .filter(|r| r.route == scribe_sim::Route::Discovery)
        .count();
    assert_eq!(tried, 2, "the Eka path, then the host root");
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error() {
    let server = start(quick_server()).await;
    let client = builder_for(&server)
        .client_credentials(server.client_id(), "not-the-secret")
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = client
        .create_session()
        .await
        .err()
        .unwrap_or_else(|| panic!("wrong secret accepted"));
    assert!(err.is_auth(), "{err}");
    assert!(
        err.hint()
            .is_some_and(|h| h.contains("environment in use (prod")),
        "the hint names the environment in use: {err}"
    );
    assert!(!err.to_string().contains("not-the-secret"));
    assert!(!format!("{err:?}").contains("not-the-secret"));

    let err = scribe::ScribeClient::builder()
        .env_vars(scribe::config::EnvVars::none())
        .working_dir(std::env::temp_dir())
        .build()
        .err()
        .unwrap_or_else(|| panic!("a client without credentials was built"));
    assert!(err.is_auth());
    assert!(err.to_string().contains("SCRIBE_CLIENT_ID"), "{err}");
}

#[tokio::test]
async fn patch_before_end_and_process_template_after() {
    let server = start(quick_server()).await;
    let client = client_for(&server);
    let session = new_session(&client).await;
    let update = scribe::protocol::session::PatchSessionRequest {
        language_hint: Some(vec!["hi".to_owned()]),
        additional_data: Some(serde_json::json!({"visit": "A-1"})),
        ..Default::default()
    };
    let patched = session
        .patch(&update)
        .await
        .unwrap_or_else(|e| panic!("patch: {e}"));
    assert_eq!(patched.session_id.as_deref(), Some(session.id()));
    upload_file(&session, sample("consultation.wav")).await;
    let result = results(&session).await;
    assert_eq!(result.raw()["additional_data"]["visit"], "A-1");

    // A patch after end is refused by the server, with the protocol's code.
    let err = session
        .patch(&update)
        .await
        .err()
        .unwrap_or_else(|| panic!("patch after end accepted"));
    assert!(
        err.status().is_some_and(|s| (400..500).contains(&s)),
        "{err}"
    );

    let processing = session
        .process_template(Some("clinical_notes_template"))
        .await
        .unwrap_or_else(|e| panic!("process template: {e}"));
    assert_eq!(processing.session_id.as_deref(), Some(session.id()));
    assert_eq!(processing.status, Some(SessionStatus::Processing));
    assert_eq!(
        processing.templates.as_deref(),
        Some(&["clinical_notes_template".to_owned()][..])
    );
    let again = results(&session).await;
    assert!(again.template("clinical_notes_template").is_some());
    let one = session
        .get_template("clinical_notes_template")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(one.template("clinical_notes_template").is_some());
}
