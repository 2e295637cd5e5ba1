//! The one rustls configuration shared by HTTP and WebSocket connections.
//!
//! Built from the `ring` provider explicitly, so the binary never carries a
//! second crypto provider and no process-wide default has to be installed.

use std::sync::Arc;

use rustls::ClientConfig;

use crate::config::TlsRoots;
use crate::error::{Error, ErrorKind};

/// Builds a client configuration with the `ring` provider and the chosen roots.
pub(crate) fn client_config(roots: TlsRoots, extra: &[Vec<u8>]) -> Result<ClientConfig, Error> {
    let mut store = rustls::RootCertStore::empty();
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    match roots {
        TlsRoots::Webpki => {}
        #[cfg(feature = "native-roots")]
        TlsRoots::NativeAndWebpki => {
            let found = rustls_native_certs::load_native_certs();
            // Unreadable individual certificates are skipped: the bundled roots remain.
            let _ = store.add_parsable_certificates(found.certs);
        }
    }
    for der in extra {
        store
            .add(rustls::pki_types::CertificateDer::from(der.clone()))
            .map_err(|e| {
                Error::new(
                    ErrorKind::Config,
                    "an added root certificate is not a valid DER X.509 CA certificate",
                )
                .with_source(e)
                .with_hint("convert a PEM file with `openssl x509 -outform der`")
            })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            Error::new(
                ErrorKind::Tls,
                "could not set up TLS with the ring provider",
            )
            .with_source(e)
        })?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(config)
}

/// The WebSocket flavour: same roots and provider, ALPN limited to HTTP/1.1
/// (a WebSocket upgrade needs HTTP/1.1).
pub(crate) fn websocket_config(base: &ClientConfig) -> Arc<ClientConfig> {
    let mut config = base.clone();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}
