//! ONNX Runtime sessions for the model's graphs, on the process-wide
//! environment loaded from the runtime library the assets point at: full
//! graph optimisation and one thread per session (parallelism comes from
//! running several sessions, never from inside one).

use std::path::Path;

use ort::session::Session;
use ort::session::builder::{GraphOptimizationLevel, SessionBuilder};

use crate::assets::{ResolvedAssets, ort_environment};
use crate::error::AudioError;

/// A builder with this crate's session settings, ready to commit a model
/// from a file or from memory.
pub(super) fn builder(assets: &ResolvedAssets) -> Result<SessionBuilder, AudioError> {
    let env = ort_environment(&assets.ort_dylib)?;
    let runtime = |e: ort::Error| AudioError::Runtime {
        detail: e.to_string(),
    };
    let recover = |e: ort::Error<SessionBuilder>| AudioError::Runtime {
        detail: e.to_string(),
    };
    Session::builder(&env)
        .map_err(runtime)?
        .with_optimization_level(GraphOptimizationLevel::Level3)
        .map_err(recover)?
        .with_intra_threads(1)
        .map_err(recover)?
        .with_inter_threads(1)
        .map_err(recover)
}

/// A session of the model file at `path`; the error names the fix.
pub(super) fn from_file(assets: &ResolvedAssets, path: &Path) -> Result<Session, AudioError> {
    builder(assets)?
        .commit_from_file(path)
        .map_err(|e| AudioError::Runtime {
            detail: format!(
                "cannot load the VAD model {}: {e}; run `cargo xtask assets` or point \
                 SCRIBE_VAD_MODEL at silero_vad.onnx",
                path.display()
            ),
        })
}
