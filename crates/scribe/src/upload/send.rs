//! One chunk's request. Retries are the transport's, under the client's
//! retry policy, like every other request; each one is reported as a
//! progress event.

use std::sync::Arc;

use crate::protocol::chunk::ChunkName;
use crate::protocol::paths;
use crate::transport::Request;
use crate::{Error, Session};

use super::{Numbered, Progress, ProgressEvent};

/// Uploads one chunk; returns the HTTP attempts it took.
pub(super) async fn upload(
    session: &Session,
    item: &Numbered,
    progress: &Progress,
) -> Result<u32, Error> {
    let name = ChunkName::chunk(item.index, item.chunk.extension).to_string();
    let url = session
        .client
        .url(&paths::session_audio(session.id(), &name));
    let index = item.index;
    let report = progress.clone();
    let request = Request::post(url)
        .path_template("/v1/sessions/{id}/audio/{file}")
        .body(
            item.chunk.bytes.clone(),
            item.chunk.extension.content_type(),
        )?
        // The server keeps one file per name: repeating stores nothing twice.
        .idempotent(true)
        .deadline(session.client.retry_deadline())
        .on_retry(Arc::new(move |retry| {
            report.emit(ProgressEvent::Retry {
                index,
                attempt: retry.attempt,
                delay: retry.delay,
                reason: retry.error.to_string(),
            });
        }));
    let answer = session.client.inner.http.send(request).await?;
    Ok(answer.attempts().max(1))
}
