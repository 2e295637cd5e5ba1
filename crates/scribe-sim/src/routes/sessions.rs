//! Session endpoints: create, get (long-poll), patch, end, process-template,
//! plus discovery and the template list.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::SystemTime;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use rand::Rng as _;
use serde_json::{Map, Value, json};

use crate::auth::{Caller, json_object};
use crate::catalogue::{self, LANGUAGES, MAX_TEMPLATES, MODELS};
use crate::config::Dialect;
use crate::reject::Reject;
use crate::render;
use crate::session::{Request, Session, SessionEntry, Status, StreamBuffer};
use crate::state::{AppState, lock};
use crate::webhooks::Event;
use scribe_protocol::error::ErrorCode;

type Body = Map<String, Value>;

fn random_alnum(len: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Find a session of the caller's business, expiring it first if it is due.
pub(crate) fn lookup(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> Result<Arc<SessionEntry>, Reject> {
    let not_found = || {
        Reject::new(ErrorCode::SessionNotFound, "no session with this id")
            .details(json!({ "session_id": id }))
    };
    let entry = state.session(id).ok_or_else(not_found)?;
    let due = {
        let s = entry.lock();
        if s.business_id != caller.business_id {
            return Err(not_found());
        }
        s.status.is_open() && SystemTime::now() >= s.expires_at
    };
    if due {
        state.expire(&entry, false);
    }
    Ok(entry)
}

/// The answer for a session that no longer takes audio or changes.
pub(crate) fn closed(s: &Session) -> Reject {
    if s.status == Status::Expired {
        Reject::new(
            ErrorCode::SessionExpired,
            "the session has expired; create a new one",
        )
        .details(json!({ "session_id": s.id }))
    } else {
        Reject::new(
            ErrorCode::SessionEnded,
            format!(
                "the session has ended (status `{}`); it takes no more audio or changes",
                s.status.as_str()
            ),
        )
        .details(json!({ "session_id": s.id, "status": s.status.as_str() }))
    }
}

fn optional<'a>(body: &'a Body, field: &str) -> Option<&'a Value> {
    body.get(field).filter(|v| !v.is_null())
}

fn optional_choice(
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

fn validate_templates(dialect: Dialect, value: Option<&Value>) -> Result<Vec<String>, Reject> {
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

fn validate_languages(field: &str, value: &Value, allow_string: bool) -> Result<(), Reject> {
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

fn object_field(
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

fn reject_unknown(body: &Body, allowed: &[&str]) -> Result<(), Reject> {
    for key in body.keys() {
        if !allowed.contains(&key.as_str()) {
            return Err(Reject::invalid(format!("unknown field `{key}`"))
                .details(json!({ "field": key, "allowed": allowed })));
        }
    }
    Ok(())
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

use scribe_protocol::catalogue::MAX_ADDITIONAL_DATA_BYTES as ADDITIONAL_DATA_MAX;

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
    let communication_protocol = optional_choice(
        body,
        "communication_protocol",
        &["http", "websocket", "rpc"],
        lenient.then_some("http"),
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

/// `GET /v1/sessions/{id}`: answers at once for a finished session, otherwise
/// holds up to the long-poll time and answers as soon as anything changes.
pub(crate) async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let entry = match lookup(&state, &caller, &id) {
        Ok(entry) => entry,
        Err(reject) => return reject.into_response(),
    };
    let filter = query.get("template_id").map(String::as_str);
    let mut changed = entry.changed.subscribe();
    let (terminal, early) = {
        let s = entry.lock();
        // An unknown template id is answered at once.
        let early = render::session(
            &s,
            state.config.dialect,
            state.config.max_chunk_seconds,
            filter,
        )
        .err();
        (s.status.is_terminal(), early)
    };
    if let Some(reject) = early {
        return reject.into_response();
    }
    let hold = state.config.long_poll_hold;
    if !terminal && !hold.is_zero() {
        tokio::select! {
            _ = tokio::time::timeout(hold, changed.changed()) => {}
            () = state.shutdown.cancelled() => {}
        }
    }
    let s = entry.lock();
    match render::session(
        &s,
        state.config.dialect,
        state.config.max_chunk_seconds,
        filter,
    ) {
        Ok((status, body)) => (status, axum::Json(body)).into_response(),
        Err(reject) => reject.into_response(),
    }
}

const PATCH_FIELDS: &[&str] = &[
    "patient_details",
    "user_status",
    "processing_status",
    "additional_data",
    "language_hint",
    "templates",
];

/// `PATCH /v1/sessions/{id}`.
pub(crate) async fn patch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = (|| {
        let entry = lookup(&state, &caller, &id)?;
        let body = json_object(&body)?;
        reject_unknown(&body, PATCH_FIELDS)?;
        if body.is_empty() {
            return Err(Reject::invalid(format!(
                "the PATCH body names no field; send one of {}",
                PATCH_FIELDS.join(", ")
            )));
        }
        let templates = match body.get("templates") {
            None | Some(Value::Null) => None,
            Some(v) => Some(validate_templates(state.config.dialect, Some(v))?),
        };
        if let Some(v) = optional(&body, "language_hint") {
            validate_languages("language_hint", v, false)?;
        }
        let patient_details = object_field(&body, "patient_details", None)?;
        let additional_data = object_field(&body, "additional_data", Some(ADDITIONAL_DATA_MAX))?;
        {
            let mut s = entry.lock();
            if !s.status.is_open() {
                return Err(closed(&s));
            }
            if let Some(t) = templates {
                s.request.templates = t;
            }
            if let Some(v) = optional(&body, "language_hint").and_then(Value::as_array) {
                s.request.language_hint = v
                    .iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect();
            }
            if patient_details.is_some() {
                s.request.patient_details = patient_details;
            }
            if additional_data.is_some() {
                s.request.additional_data = additional_data;
            }
            if let Some(v) = optional(&body, "user_status") {
                s.request.user_status = Some(v.clone());
            }
            if let Some(v) = optional(&body, "processing_status") {
                s.request.processing_status = Some(v.clone());
            }
        }
        entry.notify();
        let s = entry.lock();
        let (_, body) = render::session(
            &s,
            state.config.dialect,
            state.config.max_chunk_seconds,
            None,
        )?;
        Ok(body)
    })();
    match result {
        Ok(body) => (StatusCode::OK, axum::Json(body)).into_response(),
        Err(reject) => reject.into_response(),
    }
}

/// `POST /v1/sessions/{id}/end`.
pub(crate) async fn end(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = (|| {
        let entry = lookup(&state, &caller, &id)?;
        let body = json_object(&body)?;
        reject_unknown(&body, &["audio_files_sent"])?;
        let sent = match optional(&body, "audio_files_sent") {
            None => return Err(Reject::missing_field("audio_files_sent")),
            Some(v) => v.as_u64().ok_or_else(|| {
                Reject::invalid("`audio_files_sent` must be a whole number, 0 or more")
            })?,
        };
        let (generation, body) = {
            let mut s = entry.lock();
            if !s.status.is_open() {
                return Err(closed(&s));
            }
            crate::routes::stream::flush(&mut s);
            s.audio_files_sent = Some(sent);
            s.ended_at = Some(SystemTime::now());
            s.status = Status::Processing;
            s.generation += 1;
            let names = s.file_names();
            let body = json!({
                "session_id": s.id,
                "status": "processing",
                "message": "Session ended. Processing started.",
                "audio_files_received": names.len(),
                "audio_files": names,
            });
            (s.generation, body)
        };
        Ok((entry, generation, body))
    })();
    match result {
        Ok((entry, generation, body)) => {
            entry.notify();
            state
                .webhooks
                .emit(&state, &caller.business_id, Event::Ended, &id);
            state.schedule_processing(entry, generation);
            (StatusCode::ACCEPTED, axum::Json(body)).into_response()
        }
        Err(reject) => reject.into_response(),
    }
}

/// `POST /v1/sessions/{id}/process/template[/{template_id}]`: run extraction
/// again (for every template of the session, or for one, adding it).
pub(crate) async fn process_template(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(params): Path<HashMap<String, String>>,
) -> Response {
    let id = params.get("id").cloned().unwrap_or_default();
    let template = params.get("template_id").cloned();
    let result = (|| {
        let entry = lookup(&state, &caller, &id)?;
        if let Some(t) = &template {
            if !catalogue::is_known_template(state.config.dialect, t) {
                return Err(Reject::new(
                    ErrorCode::TemplateNotFound,
                    format!("unknown template `{t}`"),
                )
                .details(json!({ "template_id": t })));
            }
        }
        let (generation, body) = {
            let mut s = entry.lock();
            match s.status {
                Status::Expired => return Err(closed(&s)),
                Status::Created | Status::Recording => {
                    return Err(Reject::invalid(
                        "end the session before running template extraction",
                    )
                    .status(StatusCode::CONFLICT));
                }
                _ => {}
            }
            if let Some(t) = &template {
                if !s.request.templates.iter().any(|x| x == t) {
                    if s.request.templates.len() >= MAX_TEMPLATES {
                        return Err(Reject::new(
                            ErrorCode::InvalidTemplate,
                            format!("the session already has {MAX_TEMPLATES} templates"),
                        ));
                    }
                    s.request.templates.push(t.clone());
                }
            }
            s.status = Status::Processing;
            s.outcome = None;
            s.completed_at = None;
            s.generation += 1;
            let body = json!({
                "session_id": s.id,
                "status": "processing",
                "templates": template.as_ref().map_or_else(|| s.request.templates.clone(), |t| vec![t.clone()]),
                "message": "Template extraction started.",
            });
            (s.generation, body)
        };
        Ok((entry, generation, body))
    })();
    match result {
        Ok((entry, generation, body)) => {
            entry.notify();
            state.schedule_processing(entry, generation);
            (StatusCode::ACCEPTED, axum::Json(body)).into_response()
        }
        Err(reject) => reject.into_response(),
    }
}

/// `GET /v1/templates`.
pub(crate) async fn templates(State(state): State<AppState>) -> Response {
    axum::Json(catalogue::template_list(state.config.dialect)).into_response()
}

/// Both discovery paths.
pub(crate) async fn discovery(State(state): State<AppState>) -> Response {
    axum::Json(catalogue::discovery(&state)).into_response()
}
