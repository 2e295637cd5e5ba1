//! `POST /v1/sessions/{id}/audio/{file_name}`: one chunk as the raw body.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::chunk;
use crate::reject::Reject;
use crate::routes::sessions::{closed, lookup};
use crate::session::{Status, StoredFile};
use crate::state::AppState;
use scribe_protocol::chunk::ChunkName;
use scribe_protocol::error::ErrorCode;

struct Decoded {
    duration_seconds: f64,
    sample_rate: u32,
    channels: u16,
    codec: String,
    format: String,
}

async fn decode(bytes: Bytes) -> Result<Decoded, Reject> {
    let decoded = tokio::task::spawn_blocking(move || scribe_audio::inspect(&bytes)).await;
    match decoded {
        Ok(Ok(info)) => Ok(Decoded {
            duration_seconds: info.duration_seconds,
            sample_rate: info.sample_rate,
            channels: info.channels,
            codec: info.codec,
            format: info.format,
        }),
        // The decoder's message names the problem, never the audio itself.
        Ok(Err(e)) => Err(Reject::new(
            ErrorCode::InvalidAudioFormat,
            format!("the audio does not decode: {e}"),
        )),
        Err(_) => Err(Reject::new(
            ErrorCode::InternalError,
            "the audio decoder stopped unexpectedly",
        )),
    }
}

/// Store one uploaded chunk. Re-uploading a name keeps one file (the latest
/// bytes) and counts the upload.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, file_name)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match store(&state, &caller, &id, &file_name, &headers, body).await {
        Ok(body) => (StatusCode::OK, axum::Json(body)).into_response(),
        Err(reject) => reject.into_response(),
    }
}

async fn store(
    state: &AppState,
    caller: &Caller,
    id: &str,
    file_name: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, Reject> {
    let entry = lookup(state, caller, id)?;
    {
        let s = entry.lock();
        if !s.status.is_open() {
            return Err(closed(&s));
        }
        if s.request.upload_type == "stream" {
            return Err(Reject::invalid(
                "this is a stream session: send audio over the WebSocket at its upload_url",
            ));
        }
    }
    let parsed = ChunkName::parse(file_name).map_err(|why| {
        Reject::invalid(format!("bad chunk file name: {why}"))
            .details(json!({ "file_name": file_name }))
    })?;
    let extension = parsed.extension();
    let expected_type = extension.content_type();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !chunk::content_type_fits(extension, content_type) {
        return Err(Reject::new(
            ErrorCode::InvalidAudioFormat,
            format!(
                "Content-Type `{content_type}` does not fit `.{}`; send `{expected_type}`",
                extension.as_str()
            ),
        )
        .details(json!({ "file_name": file_name, "expected_content_type": expected_type })));
    }
    let limit = state.config.max_upload_bytes;
    let too_large = || {
        Reject::new(
            ErrorCode::ChunkTooLarge,
            format!("the upload is larger than {limit} bytes; send shorter chunks"),
        )
        .details(json!({ "max_bytes": limit }))
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|e| {
        let limit_hit = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if limit_hit {
            too_large()
        } else {
            Reject::invalid("the request body could not be read to the end")
        }
    })?;
    if bytes.is_empty() {
        return Err(Reject::new(
            ErrorCode::InvalidAudioFormat,
            "the upload body is empty; send the chunk's bytes",
        ));
    }
    let decoded = decode(bytes.clone()).await?;
    if !chunk::containers(extension).contains(&decoded.format.as_str()) {
        return Err(Reject::new(
            ErrorCode::InvalidAudioFormat,
            format!(
                "the bytes are {} audio but the name says `.{}`",
                decoded.format,
                extension.as_str()
            ),
        ));
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let size = bytes.len();
    let body = {
        let mut s = entry.lock();
        // It may have ended or expired while the audio was decoded.
        if !s.status.is_open() {
            return Err(closed(&s));
        }
        if let Some(other) = s.files.values().find(|f| f.extension != extension.as_str()) {
            return Err(Reject::new(
                ErrorCode::InvalidAudioFormat,
                format!(
                    "all chunks of a session share one format; this session has `.{}` chunks",
                    other.extension
                ),
            ));
        }
        if s.request.upload_type == "single"
            && !s.files.is_empty()
            && !s.files.contains_key(file_name)
        {
            return Err(Reject::invalid(
                "a `single` upload session takes exactly one file",
            ));
        }
        let uploads = s.files.get(file_name).map_or(0, |f| f.uploads) + 1;
        s.files.insert(
            file_name.to_owned(),
            StoredFile {
                name: file_name.to_owned(),
                index: parsed.index(),
                extension: extension.as_str().to_owned(),
                content_type: expected_type.to_owned(),
                bytes,
                sha256: sha256.clone(),
                duration_seconds: decoded.duration_seconds,
                sample_rate: decoded.sample_rate,
                channels: decoded.channels,
                codec: decoded.codec,
                uploads,
            },
        );
        if s.status == Status::Created {
            s.status = Status::Recording;
        }
        json!({
            "session_id": s.id,
            "file_name": file_name,
            "status": "received",
            "bytes": size,
            "sha256": sha256,
            "duration_seconds": decoded.duration_seconds,
            "audio_files_received": s.files.len(),
        })
    };
    entry.notify();
    Ok(body)
}
