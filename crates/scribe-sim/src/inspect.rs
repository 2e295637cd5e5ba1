//! Inspection for tests: what arrived, what was asked, and controls that
//! move a session along now. Served under `/_sim/` and as [`Server`](crate::Server) methods.

use std::time::SystemTime;

use bytes::Bytes;
use serde::Serialize;

use crate::auth::unix_seconds;
use crate::session::{Session, SessionEntry, Status};
use crate::state::{AppState, lock};
use crate::webhooks::Event;

/// An audio file a session received (uploaded, or written from a stream).
///
/// Its `Debug` shows the size and hash, never the audio.
#[derive(Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ReceivedFile {
    /// The chunk file name, such as `chunk_0.wav`.
    pub name: String,
    /// The chunk index `n` from the name.
    pub index: u32,
    /// Exactly the bytes stored (the last upload of this name).
    #[serde(skip)]
    pub bytes: Bytes,
    /// Size of `bytes`.
    pub size: usize,
    /// Lower-case hex SHA-256 of `bytes`.
    pub sha256: String,
    /// The Content-Type the extension maps to.
    pub content_type: String,
    /// Decoded length in seconds.
    pub duration_seconds: f64,
    /// Decoded sample rate in Hz.
    pub sample_rate: u32,
    /// Decoded channel count.
    pub channels: u16,
    /// Decoded codec, such as `pcm_s16le`.
    pub codec: String,
    /// How many times this name was uploaded (re-uploads keep one file).
    pub uploads: u32,
}

impl std::fmt::Debug for ReceivedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceivedFile")
            .field("name", &self.name)
            .field("index", &self.index)
            .field("size", &self.size)
            .field("sha256", &self.sha256)
            .field("content_type", &self.content_type)
            .field("duration_seconds", &self.duration_seconds)
            .field("sample_rate", &self.sample_rate)
            .field("channels", &self.channels)
            .field("codec", &self.codec)
            .field("uploads", &self.uploads)
            .finish()
    }
}

/// A session as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SessionSummary {
    /// Session id.
    pub session_id: String,
    /// Current status (`created`, `recording`, `processing`, `completed`,
    /// `partial`, `failed`, `expired`).
    pub status: String,
    /// Business the session belongs to.
    pub business_id: String,
    /// Template ids asked for.
    pub templates: Vec<String>,
    /// `chunked`, `single` or `stream`.
    pub upload_type: String,
    /// `http`, `websocket` or `rpc`.
    pub communication_protocol: String,
    /// Received file names in processing order.
    pub audio_files: Vec<String>,
    /// What `end` said was sent, once ended.
    pub audio_files_sent: Option<u64>,
    /// Creation time, Unix seconds.
    pub created_at: u64,
    /// PCM bytes streamed but not yet flushed into files.
    pub stream_pending_bytes: usize,
}

pub(crate) fn summary(s: &Session) -> SessionSummary {
    SessionSummary {
        session_id: s.id.clone(),
        status: s.status.as_str().to_owned(),
        business_id: s.business_id.clone(),
        templates: s.request.templates.clone(),
        upload_type: s.request.upload_type.clone(),
        communication_protocol: s.request.communication_protocol.clone(),
        audio_files: s.file_names(),
        audio_files_sent: s.audio_files_sent,
        created_at: unix_seconds(s.created_at),
        stream_pending_bytes: s.stream.as_ref().map_or(0, |st| st.pcm.len()),
    }
}

pub(crate) fn files(s: &Session) -> Vec<ReceivedFile> {
    s.ordered_files()
        .into_iter()
        .map(|f| ReceivedFile {
            name: f.name.clone(),
            index: f.index,
            size: f.bytes.len(),
            bytes: f.bytes.clone(),
            sha256: f.sha256.clone(),
            content_type: f.content_type.clone(),
            duration_seconds: f.duration_seconds,
            sample_rate: f.sample_rate,
            channels: f.channels,
            codec: f.codec.clone(),
            uploads: f.uploads,
        })
        .collect()
}

impl AppState {
    pub(crate) fn summaries(&self) -> Vec<SessionSummary> {
        let entries: Vec<_> = lock(&self.sessions).values().cloned().collect();
        let mut list: Vec<SessionSummary> = entries.iter().map(|e| summary(&e.lock())).collect();
        list.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.session_id.cmp(&b.session_id))
        });
        list
    }

    /// End (if still open) and finish processing now. Returns the new status.
    pub(crate) fn finish_now(&self, entry: &SessionEntry) -> Status {
        let ended = {
            let mut s = entry.lock();
            if s.status.is_open() {
                crate::routes::stream::flush(&mut s);
                s.ended_at = Some(SystemTime::now());
                s.status = Status::Processing;
                s.generation += 1;
                Some((s.business_id.clone(), s.id.clone()))
            } else {
                None
            }
        };
        if let Some((business, id)) = ended {
            entry.notify();
            self.webhooks.emit(self, &business, Event::Ended, &id);
        }
        self.finish_processing(entry, None);
        entry.lock().status
    }
}
