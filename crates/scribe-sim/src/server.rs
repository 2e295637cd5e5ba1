//! The running server: the accept loop, per-connection control (for reset
//! faults), accessors, inspection methods and shutdown.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt as _;

use crate::config::{Config, Dialect, ServerBuilder};
use crate::inspect::{ReceivedFile, SessionSummary, files};
use crate::request_log::RequestRecord;
use crate::state::{AppState, Shared};
use crate::webhooks::WebhookDelivery;
use crate::{Error, routes};

/// The address a request's connection came from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Peer(pub(crate) std::net::SocketAddr);

/// Lets a handler kill its own TCP connection (reset faults).
#[derive(Clone, Debug)]
pub(crate) struct ConnectionControl {
    killed: Arc<AtomicBool>,
    notify: Arc<Notify>,
}

impl ConnectionControl {
    fn new() -> Self {
        ConnectionControl {
            killed: Arc::new(AtomicBool::new(false)),
            notify: Arc::new(Notify::new()),
        }
    }

    /// Drop the connection with a TCP reset as soon as possible.
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }
}

/// A TCP stream that closes with a reset (zero linger) once killed.
struct KillableStream {
    inner: TcpStream,
    killed: Arc<AtomicBool>,
}

impl Drop for KillableStream {
    fn drop(&mut self) {
        if self.killed.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

async fn accept_loop(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: back off briefly.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let control = ConnectionControl::new();
        let io = TokioIo::new(KillableStream {
            inner: stream,
            killed: Arc::clone(&control.killed),
        });
        let for_requests = control.clone();
        let service = router
            .clone()
            .map_request(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(for_requests.clone());
                request.extensions_mut().insert(Peer(peer));
                request
            });
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection =
                builder.serve_connection_with_upgrades(io, TowerToHyperService::new(service));
            tokio::select! {
                _ = connection => {}
                () = control.notify.notified() => {}
                () = shutdown.cancelled() => {}
            }
        });
    }
}

/// Bind with a deep accept queue: hundreds of clients connecting at once
/// (load tests) would otherwise overflow the default queue and see resets.
fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// A running simulator. Dropping it stops the server (as does
/// [`shutdown`](Self::shutdown)).
///
/// ```no_run
/// # async fn demo() -> Result<(), scribe_sim::Error> {
/// let server = scribe_sim::Server::builder().start().await?;
/// let base = server.base_url(); // e.g. http://127.0.0.1:40123/voice
/// let auth = server.auth_base_url(); // e.g. http://127.0.0.1:40123
/// # let _ = (base, auth);
/// server.shutdown().await;
/// # Ok(()) }
/// ```
pub struct Server {
    state: AppState,
    accept: Option<JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

/// Controls of a running [`Server`] that can be moved into callbacks;
/// from [`Server::controls`].
#[derive(Clone)]
pub struct Controls {
    state: AppState,
}

impl std::fmt::Debug for Controls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Controls")
            .field("base_url", &self.state.base_url)
            .finish_non_exhaustive()
    }
}

impl Controls {
    /// See [`Server::outage`].
    pub fn outage(&self, length: std::time::Duration) {
        self.state.faults.start_outage(length);
    }

    /// See [`Server::expire_tokens`].
    pub fn expire_tokens(&self) {
        self.state.tokens.expire_all();
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("base_url", &self.state.base_url)
            .field("dialect", &self.state.config.dialect)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A builder with the defaults (`127.0.0.1:0`, Eka dialect).
    pub fn builder() -> ServerBuilder {
        ServerBuilder::new()
    }

    pub(crate) async fn start_with(config: Config) -> Result<Server, Error> {
        let addr = config.addr;
        let listener = listen(addr).map_err(|source| Error::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| Error::Bind { addr, source })?;
        let shutdown = CancellationToken::new();
        let state = AppState(Arc::new(Shared::new(
            config,
            local,
            shutdown.clone(),
            tokio::runtime::Handle::current(),
        )));
        let router = routes::router(state.clone());
        let accept = tokio::spawn(accept_loop(listener, router, shutdown));
        Ok(Server {
            state,
            accept: Some(accept),
            runtime: None,
        })
    }

    pub(crate) fn start_blocking_with(config: Config) -> Result<Server, Error> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "start_blocking() was called inside a tokio runtime; use `start().await` there"
                    .to_owned(),
            ));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("scribe-sim")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let mut server = runtime.block_on(Server::start_with(config))?;
        server.runtime = Some(runtime);
        Ok(server)
    }

    /// Protocol base URL, such as `http://127.0.0.1:40123/voice`; every
    /// protocol path (`/v1/sessions`, ...) is appended to it.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// Auth base URL (the host root), such as `http://127.0.0.1:40123`; login
    /// is `{auth_base_url}/connect-auth/v1/account/login`.
    #[must_use]
    pub fn auth_base_url(&self) -> &str {
        &self.state.auth_base_url
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.state.local_addr
    }

    /// The dialect the server answers in.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.state.config.dialect
    }

    /// Client id login accepts.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.state.config.client_id
    }

    /// Client secret login accepts (a local test credential).
    #[must_use]
    pub fn client_secret(&self) -> &str {
        &self.state.config.client_secret
    }

    /// API key accepted as `X-API-Key` (when API keys are on).
    #[must_use]
    pub fn api_key(&self) -> &str {
        &self.state.config.api_key
    }

    /// Business id in the tokens' `b-id` claim.
    #[must_use]
    pub fn business_id(&self) -> &str {
        &self.state.config.business_id
    }

    /// Every session, oldest first.
    #[must_use]
    pub fn sessions(&self) -> Vec<SessionSummary> {
        self.state.summaries()
    }

    /// The files a session received, in chunk order, with their bytes and
    /// SHA-256; `None` for an unknown session.
    #[must_use]
    pub fn files(&self, session_id: &str) -> Option<Vec<ReceivedFile>> {
        self.state.session(session_id).map(|e| files(&e.lock()))
    }

    /// Status of a session (`created`, ..., `expired`); `None` if unknown.
    #[must_use]
    pub fn session_status(&self, session_id: &str) -> Option<String> {
        self.state
            .session(session_id)
            .map(|e| e.lock().status.as_str().to_owned())
    }

    /// Every request so far, in arrival order (the last 100 000 at most).
    #[must_use]
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.log.snapshot()
    }

    /// Forget the request log (and its attempt counts).
    pub fn clear_requests(&self) {
        self.state.log.clear();
    }

    /// Expire a session now, whatever its state. Returns `false` if the
    /// session is unknown or already expired.
    pub fn expire_session(&self, session_id: &str) -> bool {
        self.state
            .session(session_id)
            .is_some_and(|e| self.state.expire(&e, true))
    }

    /// End a session if still open and finish its processing now, skipping
    /// the processing delay. Returns the resulting status, `None` if unknown.
    pub fn finish_session(&self, session_id: &str) -> Option<String> {
        let entry = self.state.session(session_id)?;
        Some(self.state.finish_now(&entry).as_str().to_owned())
    }

    /// Answer every protocol request (not `/_sim/`) with a gateway's `502`
    /// page for `length` from now, as a failing gateway in front of the
    /// service would: for tests of clients riding out an outage.
    pub fn outage(&self, length: std::time::Duration) {
        self.controls().outage(length);
    }

    /// A cheap, clonable handle to this server's controls, for callbacks
    /// that must own what they use (a progress callback, another task).
    #[must_use]
    pub fn controls(&self) -> Controls {
        Controls {
            state: self.state.clone(),
        }
    }

    /// Make every access token issued so far expired (the next request with
    /// one gets `401 token_expired`).
    pub fn expire_tokens(&self) {
        self.controls().expire_tokens();
    }

    /// Every webhook delivery attempt so far.
    #[must_use]
    pub fn webhook_deliveries(&self) -> Vec<WebhookDelivery> {
        self.state.webhooks.deliveries()
    }

    /// Stop accepting, close connections and stop background work.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(accept) = self.accept.take() {
            let _ = accept.await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
