//! Configuration values, through the public path a program takes:
//! `ScribeClient::builder().env_vars(..).resolve_config()`, with the
//! environment and an optional config file both taken from the input.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use scribe::ScribeClient;
use scribe::config::{Config, EnvVars};
use scribe_protocol::duration::parse_duration;

use crate::Target;

pub(super) const TARGET: Target = Target {
    name: "config",
    about: "SCRIBE_* variables and config files through ScribeClient::builder().resolve_config(); parse_duration",
    run,
    max_len: 2048,
    timeout_ms: 1000,
    extra_seeds: &[],
    dictionary: &[
        b"SCRIBE_ENV=",
        b"SCRIBE_BASE_URL=",
        b"SCRIBE_AUTH_BASE_URL=",
        b"SCRIBE_DEFAULT_TEMPLATES=",
        b"SCRIBE_DEFAULT_MODEL=",
        b"SCRIBE_DEFAULT_LANGUAGE_HINT=",
        b"SCRIBE_TRANSCRIPT_LANGUAGE=",
        b"SCRIBE_REQUEST_TIMEOUT=",
        b"SCRIBE_POLL_INTERVAL=",
        b"SCRIBE_POLL_TIMEOUT=",
        b"SCRIBE_CLIENT_ID=",
        b"SCRIBE_CLIENT_SECRET=",
        b"SCRIBE_API_KEY=",
        b"--- json\n",
        b"--- yaml\n",
        b"https://",
        b"http://",
        b"ms",
        b"s",
        b"m",
        b"h",
        b"1e9",
        b"999999999.9",
        b"nan",
        b"inf",
        b"-0",
        b"?",
        b"#",
        b"@",
        b":8080",
        b"[::1]",
        b",",
        b"\"poll_timeout\": ",
        b"base_url: ",
        b"&a ",
        b"*a",
        b"!!binary ",
    ],
    tolerates_caught_foreign_panics: false,
};

/// Input layout: `NAME=value` lines for the environment; a line `--- json`
/// or `--- yaml` starts a config file whose content is the rest.
fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (env_text, file) = split_file(&text);
    let mut vars = HashMap::new();
    for line in env_text.lines() {
        if let Some((name, value)) = line.split_once('=') {
            // The file comes from the input below, never from a path the
            // input names.
            if name != "SCRIBE_CONFIG" {
                vars.insert(name.to_owned(), value.to_owned());
            }
        }
        let _ = parse_duration(line).map(|d| check_duration_text(line, d));
    }
    let dir = work_dir();
    for name in scribe::config::CONFIG_FILE_NAMES {
        let _ = std::fs::remove_file(dir.join(name));
    }
    if let Some((name, content)) = file {
        std::fs::write(dir.join(name), content).expect("the fuzz directory is writable");
    }
    let Ok(config) = resolve(vars) else {
        return;
    };
    check(&config);
    // The resolved values, given back as the environment alone, resolve to
    // the same configuration.
    let again = resolve(as_env(&config))
        .unwrap_or_else(|e| panic!("a resolved configuration, fed back, is refused: {e}"));
    let same = again.base_url() == config.base_url()
        && again.auth_base_url() == config.auth_base_url()
        && again.default_templates() == config.default_templates()
        && again.default_model() == config.default_model()
        && again.default_language_hint() == config.default_language_hint()
        && again.transcript_language() == config.transcript_language()
        && close(again.request_timeout(), config.request_timeout())
        && close(again.poll_interval(), config.poll_interval())
        && close(again.poll_timeout(), config.poll_timeout());
    assert!(
        same,
        "a resolved configuration resolves differently when fed back"
    );
}

fn split_file(text: &str) -> (&str, Option<(&'static str, &str)>) {
    for (marker, name) in [
        ("--- json\n", "scribe.config.json"),
        ("--- yaml\n", "scribe.config.yaml"),
    ] {
        if let Some((env, file)) = text.split_once(marker) {
            return (env, Some((name, file)));
        }
    }
    (text, None)
}

/// An empty directory of this process for config files (none is read
/// from the real working directory).
fn work_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let temp = std::env::temp_dir();
        remove_stale(&temp);
        let dir = temp.join(format!("{DIR_PREFIX}{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the fuzz directory");
        dir
    })
}

const DIR_PREFIX: &str = "scribe-fuzz-config-";

/// Removes the directories of executors that have ended (the executor is
/// killed, not asked to clean up).
fn remove_stale(temp: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        if !std::path::Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn resolve(vars: HashMap<String, String>) -> Result<Config, scribe::Error> {
    ScribeClient::builder()
        .env_vars(EnvVars::from_map(vars))
        .working_dir(work_dir())
        .resolve_config()
}

/// What every resolved configuration satisfies.
fn check(config: &Config) {
    for url in [config.base_url(), config.auth_base_url()] {
        assert!(url.starts_with("https://") || url.starts_with("http://"));
        assert!(!url.ends_with('/'), "a URL kept its trailing slash");
    }
    assert!(matches!(config.default_templates().len(), 1 | 2));
    for d in [
        config.request_timeout(),
        config.poll_interval(),
        config.poll_timeout(),
    ] {
        assert!(d > Duration::ZERO, "a duration of zero was accepted");
    }
}

fn as_env(config: &Config) -> HashMap<String, String> {
    let secs = |d: Duration| format!("{}.{:09}", d.as_secs(), d.subsec_nanos());
    let mut vars: HashMap<String, String> = [
        ("SCRIBE_BASE_URL", config.base_url().to_owned()),
        ("SCRIBE_AUTH_BASE_URL", config.auth_base_url().to_owned()),
        (
            "SCRIBE_DEFAULT_TEMPLATES",
            config.default_templates().join(","),
        ),
        ("SCRIBE_REQUEST_TIMEOUT", secs(config.request_timeout())),
        ("SCRIBE_POLL_INTERVAL", secs(config.poll_interval())),
        ("SCRIBE_POLL_TIMEOUT", secs(config.poll_timeout())),
        (
            "SCRIBE_DEFAULT_LANGUAGE_HINT",
            config.default_language_hint().join(","),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if let Some(model) = config.default_model() {
        vars.insert("SCRIBE_DEFAULT_MODEL".into(), model.to_owned());
    }
    if let Some(language) = config.transcript_language() {
        vars.insert("SCRIBE_TRANSCRIPT_LANGUAGE".into(), language.to_owned());
    }
    vars
}

/// Equal up to what a decimal text of nine fractional digits, read back
/// as a float, keeps.
fn close(a: Duration, b: Duration) -> bool {
    let (a, b) = (a.as_secs_f64(), b.as_secs_f64());
    (a - b).abs() <= 1e-6_f64.max(a.abs() * 1e-12)
}

/// A parsed duration written as seconds reads back as about the same.
fn check_duration_text(text: &str, parsed: Duration) {
    let written = format!("{}.{:09}", parsed.as_secs(), parsed.subsec_nanos());
    let again = parse_duration(&written)
        .unwrap_or_else(|_| panic!("`{text}` parsed but its seconds `{written}` do not"));
    assert!(close(again, parsed), "`{text}` and `{written}` differ");
}
