//! A blocking client for scripts and programs without an async runtime.
//!
//! [`ScribeClient`] runs the async [`crate::ScribeClient`] on a runtime of
//! its own (two worker threads) and offers the same methods, blocking until
//! each is done. Do not call it from inside an async runtime; use the async
//! client there.
//!
//! ```no_run
//! # #[cfg(feature = "audio")]
//! # fn run() -> Result<(), scribe::Error> {
//! let client = scribe::blocking::ScribeClient::from_env()?;
//! let s = client.create_session(Default::default())?;
//! client.upload_audio_file(&s.session_id, "visit.wav")?;
//! let result = client.wait_for_results(&s.session_id)?;
//! println!("{}", result.status());
//! # Ok(()) }
//! ```

use std::sync::Arc;

use bytes::Bytes;
use serde_json::Value;

use crate::config::Config;
use crate::protocol::chunk::AudioExtension;
use crate::protocol::discovery::DiscoveryDocument;
use crate::protocol::session::{CreateSessionResponse, PatchSessionRequest};
use crate::protocol::templates::TemplateList;
use crate::stream::StreamSummary;
use crate::{
    AudioChunk, ClientBuilder, Error, ErrorKind, SessionOptions, SessionResult, StreamOptions,
    UploadOptions, UploadSummary, WaitOptions,
};

/// Owns the runtime; shuts it down without blocking when the last client
/// clone goes, even if that happens on a runtime thread.
struct Runtime(Option<tokio::runtime::Runtime>);

impl Runtime {
    fn get(&self) -> &tokio::runtime::Runtime {
        // Only `Drop` takes the runtime out.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("runtime used after drop"))
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
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

impl ClientBuilder {
    /// Builds a [`blocking::ScribeClient`](ScribeClient) with its own runtime.
    pub fn build_blocking(self) -> Result<ScribeClient, Error> {
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
            self.build()?
        };
        Ok(ScribeClient {
            client,
            runtime: Arc::new(Runtime(Some(runtime))),
        })
    }
}

impl ScribeClient {
    /// The same builder as the async client's; finish with
    /// [`ClientBuilder::build_blocking`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment (and `.env`) and any config file.
    pub fn from_env() -> Result<Self, Error> {
        Self::builder().build_blocking()
    }

    /// Runs `future` to completion on the client's runtime. Called from
    /// inside an async runtime, where blocking would stall (or panic), it
    /// returns an error naming the async client instead.
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
        self.runtime.get().block_on(future)
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
        self.block_on(self.client.discovery())
    }

    /// See [`crate::ScribeClient::templates`].
    pub fn templates(&self) -> Result<TemplateList, Error> {
        self.block_on(self.client.templates())
    }

    /// See [`crate::ScribeClient::create_session`].
    pub fn create_session(&self, options: SessionOptions) -> Result<CreateSessionResponse, Error> {
        self.block_on(self.client.create_session(options))
    }

    /// Calls on existing sessions.
    pub fn sessions(&self) -> Sessions<'_> {
        Sessions { client: self }
    }

    /// See [`crate::ScribeClient::upload_chunk`].
    pub fn upload_chunk(
        &self,
        session_id: &str,
        index: u32,
        bytes: impl Into<Bytes>,
        extension: AudioExtension,
    ) -> Result<(), Error> {
        self.block_on(
            self.client
                .upload_chunk(session_id, index, bytes, extension),
        )
    }

    /// See [`crate::ScribeClient::upload_chunks`]; takes any iterator.
    pub fn upload_chunks<I>(&self, session_id: &str, chunks: I) -> Result<UploadSummary, Error>
    where
        I: IntoIterator<Item = AudioChunk>,
        I::IntoIter: Send,
    {
        self.upload_chunks_with(session_id, chunks, UploadOptions::default())
    }

    /// See [`crate::ScribeClient::upload_chunks_with`].
    pub fn upload_chunks_with<I>(
        &self,
        session_id: &str,
        chunks: I,
        options: UploadOptions,
    ) -> Result<UploadSummary, Error>
    where
        I: IntoIterator<Item = AudioChunk>,
        I::IntoIter: Send,
    {
        let stream = futures_util::stream::iter(chunks);
        self.block_on(self.client.upload_chunks_with(session_id, stream, options))
    }

    /// See [`crate::ScribeClient::end_session`].
    pub fn end_session(&self, session_id: &str, audio_files_sent: u32) -> Result<(), Error> {
        self.block_on(self.client.end_session(session_id, audio_files_sent))
    }

    /// See [`crate::ScribeClient::wait_for_results`].
    pub fn wait_for_results(&self, session_id: &str) -> Result<SessionResult, Error> {
        self.block_on(self.client.wait_for_results(session_id))
    }

    /// See [`crate::ScribeClient::wait_for_results_with`].
    pub fn wait_for_results_with(
        &self,
        session_id: &str,
        options: WaitOptions,
    ) -> Result<SessionResult, Error> {
        self.block_on(self.client.wait_for_results_with(session_id, options))
    }

    /// See [`crate::ScribeClient::watch`]: the updates as a blocking iterator.
    pub fn watch(
        &self,
        session_id: &str,
    ) -> impl Iterator<Item = Result<SessionResult, Error>> + '_ {
        let mut stream = Box::pin(self.client.watch(session_id));
        let mut failed = false;
        std::iter::from_fn(move || {
            use futures_util::StreamExt;
            if failed {
                return None;
            }
            match self.block_on(async { Ok(stream.next().await) }) {
                Ok(next) => next,
                Err(e) => {
                    failed = true;
                    Some(Err(e))
                }
            }
        })
    }

    /// See [`crate::ScribeClient::open_stream`].
    pub fn open_stream(&self, options: StreamOptions) -> Result<LiveStream, Error> {
        let live = self.block_on(self.client.open_stream(options))?;
        Ok(LiveStream {
            live,
            client: self.clone(),
        })
    }
}

#[cfg(feature = "audio")]
impl ScribeClient {
    /// See [`crate::ScribeClient::upload_audio_file`].
    pub fn upload_audio_file(
        &self,
        session_id: &str,
        source: impl Into<crate::AudioSource>,
    ) -> Result<UploadSummary, Error> {
        self.block_on(self.client.upload_audio_file(session_id, source))
    }

    /// See [`crate::ScribeClient::upload_audio_file_with`].
    pub fn upload_audio_file_with(
        &self,
        session_id: &str,
        source: impl Into<crate::AudioSource>,
        options: UploadOptions,
    ) -> Result<UploadSummary, Error> {
        self.block_on(
            self.client
                .upload_audio_file_with(session_id, source, options),
        )
    }

    /// See [`crate::ScribeClient::upload_pcm`].
    pub fn upload_pcm(
        &self,
        session_id: &str,
        pcm: &[i16],
        sample_rate: u32,
    ) -> Result<UploadSummary, Error> {
        self.block_on(self.client.upload_pcm(session_id, pcm, sample_rate))
    }

    /// See [`crate::ScribeClient::upload_pcm_with`].
    pub fn upload_pcm_with(
        &self,
        session_id: &str,
        pcm: &[i16],
        sample_rate: u32,
        options: UploadOptions,
    ) -> Result<UploadSummary, Error> {
        self.block_on(
            self.client
                .upload_pcm_with(session_id, pcm, sample_rate, options),
        )
    }

    /// See [`crate::ScribeClient::resume_upload`].
    pub fn resume_upload(
        &self,
        session_id: &str,
        source: impl Into<crate::AudioSource>,
    ) -> Result<UploadSummary, Error> {
        self.block_on(self.client.resume_upload(session_id, source))
    }

    /// See [`crate::ScribeClient::resume_upload_with`].
    pub fn resume_upload_with(
        &self,
        session_id: &str,
        source: impl Into<crate::AudioSource>,
        options: UploadOptions,
    ) -> Result<UploadSummary, Error> {
        self.block_on(self.client.resume_upload_with(session_id, source, options))
    }
}

/// Calls on existing sessions; from [`ScribeClient::sessions`].
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a> {
    client: &'a ScribeClient,
}

impl Sessions<'_> {
    /// See [`crate::Sessions::get`].
    pub fn get(&self, session_id: &str) -> Result<SessionResult, Error> {
        self.client
            .block_on(self.client.client.sessions().get(session_id))
    }

    /// See [`crate::Sessions::get_template`].
    pub fn get_template(
        &self,
        session_id: &str,
        template_id: &str,
    ) -> Result<SessionResult, Error> {
        self.client.block_on(
            self.client
                .client
                .sessions()
                .get_template(session_id, template_id),
        )
    }

    /// See [`crate::Sessions::end`].
    pub fn end(&self, session_id: &str, audio_files_sent: u32) -> Result<(), Error> {
        self.client.end_session(session_id, audio_files_sent)
    }

    /// See [`crate::Sessions::patch`].
    pub fn patch(&self, session_id: &str, update: &PatchSessionRequest) -> Result<Value, Error> {
        self.client
            .block_on(self.client.client.sessions().patch(session_id, update))
    }

    /// See [`crate::Sessions::process_template`].
    pub fn process_template(
        &self,
        session_id: &str,
        template_id: Option<&str>,
    ) -> Result<Value, Error> {
        self.client.block_on(
            self.client
                .client
                .sessions()
                .process_template(session_id, template_id),
        )
    }
}

/// A blocking live stream; see [`crate::LiveStream`].
#[derive(Debug)]
pub struct LiveStream {
    live: crate::LiveStream,
    client: ScribeClient,
}

impl LiveStream {
    /// The session the stream feeds.
    pub fn session_id(&self) -> &str {
        self.live.session_id()
    }

    /// See [`crate::LiveStream::send_audio`].
    pub fn send_audio(&mut self, pcm: &[i16]) -> Result<(), Error> {
        self.client.block_on(self.live.send_audio(pcm))
    }

    /// See [`crate::LiveStream::send_samples_paced`].
    pub fn send_samples_paced(&mut self, pcm: &[i16], speed: Option<f64>) -> Result<(), Error> {
        self.client
            .block_on(self.live.send_samples_paced(pcm, speed))
    }

    /// See [`crate::LiveStream::send_file`].
    #[cfg(feature = "audio")]
    pub fn send_file(
        &mut self,
        source: impl Into<crate::AudioSource>,
        speed: Option<f64>,
    ) -> Result<StreamSummary, Error> {
        self.client.block_on(self.live.send_file(source, speed))
    }

    /// See [`crate::LiveStream::stop`].
    pub fn stop(self) -> Result<StreamSummary, Error> {
        let Self { live, client } = self;
        client.block_on(live.stop())
    }
}
