//! One simulated session: what the client asked for, what audio arrived, and
//! where it is in its life (`created` -> `recording` -> `processing` ->
//! `completed` / `partial` / `failed`, or `expired`).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::SystemTime;

use bytes::Bytes;
use serde_json::Value;
use tokio::sync::watch;

use crate::results::Outcome;

/// Session states the simulator moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Created,
    Recording,
    Processing,
    Completed,
    Partial,
    Failed,
    Expired,
}

impl Status {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Recording => "recording",
            Status::Processing => "processing",
            Status::Completed => "completed",
            Status::Partial => "partial",
            Status::Failed => "failed",
            Status::Expired => "expired",
        }
    }

    pub(crate) fn is_terminal(self) -> bool {
        matches!(
            self,
            Status::Completed | Status::Partial | Status::Failed | Status::Expired
        )
    }

    /// Still taking audio: not yet ended.
    pub(crate) fn is_open(self) -> bool {
        matches!(self, Status::Created | Status::Recording)
    }
}

/// One stored audio file.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) name: String,
    pub(crate) index: u32,
    pub(crate) extension: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Bytes,
    pub(crate) sha256: String,
    pub(crate) duration_seconds: f64,
    pub(crate) sample_rate: u32,
    pub(crate) channels: u16,
    pub(crate) codec: String,
    pub(crate) uploads: u32,
}

/// Audio arriving over the WebSocket stream, kept until `stop` or `end`
/// flushes it into WAV files.
#[derive(Debug, Default)]
pub(crate) struct StreamBuffer {
    pub(crate) stream_id: String,
    pub(crate) pcm: Vec<u8>,
    pub(crate) next_index: u32,
    pub(crate) frames_received: u64,
}

/// What the client asked for at creation (and may change with PATCH).
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    pub(crate) templates: Vec<String>,
    pub(crate) upload_type: String,
    pub(crate) communication_protocol: String,
    pub(crate) session_mode: String,
    pub(crate) model: String,
    pub(crate) language_hint: Vec<String>,
    pub(crate) transcript_language: Option<Value>,
    pub(crate) patient_details: Option<Value>,
    pub(crate) additional_data: Option<Value>,
    pub(crate) user_status: Option<Value>,
    pub(crate) processing_status: Option<Value>,
}

/// The session's whole state.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: String,
    pub(crate) business_id: String,
    pub(crate) created_at: SystemTime,
    pub(crate) expires_at: SystemTime,
    pub(crate) status: Status,
    pub(crate) request: Request,
    pub(crate) files: BTreeMap<String, StoredFile>,
    pub(crate) stream: Option<StreamBuffer>,
    pub(crate) ended_at: Option<SystemTime>,
    pub(crate) audio_files_sent: Option<u64>,
    pub(crate) completed_at: Option<SystemTime>,
    pub(crate) expired_at: Option<SystemTime>,
    pub(crate) outcome: Option<Outcome>,
    /// Bumped by each `end` or process-template, so a stale processing timer
    /// does not overwrite newer results.
    pub(crate) generation: u64,
}

impl Session {
    /// Files in the order the server processes them: by chunk index, then name.
    pub(crate) fn ordered_files(&self) -> Vec<&StoredFile> {
        let mut files: Vec<&StoredFile> = self.files.values().collect();
        files.sort_by(|a, b| a.index.cmp(&b.index).then_with(|| a.name.cmp(&b.name)));
        files
    }

    /// Names of received files, in processing order.
    pub(crate) fn file_names(&self) -> Vec<String> {
        self.ordered_files()
            .iter()
            .map(|f| f.name.clone())
            .collect()
    }
}

/// A session plus the channel long-polling readers wait on.
#[derive(Debug)]
pub(crate) struct SessionEntry {
    pub(crate) session: Mutex<Session>,
    pub(crate) changed: watch::Sender<u64>,
}

impl SessionEntry {
    pub(crate) fn new(session: Session) -> Self {
        SessionEntry {
            session: Mutex::new(session),
            changed: watch::Sender::new(0),
        }
    }

    /// Lock the session. A panic while holding the lock cannot leave it
    /// half-updated in a way that matters to a test server, so poisoning is
    /// ignored.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wake everyone long-polling this session.
    pub(crate) fn notify(&self) {
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
    }
}
