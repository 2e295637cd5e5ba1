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
use scribe_protocol::catalogue::{CommunicationProtocol, Model, SessionMode, UploadType};
use scribe_protocol::session::{CreateSessionRequest, TranscriptLanguage};
use serde_json::{Value, json};

use crate::auth::{Caller, json_object};
use crate::config::Dialect;
use crate::reject::Reject;
use crate::render;
use crate::routes::request::{self, Body};
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

/// Reads and checks a create request: its shape and rules from
/// scribe-protocol, then what this server adds (the Eka dialect's defaults
/// for the upload fields, its template catalogue, no unknown fields).
fn parse_create(state: &AppState, body: Body) -> Result<(Request, Option<String>), Reject> {
    let dialect = state.config.dialect;
    let body = request::without_nulls(body);
    let mut create: CreateSessionRequest = request::parse(&body, &[("templates", json!([]))])?;
    request::no_unknown_fields(&create.extra)?;
    // The spec requires both upload fields; Eka's service assumes a chunked
    // HTTP upload.
    match dialect {
        Dialect::Eka => {
            let upload_type = create.upload_type.get_or_insert(UploadType::Chunked);
            let implied = if *upload_type == UploadType::Stream {
                CommunicationProtocol::Websocket
            } else {
                CommunicationProtocol::Http
            };
            create.communication_protocol.get_or_insert(implied);
        }
        Dialect::Spec => {
            for (field, absent) in [
                ("upload_type", create.upload_type.is_none()),
                (
                    "communication_protocol",
                    create.communication_protocol.is_none(),
                ),
            ] {
                if absent {
                    return Err(Reject::missing_field(field));
                }
            }
        }
    }
    create
        .validate(Some(state.discovery()))
        .map_err(|error| request::refused(&error))?;
    request::known_templates(dialect, &create.templates)?;
    let stored = Request {
        upload_type: create
            .upload_type
            .as_ref()
            .map_or("chunked", UploadType::as_str)
            .to_owned(),
        communication_protocol: create
            .communication_protocol
            .as_ref()
            .map_or("http", CommunicationProtocol::as_str)
            .to_owned(),
        session_mode: create
            .session_mode
            .as_ref()
            .map_or("dictation", SessionMode::as_str)
            .to_owned(),
        model: create
            .model
            .as_ref()
            .map_or("lite", Model::as_str)
            .to_owned(),
        language_hint: create.language_hint.unwrap_or_default(),
        transcript_language: create.transcript_language.map(|language| match language {
            TranscriptLanguage::One(code) => Value::String(code),
            TranscriptLanguage::Many(codes) => json!(codes),
        }),
        patient_details: create.patient_details,
        additional_data: create.additional_data,
        templates: create.templates,
        user_status: None,
        processing_status: None,
    };
    Ok((stored, create.session_id))
}

/// `POST /v1/sessions`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Response {
    let result = (|| {
        let body = json_object(&body)?;
        let (request, chosen_id) = parse_create(&state, body)?;
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
