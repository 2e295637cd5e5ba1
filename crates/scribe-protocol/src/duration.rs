//! Durations written as text: `30`, `1.5`, `250ms`, `30s`, `5m`, `1h`.
//!
//! Not part of the wire: timeouts, poll intervals and the simulator's timings
//! are configured this way. It lives here, the crate both the SDK and the
//! simulator build on, so `SCRIBE_POLL_TIMEOUT=2m` and `scribe-sim
//! --long-poll-hold 2m` read the same text the same way.

use std::fmt;
use std::time::Duration;

/// Reads a duration: a non-negative number, optionally followed by a unit
/// (`ms`, `s`, `m` or `h`; a bare number is seconds). Fractions are allowed
/// (`1.5s`); spaces around the number and unit are ignored.
///
/// Zero is a duration here; a caller that needs a positive one checks that
/// itself.
///
/// ```
/// use std::time::Duration;
/// use scribe_protocol::duration::parse_duration;
///
/// assert_eq!(parse_duration("250ms")?, Duration::from_millis(250));
/// assert_eq!(parse_duration("1.5")?, Duration::from_millis(1500));
/// assert_eq!(parse_duration(" 2m ")?, Duration::from_secs(120));
/// assert!(parse_duration("soon").is_err());
/// # Ok::<(), scribe_protocol::duration::DurationError>(())
/// ```
///
/// # Errors
///
/// [`DurationError`] for anything else: no number, a negative or endless
/// number, an unknown unit, or a duration too long to represent.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let trimmed = text.trim();
    // `ms` before `s` and `m`, which it ends with and starts with.
    let (number, seconds_per_unit) = [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
        .into_iter()
        .find_map(|(unit, scale)| trimmed.strip_suffix(unit).map(|n| (n, scale)))
        .unwrap_or((trimmed, 1.0));
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value >= 0.0)
        .and_then(|value| Duration::try_from_secs_f64(value * seconds_per_unit).ok())
        .ok_or_else(|| DurationError {
            text: text.to_owned(),
        })
}

/// Text that is not a duration; its `Display` says what is accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DurationError {
    text: String,
}

impl DurationError {
    /// The text that was refused.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a duration; {}", self.text, DURATION_FORMS)
    }
}

impl std::error::Error for DurationError {}

/// How to write a duration, for error messages.
pub const DURATION_FORMS: &str =
    "write seconds such as `30` or `1.5`, or a number with a unit: `500ms`, `30s`, `2m`, `1h`";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling() {
        for (text, expected) in [
            ("30", Duration::from_secs(30)),
            ("1.5", Duration::from_millis(1500)),
            ("500ms", Duration::from_millis(500)),
            ("10s", Duration::from_secs(10)),
            ("1.5s", Duration::from_millis(1500)),
            (" 2m ", Duration::from_secs(120)),
            ("2 m", Duration::from_secs(120)),
            ("1h", Duration::from_secs(3600)),
            ("0", Duration::ZERO),
            ("0ms", Duration::ZERO),
        ] {
            assert_eq!(parse_duration(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn refusals_name_the_text_and_the_forms() {
        for bad in [
            "", "abc", "soon", "-1", "-1s", "nan", "inf", "1d", "ms", "1e300h", "1.5.2s",
        ] {
            let err = parse_duration(bad).expect_err(bad);
            assert_eq!(err.text(), bad);
            let message = err.to_string();
            assert!(
                message.contains(&format!("`{bad}`")) && message.contains("500ms"),
                "{message}"
            );
        }
    }
}
