//! WebSocket connections for streaming audio.
//!
//! A [`WsConnection`] is a handle to a worker task that owns the socket. The
//! worker answers pings, sends its own pings and notices a silent server,
//! forwards incoming messages, and performs the close handshake. Sends wait
//! until the frame is written to the socket, so a caller producing audio
//! faster than the network takes it is slowed down rather than buffered
//! without bound.
//!
//! Dropping the handle makes the worker close the socket in the background
//! (bounded by the close timeout); call [`WsConnection::close`] (or
//! [`WsConnection::wait_closed`] after a protocol-level stop) to learn how it
//! ended.

use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, USER_AGENT};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::Connector;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};
use tracing::Instrument;

mod worker;

use worker::{Command, Ended, Worker, classify, plain};

use crate::auth::{Authenticator, is_sensitive_header, refresh_after_401};
use crate::config::TransportConfig;
use crate::error::{Error, ErrorKind};
use crate::resolve;

/// Describes a WebSocket to open with [`crate::HttpClient::websocket_with`].
#[must_use]
#[derive(Debug, Clone)]
pub struct WsRequest {
    pub(crate) url: String,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) authenticate: bool,
    pub(crate) template: Option<Cow<'static, str>>,
}

impl WsRequest {
    /// A WebSocket to `url`, authenticated by the client's authenticator.
    pub fn new(url: impl Into<String>) -> Self {
        WsRequest {
            url: url.into(),
            headers: Vec::new(),
            authenticate: true,
            template: None,
        }
    }

    /// Adds a handshake header (credential headers are marked sensitive).
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        if is_sensitive_header(&name) {
            value.set_sensitive(true);
        }
        self.headers.push((name, value));
        self
    }

    /// Opens the socket without credentials (for URLs that carry their own).
    pub fn without_auth(mut self) -> Self {
        self.authenticate = false;
        self
    }

    /// The path with placeholders recorded in tracing instead of the real path.
    pub fn path_template(mut self, template: impl Into<Cow<'static, str>>) -> Self {
        self.template = Some(template.into());
        self
    }
}

/// A message received from the server.
#[derive(Clone, PartialEq, Eq)]
pub enum WsMessage {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Bytes),
}

impl fmt::Debug for WsMessage {
    // Frames may carry transcripts or audio: show their size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsMessage::Text(t) => write!(f, "Text({} bytes)", t.len()),
            WsMessage::Binary(b) => write!(f, "Binary({} bytes)", b.len()),
        }
    }
}

/// How a WebSocket ended cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseInfo {
    /// The close code (1000 normal, 1001 going away; 1005 when none was sent).
    pub code: u16,
    /// The reason the server gave, cut short.
    pub reason: String,
}

/// An open WebSocket.
///
/// A handle to a worker task that owns the socket: it answers pings, sends
/// its own and notices a silent server, forwards incoming messages, and
/// performs the close handshake. Sends wait until the frame is written to
/// the socket (backpressure). Dropping the handle closes the socket in the
/// background; end with [`close`](WsConnection::close), or with
/// [`wait_closed`](WsConnection::wait_closed) after a protocol-level stop, to
/// learn how it ended.
///
/// ```no_run
/// use scribe_transport::{HttpClient, TransportConfig};
///
/// # async fn run(pcm: Vec<u8>) -> Result<(), scribe_transport::Error> {
/// let http = HttpClient::new(TransportConfig::default())?;
/// let ws = http.websocket("wss://api.eka.care/voice/v1/stream/sessions/abc/audio").await?;
/// ws.send_binary(pcm).await?;
/// ws.send_text(r#"{"event":"stop"}"#).await?;
/// let mut ws = ws;
/// ws.wait_closed(std::time::Duration::from_secs(10)).await?;
/// # Ok(()) }
/// ```
pub struct WsConnection {
    commands: mpsc::Sender<Command>,
    incoming: mpsc::Receiver<WsMessage>,
    ended: Arc<Mutex<Option<Ended>>>,
    done: Option<oneshot::Receiver<()>>,
    close_timeout: Duration,
}

impl fmt::Debug for WsConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsConnection")
            .field("ended", &self.ended_state())
            .finish_non_exhaustive()
    }
}

impl WsConnection {
    /// Sends a binary frame; waits until it is written to the socket.
    pub async fn send_binary(&self, data: impl Into<Bytes>) -> Result<(), Error> {
        self.send(Message::Binary(data.into())).await
    }

    /// Sends a text frame; waits until it is written to the socket.
    pub async fn send_text(&self, text: impl Into<String>) -> Result<(), Error> {
        self.send(Message::Text(text.into().into())).await
    }

    async fn send(&self, message: Message) -> Result<(), Error> {
        let (reply, answer) = oneshot::channel();
        if self
            .commands
            .send(Command::Send(message, reply))
            .await
            .is_err()
        {
            return Err(self.ended_error());
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => Err(self.ended_error()),
        }
    }

    /// The next message from the server: `Ok(None)` once the socket closed
    /// cleanly, an error when it dropped or closed with an error code.
    pub async fn recv(&mut self) -> Result<Option<WsMessage>, Error> {
        match self.incoming.recv().await {
            Some(message) => Ok(Some(message)),
            None => self.final_result().await.map(|_| None),
        }
    }

    /// Waits up to `timeout` for the server to close the socket (after a
    /// protocol-level stop). Messages arriving meanwhile stay readable with
    /// [`recv`](WsConnection::recv). On timeout the socket is closed from
    /// this side and a [`ErrorKind::Timeout`] error is returned.
    pub async fn wait_closed(&mut self, timeout: Duration) -> Result<CloseInfo, Error> {
        let Some(done) = self.done.as_mut() else {
            return self.final_result().await;
        };
        match tokio::time::timeout(timeout, done).await {
            Ok(_) => {
                self.done = None;
                self.final_result().await
            }
            Err(_) => {
                let _ = self.close_inner().await;
                Err(Error::new(
                    ErrorKind::Timeout,
                    format!(
                        "the server did not close the stream within {:.1}s",
                        timeout.as_secs_f64()
                    ),
                ))
            }
        }
    }

    /// Starts the close handshake (code 1000) and waits, bounded by the
    /// client's close timeout, for the server's answer.
    pub async fn close(mut self) -> Result<CloseInfo, Error> {
        self.close_inner().await
    }

    async fn close_inner(&mut self) -> Result<CloseInfo, Error> {
        let (reply, answer) = oneshot::channel();
        if self.commands.send(Command::Close(reply)).await.is_ok() {
            // The worker bounds its own wait by the close timeout; this outer
            // bound only protects against a worker that cannot be scheduled.
            let _ = tokio::time::timeout(self.close_timeout.saturating_mul(2), answer).await;
        }
        self.final_result().await
    }

    async fn final_result(&mut self) -> Result<CloseInfo, Error> {
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
        match self.ended_state() {
            Some(ended) => ended.to_result(),
            None => Err(Error::new(
                ErrorKind::Connection,
                "the WebSocket worker stopped unexpectedly",
            )),
        }
    }

    fn ended_state(&self) -> Option<Ended> {
        self.ended.lock().ok().and_then(|guard| guard.clone())
    }

    fn ended_error(&self) -> Error {
        match self.ended_state() {
            Some(ended) => ended.closed_error(),
            None => Error::new(ErrorKind::Connection, "the WebSocket is no longer open"),
        }
    }
}

/// Opens the socket (refreshing credentials once on a 401) and starts the worker.
pub(crate) async fn connect(
    config: &TransportConfig,
    tls: Arc<rustls::ClientConfig>,
    uri: http::Uri,
    request: WsRequest,
    auth: Option<&Arc<dyn Authenticator>>,
) -> Result<WsConnection, Error> {
    let span = tracing::info_span!(
        "scribe.ws",
        path = %request.template.as_deref().unwrap_or("<untemplated>"),
    );
    let host = uri.host().unwrap_or("").to_owned();
    let limit = config
        .connect_timeout
        .saturating_add(config.request_timeout);
    let mut refreshes = 0;
    let socket = loop {
        let credentials = match auth {
            Some(auth) => Some(auth.authorize().await?),
            None => None,
        };
        let mut handshake = uri.clone().into_client_request().map_err(|e| {
            Error::new(ErrorKind::Config, "not a WebSocket URL").with_source(plain(&e))
        })?;
        let headers = handshake.headers_mut();
        if let Ok(agent) = HeaderValue::from_str(&config.user_agent) {
            headers.insert(USER_AGENT, agent);
        }
        for (name, value) in &config.default_headers {
            headers.insert(name.clone(), value.clone());
        }
        for (name, value) in &request.headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(credentials) = &credentials {
            for (name, value) in credentials.iter() {
                headers.insert(name.clone(), value.clone());
            }
        }
        // The TCP connection is made here rather than by tungstenite, so that
        // `localhost` names resolve as they do for HTTP (see crate::resolve).
        let connector = Some(Connector::Rustls(Arc::clone(&tls)));
        let opening = async {
            let tcp = resolve::tcp_connect(&uri)
                .await
                .map_err(tungstenite::Error::Io)?;
            tokio_tungstenite::client_async_tls_with_config(handshake, tcp, None, connector).await
        };
        let result = match tokio::time::timeout(limit, opening)
            .instrument(span.clone())
            .await
        {
            Ok(result) => result,
            Err(_) => {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    format!("opening the WebSocket to {host} timed out"),
                ));
            }
        };
        match result {
            Ok((socket, _)) => break socket,
            Err(tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response.body().as_deref().unwrap_or_default();
                let err = Error::from_response(status, body);
                if status == 401
                    && refresh_after_401(auth, credentials.as_ref(), &mut refreshes).await?
                {
                    continue;
                }
                return Err(err);
            }
            Err(e) => return Err(classify(e, &host, "opening the WebSocket")),
        }
    };
    span.in_scope(|| tracing::debug!("WebSocket open"));

    let (commands, command_rx) = mpsc::channel(16);
    let (incoming_tx, incoming) = mpsc::channel(worker::INCOMING_CAPACITY);
    let ended = Arc::new(Mutex::new(None));
    let (done_tx, done) = oneshot::channel();
    let worker = Worker {
        socket,
        incoming: incoming_tx,
        dropped: 0,
        ended: Arc::clone(&ended),
        ping_interval: config.ws_ping_interval,
        pong_timeout: config.ws_pong_timeout,
        close_timeout: config.ws_close_timeout,
        host,
    };
    tokio::spawn(
        async move {
            worker.run(command_rx).await;
            let _ = done_tx.send(());
        }
        .instrument(span),
    );
    Ok(WsConnection {
        commands,
        incoming,
        ended,
        done: Some(done),
        close_timeout: config.ws_close_timeout,
    })
}
