//! The router: protocol routes behind authentication, public auth and
//! discovery routes, `/_sim/` inspection, all behind the fault injector and
//! the request log.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, delete, get, post};

use crate::auth;
use crate::paths::{
    DISCOVERY, DISCOVERY_ROOT, LOGIN, REFRESH, SESSIONS, STREAM_SESSIONS, TEMPLATES, WEBHOOKS,
};
use crate::request_log;
use crate::state::AppState;
use crate::webhooks;

pub(crate) mod audio;
mod create;
mod injection;
mod inspect;
mod request;
pub(crate) mod sessions;
pub(crate) mod stream;

pub(crate) fn router(state: AppState) -> Router {
    let base = state.config.base_path.clone();
    let at = |path: &str| format!("{base}{path}");
    let protocol = Router::new()
        .route(&at(SESSIONS), post(create::create))
        .route(
            &at(&format!("{SESSIONS}/{{id}}")),
            get(sessions::get).patch(sessions::patch),
        )
        .route(
            &at(&format!("{SESSIONS}/{{id}}/audio/{{file_name}}")),
            post(audio::upload),
        )
        .route(&at(&format!("{SESSIONS}/{{id}}/end")), post(sessions::end))
        .route(
            &at(&format!("{SESSIONS}/{{id}}/process/template")),
            post(sessions::process_template),
        )
        .route(
            &at(&format!(
                "{SESSIONS}/{{id}}/process/template/{{template_id}}"
            )),
            post(sessions::process_template),
        )
        .route(&at(TEMPLATES), get(sessions::templates))
        .route(&at(WEBHOOKS), get(webhooks::list).post(webhooks::register))
        .route(
            &at(&format!("{WEBHOOKS}/{{webhook_id}}")),
            delete(webhooks::delete),
        )
        .route(
            &at(&format!("{STREAM_SESSIONS}/{{stream_id}}/audio")),
            any(stream::upgrade),
        )
        .route_layer(from_fn_with_state(state.clone(), auth::require_caller));
    let public = Router::new()
        .route(LOGIN, post(auth::login))
        .route(REFRESH, post(auth::refresh))
        .route(DISCOVERY_ROOT, get(sessions::discovery))
        .route(&at(DISCOVERY), get(sessions::discovery));
    public
        .merge(protocol)
        .merge(inspect::router())
        .fallback(auth::not_found)
        .method_not_allowed_fallback(|| async { auth::method_not_allowed() })
        .layer(from_fn_with_state(state.clone(), injection::inject))
        .layer(from_fn_with_state(state.clone(), request_log::record))
        .with_state(state)
}
