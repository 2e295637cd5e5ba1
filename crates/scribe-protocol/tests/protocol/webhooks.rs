//! Webhook signatures: sign then verify holds; any change fails; stale fails.

use std::time::Duration;

use proptest::prelude::*;
use scribe_protocol::webhook::{
    DEFAULT_TOLERANCE, SIGNATURE_HEADER, SignatureError, WebhookEvent, WebhookEventType, sign,
    verify,
};

const TOLERANCE: Duration = DEFAULT_TOLERANCE;

fn secret() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 1..64)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..512)
}

proptest! {
    #[test]
    fn sign_then_verify_holds(secret in secret(), body in body(), t in 0i64..4_000_000_000, skew in -300i64..=300) {
        let header = sign(&secret, t, &body);
        prop_assert_eq!(verify(&secret, &header, &body, t + skew, TOLERANCE), Ok(()));
    }

    #[test]
    fn any_changed_body_byte_fails(secret in secret(), body in proptest::collection::vec(any::<u8>(), 1..512), at: prop::sample::Index, flip in 1u8..=255, t in 0i64..4_000_000_000) {
        let header = sign(&secret, t, &body);
        let mut changed = body.clone();
        let i = at.index(changed.len());
        changed[i] ^= flip;
        prop_assert_eq!(verify(&secret, &header, &changed, t, TOLERANCE), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_changed_header_byte_fails(secret in secret(), body in body(), at: prop::sample::Index, replacement in 0x20u8..0x7f, t in 0i64..4_000_000_000) {
        let header = sign(&secret, t, &body);
        let mut bytes = header.clone().into_bytes();
        let i = at.index(bytes.len());
        prop_assume!(bytes[i] != replacement);
        bytes[i] = replacement;
        let changed = String::from_utf8(bytes).expect("ASCII");
        prop_assert!(verify(&secret, &changed, &body, t, TOLERANCE).is_err(), "{} verified", changed);
    }

    #[test]
    fn a_different_secret_fails(secret in secret(), other in secret(), body in body(), t in 0i64..4_000_000_000) {
        prop_assume!(secret != other);
        let header = sign(&secret, t, &body);
        prop_assert_eq!(verify(&other, &header, &body, t, TOLERANCE), Err(SignatureError::Mismatch));
    }

    #[test]
    fn stale_or_future_timestamps_fail(secret in secret(), body in body(), t in 1_000_000i64..4_000_000_000, beyond in 1i64..1_000_000) {
        let header = sign(&secret, t, &body);
        let late = verify(&secret, &header, &body, t + 300 + beyond, TOLERANCE);
        prop_assert!(matches!(late, Err(SignatureError::Stale { .. })), "{:?}", late);
        let early = verify(&secret, &header, &body, t - 300 - beyond, TOLERANCE);
        prop_assert!(matches!(early, Err(SignatureError::Stale { .. })), "{:?}", early);
    }
}

#[test]
fn header_format_and_parsing() {
    assert_eq!(SIGNATURE_HEADER, "X-MSA-Signature");
    let body = br#"{"event":"session.completed","timestamp":1741000190,"session_id":"ses_1"}"#;
    let header = sign(b"whsec_abc", 1_741_000_190, body);
    let (t, v1) = header.split_once(',').unwrap();
    assert_eq!(t, "t=1741000190");
    assert!(v1.starts_with("v1=") && v1.len() == 3 + 64);
    // Whitespace after the comma, reordered entries and an extra rotated
    // signature are all accepted.
    let rotated = format!("v1={}, {t}, {v1}", "0".repeat(64));
    assert_eq!(
        verify(b"whsec_abc", &rotated, body, 1_741_000_190, TOLERANCE),
        Ok(())
    );
    assert_eq!(
        verify(b"k", "garbage", body, 0, TOLERANCE),
        Err(SignatureError::Malformed)
    );
    assert_eq!(
        verify(b"k", v1, body, 0, TOLERANCE),
        Err(SignatureError::MissingTimestamp)
    );
    assert_eq!(
        verify(b"k", t, body, 0, TOLERANCE),
        Err(SignatureError::MissingSignature)
    );
    assert_eq!(
        verify(b"k", "t=-5,v1=00", body, 0, TOLERANCE),
        Err(SignatureError::InvalidTimestamp)
    );
    let upper = header
        .to_uppercase()
        .replace("T=", "t=")
        .replace("V1=", "v1=");
    assert_eq!(
        verify(b"whsec_abc", &upper, body, 1_741_000_190, TOLERANCE),
        Err(SignatureError::Mismatch)
    );
    let stale = verify(b"whsec_abc", &header, body, 1_741_000_190 + 301, TOLERANCE).unwrap_err();
    assert!(stale.to_string().contains("301 s"), "{stale}");
}

#[test]
fn events_parse_and_deduplicate() {
    let event: WebhookEvent = serde_json::from_str(&crate::fixtures::fixture(
        "webhook_event",
        "expired_eka_retry.json",
    ))
    .unwrap();
    assert_eq!(event.event, WebhookEventType::SessionExpired);
    assert_eq!(event.timestamp.unix_seconds(), Some(1_740_993_600));
    assert_eq!(
        event.dedup_key(),
        ("e0e0e0e0e0e0e0e0e0e0", "session.expired")
    );
    assert_eq!(event.extra["attempt"], 2);
    let names: Vec<&str> = WebhookEventType::KNOWN
        .iter()
        .map(WebhookEventType::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "session.started",
            "session.ended",
            "session.completed",
            "session.partial",
            "session.failed",
            "session.expired"
        ]
    );
}
