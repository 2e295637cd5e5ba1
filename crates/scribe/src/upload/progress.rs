//! Progress events of an upload, for progress bars and logs.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

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

/// Where progress events go: a callback or a channel.
///
/// ```no_run
/// use scribe::{Progress, ProgressEvent, UploadOptions};
///
/// # async fn run(client: scribe::ScribeClient, session_id: &str) -> Result<(), scribe::Error> {
/// let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
/// let options = UploadOptions::new().progress(Progress::channel(tx));
/// let printer = tokio::spawn(async move {
///     while let Some(event) = events.recv().await {
///         if let ProgressEvent::ChunkUploaded { index, .. } = event {
///             eprintln!("chunk {index} stored");
///         }
///     }
/// });
/// client.upload_audio_file_with(session_id, "visit.wav", options).await?;
/// let _ = printer.await;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Progress {
    sink: Option<Sink>,
}

#[derive(Clone)]
enum Sink {
    Callback(Arc<dyn Fn(&ProgressEvent) + Send + Sync>),
    Channel(UnboundedSender<ProgressEvent>),
}

impl Progress {
    /// Events are dropped.
    pub fn none() -> Self {
        Self::default()
    }

    /// Calls `f` with each event, from the uploading task: keep it quick.
    pub fn callback(f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        Self {
            sink: Some(Sink::Callback(Arc::new(f))),
        }
    }

    /// Sends each event on `sender`; a closed channel is ignored.
    pub fn channel(sender: UnboundedSender<ProgressEvent>) -> Self {
        Self {
            sink: Some(Sink::Channel(sender)),
        }
    }

    pub(crate) fn emit(&self, event: ProgressEvent) {
        match &self.sink {
            None => {}
            Some(Sink::Callback(f)) => f(&event),
            Some(Sink::Channel(tx)) => {
                let _ = tx.send(event);
            }
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.sink {
            None => "none",
            Some(Sink::Callback(_)) => "callback",
            Some(Sink::Channel(_)) => "channel",
        };
        f.debug_tuple("Progress").field(&kind).finish()
    }
}
