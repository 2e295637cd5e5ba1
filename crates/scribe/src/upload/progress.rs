//! Progress events of an upload, for progress bars and logs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Something that happened during an upload.
///
/// Events carry counts, sizes, durations and chunk names, never audio.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProgressEvent {
    /// The recording was decoded (its length is known).
    AudioDecoded {
        /// Length of the recording in seconds.
        duration_seconds: f64,
    },
    /// The recording is damaged (cut short or corrupt) part way through:
    /// its audio stops at [`AudioDamage::at_seconds`](crate::audio::AudioDamage::at_seconds).
    /// Every chunk of the audio before that is uploaded; what follows
    /// depends on [`Upload::strict_audio`](crate::Upload::strict_audio).
    #[cfg(feature = "audio")]
    AudioDamaged {
        /// Where the audio stops, the length the file declares, the kind of
        /// damage and the decoder's message (never audio).
        damage: crate::audio::AudioDamage,
    },
    /// A chunk was cut and encoded and waits for upload.
    ChunkReady {
        /// Chunk number within the session.
        index: u32,
        /// Seconds of audio in the chunk.
        duration_seconds: f64,
        /// Encoded size.
        bytes: usize,
    },
    /// The server already had this chunk (resume); it was not sent again.
    ChunkSkipped {
        /// Chunk number within the session.
        index: u32,
    },
    /// A chunk upload failed and will be tried again.
    Retry {
        /// Chunk number within the session.
        index: u32,
        /// The attempt that will follow (2 for the first retry).
        attempt: u32,
        /// How long the upload waits first.
        delay: Duration,
        /// Why (an error message without secrets or audio).
        reason: String,
    },
    /// A chunk was stored by the server.
    ChunkUploaded {
        /// Chunk number within the session.
        index: u32,
        /// Encoded size.
        bytes: usize,
        /// HTTP attempts it took.
        attempts: u32,
    },
    /// Every chunk of this recording is uploaded (or was already there).
    AudioComplete {
        /// Chunks of this recording.
        chunks: u32,
    },
    /// The session was ended (committed for processing).
    Ended {
        /// The `audio_files_sent` count given to the server.
        audio_files_sent: u32,
    },
}

/// Where progress events go: nowhere, or the caller's callback.
#[derive(Clone, Default)]
pub(crate) struct Progress(Option<Arc<ProgressCallback>>);

/// The caller's progress callback.
type ProgressCallback = dyn Fn(&ProgressEvent) + Send + Sync;

impl Progress {
    /// Calls `f` with each event, from the uploading task.
    pub(crate) fn callback(f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(f)))
    }

    pub(crate) fn emit(&self, event: ProgressEvent) {
        if let Some(f) = &self.0 {
            f(&event);
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "Progress(callback)"
        } else {
            "Progress(none)"
        })
    }
}
