//! The task that owns a WebSocket: frames in and out, pings, the close
//! handshake, and how the connection ended.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{CloseInfo, WsMessage};
use crate::error::{Error, ErrorKind};
use crate::response::excerpt;

pub(super) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How the worker ended; kept so every later call reports the same thing.
#[derive(Debug, Clone)]
pub(super) enum Ended {
    Clean(CloseInfo),
    Failed {
        kind: ErrorKind,
        message: String,
        close: Option<CloseInfo>,
    },
}

impl Ended {
    pub(super) fn to_result(&self) -> Result<CloseInfo, Error> {
        match self {
            Ended::Clean(info) => Ok(info.clone()),
            Ended::Failed {
                kind,
                message,
                close,
            } => {
                let mut err = Error::new(*kind, message.clone());
                if let Some(close) = close {
                    err = err.with_hint(format!(
                        "the server closed the stream with code {}{}",
                        close.code,
                        if close.reason.is_empty() {
                            String::new()
                        } else {
                            format!(": {}", close.reason)
                        }
                    ));
                }
                Err(err)
            }
        }
    }

    pub(super) fn closed_error(&self) -> Error {
        match self.to_result() {
            Ok(info) => Error::new(
                ErrorKind::Closed,
                format!("the WebSocket is closed (code {})", info.code),
            ),
            Err(err) => err,
        }
    }
}

/// How long a failed write waits for the close frame that may explain it.
const SEND_FAILURE_DRAIN: Duration = Duration::from_millis(250);

/// Server messages held for the reader before newer ones are dropped.
pub(crate) const INCOMING_CAPACITY: usize = 256;

pub(super) enum Command {
    Send(Message, oneshot::Sender<Result<(), Error>>),
    Close(oneshot::Sender<()>),
}

pub(super) struct Worker {
    pub(super) socket: Socket,
    pub(super) incoming: mpsc::Sender<WsMessage>,
    /// Server messages dropped because nobody read them in time.
    pub(super) dropped: u64,
    pub(super) ended: Arc<Mutex<Option<Ended>>>,
    pub(super) ping_interval: Duration,
    pub(super) pong_timeout: Duration,
    pub(super) close_timeout: Duration,
    pub(super) host: String,
}

/// What the read side observed.
enum Read {
    Continue,
    Finished(Ended),
}

impl Worker {
    pub(super) async fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let mut ticker = tokio::time::interval(self.ping_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.tick().await;
        let mut last_heard = Instant::now();
        let ended = loop {
            tokio::select! {
                frame = self.socket.next() => {
                    last_heard = Instant::now();
                    match self.on_frame(frame).await {
                        Read::Continue => {}
                        Read::Finished(ended) => break ended,
                    }
                }
                command = commands.recv() => match command {
                    Some(Command::Send(message, reply)) => {
                        let result = self.socket.send(message).await;
                        match result {
                            Ok(()) => { let _ = reply.send(Ok(())); }
                            Err(e) => {
                                let ended = self.send_failed(e).await;
                                let _ = reply.send(Err(ended.closed_error()));
                                break ended;
                            }
                        }
                    }
                    Some(Command::Close(reply)) => {
                        let ended = self.close_handshake().await;
                        self.finish(ended);
                        let _ = reply.send(());
                        return;
                    }
                    // The handle was dropped: close politely (bounded) and leave.
                    None => break self.close_handshake().await,
                },
                _ = ticker.tick() => {
                    if last_heard.elapsed() > self.pong_timeout {
                        break Ended::Failed {
                            kind: ErrorKind::Connection,
                            message: format!(
                                "{} stopped answering pings for {:.0}s",
                                self.host,
                                self.pong_timeout.as_secs_f64()
                            ),
                            close: None,
                        };
                    }
                    if let Err(e) = self.socket.send(Message::Ping(Bytes::new())).await {
                        break self.failure(e, "sending a ping");
                    }
                }
            }
        };
        self.finish(ended);
    }

    /// Hands a server message to the reader without ever blocking the
    /// socket: when the bounded queue is full (nobody reads), the message is
    /// dropped and counted, so pings and sends keep flowing.
    fn forward(&mut self, message: WsMessage) {
        match self.incoming.try_send(message) {
            Ok(()) | Err(mpsc::error::TrySendError::Closed(_)) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.dropped += 1;
                if self.dropped.is_power_of_two() {
                    tracing::warn!(
                        dropped = self.dropped,
                        "server messages dropped: nobody reads them (the queue holds {INCOMING_CAPACITY})"
                    );
                }
            }
        }
    }

    fn finish(&self, ended: Ended) {
        match &ended {
            Ended::Clean(info) => tracing::debug!(code = info.code, "WebSocket closed"),
            Ended::Failed { kind, message, .. } => {
                tracing::info!(kind = ?kind, reason = %message, "WebSocket ended")
            }
        }
        if let Ok(mut slot) = self.ended.lock() {
            slot.get_or_insert(ended);
        }
    }

    async fn on_frame(&mut self, frame: Option<Result<Message, tungstenite::Error>>) -> Read {
        match frame {
            Some(Ok(Message::Text(text))) => {
                self.forward(WsMessage::Text(text.as_str().to_owned()));
                Read::Continue
            }
            Some(Ok(Message::Binary(data))) => {
                self.forward(WsMessage::Binary(data));
                Read::Continue
            }
            Some(Ok(Message::Ping(_))) => {
                // tungstenite queued the pong; flush it out now.
                match self.socket.flush().await {
                    Ok(()) => Read::Continue,
                    Err(e) => Read::Finished(self.failure(e, "answering a ping")),
                }
            }
            Some(Ok(Message::Pong(_) | Message::Frame(_))) => Read::Continue,
            Some(Ok(Message::Close(frame))) => {
                // Answer the close (tungstenite queued the reply) and drain.
                let info = close_info(frame.as_ref());
                let _ = tokio::time::timeout(self.close_timeout, async {
                    let _ = self.socket.flush().await;
                    while let Some(Ok(_)) = self.socket.next().await {}
                })
                .await;
                Read::Finished(ended_by_server(info))
            }
            Some(Err(e)) => Read::Finished(self.failure(e, "reading")),
            None => Read::Finished(Ended::Failed {
                kind: ErrorKind::Connection,
                message: format!("the WebSocket to {} ended without a close frame", self.host),
                close: None,
            }),
        }
    }

    /// Sends our close frame and waits, bounded, for the server's.
    async fn close_handshake(&mut self) -> Ended {
        let frame = CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        };
        if let Err(e) = self.socket.close(Some(frame)).await {
            return match e {
                tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
                    Ended::Clean(CloseInfo {
                        code: 1000,
                        reason: String::new(),
                    })
                }
                e => self.failure(e, "closing"),
            };
        }
        let close_timeout = self.close_timeout;
        let wait = async {
            loop {
                match self.socket.next().await {
                    Some(Ok(Message::Close(frame))) => return Some(close_info(frame.as_ref())),
                    Some(Ok(Message::Text(text))) => {
                        self.forward(WsMessage::Text(text.as_str().to_owned()));
                    }
                    Some(Ok(Message::Binary(data))) => {
                        self.forward(WsMessage::Binary(data));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => return None,
                }
            }
        };
        match tokio::time::timeout(close_timeout, wait).await {
            Ok(Some(info)) => ended_by_server(info),
            // The server dropped the TCP connection right after our close:
            // nothing was lost, treat as a clean close.
            Ok(None) => Ended::Clean(CloseInfo {
                code: 1000,
                reason: String::new(),
            }),
            Err(_) => Ended::Failed {
                kind: ErrorKind::Timeout,
                message: format!(
                    "{} did not answer the close within {:.1}s",
                    self.host,
                    self.close_timeout.as_secs_f64()
                ),
                close: None,
            },
        }
    }

    /// A write failed: the server may have closed the socket with a code
    /// and a reason just before. Read what is still buffered (briefly) so
    /// the caller learns the server's reason rather than "dropped".
    async fn send_failed(&mut self, error: tungstenite::Error) -> Ended {
        let pending = tokio::time::timeout(SEND_FAILURE_DRAIN, async {
            while let Some(Ok(message)) = self.socket.next().await {
                match message {
                    Message::Close(frame) => return Some(close_info(frame.as_ref())),
                    Message::Text(text) => self.forward(WsMessage::Text(text.as_str().to_owned())),
                    Message::Binary(data) => self.forward(WsMessage::Binary(data)),
                    _ => {}
                }
            }
            None
        })
        .await;
        match pending {
            Ok(Some(info)) => ended_by_server(info),
            _ => self.failure(error, "sending a frame"),
        }
    }

    fn failure(&self, error: tungstenite::Error, doing: &str) -> Ended {
        let err = classify(error, &self.host, doing);
        Ended::Failed {
            kind: err.kind(),
            message: err.message().to_owned(),
            close: None,
        }
    }
}

fn close_info(frame: Option<&CloseFrame>) -> CloseInfo {
    match frame {
        Some(frame) => CloseInfo {
            code: u16::from(frame.code),
            reason: short_reason(frame.reason.as_str()),
        },
        None => CloseInfo {
            code: 1005,
            reason: String::new(),
        },
    }
}

fn short_reason(reason: &str) -> String {
    reason
        .chars()
        .filter(|c| !c.is_control())
        .take(120)
        .collect()
}

/// A server close with 1000 (normal) or 1001 (going away) is clean; any
/// other code is an error of kind [`ErrorKind::Closed`].
fn ended_by_server(info: CloseInfo) -> Ended {
    if matches!(info.code, 1000 | 1001 | 1005) {
        Ended::Clean(info)
    } else {
        Ended::Failed {
            kind: ErrorKind::Closed,
            message: format!("the server closed the stream with code {}", info.code),
            close: Some(info),
        }
    }
}

/// Maps a tungstenite failure to a kind. The tungstenite error itself is
/// not kept: some variants hold the frame being sent (audio).
pub(super) fn classify(error: tungstenite::Error, host: &str, doing: &str) -> Error {
    use tungstenite::Error as E;
    match error {
        E::ConnectionClosed | E::AlreadyClosed => Error::new(
            ErrorKind::Closed,
            format!("the WebSocket to {host} is already closed ({doing})"),
        ),
        E::Io(io) => {
            let tls = io
                .get_ref()
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some());
            if tls {
                Error::new(ErrorKind::Tls, format!("TLS with {host} failed ({doing})"))
                    .with_source(io)
                    .with_hint(
                        "check the host name, the system clock and any TLS-intercepting proxy",
                    )
            } else if io.kind() == std::io::ErrorKind::TimedOut {
                Error::new(ErrorKind::Timeout, format!("{doing}: {host} timed out")).with_source(io)
            } else {
                Error::new(
                    ErrorKind::Connection,
                    format!("the WebSocket to {host} dropped ({doing})"),
                )
                .with_source(io)
            }
        }
        E::Tls(e) => Error::new(ErrorKind::Tls, format!("TLS with {host} failed ({doing})"))
            .with_source(plain(&e)),
        E::Protocol(e) => {
            use tungstenite::error::ProtocolError as P;
            if matches!(e, P::ResetWithoutClosingHandshake) {
                Error::new(
                    ErrorKind::Connection,
                    format!("the WebSocket to {host} dropped without a close frame ({doing})"),
                )
            } else {
                Error::new(
                    ErrorKind::Protocol,
                    format!("WebSocket protocol violation by {host} ({doing}): {e}"),
                )
            }
        }
        E::Capacity(e) => Error::new(
            ErrorKind::Protocol,
            format!("WebSocket message too large ({doing}): {e}"),
        ),
        E::Http(response) => {
            let status = response.status().as_u16();
            let body = response.body().as_deref().unwrap_or_default();
            Error::from_response(status, body)
        }
        E::Url(e) => Error::new(ErrorKind::Config, format!("not a WebSocket URL: {e}")),
        E::HttpFormat(e) => Error::new(
            ErrorKind::Config,
            "the WebSocket handshake could not be built",
        )
        .with_source(e),
        E::Utf8(_) => Error::new(
            ErrorKind::Protocol,
            format!("{host} sent a text frame that is not UTF-8 ({doing})"),
        ),
        other => Error::new(
            ErrorKind::Connection,
            format!(
                "WebSocket failure with {host} ({doing}): {}",
                excerpt(other.to_string().as_bytes())
            ),
        ),
    }
}

/// A dependency error reduced to its message, so no dependency type (and no
/// payload it may hold) is kept behind `source()`.
pub(super) fn plain(error: &dyn std::error::Error) -> std::io::Error {
    std::io::Error::other(error.to_string())
}
