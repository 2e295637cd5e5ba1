//! Cancellation by any future: when it completes, the work stops.

use std::future::Future;

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

/// A cancellation signal given to a builder's `cancel_on`: any future
/// (a timer, a channel's receive, a token's `cancelled()`, Ctrl-C), so no
/// particular crate's token type appears in the SDK's signatures.
#[derive(Clone, Default)]
pub(crate) struct Cancel(Option<Shared<BoxFuture<'static, ()>>>);

impl Cancel {
    /// A signal that fires when `signal` completes.
    pub(crate) fn on(signal: impl Future<Output = ()> + Send + 'static) -> Self {
        Cancel(Some(signal.boxed().shared()))
    }

    /// Completes when the signal fires; never, without one.
    pub(crate) async fn fired(&self) {
        match &self.0 {
            Some(signal) => signal.clone().await,
            None => std::future::pending().await,
        }
    }

    /// Whether the signal has fired already.
    pub(crate) fn has_fired(&self) -> bool {
        self.0.as_ref().is_some_and(|s| s.peek().is_some())
    }
}

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Cancel(set)"
        } else {
            "Cancel(none)"
        })
    }
}
