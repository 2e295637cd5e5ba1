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
