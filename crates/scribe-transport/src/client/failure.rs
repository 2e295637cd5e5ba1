//! Turning hyper's client failures into the SDK's error kinds.

use crate::error::{Error, ErrorKind};

/// Maps a hyper client failure to a kind without exposing hyper's types.
pub(super) fn classify(error: hyper_util::client::legacy::Error, host: &str) -> Error {
    let connecting = error.is_connect();
    if has_source::<rustls::Error>(&error) {
        return Error::new(ErrorKind::Tls, format!("TLS handshake with {host} failed"))
            .with_source(error)
            .with_hint("check the host name, the system clock and any TLS-intercepting proxy");
    }
    let timed_out = find_source::<std::io::Error>(&error)
        .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut);
    if connecting && timed_out {
        return Error::new(
            ErrorKind::Timeout,
            format!("connecting to {host} timed out"),
        )
        .with_source(error)
        .with_hint("check the network and the base URL");
    }
    if connecting {
        return Error::new(
            ErrorKind::Connection,
            format!("could not connect to {host}"),
        )
        .with_source(error)
        .with_hint("check the network, proxy settings and the base URL");
    }
    Error::new(
        ErrorKind::Connection,
        format!("the connection to {host} failed during the request"),
    )
    .with_source(error)
}

fn find_source<'a, T: std::error::Error + 'static>(
    error: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        // `io::Error::source` skips the error it wraps (TLS failures arrive
        // as an io::Error around a rustls::Error): look inside explicitly.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            if let Some(found) = inner.downcast_ref::<T>() {
                return Some(found);
            }
            current = Some(inner as &(dyn std::error::Error + 'static));
            continue;
        }
        current = e.source();
    }
    None
}

fn has_source<T: std::error::Error + 'static>(error: &(dyn std::error::Error + 'static)) -> bool {
    find_source::<T>(error).is_some()
}
