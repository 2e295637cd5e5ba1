//! Webhook signatures (stand-in until scribe-protocol's `webhook::sign` lands).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Header carrying the signature.
pub(crate) const SIGNATURE_HEADER: &str = "X-MSA-Signature";

/// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub(crate) fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}
