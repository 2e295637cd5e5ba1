//! Checking requests before they are sent.

use std::fmt;

use serde_json::Value;

use super::{CreateSessionRequest, PatchSessionRequest};
use crate::catalogue::{
    CommunicationProtocol, LANGUAGES, MAX_ADDITIONAL_DATA_BYTES, MAX_TEMPLATES, SESSION_ID_LENGTH,
    UploadType,
};
use crate::discovery::DiscoveryDocument;

/// One thing wrong with a request, with how to fix it in its `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationIssue {
    /// No template was requested.
    NoTemplates,
    /// More templates than a session allows.
    TooManyTemplates {
        /// How many were requested.
        count: usize,
    },
    /// A template id is empty or blank.
    EmptyTemplateId,
    /// The same template id is requested twice.
    DuplicateTemplate {
        /// The repeated id.
        id: String,
    },
    /// A language code is not supported.
    UnsupportedLanguage {
        /// The request field holding it.
        field: &'static str,
        /// The code.
        code: String,
        /// The codes that are supported.
        supported: Vec<String>,
    },
    /// A client-chosen session id is too short or too long.
    SessionIdLength {
        /// Its length in characters.
        length: usize,
    },
    /// `additional_data` or `patient_details` is not a JSON object.
    NotAnObject {
        /// The request field.
        field: &'static str,
    },
    /// `additional_data` is too large.
    AdditionalDataTooLarge {
        /// Its serialised size in bytes.
        bytes: usize,
    },
    /// The server does not offer this model.
    UnknownModel {
        /// The requested model.
        model: String,
        /// The models on offer.
        offered: Vec<String>,
    },
    /// The model does not handle this language.
    LanguageNotSupportedByModel {
        /// The model.
        model: String,
        /// The language code.
        code: String,
    },
    /// The server does not accept this upload type.
    UnsupportedUploadType {
        /// The requested upload type.
        upload_type: String,
        /// The upload types on offer.
        offered: Vec<String>,
    },
    /// Streaming needs a WebSocket.
    StreamNeedsWebsocket {
        /// The communication protocol that was requested instead.
        communication_protocol: String,
    },
    /// A PATCH body holds a field the protocol does not allow there.
    FieldNotPatchable {
        /// The field.
        field: String,
    },
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ValidationIssue::*;
        match self {
            NoTemplates => write!(
                f,
                "no template requested; pass 1 or {MAX_TEMPLATES} template ids (see GET /v1/templates)"
            ),
            TooManyTemplates { count } => write!(
                f,
                "{count} templates requested; a session takes at most {MAX_TEMPLATES}, so split the work over several sessions"
            ),
            EmptyTemplateId => write!(
                f,
                "a template id is empty; remove it or use an id from GET /v1/templates"
            ),
            DuplicateTemplate { id } => write!(
                f,
                "template `{id}` is requested twice; list each template once"
            ),
            UnsupportedLanguage {
                field,
                code,
                supported,
            } => write!(
                f,
                "`{field}` has unsupported language code `{code}`; use ISO 639-1 codes from: {}",
                supported.join(", ")
            ),
            SessionIdLength { length } => write!(
                f,
                "session_id is {length} characters; a client-chosen id must be {} to {} characters (or leave it unset for a server id)",
                SESSION_ID_LENGTH.start(),
                SESSION_ID_LENGTH.end()
            ),
            NotAnObject { field } => write!(f, "`{field}` must be a JSON object (`{{...}}`)"),
            AdditionalDataTooLarge { bytes } => write!(
                f,
                "additional_data is {bytes} bytes serialised; keep it under {MAX_ADDITIONAL_DATA_BYTES} bytes by storing references (ids) instead of content"
            ),
            UnknownModel { model, offered } => write!(
                f,
                "model `{model}` is not offered by this server; use one of: {}",
                offered.join(", ")
            ),
            LanguageNotSupportedByModel { model, code } => write!(
                f,
                "model `{model}` does not handle language `{code}`; drop the language or choose a model that lists it in discovery"
            ),
            UnsupportedUploadType {
                upload_type,
                offered,
            } => write!(
                f,
                "upload_type `{upload_type}` is not accepted by this server; use one of: {}",
                offered.join(", ")
            ),
            StreamNeedsWebsocket {
                communication_protocol,
            } => write!(
                f,
                "upload_type `stream` needs communication_protocol `websocket`, not `{communication_protocol}`"
            ),
            FieldNotPatchable { field } => write!(
                f,
                "`{field}` cannot be changed with PATCH; only patient_details, user_status, processing_status, additional_data, language_hint and templates can"
            ),
        }
    }
}

/// A request that should not be sent, with every issue found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    issues: Vec<ValidationIssue>,
}

impl ValidationError {
    /// Every issue found, in field order.
    pub fn issues(&self) -> &[ValidationIssue] {
        &self.issues
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid request: ")?;
        for (n, issue) in self.issues.iter().enumerate() {
            if n > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{issue}")?;
        }
        Ok(())
    }
}

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
    /// characters; `additional_data` an object under 4 KB; the model offered,
    /// the languages handled by the model, the upload type accepted; `stream`
    /// over a WebSocket.
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
            let length = id.chars().count();
            if !SESSION_ID_LENGTH.contains(&length) {
                issues.push(ValidationIssue::SessionIdLength { length });
            }
        }
        check_object(
            "patient_details",
            self.patient_details.as_ref(),
            &mut issues,
        );
        check_additional_data(self.additional_data.as_ref(), &mut issues);
        if let (Some(UploadType::Stream), Some(protocol)) =
            (&self.upload_type, &self.communication_protocol)
        {
            if *protocol != CommunicationProtocol::Websocket {
                issues.push(ValidationIssue::StreamNeedsWebsocket {
                    communication_protocol: protocol.to_string(),
                });
            }
        }
        if let Some(discovery) = discovery {
            check_against_discovery(self, &languages, discovery, &mut issues);
        }
        finish(issues)
    }
}

impl PatchSessionRequest {
    /// Checks an update: only patchable fields, 1 or 2 distinct templates
    /// when given, supported language codes, `additional_data` an object
    /// under 4 KB.
    pub fn validate(&self, discovery: Option<&DiscoveryDocument>) -> Result<(), ValidationError> {
        let mut issues = Vec::new();
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
            issues.push(ValidationIssue::FieldNotPatchable {
                field: field.clone(),
            });
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
