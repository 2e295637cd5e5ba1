//! What can be wrong with a request, and how each problem reads.

use std::fmt;

use crate::catalogue::{MAX_ADDITIONAL_DATA_BYTES, MAX_TEMPLATES, SESSION_ID_LENGTH};
use crate::session::PatchSessionRequest;

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
    /// A client-chosen session id holds a character other than an ASCII
    /// letter or digit, `-` or `_` (see
    /// [`is_session_id_char`](crate::catalogue::is_session_id_char)).
    SessionIdCharacter {
        /// The first such character.
        character: char,
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
    /// A WebSocket carries only streamed audio.
    WebsocketNeedsStream {
        /// The upload type that was requested instead.
        upload_type: String,
    },
    /// A field the protocol defines with a fixed set of values (and that a
    /// discovery document does not extend) holds another value.
    UnknownValue {
        /// The request field.
        field: &'static str,
        /// The value sent.
        value: String,
        /// The values the protocol defines.
        known: Vec<String>,
    },
    /// A PATCH body holds a field the protocol does not allow there.
    FieldNotPatchable {
        /// The field.
        field: String,
    },
    /// A PATCH body names no field, so it would change nothing.
    EmptyPatch,
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
            SessionIdCharacter { character } => write!(
                f,
                "session_id holds {character:?}; a client-chosen id may hold only ASCII letters, digits, `-` and `_`, because it travels in URL paths"
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
            WebsocketNeedsStream { upload_type } => write!(
                f,
                "communication_protocol `websocket` carries only upload_type `stream`, not `{upload_type}`; use `http` for uploaded files"
            ),
            UnknownValue {
                field,
                value,
                known,
            } => write!(
                f,
                "`{field}` `{value}` is not defined by the protocol; use one of: {}",
                known.join(", ")
            ),
            FieldNotPatchable { field } => write!(
                f,
                "`{field}` cannot be changed with PATCH; only {} can",
                PatchSessionRequest::FIELDS.join(", ")
            ),
            EmptyPatch => write!(
                f,
                "the PATCH names no field, so it would change nothing; set one of {}",
                PatchSessionRequest::FIELDS.join(", ")
            ),
        }
    }
}

/// A request that should not be sent, with every issue found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    pub(super) issues: Vec<ValidationIssue>,
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
