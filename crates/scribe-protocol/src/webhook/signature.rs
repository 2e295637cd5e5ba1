//! `X-MSA-Signature`: HMAC-SHA256 over `"{t}.{raw body}"`, hex encoded.

use std::time::Duration;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header that carries a webhook delivery's signature.
pub const SIGNATURE_HEADER: &str = "X-MSA-Signature";

/// How far a delivery's timestamp may lie from the receiver's clock.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

fn mac_for(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length (long keys are hashed, short ones
    // padded), so `new_from_slice` never fails; the fallback only keeps this
    // free of panics.
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret)
        .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Signs a delivery: the full header value `t=<timestamp>,v1=<hex>`.
///
/// `timestamp` is Unix seconds, never negative: [`verify`] refuses a
/// negative `t=` as [`SignatureError::InvalidTimestamp`].
///
/// ```
/// use std::time::Duration;
/// use scribe_protocol::webhook::{sign, verify};
///
/// let body = br#"{"event":"session.completed","timestamp":1737282900,"session_id":"ses_abc123def456"}"#;
/// let header = sign(b"whsec_test", 1_737_282_900, body);
/// assert!(header.starts_with("t=1737282900,v1="));
/// verify(b"whsec_test", &header, body, 1_737_282_960, Duration::from_secs(300))?;
/// # Ok::<(), scribe_protocol::webhook::SignatureError>(())
/// ```
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let t = timestamp.to_string();
    let tag = mac_for(secret, &t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex::encode(tag))
}

/// Verifies a delivery's signature header against its raw body.
///
/// Accepts `t=<unix seconds>` and one or more `v1=<hex>` entries (several
/// during secret rotation), separated by commas, in any order. Signatures
/// are compared in constant time. A timestamp further than `tolerance` from
/// `now_unix` (in either direction) is rejected as a possible replay.
pub fn verify(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_unix: i64,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match key.trim() {
            "t" if timestamp.is_none() => timestamp = Some(value.trim()),
            "t" => return Err(SignatureError::Malformed),
            "v1" => signatures.push(value.trim()),
            // Other schemes (v0, future versions) are ignored, as is usual.
            _ => {}
        }
    }
    let t_text = timestamp.ok_or(SignatureError::MissingTimestamp)?;
    if signatures.is_empty() {
        return Err(SignatureError::MissingSignature);
    }
    if t_text.is_empty() || !t_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::InvalidTimestamp);
    }
    let t: i64 = t_text
        .parse()
        .map_err(|_| SignatureError::InvalidTimestamp)?;
    let age = now_unix.saturating_sub(t);
    let limit = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if age.unsigned_abs() > limit.unsigned_abs() {
        return Err(SignatureError::Stale {
            age_seconds: age,
            tolerance_seconds: tolerance.as_secs(),
        });
    }
    let mac = mac_for(secret, t_text, body);
    // Signatures are lowercase hex, as `sign` writes them; any other spelling
    // is a changed signature, not an equivalent one.
    let matched = signatures.iter().any(|signature| {
        let canonical = signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        match hex::decode(signature) {
            Ok(tag) if canonical => mac.clone().verify_slice(&tag).is_ok(),
            _ => false,
        }
    });
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// Why a webhook signature was rejected. Never contains the secret or body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The header is not a comma-separated list of `key=value` pairs.
    #[error("the X-MSA-Signature header is malformed; expected `t=<unix seconds>,v1=<hex>`")]
    Malformed,
    /// No `t=` entry.
    #[error(
        "the X-MSA-Signature header has no `t=` timestamp; expected `t=<unix seconds>,v1=<hex>`"
    )]
    MissingTimestamp,
    /// No `v1=` entry.
    #[error(
        "the X-MSA-Signature header has no `v1=` signature; was the webhook registered with a secret?"
    )]
    MissingSignature,
    /// `t=` is not a whole number of seconds.
    #[error("the X-MSA-Signature timestamp is not whole Unix seconds")]
    InvalidTimestamp,
    /// The timestamp is too far from now: a replay or a skewed clock.
    #[error(
        "the webhook timestamp is {age_seconds} s from now, beyond the {tolerance_seconds} s tolerance; reject it as a possible replay or check the receiver's clock"
    )]
    Stale {
        /// Receiver time minus signed time, in seconds (negative: from the future).
        age_seconds: i64,
        /// The tolerance that was applied.
        tolerance_seconds: u64,
    },
    /// No signature matches the body under this secret.
    #[error(
        "the webhook signature does not match; check the secret and verify the raw body bytes exactly as received"
    )]
    Mismatch,
}
