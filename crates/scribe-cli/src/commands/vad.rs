//! `scribe vad FILE`: the local audio pipeline alone (no server): speech
//! segments and chunks, in seconds of the source recording.

use std::path::PathBuf;

use serde_json::{Value, json};

use scribe::audio::{
    AudioError, AudioInput, Chunk, ChunkSummary, PipelineConfig, SourceRange, chunk_audio,
};

use crate::cli::VadArgs;
use crate::exit::Exit;
use crate::output;

/// Everything the command reports.
struct Analysis {
    summary: ChunkSummary,
    segments: Vec<SourceRange>,
    chunks: Vec<Chunk>,
}

/// One pass over the audio gives both the chunks and the speech segments.
fn analyse(file: PathBuf) -> Result<Analysis, scribe::Error> {
    let config = PipelineConfig::default();
    let mut stream = chunk_audio(AudioInput::Path(file), &config)?.keep_segments();
    let chunks = stream.by_ref().collect::<Result<Vec<_>, _>>()?;
    // A stream that ended without an error has its summary.
    let summary = *stream.summary().ok_or(AudioError::WorkerStopped)?;
    Ok(Analysis {
        summary,
        segments: stream.segments().to_vec(),
        chunks,
    })
}

fn range(r: &SourceRange) -> Value {
    json!({"start": round(r.start_seconds()), "end": round(r.end_seconds())})
}

/// Milliseconds are plenty; more digits are noise.
fn round(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// The `--json` object.
fn to_json(analysis: &Analysis) -> Value {
    json!({
        "duration": round(analysis.summary.source_seconds),
        "segments": analysis.segments.iter().map(range).collect::<Vec<_>>(),
        "chunks": analysis.chunks.iter().map(|c| json!({
            "index": c.index,
            "name": c.name.to_string(),
            "duration": round(c.duration_seconds),
            "source": c.speech.iter().map(range).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

pub async fn run(args: VadArgs) -> Result<Exit, scribe::Error> {
    if !args.file.is_file() {
        return Err(scribe::Error::new(
            scribe::ErrorKind::Audio,
            format!("{} is not a readable file", args.file.display()),
        )
        .with_hint("check the path"));
    }
    let file = args.file.clone();
    let analysis = tokio::task::spawn_blocking(move || analyse(file))
        .await
        .map_err(|_| {
            scribe::Error::new(
                scribe::ErrorKind::Audio,
                "the audio analysis stopped unexpectedly",
            )
        })??;

    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| {
            scribe::Error::new(
                scribe::ErrorKind::Io,
                format!("cannot create {}", dir.display()),
            )
            .with_source(e)
        })?;
        for chunk in &analysis.chunks {
            let path = dir.join(chunk.name.to_string());
            std::fs::write(&path, &chunk.wav).map_err(|e| {
                scribe::Error::new(
                    scribe::ErrorKind::Io,
                    format!("cannot write {}", path.display()),
                )
                .with_source(e)
            })?;
        }
    }

    if args.json {
        output::json(&to_json(&analysis));
        return Ok(Exit::Ok);
    }
    let s = &analysis.summary;
    let mut text = format!(
        "{}: {:.1}s of audio, {:.1}s of speech in {} segments, {} chunks\n",
        args.file.display(),
        s.source_seconds,
        s.speech_seconds,
        analysis.segments.len(),
        analysis.chunks.len()
    );
    text.push_str("\nspeech segments:\n");
    for r in &analysis.segments {
        text.push_str(&format!(
            "  {:>8.2}s - {:>8.2}s\n",
            r.start_seconds(),
            r.end_seconds()
        ));
    }
    text.push_str("\nchunks:\n");
    for c in &analysis.chunks {
        let parts: Vec<String> = c
            .speech
            .iter()
            .map(|r| format!("{:.2}-{:.2}s", r.start_seconds(), r.end_seconds()))
            .collect();
        text.push_str(&format!(
            "  {:<14} {:>6.2}s  from {}\n",
            c.name.to_string(),
            c.duration_seconds,
            parts.join(", ")
        ));
    }
    if let Some(dir) = &args.out {
        text.push_str(&format!("\nchunk files written to {}\n", dir.display()));
    }
    output::stdout(&text);
    Ok(Exit::Ok)
}
