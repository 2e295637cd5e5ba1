use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::*;

/// A fresh empty directory for one test.
fn scratch() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "scribe-config-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("scratch dir: {e}"));
    dir
}

fn resolve(builder: Layer, vars: &[(&str, &str)], dir: &Path) -> Result<Config, ConfigError> {
    Config::resolve(builder, &EnvVars::from_map(vars.iter().copied()), dir)
}

fn ok(r: Result<Config, ConfigError>) -> Config {
    r.unwrap_or_else(|e| panic!("unexpected config error: {e}"))
}

fn err(r: Result<Config, ConfigError>) -> ConfigError {
    match r {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e,
    }
}

#[test]
fn defaults_are_production() {
    let c = ok(resolve(Layer::default(), &[], &scratch()));
    assert_eq!(c.environment(), Environment::Prod);
    assert_eq!(c.base_url(), "https://api.eka.care/voice");
    assert_eq!(c.auth_base_url(), "https://api.eka.care");
    assert_eq!(c.default_templates(), [DEFAULT_TEMPLATE.to_owned()]);
    assert_eq!(c.request_timeout(), DEFAULT_REQUEST_TIMEOUT);
    assert_eq!(c.retry_deadline(), DEFAULT_RETRY_DEADLINE);
    assert!(!c.has_credentials());
    assert!(c.config_file().is_none());
}

#[test]
fn dev_preset() {
    let c = ok(resolve(
        Layer::default(),
        &[("SCRIBE_ENV", "dev")],
        &scratch(),
    ));
    assert_eq!(c.base_url(), "https://api.dev.eka.care/voice");
    assert_eq!(c.auth_base_url(), "https://api.dev.eka.care");
}

#[test]
fn every_variable_is_read() {
    let c = ok(resolve(
        Layer::default(),
        &[
            ("SCRIBE_CLIENT_ID", "id-1"),
            ("SCRIBE_CLIENT_SECRET", "very-secret-value"),
            ("SCRIBE_API_KEY", "sk_test_abc"),
            ("SCRIBE_BASE_URL", "http://127.0.0.1:9000/voice/"),
            ("SCRIBE_AUTH_BASE_URL", "http://127.0.0.1:9001"),
            ("SCRIBE_DEFAULT_TEMPLATES", "a_template, b_template"),
            ("SCRIBE_DEFAULT_MODEL", "pro"),
            ("SCRIBE_DEFAULT_LANGUAGE_HINT", "en,hi"),
            ("SCRIBE_TRANSCRIPT_LANGUAGE", "hi"),
            ("SCRIBE_REQUEST_TIMEOUT", "45"),
            ("SCRIBE_POLL_INTERVAL", "500ms"),
            ("SCRIBE_POLL_TIMEOUT", "2m"),
            ("SCRIBE_RETRY_DEADLINE", "90s"),
        ],
        &scratch(),
    ));
    assert_eq!(c.retry_deadline(), Duration::from_secs(90));
    assert_eq!(c.client_id(), Some("id-1"));
    assert!(c.has_credentials());
    assert_eq!(c.base_url(), "http://127.0.0.1:9000/voice");
    assert_eq!(c.auth_base_url(), "http://127.0.0.1:9001");
    assert_eq!(c.default_templates(), ["a_template", "b_template"]);
    assert_eq!(c.default_model(), Some("pro"));
    assert_eq!(c.default_language_hint(), ["en", "hi"]);
    assert_eq!(c.transcript_language(), Some("hi"));
    assert_eq!(c.request_timeout(), Duration::from_secs(45));
    assert_eq!(c.poll_interval(), Duration::from_millis(500));
    assert_eq!(c.poll_timeout(), Duration::from_secs(120));
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("very-secret-value") && !debug.contains("sk_test_abc"),
        "{debug}"
    );
}

#[test]
fn auth_host_defaults_to_origin_of_base_url() {
    let c = ok(resolve(
        Layer::default(),
        &[("SCRIBE_BASE_URL", "http://localhost:8080/voice")],
        &scratch(),
    ));
    assert_eq!(c.auth_base_url(), "http://localhost:8080");
}

#[test]
fn builder_beats_environment_beats_file() {
    let dir = scratch();
    std::fs::write(dir.join("scribe.config.json"), r#"{"poll_interval": 7, "poll_timeout": "9s", "default_model": "lite", "request_timeout": 11}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    let builder = Layer {
        poll_interval: Some(Duration::from_secs(1)),
        ..Layer::default()
    };
    let c = ok(resolve(
        builder,
        &[("SCRIBE_POLL_INTERVAL", "3"), ("SCRIBE_POLL_TIMEOUT", "4")],
        &dir,
    ));
    assert_eq!(c.poll_interval(), Duration::from_secs(1), "builder wins");
    assert_eq!(
        c.poll_timeout(),
        Duration::from_secs(4),
        "environment beats file"
    );
    assert_eq!(
        c.request_timeout(),
        Duration::from_secs(11),
        "file beats default"
    );
    assert_eq!(c.default_model(), Some("lite"));
    assert_eq!(
        c.config_file(),
        Some(dir.join("scribe.config.json").as_path())
    );
}

#[test]
fn choosing_an_environment_discards_lower_urls() {
    let builder = Layer {
        environment: Some(Environment::Dev),
        ..Layer::default()
    };
    let c = ok(resolve(
        builder,
        &[("SCRIBE_BASE_URL", "http://127.0.0.1:1/voice")],
        &scratch(),
    ));
    assert_eq!(c.base_url(), Environment::Dev.base_url());
}

#[test]
fn yaml_file_and_explicit_path() {
    let dir = scratch();
    let path = dir.join("custom.yml");
    std::fs::write(
        &path,
        "env: dev\ndefault_language_hint: [en, ta]\ndefault_templates: transcript_template\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = ok(resolve(
        Layer::default(),
        &[("SCRIBE_CONFIG", "custom.yml")],
        &dir,
    ));
    assert_eq!(c.environment(), Environment::Dev);
    assert_eq!(c.default_language_hint(), ["en", "ta"]);
    assert_eq!(c.default_templates(), ["transcript_template"]);

    let missing = err(resolve(
        Layer::default(),
        &[("SCRIBE_CONFIG", "nope.yaml")],
        &dir,
    ));
    assert_eq!(missing.key(), "SCRIBE_CONFIG");
}

#[test]
fn credentials_in_a_file_are_refused() {
    for key in ["client_id", "client_secret", "api_key"] {
        let dir = scratch();
        std::fs::write(
            dir.join("scribe.config.yaml"),
            format!("{key}: hunter2-secret\n"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let e = err(resolve(Layer::default(), &[], &dir));
        let text = e.to_string();
        assert!(e.key().ends_with(key), "{text}");
        assert!(
            text.contains("SCRIBE_"),
            "names the variable to use: {text}"
        );
        assert!(!text.contains("hunter2"), "secret echoed: {text}");
    }
}

#[test]
fn unknown_key_is_refused_with_the_known_ones() {
    let dir = scratch();
    std::fs::write(
        dir.join("scribe.config.json"),
        r#"{"base_ur1": "https://x"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let e = err(resolve(Layer::default(), &[], &dir));
    assert!(e.key().ends_with("base_ur1"));
    assert!(e.fix().contains("base_url"), "{e}");
}

#[test]
fn malformed_values_are_refused_naming_the_key() {
    let cases: &[(&str, &str)] = &[
        ("SCRIBE_ENV", "staging"),
        ("SCRIBE_BASE_URL", "api.eka.care"),
        ("SCRIBE_AUTH_BASE_URL", "ftp://x"),
        ("SCRIBE_DEFAULT_TEMPLATES", "a,b,c"),
        ("SCRIBE_DEFAULT_MODEL", "Big Model"),
        ("SCRIBE_DEFAULT_LANGUAGE_HINT", "en,klingon"),
        ("SCRIBE_TRANSCRIPT_LANGUAGE", "xx"),
        ("SCRIBE_REQUEST_TIMEOUT", "soon"),
        ("SCRIBE_POLL_INTERVAL", "-1"),
        ("SCRIBE_POLL_TIMEOUT", "0"),
    ];
    for (key, bad) in cases {
        let e = err(resolve(Layer::default(), &[(key, bad)], &scratch()));
        assert_eq!(e.key(), *key, "{e}");
        assert!(!e.fix().is_empty());
    }
    let dir = scratch();
    std::fs::write(dir.join("scribe.config.json"), r#"{"poll_timeout": true}"#)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        err(resolve(Layer::default(), &[], &dir))
            .key()
            .ends_with("poll_timeout")
    );
    let dir = scratch();
    std::fs::write(dir.join("scribe.config.yaml"), "env: [prod\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        err(resolve(Layer::default(), &[], &dir))
            .problem()
            .contains("YAML")
    );
    let dir = scratch();
    std::fs::write(dir.join("scribe.config.json"), "[1]").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        err(resolve(Layer::default(), &[], &dir))
            .problem()
            .contains("mapping")
    );
}

#[test]
fn half_credentials_are_refused() {
    let e = err(resolve(
        Layer::default(),
        &[("SCRIBE_CLIENT_ID", "x")],
        &scratch(),
    ));
    assert_eq!(e.key(), "SCRIBE_CLIENT_SECRET");
    let e = err(resolve(
        Layer::default(),
        &[("SCRIBE_CLIENT_SECRET", "x")],
        &scratch(),
    ));
    assert_eq!(e.key(), "SCRIBE_CLIENT_ID");
}

#[test]
fn two_config_files_are_ambiguous() {
    let dir = scratch();
    std::fs::write(dir.join("scribe.config.json"), "{}").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("scribe.config.yml"), "").unwrap_or_else(|e| panic!("{e}"));
    let e = err(resolve(Layer::default(), &[], &dir));
    assert!(e.fix().contains("SCRIBE_CONFIG"), "{e}");
}

#[test]
fn dotenv_is_read_and_process_env_wins() {
    // The process source is exercised with a variable no other test or CI
    // sets; the process environment itself is never modified.
    let dir = scratch();
    std::fs::write(
        dir.join(".env"),
        "SCRIBE_DEFAULT_MODEL=pro\nSCRIBE_POLL_TIMEOUT=42\nOTHER=ignored\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let c = ok(Config::resolve(Layer::default(), &EnvVars::process(), &dir));
    if std::env::var_os("SCRIBE_DEFAULT_MODEL").is_none() {
        assert_eq!(c.default_model(), Some("pro"));
    }
    if std::env::var_os("SCRIBE_POLL_TIMEOUT").is_none() {
        assert_eq!(c.poll_timeout(), Duration::from_secs(42));
    }
    std::fs::write(dir.join(".env"), "SCRIBE_CLIENT_SECRET=\"unterminated\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let e = err(Config::resolve(Layer::default(), &EnvVars::process(), &dir));
    assert!(e.key().ends_with(".env"), "{e}");
    assert!(!e.to_string().contains("unterminated"), "{e}");
}

#[test]
fn env_vars_debug_shows_names_only() {
    let vars = EnvVars::from_map([("SCRIBE_CLIENT_SECRET", "hunter2-value")]);
    let shown = format!("{vars:?}");
    assert!(
        shown.contains("SCRIBE_CLIENT_SECRET") && !shown.contains("hunter2"),
        "{shown}"
    );
}
