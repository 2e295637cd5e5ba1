//! Name resolution: `localhost` names are answered here, never by the system.
//!
//! The plain-HTTP policy ([`crate::endpoint`]) lets `http://` and `ws://`
//! through to loopback hosts, and it decides by name for `localhost` and
//! `*.localhost`. That is only sound if those names really reach loopback:
//! a system resolver (a hosts file, a DNS search domain, a resolver that
//! forwards unknown names) may answer `scribe.localhost` with any address,
//! and credentials and audio would then leave the machine in clear text.
//! RFC 6761 (section 6.3) reserves `localhost` and every name under it for
//! loopback and lets applications resolve them themselves, so both the HTTP
//! connector ([`Resolver`]) and the WebSocket ([`tcp_connect`]) go through
//! [`lookup`], which answers those names with `127.0.0.1` and `::1` without
//! asking anyone.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;
use tokio::net::TcpStream;

/// hyper's HTTP connector, resolving names with [`Resolver`].
pub(crate) type HttpConnector = hyper_util::client::legacy::connect::HttpConnector<Resolver>;

/// Whether `host` is `localhost` or a name under it (RFC 6761), in any case,
/// with or without the final dot of a fully qualified name. IP addresses and
/// bracketed IPv6 literals are not names: they answer `false`.
pub(crate) fn is_localhost_name(host: &str) -> bool {
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    name == "localhost" || (name.ends_with(".localhost") && !name.starts_with('.'))
}

/// The loopback addresses a `localhost` name stands for, IPv4 first (local
/// servers, the simulator among them, most often listen there).
fn loopback(port: u16) -> Vec<SocketAddr> {
    vec![
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
        SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
    ]
}

/// The addresses to connect to for `host` and `port`: loopback for
/// `localhost` names, an IP literal as written, otherwise what the system
/// resolver answers.
pub(crate) async fn lookup(host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if is_localhost_name(bare) {
        return Ok(loopback(port));
    }
    let found: Vec<SocketAddr> = tokio::net::lookup_host((bare, port)).await?.collect();
    if found.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{bare} has no address"),
        ));
    }
    Ok(found)
}

/// A TCP connection (no delay) to the host and port of a `ws://` or
/// `wss://` URI, to the addresses [`lookup`] gives, tried in order.
pub(crate) async fn tcp_connect(uri: &http::Uri) -> io::Result<TcpStream> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
    let host = uri.host().ok_or_else(|| invalid("the URL has no host"))?;
    let port = match (uri.port_u16(), uri.scheme_str()) {
        (Some(port), _) => port,
        (None, Some("wss" | "https")) => 443,
        (None, Some("ws" | "http")) => 80,
        (None, _) => return Err(invalid("the URL has no port and no known scheme")),
    };
    let addrs = lookup(host, port).await?;
    let tcp = TcpStream::connect(addrs.as_slice()).await?;
    tcp.set_nodelay(true)?;
    Ok(tcp)
}

/// The resolver of the HTTP connector: [`lookup`] as a `tower` service.
///
/// hyper's connector passes only names here (it connects to IP literals
/// directly) and puts the port in afterwards, so addresses carry port 0.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Resolver;

impl tower_service::Service<Name> for Resolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        Box::pin(async move { Ok(lookup(name.as_str(), 0).await?.into_iter()) })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use tower_service::Service;

    use super::*;

    #[test]
    fn localhost_names_follow_rfc_6761() {
        for name in [
            "localhost",
            "LocalHost",
            "localhost.",
            "scribe-test.localhost",
            "a.b.LOCALHOST",
            "sim.localhost.",
        ] {
            assert!(is_localhost_name(name), "{name}");
        }
        for name in [
            "localhost.evil.com",
            "notlocalhost",
            "evil-localhost",
            ".localhost",
            "localhost..",
            "127.0.0.1",
            "[::1]",
            "api.eka.care",
            "",
        ] {
            assert!(!is_localhost_name(name), "{name}");
        }
    }

    /// Names the system could not resolve (this test needs no hosts entry
    /// and no DNS) still answer loopback, and only loopback.
    #[tokio::test]
    async fn resolver_answers_localhost_names_with_loopback_itself() {
        let mut resolver = Resolver;
        for host in [
            "localhost",
            "scribe-test-no-hosts-entry.localhost",
            "Deep.Sub.Localhost.",
        ] {
            let name = Name::from_str(host).unwrap_or_else(|e| panic!("{host}: {e}"));
            let addrs: Vec<SocketAddr> = resolver
                .call(name)
                .await
                .unwrap_or_else(|e| panic!("{host}: {e}"))
                .collect();
            assert_eq!(addrs, loopback(0), "{host}");
        }
        assert_eq!(
            lookup("sim.localhost", 8787).await.ok(),
            Some(loopback(8787))
        );
    }

    #[tokio::test]
    async fn ip_literals_are_taken_as_written() {
        assert_eq!(
            lookup("192.0.2.7", 443).await.ok(),
            Some(vec!["192.0.2.7:443".parse().unwrap()])
        );
        assert_eq!(
            lookup("[2001:db8::1]", 80).await.ok(),
            Some(vec!["[2001:db8::1]:80".parse().unwrap()])
        );
    }
}
