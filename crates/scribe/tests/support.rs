//! Shared helpers: a local server, a client pointed at it, sample audio and
//! what the SDK's own pipeline makes of it.

use std::path::PathBuf;
use std::time::Duration;

use scribe::audio::{AudioInput, Chunk, PipelineConfig, chunk_audio};
use scribe::config::EnvVars;
use scribe::transport::RetryPolicy;
use scribe::{ClientBuilder, CreateSession, ScribeClient, Session, SessionResult};
use scribe_sim::{Server, ServerBuilder};

/// A server that answers fast: short processing and long-poll.
pub fn quick_server() -> ServerBuilder {
    Server::builder()
        .processing_delay(Duration::from_millis(50))
        .long_poll_hold(Duration::from_millis(300))
}

pub async fn start(builder: ServerBuilder) -> Server {
    builder
        .start()
        .await
        .unwrap_or_else(|e| panic!("the local server did not start: {e}"))
}

/// `builder` pointed at `server`, reading no environment or config file.
fn pointed_at<C>(builder: ClientBuilder<C>, server: &Server) -> ClientBuilder<C> {
    builder
        .env_vars(EnvVars::none())
        .working_dir(std::env::temp_dir())
        .base_url(server.base_url())
        .auth_base_url(server.auth_base_url())
        .client_credentials(server.client_id(), server.client_secret())
        .poll_interval(Duration::from_millis(50))
        .poll_timeout(Duration::from_secs(30))
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(5)
                .initial_backoff(Duration::from_millis(20))
                .max_backoff(Duration::from_millis(200)),
        )
}

/// An async client's builder pointed at `server`.
pub fn builder_for(server: &Server) -> ClientBuilder {
    pointed_at(ScribeClient::builder(), server)
}

/// A blocking client's builder pointed at `server`, set up like [`builder_for`].
pub fn blocking_builder_for(server: &Server) -> ClientBuilder<scribe::blocking::ScribeClient> {
    pointed_at(scribe::blocking::ScribeClient::builder(), server)
}

pub fn client_for(server: &Server) -> ScribeClient {
    builder_for(server)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// A session created with the client's default options.
pub async fn new_session(client: &ScribeClient) -> Session {
    session_with(client.create_session()).await
}

/// A session created by `create` (a builder with options set).
pub async fn session_with(create: CreateSession<'_>) -> Session {
    create
        .await
        .unwrap_or_else(|e| panic!("create session: {e}"))
}

/// Uploads a recording (path or bytes) and ends the session.
pub async fn upload_file(
    session: &Session,
    source: impl Into<scribe::AudioSource>,
) -> scribe::UploadSummary {
    session
        .upload_file(source)
        .await
        .unwrap_or_else(|e| panic!("upload: {e}"))
}

/// The session's result once it reaches a terminal state.
pub async fn results(session: &Session) -> SessionResult {
    session
        .wait()
        .await
        .unwrap_or_else(|e| panic!("wait for results: {e}"))
}

/// The sample recordings the project generates (`cargo xtask fixtures`).
pub fn audio_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/audio")
}

pub fn sample(name: &str) -> PathBuf {
    audio_dir().join(name)
}

/// Every sample recording.
pub fn samples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(audio_dir())
        .unwrap_or_else(|e| panic!("examples/audio: {e}"))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_stem()
                .is_some_and(|s| s.to_string_lossy().starts_with("consultation"))
        })
        .filter(|p| p.extension().is_some_and(|e| e != "md" && e != "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 6,
        "expected the sample recordings in {}",
        audio_dir().display()
    );
    files
}

/// The chunks the SDK's pipeline makes of `input`.
pub fn local_chunks(input: AudioInput) -> Vec<Chunk> {
    chunk_audio(input, &PipelineConfig::default())
        .and_then(|stream| stream.collect_all())
        .unwrap_or_else(|e| panic!("local pipeline: {e}"))
        .0
}

/// The 16-bit mono samples of `consultation.wav`.
pub fn consultation_pcm() -> (Vec<i16>, u32) {
    let path = sample("consultation.wav");
    let reader =
        hound::WavReader::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = reader.spec();
    assert!(
        spec.channels == 1 && spec.bits_per_sample == 16,
        "consultation.wav is not 16-bit mono PCM"
    );
    let samples = reader
        .into_samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .unwrap_or_else(|e| panic!("consultation.wav: {e}"));
    (samples, spec.sample_rate)
}

/// A minute or so of speech: the sample recording repeated with pauses,
/// so the pipeline cuts several chunks.
pub fn long_recording(repeats: usize) -> (Vec<i16>, u32) {
    let (speech, rate) = consultation_pcm();
    let pause = vec![0i16; rate as usize];
    let mut out = Vec::new();
    for _ in 0..repeats {
        out.extend_from_slice(&speech);
        out.extend_from_slice(&pause);
    }
    (out, rate)
}

/// A mono 16-bit WAV file of `samples`, written as the SDK writes chunks.
pub fn wav_file(samples: &[i16], rate: u32) -> Vec<u8> {
    scribe::audio::encode_wav(samples, rate).unwrap_or_else(|e| panic!("WAV of {rate} Hz: {e}"))
}

/// Asserts the server stored exactly `expected`, chunk for chunk, byte for byte.
pub fn assert_stored(server: &Server, session_id: &str, expected: &[Chunk], first_index: u32) {
    let mut files = server
        .files(session_id)
        .unwrap_or_else(|| panic!("session {session_id} unknown to the server"));
    files.sort_by_key(|f| f.index);
    let stored: Vec<_> = files.iter().filter(|f| f.index >= first_index).collect();
    assert_eq!(stored.len(), expected.len(), "number of chunks stored");
    for (file, chunk) in stored.iter().zip(expected) {
        assert_eq!(file.index, chunk.index + first_index);
        assert_eq!(
            file.name,
            format!("chunk_{}.wav", chunk.index + first_index)
        );
        assert!(
            file.bytes.as_ref() == chunk.wav.as_slice(),
            "bytes of {} differ",
            file.name
        );
    }
}

/// Upload requests the server saw for each chunk name of a session.
pub fn upload_counts(
    server: &Server,
    session_id: &str,
) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for record in server.requests() {
        if record.route == scribe_sim::Route::UploadAudio
            && record.session_id.as_deref() == Some(session_id)
        {
            let name = record
                .path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_owned();
            *counts.entry(name).or_insert(0) += 1;
        }
    }
    counts
}
