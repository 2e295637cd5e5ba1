//! Shared helpers: a local server, a client pointed at it, sample audio and
//! what the SDK's own pipeline makes of it.

use std::path::PathBuf;
use std::time::Duration;

use scribe::audio::{AudioInput, Chunk, PipelineConfig, chunk_audio};
use scribe::config::EnvVars;
use scribe::transport::RetryPolicy;
use scribe::{ClientBuilder, ScribeClient};
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

/// A builder pointed at `server`, reading no environment or config file.
pub fn builder_for(server: &Server) -> ClientBuilder {
    ScribeClient::builder()
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

pub fn client_for(server: &Server) -> ScribeClient {
    builder_for(server)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
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
    let bytes = std::fs::read(sample("consultation.wav")).unwrap_or_else(|e| panic!("{e}"));
    let (samples, rate) =
        wav_pcm(&bytes).unwrap_or_else(|| panic!("consultation.wav is not 16-bit PCM"));
    (samples, rate)
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

/// A mono 16-bit WAV file of `samples`.
pub fn wav_file(samples: &[i16], rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}

fn wav_pcm(wav: &[u8]) -> Option<(Vec<i16>, u32)> {
    if wav.len() < 12 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    let mut rate = None;
    while at + 8 <= wav.len() {
        let size = u32::from_le_bytes(wav[at + 4..at + 8].try_into().ok()?) as usize;
        let body = &wav[at + 8..(at + 8 + size).min(wav.len())];
        match &wav[at..at + 4] {
            b"fmt " => {
                let channels = u16::from_le_bytes(body[2..4].try_into().ok()?);
                let bits = u16::from_le_bytes(body[14..16].try_into().ok()?);
                if channels != 1 || bits != 16 {
                    return None;
                }
                rate = Some(u32::from_le_bytes(body[4..8].try_into().ok()?));
            }
            b"data" => {
                let samples = body
                    .chunks_exact(2)
                    .map(|b| i16::from_le_bytes([b[0], b[1]]))
                    .collect();
                return Some((samples, rate?));
            }
            _ => {}
        }
        at += 8 + size + size % 2;
    }
    None
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
