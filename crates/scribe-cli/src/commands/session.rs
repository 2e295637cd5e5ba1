//! `scribe session get|end ID`.

use std::io::{BufRead, IsTerminal, Write};

use scribe::protocol::session::SessionStatus;

use crate::cli::Global;
use crate::connect::connect;
use crate::exit::Exit;
use crate::output;

pub async fn get(global: &Global, id: &str, json: bool) -> Result<Exit, scribe::Error> {
    let connection = connect(global, false).await?;
    let result = connection.client.session(id).get().await?;
    if json {
        output::json(result.raw());
    } else {
        output::stdout(&output::readable_result(&result, connection.is_simulated()));
    }
    Ok(Exit::Ok)
}

/// Ends a session, but never quietly commits one that is still recording:
/// processing covers only the audio the server holds when the session ends,
/// so a session whose upload stopped part way is shown and confirmed first.
pub async fn end(
    global: &Global,
    id: &str,
    files: Option<u32>,
    yes: bool,
    json: bool,
) -> Result<Exit, scribe::Error> {
    let connection = connect(global, false).await?;
    let session = connection.client.session(id);
    // The façade's `end` takes "already ended" as done; the state read
    // first is what tells this command that nothing would be changed.
    let current = session.get().await?;
    let status = current.status();
    if let Some(exit) = not_open(id, status) {
        return Ok(exit);
    }
    let held = current.audio_files().len() as u32;
    let count = files.unwrap_or(held);
    if yes {
        eprintln!(
            "note: session {id} was still `{status}` with {held} audio {} (chunks) on the \
             server; ending it (--yes)",
            plural(held)
        );
    } else {
        eprint!("{}", holdings(id, status, held, count));
        if !confirmed(id, count).await {
            return Ok(Exit::NotConfirmed);
        }
    }
    session.end(count).await?;
    if json {
        output::json(&serde_json::json!({
            "session_id": id,
            "status_before": status.as_str(),
            "audio_files_received": held,
            "audio_files_sent": count,
        }));
    } else {
        output::stdout(&format!("session {id} ended with {count} audio files\n"));
    }
    Ok(Exit::Ok)
}

/// The exit for a session that can no longer be ended (with what to tell
/// the user on stderr), or `None` when it is still open.
fn not_open(id: &str, status: &SessionStatus) -> Option<Exit> {
    match status {
        SessionStatus::Created | SessionStatus::Initialized | SessionStatus::Recording => None,
        SessionStatus::Expired => {
            eprintln!(
                "error: session {id} has expired; it can no longer be ended (nothing was changed)"
            );
            Some(Exit::Incomplete)
        }
        // A state this CLI does not know: not known to be ended, so it is
        // treated as open (and confirmed like one).
        SessionStatus::Other(_) => None,
        ended => {
            eprintln!(
                "error: session {id} was already ended (status `{ended}`); nothing was changed\n\
                 hint: `scribe session get {id}` shows its results"
            );
            Some(Exit::AlreadyEnded)
        }
    }
}

/// What ending a session still open would commit, and how to finish the
/// upload instead. The session answer lists the stored chunks by name
/// only (no durations), so the audio is counted in chunks.
fn holdings(id: &str, status: &SessionStatus, held: u32, count: u32) -> String {
    let mut text = format!(
        "session {id} is still `{status}`: the server holds {held} audio {} (chunks).\n",
        plural(held)
    );
    if count != held {
        text.push_str(&format!(
            "--files says {count} were sent; the server will expect {count} and has {held}.\n"
        ));
    }
    text.push_str(
        "Ending it commits the session: it is processed with only this audio, \
         and nothing can be added afterwards.\n",
    );
    text.push_str(&format!(
        "If an upload stopped part way, finish it instead: `scribe transcribe` cannot resume \
         a session, but the SDK can; re-run the upload into the same session with \
         `client.session(\"{id}\").upload_file(path).resume()` (same recording and start \
         index), which sends only the missing chunks and ends the session.\n"
    ));
    text
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "file" } else { "files" }
}

/// Asks on the terminal; with no terminal on stdin, says why it cannot ask.
async fn confirmed(id: &str, count: u32) -> bool {
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "error: not ending session {id} without a confirmation, and stdin is not a \
             terminal to ask on; pass --yes to end it with {count} audio {} (nothing was changed)",
            plural(count)
        );
        return false;
    }
    eprint!(
        "End session {id} with {count} audio {} now? [y/N] ",
        plural(count)
    );
    let _ = std::io::stderr().flush();
    let answer = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map(|_| line)
    })
    .await;
    let yes = matches!(
        answer.as_ref().map(|r| r.as_ref().map(|l| l.trim().to_ascii_lowercase())),
        Ok(Ok(l)) if l == "y" || l == "yes"
    );
    if !yes {
        eprintln!("session {id} was not ended (nothing was changed)");
    }
    yes
}
