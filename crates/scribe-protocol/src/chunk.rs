//! Audio chunk file names: `{base}_{n}.{ext}`.
//!
//! The server orders a session's chunks by `n`, so names follow strict rules:
//! `n` is zero-based without zero padding, the base is not empty, and the
//! extension is one the protocol knows. [`ChunkName`] can only hold a name
//! that obeys them.

use std::fmt;
use std::str::FromStr;

/// Base used by [`ChunkName::chunk`], matching Eka's own client.
pub const DEFAULT_BASE: &str = "chunk";

/// Longest base accepted, in bytes; the name travels in a URL path segment.
pub const MAX_BASE_LEN: usize = 128;

/// An audio file extension the protocol knows, with its Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioExtension {
    /// `.wav`, `audio/wav` (what Eka's client sends: 16-bit mono 16 kHz).
    Wav,
    /// `.webm`, `audio/webm;codecs=opus`.
    Webm,
    /// `.ogg`, `audio/ogg;codecs=opus`.
    Ogg,
    /// `.mp3`, `audio/mp3`.
    Mp3,
    /// `.m4a`, `audio/mp4`.
    M4a,
    /// `.mp4`, `audio/mp4`.
    Mp4,
}

impl AudioExtension {
    /// Every known extension.
    pub const ALL: [AudioExtension; 6] = [
        AudioExtension::Wav,
        AudioExtension::Webm,
        AudioExtension::Ogg,
        AudioExtension::Mp3,
        AudioExtension::M4a,
        AudioExtension::Mp4,
    ];

    /// The extension without its dot, lowercase: `"wav"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AudioExtension::Wav => "wav",
            AudioExtension::Webm => "webm",
            AudioExtension::Ogg => "ogg",
            AudioExtension::Mp3 => "mp3",
            AudioExtension::M4a => "m4a",
            AudioExtension::Mp4 => "mp4",
        }
    }

    /// The Content-Type to upload a file with this extension under.
    pub fn content_type(self) -> &'static str {
        match self {
            AudioExtension::Wav => "audio/wav",
            AudioExtension::Webm => "audio/webm;codecs=opus",
            AudioExtension::Ogg => "audio/ogg;codecs=opus",
            AudioExtension::Mp3 => "audio/mp3",
            AudioExtension::M4a | AudioExtension::Mp4 => "audio/mp4",
        }
    }

    /// The extension for a Content-Type or discovery `audio_formats` entry.
    ///
    /// Parameters (`;codecs=...`) and case are ignored; common aliases
    /// (`audio/x-wav`, `audio/mpeg`, `audio/x-m4a`) are understood.
    /// `audio/mp4` maps to [`AudioExtension::Mp4`].
    ///
    /// ```
    /// use scribe_protocol::chunk::AudioExtension;
    ///
    /// assert_eq!(AudioExtension::from_content_type("audio/ogg; codecs=opus"), Some(AudioExtension::Ogg));
    /// assert_eq!(AudioExtension::from_content_type("video/avi"), None);
    /// ```
    pub fn from_content_type(content_type: &str) -> Option<AudioExtension> {
        let essence = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        match essence.as_str() {
            "audio/wav" | "audio/wave" | "audio/x-wav" | "audio/vnd.wave" => {
                Some(AudioExtension::Wav)
            }
            "audio/webm" => Some(AudioExtension::Webm),
            "audio/ogg" | "audio/opus" => Some(AudioExtension::Ogg),
            "audio/mp3" | "audio/mpeg" | "audio/mpeg3" | "audio/x-mp3" => Some(AudioExtension::Mp3),
            "audio/m4a" | "audio/x-m4a" => Some(AudioExtension::M4a),
            "audio/mp4" => Some(AudioExtension::Mp4),
            _ => None,
        }
    }

    /// The extension for a lowercase extension string without its dot.
    pub fn from_extension(extension: &str) -> Option<AudioExtension> {
        AudioExtension::ALL
            .into_iter()
            .find(|known| known.as_str() == extension)
    }
}

impl fmt::Display for AudioExtension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AudioExtension {
    type Err = ChunkNameError;

    fn from_str(extension: &str) -> Result<Self, Self::Err> {
        AudioExtension::from_extension(extension).ok_or_else(|| ChunkNameError::UnknownExtension {
            extension: extension.to_owned(),
        })
    }
}

/// A valid chunk file name, `{base}_{index}.{extension}`.
///
/// ```
/// use scribe_protocol::chunk::{AudioExtension, ChunkName};
///
/// let name = ChunkName::new("chunk", 3, AudioExtension::Wav)?;
/// assert_eq!(name.to_string(), "chunk_3.wav");
///
/// let parsed = ChunkName::parse("visit_a_12.webm")?;
/// assert_eq!((parsed.base(), parsed.index()), ("visit_a", 12));
/// assert!(ChunkName::parse("chunk_01.wav").is_err());
/// # Ok::<(), scribe_protocol::chunk::ChunkNameError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkName {
    base: String,
    index: u32,
    extension: AudioExtension,
}

impl ChunkName {
    /// Builds a name, checking the base: not empty, at most
    /// [`MAX_BASE_LEN`] bytes, only ASCII letters, digits, `-`, `_` and `.`.
    pub fn new(
        base: impl Into<String>,
        index: u32,
        extension: AudioExtension,
    ) -> Result<ChunkName, ChunkNameError> {
        let base = base.into();
        check_base(&base)?;
        Ok(ChunkName {
            base,
            index,
            extension,
        })
    }

    /// `chunk_{index}.{extension}`, the name Eka's own client uses.
    pub fn chunk(index: u32, extension: AudioExtension) -> ChunkName {
        ChunkName {
            base: DEFAULT_BASE.to_owned(),
            index,
            extension,
        }
    }

    /// Parses and validates a file name against the chunk naming rules.
    pub fn parse(name: &str) -> Result<ChunkName, ChunkNameError> {
        let Some((stem, extension)) = name.rsplit_once('.') else {
            return Err(ChunkNameError::MissingExtension {
                name: name.to_owned(),
            });
        };
        let extension = match AudioExtension::from_extension(extension) {
            Some(extension) => extension,
            None => {
                return Err(ChunkNameError::UnknownExtension {
                    extension: extension.to_owned(),
                });
            }
        };
        let Some((base, digits)) = stem.rsplit_once('_') else {
            return Err(ChunkNameError::MissingIndex {
                name: name.to_owned(),
            });
        };
        let index = parse_index(name, digits)?;
        check_base(base)?;
        Ok(ChunkName {
            base: base.to_owned(),
            index,
            extension,
        })
    }

    /// The part before `_{index}`.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The zero-based position of this chunk in its session.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The file extension.
    pub fn extension(&self) -> AudioExtension {
        self.extension
    }

    /// The Content-Type to upload this chunk with.
    pub fn content_type(&self) -> &'static str {
        self.extension.content_type()
    }

    /// The same base and extension at another index.
    pub fn with_index(&self, index: u32) -> ChunkName {
        ChunkName {
            base: self.base.clone(),
            index,
            extension: self.extension,
        }
    }
}

fn parse_index(name: &str, digits: &str) -> Result<u32, ChunkNameError> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ChunkNameError::MissingIndex {
            name: name.to_owned(),
        });
    }
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(ChunkNameError::ZeroPaddedIndex {
            name: name.to_owned(),
        });
    }
    digits
        .parse::<u32>()
        .map_err(|_| ChunkNameError::IndexTooLarge {
            name: name.to_owned(),
        })
}

fn check_base(base: &str) -> Result<(), ChunkNameError> {
    if base.is_empty() {
        return Err(ChunkNameError::EmptyBase);
    }
    if base.len() > MAX_BASE_LEN {
        return Err(ChunkNameError::BaseTooLong { len: base.len() });
    }
    if let Some(character) = base
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
    {
        return Err(ChunkNameError::InvalidBaseCharacter { character });
    }
    Ok(())
}

impl fmt::Display for ChunkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}.{}", self.base, self.index, self.extension)
    }
}

impl FromStr for ChunkName {
    type Err = ChunkNameError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ChunkName::parse(name)
    }
}

/// Why a chunk name breaks the naming rules, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkNameError {
    /// The name has no `.ext`.
    #[error(
        "chunk name `{name}` has no extension; name chunks `{{base}}_{{n}}.{{ext}}`, e.g. `chunk_0.wav`"
    )]
    MissingExtension {
        /// The offending name.
        name: String,
    },
    /// The extension is not one the protocol knows.
    #[error(
        "unknown audio extension `{extension}`; use one of wav, webm, ogg, mp3, m4a, mp4 (lowercase)"
    )]
    UnknownExtension {
        /// The offending extension.
        extension: String,
    },
    /// No `_{n}` before the extension, or `n` is not a number.
    #[error(
        "chunk name `{name}` lacks a numeric `_{{n}}` suffix before the extension; use e.g. `chunk_0.wav`"
    )]
    MissingIndex {
        /// The offending name.
        name: String,
    },
    /// The index has leading zeros.
    #[error("chunk name `{name}` zero-pads its index; write `chunk_1.wav`, not `chunk_01.wav`")]
    ZeroPaddedIndex {
        /// The offending name.
        name: String,
    },
    /// The index does not fit in 32 bits.
    #[error("chunk name `{name}` has an index above {max}; number chunks from 0 upwards", max = u32::MAX)]
    IndexTooLarge {
        /// The offending name.
        name: String,
    },
    /// Nothing before `_{n}`.
    #[error("chunk name has an empty base; put a name before `_{{n}}`, e.g. `chunk_0.wav`")]
    EmptyBase,
    /// The base is too long for a URL path segment.
    #[error("chunk base is {len} bytes; keep it at most {max} bytes", max = MAX_BASE_LEN)]
    BaseTooLong {
        /// Length of the base in bytes.
        len: usize,
    },
    /// The base holds a character that would need URL escaping.
    #[error("chunk base contains {character:?}; use only ASCII letters, digits, `-`, `_` and `.`")]
    InvalidBaseCharacter {
        /// The first offending character.
        character: char,
    },
}
