//! Field checks shared by create and patch: each names the field and the fix.

use serde_json::{Map, Value, json};

use crate::catalogue::{self, LANGUAGES, MAX_TEMPLATES};
use crate::config::Dialect;
use crate::reject::Reject;
use scribe_protocol::error::ErrorCode;

/// A JSON object request body.
pub(crate) type Body = Map<String, Value>;

/// Largest `additional_data`, serialised.
pub(crate) use scribe_protocol::catalogue::MAX_ADDITIONAL_DATA_BYTES as ADDITIONAL_DATA_MAX;

/// A field that is present and not `null`.
pub(crate) fn optional<'a>(body: &'a Body, field: &str) -> Option<&'a Value> {
    body.get(field).filter(|v| !v.is_null())
}

/// A string field that must be one of `allowed`; `default` when absent
/// (a missing field without default is `missing_required_field`).
pub(crate) fn optional_choice(
    body: &Body,
    field: &str,
    allowed: &[&str],
    default: Option<&str>,
) -> Result<String, Reject> {
    match optional(body, field) {
        None => default
            .map(str::to_owned)
            .ok_or_else(|| Reject::missing_field(field)),
        Some(Value::String(v)) if allowed.contains(&v.as_str()) => Ok(v.clone()),
        Some(v) => Err(
            Reject::invalid(format!("`{field}` must be one of {}", allowed.join(", ")))
                .details(json!({ "field": field, "allowed": allowed, "got": v })),
        ),
    }
}

/// 1 to [`MAX_TEMPLATES`] distinct template ids the dialect knows.
pub(crate) fn validate_templates(
    dialect: Dialect,
    value: Option<&Value>,
) -> Result<Vec<String>, Reject> {
    let Some(value) = value else {
        return Err(Reject::missing_field("templates"));
    };
    let Value::Array(items) = value else {
        return Err(Reject::new(
            ErrorCode::InvalidTemplate,
            "`templates` must be a list of template ids",
        ));
    };
    if items.is_empty() || items.len() > MAX_TEMPLATES {
        return Err(Reject::new(
            ErrorCode::InvalidTemplate,
            format!(
                "a session takes 1 to {MAX_TEMPLATES} templates, got {}",
                items.len()
            ),
        )
        .details(json!({ "max_templates": MAX_TEMPLATES })));
    }
    let mut ids: Vec<String> = Vec::new();
    for item in items {
        let Some(id) = item.as_str() else {
            return Err(Reject::new(
                ErrorCode::InvalidTemplate,
                "template ids must be strings",
            ));
        };
        if !catalogue::is_known_template(dialect, id) {
            return Err(Reject::new(
                ErrorCode::InvalidTemplate,
                format!("unknown template `{id}`; GET /v1/templates lists them"),
            )
            .details(json!({ "template_id": id })));
        }
        if ids.iter().any(|i| i == id) {
            return Err(Reject::new(
                ErrorCode::InvalidTemplate,
                format!("template `{id}` is listed twice"),
            ));
        }
        ids.push(id.to_owned());
    }
    Ok(ids)
}

/// Supported ISO 639-1 codes (a list, or one string when `allow_string`).
pub(crate) fn validate_languages(
    field: &str,
    value: &Value,
    allow_string: bool,
) -> Result<(), Reject> {
    let codes: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::String(_) if allow_string => vec![value],
        _ => {
            return Err(Reject::invalid(format!(
                "`{field}` must be a list of ISO 639-1 codes"
            )));
        }
    };
    for code in codes {
        let Some(code) = code.as_str() else {
            return Err(Reject::invalid(format!(
                "`{field}` must hold language codes as strings"
            )));
        };
        if !LANGUAGES.contains(&code) {
            return Err(Reject::new(
                ErrorCode::LanguageUnsupported,
                format!("language `{code}` is not supported"),
            )
            .details(json!({ "field": field, "supported": LANGUAGES })));
        }
    }
    Ok(())
}

/// An optional JSON object field, at most `max_bytes` serialised.
pub(crate) fn object_field(
    body: &Body,
    field: &str,
    max_bytes: Option<usize>,
) -> Result<Option<Value>, Reject> {
    match optional(body, field) {
        None => Ok(None),
        Some(v @ Value::Object(_)) => {
            if let Some(max) = max_bytes {
                let size = v.to_string().len();
                if size > max {
                    return Err(Reject::invalid(format!(
                        "`{field}` is {size} bytes of JSON; keep it under {max}"
                    )));
                }
            }
            Ok(Some(v.clone()))
        }
        Some(_) => Err(Reject::invalid(format!("`{field}` must be a JSON object"))),
    }
}

/// Refuse fields the endpoint does not take.
pub(crate) fn reject_unknown(body: &Body, allowed: &[&str]) -> Result<(), Reject> {
    for key in body.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(Reject::invalid(format!("unknown field `{key}`"))
                .details(json!({ "field": key, "allowed": allowed })));
        }
    }
    Ok(())
}
