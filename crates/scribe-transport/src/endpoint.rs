//! Which URLs the transport agrees to talk to.
//!
//! `https`/`wss` always; plain `http`/`ws` only to a loopback host
//! (127.0.0.0/8, `::1`, `localhost` and names under it, which
//! [`crate::resolve`] resolves to loopback itself) unless the caller opted in with
//! [`crate::TransportConfig::allow_insecure_http`], because credentials and
//! patient audio would otherwise cross the network in clear text.

use std::net::IpAddr;

use http::Uri;

use crate::error::{Error, ErrorKind};
use crate::resolve;

/// Whether a URL's scheme is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Security {
    Tls,
    Plain,
}

/// Parses `url` and checks its scheme against the plain-HTTP policy.
pub(crate) fn check(url: &str, allow_insecure: bool, websocket: bool) -> Result<Uri, Error> {
    let uri: Uri = url.parse().map_err(|e| {
        Error::new(
            ErrorKind::Config,
            format!("not a valid URL: {}", short(url)),
        )
        .with_source(e)
        .with_hint("URLs look like https://api.eka.care/voice")
    })?;
    let host = uri.host().ok_or_else(|| {
        Error::new(
            ErrorKind::Config,
            format!("URL has no host: {}", short(url)),
        )
    })?;
    let security = match (uri.scheme_str(), websocket) {
        (Some("https"), false) | (Some("wss"), true) => Security::Tls,
        (Some("http"), false) | (Some("ws"), true) => Security::Plain,
        (scheme, _) => {
            let expected = if websocket { "wss://" } else { "https://" };
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "unsupported URL scheme {:?} in {}",
                    scheme.unwrap_or(""),
                    short(url)
                ),
            )
            .with_hint(format!("use an {expected} URL")));
        }
    };
    if security == Security::Plain && !allow_insecure && !is_loopback(host) {
        let (plain, secure) = if websocket {
            ("ws", "wss")
        } else {
            ("http", "https")
        };
        return Err(Error::new(
            ErrorKind::Config,
            format!("refusing plain {plain}:// to non-loopback host {host}"),
        )
        .with_hint(format!(
            "use {secure}://, or enable TransportConfig::allow_insecure_http for a trusted network"
        )));
    }
    Ok(uri)
}

/// Whether `host` (as written in a URL; IPv6 in brackets) is a loopback host,
/// to which plain `http`/`ws` is allowed: 127.0.0.0/8, `::1`, `localhost`
/// and names under it (`sim.localhost`), which the transport resolves to
/// loopback itself (RFC 6761), never through the system resolver.
pub fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    // A name passes only because crate::resolve answers it with loopback
    // addresses itself: the system resolver is never asked for it.
    resolve::is_localhost_name(bare) || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Scheme family, lower-case host and port of a URL: where credentials may go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    secure: bool,
    host: String,
    port: u16,
}

impl Origin {
    /// The origin of `url` as [`scribe_protocol::paths::origin`] finds it,
    /// normalised for comparison: `ws`/`wss` count as `http`/`https`, the
    /// host is lower-case and a missing port is the scheme's default.
    pub(crate) fn of_url(url: &str) -> Option<Origin> {
        let uri: http::Uri = scribe_protocol::paths::origin(url)?.parse().ok()?;
        let secure = match uri.scheme_str()? {
            "https" | "wss" => true,
            "http" | "ws" => false,
            _ => return None,
        };
        let host = uri.host()?.to_ascii_lowercase();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        Some(Origin { secure, host, port })
    }
}

/// A URL cut short for messages (URLs carry no secrets here, but keep lines short).
fn short(url: &str) -> String {
    let mut s: String = url.chars().take(80).collect();
    if url.chars().count() > 80 {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for host in [
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "localhost",
            "LOCALHOST",
            "sim.localhost",
            "Sim.Localhost.",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "10.0.0.1",
            "api.eka.care",
            "[::2]",
            "localhost.evil.com",
            "evil-localhost",
            "0.0.0.0",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[test]
    fn origins_compare_by_security_host_and_port() {
        let of = |url: &str| Origin::of_url(url);
        let eka = of("https://api.eka.care/voice");
        assert!(eka.is_some());
        for same in [
            "https://API.eka.care:443/voice/v1/sessions",
            "wss://api.eka.care/voice/v1/stream/sessions/s/audio",
            "https://api.eka.care?x=1",
        ] {
            assert_eq!(of(same), eka, "{same}");
        }
        for other in [
            "http://api.eka.care/voice",
            "https://api.eka.care:8443/voice",
            "https://storage.example.com/upload?sig=1",
            "https://api.eka.care.evil.com/voice",
        ] {
            assert_ne!(of(other), eka, "{other}");
        }
        assert_eq!(of("http://127.0.0.1/x"), of("ws://127.0.0.1:80/y"));
        for none in [
            "api.eka.care/voice",
            "ftp://api.eka.care",
            "https://",
            "https:///x",
        ] {
            assert_eq!(of(none), None, "{none}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback_unless_opted_in() {
        assert!(check("http://127.0.0.1:8080/v1", false, false).is_ok());
        assert!(check("https://api.eka.care/voice", false, false).is_ok());
        let err = check("http://api.eka.care/voice", false, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Config);
        assert!(err.to_string().contains("allow_insecure_http"), "{err}");
        assert!(check("http://api.eka.care/voice", true, false).is_ok());
        assert!(check("ws://10.1.1.1/x", false, true).is_err());
        assert!(check("wss://10.1.1.1/x", false, true).is_ok());
        assert!(check("ftp://127.0.0.1/x", false, false).is_err());
        assert!(check("wss://127.0.0.1/x", false, false).is_err());
    }
}
