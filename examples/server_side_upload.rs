//! A backend receiving recordings and turning them into notes: several
//! recordings (say, the parts of one visit) go into one session, with patient
//! details and a reference of the caller's, progress reported as chunks go
//! up, Ctrl-C stopping cleanly, and an interrupted upload resumed instead of
//! started again.
//!
//! Against the local server (`cargo run -p scribe-cli -- sim`, then export
//! the `SCRIBE_...` lines it prints):
//!
//! ```text
//! cargo run -p scribe --example server_side_upload -- \
//!     examples/audio/consultation.mp3 examples/audio/consultation.m4a
//! ```
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Duration;

use futures_util::FutureExt;
use scribe::{ProgressEvent, SessionMode};

#[tokio::main]
async fn main() -> Result<(), scribe::Error> {
    let files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        eprintln!("usage: server_side_upload FILE...");
        std::process::exit(2);
    }

    // One client per process; clones share connections and credentials.
    let client = scribe::ScribeClient::builder()
        .upload_concurrency(4)
        .poll_timeout(Duration::from_secs(300))
        .build()?;

    // Ctrl-C stops the upload between chunks; what is stored stays stored.
    // Any future is a cancellation signal; this one is shared by every call.
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No signal handler: never cancel.
            std::future::pending::<()>().await;
        }
    }
    .boxed()
    .shared();

    let session = client
        .create_session()
        .templates(["clinical_notes_template"])
        .mode(SessionMode::Consultation)
        .language_hint(["en", "hi"])
        .patient_details(serde_json::json!({"age": 54, "gender": "F"}))
        .additional_data(serde_json::json!({"visit_ref": "OPD-2291"}))
        .await?;
    let id = session.id();
    eprintln!("session {id}");

    let mut next_index = 0;
    for (n, file) in files.iter().enumerate() {
        let last = n + 1 == files.len();
        let name = file.display().to_string();
        // The same upload, sent afresh or resumed.
        let upload = || {
            session
                .upload_file(file)
                .start_index(next_index)
                .end_session(last)
                .cancel_on(ctrl_c.clone())
                .on_progress(report(name.clone()))
        };
        let summary = match upload().await {
            Ok(summary) => summary,
            Err(e) if e.is_retryable() => {
                // The network gave up for longer than the retries cover:
                // send what the server does not have yet, nothing twice.
                eprintln!("  upload interrupted ({e}); resuming");
                upload().resume().await?
            }
            Err(e) => return Err(e),
        };
        eprintln!(
            "{}: {} chunks, {:.1}s of speech in {:.1}s, first chunk stored after {:?}",
            file.display(),
            summary.chunks(),
            summary.speech_seconds,
            summary.audio_seconds,
            summary.first_chunk_after.unwrap_or_default()
        );
        next_index = summary.next_index;
    }

    let result = session.wait().cancel_on(ctrl_c).await?;
    println!("{}: {}", id, result.status());
    if let Some(notes) = result.template("clinical_notes_template") {
        println!("{:#}", notes.data.clone().unwrap_or_default());
    }
    for problem in result.processing_errors() {
        println!(
            "problem with {}: {}",
            problem.file.as_deref().unwrap_or("?"),
            problem.message
        );
    }
    Ok(())
}

/// Progress lines for the upload of `name`.
fn report(name: String) -> impl Fn(&ProgressEvent) + Send + Sync + 'static {
    move |event| match event {
        ProgressEvent::ChunkUploaded {
            index,
            bytes,
            attempts,
        } => {
            eprintln!("  {name}: chunk {index} stored ({bytes} bytes, {attempts} attempt(s))");
        }
        ProgressEvent::Retry { index, delay, .. } => {
            eprintln!("  {name}: chunk {index} failed, retrying in {delay:?}");
        }
        ProgressEvent::Ended { audio_files_sent } => {
            eprintln!("  session ended with {audio_files_sent} files");
        }
        _ => {}
    }
}
