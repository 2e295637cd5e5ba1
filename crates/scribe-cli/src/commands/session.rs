//! `scribe session get|end ID`.

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

pub async fn end(
    global: &Global,
    id: &str,
    files: Option<u32>,
    json: bool,
) -> Result<Exit, scribe::Error> {
    let connection = connect(global, false).await?;
    let session = connection.client.session(id);
    let count = match files {
        Some(n) => n,
        None => session.get().await?.audio_files().len() as u32,
    };
    session.end(count).await?;
    if json {
        output::json(&serde_json::json!({"session_id": id, "audio_files_sent": count}));
    } else {
        output::stdout(&format!("session {id} ended with {count} audio files\n"));
    }
    Ok(Exit::Ok)
}
