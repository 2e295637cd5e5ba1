//! Session endpoints after create: get (long-poll), patch, end,
//! process-template, plus discovery and the template list.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::auth::{Caller, json_object};
use crate::catalogue::{self, MAX_TEMPLATES};
use crate::reject::Reject;
use crate::render;
use crate::routes::request;
use crate::session::{Session, SessionEntry, Status};
use crate::state::AppState;
use crate::webhooks::Event;
use scribe_protocol::error::ErrorCode;
use scribe_protocol::session::{EndSessionRequest, PatchSessionRequest};

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

/// `PATCH /v1/sessions/{id}`.
pub(crate) async fn patch(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let result = (|| {
        let entry = lookup(&state, &caller, &id)?;
        // Nulls stay: an explicit `null` for a patchable field is allowed
        // (and changes nothing here), for any other field it is refused.
        let update: PatchSessionRequest = request::parse(&json_object(&body)?, &[])?;
        update
            .validate(Some(state.discovery()))
            .map_err(|error| request::refused(&error))?;
        if let Some(templates) = &update.templates {
            request::known_templates(state.config.dialect, templates)?;
        }
        {
            let mut s = entry.lock();
            if !s.status.is_open() {
                return Err(closed(&s));
            }
            let PatchSessionRequest {
                patient_details,
                user_status,
                processing_status,
                additional_data,
                language_hint,
                templates,
                extra: _,
            } = update;
            if let Some(t) = templates {
                s.request.templates = t;
            }
            if let Some(hint) = language_hint {
                s.request.language_hint = hint;
            }
            if patient_details.is_some() {
                s.request.patient_details = patient_details;
            }
            if additional_data.is_some() {
                s.request.additional_data = additional_data;
            }
            if let Some(v) = user_status {
                s.request.user_status = Some(Value::String(v));
            }
            if let Some(v) = processing_status {
                s.request.processing_status = Some(Value::String(v));
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
        let body = request::without_nulls(json_object(&body)?);
        let end: EndSessionRequest = request::parse(&body, &[("audio_files_sent", json!(0))])?;
        request::no_unknown_fields(&end.extra)?;
        let (generation, body) = {
            let mut s = entry.lock();
            if !s.status.is_open() {
                return Err(closed(&s));
            }
            crate::routes::stream::flush(&mut s);
            s.audio_files_sent = Some(u64::from(end.audio_files_sent));
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
