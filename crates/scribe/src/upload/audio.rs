//! Recordings: decode, VAD and chunk locally, upload as chunks appear.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::audio::{
    AudioDamage, AudioError, AudioInput, Chunk, ChunkSummary, PipelineConfig, chunk_audio,
};
use crate::{Error, ErrorKind, Session};

use super::{
    AudioChunk, Input, Numbered, ProgressEvent, Tally, Upload, UploadOptions, UploadSummary,
};

/// A recording to upload: a file path or the encoded bytes of a file.
#[derive(Clone)]
pub enum AudioSource {
    /// A file on disk.
    Path(PathBuf),
    /// The bytes of an encoded recording (any supported format).
    Bytes(Bytes),
}

impl std::fmt::Debug for AudioSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Self::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
        }
    }
}

impl From<&str> for AudioSource {
    fn from(path: &str) -> Self {
        Self::Path(PathBuf::from(path))
    }
}

impl From<String> for AudioSource {
    fn from(path: String) -> Self {
        Self::Path(PathBuf::from(path))
    }
}

impl From<&Path> for AudioSource {
    fn from(path: &Path) -> Self {
        Self::Path(path.to_path_buf())
    }
}

impl From<PathBuf> for AudioSource {
    fn from(path: PathBuf) -> Self {
        Self::Path(path)
    }
}

impl From<&PathBuf> for AudioSource {
    fn from(path: &PathBuf) -> Self {
        Self::Path(path.clone())
    }
}

impl From<Vec<u8>> for AudioSource {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Bytes(Bytes::from(bytes))
    }
}

impl From<&[u8]> for AudioSource {
    fn from(bytes: &[u8]) -> Self {
        Self::Bytes(Bytes::copy_from_slice(bytes))
    }
}

impl From<Bytes> for AudioSource {
    fn from(bytes: Bytes) -> Self {
        Self::Bytes(bytes)
    }
}

impl AudioSource {
    pub(crate) fn into_input(self) -> AudioInput {
        match self {
            Self::Path(path) => AudioInput::Path(path),
            Self::Bytes(bytes) => AudioInput::Bytes(bytes.to_vec()),
        }
    }
}

/// 16-bit mono samples as the pipeline's raw PCM input.
pub(crate) fn pcm_input(pcm: &[i16], sample_rate: u32) -> AudioInput {
    AudioInput::PcmI16Le {
        bytes: pcm.iter().flat_map(|s| s.to_le_bytes()).collect(),
        sample_rate,
        channels: 1,
    }
}

/// What the blocking pipeline thread hands to the uploader.
pub(crate) enum Feed {
    Chunk(Chunk),
    Done(ChunkSummary),
}

/// Why the pipeline stopped before its end: the error and, for a recording
/// damaged after some audio, where that audio stops (every chunk of the
/// audio before it was fed first).
pub(crate) struct Stopped {
    pub(crate) error: AudioError,
    pub(crate) damage: Option<AudioDamage>,
}

/// Chunks waiting between the pipeline thread and the uploads, beyond those
/// in flight: enough to keep uploads busy, little enough to keep memory flat.
const FEED_DEPTH: usize = 4;

/// Starts the pipeline on a blocking thread. It stops by itself soon after
/// the receiver is dropped (the next chunk finds the channel closed and the
/// pipeline's own threads are stopped when its stream is dropped).
pub(crate) fn start_pipeline(
    input: AudioInput,
    config: PipelineConfig,
) -> mpsc::Receiver<Result<Feed, AudioError>> {
    spawn_pipeline(input, config, |item| item.map_err(|stopped| stopped.error))
}

/// [`start_pipeline`], telling damage from other errors.
fn start_recording_pipeline(
    input: AudioInput,
    config: PipelineConfig,
) -> mpsc::Receiver<Result<Feed, Stopped>> {
    spawn_pipeline(input, config, |item| item)
}

fn spawn_pipeline<T: Send + 'static>(
    input: AudioInput,
    config: PipelineConfig,
    wrap: fn(Result<Feed, Stopped>) -> T,
) -> mpsc::Receiver<T> {
    let (tx, rx) = mpsc::channel(FEED_DEPTH);
    tokio::task::spawn_blocking(move || {
        let mut stream = match chunk_audio(input, &config) {
            Ok(stream) => stream,
            Err(error) => {
                let _ = tx.blocking_send(wrap(Err(Stopped {
                    error,
                    damage: None,
                })));
                return;
            }
        };
        while let Some(item) = stream.next() {
            let feed = item.map(Feed::Chunk).map_err(|error| Stopped {
                error,
                damage: stream.damage().cloned(),
            });
            let failed = feed.is_err();
            if tx.blocking_send(wrap(feed)).is_err() || failed {
                return;
            }
        }
        if let Some(summary) = stream.summary() {
            let _ = tx.blocking_send(wrap(Ok(Feed::Done(*summary))));
        }
    });
    rx
}

impl Session {
    /// Uploads a recording: a path or the bytes of any supported file
    /// (wav, mp3, m4a, webm, ogg, flac). It is decoded, speech is found by
    /// voice-activity detection and cut into chunks, each chunk goes up as
    /// soon as it exists, and the session is ended with the exact count.
    /// Only speech leaves the machine. See [`Upload`] for the options.
    ///
    /// A recording damaged part way through (cut short, corrupt) is
    /// uploaded up to the damage, with a warning in the summary
    /// ([`UploadSummary::damage`]); [`Upload::strict_audio`] makes it an
    /// error instead.
    ///
    /// ```no_run
    /// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
    /// let summary = session.upload_file("visit.m4a").await?;
    /// println!("{} chunks, {:.1}s of speech", summary.chunks(), summary.speech_seconds);
    /// # Ok(()) }
    /// ```
    pub fn upload_file(&self, source: impl Into<AudioSource>) -> Upload<'_> {
        Upload::new(self, Input::Audio(source.into().into_input()))
    }

    /// Uploads mono 16-bit PCM samples at `sample_rate` Hz the same way as
    /// a file: speech detection, chunking, upload, end.
    pub fn upload_pcm(&self, pcm: &[i16], sample_rate: u32) -> Upload<'_> {
        Upload::new(self, Input::Audio(pcm_input(pcm, sample_rate)))
    }

    pub(super) async fn upload_recording(
        &self,
        input: AudioInput,
        options: UploadOptions,
        stored: HashSet<u32>,
    ) -> Result<UploadSummary, Error> {
        let started = Instant::now();
        let mut feed = start_recording_pipeline(input, self.client.inner.pipeline.clone());
        let start = options.start_index;
        let mut summary: Option<ChunkSummary> = None;
        let summary_slot = &mut summary;
        let mut damaged: Option<(AudioDamage, AudioError)> = None;
        let damaged_slot = &mut damaged;
        let progress = options.progress.clone();
        let chunks =
            futures_util::stream::poll_fn(move |cx| feed.poll_recv(cx)).filter_map(move |item| {
                let out = match item {
                    Err(Stopped {
                        error,
                        damage: None,
                    }) => Some(Err(Error::from(error))),
                    Ok(Feed::Done(s)) => {
                        *summary_slot = Some(s);
                        None
                    }
                    // The feed ends here: the chunks in flight finish, then
                    // the damage is dealt with.
                    Err(Stopped {
                        error,
                        damage: Some(damage),
                    }) => {
                        // Reported to the caller (event, summary or error);
                        // the log only records it.
                        tracing::info!(
                            at_seconds = damage.at_seconds,
                            declared_seconds = damage.declared_seconds,
                            kind = %damage.kind,
                            "the recording is damaged; only the audio before the damage is chunked"
                        );
                        progress.emit(ProgressEvent::AudioDamaged {
                            damage: damage.clone(),
                        });
                        *damaged_slot = Some((damage, error));
                        None
                    }
                    Ok(Feed::Chunk(chunk)) => Some(
                        chunk
                            .index
                            .checked_add(start)
                            .ok_or_else(|| {
                                Error::new(ErrorKind::Audio, "too many chunks for one session")
                            })
                            .map(|index| Numbered {
                                index,
                                chunk: AudioChunk {
                                    bytes: Bytes::from(chunk.wav),
                                    extension: chunk.name.extension(),
                                    duration_seconds: Some(chunk.duration_seconds),
                                },
                            }),
                    ),
                };
                std::future::ready(out)
            });
        let tally = self.run_upload(chunks, &options, &stored).await?;
        if let Some((damage, error)) = damaged {
            return self
                .finish_damaged(tally, &options, started, damage, error)
                .await;
        }
        let Some(found) = summary else {
            return Err(Error::new(
                ErrorKind::Audio,
                "the audio pipeline stopped without finishing",
            ));
        };
        options.progress.emit(ProgressEvent::AudioDecoded {
            duration_seconds: found.source_seconds,
        });
        if found.no_speech() && start == 0 && options.end_session {
            return Err(Error::new(
                ErrorKind::Audio,
                format!(
                    "no speech found in {:.1}s of audio; nothing was uploaded",
                    found.source_seconds
                ),
            )
            .with_hint("check the recording (microphone muted? wrong file?)"));
        }
        self.finish_upload(tally, &options, started, found.source_seconds)
            .await
    }

    /// The end of a damaged recording's upload, once every chunk of the
    /// audio before the damage is stored: the session ended with their
    /// count, or in strict mode left open and an error saying so.
    async fn finish_damaged(
        &self,
        tally: Tally,
        options: &UploadOptions,
        started: Instant,
        damage: AudioDamage,
        error: AudioError,
    ) -> Result<UploadSummary, Error> {
        options.progress.emit(ProgressEvent::AudioDecoded {
            duration_seconds: damage.at_seconds,
        });
        let chunks = tally.next_index.saturating_sub(options.start_index);
        if options.strict_audio {
            let stored = tally.uploaded + tally.skipped;
            return Err(Error::new(
                ErrorKind::Audio,
                format!(
                    "{damage}; session {} was left open (not ended) with {stored} chunk{} of \
                     this recording stored",
                    self.id(),
                    if stored == 1 { "" } else { "s" },
                ),
            )
            .with_hint(format!(
                "re-export or re-copy the recording and upload it again, or end the session \
                 with audio_files_sent = {} to process the audio before the damage",
                tally.next_index
            ))
            .with_source(error));
        }
        if chunks == 0 && options.start_index == 0 && options.end_session {
            return Err(Error::new(
                ErrorKind::Audio,
                format!("no speech before the damage ({damage}); nothing was uploaded"),
            )
            .with_hint("re-export or re-copy the recording")
            .with_source(error));
        }
        let mut summary = self
            .finish_upload(tally, options, started, damage.at_seconds)
            .await?;
        summary.damage = Some(damage);
        Ok(summary)
    }
}
