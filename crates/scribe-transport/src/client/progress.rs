//! Progress of one attempt's bodies, so a stalled connection is noticed
//! long before the request timeout: the request body is handed to hyper in
//! slices and the answer's body read frame by frame, each one a sign of
//! life; a watchdog ends the attempt when a body makes no progress for the
//! idle timeout. Waiting for the answer's headers (the server working) is
//! not idleness: the request timeout bounds that.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};

/// Largest slice of a request body handed to hyper at once.
const SLICE: usize = 64 * 1024;

/// When a body last moved, and whether one is moving now.
#[derive(Debug)]
pub(crate) struct Progress {
    start: Instant,
    last_ms: AtomicU64,
    transferring: AtomicBool,
}

impl Progress {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Progress {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            transferring: AtomicBool::new(true),
        })
    }

    /// A body moved; `transferring` says whether one is still moving.
    pub(crate) fn tick(&self, transferring: bool) {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(now, Ordering::Relaxed);
        self.transferring.store(transferring, Ordering::Relaxed);
    }

    /// Completes when a body has made no progress for `idle`.
    pub(crate) async fn stalled(&self, idle: Duration) {
        loop {
            let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let quiet = self.start.elapsed().saturating_sub(last);
            if self.transferring.load(Ordering::Relaxed) && quiet >= idle {
                return;
            }
            tokio::time::sleep(idle.saturating_sub(quiet).max(Duration::from_millis(10))).await;
        }
    }
}

/// A request body handed to hyper in slices, each one marked as progress.
#[derive(Debug)]
pub(crate) struct ProgressBody {
    data: Bytes,
    progress: Arc<Progress>,
}

impl ProgressBody {
    pub(crate) fn new(data: Bytes, progress: Arc<Progress>) -> Self {
        ProgressBody { data, progress }
    }
}

impl Body for ProgressBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        // hyper asks for the next slice once it took the previous one.
        if self.data.is_empty() {
            // Sent: now the server works, which is not idleness.
            self.progress.tick(false);
            return Poll::Ready(None);
        }
        let take = self.data.len().min(SLICE);
        let slice = self.data.split_to(take);
        self.progress.tick(true);
        Poll::Ready(Some(Ok(Frame::data(slice))))
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_body_goes_in_slices_and_ends_idle() {
        let progress = Progress::new();
        let data = Bytes::from(vec![7u8; SLICE * 2 + 5]);
        let body = ProgressBody::new(data.clone(), Arc::clone(&progress));
        assert_eq!(body.size_hint().exact(), Some(data.len() as u64));
        let collected = body.collect().await.map(|c| c.to_bytes());
        assert_eq!(collected.ok(), Some(data));
        assert!(!progress.transferring.load(Ordering::Relaxed));
    }

    #[tokio::test]
    async fn the_watchdog_fires_only_while_a_body_is_moving() {
        let progress = Progress::new();
        progress.tick(false);
        let quiet = tokio::time::timeout(
            Duration::from_millis(80),
            progress.stalled(Duration::from_millis(20)),
        );
        assert!(
            quiet.await.is_err(),
            "waiting for the server is not a stall"
        );
        progress.tick(true);
        let stalled = tokio::time::timeout(
            Duration::from_millis(500),
            progress.stalled(Duration::from_millis(20)),
        );
        assert!(
            stalled.await.is_ok(),
            "a body that stopped moving is a stall"
        );
    }
}
