//! The config-file layer: `scribe.config.json`, `.yaml` or `.yml`.
//!
//! Keys are the environment variable names without `SCRIBE_`, lowercased
//! (`base_url`, `poll_interval`, ...). Credentials are refused: they belong
//! in the environment or in code, never in a file that may be committed.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::layer::{self, FILE_KEYS, Layer, SECRET_KEYS};
use super::{ConfigError, value};

/// The file names searched for in the working directory, in this order.
pub const CONFIG_FILE_NAMES: &[&str] = &[
    "scribe.config.json",
    "scribe.config.yaml",
    "scribe.config.yml",
];

/// Finds the config file: an explicit path (which must exist), else one of
/// [`CONFIG_FILE_NAMES`] in the working directory. Two candidates at once are
/// refused rather than one silently ignored.
pub(crate) fn locate(
    explicit: Option<&Path>,
    working_dir: &Path,
) -> Result<Option<PathBuf>, ConfigError> {
    if let Some(path) = explicit {
        let path = if path.is_relative() {
            working_dir.join(path)
        } else {
            path.to_path_buf()
        };
        if !path.is_file() {
            return Err(ConfigError::new(
                layer::CONFIG.env,
                format!("config file {} does not exist", path.display()),
                "point SCRIBE_CONFIG (or --config) at an existing file, or unset it",
            ));
        }
        return Ok(Some(path));
    }
    let found: Vec<PathBuf> = CONFIG_FILE_NAMES
        .iter()
        .map(|name| working_dir.join(name))
        .filter(|p| p.is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        many => Err(ConfigError::new(
            working_dir.display().to_string(),
            format!(
                "several config files found ({})",
                many.iter()
                    .filter_map(|p| p.file_name().and_then(|n| n.to_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "keep one, or choose one with SCRIBE_CONFIG",
        )),
    }
}

/// Reads and checks a config file.
pub(crate) fn load(path: &Path) -> Result<Layer, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::new(
            &shown,
            format!("cannot be read ({})", e.kind()),
            "check the path and its permissions",
        )
    })?;
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    // Parser messages may quote the file's text; they are not repeated, only
    // the position.
    let doc: Value = if is_json {
        serde_json::from_str(&text).map_err(|e| {
            ConfigError::new(
                &shown,
                format!(
                    "is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
                "fix the syntax",
            )
        })?
    } else {
        serde_yaml_ng::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
                .unwrap_or_default();
            ConfigError::new(&shown, format!("is not valid YAML{at}"), "fix the syntax")
        })?
    };
    from_value(&shown, doc)
}

/// Checks a parsed document; `origin` names the file in errors.
pub(crate) fn from_value(origin: &str, doc: Value) -> Result<Layer, ConfigError> {
    let map = match doc {
        Value::Null => return Ok(Layer::default()),
        Value::Object(map) => map,
        _ => {
            return Err(ConfigError::new(
                origin,
                "is not a mapping of keys to values",
                "write an object such as {\"env\": \"dev\"}",
            ));
        }
    };
    let mut out = Layer::default();
    for (key, val) in map {
        let name = format!("{origin}: {key}");
        if let Some(secret) = SECRET_KEYS.iter().find(|k| k.file == key) {
            return Err(ConfigError::new(
                name,
                "credentials are not accepted in a config file",
                format!(
                    "remove it and set {} in the environment (or a .env file kept out of version control)",
                    secret.env
                ),
            ));
        }
        match key.as_str() {
            k if k == layer::ENV.file => {
                out.environment = Some(value::environment(&name, &text(&name, &val)?)?)
            }
            k if k == layer::BASE_URL.file => {
                out.base_url = Some(value::url(&name, &text(&name, &val)?)?)
            }
            k if k == layer::AUTH_BASE_URL.file => {
                out.auth_base_url = Some(value::url(&name, &text(&name, &val)?)?)
            }
            k if k == layer::DEFAULT_TEMPLATES.file => {
                out.default_templates = Some(value::templates(&name, list(&name, &val)?)?)
            }
            k if k == layer::DEFAULT_MODEL.file => {
                out.default_model = Some(value::model(&name, &text(&name, &val)?)?)
            }
            k if k == layer::DEFAULT_LANGUAGE_HINT.file => {
                out.default_language_hint = Some(value::languages(&name, list(&name, &val)?)?)
            }
            k if k == layer::TRANSCRIPT_LANGUAGE.file => {
                out.transcript_language = Some(value::language(&name, &text(&name, &val)?)?)
            }
            k if k == layer::REQUEST_TIMEOUT.file => {
                out.request_timeout = Some(duration(&name, &val)?)
            }
            k if k == layer::POLL_INTERVAL.file => out.poll_interval = Some(duration(&name, &val)?),
            k if k == layer::POLL_TIMEOUT.file => out.poll_timeout = Some(duration(&name, &val)?),
            k if k == layer::RETRY_DEADLINE.file => {
                out.retry_deadline = Some(duration(&name, &val)?)
            }
            _ => {
                return Err(ConfigError::new(
                    name,
                    "unknown key",
                    format!(
                        "remove it or use one of: {}",
                        FILE_KEYS
                            .iter()
                            .map(|k| k.file)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
    }
    Ok(out)
}

fn text(name: &str, val: &Value) -> Result<String, ConfigError> {
    match val {
        Value::String(s) => Ok(s.clone()),
        _ => Err(ConfigError::new(
            name,
            format!("expected a string, found {}", kind(val)),
            "quote the value",
        )),
    }
}

fn list(name: &str, val: &Value) -> Result<Vec<String>, ConfigError> {
    match val {
        Value::String(s) => Ok(value::list(s)),
        Value::Array(items) => items
            .iter()
            .map(|item| text(name, item).map(|s| s.trim().to_owned()))
            .collect(),
        _ => Err(ConfigError::new(
            name,
            format!("expected a list of strings, found {}", kind(val)),
            "write a list such as [\"en\", \"hi\"] or a comma-separated string",
        )),
    }
}

fn duration(name: &str, val: &Value) -> Result<std::time::Duration, ConfigError> {
    match val {
        Value::Number(n) => value::seconds(name, n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => value::duration(name, s),
        _ => Err(ConfigError::new(
            name,
            format!("expected a duration, found {}", kind(val)),
            "write seconds such as 30, or a string such as \"500ms\"",
        )),
    }
}

fn kind(val: &Value) -> &'static str {
    match val {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}
