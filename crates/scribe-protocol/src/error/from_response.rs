//! Reading any error answer into an [`ApiError`].

use serde_json::{Map, Value};

use super::{ApiError, ErrorCode};

/// Longest server message kept, in characters.
const MAX_MESSAGE_CHARS: usize = 300;
/// Longest excerpt of a plain-text or HTML body kept, in characters.
const MAX_EXCERPT_CHARS: usize = 120;
/// FastAPI validation items summarised into the message.
const MAX_DETAIL_ITEMS: usize = 3;

impl ApiError {
    /// Reads a failed answer: status plus raw body bytes.
    ///
    /// Understands the error envelope `{"error": {"code", "message",
    /// "details"}}`, a flat `{"code", "message"}`, `{"error": "text"}`,
    /// FastAPI's `{"detail": "text"}`, `{"detail": [validation items]}` and
    /// `{"detail": {"code", "message"}}`, and HTML, plain-text or empty
    /// bodies. When the body names no code, the status decides
    /// ([`ErrorCode::for_status`]).
    ///
    /// ```
    /// use scribe_protocol::error::{ApiError, ErrorCode};
    ///
    /// let err = ApiError::from_response(404, br#"{"error":{"code":"session_not_found","message":"gone"}}"#);
    /// assert_eq!(err.code, ErrorCode::SessionNotFound);
    ///
    /// let err = ApiError::from_response(502, b"<html><title>502 Bad Gateway</title></html>");
    /// assert_eq!(err.code, ErrorCode::ServiceUnavailable);
    /// assert!(err.message.contains("502 Bad Gateway"));
    /// ```
    pub fn from_response(status: u16, body: &[u8]) -> ApiError {
        let text = String::from_utf8_lossy(body);
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return from_status(
                status,
                format!("{} with an empty body", describe_status(status)),
            );
        }
        match serde_json::from_str::<Value>(trimmed) {
            Ok(Value::Object(object)) => from_object(status, &object, body.len()),
            Ok(_) => from_status(
                status,
                format!(
                    "{} with a JSON body that is not an error object ({} bytes)",
                    describe_status(status),
                    body.len()
                ),
            ),
            Err(_) if looks_like_html(trimmed) => {
                let message = match html_title(trimmed) {
                    Some(title) => format!("{} (HTML page: \"{title}\")", describe_status(status)),
                    None => format!(
                        "{} (HTML page, {} bytes)",
                        describe_status(status),
                        body.len()
                    ),
                };
                from_status(status, message)
            }
            Err(_) => {
                let text = excerpt(trimmed, MAX_EXCERPT_CHARS);
                // A body of control characters leaves nothing to quote.
                let message = if text.is_empty() {
                    format!(
                        "{} with an unprintable body ({} bytes)",
                        describe_status(status),
                        body.len()
                    )
                } else {
                    format!("{}: {text}", describe_status(status))
                };
                from_status(status, message)
            }
        }
    }
}

fn from_status(status: u16, message: String) -> ApiError {
    ApiError {
        status,
        code: ErrorCode::for_status(status),
        message,
        details: None,
    }
}

fn from_object(status: u16, object: &Map<String, Value>, len: usize) -> ApiError {
    match object.get("error") {
        Some(Value::Object(error)) => return from_code_message(status, error),
        Some(Value::String(error)) => {
            // `{"error": "some_code", "message": "..."}` or `{"error": "Some text"}`.
            let message = object
                .get("message")
                .or_else(|| object.get("error_description"))
                .and_then(Value::as_str);
            let (code, message) = if is_code_like(error) {
                (ErrorCode::from(error.as_str()), message.unwrap_or(error))
            } else {
                (ErrorCode::for_status(status), message.unwrap_or(error))
            };
            return ApiError {
                status,
                code,
                message: excerpt(message, MAX_MESSAGE_CHARS),
                details: None,
            };
        }
        _ => {}
    }
    match object.get("detail") {
        Some(Value::String(detail)) => {
            return from_status(status, excerpt(detail, MAX_MESSAGE_CHARS));
        }
        Some(Value::Array(items)) => return from_validation_items(status, items),
        Some(Value::Object(detail)) if detail.contains_key("code") => {
            return from_code_message(status, detail);
        }
        _ => {}
    }
    if object.get("code").is_some_and(Value::is_string) {
        return from_code_message(status, object);
    }
    from_status(
        status,
        format!(
            "{} with an unrecognised JSON body ({len} bytes)",
            describe_status(status)
        ),
    )
}

fn from_code_message(status: u16, error: &Map<String, Value>) -> ApiError {
    let code = match error.get("code").and_then(Value::as_str) {
        Some(code) if !code.is_empty() => ErrorCode::from(code),
        _ => ErrorCode::for_status(status),
    };
    let message = match error.get("message").and_then(Value::as_str) {
        Some(message) => excerpt(message, MAX_MESSAGE_CHARS),
        None => describe_status(status),
    };
    let details = error
        .get("details")
        .filter(|details| !details.is_null())
        .cloned();
    ApiError {
        status,
        code,
        message,
        details,
    }
}

/// FastAPI's request-validation answer: `{"detail": [{"loc", "msg", "type", "input"?, "ctx"?}]}`.
/// Only location, message and type are kept: `input` echoes the request,
/// which may hold patient data.
fn from_validation_items(status: u16, items: &[Value]) -> ApiError {
    let mut summary = Vec::new();
    let mut kept = Vec::new();
    for item in items {
        let Some(item) = item.as_object() else {
            continue;
        };
        let location = item.get("loc").map(location_text).unwrap_or_default();
        let message = item.get("msg").and_then(Value::as_str).unwrap_or("invalid");
        if summary.len() < MAX_DETAIL_ITEMS {
            summary.push(if location.is_empty() {
                message.to_owned()
            } else {
                format!("{location}: {message}")
            });
        }
        let mut clean = Map::new();
        for key in ["loc", "msg", "type"] {
            if let Some(value) = item.get(key) {
                clean.insert(key.to_owned(), value.clone());
            }
        }
        kept.push(Value::Object(clean));
    }
    let more = items.len().saturating_sub(MAX_DETAIL_ITEMS);
    let mut message = if summary.is_empty() {
        "the server rejected the request as invalid".to_owned()
    } else {
        format!("invalid request: {}", summary.join("; "))
    };
    if more > 0 {
        message.push_str(&format!(" (and {more} more)"));
    }
    let code = if (400..500).contains(&status) {
        ErrorCode::InvalidRequest
    } else {
        ErrorCode::for_status(status)
    };
    ApiError {
        status,
        code,
        message: excerpt(&message, MAX_MESSAGE_CHARS),
        details: Some(Value::Array(kept)),
    }
}

fn location_text(location: &Value) -> String {
    match location {
        Value::Array(parts) => parts
            .iter()
            .map(|part| match part {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("."),
        Value::String(text) => text.clone(),
        _ => String::new(),
    }
}

fn is_code_like(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with('<')
        && (head.contains("<html")
            || head.contains("<!doctype")
            || head.contains("<head")
            || head.contains("<title")
            || head.contains("<body"))
}

fn html_title(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let open = lower.find("<title")?;
    let start = open + lower[open..].find('>')? + 1;
    let end = start + lower[start..].find("</title")?;
    let title = html.get(start..end)?.trim();
    (!title.is_empty()).then(|| excerpt(title, 80))
}

/// One line, at most `max` characters, control characters removed.
fn excerpt(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut last_space = false;
    for (count, ch) in text.chars().enumerate() {
        if count >= max {
            out.push('…');
            break;
        }
        let ch = if ch.is_whitespace() { ' ' } else { ch };
        if ch.is_control() || (ch == ' ' && last_space) {
            continue;
        }
        last_space = ch == ' ';
        out.push(ch);
    }
    out.trim().to_owned()
}

fn describe_status(status: u16) -> String {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        410 => "Gone",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    if reason.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status} {reason}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_of_control_characters_is_described_not_quoted() {
        // Found by `cargo xtask fuzz`: the excerpt was empty, leaving
        // "HTTP 502 Bad Gateway: " with nothing after the colon.
        let error = ApiError::from_response(502, b"\x03\x00\x1b");
        assert_eq!(
            error.message,
            "HTTP 502 Bad Gateway with an unprintable body (3 bytes)"
        );
        let again =
            ApiError::from_response(502, &serde_json::to_vec(&error.to_envelope()).unwrap());
        assert_eq!(again, error);
    }
}
