//! Where the ONNX Runtime library and the Silero VAD model are found.
//!
//! Order, for each of the two files: the path given in [`AssetConfig`], then
//! the environment (`SCRIBE_ORT_DYLIB` or `ORT_DYLIB_PATH`; `SCRIBE_VAD_MODEL`),
//! then the cache directory that `cargo xtask assets` fills
//! (`$SCRIBE_CACHE_DIR`, else `$XDG_CACHE_HOME/scribe`, else
//! `~/.cache/scribe`), which holds `libonnxruntime.so` and `silero_vad.onnx`.
//! A path that is named but absent is an error, never silently skipped.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::AudioError;

/// File name of the ONNX Runtime library in the cache directory.
pub const CACHED_ORT_DYLIB: &str = "libonnxruntime.so";
/// File name of the Silero VAD model in the cache directory.
pub const CACHED_VAD_MODEL: &str = "silero_vad.onnx";
/// File name of the sequence export of the same model, used (about twice as
/// fast, identical results) when it lies beside the model file.
pub const VAD_SEQUENCE_MODEL: &str = "silero_vad_16k_sequence.onnx";

/// Environment variables consulted, in order, for the ONNX Runtime library.
pub const ORT_DYLIB_ENV: [&str; 2] = ["SCRIBE_ORT_DYLIB", "ORT_DYLIB_PATH"];
/// Environment variable consulted for the Silero VAD model.
pub const VAD_MODEL_ENV: &str = "SCRIBE_VAD_MODEL";

/// Where to find the ONNX Runtime shared library and the Silero VAD model.
///
/// The default looks in the environment and then in the cache directory
/// filled by `cargo xtask assets`.
///
/// ```
/// use scribe_audio::AssetConfig;
///
/// let assets = AssetConfig::new()
///     .with_ort_dylib("/opt/onnxruntime/lib/libonnxruntime.so.1.32.0")
///     .with_vad_model("/opt/models/silero_vad.onnx");
/// assert!(assets.ort_dylib().is_some());
/// ```
#[derive(Debug, Clone)]
pub struct AssetConfig {
    ort_dylib: Option<PathBuf>,
    vad_model: Option<PathBuf>,
    cache_dir: Option<PathBuf>,
    use_env: bool,
}

impl Default for AssetConfig {
    fn default() -> Self {
        Self::new()
    }
}

/// Paths of both assets, checked to exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedAssets {
    /// The ONNX Runtime shared library.
    pub ort_dylib: PathBuf,
    /// The Silero VAD model.
    pub vad_model: PathBuf,
    /// The sequence export beside the model, when present.
    pub vad_sequence_model: Option<PathBuf>,
}

impl AssetConfig {
    /// Environment first, then the cache directory.
    pub fn new() -> Self {
        Self {
            ort_dylib: None,
            vad_model: None,
            cache_dir: None,
            use_env: true,
        }
    }

    /// Uses this ONNX Runtime library (a `libonnxruntime.so*` file).
    #[must_use]
    pub fn with_ort_dylib(mut self, path: impl Into<PathBuf>) -> Self {
        self.ort_dylib = Some(path.into());
        self
    }

    /// Uses this Silero VAD model (`silero_vad.onnx`).
    #[must_use]
    pub fn with_vad_model(mut self, path: impl Into<PathBuf>) -> Self {
        self.vad_model = Some(path.into());
        self
    }

    /// Looks in this directory instead of the default cache directory.
    #[must_use]
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Ignores the environment variables (for hermetic configuration).
    #[must_use]
    pub fn without_env(mut self) -> Self {
        self.use_env = false;
        self
    }

    /// The explicitly configured ONNX Runtime library, if any.
    pub fn ort_dylib(&self) -> Option<&Path> {
        self.ort_dylib.as_deref()
    }

    /// The explicitly configured model, if any.
    pub fn vad_model(&self) -> Option<&Path> {
        self.vad_model.as_deref()
    }

    /// The default cache directory: `$SCRIBE_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/scribe`, else `~/.cache/scribe`.
    pub fn default_cache_dir() -> Option<PathBuf> {
        if let Some(dir) = env_path("SCRIBE_CACHE_DIR") {
            return Some(dir);
        }
        if let Some(dir) = env_path("XDG_CACHE_HOME") {
            return Some(dir.join("scribe"));
        }
        env_path("HOME").map(|home| home.join(".cache").join("scribe"))
    }

    /// Finds both files.
    ///
    /// # Errors
    ///
    /// [`AudioError::RuntimeMissing`] or [`AudioError::ModelMissing`], saying
    /// where they were looked for and which command or variable fixes it.
    pub fn resolve(&self) -> Result<ResolvedAssets, AudioError> {
        let cache = self.cache_dir.clone().or_else(Self::default_cache_dir);
        let ort_env: Vec<(&str, Option<PathBuf>)> = ORT_DYLIB_ENV
            .iter()
            .map(|name| (*name, self.env(name)))
            .collect();
        let ort_dylib = locate(
            self.ort_dylib.as_deref(),
            &ort_env,
            cache.as_deref(),
            CACHED_ORT_DYLIB,
        )
        .map_err(|searched| AudioError::RuntimeMissing { searched })?;
        let model_env = [(VAD_MODEL_ENV, self.env(VAD_MODEL_ENV))];
        let vad_model = locate(
            self.vad_model.as_deref(),
            &model_env,
            cache.as_deref(),
            CACHED_VAD_MODEL,
        )
        .map_err(|searched| AudioError::ModelMissing { searched })?;
        let vad_sequence_model = vad_model
            .parent()
            .map(|dir| dir.join(VAD_SEQUENCE_MODEL))
            .filter(|path| path.is_file());
        Ok(ResolvedAssets {
            ort_dylib,
            vad_model,
            vad_sequence_model,
        })
    }

    fn env(&self, name: &str) -> Option<PathBuf> {
        if self.use_env { env_path(name) } else { None }
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Explicit path, then the first set environment variable, then the cache.
/// On failure returns a description of where it looked.
fn locate(
    explicit: Option<&Path>,
    env: &[(&str, Option<PathBuf>)],
    cache: Option<&Path>,
    cached_name: &str,
) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return if path.is_file() {
            Ok(path.to_path_buf())
        } else {
            Err(format!("configured path {} does not exist", path.display()))
        };
    }
    for (name, value) in env {
        if let Some(path) = value {
            return if path.is_file() {
                Ok(path.clone())
            } else {
                Err(format!("{name}={} does not exist", path.display()))
            };
        }
    }
    match cache {
        Some(dir) => {
            let path = dir.join(cached_name);
            if path.is_file() {
                Ok(path)
            } else {
                let names: Vec<&str> = env.iter().map(|(n, _)| *n).collect();
                Err(format!(
                    "{} is not set and {} does not exist",
                    names.join(" / "),
                    path.display()
                ))
            }
        }
        None => Err("no cache directory (HOME, XDG_CACHE_HOME and SCRIBE_CACHE_DIR unset)".into()),
    }
}

/// The process-wide ONNX Runtime environment. ort allows one per process and
/// loads the library once, so the first successful initialisation is kept
/// for the life of the process; failures are not cached, so a corrected path
/// works on the next attempt.
static ORT_ENVIRONMENT: Mutex<Option<ort::environment::Environment>> = Mutex::new(None);

/// Returns the process's ONNX Runtime environment, loading the library at
/// `dylib` the first time.
pub(crate) fn ort_environment(dylib: &Path) -> Result<ort::environment::Environment, AudioError> {
    let mut slot = ORT_ENVIRONMENT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(env) = slot.as_ref() {
        return Ok(env.clone());
    }
    let builder = ort::init_from(dylib).map_err(|e| AudioError::Runtime {
        detail: format!(
            "cannot load {}: {e}; run `cargo xtask assets` or point SCRIBE_ORT_DYLIB at \
             a libonnxruntime.so of version 1.22 or newer",
            dylib.display()
        ),
    })?;
    let env = builder
        .with_name("scribe-audio")
        .with_telemetry(false)
        .build()
        .map_err(|e| AudioError::Runtime {
            detail: format!(
                "cannot create the ONNX Runtime environment ({e}); another component of this \
                 process already created one, and ort allows only one per process"
            ),
        })?;
    *slot = Some(env.clone());
    Ok(env)
}
