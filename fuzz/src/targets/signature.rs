//! Webhook signatures: `verify` on any header, body, clock and tolerance,
//! and `sign`'s headers verifying.

use std::time::Duration;

use scribe_protocol::webhook::{SignatureError, sign, verify};

use crate::{Target, fold, split_fields};

pub(super) const TARGET: Target = Target {
    name: "signature",
    about: "webhook verify() on arbitrary headers/bodies/clocks; sign() output verifies",
    run,
    max_len: 1024,
    timeout_ms: 500,
    extra_seeds: &[],
    dictionary: &[
        b"t=",
        b"v1=",
        b"v0=",
        b",",
        b" ",
        b"=",
        b"-",
        b"+",
        b"\n",
        b"9223372036854775807",
        b"-9223372036854775808",
        b"18446744073709551615",
        b"0000000000000000000000000000000000000000000000000000000000000000",
    ],
    tolerates_caught_foreign_panics: false,
};

/// Input layout, one field per line: secret, receiver clock (Unix
/// seconds), tolerance (seconds), header, then the body (the rest, newlines
/// included). A clock or tolerance that is not a number is derived from
/// its bytes, so every input has one.
fn run(data: &[u8]) {
    let [secret, now, tolerance, header, body] = split_fields(data, b'\n', 5)[..] else {
        unreachable!("split_fields returns five parts")
    };
    let now = number(now).unwrap_or_else(|| fold(now) as i64);
    let tolerance = Duration::from_secs(
        number(tolerance).map_or_else(|| fold(tolerance), |n| n.unsigned_abs()),
    );
    let header = String::from_utf8_lossy(header);
    let _ = verify(secret, &header, body, now, tolerance);

    // What `sign` writes verifies at its own time, with any tolerance; a
    // negative time is outside its contract and refused as such.
    let signed = sign(secret, now, body);
    if now < 0 {
        assert_eq!(
            verify(secret, &signed, body, now, tolerance),
            Err(SignatureError::InvalidTimestamp)
        );
        return;
    }
    assert_eq!(
        verify(secret, &signed, body, now, Duration::ZERO),
        Ok(()),
        "a header sign() wrote does not verify"
    );
    // And not under another secret, nor for another body.
    let mut other = secret.to_vec();
    other.push(b'x');
    assert_eq!(
        verify(&other, &signed, body, now, tolerance),
        Err(SignatureError::Mismatch)
    );
    let mut tampered = body.to_vec();
    tampered.push(b' ');
    assert_eq!(
        verify(secret, &signed, &tampered, now, tolerance),
        Err(SignatureError::Mismatch)
    );
    // During secret rotation a header carries several signatures, and any
    // one of them may match.
    let stale: String = header.bytes().map(|b| format!("{b:02x}")).collect();
    let rotated = format!("v1={stale},{signed}");
    assert_eq!(
        verify(secret, &rotated, body, now, Duration::ZERO),
        Ok(()),
        "a matching signature after another one does not verify"
    );
}

fn number(text: &[u8]) -> Option<i64> {
    std::str::from_utf8(text).ok()?.trim().parse().ok()
}
