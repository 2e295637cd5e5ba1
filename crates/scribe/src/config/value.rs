//! Parsing of individual setting values, shared by the environment and the
//! config file so both accept exactly the same spellings.

use std::time::Duration;

use scribe_protocol::duration::{DURATION_FORMS, parse_duration};

use super::ConfigError;

/// The deployment a client talks to when no URL is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Environment {
    /// Production: `https://api.eka.care/voice`, auth at `https://api.eka.care`.
    #[default]
    Prod,
    /// Development: `https://api.dev.eka.care/voice`, auth at `https://api.dev.eka.care`.
    Dev,
}

impl Environment {
    /// Every name [`Environment::parse`] accepts, for error messages.
    pub const NAMES: &'static [&'static str] = &["prod", "dev"];

    /// Parses `prod` or `dev` (case-insensitive; `production`/`development`
    /// are accepted too).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "prod" | "production" => Some(Self::Prod),
            "dev" | "development" => Some(Self::Dev),
            _ => None,
        }
    }

    /// The short name (`prod`, `dev`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Prod => "prod",
            Self::Dev => "dev",
        }
    }

    /// The protocol base URL of this deployment.
    pub fn base_url(self) -> &'static str {
        match self {
            Self::Prod => "https://api.eka.care/voice",
            Self::Dev => "https://api.dev.eka.care/voice",
        }
    }

    /// The authentication base URL of this deployment.
    pub fn auth_base_url(self) -> &'static str {
        match self {
            Self::Prod => "https://api.eka.care",
            Self::Dev => "https://api.dev.eka.care",
        }
    }
}

pub(crate) fn environment(key: &str, raw: &str) -> Result<Environment, ConfigError> {
    Environment::parse(raw).ok_or_else(|| {
        ConfigError::new(
            key,
            format!("unknown environment `{}`", raw.trim()),
            format!(
                "use one of {}, or set SCRIBE_BASE_URL and SCRIBE_AUTH_BASE_URL for another server",
                Environment::NAMES.join(", ")
            ),
        )
    })
}

/// A duration: plain seconds (`30`, `1.5`) or with a unit (`500ms`, `30s`, `2m`).
/// A duration as scribe-protocol reads it (`30`, `1.5`, `500ms`, `30s`,
/// `2m`, `1h`), which must be positive.
pub(crate) fn duration(key: &str, raw: &str) -> Result<Duration, ConfigError> {
    let text = raw.trim();
    let bad = |problem: String| ConfigError::new(key, problem, DURATION_FORMS);
    let parsed = parse_duration(text).map_err(|_| bad(format!("`{text}` is not a duration")))?;
    seconds(key, parsed.as_secs_f64())
        .map_err(|_| bad(format!("`{text}` is not a positive duration")))
}

pub(crate) fn seconds(key: &str, value: f64) -> Result<Duration, ConfigError> {
    if value.is_finite() && value > 0.0 && value < 1.0e9 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(ConfigError::new(
            key,
            format!("{value} is not a positive number of seconds"),
            "give a positive number of seconds, such as `30`",
        ))
    }
}

/// A URL the client may send requests to: `http://` or `https://`, a host,
/// and no query or fragment. A trailing `/` is removed.
pub(crate) fn url(key: &str, raw: &str) -> Result<String, ConfigError> {
    let text = raw.trim();
    let bad = |problem: &str| {
        ConfigError::new(
            key,
            format!("`{text}` {problem}"),
            "give an absolute URL such as `https://api.eka.care/voice`",
        )
    };
    if !(text.starts_with("https://") || text.starts_with("http://")) {
        return Err(bad("does not start with http:// or https://"));
    }
    let has_host = scribe_protocol::paths::origin(text)
        .is_some_and(|origin| !origin.contains(char::is_whitespace));
    if !has_host {
        return Err(bad("has no host"));
    }
    if text.contains(['?', '#']) || text.contains(char::is_whitespace) {
        return Err(bad("must not hold spaces, a query or a fragment"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// A comma-separated list; empty items are dropped.
pub(crate) fn list(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Template ids: 1 or 2 non-empty ids without spaces.
pub(crate) fn templates(key: &str, items: Vec<String>) -> Result<Vec<String>, ConfigError> {
    let fix = "give one or two template ids separated by a comma, e.g. `clinical_notes_template,transcript_template`";
    if items.is_empty() {
        return Err(ConfigError::new(key, "no template id given", fix));
    }
    if items.len() > crate::protocol_limits::MAX_TEMPLATES {
        return Err(ConfigError::new(
            key,
            format!(
                "{} templates given; a session takes at most {}",
                items.len(),
                crate::protocol_limits::MAX_TEMPLATES
            ),
            fix,
        ));
    }
    if let Some(bad) = items.iter().find(|t| t.contains(char::is_whitespace)) {
        return Err(ConfigError::new(
            key,
            format!("`{bad}` is not a template id"),
            fix,
        ));
    }
    Ok(items)
}

/// ISO 639-1 language codes the service knows.
pub(crate) fn languages(key: &str, items: Vec<String>) -> Result<Vec<String>, ConfigError> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(language(key, &item)?);
    }
    if out.is_empty() {
        return Err(ConfigError::new(key, "no language given", language_fix()));
    }
    Ok(out)
}

pub(crate) fn language(key: &str, raw: &str) -> Result<String, ConfigError> {
    let code = raw.trim().to_ascii_lowercase();
    if crate::protocol_limits::LANGUAGES.contains(&code.as_str()) {
        Ok(code)
    } else {
        Err(ConfigError::new(
            key,
            format!("unknown language `{}`", raw.trim()),
            language_fix(),
        ))
    }
}

fn language_fix() -> String {
    format!(
        "use ISO 639-1 codes among {}",
        crate::protocol_limits::LANGUAGES.join(", ")
    )
}

/// A model id: `lite` or `pro`, or another lowercase id a newer server offers.
pub(crate) fn model(key: &str, raw: &str) -> Result<String, ConfigError> {
    let id = raw.trim();
    let ok = !id.is_empty()
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
        });
    if ok {
        Ok(id.to_owned())
    } else {
        Err(ConfigError::new(
            key,
            format!("`{id}` is not a model id"),
            "use `lite` (fast, the default) or `pro` (most accurate)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_every_spelling() {
        assert_eq!(duration("k", "30").ok(), Some(Duration::from_secs(30)));
        assert_eq!(duration("k", "1.5").ok(), Some(Duration::from_millis(1500)));
        assert_eq!(
            duration("k", "500ms").ok(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(duration("k", " 2m ").ok(), Some(Duration::from_secs(120)));
        assert_eq!(duration("k", "10s").ok(), Some(Duration::from_secs(10)));
        assert_eq!(duration("k", "1h").ok(), Some(Duration::from_secs(3600)));
        for bad in ["", "abc", "-1", "0", "0ms", "1d", "nan", "inf", "1e9"] {
            let err = duration("SCRIBE_POLL_TIMEOUT", bad).err();
            assert!(err.is_some(), "{bad:?} accepted");
            let err = err.unwrap();
            assert_eq!(err.key(), "SCRIBE_POLL_TIMEOUT");
            let message = err.to_string();
            assert!(
                message.contains("SCRIBE_POLL_TIMEOUT") && message.contains("500ms"),
                "the error names the key and the fix: {message}"
            );
        }
    }

    #[test]
    fn urls_are_checked_and_trimmed() {
        assert_eq!(
            url("k", "http://127.0.0.1:8080/voice/").ok().as_deref(),
            Some("http://127.0.0.1:8080/voice")
        );
        assert_eq!(
            url("k", "https://api.eka.care").ok().as_deref(),
            Some("https://api.eka.care")
        );
        for bad in [
            "api.eka.care",
            "ftp://x",
            "https://",
            "https:///voice",
            "https://:8080/voice",
            "https://a b",
            "https://x/?q=1",
            "https://x#f",
        ] {
            assert!(url("k", bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn languages_and_templates() {
        assert_eq!(
            languages("k", list("en, HI")).ok(),
            Some(vec!["en".to_owned(), "hi".to_owned()])
        );
        assert!(languages("k", list("en,xx")).is_err());
        assert!(languages("k", list(" , ")).is_err());
        assert!(templates("k", list("a,b,c")).is_err());
        assert!(templates("k", list("")).is_err());
        assert_eq!(templates("k", list("a, b")).ok().map(|v| v.len()), Some(2));
    }

    #[test]
    fn environments() {
        assert_eq!(Environment::parse("PROD"), Some(Environment::Prod));
        assert_eq!(Environment::parse("dev"), Some(Environment::Dev));
        let err = environment("SCRIBE_ENV", "staging")
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|m| m.contains("SCRIBE_ENV") && m.contains("prod, dev"))
        );
        assert_eq!(
            Environment::Dev.base_url(),
            "https://api.dev.eka.care/voice"
        );
        assert_eq!(Environment::Prod.auth_base_url(), "https://api.eka.care");
    }
}
