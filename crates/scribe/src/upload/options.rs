//! What a caller can choose about an upload, and what it reports back.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::progress::{Progress, ProgressEvent};

/// Options of an upload (`upload_audio_file_with`, `upload_pcm_with`,
/// `upload_chunks_with`, `resume_upload_with`).
///
/// ```
/// let cancel = scribe::CancellationToken::new();
/// let options = scribe::UploadOptions::new()
///     .concurrency(2)
///     .end_session(false)
///     .start_index(12)
///     .cancel_token(cancel.clone())
///     .on_progress(|event| eprintln!("{event:?}"));
/// # let _ = options;
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct UploadOptions {
    pub(crate) concurrency: Option<usize>,
    pub(crate) end_session: bool,
    pub(crate) start_index: u32,
    pub(crate) progress: Progress,
    pub(crate) cancel: CancellationToken,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            concurrency: None,
            end_session: true,
            start_index: 0,
            progress: Progress::none(),
            cancel: CancellationToken::new(),
        }
    }
}

impl UploadOptions {
    /// Defaults: the client's concurrency (4), end the session afterwards,
    /// first chunk number 0, no progress reporting, no cancellation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Chunk uploads in flight at once (at least 1).
    pub fn concurrency(mut self, uploads: usize) -> Self {
        self.concurrency = Some(uploads.max(1));
        self
    }

    /// Whether to end (commit) the session after the last chunk (default
    /// true). Pass false to upload more recordings into the same session.
    pub fn end_session(mut self, end: bool) -> Self {
        self.end_session = end;
        self
    }

    /// Number of the first chunk (default 0): the `next_index` of the
    /// previous recording's [`UploadSummary`] when several share a session.
    pub fn start_index(mut self, index: u32) -> Self {
        self.start_index = index;
        self
    }

    /// Where progress events go.
    pub fn progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Calls `f` with each progress event.
    pub fn on_progress(self, f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        self.progress(Progress::callback(f))
    }

    /// Stops the upload when `token` is cancelled: nothing more is sent, no
    /// task is left running, and the call returns an error for which
    /// [`crate::Error::is_cancelled`] is true. Chunks already stored stay on
    /// the server; [`crate::ScribeClient::resume_upload`] finishes the job.
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = token;
        self
    }
}

/// What an upload did.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct UploadSummary {
    /// Chunks sent by this call.
    pub chunks_uploaded: u32,
    /// Chunks the server already had (resume) and that were not sent again.
    pub chunks_skipped: u32,
    /// Number of the first chunk of this recording.
    pub first_index: u32,
    /// Number for the next recording's first chunk in the same session.
    pub next_index: u32,
    /// Length of the recording, when it was decoded locally.
    pub audio_seconds: f64,
    /// Seconds of audio in the chunks (speech plus a little margin).
    pub speech_seconds: f64,
    /// Bytes of audio sent.
    pub bytes_uploaded: u64,
    /// HTTP requests made for chunks, retries included.
    pub requests: u32,
    /// `audio_files_sent` given to `end`, when the session was ended.
    pub ended_with: Option<u32>,
    /// Time from the call to its end (including `end`).
    pub elapsed: Duration,
    /// Time from the call to the first chunk stored by the server.
    pub first_chunk_after: Option<Duration>,
}

impl UploadSummary {
    /// Chunks of this recording, sent now or before.
    pub fn chunks(&self) -> u32 {
        self.next_index.saturating_sub(self.first_index)
    }
}
