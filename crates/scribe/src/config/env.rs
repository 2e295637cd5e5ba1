//! The environment layer: `SCRIBE_*` variables, from the process and from a
//! `.env` file in the working directory.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::layer::{self, Key, Layer};
use super::{ConfigError, value};

/// Where environment variables come from.
///
/// The default reads the process environment and a `.env` file in the working
/// directory (the process wins where both set a variable, and the process
/// environment is never modified). Tests and embedding applications pass a map
/// instead, so nothing global is read or changed.
///
/// `Debug` shows variable names only: values may be secrets.
#[derive(Clone, Default)]
pub struct EnvVars {
    source: Source,
}

#[derive(Clone, Default)]
enum Source {
    #[default]
    Process,
    Map(HashMap<String, String>),
}

impl std::fmt::Debug for EnvVars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Source::Process => f.write_str("EnvVars::Process"),
            Source::Map(map) => {
                let mut names: Vec<&String> = map.keys().collect();
                names.sort();
                f.debug_tuple("EnvVars::Map").field(&names).finish()
            }
        }
    }
}

impl EnvVars {
    /// The process environment plus a `.env` file in the working directory.
    pub fn process() -> Self {
        Self {
            source: Source::Process,
        }
    }

    /// Exactly these variables; no `.env` file and no process environment.
    pub fn from_map<K, V>(vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        Self {
            source: Source::Map(
                vars.into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    /// No variables at all.
    pub fn none() -> Self {
        Self::from_map(std::iter::empty::<(String, String)>())
    }

    /// Collects the `SCRIBE_*` variables.
    pub(crate) fn collect(
        &self,
        working_dir: &Path,
    ) -> Result<HashMap<String, String>, ConfigError> {
        match &self.source {
            Source::Map(map) => Ok(map.clone()),
            Source::Process => {
                let mut vars = dotenv_file(&working_dir.join(".env"))?;
                for (k, v) in std::env::vars_os() {
                    if let (Some(k), Some(v)) = (k.to_str(), v.to_str()) {
                        if k.starts_with("SCRIBE_") {
                            vars.insert(k.to_owned(), v.to_owned());
                        }
                    }
                }
                Ok(vars)
            }
        }
    }
}

/// Reads `SCRIBE_*` entries of a `.env` file without touching the process
/// environment. A missing file is no error; an unreadable one is.
fn dotenv_file(path: &PathBuf) -> Result<HashMap<String, String>, ConfigError> {
    let mut vars = HashMap::new();
    let iter = match dotenvy::from_path_iter(path) {
        Ok(iter) => iter,
        Err(e) if e.not_found() => return Ok(vars),
        Err(_) => {
            return Err(ConfigError::new(
                path.display().to_string(),
                "cannot be read",
                "fix its permissions or remove it",
            ));
        }
    };
    for item in iter {
        match item {
            Ok((k, v)) => {
                if k.starts_with("SCRIBE_") {
                    vars.insert(k, v);
                }
            }
            Err(dotenvy::Error::LineParse(_, index)) => {
                // The line may hold a secret: name its position only.
                return Err(ConfigError::new(
                    path.display().to_string(),
                    format!("malformed line near character {index}"),
                    "write one `NAME=value` per line (quote values with spaces)",
                ));
            }
            Err(_) => {
                return Err(ConfigError::new(
                    path.display().to_string(),
                    "cannot be parsed",
                    "write one `NAME=value` per line (quote values with spaces)",
                ));
            }
        }
    }
    Ok(vars)
}

/// Builds the environment layer from collected variables. Empty values count
/// as unset, as shells often export `VAR=` to clear a variable.
pub(crate) fn layer(vars: &HashMap<String, String>) -> Result<Layer, ConfigError> {
    let get = |key: &Key| {
        vars.get(key.env)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    };
    let secret = |key: &Key| get(key).map(|v| SecretString::from(v.to_owned()));
    let mut out = Layer {
        client_id: get(&layer::CLIENT_ID).map(str::to_owned),
        client_secret: secret(&layer::CLIENT_SECRET),
        api_key: secret(&layer::API_KEY),
        ..Layer::default()
    };
    if let Some(v) = get(&layer::ENV) {
        out.environment = Some(value::environment(layer::ENV.env, v)?);
    }
    if let Some(v) = get(&layer::BASE_URL) {
        out.base_url = Some(value::url(layer::BASE_URL.env, v)?);
    }
    if let Some(v) = get(&layer::AUTH_BASE_URL) {
        out.auth_base_url = Some(value::url(layer::AUTH_BASE_URL.env, v)?);
    }
    if let Some(v) = get(&layer::DEFAULT_TEMPLATES) {
        out.default_templates = Some(value::templates(
            layer::DEFAULT_TEMPLATES.env,
            value::list(v),
        )?);
    }
    if let Some(v) = get(&layer::DEFAULT_MODEL) {
        out.default_model = Some(value::model(layer::DEFAULT_MODEL.env, v)?);
    }
    if let Some(v) = get(&layer::DEFAULT_LANGUAGE_HINT) {
        out.default_language_hint = Some(value::languages(
            layer::DEFAULT_LANGUAGE_HINT.env,
            value::list(v),
        )?);
    }
    if let Some(v) = get(&layer::TRANSCRIPT_LANGUAGE) {
        out.transcript_language = Some(value::language(layer::TRANSCRIPT_LANGUAGE.env, v)?);
    }
    if let Some(v) = get(&layer::REQUEST_TIMEOUT) {
        out.request_timeout = Some(value::duration(layer::REQUEST_TIMEOUT.env, v)?);
    }
    if let Some(v) = get(&layer::POLL_INTERVAL) {
        out.poll_interval = Some(value::duration(layer::POLL_INTERVAL.env, v)?);
    }
    if let Some(v) = get(&layer::POLL_TIMEOUT) {
        out.poll_timeout = Some(value::duration(layer::POLL_TIMEOUT.env, v)?);
    }
    if let Some(v) = get(&layer::RETRY_DEADLINE) {
        out.retry_deadline = Some(value::duration(layer::RETRY_DEADLINE.env, v)?);
    }
    if let Some(v) = get(&layer::CONFIG) {
        out.config_path = Some(PathBuf::from(v));
    }
    Ok(out)
}
