//! Claims read from an access token's payload.
//!
//! The SDK needs the business id (`b-id`) and, for scheduling, the expiry.
//! The token is a JWT; its payload is base64url-decoded and parsed, never
//! verified: the server verifies it, the client only reads what it was given.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use scribe_transport::{Error, ErrorKind};

/// The claims of an access token (or of a `jwt-payload` dev header).
///
/// `Debug` shows the business id, expiry and the claim names, not the other
/// values (they may identify a person).
#[derive(Clone, PartialEq)]
pub struct Claims {
    map: Map<String, Value>,
}

impl Claims {
    /// Reads the payload of a JWT `header.payload.signature` without verifying it.
    ///
    /// ```
    /// use scribe_auth::Claims;
    ///
    /// // {"b-id":"b-42","exp":1900000000}
    /// let token = "eyJhbGciOiJIUzI1NiJ9.eyJiLWlkIjoiYi00MiIsImV4cCI6MTkwMDAwMDAwMH0.c2ln";
    /// let claims = Claims::from_jwt(token)?;
    /// assert_eq!(claims.business_id()?, "b-42");
    /// assert_eq!(claims.expires_at_unix(), Some(1_900_000_000));
    /// # Ok::<(), scribe_transport::Error>(())
    /// ```
    pub fn from_jwt(token: &str) -> Result<Claims, Error> {
        let mut parts = token.split('.');
        let (Some(_header), Some(payload), Some(_signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed(
                "it does not have the three dot-separated parts of a JWT",
            ));
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .map_err(|_| malformed("its payload is not base64url"))?;
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Claims { map }),
            Ok(_) => Err(malformed("its payload is not a JSON object")),
            Err(_) => Err(malformed("its payload is not JSON")),
        }
    }

    /// Claims given directly as a JSON object (the `jwt-payload` dev header).
    pub fn from_map(map: Map<String, Value>) -> Claims {
        Claims { map }
    }

    /// The business id: the `b-id` claim (`b_id` is accepted too).
    pub fn business_id(&self) -> Result<&str, Error> {
        self.string("b-id")
            .or_else(|| self.string("b_id"))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Auth,
                    "the access token carries no b-id (business id) claim",
                )
                .with_hint(
                    "the credentials are not linked to a business; check that the client id \
                     belongs to a business account in the chosen environment",
                )
            })
    }

    /// The `exp` claim (seconds since the Unix epoch), when present.
    pub fn expires_at_unix(&self) -> Option<i64> {
        self.map.get("exp").and_then(Value::as_i64)
    }

    /// The `sub` claim, when present.
    pub fn subject(&self) -> Option<&str> {
        self.string("sub")
    }

    /// Any claim by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// All claims.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    fn string(&self, name: &str) -> Option<&str> {
        self.map
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
}

impl fmt::Debug for Claims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("b_id", &self.business_id().ok())
            .field("exp", &self.expires_at_unix())
            .field("names", &self.map.keys().collect::<Vec<_>>())
            .finish()
    }
}

fn malformed(why: &str) -> Error {
    Error::new(
        ErrorKind::Auth,
        format!("the access token cannot be read: {why}"),
    )
    .with_hint("the auth service answered something that is not an Eka access token; check the auth base URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode(payload))
    }

    #[test]
    fn reads_b_id_and_exp() {
        let claims = Claims::from_jwt(&token(r#"{"b-id":"77","exp":5,"name":"Dr X"}"#)).unwrap();
        assert_eq!(claims.business_id().unwrap(), "77");
        assert_eq!(claims.expires_at_unix(), Some(5));
        let shown = format!("{claims:?}");
        assert!(!shown.contains("Dr X"), "{shown}");
    }

    #[test]
    fn padded_payload_is_accepted() {
        let padded = format!("e30.{}==.c2ln", URL_SAFE_NO_PAD.encode(r#"{"b-id":"1"}"#));
        assert_eq!(
            Claims::from_jwt(&padded).unwrap().business_id().unwrap(),
            "1"
        );
    }

    #[test]
    fn missing_b_id_is_a_clear_error() {
        let claims = Claims::from_jwt(&token(r#"{"sub":"u"}"#)).unwrap();
        let err = claims.business_id().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Auth);
        assert!(err.to_string().contains("b-id"), "{err}");
    }

    #[test]
    fn malformed_tokens_are_errors_not_panics() {
        for bad in [
            "",
            "abc",
            "a.b",
            "a.!!!.c",
            "a.b.c.d",
            &token("[1]"),
            &token("not json"),
        ] {
            let err = Claims::from_jwt(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Auth, "{bad}");
        }
    }
}
