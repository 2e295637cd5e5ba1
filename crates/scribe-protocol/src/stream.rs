//! WebSocket streaming control frames (JSON-envelope mode).
//!
//! In JSON-envelope mode a client first sends a `start` frame, then `media`
//! frames carrying base64 PCM (16-bit little-endian mono, 16 kHz), then a
//! `stop` frame. In raw mode the same PCM goes as binary frames and only
//! `stop` is sent as JSON. Closing the socket does not finalize the session:
//! `POST /v1/sessions/{id}/end` with `audio_files_sent: 0` does.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::Extra;
use crate::open_enum::open_enum;
use crate::redact::Keys;
use crate::tolerant::keep_nulls;

/// Encoding name of 16-bit little-endian linear PCM.
pub const PCM_ENCODING: &str = "audio/x-l16";

/// Sample rate of streamed PCM, in Hz.
pub const PCM_SAMPLE_RATE: u32 = 16_000;

open_enum! {
    /// The kind of a control frame.
    pub enum StreamEvent {
        /// Opens the stream and declares the media format.
        Start => "start",
        /// Carries audio.
        Media => "media",
        /// Ends the stream; the server flushes and closes.
        Stop => "stop",
    }
}

/// A JSON control frame: `{"event": "start" | "media" | "stop", ...}`.
///
/// ```
/// use scribe_protocol::stream::StreamFrame;
///
/// let start = StreamFrame::start("str_123");
/// assert_eq!(
///     serde_json::to_string(&start)?,
///     r#"{"event":"start","start":{"streamId":"str_123","mediaFormat":{"encoding":"audio/x-l16","sampleRate":16000}}}"#
/// );
/// let media = StreamFrame::media(&[0, 0, 1, 0]);
/// assert_eq!(media.pcm().unwrap(), Some(vec![0, 0, 1, 0]));
/// assert_eq!(serde_json::to_string(&StreamFrame::stop(None))?, r#"{"event":"stop"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "StreamFrame")
)]
pub struct StreamFrame {
    /// What this frame is.
    pub event: StreamEvent,
    /// Present on `start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<StreamStart>,
    /// Present on `media`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<StreamMedia>,
    /// Why the stream stops (optional on `stop`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(StreamFrame {
    start,
    media,
    reason
});

impl StreamFrame {
    /// A `start` frame for 16 kHz 16-bit PCM.
    pub fn start(stream_id: impl Into<String>) -> Self {
        StreamFrame {
            event: StreamEvent::Start,
            start: Some(StreamStart {
                stream_id: stream_id.into(),
                media_format: Some(MediaFormat {
                    encoding: PCM_ENCODING.to_owned(),
                    sample_rate: PCM_SAMPLE_RATE,
                    extra: Extra::new(),
                }),
                extra: Extra::new(),
            }),
            media: None,
            reason: None,
            extra: Extra::new(),
        }
    }

    /// A `media` frame carrying raw PCM bytes (base64-encoded on the wire).
    pub fn media(pcm: &[u8]) -> Self {
        StreamFrame {
            event: StreamEvent::Media,
            start: None,
            media: Some(StreamMedia {
                payload: STANDARD.encode(pcm),
                extra: Extra::new(),
            }),
            reason: None,
            extra: Extra::new(),
        }
    }

    /// A `stop` frame.
    pub fn stop(reason: Option<String>) -> Self {
        StreamFrame {
            event: StreamEvent::Stop,
            start: None,
            media: None,
            reason,
            extra: Extra::new(),
        }
    }

    /// The PCM bytes of a `media` frame (`None` for other frames).
    pub fn pcm(&self) -> Result<Option<Vec<u8>>, StreamFrameError> {
        match &self.media {
            Some(media) => STANDARD
                .decode(media.payload.as_bytes())
                .map(Some)
                .map_err(|_| StreamFrameError::InvalidPayload),
            None => Ok(None),
        }
    }
}

/// The `start` object: `{"streamId", "mediaFormat"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
#[cfg_attr(
    feature = "schemars",
    derive(schemars::JsonSchema),
    schemars(rename = "StreamStart")
)]
pub struct StreamStart {
    /// The stream's id.
    #[serde(rename = "streamId")]
    pub stream_id: String,
    /// The audio format that follows.
    #[serde(
        rename = "mediaFormat",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub media_format: Option<MediaFormat>,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

keep_nulls!(StreamStart { media_format = "mediaFormat" });

/// `{"encoding", "sampleRate"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct MediaFormat {
    /// Encoding, `audio/x-l16`.
    pub encoding: String,
    /// Sample rate in Hz, 16000.
    #[serde(rename = "sampleRate")]
    pub sample_rate: u32,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `media` object: `{"payload": "<base64 PCM>"}`. `Debug` shows only
/// the payload's length (it is audio: patient data).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
pub struct StreamMedia {
    /// Base64 of raw PCM.
    pub payload: String,
    /// Fields this SDK does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for StreamMedia {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamMedia")
            .field("payload_len", &self.payload.len())
            .field("extra", &Keys(&self.extra))
            .finish()
    }
}

/// A control frame that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StreamFrameError {
    /// The media payload is not valid base64.
    #[error(
        "the media frame's payload is not valid standard base64; encode raw 16-bit PCM with padding"
    )]
    InvalidPayload,
}
