//! Chunked upload: chunks go up as soon as they exist, a few at a time,
//! each retried by the transport under the client's retry policy, then the
//! session is ended with the exact count.

mod options;
mod progress;
mod send;

#[cfg(feature = "audio")]
pub(crate) mod audio;

use std::collections::HashSet;
use std::time::Instant;

use bytes::Bytes;
use futures_util::stream::{FuturesUnordered, Stream, StreamExt};

use crate::protocol::chunk::{AudioExtension, ChunkName};
use crate::{Error, Session};

pub(crate) use options::{Input, UploadOptions};
pub use options::{Upload, UploadSummary};
pub(crate) use progress::Progress;
pub use progress::ProgressEvent;

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

impl Session {
    /// Uploads chunks the caller already encoded (a browser's WAV files,
    /// say), in order, numbered from [`Upload::start_index`]; then ends the
    /// session unless told not to. See [`Upload`] for the options.
    ///
    /// ```no_run
    /// use scribe::AudioChunk;
    ///
    /// # async fn run(session: scribe::Session, recorded: Vec<Vec<u8>>) -> Result<(), scribe::Error> {
    /// let chunks = futures_util::stream::iter(recorded.into_iter().map(AudioChunk::wav));
    /// let summary = session.upload_chunks(chunks).await?;
    /// assert_eq!(summary.ended_with, Some(summary.next_index));
    /// # Ok(()) }
    /// ```
    pub fn upload_chunks<'a, C>(&'a self, chunks: C) -> Upload<'a>
    where
        C: Stream<Item = AudioChunk> + Send + 'a,
    {
        Upload::new(self, Input::Chunks(Box::pin(chunks)))
    }

    /// Every upload ends here: the chunks of the input, sent, then `end`.
    pub(crate) async fn upload(
        &self,
        input: Input<'_>,
        options: UploadOptions,
    ) -> Result<UploadSummary, Error> {
        let started = Instant::now();
        let stored = if options.resume {
            self.stored_chunks().await?
        } else {
            HashSet::new()
        };
        match input {
            #[cfg(feature = "audio")]
            Input::Audio(audio) => self.upload_recording(audio, options, stored).await,
            Input::Chunks(chunks) => {
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
                let tally = self.run_upload(numbered, &options, &stored).await?;
                self.finish_upload(tally, &options, started, 0.0).await
            }
        }
    }

    /// Numbers of the `chunk_{n}` files the server holds.
    async fn stored_chunks(&self) -> Result<HashSet<u32>, Error> {
        let session = self.get().await?;
        Ok(session
            .audio_files()
            .iter()
            .filter_map(|name| ChunkName::parse(name).ok())
            .filter(|name| name.base() == crate::protocol::chunk::DEFAULT_BASE)
            .map(|name| name.index())
            .collect())
    }

    /// The engine: takes numbered chunks from `chunks` as they come and keeps
    /// up to the concurrency limit of uploads in flight. Everything runs in
    /// this future (no spawned task), so dropping it stops all work.
    pub(crate) async fn run_upload<S>(
        &self,
        chunks: S,
        options: &UploadOptions,
        already_stored: &HashSet<u32>,
    ) -> Result<Tally, Error>
    where
        S: Stream<Item = Result<Numbered, Error>> + Send,
    {
        let limit = options
            .concurrency
            .unwrap_or(self.client.inner.upload_concurrency)
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
                () = options.cancel.fired() => return Err(Error::cancelled("the upload")),
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
                                let attempts = send::upload(self, &item, &progress).await?;
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
        tally: Tally,
        options: &UploadOptions,
        started: Instant,
        audio_seconds: f64,
    ) -> Result<UploadSummary, Error> {
        let mut ended_with = None;
        if options.end_session {
            if options.cancel.has_fired() {
                return Err(Error::cancelled("the upload"));
            }
            let count = tally.next_index;
            tokio::select! {
                biased;
                () = options.cancel.fired() => return Err(Error::cancelled("the upload")),
                r = self.end(count) => r?,
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
            #[cfg(feature = "audio")]
            damage: None,
        })
    }
}
