//! Reading session bodies: both template shapes, unknown values, nulls,
//! strict writing of requests, and Debug output free of patient data.

use scribe_protocol::catalogue::{CommunicationProtocol, Model, SessionMode, UploadType};
use scribe_protocol::error::ErrorCode;
use scribe_protocol::session::{
    CreateSessionRequest, CreateSessionResponse, EndSessionRequest, SessionResponse, SessionStatus,
    TemplateError, TemplateErrorCode, TemplateResult, TemplateStatus, Templates, TemplatesShape,
    TranscriptLanguage,
};
use scribe_protocol::stream::{StreamEvent, StreamFrame};
use serde_json::{Value, json};

use crate::fixtures::fixture;

fn session(name: &str) -> SessionResponse {
    let status: u16 = name[..3].parse().expect("status prefix");
    SessionResponse::from_http(status, fixture("session", name).as_bytes()).expect(name)
}

#[test]
fn eka_list_shape_keeps_order_and_repeated_ids() {
    let s = session("200_completed_eka.json");
    assert_eq!(s.status, SessionStatus::Completed);
    assert_eq!(s.model_used, Some(Model::Pro));
    let templates = s.templates.as_ref().expect("templates");
    assert_eq!(templates.shape(), TemplatesShape::List);
    let ids: Vec<&str> = templates.iter().map(|(id, _)| id).collect();
    assert_eq!(
        ids,
        [
            "clinical_notes_template",
            "clinical_notes_template",
            "transcript_template"
        ]
    );
    assert_eq!(
        templates.ids(),
        ["clinical_notes_template", "transcript_template"]
    );
    let notes: Vec<&TemplateResult> = templates.get_all("clinical_notes_template").collect();
    assert_eq!(notes.len(), 2);
    assert_eq!(
        notes[1].data.as_ref().unwrap()["chief_complaint"],
        "follow-up for blood pressure"
    );
    assert_eq!(templates.get("clinical_notes_template"), Some(notes[0]));
    assert!(templates.get("soap").is_none());
    assert!(templates.all_finished());
    // `"error": null` reads as no error and is written back as null.
    assert!(notes[0].error.is_none());
    assert_eq!(notes[0].extra.get("error"), Some(&Value::Null));
    assert_eq!(
        s.created_at.as_ref().and_then(|t| t.unix_seconds()),
        Some(1_741_000_000)
    );
    assert_eq!(s.transcript().map(|t| t.starts_with("Doctor:")), Some(true));
}

#[test]
fn spec_object_shape_reads_into_the_same_list() {
    let s = session("200_completed_spec.json");
    let templates = s.templates.as_ref().expect("templates");
    assert_eq!(templates.shape(), TemplatesShape::Object);
    assert_eq!(templates.ids(), ["soap", "medications"]);
    assert!(
        templates
            .get("medications")
            .unwrap()
            .data
            .as_ref()
            .unwrap()
            .is_array()
    );
    assert_eq!(
        templates.get("soap").unwrap().status,
        TemplateStatus::Success
    );
}

#[test]
fn partial_and_expired_bodies_carry_their_extras() {
    let partial = session("206_partial_spec.json");
    assert_eq!(partial.http_status, 206);
    assert_eq!(partial.audio_files_processed, Some(2));
    let errors = partial
        .processing_errors
        .as_ref()
        .expect("processing_errors");
    assert_eq!(errors[0].kind, "audio_file_skipped");
    assert_eq!(errors[0].file.as_deref(), Some("audio_2.webm"));
    assert_eq!(errors[1].file, None);
    assert!(partial.completed_at.is_none());
    let vitals = partial.templates.as_ref().unwrap().get("vitals").unwrap();
    assert_eq!(
        vitals.error.as_ref().and_then(TemplateError::code),
        Some(&TemplateErrorCode::ExtractionFailed)
    );

    let expired = session("410_expired_spec.json");
    assert_eq!(expired.status, SessionStatus::Expired);
    assert!(expired.expired_at.is_some());
    assert!(expired.transcript.is_none());
    assert!(expired.templates.as_ref().unwrap().is_empty());
    assert_eq!(
        expired.message.as_deref(),
        Some("Session expired before processing was initiated")
    );
}

#[test]
fn failed_sessions_and_both_template_error_forms() {
    let eka = session("200_failed_eka.json");
    assert_eq!(eka.status, SessionStatus::Failed);
    assert_eq!(
        eka.error.as_ref().map(|e| &e.code),
        Some(&ErrorCode::AudioTooShort)
    );
    let notes = eka
        .templates
        .as_ref()
        .unwrap()
        .get("clinical_notes_template")
        .unwrap();
    assert_eq!(
        notes.error.as_ref().unwrap().code(),
        Some(&TemplateErrorCode::InsufficientAudio)
    );

    let spec = session("200_failed_string_template_error.json");
    let hpi = spec.templates.as_ref().unwrap().get("hpi").unwrap();
    match hpi.error.as_ref().unwrap() {
        TemplateError::Message(message) => assert_eq!(message, "Extraction timed out"),
        other => panic!("expected a string error, got {other:?}"),
    }
    assert_eq!(hpi.error.as_ref().unwrap().code(), None);
}

#[test]
fn unknown_values_are_kept_not_rejected() {
    let s = session("202_unknown_status_and_fields.json");
    assert_eq!(s.status, SessionStatus::Other("diarizing".into()));
    assert!(!s.status.is_known());
    assert!(
        !s.is_terminal(),
        "an unknown state keeps the client polling"
    );
    assert_eq!(s.model_used, Some(Model::Other("pro-2026".into())));
    assert_eq!(s.extra["progress"]["stage"], 3);
    let soap = s.templates.as_ref().unwrap().get("soap").unwrap();
    assert_eq!(soap.status.as_str(), "queued");
    assert_eq!(soap.extra["attempt"], 2);

    let request: CreateSessionRequest =
        serde_json::from_str(&fixture("create_request", "unknown_fields_and_values.json")).unwrap();
    assert_eq!(
        request.session_mode,
        Some(SessionMode::Other("group_visit".into()))
    );
    assert_eq!(request.extra["priority"], "high");
}

#[test]
fn a_field_set_after_an_explicit_null_is_written_once() {
    let mut s = session("410_expired_spec.json");
    assert_eq!(s.extra.get("transcript"), Some(&Value::Null));
    s.transcript = Some(json!("late transcript"));
    let text = serde_json::to_string(&s).unwrap();
    assert_eq!(text.matches("\"transcript\"").count(), 1, "{text}");
    let written: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(written["transcript"], "late transcript");
}

#[test]
fn requests_omit_unset_fields_and_write_documented_strings() {
    assert_eq!(
        serde_json::to_value(CreateSessionRequest::new(["soap"])).unwrap(),
        json!({"templates": ["soap"]})
    );
    let mut request = CreateSessionRequest::new(["clinical_notes_template", "transcript_template"]);
    request.upload_type = Some(UploadType::Stream);
    request.communication_protocol = Some(CommunicationProtocol::Websocket);
    request.session_mode = Some(SessionMode::Consultation);
    request.model = Some(Model::Lite);
    request.transcript_language = Some(TranscriptLanguage::from("en"));
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        json!({
            "templates": ["clinical_notes_template", "transcript_template"],
            "upload_type": "stream",
            "communication_protocol": "websocket",
            "session_mode": "consultation",
            "model": "lite",
            "transcript_language": "en"
        })
    );
    assert_eq!(
        serde_json::to_value(EndSessionRequest::new(4)).unwrap(),
        json!({"audio_files_sent": 4})
    );
    for status in SessionStatus::KNOWN {
        assert_eq!(
            serde_json::to_value(status).unwrap(),
            json!(status.as_str())
        );
        assert_eq!(SessionStatus::parse(status.as_str()), *status);
    }
}

#[test]
fn templates_built_in_code_write_either_shape() {
    let mut templates = Templates::new(TemplatesShape::List);
    templates.push("soap", TemplateResult::success(json!({"plan": "rest"})));
    templates.push(
        "vitals",
        TemplateResult::failed(TemplateErrorCode::Timeout, "slow"),
    );
    let list = serde_json::to_value(&templates).unwrap();
    assert_eq!(
        list,
        json!([
            {"soap": {"status": "success", "data": {"plan": "rest"}}},
            {"vitals": {"status": "failed", "error": {"code": "timeout", "message": "slow"}}}
        ])
    );
    templates.set_shape(TemplatesShape::Object);
    let object = serde_json::to_value(&templates).unwrap();
    assert_eq!(object["vitals"]["error"]["code"], "timeout");
    let back: Templates = serde_json::from_value(object).unwrap();
    assert_eq!(back, templates);
}

#[test]
fn malformed_bodies_fail_with_a_reason() {
    let missing_id = SessionResponse::from_http(200, br#"{"status":"completed"}"#).unwrap_err();
    assert!(
        missing_id.to_string().contains("session_id"),
        "{missing_id}"
    );
    let bad_templates = SessionResponse::from_http(
        200,
        br#"{"session_id":"s","status":"completed","templates":[{}]}"#,
    );
    assert!(bad_templates.is_err());
    let bad_time =
        serde_json::from_str::<CreateSessionResponse>(r#"{"session_id":"s","created_at":true}"#)
            .unwrap_err();
    assert!(bad_time.to_string().contains("timestamp"), "{bad_time}");
}

#[test]
fn debug_output_never_shows_patient_data_or_secrets() {
    let s = session("200_completed_eka.json");
    let debug = format!("{s:?}");
    for secret in [
        "dry cough",
        "Test Patient",
        "enc_7731",
        "steam inhalation",
        "What brings you in",
    ] {
        assert!(!debug.contains(secret), "Debug leaks {secret:?}: {debug}");
    }
    assert!(debug.contains("b7f1c2d4e5a6478899aa00bbccddeeff"));

    let request: CreateSessionRequest =
        serde_json::from_str(&fixture("create_request", "eka_full.json")).unwrap();
    let debug = format!("{request:?}");
    assert!(
        !debug.contains("Test Patient") && !debug.contains("enc_7731"),
        "{debug}"
    );

    let token: scribe_protocol::auth::TokenResponse =
        serde_json::from_str(&fixture("token_response", "eka.json")).unwrap();
    let debug = format!("{token:?}");
    assert!(
        !debug.contains("eyJ") && !debug.contains("rt_notreal"),
        "{debug}"
    );
    let login: scribe_protocol::auth::LoginRequest =
        serde_json::from_str(&fixture("login_request", "with_api_key.json")).unwrap();
    let debug = format!("{login:?}");
    assert!(
        !debug.contains("not-a-real-secret") && !debug.contains("sk_test_notreal"),
        "{debug}"
    );

    let media = StreamFrame::media(&[1, 2, 3, 4, 5, 6]);
    let payload = media.media.as_ref().unwrap().payload.clone();
    assert!(!format!("{media:?}").contains(&payload));
}

#[test]
fn stream_frames_build_and_decode() {
    let frame: StreamFrame = serde_json::from_str(&fixture("stream_frame", "media.json")).unwrap();
    assert_eq!(frame.event, StreamEvent::Media);
    assert_eq!(
        frame.pcm().unwrap(),
        Some(vec![0, 0, 1, 0, 255, 255, 0, 128])
    );
    let start: StreamFrame = serde_json::from_str(&fixture("stream_frame", "start.json")).unwrap();
    assert_eq!(start, StreamFrame::start("str_51ab90"));
    let stop: StreamFrame =
        serde_json::from_str(&fixture("stream_frame", "stop_with_reason.json")).unwrap();
    assert_eq!(stop, StreamFrame::stop(Some("user_ended".into())));
    let mut broken = StreamFrame::media(&[]);
    broken.media.as_mut().unwrap().payload = "not base64!".into();
    assert!(broken.pcm().is_err());
    let unknown: StreamFrame =
        serde_json::from_str(&fixture("stream_frame", "unknown_event.json")).unwrap();
    assert_eq!(unknown.event.as_str(), "mark");
}

#[test]
fn object_shape_with_a_repeated_key_keeps_both_documents() {
    let text = r#"{"soap":{"status":"success","data":{"n":1}},"soap":{"status":"success","data":{"n":2}}}"#;
    let templates: Templates = serde_json::from_str(text).unwrap();
    assert_eq!(templates.get_all("soap").count(), 2);
    assert_eq!(serde_json::to_string(&templates).unwrap(), text);
}

#[test]
fn unknown_fields_show_their_names_only() {
    let extra = r#""summary":"patient reports chest pain""#;
    let processing: scribe_protocol::session::ProcessingError = serde_json::from_str(&format!(
        r#"{{"type":"audio_file_skipped","message":"m",{extra}}}"#
    ))
    .unwrap();
    let failure: scribe_protocol::session::SessionError = serde_json::from_str(&format!(
        r#"{{"code":"processing_failed","message":"m",{extra}}}"#
    ))
    .unwrap();
    let ended: scribe_protocol::session::EndSessionResponse =
        serde_json::from_str(&format!(r#"{{"status":"processing",{extra}}}"#)).unwrap();
    let event: scribe_protocol::webhook::WebhookEvent = serde_json::from_str(&format!(
        r#"{{"event":"session.completed","timestamp":1,"session_id":"s",{extra}}}"#
    ))
    .unwrap();
    for shown in [
        format!("{processing:?}"),
        format!("{failure:?}"),
        format!("{ended:?}"),
        format!("{event:?}"),
    ] {
        assert!(shown.contains("summary"), "{shown}");
        assert!(!shown.contains("chest"), "{shown}");
    }
}
