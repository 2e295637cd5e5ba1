//! [`Upload`]: the builder of every upload, and what it reports back.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use futures_util::stream::Stream;

use super::AudioChunk;
use super::progress::{Progress, ProgressEvent};
use crate::cancel::Cancel;
use crate::flavor::{BoxFuture, sealed};
use crate::{Error, Session};

/// What an upload sends.
pub(crate) enum Input<'a> {
    /// A recording to decode, VAD and chunk locally.
    #[cfg(feature = "audio")]
    Audio(crate::audio::AudioInput),
    /// Chunks the caller already encoded, in order.
    Chunks(Pin<Box<dyn Stream<Item = AudioChunk> + Send + 'a>>),
}

/// The options every upload takes.
#[derive(Debug, Clone)]
pub(crate) struct UploadOptions {
    pub(crate) concurrency: Option<usize>,
    pub(crate) end_session: bool,
    pub(crate) start_index: u32,
    pub(crate) resume: bool,
    /// A damaged recording fails the upload instead of keeping the audio
    /// before the damage.
    #[cfg(feature = "audio")]
    pub(crate) strict_audio: bool,
    pub(crate) progress: Progress,
    pub(crate) cancel: Cancel,
}

impl Default for UploadOptions {
    fn default() -> Self {
        Self {
            concurrency: None,
            end_session: true,
            start_index: 0,
            resume: false,
            #[cfg(feature = "audio")]
            strict_audio: false,
            progress: Progress::default(),
            cancel: Cancel::default(),
        }
    }
}

/// An upload to a session; from [`Session::upload_file`],
/// [`Session::upload_pcm`] or [`Session::upload_chunks`]. Set options, then
/// `.await` it (on the [blocking client](crate::blocking), `.send()`).
///
/// Chunks go up as soon as they exist, a few at a time, each retried under
/// the client's [`RetryPolicy`](crate::transport::RetryPolicy) (the same
/// policy as every other request); the server keeps one file per name, so a
/// repeated upload stores nothing twice. After the last chunk the session is
/// ended with the exact count, unless [`end_session(false)`](Self::end_session).
///
/// ```no_run
/// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
/// let summary = session
///     .upload_file("visit.m4a")
///     .concurrency(8)
///     .on_progress(|event| eprintln!("{event:?}"))
///     .await?;
/// println!("{} chunks, {:.1}s of speech", summary.chunks(), summary.speech_seconds);
/// # Ok(()) }
/// ```
#[must_use = "nothing is uploaded until this is awaited (or sent)"]
pub struct Upload<'a, S = Session> {
    pub(crate) session: &'a S,
    pub(crate) input: Input<'a>,
    pub(crate) options: UploadOptions,
}

impl<S> std::fmt::Debug for Upload<'_, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let input = match &self.input {
            #[cfg(feature = "audio")]
            Input::Audio(_) => "recording",
            Input::Chunks(_) => "chunks",
        };
        f.debug_struct("Upload")
            .field("input", &input)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl<'a, S: sealed::Session> Upload<'a, S> {
    pub(crate) fn new(session: &'a S, input: Input<'a>) -> Self {
        Self {
            session,
            input,
            options: UploadOptions::default(),
        }
    }

    /// Chunk uploads in flight at once (at least 1; default: the client's,
    /// [`DEFAULT_UPLOAD_CONCURRENCY`](crate::DEFAULT_UPLOAD_CONCURRENCY)).
    pub fn concurrency(mut self, uploads: usize) -> Self {
        self.options.concurrency = Some(uploads.max(1));
        self
    }

    /// Whether to end (commit) the session after the last chunk (default
    /// true). Pass false to upload more recordings into the same session.
    pub fn end_session(mut self, end: bool) -> Self {
        self.options.end_session = end;
        self
    }

    /// Number of the first chunk (default 0): the
    /// [`next_index`](UploadSummary::next_index) of the previous recording's
    /// summary when several share a session.
    pub fn start_index(mut self, index: u32) -> Self {
        self.options.start_index = index;
        self
    }

    /// Finishes an upload that stopped halfway (a crash, a cancellation, a
    /// lost network): asks the server which chunks it holds, makes the same
    /// chunks again and sends only the missing ones. Use the same recording
    /// and [`start_index`](Self::start_index) as the interrupted upload.
    /// Nothing is lost and nothing is sent twice.
    pub fn resume(mut self) -> Self {
        self.options.resume = true;
        self
    }

    /// What to do with a recording damaged part way through (cut short by
    /// an interrupted copy, or corrupt): by default (`false`) every chunk of
    /// the audio before the damage is uploaded, the session is ended with
    /// that exact count, a [`ProgressEvent::AudioDamaged`] is reported and
    /// [`UploadSummary::damage`] says where the audio stops and how much
    /// was lost. With `true` the damage is an error of kind
    /// [`Audio`](crate::ErrorKind::Audio) instead, after the chunks before
    /// it are stored: its message names the session, the chunks stored and
    /// that the session was left open (not ended), so the caller can end it
    /// or start again from a good copy.
    ///
    /// Damage before any audio (a file that is only a header) is an error
    /// either way.
    ///
    /// ```no_run
    /// # async fn run(session: scribe::Session) -> Result<(), scribe::Error> {
    /// let summary = session.upload_file("visit.wav").await?;
    /// if let Some(damage) = &summary.damage {
    ///     eprintln!("warning: {damage}");
    /// }
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "audio")]
    pub fn strict_audio(mut self, strict: bool) -> Self {
        self.options.strict_audio = strict;
        self
    }

    /// Calls `f` with each [`ProgressEvent`], from the uploading task: keep
    /// it quick (forward to a channel of your choice for slow work).
    pub fn on_progress(mut self, f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        self.options.progress = Progress::callback(f);
        self
    }

    /// Stops the upload when `signal` completes (any future: a timer, a
    /// channel, a cancellation token's `cancelled_owned()`, Ctrl-C):
    /// nothing more is sent, no task is left running, and the call returns
    /// an error of kind [`Cancelled`](crate::ErrorKind::Cancelled). Chunks
    /// already stored stay on the server; [`resume`](Self::resume) finishes
    /// the job. Dropping the future stops it too, without an error.
    pub fn cancel_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.options.cancel = Cancel::on(signal);
        self
    }

    /// Runs the upload (what `.await` and the blocking `.send()` run).
    pub(crate) fn run(self) -> BoxFuture<'a, Result<UploadSummary, Error>> {
        let session = self.session.session();
        Box::pin(session.upload(self.input, self.options))
    }
}

impl<'a> IntoFuture for Upload<'a, Session> {
    type Output = Result<UploadSummary, Error>;
    type IntoFuture = BoxFuture<'a, Result<UploadSummary, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        self.run()
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
    /// Where a damaged recording stops being decodable, and how much of
    /// its declared length was lost; `None` when the whole recording
    /// decoded. Only the audio before the damage was uploaded (see
    /// [`Upload::strict_audio`]).
    #[cfg(feature = "audio")]
    pub damage: Option<crate::audio::AudioDamage>,
}

impl UploadSummary {
    /// Chunks of this recording, sent now or before.
    pub fn chunks(&self) -> u32 {
        self.next_index.saturating_sub(self.first_index)
    }
}
