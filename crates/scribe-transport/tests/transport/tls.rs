//! TLS with the ring provider: HTTP/2 chosen by ALPN, wss with the same
//! setup, and an untrusted certificate refused with a TLS error. The server
//! is a local rustls listener with a certificate made for the test.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use http_body_util::Full;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use scribe_transport::{ErrorKind, HttpClient, Request, RetryPolicy, TransportConfig, WsMessage};

struct Tls {
    cert: CertificateDer<'static>,
    acceptor: TlsAcceptor,
}

fn tls(alpn: &[&[u8]]) -> Tls {
    let made =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(made.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Tls {
        cert,
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}

/// An HTTPS server answering every request with the HTTP version it saw,
/// and a count of the TLS connections it accepted.
async fn https_server() -> (SocketAddr, CertificateDer<'static>, Arc<AtomicUsize>) {
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let Tls { cert, acceptor } = tls(&[b"h2", b"http/1.1"]);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                counter.fetch_add(1, Ordering::SeqCst);
                let service = service_fn(
                    |request: hyper::Request<hyper::body::Incoming>| async move {
                        let seen = format!("{:?}", request.version());
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from(seen))))
                    },
                );
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, cert, connections)
}

/// A wss server echoing text and binary frames until the client closes.
async fn wss_echo_server() -> (SocketAddr, CertificateDer<'static>) {
    let Tls { cert, acceptor } = tls(&[b"http/1.1"]);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(stream) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                while let Some(Ok(message)) = ws.next().await {
                    if message.is_text() || message.is_binary() {
                        let _ = ws.send(message).await;
                    }
                }
            });
        }
    });
    (addr, cert)
}

#[tokio::test]
async fn https_negotiates_http2_with_alpn_and_reuses_the_connection() {
    let (addr, cert, connections) = https_server().await;
    let http = HttpClient::new(TransportConfig::default().add_root_certificate_der(cert.to_vec()))
        .unwrap();
    for _ in 0..3 {
        let answer = http
            .send(Request::get(format!(
                "https://localhost:{}/v1/templates",
                addr.port()
            )))
            .await
            .expect("TLS request");
        assert_eq!(answer.version(), scribe_transport::http::Version::HTTP_2);
        assert_eq!(answer.body().as_ref(), b"HTTP/2.0");
    }
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "one pooled connection"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_a_tls_error() {
    let (addr, _, _) = https_server().await;
    let http = HttpClient::new(TransportConfig::default().retry(RetryPolicy::none())).unwrap();
    let err = http
        .send(Request::get(format!("https://localhost:{}/", addr.port())))
        .await
        .expect_err("self-signed certificate is not trusted");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn wss_uses_the_same_tls_setup() {
    let (addr, cert) = wss_echo_server().await;
    let http = HttpClient::new(TransportConfig::default().add_root_certificate_der(cert.to_vec()))
        .unwrap();
    let mut ws = http
        .websocket(&format!("wss://localhost:{}/echo", addr.port()))
        .await
        .expect("wss opens");
    ws.send_text("hello").await.unwrap();
    ws.send_binary(vec![1u8, 2, 3]).await.unwrap();
    assert_eq!(
        ws.recv().await.unwrap(),
        Some(WsMessage::Text("hello".to_owned()))
    );
    assert_eq!(
        ws.recv().await.unwrap(),
        Some(WsMessage::Binary(Bytes::from_static(&[1, 2, 3])))
    );
    let info = ws.close().await.expect("clean close");
    assert_eq!(info.code, 1000);

    let untrusted = HttpClient::new(TransportConfig::default()).unwrap();
    let err = untrusted
        .websocket(&format!("wss://localhost:{}/echo", addr.port()))
        .await
        .expect_err("untrusted");
    assert_eq!(err.kind(), ErrorKind::Tls, "{err:?}");
}

#[test]
fn a_malformed_root_certificate_is_a_config_error() {
    let err = HttpClient::new(TransportConfig::default().add_root_certificate_der(vec![1, 2, 3]))
        .expect_err("not DER");
    assert_eq!(err.kind(), ErrorKind::Config);
}
