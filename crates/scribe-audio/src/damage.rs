//! Damaged recordings: where the decodable audio stops, and why.
//!
//! A recording cut short (an interrupted copy, a recorder that died) or
//! corrupt part way through still holds good audio before the damage. The
//! pipeline delivers the chunks of that audio and then its error;
//! [`ChunkStream::damage`](crate::ChunkStream::damage) says where the audio
//! stopped, so a caller can keep what was decoded and tell the user how much
//! was lost.

use std::fmt;

use crate::error::AudioError;

/// What kind of damage stopped decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DamageKind {
    /// The file ends before its container or stream says it should (see
    /// [`AudioError::Truncated`]).
    Truncated,
    /// The bytes stop being decodable part way through (see
    /// [`AudioError::Corrupt`]).
    Corrupt,
}

impl DamageKind {
    /// `truncated` or `corrupt`.
    pub fn as_str(self) -> &'static str {
        match self {
            DamageKind::Truncated => "truncated",
            DamageKind::Corrupt => "corrupt",
        }
    }
}

impl fmt::Display for DamageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a damaged recording stops being decodable.
///
/// Holds times, a kind and the decoder's fixed message, never audio.
/// `Display` gives one line for a warning:
///
/// ```
/// # use scribe_audio::{AudioDamage, DamageKind};
/// # fn show(damage: &AudioDamage) {
/// eprintln!("warning: {damage}");
/// // warning: the audio stops at 27:00.0 of 30:00.0 (3:00.0 lost): truncated (...)
/// // warning: the audio stops at 4:12.3 of 4:13.1 (0.8 s lost): truncated (...)
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AudioDamage {
    /// Truncated or corrupt.
    pub kind: DamageKind,
    /// Seconds of audio decoded before the damage: where the decodable
    /// audio stops. Every chunk the stream delivered lies before it.
    pub at_seconds: f64,
    /// The length the file declares (its header, an MP3 Xing/Info/VBRI
    /// frame count or ID3 `TLEN`), in seconds, when it declares one.
    pub declared_seconds: Option<f64>,
    /// What the decoder reported (a fixed message, never audio content).
    pub detail: String,
}

impl AudioDamage {
    /// The damage an error found after `frames` frames at `rate` Hz means,
    /// if it is damage at all: truncated or corrupt input after some audio
    /// decoded. Errors before any audio, and errors that are not about the
    /// input's bytes (the runtime, a worker), are not.
    pub(crate) fn from_error(
        error: &AudioError,
        frames: u64,
        rate: u32,
        declared_frames: Option<u64>,
    ) -> Option<Self> {
        if frames == 0 || rate == 0 {
            return None;
        }
        let (kind, detail) = match error {
            AudioError::Truncated { detail } => (DamageKind::Truncated, detail.clone()),
            AudioError::Corrupt { detail } => (DamageKind::Corrupt, detail.clone()),
            // A buffer claiming an impossible format mid-stream is damage
            // in the bytes, not a property of the recording.
            AudioError::InvalidSampleRate { .. } | AudioError::InvalidChannels { .. } => {
                (DamageKind::Corrupt, error.to_string())
            }
            _ => return None,
        };
        let rate = f64::from(rate);
        Some(Self {
            kind,
            at_seconds: frames as f64 / rate,
            declared_seconds: declared_frames
                .filter(|&declared| declared > 0)
                .map(|declared| declared as f64 / rate),
            detail,
        })
    }

    /// Seconds the file declares beyond where its audio stops (0 when it
    /// declares no more), when it declares a length.
    ///
    /// ```
    /// # fn show(damage: &scribe_audio::AudioDamage) {
    /// if let Some(lost) = damage.lost_seconds() {
    ///     eprintln!("{lost:.1} s of the recording could not be decoded");
    /// }
    /// # }
    /// ```
    pub fn lost_seconds(&self) -> Option<f64> {
        self.declared_seconds
            .map(|declared| (declared - self.at_seconds).max(0.0))
    }
}

impl fmt::Display for AudioDamage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the audio stops at {}", clock(self.at_seconds))?;
        if let (Some(declared), Some(lost)) = (self.declared_seconds, self.lost_seconds()) {
            write!(f, " of {}", clock(declared))?;
            if lost >= 60.0 {
                write!(f, " ({} lost)", clock(lost))?;
            } else if lost >= 0.05 {
                write!(f, " ({lost:.1} s lost)")?;
            }
        }
        write!(f, ": {} ({})", self.kind, self.detail)
    }
}

/// `m:ss.s` (or `h:mm:ss.s`), the way a player shows a position.
pub(crate) fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (h, rest) = (tenths / 36_000, tenths % 36_000);
    let (m, rest) = (rest / 600, rest % 600);
    let (s, t) = (rest / 10, rest % 10);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}.{t}")
    } else {
        format!("{m}:{s:02}.{t}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_reads_like_a_player() {
        assert_eq!(clock(0.0), "0:00.0");
        assert_eq!(clock(61.26), "1:01.3");
        assert_eq!(clock(1782.0), "29:42.0");
        assert_eq!(clock(3725.04), "1:02:05.0");
        assert_eq!(clock(-3.0), "0:00.0");
        assert_eq!(clock(f64::NAN), "0:00.0");
    }

    #[test]
    fn only_damage_after_some_audio_is_damage() {
        let cut = AudioError::Truncated {
            detail: "the stream ends inside a packet".into(),
        };
        assert_eq!(AudioDamage::from_error(&cut, 0, 16_000, Some(10)), None);
        let damage = AudioDamage::from_error(&cut, 16_000 * 90, 16_000, Some(16_000 * 100))
            .expect("damage after 90 s");
        assert_eq!(damage.kind, DamageKind::Truncated);
        assert_eq!(damage.at_seconds, 90.0);
        assert_eq!(damage.lost_seconds(), Some(10.0));
        assert_eq!(
            damage.to_string(),
            "the audio stops at 1:30.0 of 1:40.0 (10.0 s lost): truncated \
             (the stream ends inside a packet)"
        );
        let missing = AudioError::ModelMissing {
            searched: "x".into(),
        };
        assert_eq!(AudioDamage::from_error(&missing, 100, 16_000, None), None);
        let corrupt = AudioError::Corrupt {
            detail: "33 packets in a row undecodable".into(),
        };
        let damage = AudioDamage::from_error(&corrupt, 8_000, 16_000, None).expect("damage");
        assert_eq!(damage.lost_seconds(), None);
        assert_eq!(
            damage.to_string(),
            "the audio stops at 0:00.5: corrupt (33 packets in a row undecodable)"
        );
    }
}
