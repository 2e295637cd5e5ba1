//! End to end: one long recording, from the call to `end`, against the local
//! server in a child process (so this process's memory is the SDK's alone).
//!
//! ```text
//! cargo xtask assets
//! cargo bench -p scribe --bench e2e                 # 60 minutes
//! cargo bench -p scribe --bench e2e -- --file x.mp3 --concurrency 8
//! ```
//!
//! The recording is `target/bench-audio/consult_60m.mp3` when
//! `cargo xtask bench audio` has made it, else a 60-minute WAV built here
//! from `examples/audio/consultation.wav` repeated with pauses. Reports wall
//! time from the call to `end`, time to the first chunk stored, peak resident
//! memory, and the requests the server saw.
#![allow(clippy::print_stdout)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scribe::config::EnvVars;
use scribe::transport::Request;
use scribe::{ProgressEvent, ScribeClient};

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--serve-sim") {
        return serve();
    }
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let minutes: u32 = value("--minutes").map_or(Ok(60), |m| m.parse())?;
    let concurrency: usize = value("--concurrency").map_or(Ok(4), |c| c.parse())?;
    let file = match value("--file") {
        // Cargo runs benches in the package directory: a relative path that
        // is not found there is taken from the workspace root.
        Some(file) if Path::new(&file).exists() => PathBuf::from(file),
        Some(file) => workspace().join(file),
        None => recording(minutes)?,
    };
    run(&file, concurrency)
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The long recording: xtask's when present, else one built here.
fn recording(minutes: u32) -> BenchResult<PathBuf> {
    let cache = workspace().join("target/bench-audio");
    let xtask = cache.join(format!("consult_{minutes:02}m.mp3"));
    if xtask.is_file() {
        return Ok(xtask);
    }
    let path = cache.join(format!("e2e_{minutes:02}m.wav"));
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(&cache)?;
    let sample = std::fs::read(workspace().join("examples/audio/consultation.wav"))?;
    let speech = sample.get(44..).ok_or("consultation.wav is too short")?;
    let pause = vec![0u8; 16_000 * 2];
    let target = u64::from(minutes) * 60 * 16_000 * 2;
    let mut data = Vec::with_capacity(target as usize);
    while (data.len() as u64) < target {
        data.extend_from_slice(speech);
        data.extend_from_slice(&pause);
    }
    data.truncate(target as usize);
    let mut wav = Vec::with_capacity(data.len() + 44);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend_from_slice(&32_000u32.to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    std::fs::write(&path, wav)?;
    Ok(path)
}

/// Child mode: run the local server, print how to reach it, serve until
/// stdin closes.
fn serve() -> BenchResult<()> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let server = scribe_sim::Server::builder()
            .processing_delay(Duration::from_millis(100))
            .long_poll_hold(Duration::from_secs(2))
            .start()
            .await?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", server.base_url())?;
        writeln!(out, "{}", server.auth_base_url())?;
        writeln!(out, "{}", server.client_id())?;
        writeln!(out, "{}", server.client_secret())?;
        out.flush()?;
        drop(out);
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            while std::io::stdin()
                .read_line(&mut line)
                .map(|n| n > 0)
                .unwrap_or(false)
            {}
        })
        .await?;
        server.shutdown().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}

struct Sim {
    child: Child,
    base_url: String,
    auth_base_url: String,
    client_id: String,
    client_secret: String,
}

fn spawn_sim() -> BenchResult<Sim> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--serve-sim")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let mut next =
        || -> BenchResult<String> { Ok(lines.next().ok_or("the server did not start")??) };
    Ok(Sim {
        base_url: next()?,
        auth_base_url: next()?,
        client_id: next()?,
        client_secret: next()?,
        child,
    })
}

/// Peak resident set size of this process, in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn run(file: &Path, concurrency: usize) -> BenchResult<()> {
    let size = std::fs::metadata(file)?.len();
    let mut sim = spawn_sim()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(async {
        let client = ScribeClient::builder()
            .env_vars(EnvVars::none())
            .working_dir(std::env::temp_dir())
            .base_url(&sim.base_url)
            .auth_base_url(&sim.auth_base_url)
            .client_credentials(&sim.client_id, &sim.client_secret)
            .upload_concurrency(concurrency)
            .poll_interval(Duration::from_millis(200))
            .build()?;
        let rss_before = peak_rss_mib();
        let first_ready = Arc::new(Mutex::new(None::<Instant>));
        let seen = Arc::clone(&first_ready);
        let started = Instant::now();
        let session = client.create_session().await?;
        let summary = session
            .upload_file(file)
            .on_progress(move |event| {
                if let ProgressEvent::ChunkReady { .. } = event {
                    if let Ok(mut slot) = seen.lock() {
                        slot.get_or_insert_with(Instant::now);
                    }
                }
            })
            .await?;
        let to_end = started.elapsed();
        let result = session.wait().await?;
        let to_results = started.elapsed();
        let log = scribe::transport::HttpClient::new(scribe::transport::TransportConfig::default())?
            .send(Request::get(format!("{}/_sim/requests", sim.auth_base_url)).without_auth())
            .await?;
        let log: serde_json::Value = log.json()?;
        let requests = log["requests"].as_array().map_or(0, Vec::len);
        let first_ready = first_ready
            .lock()
            .ok()
            .and_then(|t| *t)
            .map(|t| t.duration_since(started));
        Ok::<_, scribe::Error>(format!(
            "e2e upload of {file} ({mib:.1} MiB, {audio:.1} min of audio)\n\
             \x20 concurrency:               {concurrency}\n\
             \x20 chunks:                    {chunks} ({speech:.1} min of speech, {sent:.1} MiB sent)\n\
             \x20 wall time, call to end:    {to_end:.2} s ({speed:.0}x real time)\n\
             \x20 first chunk ready:         {ready}\n\
             \x20 first chunk stored:        {stored}\n\
             \x20 results after:             {to_results:.2} s (status {status})\n\
             \x20 requests seen by server:   {requests} (chunk uploads incl. retries: {uploads})\n\
             \x20 peak RSS of SDK process:   {peak} MiB (before upload: {before} MiB)",
            file = file.display(),
            mib = size as f64 / 1_048_576.0,
            audio = summary.audio_seconds / 60.0,
            chunks = summary.chunks(),
            speech = summary.speech_seconds / 60.0,
            sent = summary.bytes_uploaded as f64 / 1_048_576.0,
            to_end = to_end.as_secs_f64(),
            speed = summary.audio_seconds / to_end.as_secs_f64(),
            ready = first_ready.map_or("n/a".to_owned(), |d| format!("{:.3} s", d.as_secs_f64())),
            stored = summary
                .first_chunk_after
                .map_or("n/a".to_owned(), |d| format!("{:.3} s", d.as_secs_f64())),
            to_results = to_results.as_secs_f64(),
            status = result.status(),
            uploads = summary.requests,
            peak = peak_rss_mib().map_or("n/a".to_owned(), |m| format!("{m:.0}")),
            before = rss_before.map_or("n/a".to_owned(), |m| format!("{m:.0}")),
        ))
    });
    drop(sim.child.stdin.take());
    let _ = sim.child.wait();
    println!("{}", report?);
    Ok(())
}
