use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use hyper::Method;
use serde_json::json;

use crate::support::Http;

/// Kills the child when the test ends, passing or not.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_urls_and_credentials_and_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_scribe-sim"))
            .args([
                "--addr",
                "127.0.0.1:0",
                "--dialect",
                "spec",
                "--client-id",
                "cli-id",
                "--fault",
                "get=slow:10@0.5",
            ])
            .stdout(Stdio::piped())
            .spawn()
            .expect("scribe-sim starts"),
    );
    let stdout = child.0.stdout.take().unwrap();
    let lines = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap();
            let done = line.starts_with("Press Ctrl-C");
            lines.push(line);
            if done {
                break;
            }
        }
        lines
    })
    .await
    .unwrap();
    let value = |label: &str| {
        lines
            .iter()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
            .unwrap_or_else(|| panic!("no `{label}` in {lines:?}"))
    };
    let (base, auth, id, secret) = (
        value("base URL:"),
        value("auth base URL:"),
        value("client id:"),
        value("client secret:"),
    );
    assert_eq!(id, "cli-id");
    assert!(lines[0].contains("spec dialect") && lines[0].contains("simulated"));
    let http = Http::new();
    let login = http
        .send(
            Method::POST,
            &format!("{auth}/connect-auth/v1/account/login"),
            &[("content-type", "application/json")],
            json!({ "client_id": id, "client_secret": secret }).to_string(),
        )
        .await;
    assert_eq!(login.status, 200);
    let token = format!("Bearer {}", login.json()["access_token"].as_str().unwrap());
    let templates = http
        .send(
            Method::GET,
            &format!("{base}/v1/templates"),
            &[("authorization", &token)],
            "",
        )
        .await;
    assert_eq!(templates.json()["templates"][0]["id"], "transcript");
}

#[test]
fn bad_flags_fail_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_scribe-sim"))
        .args(["--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("allow-non-loopback"));
    let out = Command::new(env!("CARGO_BIN_EXE_scribe-sim"))
        .args(["--fault", "upload=teapot"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ROUTE=KIND"));
}
