//! Live streaming over a WebSocket: raw 16 kHz PCM in, a session out.
//!
//! A session created with [`CreateSession::streaming`](crate::CreateSession::streaming)
//! carries a stream URL; [`Session::open_stream`] connects it and returns a
//! [`LiveStream`]. Audio goes as binary frames of
//! 16-bit little-endian mono PCM at 16 kHz, or, in [`FrameMode::JsonEnvelope`],
//! as a `start` text frame followed by `media` frames carrying base64 PCM.
//! [`LiveStream::stop`] sends `stop`, waits for the server to close the
//! socket, then ends the session; poll results as for chunked sessions.
//!
//! ```no_run
//! use scribe::FrameMode;
//!
//! # async fn run(client: scribe::ScribeClient, microphone: Vec<Vec<i16>>) -> Result<(), scribe::Error> {
//! let session = client
//!     .create_session()
//!     .templates(["transcript_template"])
//!     .streaming()
//!     .await?;
//! let mut live = session.open_stream().frame_mode(FrameMode::Binary).await?;
//! for buffer in microphone {
//!     live.send_audio(&buffer).await?; // 16 kHz mono samples
//! }
//! let sent = live.stop().await?; // stop, wait for the flush, end
//! println!("{:.1} s streamed", sent.audio_seconds);
//! let result = session.wait().await?;
//! # let _ = result;
//! # Ok(()) }
//! ```

use std::future::IntoFuture;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::flavor::{BoxFuture, sealed};
use crate::protocol::stream::StreamFrame;
use crate::transport::{WsConnection, WsMessage, WsRequest};
use crate::{Error, ErrorKind, Session};

/// Sample rate of streamed audio.
pub const STREAM_SAMPLE_RATE: u32 = crate::protocol::stream::PCM_SAMPLE_RATE;
/// How long [`LiveStream::stop`] waits for the server to close the socket.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);
/// Audio per frame when a whole buffer or file is sent (100 ms).
pub const FRAME_SAMPLES: usize = 1_600;
/// The slowest pacing [`LiveStream::send_samples_paced`] takes (a hundredth
/// of real time).
pub const MIN_SPEED: f64 = 0.01;

/// How audio frames are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FrameMode {
    /// Binary frames of raw PCM (the default).
    #[default]
    Binary,
    /// JSON text frames: `start`, then `media` with base64 PCM.
    JsonEnvelope,
}

/// Opens a session's live stream; from [`Session::open_stream`]. Runs on
/// `.await` (blocking client: `.send()`).
#[must_use = "the stream is opened only when this is awaited (or sent)"]
#[derive(Debug)]
pub struct OpenStream<'a, S = Session> {
    pub(crate) session: &'a S,
    frame_mode: FrameMode,
}

impl<'a, S: sealed::Session> OpenStream<'a, S> {
    pub(crate) fn new(session: &'a S) -> Self {
        Self {
            session,
            frame_mode: FrameMode::Binary,
        }
    }

    /// How audio frames are sent (default [`FrameMode::Binary`]).
    pub fn frame_mode(mut self, mode: FrameMode) -> Self {
        self.frame_mode = mode;
        self
    }

    /// Connects (what `.await` and the blocking `.send()` run).
    pub(crate) fn run(self) -> BoxFuture<'a, Result<LiveStream, Error>> {
        Box::pin(connect(self.session.session().clone(), self.frame_mode))
    }
}

impl<'a> IntoFuture for OpenStream<'a, Session> {
    type Output = Result<LiveStream, Error>;
    type IntoFuture = BoxFuture<'a, Result<LiveStream, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        self.run()
    }
}

/// A message the server sent on a live stream (acknowledgements, partial
/// transcripts, errors: whatever the server speaks). `Debug` shows sizes
/// only: messages may carry transcripts.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerMessage {
    /// A text frame holding JSON.
    Json(serde_json::Value),
    /// A text frame that is not JSON.
    Text(String),
    /// A binary frame.
    Binary(Bytes),
}

impl std::fmt::Debug for ServerMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerMessage::Json(v) => {
                let event = v.get("event").or_else(|| v.get("type"));
                write!(f, "Json(event: {:?})", event.and_then(|e| e.as_str()))
            }
            ServerMessage::Text(t) => write!(f, "Text({} bytes)", t.len()),
            ServerMessage::Binary(b) => write!(f, "Binary({} bytes)", b.len()),
        }
    }
}

/// What a stream sent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[non_exhaustive]
pub struct StreamSummary {
    /// Audio frames sent.
    pub frames: u64,
    /// Seconds of audio sent.
    pub audio_seconds: f64,
}

/// An open live stream; see the [module documentation](self).
///
/// Drop it only after [`stop`](LiveStream::stop): a dropped stream closes its
/// socket but never ends the session, and says so in a warning.
pub struct LiveStream {
    session: Session,
    ws: Option<WsConnection>,
    mode: FrameMode,
    samples_sent: u64,
    frames_sent: u64,
}

impl std::fmt::Debug for LiveStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveStream")
            .field("session", &self.session.id())
            .field("mode", &self.mode)
            .field("frames_sent", &self.frames_sent)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Opens the live stream of a session created with
    /// [`streaming()`](crate::CreateSession::streaming); see [`OpenStream`].
    pub fn open_stream(&self) -> OpenStream<'_> {
        OpenStream::new(self)
    }
}

/// Connects the session's stream URL and, in JSON-envelope mode, sends `start`.
async fn connect(session: Session, mode: FrameMode) -> Result<LiveStream, Error> {
    let url = session
        .creation()
        .and_then(|c| c.upload_url.clone())
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        return Err(Error::new(
            ErrorKind::Validation,
            format!("session {} has no stream URL", session.id()),
        )
        .with_hint(
            "create the session with .streaming() and open its stream from that handle; a \
             server that gives no stream URL does not offer streaming: upload chunks instead",
        ));
    };
    let http = &session.client.inner.http;
    let ws = http
        .websocket_with(
            WsRequest::new(url.as_str()).path_template("/v1/stream/sessions/{id}/audio"),
        )
        .await
        .map_err(|e| {
            let refused = e.is_auth() && !http.sends_credentials_to(&url);
            let e = Error::from(e);
            if refused {
                // The URL itself may carry a signature: name no part of it.
                e.with_hint(
                    "the server's stream URL is on another host than base_url, and the SDK \
                     sends credentials only to base_url's host; check base_url",
                )
            } else {
                e
            }
        })?;
    let stream_id = stream_id_of(&url).unwrap_or(session.id()).to_owned();
    let stream = LiveStream {
        session,
        ws: Some(ws),
        mode,
        samples_sent: 0,
        frames_sent: 0,
    };
    if stream.mode == FrameMode::JsonEnvelope {
        let start = frame_text(&StreamFrame::start(stream_id))?;
        stream.socket()?.send_text(start).await?;
    }
    Ok(stream)
}

impl LiveStream {
    /// The session the stream feeds.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The next message from the server, waiting for one: `Ok(None)` once
    /// the socket closed cleanly, an error when it dropped. Messages wait in
    /// a bounded queue; when nobody reads them, the oldest stay and newer
    /// ones are dropped (with a warning), so an unread stream never grows
    /// without bound.
    pub async fn next_message(&mut self) -> Result<Option<ServerMessage>, Error> {
        let Some(ws) = self.ws.as_mut() else {
            return Ok(None);
        };
        Ok(ws.recv().await?.map(|message| match message {
            WsMessage::Text(text) => match serde_json::from_str(&text) {
                Ok(json) => ServerMessage::Json(json),
                Err(_) => ServerMessage::Text(text),
            },
            WsMessage::Binary(bytes) => ServerMessage::Binary(bytes),
        }))
    }

    /// What has been sent so far.
    pub fn summary(&self) -> StreamSummary {
        StreamSummary {
            frames: self.frames_sent,
            audio_seconds: self.samples_sent as f64 / f64::from(STREAM_SAMPLE_RATE),
        }
    }

    fn socket(&self) -> Result<&WsConnection, Error> {
        self.ws
            .as_ref()
            .ok_or_else(|| Error::new(ErrorKind::Closed, "the stream is already stopped"))
    }

    /// Sends 16 kHz mono samples as one frame. Waits until the frame is on
    /// the wire, so a producer faster than the network is slowed down.
    pub async fn send_audio(&mut self, pcm: &[i16]) -> Result<(), Error> {
        if pcm.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::with_capacity(pcm.len() * 2);
        for sample in pcm {
            bytes.extend_from_slice(&sample.to_le_bytes());
        }
        self.send_frame(bytes).await?;
        self.samples_sent += pcm.len() as u64;
        Ok(())
    }

    /// Sends 16 kHz mono 16-bit little-endian PCM bytes as one frame.
    pub async fn send_pcm_bytes(&mut self, pcm: &[u8]) -> Result<(), Error> {
        if pcm.len() % 2 != 0 {
            return Err(crate::client::invalid(
                format!(
                    "{} bytes of 16-bit PCM is not a whole number of samples",
                    pcm.len()
                ),
                "send whole 2-byte samples",
            ));
        }
        if pcm.is_empty() {
            return Ok(());
        }
        self.send_frame(pcm.to_vec()).await?;
        self.samples_sent += pcm.len() as u64 / 2;
        Ok(())
    }

    async fn send_frame(&mut self, bytes: Vec<u8>) -> Result<(), Error> {
        let socket = self.socket()?;
        match self.mode {
            FrameMode::Binary => socket.send_binary(bytes).await?,
            FrameMode::JsonEnvelope => {
                socket
                    .send_text(frame_text(&StreamFrame::media(&bytes))?)
                    .await?;
            }
        }
        self.frames_sent += 1;
        Ok(())
    }

    /// Sends samples in 100 ms frames; with `speed` (1.0 = real time, 2.0 =
    /// twice as fast, at least [`MIN_SPEED`]) frames are paced, without it
    /// they go as fast as the connection takes them.
    pub async fn send_samples_paced(
        &mut self,
        pcm: &[i16],
        speed: Option<f64>,
    ) -> Result<(), Error> {
        let speed = checked_speed(speed)?;
        let started = Instant::now();
        let first = self.samples_sent;
        for frame in pcm.chunks(FRAME_SAMPLES) {
            if let Some(speed) = speed {
                let due =
                    (self.samples_sent - first) as f64 / f64::from(STREAM_SAMPLE_RATE) / speed;
                let elapsed = started.elapsed().as_secs_f64();
                if due > elapsed {
                    let pause = Duration::try_from_secs_f64(due - elapsed).unwrap_or(Duration::MAX);
                    tokio::time::sleep(pause).await;
                }
            }
            self.send_audio(frame).await?;
        }
        Ok(())
    }

    /// Streams the speech of a recording (a path or file bytes): it is
    /// decoded, resampled to 16 kHz mono and cut by speech detection as for
    /// an upload, and each speech chunk is sent in 100 ms frames, paced at
    /// `speed` times real time, or as fast as the connection takes them
    /// with `None`.
    #[cfg(feature = "audio")]
    pub async fn send_file(
        &mut self,
        source: impl Into<crate::AudioSource>,
        speed: Option<f64>,
    ) -> Result<StreamSummary, Error> {
        use crate::upload::audio::{Feed, start_pipeline};
        checked_speed(speed)?;
        let before = self.summary();
        let mut feed = start_pipeline(
            source.into().into_input(),
            self.session.client.inner.pipeline.clone(),
        );
        while let Some(item) = feed.recv().await {
            match item.map_err(Error::from)? {
                Feed::Chunk(chunk) => {
                    let pcm = chunk.samples().map_err(Error::from)?;
                    self.send_samples_paced(&pcm, speed).await?;
                }
                Feed::Done(_) => break,
            }
        }
        let after = self.summary();
        Ok(StreamSummary {
            frames: after.frames - before.frames,
            audio_seconds: after.audio_seconds - before.audio_seconds,
        })
    }

    /// Sends `stop`, waits (up to 10 s) for the server to flush and close
    /// the socket, then ends the session so processing starts.
    ///
    /// A socket that drops, or that the server closes with an error, before
    /// it confirms the flush is an error, and the session is then *not*
    /// ended: the server may not hold all the audio. Check what it holds
    /// ([`Session::get`], `audio_files`) and end it with
    /// [`Session::end`]`(0)`, or stream again.
    /// A server that only closes slowly is waited for, then the session is
    /// ended as usual.
    pub async fn stop(mut self) -> Result<StreamSummary, Error> {
        let summary = self.summary();
        let Some(mut ws) = self.ws.take() else {
            return Err(Error::new(
                ErrorKind::Closed,
                "the stream is already stopped",
            ));
        };
        ws.send_text(frame_text(&StreamFrame::stop(None))?).await?;
        match ws.wait_closed(STOP_TIMEOUT).await {
            Ok(_) => {}
            // The audio was sent and stop was delivered; a slow close must
            // not keep the session from being ended.
            Err(e) if e.is_timeout() => {
                tracing::warn!(error = %e, "the stream did not close in time after stop; ending the session");
            }
            // Dropped or refused before the flush was confirmed: ending now
            // could commit less audio than was sent, without anyone knowing.
            Err(e) => {
                return Err(Error::from(e).with_hint(
                    "the stream ended before the server confirmed it stored the audio, and the \
                     session was not ended: check what it holds with Session::get (audio_files), \
                     then end it with Session::end(0), or stream again",
                ));
            }
        }
        self.session.end(0).await?;
        Ok(summary)
    }
}

/// A pacing speed that is a finite number of at least [`MIN_SPEED`].
fn checked_speed(speed: Option<f64>) -> Result<Option<f64>, Error> {
    match speed {
        Some(s) if !(s.is_finite() && s >= MIN_SPEED) => Err(crate::client::invalid(
            format!("{s} is not a usable streaming speed"),
            "pass a speed of at least 0.01 (1.0 is real time), or None for as fast as possible",
        )),
        speed => Ok(speed),
    }
}

/// The stream id of an upload URL (`.../stream/sessions/{stream_id}/audio`):
/// the path segment before the final `audio`.
fn stream_id_of(url: &str) -> Option<&str> {
    let path = url.split(['?', '#']).next()?;
    let mut segments = path.trim_end_matches('/').rsplit('/');
    match (segments.next(), segments.next()) {
        (Some("audio"), Some(id)) if !id.is_empty() => Some(id),
        _ => None,
    }
}

fn frame_text(frame: &StreamFrame) -> Result<String, Error> {
    serde_json::to_string(frame).map_err(|e| {
        Error::new(ErrorKind::Protocol, "a stream frame could not be encoded").with_source(e)
    })
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        if self.ws.is_some() {
            tracing::warn!(
                session_id = %self.session.id(),
                "LiveStream dropped without stop(): the session was not ended and will expire; call stop() to finish it"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_are_checked() {
        assert_eq!(checked_speed(None).ok(), Some(None));
        assert_eq!(checked_speed(Some(1.0)).ok(), Some(Some(1.0)));
        for bad in [0.0, -1.0, 1e-300, f64::NAN, f64::INFINITY] {
            let err = checked_speed(Some(bad)).err();
            assert!(
                err.is_some_and(|e| e.kind() == ErrorKind::Validation),
                "{bad} accepted"
            );
        }
    }

    #[test]
    fn stream_id_comes_from_the_url() {
        assert_eq!(
            stream_id_of("wss://api.eka.care/voice/v1/stream/sessions/st_42/audio"),
            Some("st_42")
        );
        assert_eq!(
            stream_id_of("ws://127.0.0.1:9/v1/stream/sessions/abc/audio/?t=1"),
            Some("abc")
        );
        assert_eq!(stream_id_of("wss://x/other"), None);
    }
}
