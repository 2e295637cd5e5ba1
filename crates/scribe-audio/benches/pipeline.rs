//! One run of the file pipeline, timed from the outside in: how long until
//! the first chunk is ready and until all of them are, how many chunks, and
//! the process's peak resident memory (`VmHWM`).
//!
//! `cargo xtask bench audio` builds this in release mode and runs it once per
//! file in a fresh process (so the peak memory is this run's alone):
//!
//! ```text
//! pipeline FILE [--mode default|sequential|sections] [--max-seconds S] [--decode-threads N] [--json]
//! pipeline FILE --decode-only     (time the decoder alone)
//! ```
//!
//! Without a file (as `cargo bench -p scribe-audio --bench pipeline` runs
//! it) it chunks every recording in `examples/audio/` and prints a line each.
//! Needs the ONNX Runtime library and the Silero model (`cargo xtask assets`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use scribe_audio::{AudioInput, ChunkConfig, PipelineConfig, VadConfig, VadMode, chunk_audio};

struct Args {
    files: Vec<PathBuf>,
    mode: VadMode,
    mode_name: String,
    max_seconds: f64,
    json: bool,
    decode_only: bool,
    decode_threads: Option<usize>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        files: Vec::new(),
        mode: VadConfig::default().mode,
        mode_name: "default".into(),
        max_seconds: ChunkConfig::default().max_seconds,
        json: false,
        decode_only: false,
        decode_threads: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--mode" => {
                let name = it.next();
                args.mode = match name.as_deref() {
                    Some("default") => VadConfig::default().mode,
                    Some("sequential") => VadMode::Sequential,
                    Some("sections") => VadMode::sections(),
                    other => {
                        return Err(format!(
                            "unknown mode {other:?}: default, sequential or sections"
                        ));
                    }
                };
                args.mode_name = name.unwrap_or_default();
            }
            "--max-seconds" => {
                args.max_seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--max-seconds needs a number")?;
            }
            "--json" => args.json = true,
            "--decode-threads" => {
                args.decode_threads = Some(
                    it.next()
                        .and_then(|v| v.parse().ok())
                        .ok_or("--decode-threads needs a number")?,
                );
            }
            "--decode-only" => args.decode_only = true,
            // Passed by `cargo bench`.
            "--bench" => {}
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            file => args.files.push(file.into()),
        }
    }
    if args.files.is_empty() {
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/audio");
        let mut found: Vec<PathBuf> = std::fs::read_dir(&examples)
            .map_err(|e| format!("{}: {e}", examples.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x != "md"))
            .collect();
        found.sort();
        args.files = found;
    }
    Ok(args)
}

/// What one run measured.
struct Run {
    first_chunk_s: f64,
    all_chunks_s: f64,
    chunks: usize,
    max_chunk_s: f64,
    chunk_audio_s: f64,
    speech: Vec<(f64, f64)>,
}

fn run(file: &Path, args: &Args) -> Result<Run, scribe_audio::AudioError> {
    let mut config = PipelineConfig::default()
        .with_vad(VadConfig::default().with_mode(args.mode))
        .with_chunk(ChunkConfig::default().with_max_seconds(args.max_seconds));
    if let Some(threads) = args.decode_threads {
        config = config.with_decode_threads(threads);
    }
    let started = Instant::now();
    let mut first_chunk_s = None;
    let mut run = Run {
        first_chunk_s: f64::NAN,
        all_chunks_s: f64::NAN,
        chunks: 0,
        max_chunk_s: 0.0,
        chunk_audio_s: 0.0,
        speech: Vec::new(),
    };
    for chunk in chunk_audio(AudioInput::Path(file.to_path_buf()), &config)? {
        let chunk = chunk?;
        first_chunk_s.get_or_insert_with(|| started.elapsed().as_secs_f64());
        run.chunks += 1;
        run.max_chunk_s = run.max_chunk_s.max(chunk.duration_seconds);
        run.chunk_audio_s += chunk.duration_seconds;
        run.speech.extend(
            chunk
                .speech
                .iter()
                .map(|r| (r.start_seconds(), r.end_seconds())),
        );
    }
    run.all_chunks_s = started.elapsed().as_secs_f64();
    run.first_chunk_s = first_chunk_s.unwrap_or(f64::NAN);
    Ok(run)
}

/// This process's peak resident set, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time (user + system) this process has used so far, in seconds
/// (Linux `/proc/self/stat`, in clock ticks of 1/100 s).
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name; utime and stime
            // are the 14th and 15th fields of the whole line.
            let rest = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mode = args.mode_name.as_str();
    for file in &args.files {
        if args.decode_only {
            match decode_only(file) {
                Ok(line) => report(&line),
                Err(e) => {
                    eprintln!("{}: {e}", file.display());
                    return ExitCode::FAILURE;
                }
            }
            continue;
        }
        let r = match run(file, &args) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                return ExitCode::FAILURE;
            }
        };
        let line = if args.json {
            serde_json::json!({
                "file": file.display().to_string(),
                "mode": mode,
                "first_chunk_s": r.first_chunk_s,
                "all_chunks_s": r.all_chunks_s,
                "chunks": r.chunks,
                "max_chunk_s": r.max_chunk_s,
                "max_seconds": args.max_seconds,
                "chunk_audio_s": r.chunk_audio_s,
                "peak_rss_mib": peak_rss_mib(),
                "cpu_s": cpu_seconds(),
                "speech": r.speech,
            })
            .to_string()
        } else {
            format!(
                "{}: {mode}: first chunk {:.3} s, all {:.3} s, {} chunks ({:.1} s of audio, longest {:.2} s), peak RSS so far {:.0} MiB",
                file.display(),
                r.first_chunk_s,
                r.all_chunks_s,
                r.chunks,
                r.chunk_audio_s,
                r.max_chunk_s,
                peak_rss_mib()
            )
        };
        report(&line);
    }
    ExitCode::SUCCESS
}

/// The measurement is this program's output.
#[allow(clippy::print_stdout)]
fn report(line: &str) {
    println!("{line}");
}

/// Decoding alone (`inspect` decodes every packet): how much of the
/// pipeline's time the decoder takes.
fn decode_only(file: &Path) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let info = scribe_audio::inspect(&bytes).map_err(|e| e.to_string())?;
    Ok(format!(
        "{}: decode only: {:.3} s for {} frames ({:.4} s) of {} at {} Hz x {}, CPU {:.2} s",
        file.display(),
        started.elapsed().as_secs_f64(),
        info.frames,
        info.duration_seconds,
        info.codec,
        info.sample_rate,
        info.channels,
        cpu_seconds()
    ))
}
