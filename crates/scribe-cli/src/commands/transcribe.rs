//! `scribe transcribe FILE...`: the whole round trip.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use scribe::{CreateSession, ProgressEvent, Session};

use crate::cli::{Global, Mode, TranscribeArgs};
use crate::connect::connect;
use crate::exit::Exit;
use crate::output;

pub async fn run(global: &Global, args: TranscribeArgs) -> Result<Exit, scribe::Error> {
    for file in &args.files {
        if !file.is_file() {
            return Err(scribe::Error::new(
                scribe::ErrorKind::Audio,
                format!("{} is not a readable file", file.display()),
            )
            .with_hint("check the path"));
        }
    }
    let connection = connect(global, args.server.local).await?;
    let client = &connection.client;

    let mut create = client.create_session();
    if !args.templates.is_empty() {
        create = create.templates(args.templates.clone());
    }
    if let Some(model) = &args.model {
        create = create.model(model.as_str());
    }
    if let Some(mode) = args.mode {
        create = create.mode(match mode {
            Mode::Dictation => scribe::SessionMode::Dictation,
            Mode::Consultation => scribe::SessionMode::Consultation,
        });
    }
    if !args.language.is_empty() {
        create = create.language_hint(args.language.clone());
    }

    let bars = MultiProgress::new();
    let session = if args.stream {
        stream_files(create, &args, &bars).await?
    } else {
        upload_files(create, &args, &bars).await?
    };
    let session_id = session.id();

    let waiting = bars.add(ProgressBar::new_spinner());
    waiting.set_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    waiting.enable_steady_tick(Duration::from_millis(120));
    waiting.set_message(format!("session {session_id}: waiting for results"));
    let mut updates = session.watch();
    let mut last = None;
    while let Some(update) = updates.next().await {
        let update = match update {
            Ok(u) => u,
            Err(e) => {
                waiting.finish_and_clear();
                return Err(e);
            }
        };
        waiting.set_message(format!("session {session_id}: {}", update.status()));
        last = Some(update);
    }
    waiting.finish_and_clear();
    let Some(result) = last else {
        return Err(scribe::Error::new(
            scribe::ErrorKind::Protocol,
            "no result was received",
        ));
    };
    if args.server.json {
        output::json(result.raw());
    } else {
        output::stdout(&output::readable_result(&result, connection.is_simulated()));
    }
    Ok(if result.is_complete() {
        Exit::Ok
    } else {
        Exit::Incomplete
    })
}

fn chunk_bar(bars: &MultiProgress, name: String) -> ProgressBar {
    let bar = bars.add(ProgressBar::new(0));
    bar.set_style(
        ProgressStyle::with_template("{prefix:.bold} [{bar:30}] {pos}/{len} chunks {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(name);
    bar
}

async fn upload_files(
    create: CreateSession<'_>,
    args: &TranscribeArgs,
    bars: &MultiProgress,
) -> Result<Session, scribe::Error> {
    let session = create.await?;
    let mut next_index = 0;
    for (n, file) in args.files.iter().enumerate() {
        let last = n + 1 == args.files.len();
        let name = file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bar = chunk_bar(bars, name.clone());
        let progress_bar = bar.clone();
        // What strict mode's error needs to name the way out.
        let damaged = Arc::new(AtomicBool::new(false));
        let ready = Arc::new(AtomicU32::new(0));
        let (seen_damage, seen_ready) = (Arc::clone(&damaged), Arc::clone(&ready));
        let upload = session
            .upload_file(file)
            .start_index(next_index)
            .end_session(last)
            .strict_audio(args.strict_audio)
            .on_progress(move |event| match event {
                ProgressEvent::AudioDamaged { .. } => seen_damage.store(true, Ordering::Relaxed),
                ProgressEvent::ChunkReady { .. } => {
                    seen_ready.fetch_add(1, Ordering::Relaxed);
                    progress_bar.inc_length(1)
                }
                ProgressEvent::ChunkUploaded { .. } | ProgressEvent::ChunkSkipped { .. } => {
                    progress_bar.inc(1)
                }
                ProgressEvent::Retry { index, .. } => {
                    progress_bar.set_message(format!("(retrying chunk {index})"))
                }
                ProgressEvent::Ended { .. } => progress_bar.set_message("session ended"),
                _ => {}
            });
        let summary = match upload.await {
            Ok(summary) => summary,
            Err(e) if args.strict_audio && damaged.load(Ordering::Relaxed) => {
                bar.abandon_with_message("damaged");
                let stored = next_index + ready.load(Ordering::Relaxed);
                return Err(e.with_hint(format!(
                    "re-export or re-copy {name} and run transcribe again, or keep the audio \
                     before the damage: `scribe session end {} --files {stored}`",
                    session.id()
                )));
            }
            Err(e) => {
                bar.abandon_with_message("failed");
                return Err(e);
            }
        };
        bar.finish_with_message(format!(
            "{:.1}s of speech in {:.1}s of audio",
            summary.speech_seconds, summary.audio_seconds
        ));
        if let Some(damage) = &summary.damage {
            // Above the bars, which redraw after it.
            bars.suspend(|| {
                eprintln!(
                    "warning: {name} is damaged: {damage}; only the audio before the damage \
                     is transcribed"
                );
            });
        }
        next_index = summary.next_index;
    }
    Ok(session)
}

async fn stream_files(
    create: CreateSession<'_>,
    args: &TranscribeArgs,
    bars: &MultiProgress,
) -> Result<Session, scribe::Error> {
    let session = create.streaming().await?;
    let mut live = session.open_stream().await?;
    for file in &args.files {
        let bar = bars.add(ProgressBar::new_spinner());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar.set_message(format!("streaming {}", file.display()));
        // As fast as the connection takes it: the file already exists.
        live.send_file(file, None).await?;
        bar.finish_with_message(format!("streamed {}", file.display()));
    }
    live.stop().await?;
    Ok(session)
}
