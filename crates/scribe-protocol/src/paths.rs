//! Every request path of the protocol.
//!
//! Protocol paths are appended to the protocol base URL (for Eka,
//! `https://api.eka.care/voice`); [`LOGIN`] and [`REFRESH`] go to the auth
//! base URL. Ids and file names are percent-encoded as path segments, so an
//! id with unusual characters cannot change the path.
//!
//! ```
//! use scribe_protocol::paths;
//!
//! assert_eq!(paths::session_audio("ses_1", "chunk_0.wav"), "/v1/sessions/ses_1/audio/chunk_0.wav");
//! assert_eq!(paths::process_template("ses_1", Some("soap")), "/v1/sessions/ses_1/process/template/soap");
//! ```

use std::fmt::Write as _;

/// Client-credentials login (auth base URL).
pub const LOGIN: &str = "/connect-auth/v1/account/login";
/// Token refresh (auth base URL).
pub const REFRESH: &str = "/connect-auth/v1/account/refresh-token";
/// Discovery document under the protocol base URL (Eka).
pub const DISCOVERY: &str = "/v1/.well-known/medscribealliance";
/// Discovery document at the host root (spec and reference server).
pub const DISCOVERY_ROOT: &str = "/.well-known/medscribealliance";
/// Create a session (`POST`).
pub const SESSIONS: &str = "/v1/sessions";
/// List templates (`GET`).
pub const TEMPLATES: &str = "/v1/templates";
/// Query parameter selecting one template's results on `GET` session.
pub const TEMPLATE_ID_QUERY: &str = "template_id";
/// Header carrying the protocol version a client speaks.
pub const VERSION_HEADER: &str = "MSA-Version";
/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: &str = "0.1";

/// `GET` / `PATCH /v1/sessions/{id}`.
pub fn session(id: &str) -> String {
    format!("{SESSIONS}/{}", segment(id))
}

/// `GET /v1/sessions/{id}?template_id={template_id}`: the session with the
/// results of one template only.
///
/// ```
/// use scribe_protocol::paths;
///
/// assert_eq!(
///     paths::session_template("ses_1", "soap notes"),
///     "/v1/sessions/ses_1?template_id=soap%20notes"
/// );
/// ```
pub fn session_template(id: &str, template_id: &str) -> String {
    format!(
        "{}?{TEMPLATE_ID_QUERY}={}",
        session(id),
        segment(template_id)
    )
}

/// `POST /v1/sessions/{id}/audio/{file_name}`: upload one audio file.
pub fn session_audio(id: &str, file_name: &str) -> String {
    format!("{SESSIONS}/{}/audio/{}", segment(id), segment(file_name))
}

/// `POST /v1/sessions/{id}/end`: commit the audio and start processing.
pub fn session_end(id: &str) -> String {
    format!("{SESSIONS}/{}/end", segment(id))
}

/// `POST /v1/sessions/{id}/process/template[/{template_id}]`.
pub fn process_template(id: &str, template_id: Option<&str>) -> String {
    match template_id {
        Some(template) => format!(
            "{SESSIONS}/{}/process/template/{}",
            segment(id),
            segment(template)
        ),
        None => format!("{SESSIONS}/{}/process/template", segment(id)),
    }
}

/// `DELETE {webhooks_url}/{webhook_id}`: the path suffix to append.
pub fn webhook(webhook_id: &str) -> String {
    format!("/{}", segment(webhook_id))
}

/// The origin of an absolute URL, `scheme://host[:port]`, as written: where
/// [`DISCOVERY_ROOT`] is served for a base URL, and Eka's auth base URL
/// (`https://api.eka.care` of `https://api.eka.care/voice`).
///
/// `None` when `url` has no `scheme://` or no host. Nothing is normalised
/// (case, default ports); compare origins after parsing them.
///
/// ```
/// use scribe_protocol::paths;
///
/// assert_eq!(paths::origin("https://api.eka.care/voice"), Some("https://api.eka.care"));
/// assert_eq!(paths::origin("http://127.0.0.1:8080/v1?x=1"), Some("http://127.0.0.1:8080"));
/// assert_eq!(paths::origin("api.eka.care/voice"), None);
/// ```
pub fn origin(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    if !scheme_ok || host.is_empty() || host.starts_with(':') {
        return None;
    }
    Some(&url[..scheme.len() + 3 + authority.len()])
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cannot_escape_the_path() {
        assert_eq!(session("../admin"), "/v1/sessions/..%2Fadmin");
        assert_eq!(session_end("a b?c"), "/v1/sessions/a%20b%3Fc/end");
        assert_eq!(
            session_template("s", "a&b=c"),
            "/v1/sessions/s?template_id=a%26b%3Dc"
        );
        assert_eq!(
            process_template("s", None),
            "/v1/sessions/s/process/template"
        );
    }

    #[test]
    fn origins() {
        for (url, expected) in [
            ("https://api.eka.care/voice", Some("https://api.eka.care")),
            ("https://api.eka.care", Some("https://api.eka.care")),
            ("https://api.eka.care/", Some("https://api.eka.care")),
            (
                "http://localhost:8080/voice/v1",
                Some("http://localhost:8080"),
            ),
            ("wss://h:9/a?b#c", Some("wss://h:9")),
            ("http://[::1]:3000/x", Some("http://[::1]:3000")),
            ("https://h?q=1", Some("https://h")),
            ("https://user@h/x", Some("https://user@h")),
            ("https://", None),
            ("https:///voice", None),
            ("https://:443/x", None),
            ("https://user@/x", None),
            ("api.eka.care/voice", None),
            ("://h/x", None),
            ("1http://h", None),
        ] {
            assert_eq!(origin(url), expected, "{url}");
        }
    }
}
