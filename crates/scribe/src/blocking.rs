//! A blocking client for scripts and programs without an async runtime.
//!
//! [`ScribeClient`] drives the async [`crate::ScribeClient`] on a runtime of
//! its own (two worker threads). It has the same shape: the same builders
//! ([`CreateSession`], [`Upload`], [`Wait`], [`Watch`], [`OpenStream`]),
//! finished with `.send()` instead of `.await`, and a [`Session`] handle with
//! the same methods. Do not call it from inside an async runtime; use the
//! async client there.
//!
//! ```no_run
//! # #[cfg(feature = "audio")]
//! # fn run() -> Result<(), scribe::Error> {
//! let client = scribe::blocking::ScribeClient::from_env()?;
//! let session = client.create_session().templates(["clinical_notes_template"]).send()?;
//! session.upload_file("visit.wav").send()?;
//! let result = session.wait().send()?;
//! println!("{}", result.status());
//! # Ok(()) }
//! ```

use std::sync::Arc;

use crate::config::Config;
use crate::flavor::sealed;
use crate::protocol::discovery::DiscoveryDocument;
use crate::protocol::session::{
    CreateSessionResponse, PatchSessionRequest, PatchSessionResponse, ProcessTemplateResponse,
};
use crate::protocol::templates::TemplateList;
use crate::stream::{ServerMessage, StreamSummary};
use crate::upload::Input;
use crate::{
    AudioChunk, ClientBuilder, CreateSession, Error, ErrorKind, OpenStream, SessionResult, Upload,
    UploadSummary, Wait, Watch,
};

/// Owns the runtime; shuts it down without blocking when the last client
/// clone goes, even if that happens on a runtime thread.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl Runtime {
    /// Runs `future` to completion. Called from inside an async runtime,
    /// where blocking would stall (or panic), it returns an error naming the
    /// async client instead.
    fn block_on<T>(
        &self,
        future: impl std::future::Future<Output = Result<T, Error>>,
    ) -> Result<T, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::new(
                ErrorKind::Other,
                "the blocking client was called from inside an async runtime",
            )
            .with_hint("use scribe::ScribeClient (async) there, or call from a plain thread"));
        }
        match &self.0 {
            Some(rt) => rt.block_on(future),
            None => Err(Error::new(
                ErrorKind::Other,
                "the client's runtime is shut down",
            )),
        }
    }
}

/// The blocking EkaScribe client; cheap to clone.
#[derive(Clone)]
pub struct ScribeClient {
    client: crate::ScribeClient,
    runtime: Arc<Runtime>,
}

impl std::fmt::Debug for ScribeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::ScribeClient")
            .field(&self.client)
            .finish()
    }
}

impl sealed::Client for ScribeClient {
    fn client(&self) -> &crate::ScribeClient {
        &self.client
    }
}

impl ClientBuilder<ScribeClient> {
    /// Resolves the configuration and builds the blocking client, with its
    /// own runtime.
    pub fn build(self) -> Result<ScribeClient, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("scribe-blocking")
            .enable_all()
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::Io, "the client's runtime could not be started")
                    .with_source(e)
            })?;
        let client = {
            let _guard = runtime.enter();
            self.build_async()?
        };
        Ok(ScribeClient {
            client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }
}

impl ScribeClient {
    /// A builder for a blocking client; values set on it win over the
    /// environment and config file.
    pub fn builder() -> ClientBuilder<ScribeClient> {
        ClientBuilder::default()
    }

    /// A client configured from the environment (and `.env`) and any config file.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build()
    }

    /// The async client this one drives.
    pub fn as_async(&self) -> &crate::ScribeClient {
        &self.client
    }

    /// The resolved configuration.
    pub fn config(&self) -> &Config {
        self.client.config()
    }

    /// See [`crate::ScribeClient::discovery`].
    pub fn discovery(&self) -> Result<Arc<DiscoveryDocument>, Error> {
        self.runtime.block_on(self.client.discovery())
    }

    /// See [`crate::ScribeClient::templates`].
    pub fn templates(&self) -> Result<TemplateList, Error> {
        self.runtime.block_on(self.client.templates())
    }

    /// Creates a session; finish the builder with `.send()`. See
    /// [`crate::CreateSession`].
    pub fn create_session(&self) -> CreateSession<'_, ScribeClient> {
        CreateSession::new(self)
    }

    /// The handle of an existing session. See [`crate::ScribeClient::session`].
    pub fn session(&self, id: impl Into<String>) -> Session {
        self.wrap(self.client.session(id))
    }

    fn wrap(&self, session: crate::Session) -> Session {
        Session {
            session,
            runtime: Arc::clone(&self.runtime),
        }
    }
}

impl CreateSession<'_, ScribeClient> {
    /// Creates the session, blocking until the server answered.
    pub fn send(self) -> Result<Session, Error> {
        let blocking = self.client;
        let session = blocking.runtime.block_on(self.run())?;
        Ok(blocking.wrap(session))
    }
}

/// A session on the blocking client; see [`crate::Session`].
#[derive(Clone)]
pub struct Session {
    session: crate::Session,
    runtime: Arc<Runtime>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::Session")
            .field(&self.session)
            .finish()
    }
}

impl sealed::Session for Session {
    fn session(&self) -> &crate::Session {
        &self.session
    }
}

impl Session {
    /// The session id.
    pub fn id(&self) -> &str {
        self.session.id()
    }

    /// See [`crate::Session::creation`].
    pub fn creation(&self) -> Option<&CreateSessionResponse> {
        self.session.creation()
    }

    /// The async handle this one drives.
    pub fn as_async(&self) -> &crate::Session {
        &self.session
    }

    /// See [`crate::Session::get`].
    pub fn get(&self) -> Result<SessionResult, Error> {
        self.runtime.block_on(self.session.get())
    }

    /// See [`crate::Session::get_template`].
    pub fn get_template(&self, template_id: &str) -> Result<SessionResult, Error> {
        self.runtime
            .block_on(self.session.get_template(template_id))
    }

    /// See [`crate::Session::end`].
    pub fn end(&self, audio_files_sent: u32) -> Result<(), Error> {
        self.runtime.block_on(self.session.end(audio_files_sent))
    }

    /// See [`crate::Session::patch`].
    pub fn patch(&self, update: &PatchSessionRequest) -> Result<PatchSessionResponse, Error> {
        self.runtime.block_on(self.session.patch(update))
    }

    /// See [`crate::Session::process_template`].
    pub fn process_template(
        &self,
        template_id: Option<&str>,
    ) -> Result<ProcessTemplateResponse, Error> {
        self.runtime
            .block_on(self.session.process_template(template_id))
    }

    /// See [`crate::Session::upload_file`]; finish with `.send()`.
    #[cfg(feature = "audio")]
    pub fn upload_file(&self, source: impl Into<crate::AudioSource>) -> Upload<'_, Session> {
        Upload::new(self, Input::Audio(source.into().into_input()))
    }

    /// See [`crate::Session::upload_pcm`]; finish with `.send()`.
    #[cfg(feature = "audio")]
    pub fn upload_pcm(&self, pcm: &[i16], sample_rate: u32) -> Upload<'_, Session> {
        Upload::new(
            self,
            Input::Audio(crate::upload::audio::pcm_input(pcm, sample_rate)),
        )
    }

    /// See [`crate::Session::upload_chunks`]; takes any iterator. Finish
    /// with `.send()`.
    pub fn upload_chunks<'a, I>(&'a self, chunks: I) -> Upload<'a, Session>
    where
        I: IntoIterator<Item = AudioChunk>,
        I::IntoIter: Send + 'a,
    {
        Upload::new(
            self,
            Input::Chunks(Box::pin(futures_util::stream::iter(chunks))),
        )
    }

    /// See [`crate::Session::wait`]; finish with `.send()`.
    pub fn wait(&self) -> Wait<'_, Session> {
        Wait::new(self)
    }

    /// See [`crate::Session::watch`]: the updates as a blocking iterator
    /// (`for update in session.watch() { .. }`).
    pub fn watch(&self) -> Watch<'_, Session> {
        Watch::new(self)
    }

    /// See [`crate::Session::open_stream`]; finish with `.send()`.
    pub fn open_stream(&self) -> OpenStream<'_, Session> {
        OpenStream::new(self)
    }
}

impl Upload<'_, Session> {
    /// Runs the upload, blocking until it is done.
    pub fn send(self) -> Result<UploadSummary, Error> {
        let runtime = Arc::clone(&self.session.runtime);
        runtime.block_on(self.run())
    }
}

impl Wait<'_, Session> {
    /// Waits, blocking, for the session's results.
    pub fn send(self) -> Result<SessionResult, Error> {
        let runtime = Arc::clone(&self.session.runtime);
        runtime.block_on(self.run())
    }
}

impl<'a> IntoIterator for Watch<'a, Session> {
    type Item = Result<SessionResult, Error>;
    type IntoIter = WatchIter<'a>;

    fn into_iter(self) -> WatchIter<'a> {
        WatchIter { watch: self }
    }
}

/// The updates of a [`Watch`] on the blocking client, as an iterator.
#[derive(Debug)]
pub struct WatchIter<'a> {
    watch: Watch<'a, Session>,
}

impl Iterator for WatchIter<'_> {
    type Item = Result<SessionResult, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        use futures_util::StreamExt;
        let runtime = Arc::clone(&self.watch.session.runtime);
        let updates = self.watch.updates();
        match runtime.block_on(async { Ok(updates.next().await) }) {
            Ok(next) => next,
            Err(e) => Some(Err(e)),
        }
    }
}

impl OpenStream<'_, Session> {
    /// Opens the stream, blocking until it is connected.
    pub fn send(self) -> Result<LiveStream, Error> {
        let runtime = Arc::clone(&self.session.runtime);
        let live = runtime.block_on(self.run())?;
        Ok(LiveStream { live, runtime })
    }
}

/// A blocking live stream; see [`crate::LiveStream`].
pub struct LiveStream {
    live: crate::LiveStream,
    runtime: Arc<Runtime>,
}

impl std::fmt::Debug for LiveStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("blocking::LiveStream")
            .field(&self.live)
            .finish()
    }
}

impl LiveStream {
    /// The session the stream feeds.
    pub fn session(&self) -> &crate::Session {
        self.live.session()
    }

    /// See [`crate::LiveStream::send_audio`].
    pub fn send_audio(&mut self, pcm: &[i16]) -> Result<(), Error> {
        self.runtime.block_on(self.live.send_audio(pcm))
    }

    /// See [`crate::LiveStream::send_samples_paced`].
    pub fn send_samples_paced(&mut self, pcm: &[i16], speed: Option<f64>) -> Result<(), Error> {
        self.runtime
            .block_on(self.live.send_samples_paced(pcm, speed))
    }

    /// See [`crate::LiveStream::send_file`].
    #[cfg(feature = "audio")]
    pub fn send_file(
        &mut self,
        source: impl Into<crate::AudioSource>,
        speed: Option<f64>,
    ) -> Result<StreamSummary, Error> {
        self.runtime.block_on(self.live.send_file(source, speed))
    }

    /// See [`crate::LiveStream::next_message`].
    pub fn next_message(&mut self) -> Result<Option<ServerMessage>, Error> {
        self.runtime.block_on(self.live.next_message())
    }

    /// See [`crate::LiveStream::stop`].
    pub fn stop(self) -> Result<StreamSummary, Error> {
        let Self { live, runtime } = self;
        runtime.block_on(live.stop())
    }
}
