//! `POST /v1/sessions`: validate the request, make the session, answer 201.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rand::Rng as _;
use serde_json::{Value, json};

use crate::auth::{Caller, json_object};
use crate::catalogue::{self, MODELS};
use crate::config::Dialect;
use crate::reject::Reject;
use crate::render;
use crate::routes::fields::{
    ADDITIONAL_DATA_MAX, Body, object_field, optional, optional_choice, reject_unknown,
    validate_languages, validate_templates,
};
use crate::session::{Request, Session, SessionEntry, Status, StreamBuffer};
use crate::state::{AppState, lock};
use crate::webhooks::Event;

fn random_alnum(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

const CREATE_FIELDS: &[&str] = &[
    "templates",
    "upload_type",
    "communication_protocol",
    "session_mode",
    "model",
    "language_hint",
    "transcript_language",
    "patient_details",
    "additional_data",
    "session_id",
];

fn parse_create(state: &AppState, body: &Body) -> Result<(Request, Option<String>), Reject> {
    let dialect = state.config.dialect;
    reject_unknown(body, CREATE_FIELDS)?;
    let templates = validate_templates(dialect, optional(body, "templates"))?;
    // The spec requires these two; Eka's service assumes a chunked HTTP upload.
    let lenient = dialect == Dialect::Eka;
    let upload_type = optional_choice(
        body,
        "upload_type",
        catalogue::upload_methods(dialect),
        lenient.then_some("chunked"),
    )?;
    let implied = if upload_type == "stream" {
        "websocket"
    } else {
        "http"
    };
    let communication_protocol = optional_choice(
        body,
        "communication_protocol",
        &["http", "websocket", "rpc"],
        lenient.then_some(implied),
    )?;
    if (upload_type == "stream") != (communication_protocol == "websocket") {
        return Err(Reject::invalid(
            "`upload_type: stream` goes with `communication_protocol: websocket`, and only it",
        ));
    }
    let session_mode = optional_choice(
        body,
        "session_mode",
        &["dictation", "consultation"],
        Some("dictation"),
    )?;
    let model = optional_choice(body, "model", MODELS, Some("lite"))?;
    let language_hint = match optional(body, "language_hint") {
        None => Vec::new(),
        Some(v) => {
            validate_languages("language_hint", v, false)?;
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|c| c.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default()
        }
    };
    let transcript_language = match optional(body, "transcript_language") {
        None => None,
        Some(v) => {
            validate_languages("transcript_language", v, true)?;
            Some(v.clone())
        }
    };
    let patient_details = object_field(body, "patient_details", None)?;
    let additional_data = object_field(body, "additional_data", Some(ADDITIONAL_DATA_MAX))?;
    let session_id = match optional(body, "session_id") {
        None => None,
        Some(Value::String(id)) => {
            let ok_chars = id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !scribe_protocol::catalogue::SESSION_ID_LENGTH.contains(&id.len()) || !ok_chars {
                return Err(Reject::invalid(
                    "`session_id` must be 16 to 64 characters of letters, digits, `-` or `_`",
                ));
            }
            Some(id.clone())
        }
        Some(_) => return Err(Reject::invalid("`session_id` must be a string")),
    };
    Ok((
        Request {
            templates,
            upload_type,
            communication_protocol,
            session_mode,
            model,
            language_hint,
            transcript_language,
            patient_details,
            additional_data,
            user_status: None,
            processing_status: None,
        },
        session_id,
    ))
}

/// `POST /v1/sessions`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let result = (|| {
        let body = json_object(&body)?;
        let (request, chosen_id) = parse_create(&state, &body)?;
        let dialect = state.config.dialect;
        let now = SystemTime::now();
        let stream = (request.upload_type == "stream").then(|| StreamBuffer {
            stream_id: format!("str_{}", random_alnum(24)),
            ..StreamBuffer::default()
        });
        let stream_url = stream.as_ref().map(|s| {
            format!(
                "{}{}/{}/audio",
                state.ws_base_url,
                crate::paths::STREAM_SESSIONS,
                s.stream_id
            )
        });
        let mut sessions = lock(&state.sessions);
        let id = match chosen_id {
            Some(id) => {
                if sessions.contains_key(&id) {
                    return Err(
                        Reject::invalid("a session with this session_id already exists")
                            .details(json!({ "session_id": id }))
                            .status(StatusCode::CONFLICT),
                    );
                }
                id
            }
            None => match dialect {
                Dialect::Eka => random_alnum(32),
                Dialect::Spec => format!("ses_{}", random_alnum(24)),
            },
        };
        // Eka ignores upload_url for chunked sessions; the spec requires one.
        let upload_url = stream_url.or_else(|| {
            (dialect == Dialect::Spec)
                .then(|| format!("{}{}/{id}/audio", state.base_url, crate::paths::SESSIONS))
        });
        let session = Session {
            id: id.clone(),
            business_id: caller.business_id.clone(),
            created_at: now,
            expires_at: now + state.config.session_expiry,
            status: Status::Created,
            request,
            files: BTreeMap::new(),
            stream,
            ended_at: None,
            audio_files_sent: None,
            completed_at: None,
            expired_at: None,
            outcome: None,
            generation: 0,
        };
        let body = render::created(&session, dialect, upload_url);
        if let Some(stream) = &session.stream {
            lock(&state.streams).insert(stream.stream_id.clone(), id.clone());
        }
        let entry = Arc::new(SessionEntry::new(session));
        sessions.insert(id.clone(), Arc::clone(&entry));
        Ok((entry, id, body))
    })();
    match result {
        Ok((entry, id, body)) => {
            state.schedule_expiry(entry);
            state
                .webhooks
                .emit(&state, &caller.business_id, Event::Started, &id);
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Err(reject) => reject.into_response(),
    }
}
