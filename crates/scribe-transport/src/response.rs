//! A complete answer and how its body is read.

use std::fmt;

use bytes::Bytes;
use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind};

/// A complete answer: status, headers and the whole body.
///
/// `Debug` shows status and size, never the body (it may hold patient data).
#[derive(Clone)]
pub struct Response {
    pub(crate) status: u16,
    pub(crate) version: http::Version,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) attempts: u32,
}

impl Response {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The HTTP version the answer came over (HTTP/2 when ALPN chose it).
    pub fn version(&self) -> http::Version {
        self.version
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The body, by value.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// How many attempts the request took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The server's request id, when it sent one.
    pub fn request_id(&self) -> Option<String> {
        crate::answer_headers::request_id(&self.headers)
    }

    /// Decodes the body as JSON.
    ///
    /// A body that is not the expected JSON is a [`ErrorKind::Protocol`]
    /// error. It names the position of the problem and, only when the body
    /// is not JSON at all (a gateway page, say), a short excerpt; a JSON body
    /// may hold patient data, so none of it is quoted, even when it is cut
    /// short or malformed.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode_error(&e))
    }

    fn decode_error(&self, e: &serde_json::Error) -> Error {
        let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&self.body).is_ok();
        // A body that starts like JSON but does not parse (cut short, say)
        // may still hold results: describe it, never quote it.
        let starts_like_json = self
            .body
            .iter()
            .find(|b| !b.is_ascii_whitespace())
            .is_some_and(|b| matches!(b, b'{' | b'['));
        let message = if is_json {
            format!(
                "the {} byte JSON answer does not have the expected shape (line {}, column {})",
                self.body.len(),
                e.line(),
                e.column()
            )
        } else if starts_like_json {
            format!(
                "the {} byte answer is not valid JSON (line {}, column {}); it may have been cut short",
                self.body.len(),
                e.line(),
                e.column()
            )
        } else {
            format!(
                "the {} byte answer is not JSON: {}",
                self.body.len(),
                excerpt(&self.body)
            )
        };
        let mut err = Error::new(ErrorKind::Protocol, message)
            .with_status(self.status)
            .with_hint("the server may not speak this SDK's protocol version; check base_url");
        err.set_request_id(self.request_id());
        err.set_attempts(self.attempts);
        err
    }
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("body_bytes", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// A short, printable excerpt of a body that is not JSON.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 64;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX)
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > cleaned.len() {
        format!("{cleaned:?}…")
    } else {
        format!("{cleaned:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(body: &'static [u8]) -> Response {
        Response {
            status: 200,
            version: http::Version::HTTP_11,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body),
            attempts: 1,
        }
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Shape {
        count: u32,
    }

    #[test]
    fn wrong_json_shape_quotes_nothing() {
        let r = response(br#"{"count": "patient reports chest pain"}"#);
        let err = r.json::<Shape>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("chest"), "{shown}");
    }

    #[test]
    fn cut_short_json_quotes_nothing() {
        let r = response(br#"  {"transcript": "patient reports chest pa"#);
        let err = r.json::<Shape>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol);
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("chest"), "{shown}");
        assert!(shown.contains("cut short"), "{shown}");
    }

    #[test]
    fn non_json_is_excerpted_briefly() {
        let r = response(b"<html><body><h1>502 Bad Gateway</h1>\n\n<p>nginx</p></body></html>");
        let err = r.json::<Shape>().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Protocol);
        assert!(err.to_string().contains("Bad Gateway"), "{err}");
        assert!(err.to_string().len() < 400);
    }
}
