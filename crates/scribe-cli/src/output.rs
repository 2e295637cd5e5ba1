//! What the CLI prints: results on stdout, everything else on stderr.

use std::io::Write;

use scribe::SessionResult;

/// Prints an error and its fix on stderr.
pub fn error(e: &scribe::Error) {
    eprintln!("error: {e}");
    if let Some(note) = crate::exit::note(e) {
        eprintln!("note: {note}");
    }
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// JSON, pretty-printed, on stdout.
pub fn json(value: &serde_json::Value) {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
    stdout(&format!("{text}\n"));
}

/// A session's results for people.
pub fn readable_result(result: &SessionResult, simulated: bool) -> String {
    let mut out = String::new();
    let simulated = if simulated { " (simulated)" } else { "" };
    out.push_str(&format!(
        "session {}: {}{simulated}\n",
        result.session_id(),
        result.status()
    ));
    if let Some(error) = result.error_message() {
        out.push_str(&format!("error: {error}\n"));
    }
    if let Some(transcript) = result.transcript() {
        out.push_str("\ntranscript:\n");
        for line in transcript.lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    for (id, template) in result.templates() {
        out.push_str(&format!("\ntemplate {id}: {}\n", template.status));
        if let Some(data) = &template.data {
            let text = serde_json::to_string_pretty(data).unwrap_or_else(|_| data.to_string());
            for line in text.lines() {
                out.push_str(&format!("  {line}\n"));
            }
        }
        if let Some(message) = template.error.as_ref().map(|e| e.message()) {
            out.push_str(&format!("  error: {message}\n"));
        }
    }
    out
}
