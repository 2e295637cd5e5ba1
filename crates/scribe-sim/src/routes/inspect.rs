//! `/_sim/` routes: inspection and controls for tests. They need no
//! credentials but answer loopback clients only, so a simulator opened to
//! the network (`allow_non_loopback`) does not hand out received audio.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use crate::inspect::{files, summary};
use crate::reject::Reject;
use crate::server::Peer;
use crate::state::AppState;
use scribe_protocol::error::ErrorCode;

pub(crate) fn router() -> Router<AppState> {
    let routes = Router::new()
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
        .route("/_sim/webhooks/deliveries", get(deliveries));
    routes.route_layer(axum::middleware::from_fn(loopback_only))
}

/// Refuses `/_sim/` requests from other machines.
async fn loopback_only(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let local = request
        .extensions()
        .get::<Peer>()
        .is_some_and(|peer| peer.0.ip().is_loopback());
    if local {
        next.run(request).await
    } else {
        Reject::new(
            ErrorCode::Forbidden,
            "the /_sim/ inspection routes answer loopback clients only",
        )
        .into_response()
    }
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

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use tower::ServiceExt as _;

    use super::*;

    #[tokio::test]
    async fn other_machines_are_refused() {
        let app: Router = Router::new()
            .route("/_sim/x", get(|| async { "ok" }))
            .route_layer(axum::middleware::from_fn(loopback_only));
        let from = |ip: [u8; 4]| {
            let mut request = axum::http::Request::get("/_sim/x")
                .body(axum::body::Body::empty())
                .unwrap_or_else(|e| panic!("{e}"));
            request
                .extensions_mut()
                .insert(Peer(SocketAddr::from((ip, 9))));
            request
        };
        let far = app.clone().oneshot(from([192, 0, 2, 7])).await;
        assert_eq!(far.map(|r| r.status()).ok(), Some(StatusCode::FORBIDDEN));
        let near = app.oneshot(from([127, 0, 0, 1])).await;
        assert_eq!(near.map(|r| r.status()).ok(), Some(StatusCode::OK));
    }
}
