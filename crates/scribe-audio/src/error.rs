//! The one error type of this crate.
//!
//! Every variant names the problem and, where the caller can do something
//! about it, the fix. No variant ever carries audio or any other patient data:
//! details come from the decoder's fixed messages or from this crate.

use std::path::PathBuf;

/// Why audio could not be inspected, decoded, analysed or chunked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AudioError {
    /// The input holds no bytes (or no samples) at all.
    #[error("the audio input is empty (0 bytes); pass a recording with sound in it")]
    Empty,

    /// The container is readable but holds no audio frames: a header and
    /// nothing after it (a recorder that stopped before writing any sound,
    /// or a copy cut right after the header).
    #[error(
        "the recording has no audio frames{}",
        if *announced {
            " although its header announces some; the file was cut short, re-copy or re-export it"
        } else {
            " (its header announces none); check that the recording captured sound"
        }
    )]
    NoAudioFrames {
        /// Whether the header announces audio that is missing (a cut
        /// file) rather than none at all (an empty recording).
        announced: bool,
    },

    /// The recording ends before its container says it should: the file was
    /// cut short (an interrupted copy or upload).
    #[error("the audio ends early ({detail}); the file looks truncated, re-export or re-copy it")]
    Truncated {
        /// What the decoder noticed (a fixed message, never audio content).
        detail: String,
    },

    /// The bytes claim to be a known format but cannot be decoded.
    #[error("the audio is corrupt ({detail}); re-export the recording")]
    Corrupt {
        /// What the decoder rejected (a fixed message, never audio content).
        detail: String,
    },

    /// The content matches no supported container.
    #[error(
        "unrecognised audio format; supported: wav, mp3, m4a/mp4 (AAC), webm/mkv (Opus), \
         ogg (Opus, Vorbis), flac, or raw 16-bit PCM / f32 samples"
    )]
    UnrecognizedFormat,

    /// The container is known but its audio codec is not supported.
    #[error(
        "unsupported audio codec `{codec}`; convert the recording to one of wav, mp3, \
         AAC, Opus, Vorbis or flac"
    )]
    UnsupportedCodec {
        /// The codec as the container names it.
        codec: String,
    },

    /// The container holds no audio track (for example a video-only file).
    #[error("the file holds no audio track")]
    NoAudioTrack,

    /// The sample rate is 0 or otherwise unusable.
    #[error("invalid sample rate {rate} Hz; the sample rate must be between 1 and 768000 Hz")]
    InvalidSampleRate {
        /// The rate found in the input or configuration.
        rate: u32,
    },

    /// The channel count is 0 or unusable.
    #[error("invalid channel count {channels}; audio needs at least one channel")]
    InvalidChannels {
        /// The channel count found in the input or configuration.
        channels: u32,
    },

    /// Raw PCM input whose length is not a whole number of frames.
    #[error(
        "raw PCM input of {len} bytes is not a whole number of {frame_bytes}-byte frames; \
         check the sample format and channel count"
    )]
    PartialFrame {
        /// Input length in bytes.
        len: usize,
        /// Bytes per frame (sample size × channels).
        frame_bytes: usize,
    },

    /// A configuration value is out of range.
    #[error("invalid audio configuration: {0}")]
    InvalidConfig(String),

    /// Reading the input file failed.
    #[error("cannot read audio file {path}: {source}")]
    Io {
        /// The file that could not be read.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },

    /// The ONNX Runtime shared library could not be found.
    #[error(
        "ONNX Runtime library not found ({searched}); run `cargo xtask assets` to fetch it \
         into the cache, or set SCRIBE_ORT_DYLIB (or ORT_DYLIB_PATH) to a libonnxruntime.so path"
    )]
    RuntimeMissing {
        /// Where the library was looked for.
        searched: String,
    },

    /// The Silero VAD model could not be found.
    #[error(
        "Silero VAD model not found ({searched}); run `cargo xtask assets` to fetch it into \
         the cache, or set SCRIBE_VAD_MODEL to a silero_vad.onnx path"
    )]
    ModelMissing {
        /// Where the model was looked for.
        searched: String,
    },

    /// ONNX Runtime failed to load or to run the model.
    #[error("ONNX Runtime failed: {detail}")]
    Runtime {
        /// The runtime's message.
        detail: String,
    },

    /// Encoding audio (a chunk, or samples given to
    /// [`encode_wav`](crate::encode_wav)) as WAV failed.
    #[error("cannot encode the audio as WAV: {detail}")]
    Encode {
        /// The encoder's message.
        detail: String,
    },

    /// The background pipeline worker stopped without a result (a bug).
    #[error("the audio pipeline worker stopped unexpectedly; please report this")]
    WorkerStopped,
}
