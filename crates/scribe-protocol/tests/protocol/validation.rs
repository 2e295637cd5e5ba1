//! Requests are checked before sending, with errors that name the fix.

use scribe_protocol::catalogue::{CommunicationProtocol, Model, SessionMode, UploadType};
use scribe_protocol::discovery::DiscoveryDocument;
use scribe_protocol::session::{
    CreateSessionRequest, PatchSessionRequest, TranscriptLanguage, ValidationIssue,
};
use serde_json::json;

use crate::fixtures::fixture;

fn discovery() -> DiscoveryDocument {
    serde_json::from_str(&fixture("discovery", "spec.json")).unwrap()
}

fn issues(
    request: &CreateSessionRequest,
    discovery: Option<&DiscoveryDocument>,
) -> Vec<ValidationIssue> {
    match request.validate(discovery) {
        Ok(()) => Vec::new(),
        Err(error) => error.issues().to_vec(),
    }
}

#[test]
fn fixtures_that_should_pass_pass() {
    for name in [
        "eka_chunked_minimal.json",
        "eka_full.json",
        "spec_stream.json",
    ] {
        let request: CreateSessionRequest =
            serde_json::from_str(&fixture("create_request", name)).unwrap();
        assert_eq!(request.validate(None), Ok(()), "{name}");
    }
    let request: CreateSessionRequest =
        serde_json::from_str(&fixture("create_request", "eka_full.json")).unwrap();
    assert_eq!(request.validate(Some(&discovery())), Ok(()));
}

#[test]
fn template_count() {
    assert_eq!(
        issues(&CreateSessionRequest::new(Vec::<String>::new()), None),
        [ValidationIssue::NoTemplates]
    );
    assert_eq!(
        issues(&CreateSessionRequest::new(["a", "b", "c"]), None),
        [ValidationIssue::TooManyTemplates { count: 3 }]
    );
    assert_eq!(
        issues(&CreateSessionRequest::new(["soap", "soap"]), None),
        [ValidationIssue::DuplicateTemplate { id: "soap".into() }]
    );
    assert_eq!(
        issues(&CreateSessionRequest::new([" "]), None),
        [ValidationIssue::EmptyTemplateId]
    );
    assert_eq!(
        issues(&CreateSessionRequest::new(["soap", "hpi"]), None),
        []
    );
}

#[test]
fn languages_come_from_the_catalogue() {
    let mut request = CreateSessionRequest::new(["soap"]);
    request.language_hint = Some(vec!["en".into(), "fr".into()]);
    request.transcript_language = Some(TranscriptLanguage::Many(vec!["english".into()]));
    let found = issues(&request, None);
    assert_eq!(found.len(), 2);
    let message = request.validate(None).unwrap_err().to_string();
    assert!(
        message.contains("`fr`") && message.contains("`english`"),
        "{message}"
    );
    assert!(
        message.contains("en, hi, gu"),
        "the error lists valid codes: {message}"
    );
}

#[test]
fn session_id_length_and_additional_data() {
    let mut request = CreateSessionRequest::new(["soap"]);
    request.session_id = Some("short".into());
    assert_eq!(
        issues(&request, None),
        [ValidationIssue::SessionIdLength { length: 5 }]
    );
    request.session_id = Some("x".repeat(16));
    assert_eq!(issues(&request, None), []);
    request.session_id = Some("x".repeat(64));
    assert_eq!(issues(&request, None), []);
    request.session_id = Some("x".repeat(65));
    assert_eq!(
        issues(&request, None),
        [ValidationIssue::SessionIdLength { length: 65 }]
    );
    request.session_id = None;

    request.additional_data = Some(json!({"notes": "y".repeat(5000)}));
    let found = issues(&request, None);
    assert!(
        matches!(found.as_slice(), [ValidationIssue::AdditionalDataTooLarge { bytes }] if *bytes > 4096)
    );
    let message = request.validate(None).unwrap_err().to_string();
    assert!(message.contains("4096"), "{message}");
    request.additional_data = Some(json!({"notes": "y".repeat(4000)}));
    assert_eq!(issues(&request, None), []);
    request.additional_data = Some(json!(["not", "an", "object"]));
    assert_eq!(
        issues(&request, None),
        [ValidationIssue::NotAnObject {
            field: "additional_data"
        }]
    );
}

#[test]
fn session_ids_are_16_to_64_letters_digits_dashes_and_underscores() {
    let check = |id: &str| {
        let mut request = CreateSessionRequest::new(["soap"]);
        request.session_id = Some(id.to_owned());
        issues(&request, None)
    };
    for id in [
        "a".repeat(16),
        "Z9".repeat(32),
        "visit-2026_11-25-bed-14".to_owned(),
        "----------------".to_owned(),
    ] {
        assert_eq!(check(&id), [], "{id}");
    }
    for bad in ['/', ' ', '.', '%', '?', '#', '~', 'é', '\n'] {
        let id = format!("visit-2026-11-25{bad}x");
        assert_eq!(
            check(&id),
            [ValidationIssue::SessionIdCharacter { character: bad }],
            "{id:?}"
        );
    }
    // Length counts characters, and both problems are reported.
    assert_eq!(
        check("ééé"),
        [
            ValidationIssue::SessionIdLength { length: 3 },
            ValidationIssue::SessionIdCharacter { character: 'é' }
        ]
    );
    let message = {
        let mut request = CreateSessionRequest::new(["soap"]);
        request.session_id = Some("visit 2026 11 25 bed 14".into());
        request.validate(None).unwrap_err().to_string()
    };
    assert!(
        message.contains("' '") && message.contains("ASCII letters, digits, `-` and `_`"),
        "{message}"
    );
}

#[test]
fn session_mode_and_communication_protocol_take_defined_values() {
    let mut request = CreateSessionRequest::new(["soap"]);
    request.session_mode = Some(SessionMode::parse("karaoke"));
    request.communication_protocol = Some(CommunicationProtocol::parse("pigeon"));
    assert_eq!(
        issues(&request, None),
        [
            ValidationIssue::UnknownValue {
                field: "session_mode",
                value: "karaoke".into(),
                known: vec!["dictation".into(), "consultation".into()],
            },
            ValidationIssue::UnknownValue {
                field: "communication_protocol",
                value: "pigeon".into(),
                known: vec!["http".into(), "websocket".into(), "rpc".into()],
            },
        ]
    );
    request.session_mode = Some(SessionMode::Consultation);
    request.communication_protocol = Some(CommunicationProtocol::Rpc);
    assert_eq!(issues(&request, None), []);
}

#[test]
fn checks_against_a_discovery_document() {
    let doc = discovery();
    let mut request = CreateSessionRequest::new(["soap"]);
    request.model = Some(Model::Other("ultra".into()));
    let found = issues(&request, Some(&doc));
    assert!(
        matches!(found.as_slice(), [ValidationIssue::UnknownModel { model, offered }] if model == "ultra" && offered.len() == 3),
        "{found:?}"
    );

    // `lite` (also the default) handles en, hi and bn only in this document.
    request.model = None;
    request.language_hint = Some(vec!["ta".into()]);
    assert_eq!(
        issues(&request, Some(&doc)),
        [ValidationIssue::LanguageNotSupportedByModel {
            model: "lite".into(),
            code: "ta".into()
        }]
    );
    request.model = Some(Model::Pro);
    assert_eq!(issues(&request, Some(&doc)), []);

    let sparse: DiscoveryDocument =
        serde_json::from_str(&fixture("discovery", "eka_sparse.json")).unwrap();
    request.upload_type = Some(UploadType::Single);
    let found = issues(&request, Some(&sparse));
    assert!(
        matches!(
            found.as_slice(),
            [ValidationIssue::UnsupportedUploadType { .. }]
        ),
        "{found:?}"
    );
    assert_eq!(sparse.max_chunk_duration_seconds(), Some(24));
    assert_eq!(sparse.webhooks_url(), None);
    assert_eq!(
        doc.accepts_audio(scribe_protocol::chunk::AudioExtension::Ogg),
        Some(true)
    );
    assert_eq!(
        doc.accepts_audio(scribe_protocol::chunk::AudioExtension::Mp3),
        Some(false)
    );
}

#[test]
fn stream_needs_a_websocket_and_a_websocket_needs_stream() {
    let mut request = CreateSessionRequest::new(["soap"]);
    request.upload_type = Some(UploadType::Stream);
    request.communication_protocol = Some(CommunicationProtocol::Http);
    assert_eq!(
        issues(&request, None),
        [ValidationIssue::StreamNeedsWebsocket {
            communication_protocol: "http".into()
        }]
    );
    request.communication_protocol = Some(CommunicationProtocol::Websocket);
    assert_eq!(issues(&request, None), []);
    request.upload_type = Some(UploadType::Chunked);
    assert_eq!(
        issues(&request, None),
        [ValidationIssue::WebsocketNeedsStream {
            upload_type: "chunked".into()
        }]
    );
    request.communication_protocol = Some(CommunicationProtocol::Rpc);
    assert_eq!(issues(&request, None), []);
}

#[test]
fn patch_allows_only_patchable_fields() {
    let patch: PatchSessionRequest =
        serde_json::from_str(&fixture("patch_request", "full.json")).unwrap();
    assert_eq!(patch.validate(None), Ok(()));
    let patch: PatchSessionRequest =
        serde_json::from_value(json!({"templates": ["a", "b", "c"], "model": "pro"})).unwrap();
    let error = patch.validate(None).unwrap_err();
    assert_eq!(
        error.issues(),
        [
            ValidationIssue::TooManyTemplates { count: 3 },
            ValidationIssue::FieldNotPatchable {
                field: "model".into()
            }
        ]
    );
    assert!(error.to_string().contains("cannot be changed with PATCH"));
}

#[test]
fn an_empty_patch_is_refused_and_nulls_of_patchable_fields_are_not_foreign() {
    let empty = PatchSessionRequest::default();
    let error = empty.validate(None).unwrap_err();
    assert_eq!(error.issues(), [ValidationIssue::EmptyPatch]);
    assert!(error.to_string().contains("user_status"), "{error}");

    // An explicit null is kept in `extra`; it clears a field, it is no
    // foreign field.
    let clearing: PatchSessionRequest =
        serde_json::from_value(json!({"user_status": null})).unwrap();
    assert_eq!(clearing.validate(None), Ok(()));
    let foreign: PatchSessionRequest = serde_json::from_value(json!({"status": null})).unwrap();
    assert_eq!(
        foreign.validate(None).unwrap_err().issues(),
        [ValidationIssue::FieldNotPatchable {
            field: "status".into()
        }]
    );
}

#[test]
fn patchable_fields_are_the_fields_of_the_patch_request() {
    let full = PatchSessionRequest {
        patient_details: Some(json!({})),
        user_status: Some(String::new()),
        processing_status: Some(String::new()),
        additional_data: Some(json!({})),
        language_hint: Some(Vec::new()),
        templates: Some(Vec::new()),
        extra: Default::default(),
    };
    let written = serde_json::to_value(&full).unwrap();
    let mut keys: Vec<&str> = written
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut fields = PatchSessionRequest::FIELDS.to_vec();
    keys.sort_unstable();
    fields.sort_unstable();
    assert_eq!(keys, fields);
}
