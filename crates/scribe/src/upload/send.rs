//! The requests of an upload: one chunk (with retries on top of the
//! transport's) and `end`.

use std::time::Duration;

use crate::protocol::chunk::ChunkName;
use crate::protocol::paths;
use crate::transport::Request;
use crate::{Error, ErrorKind, ScribeClient};

use super::{Numbered, Progress, ProgressEvent};

/// Rounds of transport-level retries before a chunk upload gives up. The
/// transport already retries each request a few times; a chunk is patient
/// data that must not be lost to a bad minute, so whole rounds are repeated
/// after a longer pause.
const ROUNDS: u32 = 4;

/// Pause before round `n` (1-based) of a chunk upload.
fn round_delay(round: u32, retry_after: Option<Duration>) -> Duration {
    let base = Duration::from_millis(500).saturating_mul(1 << round.min(5));
    retry_after.map_or(base, |after| after.max(base))
}

/// Uploads one chunk; returns the HTTP attempts it took.
pub(super) async fn upload(
    client: &ScribeClient,
    session_id: &str,
    item: &Numbered,
    progress: &Progress,
) -> Result<u32, Error> {
    let name = ChunkName::chunk(item.index, item.chunk.extension).to_string();
    let path = paths::session_audio(session_id, &name);
    let url = client.url(&path);
    let mut attempts = 0;
    let mut round = 1;
    loop {
        let request = Request::post(url.clone())
            .path_template("/v1/sessions/{id}/audio/{file}")
            .body(
                item.chunk.bytes.clone(),
                item.chunk.extension.content_type(),
            )?
            .idempotent(true);
        match client.inner.http.send(request).await {
            Ok(answer) => return Ok(attempts + answer.attempts().max(1)),
            Err(e) => {
                attempts += e.attempts().max(1);
                if round >= ROUNDS || !e.is_retryable() {
                    return Err(Error::from(e));
                }
                let delay = round_delay(round, e.retry_after());
                round += 1;
                progress.emit(ProgressEvent::Retry {
                    index: item.index,
                    attempt: attempts + 1,
                    delay,
                    reason: e.to_string(),
                });
                tracing::debug!(
                    chunk = item.index,
                    round,
                    "chunk upload failed, trying again"
                );
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// `POST /v1/sessions/{id}/end`.
pub(super) async fn end(
    client: &ScribeClient,
    session_id: &str,
    audio_files_sent: u32,
) -> Result<(), Error> {
    let body = crate::protocol::session::EndSessionRequest::new(audio_files_sent);
    let request = Request::post(client.url(&paths::session_end(session_id)))
        .path_template("/v1/sessions/{id}/end")
        .json(&body)?
        // Repeating `end` cannot duplicate work: a second one is refused as
        // already ended, which is accepted below.
        .idempotent(true);
    match client.inner.http.send(request).await {
        Ok(_) => Ok(()),
        Err(e)
            if e.kind() == ErrorKind::Conflict
                && e.code().is_some_and(|c| c.as_str() == "session_ended") =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
