//! Chunked upload: chunks go up as soon as they exist, a few at a time,
//! retried until stored, then the session is ended with the exact count.

mod options;
mod progress;
mod send;

#[cfg(feature = "audio")]
pub(crate) mod audio;

use std::collections::HashSet;
use std::time::Instant;

use bytes::Bytes;
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};

use crate::protocol::chunk::AudioExtension;
use crate::{Error, ScribeClient};

pub use options::{UploadOptions, UploadSummary};
pub use progress::{Progress, ProgressEvent};

#[cfg(feature = "audio")]
pub use audio::AudioSource;

/// One encoded audio file to upload as a chunk.
#[derive(Clone)]
pub struct AudioChunk {
    /// The encoded audio (a whole file: WAV, WebM, ...).
    pub bytes: Bytes,
    /// Its format, which names the file and sets the content type.
    pub extension: AudioExtension,
    /// Seconds of audio in it, when known (for the summary only).
    pub duration_seconds: Option<f64>,
}

impl AudioChunk {
    /// A chunk of `bytes` in format `extension`.
    pub fn new(bytes: impl Into<Bytes>, extension: AudioExtension) -> Self {
        Self {
            bytes: bytes.into(),
            extension,
            duration_seconds: None,
        }
    }

    /// A 16 kHz mono 16-bit WAV chunk, the format the service prefers.
    pub fn wav(bytes: impl Into<Bytes>) -> Self {
        Self::new(bytes, AudioExtension::Wav)
    }
}

impl std::fmt::Debug for AudioChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AudioChunk")
            .field("bytes", &self.bytes.len())
            .field("extension", &self.extension)
            .field("duration_seconds", &self.duration_seconds)
            .finish()
    }
}

/// A chunk with its number in the session.
pub(crate) struct Numbered {
    pub(crate) index: u32,
    pub(crate) chunk: AudioChunk,
}

/// Totals the upload engine keeps.
#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) uploaded: u32,
    pub(crate) skipped: u32,
    pub(crate) next_index: u32,
    pub(crate) bytes: u64,
    pub(crate) requests: u32,
    pub(crate) seconds: f64,
    pub(crate) first_chunk_at: Option<Instant>,
}

impl ScribeClient {
    /// Uploads one encoded chunk as file number `index` of the session
    /// (`chunk_{index}.{ext}`). Network failures, 429 and 5xx answers are
    /// retried (the transport's attempts, in up to four rounds with growing
    /// pauses) before the error is returned; the server keeps one file per
    /// name, so a repeated upload of the same number stores nothing twice.
    pub async fn upload_chunk(
        &self,
        session_id: &str,
        index: u32,
        bytes: impl Into<Bytes>,
        extension: AudioExtension,
    ) -> Result<(), Error> {
        let chunk = Numbered {
            index,
            chunk: AudioChunk::new(bytes, extension),
        };
        send::upload(self, session_id, &chunk, &Progress::none())
            .await
            .map(|_| ())
    }

    /// Uploads already-encoded chunks in order (numbered from
    /// `options.start_index`), several at a time, then ends the session
    /// unless told not to.
    ///
    /// ```no_run
    /// use scribe::AudioChunk;
    ///
    /// # async fn run(client: scribe::ScribeClient, session_id: &str, recorded: Vec<Vec<u8>>) -> Result<(), scribe::Error> {
    /// // Chunks a browser recorded as WAV files, in order.
    /// let chunks = futures_util::stream::iter(recorded.into_iter().map(AudioChunk::wav));
    /// let summary = client.upload_chunks(session_id, chunks).await?;
    /// assert_eq!(summary.ended_with, Some(summary.next_index));
    /// # Ok(()) }
    /// ```
    pub async fn upload_chunks<S>(
        &self,
        session_id: &str,
        chunks: S,
    ) -> Result<UploadSummary, Error>
    where
        S: Stream<Item = AudioChunk> + Send,
    {
        self.upload_chunks_with(session_id, chunks, UploadOptions::default())
            .await
    }

    /// [`upload_chunks`](Self::upload_chunks) with options.
    pub async fn upload_chunks_with<S>(
        &self,
        session_id: &str,
        chunks: S,
        options: UploadOptions,
    ) -> Result<UploadSummary, Error>
    where
        S: Stream<Item = AudioChunk> + Send,
    {
        let started = Instant::now();
        let start = options.start_index;
        let numbered = chunks.enumerate().map(move |(i, chunk)| {
            let index = u32::try_from(i)
                .ok()
                .and_then(|i| i.checked_add(start))
                .ok_or_else(|| {
                    crate::client::invalid(
                        "too many chunks for one session",
                        "split the recording across sessions",
                    )
                })?;
            Ok(Numbered { index, chunk })
        });
        let tally = self
            .run_upload(session_id, numbered, &options, &HashSet::new())
            .await?;
        self.finish_upload(session_id, tally, &options, started, 0.0)
            .await
    }

    /// Ends (commits) the session: the server starts processing the
    /// `audio_files_sent` chunks it should have. Ending a session that is
    /// already ended is not an error.
    pub async fn end_session(&self, session_id: &str, audio_files_sent: u32) -> Result<(), Error> {
        send::end(self, session_id, audio_files_sent).await
    }

    /// The engine: takes numbered chunks from `chunks` as they come and keeps
    /// up to the concurrency limit of uploads in flight. Everything runs in
    /// this future (no spawned task), so dropping it stops all work.
    pub(crate) async fn run_upload<S>(
        &self,
        session_id: &str,
        chunks: S,
        options: &UploadOptions,
        already_stored: &HashSet<u32>,
    ) -> Result<Tally, Error>
    where
        S: Stream<Item = Result<Numbered, Error>> + Send,
    {
        let limit = options
            .concurrency
            .unwrap_or(self.inner.upload_concurrency)
            .max(1);
        let mut chunks = std::pin::pin!(chunks);
        let mut in_flight = FuturesUnordered::new();
        let mut tally = Tally {
            next_index: options.start_index,
            ..Tally::default()
        };
        let mut source_done = false;
        loop {
            if source_done && in_flight.is_empty() {
                break;
            }
            tokio::select! {
                biased;
                () = options.cancel.cancelled() => return Err(Error::cancelled("the upload")),
                Some(done) = in_flight.next(), if !in_flight.is_empty() => {
                    let (index, bytes, attempts): (u32, usize, u32) = done?;
                    tally.uploaded += 1;
                    tally.bytes += bytes as u64;
                    tally.requests += attempts;
                    tally.first_chunk_at.get_or_insert_with(Instant::now);
                    options.progress.emit(ProgressEvent::ChunkUploaded { index, bytes, attempts });
                }
                next = chunks.next(), if !source_done && in_flight.len() < limit => {
                    match next {
                        None => source_done = true,
                        Some(Err(e)) => return Err(e),
                        Some(Ok(item)) => {
                            tally.next_index = tally.next_index.max(item.index.saturating_add(1));
                            let duration = item.chunk.duration_seconds.unwrap_or(0.0);
                            tally.seconds += duration;
                            options.progress.emit(ProgressEvent::ChunkReady {
                                index: item.index,
                                duration_seconds: duration,
                                bytes: item.chunk.bytes.len(),
                            });
                            if already_stored.contains(&item.index) {
                                tally.skipped += 1;
                                options.progress.emit(ProgressEvent::ChunkSkipped { index: item.index });
                                continue;
                            }
                            let progress = options.progress.clone();
                            in_flight.push(async move {
                                let attempts = send::upload(self, session_id, &item, &progress).await?;
                                Ok::<_, Error>((item.index, item.chunk.bytes.len(), attempts))
                            });
                        }
                    }
                }
            }
        }
        options.progress.emit(ProgressEvent::AudioComplete {
            chunks: tally.next_index.saturating_sub(options.start_index),
        });
        Ok(tally)
    }

    /// Ends the session when asked and builds the summary.
    pub(crate) async fn finish_upload(
        &self,
        session_id: &str,
        tally: Tally,
        options: &UploadOptions,
        started: Instant,
        audio_seconds: f64,
    ) -> Result<UploadSummary, Error> {
        let mut ended_with = None;
        if options.end_session {
            if options.cancel.is_cancelled() {
                return Err(Error::cancelled("the upload"));
            }
            let count = tally.next_index;
            tokio::select! {
                biased;
                () = options.cancel.cancelled() => return Err(Error::cancelled("the upload")),
                r = self.end_session(session_id, count) => r?,
            }
            options.progress.emit(ProgressEvent::Ended {
                audio_files_sent: count,
            });
            ended_with = Some(count);
        }
        Ok(UploadSummary {
            chunks_uploaded: tally.uploaded,
            chunks_skipped: tally.skipped,
            first_index: options.start_index,
            next_index: tally.next_index,
            audio_seconds,
            speech_seconds: tally.seconds,
            bytes_uploaded: tally.bytes,
            requests: tally.requests,
            ended_with,
            elapsed: started.elapsed(),
            first_chunk_after: tally.first_chunk_at.map(|t| t.duration_since(started)),
        })
    }
}
