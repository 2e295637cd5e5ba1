//! Request bodies read into scribe-protocol's request types and checked with
//! their `validate`, so the simulator and the client agree on what a valid
//! request is. What is left here is the simulator's answer to each problem
//! (status, code, details) and what only a server knows: its template
//! catalogue.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use scribe_protocol::error::ErrorCode;
use scribe_protocol::session::{ValidationError, ValidationIssue};

use crate::catalogue::{self, MAX_TEMPLATES};
use crate::config::Dialect;
use crate::reject::Reject;

/// A JSON object request body.
pub(crate) type Body = Map<String, Value>;

/// The simulator reads an explicit `null` as an absent field.
pub(crate) fn without_nulls(mut body: Body) -> Body {
    body.retain(|_, value| !value.is_null());
    body
}

/// Reads `body` into a protocol request type.
///
/// `required` names the fields the type cannot do without, each with a value
/// of the right shape: an absent one is `missing_required_field`, and the
/// values stand in while each field is tried alone, so that a field of the
/// wrong shape is named (`templates`: `invalid_template`; any other:
/// `invalid_request`).
pub(crate) fn parse<T: DeserializeOwned>(
    body: &Body,
    required: &[(&str, Value)],
) -> Result<T, Reject> {
    let whole_error = match serde_json::from_value::<T>(Value::Object(body.clone())) {
        Ok(request) => return Ok(request),
        Err(error) => error,
    };
    if let Some((field, _)) = required
        .iter()
        .find(|(field, _)| !body.contains_key(*field))
    {
        return Err(Reject::missing_field(field));
    }
    let alone = |field: &str, value: &Value| {
        let mut probe: Body = required
            .iter()
            .map(|(name, stand_in)| ((*name).to_owned(), stand_in.clone()))
            .collect();
        probe.insert(field.to_owned(), value.clone());
        serde_json::from_value::<T>(Value::Object(probe)).err()
    };
    let culprit = body
        .iter()
        .find_map(|(field, value)| alone(field, value).map(|error| (field, error)));
    // serde's message names the expected and the found JSON type; request
    // fields that hold patient data take any JSON, so it never quotes them.
    let Some((field, error)) = culprit else {
        return Err(Reject::invalid(format!(
            "the request body does not fit the protocol: {whole_error}"
        )));
    };
    let reject = if field == "templates" {
        Reject::new(
            ErrorCode::InvalidTemplate,
            "`templates` must be a list of template ids",
        )
    } else {
        Reject::invalid(format!("`{field}` has the wrong shape: {error}"))
    };
    Err(reject.details(json!({ "field": field })))
}

/// The answer to a request scribe-protocol's validation refused: the first
/// issue decides the code, status and details; the message lists every issue
/// with its fix.
pub(crate) fn refused(error: &ValidationError) -> Reject {
    let message = error.to_string();
    let Some(first) = error.issues().first() else {
        return Reject::invalid(message);
    };
    use ValidationIssue::*;
    match first {
        NoTemplates | TooManyTemplates { .. } => Reject::new(ErrorCode::InvalidTemplate, message)
            .details(json!({ "max_templates": MAX_TEMPLATES })),
        EmptyTemplateId => Reject::new(ErrorCode::InvalidTemplate, message),
        DuplicateTemplate { id } => {
            Reject::new(ErrorCode::InvalidTemplate, message).details(json!({ "template_id": id }))
        }
        UnsupportedLanguage {
            field, supported, ..
        } => Reject::new(ErrorCode::LanguageUnsupported, message)
            .details(json!({ "field": field, "supported": supported })),
        LanguageNotSupportedByModel { model, code } => {
            Reject::new(ErrorCode::LanguageUnsupported, message)
                .details(json!({ "model": model, "language": code }))
        }
        UnknownModel { model, offered } => Reject::invalid(message)
            .details(json!({ "field": "model", "allowed": offered, "got": model })),
        UnsupportedUploadType {
            upload_type,
            offered,
        } => Reject::invalid(message)
            .details(json!({ "field": "upload_type", "allowed": offered, "got": upload_type })),
        UnknownValue {
            field,
            value,
            known,
        } => Reject::invalid(message)
            .details(json!({ "field": field, "allowed": known, "got": value })),
        SessionIdLength { .. } | SessionIdCharacter { .. } => {
            Reject::invalid(message).details(json!({ "field": "session_id" }))
        }
        NotAnObject { field } => Reject::invalid(message).details(json!({ "field": field })),
        AdditionalDataTooLarge { .. } => {
            Reject::invalid(message).details(json!({ "field": "additional_data" }))
        }
        FieldNotPatchable { field } => Reject::invalid(message).details(json!({ "field": field })),
        _ => Reject::invalid(message),
    }
}

/// Every template id must be one the dialect's catalogue knows: a server's
/// own list, which the protocol crate cannot check.
pub(crate) fn known_templates(dialect: Dialect, templates: &[String]) -> Result<(), Reject> {
    match templates
        .iter()
        .find(|id| !catalogue::is_known_template(dialect, id))
    {
        Some(id) => Err(Reject::new(
            ErrorCode::InvalidTemplate,
            format!("unknown template `{id}`; GET /v1/templates lists them"),
        )
        .details(json!({ "template_id": id }))),
        None => Ok(()),
    }
}

/// Refuse fields the protocol's request type does not know (kept in its
/// `extra`). The protocol crate keeps them for newer servers; this server
/// is strict, so a misspelt field fails a test instead of being ignored.
pub(crate) fn no_unknown_fields(extra: &Map<String, Value>) -> Result<(), Reject> {
    match extra.keys().next() {
        Some(field) => Err(Reject::invalid(format!(
            "unknown field `{field}`; check its spelling against the protocol"
        ))
        .details(json!({ "field": field }))),
        None => Ok(()),
    }
}
