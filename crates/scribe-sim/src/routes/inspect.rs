//! `/_sim/` routes: inspection and controls for tests (no authentication;
//! the simulator listens on loopback).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::inspect::{files, summary};
use crate::reject::Reject;
use crate::state::AppState;
use scribe_protocol::error::ErrorCode;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/_sim", get(index))
        .route("/_sim/", get(index))
        .route("/_sim/sessions", get(sessions))
        .route("/_sim/sessions/{id}", get(session))
        .route("/_sim/sessions/{id}/files", get(file_list))
        .route("/_sim/sessions/{id}/files/{name}", get(file_bytes))
        .route("/_sim/sessions/{id}/expire", post(expire))
        .route("/_sim/sessions/{id}/finish", post(finish))
        .route("/_sim/requests", get(requests).delete(clear_requests))
        .route("/_sim/tokens/expire", post(expire_tokens))
        .route("/_sim/webhooks/deliveries", get(deliveries))
}

async fn index(State(state): State<AppState>) -> Response {
    axum::Json(json!({
        "simulator": "scribe-sim",
        "dialect": state.config.dialect.as_str(),
        "base_url": state.base_url,
        "auth_base_url": state.auth_base_url,
        "routes": [
            "GET /_sim/sessions",
            "GET /_sim/sessions/{id}",
            "GET /_sim/sessions/{id}/files",
            "GET /_sim/sessions/{id}/files/{name}",
            "POST /_sim/sessions/{id}/expire",
            "POST /_sim/sessions/{id}/finish",
            "GET|DELETE /_sim/requests",
            "POST /_sim/tokens/expire",
            "GET /_sim/webhooks/deliveries"
        ]
    }))
    .into_response()
}

fn unknown(id: &str) -> Response {
    Reject::new(ErrorCode::SessionNotFound, "no session with this id")
        .details(json!({ "session_id": id }))
        .into_response()
}

async fn sessions(State(state): State<AppState>) -> Response {
    axum::Json(json!({ "sessions": state.summaries() })).into_response()
}

async fn session(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.session(&id) {
        Some(entry) => {
            let s = entry.lock();
            axum::Json(json!({ "session": summary(&s), "files": files(&s) })).into_response()
        }
        None => unknown(&id),
    }
}

async fn file_list(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    match state.session(&id) {
        Some(entry) => axum::Json(json!({ "files": files(&entry.lock()) })).into_response(),
        None => unknown(&id),
    }
}

async fn file_bytes(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
) -> Response {
    let Some(entry) = state.session(&id) else {
        return unknown(&id);
    };
    let file = entry.lock().files.get(&name).cloned();
    match file {
        Some(f) => ([(header::CONTENT_TYPE, f.content_type)], f.bytes).into_response(),
        None => Reject::other(
            "not_found",
            StatusCode::NOT_FOUND,
            "this session has no file with this name",
        )
        .into_response(),
    }
}

async fn expire(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(entry) = state.session(&id) else {
        return unknown(&id);
    };
    let changed = state.expire(&entry, true);
    let status = entry.lock().status.as_str();
    axum::Json(json!({ "session_id": id, "status": status, "changed": changed })).into_response()
}

async fn finish(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(entry) = state.session(&id) else {
        return unknown(&id);
    };
    let status = state.finish_now(&entry);
    axum::Json(json!({ "session_id": id, "status": status.as_str() })).into_response()
}

async fn requests(State(state): State<AppState>) -> Response {
    axum::Json(json!({ "requests": state.log.snapshot() })).into_response()
}

async fn clear_requests(State(state): State<AppState>) -> Response {
    state.log.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn expire_tokens(State(state): State<AppState>) -> Response {
    state.tokens.expire_all();
    StatusCode::NO_CONTENT.into_response()
}

async fn deliveries(State(state): State<AppState>) -> Response {
    axum::Json(json!({ "deliveries": state.webhooks.deliveries() })).into_response()
}
