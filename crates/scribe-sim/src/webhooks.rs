//! Webhooks: registration at the discovery `webhooks_url`, and signed,
//! retried deliveries of session events to loopback receivers.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::Rng as _;
use serde::Serialize;
use serde_json::{Value, json};

use crate::auth::{Caller, json_object};
use crate::config::WebhookRetry;
use crate::reject::Reject;
use crate::render::timestamp;
use crate::state::{AppState, Shared, lock};

/// Session events the simulator sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    Started,
    Ended,
    Completed,
    Partial,
    Failed,
    Expired,
}

impl Event {
    const ALL: [Event; 6] = [
        Event::Started,
        Event::Ended,
        Event::Completed,
        Event::Partial,
        Event::Failed,
        Event::Expired,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Event::Started => "session.started",
            Event::Ended => "session.ended",
            Event::Completed => "session.completed",
            Event::Partial => "session.partial",
            Event::Failed => "session.failed",
            Event::Expired => "session.expired",
        }
    }
}

struct Webhook {
    id: String,
    business_id: String,
    url: String,
    uri: Uri,
    events: Vec<String>,
    secret: Option<String>,
    created_at: SystemTime,
}

/// One delivery attempt of one event to one webhook.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The registration delivered to.
    pub webhook_id: String,
    /// The receiver's URL.
    pub url: String,
    /// Event name, such as `session.completed`.
    pub event: String,
    /// The session the event is about.
    pub session_id: String,
    /// 1 for the first attempt of this event to this webhook.
    pub attempt: u32,
    /// Status the receiver answered, if it answered.
    pub status: Option<u16>,
    /// Why the attempt failed without a status.
    pub error: Option<String>,
    /// Whether a signature header was sent.
    pub signed: bool,
    /// When the attempt was made, from server start.
    #[serde(rename = "at_ms", serialize_with = "ms")]
    pub at: Duration,
}

fn ms<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

/// Registered webhooks and the delivery log.
pub(crate) struct Registry {
    hooks: Mutex<Vec<Webhook>>,
    deliveries: Mutex<Vec<WebhookDelivery>>,
    retry: WebhookRetry,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Registry {
    pub(crate) fn new(retry: WebhookRetry) -> Self {
        Registry {
            hooks: Mutex::new(Vec::new()),
            deliveries: Mutex::new(Vec::new()),
            retry,
            client: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    pub(crate) fn deliveries(&self) -> Vec<WebhookDelivery> {
        lock(&self.deliveries).clone()
    }

    /// Send `event` about `session_id` to every matching registration of
    /// the business, each in its own task.
    pub(crate) fn emit(&self, state: &AppState, business_id: &str, event: Event, session_id: &str) {
        let targets: Vec<(String, String, Uri, Option<String>)> = lock(&self.hooks)
            .iter()
            .filter(|h| {
                h.business_id == business_id && h.events.iter().any(|e| e == event.as_str())
            })
            .map(|h| (h.id.clone(), h.url.clone(), h.uri.clone(), h.secret.clone()))
            .collect();
        if targets.is_empty() {
            return;
        }
        let body = json!({
            "event": event.as_str(),
            "timestamp": timestamp(state.config.dialect, SystemTime::now()),
            "session_id": session_id,
        })
        .to_string();
        for (id, url, uri, secret) in targets {
            let state = state.clone();
            let body = body.clone();
            let session_id = session_id.to_owned();
            state.runtime.clone().spawn(async move {
                tokio::select! {
                    () = state.shutdown.cancelled() => {}
                    () = deliver(&state, &id, &url, uri, secret, event, &session_id, body) => {}
                }
            });
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn deliver(
    state: &Shared,
    webhook_id: &str,
    url: &str,
    uri: Uri,
    secret: Option<String>,
    event: Event,
    session_id: &str,
    body: String,
) {
    let registry = &state.webhooks;
    let mut backoff = registry.retry.initial_backoff;
    for attempt in 1..=registry.retry.attempts {
        let now = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut request = Request::post(uri.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::USER_AGENT, "scribe-sim-webhooks");
        if let Some(secret) = &secret {
            let signature = scribe_protocol::webhook::sign(
                secret.as_bytes(),
                i64::try_from(now).unwrap_or(i64::MAX),
                body.as_bytes(),
            );
            request = request.header(scribe_protocol::webhook::SIGNATURE_HEADER, signature);
        }
        let (status, error) = match request.body(Full::new(Bytes::from(body.clone()))) {
            Err(e) => (None, Some(format!("cannot build the request: {e}"))),
            Ok(request) => match tokio::time::timeout(
                Duration::from_secs(10),
                registry.client.request(request),
            )
            .await
            {
                Ok(Ok(response)) => (Some(response.status().as_u16()), None),
                Ok(Err(e)) => (None, Some(format!("delivery failed: {e}"))),
                Err(_) => (None, Some("no answer within 10 s".to_owned())),
            },
        };
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        lock(&registry.deliveries).push(WebhookDelivery {
            webhook_id: webhook_id.to_owned(),
            url: url.to_owned(),
            event: event.as_str().to_owned(),
            session_id: session_id.to_owned(),
            attempt,
            status,
            error,
            signed: secret.is_some(),
            at: Instant::now().duration_since(state.started),
        });
        if delivered {
            return;
        }
        if attempt < registry.retry.attempts {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }
    tracing::warn!(
        webhook_id,
        event = event.as_str(),
        "webhook delivery gave up"
    );
}

fn registration_json(state: &Shared, hook: &Webhook) -> Value {
    json!({
        "webhook_id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "status": "active",
        "created_at": timestamp(state.config.dialect, hook.created_at),
    })
}

/// `POST {webhooks_url}`.
pub(crate) async fn register(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let result = (|| {
        let body = json_object(&body)?;
        let url = match body.get("url") {
            Some(Value::String(url)) => url.clone(),
            None | Some(Value::Null) => return Err(Reject::missing_field("url")),
            Some(_) => return Err(Reject::invalid("`url` must be a string")),
        };
        let uri: Uri = url
            .parse()
            .map_err(|_| Reject::invalid("`url` is not a valid URL"))?;
        if uri.scheme_str() != Some("http") {
            return Err(Reject::invalid(
                "the simulator delivers over plain http to loopback receivers only; use an http://127.0.0.1:PORT/... URL",
            ));
        }
        let loopback = match uri.host() {
            Some("localhost") => true,
            Some(host) => host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback()),
            None => false,
        };
        if !loopback {
            return Err(Reject::invalid(
                "the simulator delivers to loopback receivers only (127.0.0.1, ::1 or localhost)",
            ));
        }
        let events: Vec<String> = match body.get("events") {
            None | Some(Value::Null) => return Err(Reject::missing_field("events")),
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut events = Vec::new();
                for item in items {
                    let name = item
                        .as_str()
                        .ok_or_else(|| Reject::invalid("`events` must be a list of event names"))?;
                    if !Event::ALL.iter().any(|e| e.as_str() == name) {
                        return Err(Reject::invalid(format!("unknown event `{name}`")).details(json!({
                            "known_events": Event::ALL.iter().map(|e| e.as_str()).collect::<Vec<_>>()
                        })));
                    }
                    if !events.iter().any(|e| e == name) {
                        events.push(name.to_owned());
                    }
                }
                events
            }
            Some(_) => {
                return Err(Reject::invalid(
                    "`events` must be a non-empty list of event names",
                ));
            }
        };
        let secret = match body.get("secret") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            Some(_) => return Err(Reject::invalid("`secret` must be a non-empty string")),
        };
        for key in body.keys() {
            if !matches!(key.as_str(), "url" | "events" | "secret") {
                return Err(Reject::invalid(format!("unknown field `{key}`")));
            }
        }
        let id: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(20)
            .map(char::from)
            .collect();
        Ok(Webhook {
            id: format!("wh_{id}"),
            business_id: caller.business_id.clone(),
            url,
            uri,
            events,
            secret,
            created_at: SystemTime::now(),
        })
    })();
    match result {
        Ok(hook) => {
            let body = registration_json(&state, &hook);
            lock(&state.webhooks.hooks).push(hook);
            (StatusCode::CREATED, axum::Json(body)).into_response()
        }
        Err(reject) => reject.into_response(),
    }
}

/// `GET {webhooks_url}`.
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    let hooks = lock(&state.webhooks.hooks);
    let list: Vec<Value> = hooks
        .iter()
        .filter(|h| h.business_id == caller.business_id)
        .map(|h| registration_json(&state, h))
        .collect();
    axum::Json(json!({ "webhooks": list })).into_response()
}

/// `DELETE {webhooks_url}/{webhook_id}`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let mut hooks = lock(&state.webhooks.hooks);
    let before = hooks.len();
    hooks.retain(|h| !(h.id == id && h.business_id == caller.business_id));
    if hooks.len() == before {
        return Reject::other(
            "webhook_not_found",
            StatusCode::NOT_FOUND,
            "no webhook with this id",
        )
        .details(json!({ "webhook_id": id }))
        .into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}
