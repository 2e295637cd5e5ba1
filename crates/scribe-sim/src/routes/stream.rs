//! WebSocket streaming at the `upload_url` of a `stream` session: binary
//! frames of 16-bit little-endian mono PCM at 16 kHz, or the JSON envelope
//! (`start`, `media` with base64 PCM, `stop`). On `stop` the audio so far is
//! written as WAV chunks and the server closes; `end` then commits.

use std::sync::Arc;

use axum::Extension;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::reject::Reject;
use crate::routes::sessions::{closed, lookup};
use crate::server::ConnectionControl;
use crate::session::{Session, SessionEntry, Status, StoredFile};
use crate::state::{AppState, lock};
use scribe_protocol::error::ErrorCode;

use scribe_protocol::catalogue::EKA_PREFERRED_CHUNK_SECONDS;
use scribe_protocol::stream::{PCM_ENCODING, PCM_SAMPLE_RATE as RATE, StreamEvent, StreamFrame};

/// Longest WAV chunk a flush writes (the length Eka's backend prefers).
const CHUNK_SECONDS: usize = EKA_PREFERRED_CHUNK_SECONDS as usize;

/// Set by the fault injector: drop the connection after this many frames.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropAfterFrames(pub(crate) u32);

/// `GET .../v1/stream/sessions/{stream_id}/audio` (WebSocket upgrade).
pub(crate) async fn upgrade(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(stream_id): Path<String>,
    control: Option<Extension<ConnectionControl>>,
    drop_after: Option<Extension<DropAfterFrames>>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let session_id = lock(&state.streams).get(&stream_id).cloned();
    let Some(session_id) = session_id else {
        return Reject::new(
            ErrorCode::SessionNotFound,
            "no stream with this id; create a `stream` session first",
        )
        .into_response();
    };
    let entry = match lookup(&state, &caller, &session_id) {
        Ok(entry) => entry,
        Err(reject) => return reject.into_response(),
    };
    {
        let s = entry.lock();
        if !s.status.is_open() {
            return closed(&s).into_response();
        }
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return Reject::invalid(format!("this URL takes a WebSocket upgrade: {rejection}"))
                .into_response();
        }
    };
    let control = control.map(|Extension(c)| c);
    let drop_after = drop_after.map(|Extension(d)| d.0);
    ws.on_upgrade(move |socket| run(state, entry, stream_id, socket, control, drop_after))
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

enum Step {
    Continue,
    Stop,
    Fail(u16, String),
}

async fn run(
    state: AppState,
    entry: Arc<SessionEntry>,
    stream_id: String,
    mut socket: WebSocket,
    control: Option<ConnectionControl>,
    drop_after: Option<u32>,
) {
    // Unflushed audio is held in memory; bound it.
    let max_pending = state.config.max_upload_bytes.saturating_mul(4);
    let mut frames: u32 = 0;
    let mut changed = entry.changed.subscribe();
    loop {
        let message = tokio::select! {
            () = state.shutdown.cancelled() => {
                let _ = socket.send(close(close_code::AWAY, "server shutting down")).await;
                return;
            }
            _ = changed.changed() => {
                // `end` (or expiry) while the socket is open: what arrived
                // was committed; say so and close.
                let status = entry.lock().status;
                if !status.is_open() {
                    let reason = format!("session {}; no more audio is taken", status.as_str());
                    let _ = socket.send(close(close_code::NORMAL, &reason)).await;
                    return;
                }
                continue;
            }
            m = socket.recv() => m,
        };
        let step = match message {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(Message::Binary(pcm))) => {
                frames += 1;
                append(&entry, &pcm, max_pending)
            }
            Some(Ok(Message::Text(text))) => {
                frames += 1;
                envelope(&entry, &stream_id, text.as_str(), max_pending)
            }
        };
        if drop_after.is_some_and(|n| frames >= n) {
            // Abrupt: no close frame, and a TCP reset rather than a FIN.
            if let Some(control) = &control {
                control.kill();
            }
            return;
        }
        match step {
            Step::Continue => {}
            Step::Stop => {
                let files = {
                    let mut s = entry.lock();
                    flush(&mut s);
                    s.files.len()
                };
                entry.notify();
                let _ = socket
                    .send(close(
                        close_code::NORMAL,
                        &format!("flushed; {files} audio file(s) stored"),
                    ))
                    .await;
                // Wait (briefly) for the client's close reply.
                let _ =
                    tokio::time::timeout(std::time::Duration::from_secs(2), socket.recv()).await;
                return;
            }
            Step::Fail(code, reason) => {
                let _ = socket.send(close(code, &reason)).await;
                return;
            }
        }
    }
}

fn append(entry: &SessionEntry, pcm: &[u8], max_pending: usize) -> Step {
    let became_recording = {
        let mut s = entry.lock();
        if !s.status.is_open() {
            return Step::Fail(
                close_code::POLICY,
                format!("session is {}", s.status.as_str()),
            );
        }
        let Some(stream) = s.stream.as_mut() else {
            return Step::Fail(close_code::ERROR, "session has no stream".to_owned());
        };
        if stream.pcm.len().saturating_add(pcm.len()) > max_pending {
            return Step::Fail(
                close_code::SIZE,
                format!(
                    "more than {max_pending} bytes of audio before `stop`; send `stop` to flush"
                ),
            );
        }
        stream.pcm.extend_from_slice(pcm);
        stream.frames_received += 1;
        let was_created = s.status == Status::Created;
        if was_created {
            s.status = Status::Recording;
        }
        was_created
    };
    if became_recording {
        entry.notify();
    }
    Step::Continue
}

fn envelope(entry: &SessionEntry, stream_id: &str, text: &str, max_pending: usize) -> Step {
    let Ok(frame) = serde_json::from_str::<StreamFrame>(text) else {
        return Step::Fail(
            close_code::INVALID,
            "text frames must be protocol control frames (start, media or stop)".to_owned(),
        );
    };
    match frame.event {
        StreamEvent::Start => {
            let Some(start) = frame.start else {
                return Step::Fail(
                    close_code::INVALID,
                    "a start frame needs a `start` object with `streamId`".to_owned(),
                );
            };
            if start.stream_id != stream_id {
                return Step::Fail(
                    close_code::POLICY,
                    "streamId does not match this URL".to_owned(),
                );
            }
            if start.media_format.is_some_and(|format| {
                !format.encoding.eq_ignore_ascii_case(PCM_ENCODING) || format.sample_rate != RATE
            }) {
                return Step::Fail(
                    close_code::UNSUPPORTED,
                    "only audio/x-l16 at 16000 Hz is supported".to_owned(),
                );
            }
            Step::Continue
        }
        StreamEvent::Media => match frame.pcm() {
            Ok(Some(pcm)) => append(entry, &pcm, max_pending),
            _ => Step::Fail(
                close_code::INVALID,
                "media.payload must be base64 PCM".to_owned(),
            ),
        },
        StreamEvent::Stop => Step::Stop,
        _ => Step::Fail(
            close_code::POLICY,
            "unknown event; use start, media or stop".to_owned(),
        ),
    }
}

/// Write the buffered PCM as WAV chunks of at most [`CHUNK_SECONDS`] into the
/// session's files (`stream_{n}.wav`). A trailing odd byte waits for the next
/// frame.
pub(crate) fn flush(s: &mut Session) {
    let Some(stream) = s.stream.as_mut() else {
        return;
    };
    let whole = stream.pcm.len() - stream.pcm.len() % 2;
    if whole == 0 {
        return;
    }
    let pcm: Vec<u8> = stream.pcm.drain(..whole).collect();
    let mut written = Vec::new();
    for piece in pcm.chunks(CHUNK_SECONDS * RATE as usize * 2) {
        let index = stream.next_index;
        stream.next_index += 1;
        let bytes = Bytes::from(crate::wav::encode_le_bytes(piece, RATE));
        let name = format!("stream_{index}.wav");
        written.push(StoredFile {
            name: name.clone(),
            index,
            extension: "wav".to_owned(),
            content_type: "audio/wav".to_owned(),
            sha256: hex::encode(Sha256::digest(&bytes)),
            bytes,
            duration_seconds: piece.len() as f64 / 2.0 / f64::from(RATE),
            sample_rate: RATE,
            channels: 1,
            codec: "pcm_s16le".to_owned(),
            uploads: 1,
        });
    }
    for file in written {
        s.files.insert(file.name.clone(), file);
    }
}
