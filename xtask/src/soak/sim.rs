//! One `scribe sim` process per run: started on a free loopback port, read
//! back from its banner, inspected over its `/_sim/` routes, killed at the
//! end.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// The variables the banner's `export` lines set, all of which a client of
/// this simulator needs.
const EXPORTS: [&str; 4] = [
    "SCRIBE_BASE_URL",
    "SCRIBE_AUTH_BASE_URL",
    "SCRIBE_CLIENT_ID",
    "SCRIBE_CLIENT_SECRET",
];

/// A running simulator.
pub(crate) struct Sim {
    child: Child,
    /// Kept open so the simulator never writes into a closed pipe.
    _stdout: BufReader<ChildStdout>,
    /// `host:port` of the simulator.
    host: String,
    /// The `export` lines of the banner, as (name, value).
    pub(crate) env: Vec<(String, String)>,
}

impl Sim {
    /// Starts `scribe sim` with `args` after the address, its stderr going
    /// to `stderr_file`, and waits for its banner.
    pub(crate) fn start(scribe: &Path, args: &[String], stderr_file: &Path) -> Result<Sim> {
        let stderr = File::create(stderr_file)
            .with_context(|| format!("cannot create {}", stderr_file.display()))?;
        let mut child = Command::new(scribe)
            .args(["sim", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .with_context(|| format!("cannot start {} sim", scribe.display()))?;
        let Some(stdout) = child.stdout.take() else {
            bail!("no stdout pipe from scribe sim");
        };
        let mut stdout = BufReader::new(stdout);
        let mut env = Vec::new();
        let mut line = String::new();
        while env.len() < EXPORTS.len() {
            line.clear();
            if stdout.read_line(&mut line)? == 0 {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(stderr_file).unwrap_or_default();
                bail!("scribe sim stopped before printing its address:\n{log}");
            }
            if let Some((name, value)) = line
                .trim()
                .strip_prefix("export ")
                .and_then(|e| e.split_once('='))
            {
                if EXPORTS.contains(&name) {
                    env.push((name.to_owned(), value.to_owned()));
                }
            }
        }
        let auth = env
            .iter()
            .find(|(name, _)| name == "SCRIBE_AUTH_BASE_URL")
            .map(|(_, value)| value.as_str())
            .unwrap_or_default();
        let host = auth
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .with_context(|| format!("unexpected auth base URL `{auth}`"))?
            .to_owned();
        Ok(Sim {
            child,
            _stdout: stdout,
            host,
            env,
        })
    }

    /// A `/_sim/` JSON answer.
    pub(crate) fn json(&self, path: &str) -> Result<serde_json::Value> {
        let body = self.get(path)?;
        serde_json::from_slice(&body).with_context(|| format!("GET {path}: not JSON"))
    }

    /// The body of a `GET` on the simulator; any status but 200 is an error.
    pub(crate) fn get(&self, path: &str) -> Result<Vec<u8>> {
        let mut stream = TcpStream::connect(&self.host)
            .with_context(|| format!("cannot connect to scribe sim at {}", self.host))?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.host
        )?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .with_context(|| format!("GET {path}"))?;
        let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            bail!("GET {path}: no complete answer");
        };
        let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
        let body = &raw[split + 4..];
        let status = head.split_whitespace().nth(1).unwrap_or_default();
        if status != "200" {
            bail!("GET {path}: status {status}");
        }
        if head.contains("transfer-encoding: chunked") {
            return dechunk(body).with_context(|| format!("GET {path}: bad chunked body"));
        }
        Ok(body.to_vec())
    }

    /// Stops the simulator (it holds nothing worth a graceful stop).
    pub(crate) fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `Transfer-Encoding: chunked` body, joined.
fn dechunk(mut body: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let Some(end) = body.windows(2).position(|w| w == b"\r\n") else {
            bail!("no chunk size line");
        };
        let line = std::str::from_utf8(&body[..end])?;
        let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)?;
        body = &body[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            bail!("a chunk runs past the end");
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_joined() {
        let joined = dechunk(b"4\r\nabcd\r\n2;x=y\r\nef\r\n0\r\n\r\n").ok();
        assert_eq!(joined.as_deref(), Some(&b"abcdef"[..]));
        assert!(dechunk(b"9\r\nabc").is_err());
    }
}
