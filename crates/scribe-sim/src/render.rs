//! Session bodies in the two dialects.

use std::time::SystemTime;

use axum::http::StatusCode;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::unix_seconds;
use crate::config::Dialect;
use crate::reject::Reject;
use crate::results::{self, TemplateOutcome};
use crate::session::{Session, Status};
use scribe_protocol::error::ErrorCode;

/// A point in time as the dialect writes it: epoch seconds (Eka) or an
/// ISO 8601 / RFC 3339 string (spec).
pub(crate) fn timestamp(dialect: Dialect, t: SystemTime) -> Value {
    match dialect {
        Dialect::Eka => json!(unix_seconds(t)),
        Dialect::Spec => {
            let dt = OffsetDateTime::from(t)
                .replace_nanosecond(0)
                .unwrap_or_else(|_| OffsetDateTime::from(t));
            dt.format(&Rfc3339).map_or(Value::Null, Value::String)
        }
    }
}

/// Body of `201` for create.
pub(crate) fn created(s: &Session, dialect: Dialect, upload_url: Option<String>) -> Value {
    let mut body = Map::new();
    body.insert("session_id".into(), json!(s.id));
    body.insert("status".into(), json!(s.status.as_str()));
    body.insert("created_at".into(), timestamp(dialect, s.created_at));
    body.insert("expires_at".into(), timestamp(dialect, s.expires_at));
    if let Some(url) = upload_url {
        body.insert("upload_url".into(), json!(url));
    }
    if let Some(p) = &s.request.patient_details {
        body.insert("patient_details".into(), p.clone());
    }
    if let Some(a) = &s.request.additional_data {
        body.insert("additional_data".into(), a.clone());
    }
    Value::Object(body)
}

fn template_value(t: &TemplateOutcome, dialect: Dialect) -> Value {
    let mut v = Map::new();
    v.insert("status".into(), json!(t.status));
    let error = t
        .error
        .as_ref()
        .map(|(code, message)| json!({ "code": code, "message": message }));
    match dialect {
        Dialect::Eka => {
            v.insert("data".into(), t.data.clone().unwrap_or(Value::Null));
            v.insert("error".into(), error.unwrap_or(Value::Null));
        }
        Dialect::Spec => {
            if let Some(d) = &t.data {
                v.insert("data".into(), d.clone());
            }
            if let Some(e) = error {
                v.insert("error".into(), e);
            }
        }
    }
    Value::Object(v)
}

fn templates_value(templates: &[TemplateOutcome], dialect: Dialect) -> Value {
    match dialect {
        Dialect::Eka => Value::Array(
            templates
                .iter()
                .map(|t| {
                    let mut one = Map::new();
                    one.insert(t.id.clone(), template_value(t, dialect));
                    Value::Object(one)
                })
                .collect(),
        ),
        Dialect::Spec => Value::Object(
            templates
                .iter()
                .map(|t| (t.id.clone(), template_value(t, dialect)))
                .collect(),
        ),
    }
}

/// Status and body of `GET /v1/sessions/{id}`.
pub(crate) fn session(
    s: &Session,
    dialect: Dialect,
    max_chunk_seconds: f64,
    template_filter: Option<&str>,
) -> Result<(StatusCode, Value), Reject> {
    if let Some(id) = template_filter {
        if !s.request.templates.iter().any(|t| t == id) {
            return Err(Reject::new(
                ErrorCode::TemplateNotFound,
                format!("this session has no template `{id}`"),
            )
            .details(json!({ "template_id": id, "session_templates": s.request.templates })));
        }
    }
    let keep = |id: &str| template_filter.is_none_or(|f| f == id);
    let mut body = Map::new();
    body.insert("session_id".into(), json!(s.id));
    body.insert("status".into(), json!(s.status.as_str()));
    body.insert("created_at".into(), timestamp(dialect, s.created_at));
    body.insert("expires_at".into(), timestamp(dialect, s.expires_at));
    let names = s.file_names();
    body.insert("audio_files_received".into(), json!(names.len()));
    body.insert("audio_files".into(), json!(names));
    body.insert("session_mode".into(), json!(s.request.session_mode));
    if let Some(t) = &s.request.transcript_language {
        body.insert("transcript_language".into(), t.clone());
    }
    match &s.request.additional_data {
        Some(a) => {
            body.insert("additional_data".into(), a.clone());
        }
        None if dialect == Dialect::Spec => {
            body.insert("additional_data".into(), json!({}));
        }
        None => {}
    }
    if let Some(p) = &s.request.patient_details {
        body.insert("patient_details".into(), p.clone());
    }
    if let Some(u) = &s.request.user_status {
        body.insert("user_status".into(), u.clone());
    }
    if let Some(u) = &s.request.processing_status {
        body.insert("processing_status".into(), u.clone());
    }
    let status_code = match s.status {
        Status::Created | Status::Recording | Status::Processing => StatusCode::ACCEPTED,
        Status::Completed | Status::Failed => StatusCode::OK,
        Status::Partial => StatusCode::PARTIAL_CONTENT,
        Status::Expired => StatusCode::GONE,
    };
    match (&s.outcome, s.status) {
        (Some(outcome), _) => {
            let templates: Vec<TemplateOutcome> = outcome
                .templates
                .iter()
                .filter(|t| keep(&t.id))
                .cloned()
                .collect();
            body.insert("templates".into(), templates_value(&templates, dialect));
            body.insert("transcript".into(), json!(outcome.transcript));
            body.insert("model_used".into(), json!(outcome.model_used));
            body.insert("language_detected".into(), json!(outcome.language_detected));
            if let Some(t) = s.completed_at {
                body.insert("completed_at".into(), timestamp(dialect, t));
            }
            if outcome.status == Status::Partial || s.status == Status::Expired {
                body.insert(
                    "audio_files_processed".into(),
                    json!(outcome.audio_files_processed),
                );
            }
            if !outcome.processing_errors.is_empty() || outcome.status == Status::Partial {
                let errors: Vec<Value> = outcome
                    .processing_errors
                    .iter()
                    .map(|e| {
                        let mut v = json!({ "type": e.kind, "message": e.message });
                        if let (Some(file), Some(obj)) = (&e.file, v.as_object_mut()) {
                            obj.insert("file".into(), json!(file));
                        }
                        v
                    })
                    .collect();
                body.insert("processing_errors".into(), Value::Array(errors));
            }
            if let Some((code, message)) = &outcome.error {
                body.insert("error".into(), json!({ "code": code, "message": message }));
            }
        }
        (None, Status::Processing) => {
            let pending: Vec<TemplateOutcome> = s
                .request
                .templates
                .iter()
                .filter(|id| keep(id))
                .map(|id| TemplateOutcome {
                    id: id.clone(),
                    status: "processing",
                    data: None,
                    error: None,
                })
                .collect();
            body.insert("templates".into(), templates_value(&pending, dialect));
            body.insert(
                "transcript".into(),
                json!(interim_transcript(s, max_chunk_seconds)),
            );
        }
        (None, Status::Expired) => {
            body.insert("templates".into(), templates_value(&[], dialect));
            body.insert("transcript".into(), Value::Null);
        }
        (None, _) => {
            if dialect == Dialect::Spec || !s.files.is_empty() {
                body.insert(
                    "transcript".into(),
                    json!(interim_transcript(s, max_chunk_seconds)),
                );
            }
        }
    }
    if s.status == Status::Expired {
        if let Some(t) = s.expired_at {
            body.insert("expired_at".into(), timestamp(dialect, t));
        }
        let message = if s.outcome.is_some() {
            "Session expired; results produced before expiry are included"
        } else {
            "Session expired before processing was initiated"
        };
        body.insert("message".into(), json!(message));
    }
    Ok((status_code, Value::Object(body)))
}

/// The transcript of what has arrived so far (lines for received chunks).
fn interim_transcript(s: &Session, max_chunk_seconds: f64) -> String {
    results::process(s, max_chunk_seconds).transcript
}
