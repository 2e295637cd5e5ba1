//! The error a caller of the simulator's Rust API can get.

use std::net::SocketAddr;

/// Why the simulator could not start or could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}: {source}; pick another address or port 0 for a free port")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A non-loopback address was asked for without the explicit allow flag.
    #[error(
        "refusing to listen on {addr}: the simulator binds loopback only unless allowed \
         (`ServerBuilder::allow_non_loopback(true)` or `--allow-non-loopback`)"
    )]
    NonLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// A configuration value is out of range or malformed.
    #[error("invalid simulator configuration: {0}")]
    Config(String),
    /// The tokio runtime for a background server could not be built.
    #[error("cannot start the simulator's runtime: {0}")]
    Runtime(#[source] std::io::Error),
}
