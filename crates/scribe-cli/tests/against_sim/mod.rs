//! The built binary against a simulated server: one started by the binary
//! itself (`scribe sim`, with `--fault` flags), or one inside the test
//! process when a test needs to look at the server's state.

mod exit_codes;
mod localhost;
mod session_end;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// `scribe` with `env` as its only SCRIBE_* variables (besides the audio
/// model's), in a fresh empty directory, stdin closed (not a terminal).
pub fn scribe_with(args: &[&str], env: &[(String, String)]) -> Output {
    let dir = tempdir();
    let mut command = Command::new(env!("CARGO_BIN_EXE_scribe"));
    command.args(args).current_dir(&dir).stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SCRIBE_")
            && key != "SCRIBE_ORT_DYLIB"
            && key != "SCRIBE_VAD_MODEL"
        {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("running scribe: {e}"));
    let _ = std::fs::remove_dir_all(dir);
    out
}

fn tempdir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "scribe-cli-sim-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// `scribe sim` running as a child process on a free loopback port.
pub struct SimProcess {
    child: Child,
    /// The `export NAME=VALUE` lines it printed (URLs and credentials).
    pub env: Vec<(String, String)>,
    /// Its address, `127.0.0.1:PORT`.
    pub addr: String,
}

impl SimProcess {
    /// Starts `scribe sim --addr 127.0.0.1:0` with `flags`, and waits for its banner.
    pub fn start(flags: &[&str]) -> SimProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_scribe"))
            .args(["sim", "--addr", "127.0.0.1:0"])
            .args(flags)
            .current_dir(std::env::temp_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting scribe sim: {e}"));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut env = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.unwrap_or_default();
            if let Some((key, value)) = line
                .strip_prefix("export ")
                .and_then(|kv| kv.split_once('='))
            {
                env.push((key.to_owned(), value.to_owned()));
            }
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        let base = env
            .iter()
            .find(|(k, _)| k == "SCRIBE_BASE_URL")
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("scribe sim printed no SCRIBE_BASE_URL: {env:?}"));
        let addr = base
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        SimProcess { child, env, addr }
    }

    /// Its environment plus `extra` (which wins).
    pub fn env_with(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = self
            .env
            .iter()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .cloned()
            .collect();
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        env
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A simulator inside the test process (its own runtime), for tests that
/// look at what the server holds.
pub struct Sim {
    pub server: scribe_sim::Server,
    _runtime: tokio::runtime::Runtime,
}

impl Sim {
    pub fn start(faults: &[&str]) -> Sim {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        let mut builder = scribe_sim::Server::builder()
            .long_poll_hold(Duration::ZERO)
            .processing_delay(Duration::from_millis(100));
        for fault in faults {
            builder = builder.fault(fault.parse().unwrap_or_else(|e| panic!("{fault}: {e}")));
        }
        let server = runtime
            .block_on(builder.start())
            .unwrap_or_else(|e| panic!("the simulator starts: {e}"));
        Sim {
            server,
            _runtime: runtime,
        }
    }

    /// Variables that point `scribe` at this server.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("SCRIBE_BASE_URL".into(), self.server.base_url().to_owned()),
            (
                "SCRIBE_AUTH_BASE_URL".into(),
                self.server.auth_base_url().to_owned(),
            ),
            (
                "SCRIBE_CLIENT_ID".into(),
                self.server.client_id().to_owned(),
            ),
            (
                "SCRIBE_CLIENT_SECRET".into(),
                self.server.client_secret().to_owned(),
            ),
        ]
    }
}
