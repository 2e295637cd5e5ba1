//! Checking requests before they are sent.

mod issue;

use serde_json::Value;

use super::{CreateSessionRequest, PatchSessionRequest};
use crate::catalogue::{
    CommunicationProtocol, LANGUAGES, MAX_ADDITIONAL_DATA_BYTES, MAX_TEMPLATES, SESSION_ID_LENGTH,
    SessionMode, UploadType, is_session_id_char,
};
use crate::discovery::DiscoveryDocument;

pub use issue::{ValidationError, ValidationIssue};

fn finish(issues: Vec<ValidationIssue>) -> Result<(), ValidationError> {
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ValidationError { issues })
    }
}

impl CreateSessionRequest {
    /// Checks the request against the protocol's rules and, when given, a
    /// server's discovery document: 1 or 2 distinct templates; language codes
    /// from the catalogue (or the document); a client session id of 16 to 64
    /// ASCII letters, digits, `-` or `_`; `additional_data` an object under
    /// 4 KB; a session mode and communication protocol the protocol defines;
    /// the model offered, the languages handled by the model, the upload type
    /// accepted; `stream` over a WebSocket, and a WebSocket only for `stream`.
    ///
    /// Unknown fields in `extra` are not refused: they are kept for servers
    /// newer than this crate.
    ///
    /// ```
    /// use scribe_protocol::session::{CreateSessionRequest, ValidationIssue};
    ///
    /// let mut request = CreateSessionRequest::new(["clinical_notes_template"]);
    /// request.session_id = Some("visit/2026/11/25".into());
    /// let error = request.validate(None).unwrap_err();
    /// assert_eq!(error.issues(), [ValidationIssue::SessionIdCharacter { character: '/' }]);
    /// ```
    pub fn validate(&self, discovery: Option<&DiscoveryDocument>) -> Result<(), ValidationError> {
        let mut issues = Vec::new();
        check_templates(&self.templates, &mut issues);
        let languages = languages_of(self);
        let supported = supported_languages(discovery);
        for (field, code) in &languages {
            if !supported.iter().any(|known| known == code) {
                issues.push(ValidationIssue::UnsupportedLanguage {
                    field,
                    code: (*code).to_owned(),
                    supported: supported.clone(),
                });
            }
        }
        if let Some(id) = &self.session_id {
            check_session_id(id, &mut issues);
        }
        check_object(
            "patient_details",
            self.patient_details.as_ref(),
            &mut issues,
        );
        check_additional_data(self.additional_data.as_ref(), &mut issues);
        if let Some(mode) = &self.session_mode {
            check_known(
                "session_mode",
                mode.as_str(),
                mode.is_known(),
                SessionMode::KNOWN,
                &mut issues,
            );
        }
        if let Some(protocol) = &self.communication_protocol {
            check_known(
                "communication_protocol",
                protocol.as_str(),
                protocol.is_known(),
                CommunicationProtocol::KNOWN,
                &mut issues,
            );
        }
        check_channel(
            self.upload_type.as_ref(),
            self.communication_protocol.as_ref(),
            &mut issues,
        );
        if let Some(discovery) = discovery {
            check_against_discovery(self, &languages, discovery, &mut issues);
        }
        finish(issues)
    }
}

impl PatchSessionRequest {
    /// The fields a PATCH may carry, as named on the wire; the protocol
    /// allows nothing else there.
    pub const FIELDS: &'static [&'static str] = &[
        "patient_details",
        "user_status",
        "processing_status",
        "additional_data",
        "language_hint",
        "templates",
    ];

    /// Checks an update: at least one field, only patchable fields
    /// ([`FIELDS`](Self::FIELDS); an explicit `null` for one of them, kept in
    /// `extra`, is allowed), 1 or 2 distinct templates when given, supported
    /// language codes, `additional_data` an object under 4 KB.
    pub fn validate(&self, discovery: Option<&DiscoveryDocument>) -> Result<(), ValidationError> {
        let mut issues = Vec::new();
        if self == &PatchSessionRequest::default() {
            issues.push(ValidationIssue::EmptyPatch);
        }
        if let Some(templates) = &self.templates {
            check_templates(templates, &mut issues);
        }
        let supported = supported_languages(discovery);
        for code in self.language_hint.iter().flatten() {
            if !supported.iter().any(|known| known == code) {
                issues.push(ValidationIssue::UnsupportedLanguage {
                    field: "language_hint",
                    code: code.clone(),
                    supported: supported.clone(),
                });
            }
        }
        check_object(
            "patient_details",
            self.patient_details.as_ref(),
            &mut issues,
        );
        check_additional_data(self.additional_data.as_ref(), &mut issues);
        for field in self.extra.keys() {
            if !PatchSessionRequest::FIELDS.contains(&field.as_str()) {
                issues.push(ValidationIssue::FieldNotPatchable {
                    field: field.clone(),
                });
            }
        }
        finish(issues)
    }
}

fn check_templates(templates: &[String], issues: &mut Vec<ValidationIssue>) {
    if templates.is_empty() {
        issues.push(ValidationIssue::NoTemplates);
    } else if templates.len() > MAX_TEMPLATES {
        issues.push(ValidationIssue::TooManyTemplates {
            count: templates.len(),
        });
    }
    for (n, id) in templates.iter().enumerate() {
        if id.trim().is_empty() {
            issues.push(ValidationIssue::EmptyTemplateId);
        } else if templates[..n].contains(id) {
            issues.push(ValidationIssue::DuplicateTemplate { id: id.clone() });
        }
    }
}

fn check_session_id(id: &str, issues: &mut Vec<ValidationIssue>) {
    let length = id.chars().count();
    if !SESSION_ID_LENGTH.contains(&length) {
        issues.push(ValidationIssue::SessionIdLength { length });
    }
    if let Some(character) = id.chars().find(|c| !is_session_id_char(*c)) {
        issues.push(ValidationIssue::SessionIdCharacter { character });
    }
}

fn check_known<T: std::fmt::Display>(
    field: &'static str,
    value: &str,
    is_known: bool,
    known: &[T],
    issues: &mut Vec<ValidationIssue>,
) {
    if !is_known {
        issues.push(ValidationIssue::UnknownValue {
            field,
            value: value.to_owned(),
            known: known.iter().map(ToString::to_string).collect(),
        });
    }
}

/// `stream` goes over a WebSocket, and a WebSocket carries only `stream`.
fn check_channel(
    upload_type: Option<&UploadType>,
    protocol: Option<&CommunicationProtocol>,
    issues: &mut Vec<ValidationIssue>,
) {
    let (Some(upload_type), Some(protocol)) = (upload_type, protocol) else {
        return;
    };
    let stream = *upload_type == UploadType::Stream;
    let websocket = *protocol == CommunicationProtocol::Websocket;
    if stream && !websocket {
        issues.push(ValidationIssue::StreamNeedsWebsocket {
            communication_protocol: protocol.to_string(),
        });
    } else if websocket && !stream {
        issues.push(ValidationIssue::WebsocketNeedsStream {
            upload_type: upload_type.to_string(),
        });
    }
}

fn languages_of(request: &CreateSessionRequest) -> Vec<(&'static str, &str)> {
    let mut languages: Vec<(&'static str, &str)> = request
        .language_hint
        .iter()
        .flatten()
        .map(|code| ("language_hint", code.as_str()))
        .collect();
    if let Some(transcript) = &request.transcript_language {
        languages.extend(
            transcript
                .codes()
                .into_iter()
                .map(|code| ("transcript_language", code)),
        );
    }
    languages
}

fn supported_languages(discovery: Option<&DiscoveryDocument>) -> Vec<String> {
    match discovery.and_then(DiscoveryDocument::supported_languages) {
        Some(languages) => languages.to_vec(),
        None => LANGUAGES.iter().map(|code| (*code).to_owned()).collect(),
    }
}

fn check_object(field: &'static str, value: Option<&Value>, issues: &mut Vec<ValidationIssue>) {
    if value.is_some_and(|value| !value.is_object()) {
        issues.push(ValidationIssue::NotAnObject { field });
    }
}

fn check_additional_data(value: Option<&Value>, issues: &mut Vec<ValidationIssue>) {
    let Some(value) = value else {
        return;
    };
    check_object("additional_data", Some(value), issues);
    // Serialising a `Value` cannot fail; an error would mean no size to report.
    let bytes = serde_json::to_vec(value)
        .map(|bytes| bytes.len())
        .unwrap_or(0);
    if bytes > MAX_ADDITIONAL_DATA_BYTES {
        issues.push(ValidationIssue::AdditionalDataTooLarge { bytes });
    }
}

fn check_against_discovery(
    request: &CreateSessionRequest,
    languages: &[(&'static str, &str)],
    discovery: &DiscoveryDocument,
    issues: &mut Vec<ValidationIssue>,
) {
    let model = request.model.clone().unwrap_or_default();
    if discovery.models.is_some() {
        if discovery.model(&model).is_none() {
            issues.push(ValidationIssue::UnknownModel {
                model: model.to_string(),
                offered: discovery
                    .model_ids()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            });
        } else {
            for (_, code) in languages {
                if !discovery.model_supports_language(&model, code) {
                    issues.push(ValidationIssue::LanguageNotSupportedByModel {
                        model: model.to_string(),
                        code: (*code).to_owned(),
                    });
                }
            }
        }
    }
    let offered = discovery
        .capabilities
        .as_ref()
        .and_then(|capabilities| capabilities.upload_methods.as_ref());
    if let (Some(upload_type), Some(offered)) = (&request.upload_type, offered) {
        if !offered.contains(upload_type) {
            issues.push(ValidationIssue::UnsupportedUploadType {
                upload_type: upload_type.to_string(),
                offered: offered.iter().map(ToString::to_string).collect(),
            });
        }
    }
}
