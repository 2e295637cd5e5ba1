//! Which client a builder runs on.
//!
//! Every operation with options is a builder ([`CreateSession`],
//! [`Upload`], [`Wait`], [`Watch`], [`OpenStream`]). The same builder type
//! serves both clients: on the async client it runs on `.await`
//! ([`IntoFuture`](std::future::IntoFuture)); on the
//! [blocking client](crate::blocking) it runs with `.send()`. Its second type
//! parameter names the handle it was made from, and the compiler offers only
//! the way that fits.
//!
//! [`CreateSession`]: crate::CreateSession
//! [`Upload`]: crate::Upload
//! [`Wait`]: crate::Wait
//! [`Watch`]: crate::Watch
//! [`OpenStream`]: crate::OpenStream

use std::future::Future;
use std::pin::Pin;

/// A boxed future that a builder turns into on `.await`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub(crate) mod sealed {
    /// A client a builder can start from: the async one or the blocking one.
    pub trait Client {
        /// The async client that does the work.
        fn client(&self) -> &crate::ScribeClient;
    }

    /// A session handle a builder can start from: async or blocking.
    pub trait Session {
        /// The async handle that does the work.
        fn session(&self) -> &crate::Session;
    }
}

impl sealed::Client for crate::ScribeClient {
    fn client(&self) -> &crate::ScribeClient {
        self
    }
}

impl sealed::Session for crate::Session {
    fn session(&self) -> &crate::Session {
        self
    }
}
