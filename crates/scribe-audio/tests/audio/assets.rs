//! Finding ONNX Runtime and the model, and the errors when they are missing.

use scribe_audio::{AssetConfig, AudioError, AudioInput, PipelineConfig, chunk_audio};

fn empty_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scribe-audio-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn missing_runtime_names_the_fixing_command() {
    let assets = AssetConfig::new()
        .without_env()
        .with_cache_dir(empty_dir("no-runtime"));
    let err = assets.resolve().expect_err("nothing there");
    assert!(matches!(err, AudioError::RuntimeMissing { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("cargo xtask assets"), "{message}");
    assert!(message.contains("SCRIBE_ORT_DYLIB"), "{message}");
}

#[test]
fn missing_model_names_the_fixing_command() {
    let found = AssetConfig::new()
        .resolve()
        .expect("run `cargo xtask assets` first");
    let assets = AssetConfig::new()
        .without_env()
        .with_ort_dylib(&found.ort_dylib)
        .with_cache_dir(empty_dir("no-model"));
    let err = assets.resolve().expect_err("no model");
    assert!(matches!(err, AudioError::ModelMissing { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("cargo xtask assets"), "{message}");
    assert!(message.contains("SCRIBE_VAD_MODEL"), "{message}");
}

#[test]
fn an_explicit_path_that_does_not_exist_is_an_error_not_skipped() {
    let assets = AssetConfig::new().with_vad_model("/nonexistent/silero_vad.onnx");
    let err = assets.resolve().expect_err("bad path");
    // The runtime may be missing too on a bare machine; the model path is
    // reported either way once the runtime is found.
    if let AudioError::ModelMissing { searched } = &err {
        assert!(
            searched.contains("/nonexistent/silero_vad.onnx"),
            "{searched}"
        );
    } else {
        assert!(matches!(err, AudioError::RuntimeMissing { .. }), "{err:?}");
    }
}

#[test]
fn the_pipeline_reports_missing_assets_before_reading_audio() {
    let config = PipelineConfig::default().with_assets(
        AssetConfig::new()
            .without_env()
            .with_cache_dir(empty_dir("pipeline")),
    );
    let err = chunk_audio(AudioInput::Bytes(vec![1, 2, 3]), &config).expect_err("no runtime");
    assert!(matches!(err, AudioError::RuntimeMissing { .. }), "{err:?}");
}

#[test]
fn the_cache_filled_by_xtask_is_found() {
    let found = AssetConfig::new()
        .resolve()
        .expect("run `cargo xtask assets` first");
    assert!(found.ort_dylib.is_file());
    assert!(found.vad_model.is_file());
}

/// Run by [`environment_variables_are_consulted_in_order`] in a child
/// process whose environment it sets (changing the environment of this
/// multi-threaded test process would race with the other tests).
#[test]
#[ignore = "run as a child process by environment_variables_are_consulted_in_order"]
fn resolve_with_the_inherited_environment() {
    match AssetConfig::new().resolve() {
        Ok(found) => eprintln!(
            "RESOLVED ort={} model={}",
            found.ort_dylib.display(),
            found.vad_model.display()
        ),
        Err(e) => eprintln!("FAILED {e}"),
    }
}

fn resolve_in_child(env: &[(&str, &std::ffi::OsStr)]) -> String {
    let mut command = std::process::Command::new(std::env::current_exe().expect("test binary"));
    command.args([
        "--ignored",
        "--exact",
        "assets::resolve_with_the_inherited_environment",
        "--nocapture",
    ]);
    for var in [
        "SCRIBE_ORT_DYLIB",
        "ORT_DYLIB_PATH",
        "SCRIBE_VAD_MODEL",
        "SCRIBE_CACHE_DIR",
        "XDG_CACHE_HOME",
    ] {
        command.env_remove(var);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("child runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find(|l| l.starts_with("RESOLVED") || l.starts_with("FAILED"))
        .unwrap_or_else(|| panic!("child printed no result: {stderr}"))
        .to_string()
}

#[test]
fn environment_variables_are_consulted_in_order() {
    let found = AssetConfig::new()
        .resolve()
        .expect("run `cargo xtask assets` first");
    let empty = empty_dir("env-cache");

    // An empty cache and no variables: the error names the variables, the
    // looked-for path and the command.
    let line = resolve_in_child(&[("SCRIBE_CACHE_DIR", empty.as_os_str())]);
    assert!(line.starts_with("FAILED"), "{line}");
    assert!(
        line.contains("SCRIBE_ORT_DYLIB") && line.contains("cargo xtask assets"),
        "{line}"
    );
    assert!(line.contains(&empty.display().to_string()), "{line}");

    // Variables win over the (empty) cache; SCRIBE_ORT_DYLIB over ORT_DYLIB_PATH.
    let line = resolve_in_child(&[
        ("SCRIBE_CACHE_DIR", empty.as_os_str()),
        ("SCRIBE_ORT_DYLIB", found.ort_dylib.as_os_str()),
        (
            "ORT_DYLIB_PATH",
            std::ffi::OsStr::new("/nonexistent/libonnxruntime.so"),
        ),
        ("SCRIBE_VAD_MODEL", found.vad_model.as_os_str()),
    ]);
    assert_eq!(
        line,
        format!(
            "RESOLVED ort={} model={}",
            found.ort_dylib.display(),
            found.vad_model.display()
        )
    );

    // A variable naming a missing file is reported, not skipped.
    let line = resolve_in_child(&[
        ("SCRIBE_ORT_DYLIB", found.ort_dylib.as_os_str()),
        (
            "SCRIBE_VAD_MODEL",
            std::ffi::OsStr::new("/nonexistent/silero_vad.onnx"),
        ),
    ]);
    assert!(line.starts_with("FAILED"), "{line}");
    assert!(
        line.contains("SCRIBE_VAD_MODEL=/nonexistent/silero_vad.onnx"),
        "{line}"
    );
}
