//! Error answers of every shape become one typed `ApiError`.

use scribe_protocol::error::{ApiError, ErrorBody, ErrorCode, ErrorEnvelope};
use serde_json::json;

/// Every code PROTOCOL.md documents, its variant and its usual status.
const DOCUMENTED: &[(&str, ErrorCode, u16)] = &[
    (
        "authentication_failed",
        ErrorCode::AuthenticationFailed,
        401,
    ),
    ("token_expired", ErrorCode::TokenExpired, 401),
    ("invalid_api_key", ErrorCode::InvalidApiKey, 401),
    ("forbidden", ErrorCode::Forbidden, 403),
    ("rate_limit_exceeded", ErrorCode::RateLimitExceeded, 429),
    ("session_not_found", ErrorCode::SessionNotFound, 404),
    ("template_not_found", ErrorCode::TemplateNotFound, 404),
    ("session_expired", ErrorCode::SessionExpired, 410),
    ("invalid_request", ErrorCode::InvalidRequest, 400),
    ("invalid_audio_format", ErrorCode::InvalidAudioFormat, 400),
    ("chunk_too_large", ErrorCode::ChunkTooLarge, 400),
    ("invalid_template", ErrorCode::InvalidTemplate, 400),
    (
        "missing_required_field",
        ErrorCode::MissingRequiredField,
        400,
    ),
    ("unsupported_version", ErrorCode::UnsupportedVersion, 400),
    ("session_ended", ErrorCode::SessionEnded, 409),
    ("session_completed", ErrorCode::SessionCompleted, 409),
    ("audio_quality_poor", ErrorCode::AudioQualityPoor, 422),
    ("audio_too_short", ErrorCode::AudioTooShort, 422),
    ("language_unsupported", ErrorCode::LanguageUnsupported, 422),
    ("processing_failed", ErrorCode::ProcessingFailed, 500),
    ("internal_error", ErrorCode::InternalError, 500),
    ("service_unavailable", ErrorCode::ServiceUnavailable, 503),
];

#[test]
fn every_documented_code_maps_to_its_kind_and_status() {
    assert_eq!(
        DOCUMENTED.len(),
        ErrorCode::KNOWN.len(),
        "a documented code is missing from the table"
    );
    for (wire, code, status) in DOCUMENTED {
        assert_eq!(ErrorCode::parse(wire), *code, "{wire}");
        assert_eq!(code.as_str(), *wire);
        assert_eq!(code.default_status(), *status, "{wire}");
        assert!(code.is_known());
        let body = serde_json::to_vec(&ErrorEnvelope::new(code.clone(), "why")).unwrap();
        let err = ApiError::from_response(*status, &body);
        assert_eq!(
            (err.status, &err.code, err.message.as_str()),
            (*status, code, "why"),
            "{wire}"
        );
        // Servers that answer 400 for a conflict keep their code and status.
        let err = ApiError::from_response(400, &body);
        assert_eq!((err.status, &err.code), (400, code));
    }
    let unknown = ErrorCode::parse("quota_exhausted");
    assert_eq!(unknown, ErrorCode::Other("quota_exhausted".into()));
    assert_eq!(unknown.as_str(), "quota_exhausted");
}

#[test]
fn envelope_details_are_kept() {
    let body = crate::fixtures::fixture("error_envelope", "with_details.json");
    let err = ApiError::from_response(400, body.as_bytes());
    assert_eq!(err.code, ErrorCode::InvalidTemplate);
    assert_eq!(err.details.as_ref().unwrap()["field"], "templates[0]");
    assert_eq!(
        err.to_envelope(),
        serde_json::from_str::<ErrorEnvelope>(&body).unwrap()
    );
    let display = err.to_string();
    assert!(
        display.contains("invalid_template") && display.contains("400"),
        "{display}"
    );
    let built =
        ErrorBody::new(ErrorCode::Forbidden, "no").with_details(json!({"scope": "sessions"}));
    assert_eq!(
        serde_json::to_value(&built).unwrap()["details"]["scope"],
        "sessions"
    );
}

#[test]
fn fastapi_detail_string_uses_the_status() {
    let err = ApiError::from_response(404, br#"{"detail": "Session not found"}"#);
    assert_eq!(err.code, ErrorCode::Other("not_found".into()));
    assert_eq!(err.message, "Session not found");
    let err = ApiError::from_response(401, br#"{"detail": "Not authenticated"}"#);
    assert_eq!(err.code, ErrorCode::AuthenticationFailed);
    let err = ApiError::from_response(429, br#"{"detail": "slow down"}"#);
    assert_eq!(err.code, ErrorCode::RateLimitExceeded);
    let err = ApiError::from_response(
        503,
        br#"{"detail": {"code": "service_unavailable", "message": "maintenance"}}"#,
    );
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::ServiceUnavailable, "maintenance")
    );
}

#[test]
fn fastapi_validation_items_are_summarised_without_echoed_input() {
    let body = json!({"detail": [
        {"loc": ["body", "templates"], "msg": "Field required", "type": "missing", "input": {"patient_details": {"name": "Private Name"}}},
        {"loc": ["body", "language_hint", 0], "msg": "String should have at most 2 characters", "type": "string_too_long", "input": "english", "ctx": {"max_length": 2}}
    ]});
    let err = ApiError::from_response(422, &serde_json::to_vec(&body).unwrap());
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    assert!(
        err.message.contains("body.templates: Field required"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("body.language_hint.0"),
        "{}",
        err.message
    );
    let details = serde_json::to_string(&err.details).unwrap();
    assert!(
        !details.contains("Private Name") && !details.contains("english"),
        "{details}"
    );
    assert!(details.contains("string_too_long"));
    assert!(!format!("{err:?}").contains("Private Name"));

    let many: Vec<_> = (0..7)
        .map(|n| json!({"loc": ["body", n], "msg": "bad", "type": "x"}))
        .collect();
    let err = ApiError::from_response(422, &serde_json::to_vec(&json!({"detail": many})).unwrap());
    assert!(err.message.ends_with("(and 4 more)"), "{}", err.message);
}

#[test]
fn html_empty_and_text_bodies_get_a_short_message() {
    let html = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";
    let err = ApiError::from_response(502, html);
    assert_eq!(err.code, ErrorCode::ServiceUnavailable);
    assert!(
        err.message.contains("\"502 Bad Gateway\""),
        "{}",
        err.message
    );
    assert!(!err.message.contains("nginx"));

    let err = ApiError::from_response(503, b"");
    assert_eq!(err.code, ErrorCode::ServiceUnavailable);
    assert_eq!(
        err.message,
        "HTTP 503 Service Unavailable with an empty body"
    );

    let err = ApiError::from_response(500, b"   \n  ");
    assert_eq!(err.code, ErrorCode::InternalError);

    let long = "upstream connect error or disconnect/reset before headers. ".repeat(50);
    let err = ApiError::from_response(504, long.as_bytes());
    assert_eq!(err.code, ErrorCode::ServiceUnavailable);
    assert!(
        err.message.chars().count() < 160,
        "long bodies are cut: {}",
        err.message.len()
    );

    let err = ApiError::from_response(400, br#"["not", "an", "object"]"#);
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    assert!(err.message.contains("not an error object"));

    // A JSON object that is not an error (it could hold results) is never quoted.
    let err = ApiError::from_response(500, br#"{"transcript": "Patient said something private"}"#);
    assert!(!err.message.contains("private"), "{}", err.message);
    assert_eq!(err.details, None);
}

#[test]
fn other_error_shapes() {
    let err = ApiError::from_response(
        401,
        br#"{"error": "invalid_api_key", "message": "key revoked"}"#,
    );
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::InvalidApiKey, "key revoked")
    );
    let err = ApiError::from_response(403, br#"{"error": "You shall not pass"}"#);
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::Forbidden, "You shall not pass")
    );
    let err = ApiError::from_response(
        409,
        br#"{"code": "session_ended", "message": "already ended"}"#,
    );
    assert_eq!(err.code, ErrorCode::SessionEnded);
    let err = ApiError::from_response(418, br#"{"error": {"message": "no code here"}}"#);
    assert_eq!(err.code, ErrorCode::InvalidRequest);
    let long_message = format!(
        r#"{{"error": {{"code": "internal_error", "message": "{}"}}}}"#,
        "x".repeat(5000)
    );
    let err = ApiError::from_response(500, long_message.as_bytes());
    assert!(err.message.chars().count() <= 301);
}

#[test]
fn status_only_codes() {
    for (status, code) in [
        (400, ErrorCode::InvalidRequest),
        (401, ErrorCode::AuthenticationFailed),
        (403, ErrorCode::Forbidden),
        (410, ErrorCode::SessionExpired),
        (413, ErrorCode::ChunkTooLarge),
        (429, ErrorCode::RateLimitExceeded),
        (500, ErrorCode::InternalError),
        (502, ErrorCode::ServiceUnavailable),
        (503, ErrorCode::ServiceUnavailable),
        (504, ErrorCode::ServiceUnavailable),
    ] {
        assert_eq!(ErrorCode::for_status(status), code, "{status}");
    }
    assert!(ErrorCode::RateLimitExceeded.is_transient());
    assert!(!ErrorCode::InvalidRequest.is_transient());
}

proptest::proptest! {
    /// Whatever a server answers, reading it never panics and never keeps
    /// more than a short message.
    #[test]
    fn any_body_reads_into_a_short_error(status in 400u16..600, body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
        let err = ApiError::from_response(status, &body);
        proptest::prop_assert_eq!(err.status, status);
        proptest::prop_assert!(err.message.chars().count() <= 301, "{} chars", err.message.chars().count());
    }

    #[test]
    fn any_text_body_reads_into_a_short_error(status in 400u16..600, body in "\\PC{0,2000}") {
        let err = ApiError::from_response(status, body.as_bytes());
        proptest::prop_assert!(err.message.chars().count() <= 301, "{} chars", err.message.chars().count());
        proptest::prop_assert!(!err.message.contains('\n'));
    }
}
