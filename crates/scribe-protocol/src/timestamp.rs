//! Timestamps that keep the form they arrived in.
//!
//! The Eka dialect sends epoch integers, the spec sends ISO 8601 strings.
//! [`Timestamp`] reads both, exposes the instant, and writes back exactly what
//! it read, so a body round-trips unchanged.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{OffsetDateTime, PrimitiveDateTime};

/// Epoch numbers above this are read as milliseconds: as seconds they would
/// lie beyond the year 5000, as milliseconds they are after 1973.
const MILLIS_THRESHOLD: i64 = 100_000_000_000;

/// A point in time as a server sent it: an epoch number or an ISO 8601 string.
///
/// Reading never fails on a string it cannot parse; such a timestamp keeps its
/// text and [`datetime`](Self::datetime) returns `None`. Strings without an
/// offset (Python's naive `isoformat()`) are taken as UTC. Epoch numbers are
/// seconds (fractions allowed), except that integers above 10^11 are read
/// as milliseconds.
///
/// ```
/// use scribe_protocol::Timestamp;
///
/// let eka: Timestamp = serde_json::from_str("1737282600")?;
/// let spec: Timestamp = serde_json::from_str("\"2025-01-19T10:30:00Z\"")?;
/// assert_eq!(eka.unix_seconds(), spec.unix_seconds());
/// assert_eq!(serde_json::to_string(&eka)?, "1737282600");
/// assert_eq!(serde_json::to_string(&spec)?, "\"2025-01-19T10:30:00Z\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Timestamp {
    at: Option<OffsetDateTime>,
    form: Form,
}

#[derive(Clone, PartialEq, Eq)]
enum Form {
    Epoch(serde_json::Number),
    Text(String),
}

impl Timestamp {
    /// A timestamp written as epoch seconds (the Eka form).
    pub fn from_unix_seconds(seconds: i64) -> Self {
        Timestamp {
            at: OffsetDateTime::from_unix_timestamp(seconds).ok(),
            form: Form::Epoch(seconds.into()),
        }
    }

    /// A timestamp written as an RFC 3339 string (the spec form).
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        match at.format(&Rfc3339) {
            Ok(text) => Timestamp {
                at: Some(at),
                form: Form::Text(text),
            },
            // RFC 3339 cannot express years outside 0..=9999; fall back to epoch seconds.
            Err(_) => Timestamp::from_unix_seconds(at.unix_timestamp()),
        }
    }

    /// Reads an ISO 8601 / RFC 3339 string. Strings without an offset are
    /// taken as UTC; unparseable strings are kept with no instant.
    pub fn from_text(text: impl Into<String>) -> Self {
        let text = text.into();
        Timestamp {
            at: parse_text(&text),
            form: Form::Text(text),
        }
    }

    /// The instant, when the server's value could be read as one.
    pub fn datetime(&self) -> Option<OffsetDateTime> {
        self.at
    }

    /// Whole seconds since the Unix epoch, when known.
    pub fn unix_seconds(&self) -> Option<i64> {
        self.at.map(OffsetDateTime::unix_timestamp)
    }

    /// Whether the value arrived (and will be written) as an epoch number.
    pub fn is_epoch(&self) -> bool {
        matches!(self.form, Form::Epoch(_))
    }

    /// The original text, for a timestamp that arrived as a string.
    pub fn as_text(&self) -> Option<&str> {
        match &self.form {
            Form::Text(text) => Some(text),
            Form::Epoch(_) => None,
        }
    }

    fn from_number(number: serde_json::Number) -> Self {
        let at = if let Some(whole) = number.as_i64() {
            // `unsigned_abs`: `abs` of `i64::MIN` overflows.
            if whole.unsigned_abs() > MILLIS_THRESHOLD.unsigned_abs() {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(whole) * 1_000_000).ok()
            } else {
                OffsetDateTime::from_unix_timestamp(whole).ok()
            }
        } else {
            number.as_f64().and_then(|seconds| {
                let nanos = seconds * 1e9;
                // Guard the float-to-int cast; `time` rejects out-of-range instants anyway.
                if nanos.is_finite() && nanos.abs() < 1e30 {
                    OffsetDateTime::from_unix_timestamp_nanos(nanos as i128).ok()
                } else {
                    None
                }
            })
        };
        Timestamp {
            at,
            form: Form::Epoch(number),
        }
    }
}

fn parse_text(text: &str) -> Option<OffsetDateTime> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(at);
    }
    if let Ok(at) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
        return Some(at);
    }
    // Python's `datetime.isoformat()` on a naive value: no offset, maybe a space.
    let normalised = text.replacen(' ', "T", 1);
    PrimitiveDateTime::parse(&normalised, &Iso8601::DEFAULT)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

impl From<OffsetDateTime> for Timestamp {
    fn from(at: OffsetDateTime) -> Self {
        Timestamp::from_datetime(at)
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.form {
            Form::Epoch(number) => write!(f, "Timestamp({number})"),
            Form::Text(text) => write!(f, "Timestamp({text:?})"),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.form {
            Form::Epoch(number) => write!(f, "{number}"),
            Form::Text(text) => f.write_str(text),
        }
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.form {
            Form::Epoch(number) => number.serialize(serializer),
            Form::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(serde_json::Number),
            Text(String),
        }
        match Raw::deserialize(deserializer) {
            Ok(Raw::Number(number)) => Ok(Timestamp::from_number(number)),
            Ok(Raw::Text(text)) => Ok(Timestamp::from_text(text)),
            Err(_) => Err(serde::de::Error::custom(
                "a timestamp must be epoch seconds (a number) or an ISO 8601 string",
            )),
        }
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("Timestamp")
    }

    fn json_schema(_generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "Epoch seconds (Eka dialect) or an ISO 8601 string (spec); written back in the form it arrived in.",
            "anyOf": [
                { "type": "number" },
                { "type": "string", "format": "date-time" }
            ]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_epoch_numbers_read_without_an_instant() {
        // Found by `cargo xtask fuzz`: `abs` of i64::MIN overflowed.
        for text in ["-9223372036854775808", "9223372036854775807"] {
            let timestamp: Timestamp = serde_json::from_str(text).expect("a number reads");
            assert_eq!(timestamp.datetime(), None);
            assert_eq!(timestamp.to_string(), text);
        }
    }

    #[test]
    fn an_epoch_too_long_for_an_integer_writes_back_what_it_read() {
        // Found by `cargo xtask fuzz`: without serde_json's
        // `float_roundtrip` this read one ulp off what it wrote.
        let read: Timestamp = serde_json::from_str("137281741012002600123").expect("reads");
        let written = serde_json::to_string(&read).expect("writes");
        let again: Timestamp = serde_json::from_str(&written).expect("reads again");
        assert!(again == read, "{written}");
    }
}
