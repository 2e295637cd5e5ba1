//! Configuration resolved into a working client: environment map, config
//! file, builder, in that order of precedence.

use scribe::ScribeClient;
use scribe::config::EnvVars;

use crate::support::*;

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("scribe-config-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[tokio::test]
async fn environment_and_config_file_reach_the_server() {
    let server = start(quick_server()).await;
    let dir = scratch("file");
    std::fs::write(
        dir.join("scribe.config.yaml"),
        format!(
            "base_url: {}\nauth_base_url: {}\ndefault_templates: [transcript_template]\npoll_interval: 50ms\n",
            server.base_url(),
            server.auth_base_url()
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let client = ScribeClient::builder()
        .working_dir(&dir)
        .env_vars(EnvVars::from_map([
            ("SCRIBE_CLIENT_ID", server.client_id()),
            ("SCRIBE_CLIENT_SECRET", server.client_secret()),
        ]))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(client.config().base_url(), server.base_url());
    let session = client
        .create_session()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = server
        .sessions()
        .into_iter()
        .find(|x| x.session_id == session.id())
        .unwrap_or_else(|| panic!("session not on the server"));
    assert_eq!(
        summary.templates,
        ["transcript_template"],
        "the file's default template was used"
    );

    // The environment beats the file, the builder beats both.
    let client = ScribeClient::builder()
        .working_dir(&dir)
        .env_vars(EnvVars::from_map([
            ("SCRIBE_CLIENT_ID", server.client_id()),
            ("SCRIBE_CLIENT_SECRET", server.client_secret()),
            ("SCRIBE_DEFAULT_TEMPLATES", "eka_emr_template"),
            ("SCRIBE_BASE_URL", "http://127.0.0.1:9/voice"),
        ]))
        .base_url(server.base_url())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let session = client
        .create_session()
        .await
        .unwrap_or_else(|e| panic!("builder base_url must win: {e}"));
    let summary = server
        .sessions()
        .into_iter()
        .find(|x| x.session_id == session.id())
        .unwrap_or_else(|| panic!("session not on the server"));
    assert_eq!(summary.templates, ["eka_emr_template"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn api_key_alone_is_enough() {
    let server = start(quick_server()).await;
    let client = ScribeClient::builder()
        .env_vars(EnvVars::from_map([
            ("SCRIBE_BASE_URL", server.base_url()),
            ("SCRIBE_API_KEY", server.api_key()),
        ]))
        .working_dir(std::env::temp_dir())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let templates = client.templates().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!templates.templates.is_empty());
}

#[test]
fn refusals_surface_as_config_errors() {
    let dir = scratch("refuse");
    std::fs::write(
        dir.join("scribe.config.json"),
        r#"{"client_secret": "s3cret-value"}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let err = ScribeClient::builder()
        .working_dir(&dir)
        .env_vars(EnvVars::none())
        .client_credentials("id", "x")
        .build()
        .err()
        .unwrap_or_else(|| panic!("credentials in a file accepted"));
    assert!(err.is_config(), "{err}");
    assert!(
        err.to_string().contains("client_secret")
            && err.to_string().contains("SCRIBE_CLIENT_SECRET")
    );
    assert!(!err.to_string().contains("s3cret"));

    let err = ScribeClient::builder()
        .working_dir(std::env::temp_dir())
        .env_vars(EnvVars::from_map([("SCRIBE_POLL_TIMEOUT", "forever")]))
        .client_credentials("id", "x")
        .build()
        .err()
        .unwrap_or_else(|| panic!("bad duration accepted"));
    assert!(
        err.is_config() && err.to_string().contains("SCRIBE_POLL_TIMEOUT"),
        "{err}"
    );

    let err = ScribeClient::builder()
        .working_dir(std::env::temp_dir())
        .env_vars(EnvVars::none())
        .client_credentials("id", "x")
        .base_url("api.eka.care")
        .build()
        .err()
        .unwrap_or_else(|| panic!("bad URL accepted"));
    assert!(
        err.is_config() && err.to_string().contains("builder.base_url"),
        "{err}"
    );

    // Plain HTTP leaves loopback only when asked.
    let err = ScribeClient::builder()
        .working_dir(std::env::temp_dir())
        .env_vars(EnvVars::none())
        .client_credentials("id", "x")
        .base_url("http://scribe.example.org/voice")
        .build()
        .err()
        .unwrap_or_else(|| panic!("plain HTTP to a remote host accepted"));
    assert!(err.is_config(), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
