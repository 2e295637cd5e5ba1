//! The configuration error: which key, what is wrong, how to fix it.

use std::fmt;

/// A setting that could not be accepted.
///
/// The message names the key (an environment variable, a config-file key or a
/// builder method), what is wrong with it, and what to do instead. Secret
/// values are never repeated in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    key: String,
    problem: String,
    fix: String,
}

impl ConfigError {
    pub(crate) fn new(
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            key: key.into(),
            problem: problem.into(),
            fix: fix.into(),
        }
    }

    /// The setting at fault, as the user wrote it (`SCRIBE_POLL_INTERVAL`,
    /// `scribe.config.yaml: poll_interval`, `builder.base_url`).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// What is wrong with it.
    pub fn problem(&self) -> &str {
        &self.problem
    }

    /// What to do about it.
    pub fn fix(&self) -> &str {
        &self.fix
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; {}", self.key, self.problem, self.fix)
    }
}

impl std::error::Error for ConfigError {}
