//! One `scribe-fuzz serve TARGET` process and the pipe protocol to it
//! (described in `fuzz/src/serve.rs`).

use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// Exit status the executor's watchdog ends it with (`TIMEOUT_EXIT`).
const TIMEOUT_EXIT: i32 = 70;
/// Bytes of the executor's stderr kept for a crash report.
const STDERR_TAIL: usize = 8 << 10;

/// What one input did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Passed; the number of coverage features never seen before.
    Passed { new: u32 },
    /// A panic in third-party code that the SDK caught, which the target
    /// tolerates.
    Tolerated { message: String, new: u32 },
    /// A crash; the executor is gone unless it was a panic.
    Crashed(Crash),
}

/// Why an input crashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Crash {
    /// A panic (a failed property or a bug), with its message.
    Panic(String),
    /// The input ran past the time limit.
    Timeout,
    /// An allocation past the memory limit.
    OutOfMemory(String),
    /// The stack overflowed.
    StackOverflow,
    /// The process died otherwise: how, and its last words.
    Died(String),
}

impl Crash {
    /// A short key that tells distinct crashes apart: the panic's place,
    /// or the kind of death.
    pub(crate) fn signature(&self) -> String {
        match self {
            Crash::Panic(message) => message
                .split_once(": ")
                .map_or(message.as_str(), |(place, _)| place)
                .to_owned(),
            Crash::Timeout => "timeout".to_owned(),
            Crash::OutOfMemory(_) => "out of memory".to_owned(),
            Crash::StackOverflow => "stack overflow".to_owned(),
            Crash::Died(how) => how.lines().next().unwrap_or("died").to_owned(),
        }
    }

    /// One line for the report.
    pub(crate) fn describe(&self, timeout_ms: u64) -> String {
        match self {
            Crash::Panic(message) => message.lines().take(3).collect::<Vec<_>>().join(" / "),
            Crash::Timeout => format!("hang: one input ran longer than {timeout_ms} ms"),
            Crash::OutOfMemory(line) => format!("runaway allocation: {line}"),
            Crash::StackOverflow => "stack overflow".to_owned(),
            Crash::Died(how) => how.clone(),
        }
    }
}

/// A running executor.
pub(crate) struct Executor {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<std::thread::JoinHandle<()>>,
    /// When the input in flight must have finished (ms since `started`; 0
    /// when idle), for the backstop that kills a stuck executor.
    deadline: Arc<AtomicU64>,
    started: Instant,
    counters: u32,
    backstop: Duration,
}

/// Limits passed to the executor.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) timeout_ms: u64,
    pub(crate) max_alloc_mb: u64,
    pub(crate) max_live_mb: u64,
}

impl Executor {
    /// Starts `binary serve target`.
    pub(crate) fn start(binary: &Path, target: &str, limits: Limits) -> Result<Executor> {
        let mut child = Command::new(binary)
            .args(["serve", target])
            .env("SCRIBE_FUZZ_MAX_ALLOC_MB", limits.max_alloc_mb.to_string())
            .env("SCRIBE_FUZZ_MAX_LIVE_MB", limits.max_live_mb.to_string())
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let (Some(stdin), Some(stdout), Some(mut stderr_pipe)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            bail!("the executor's pipes are missing");
        };
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&stderr);
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut tail = sink.lock().unwrap_or_else(|e| e.into_inner());
                tail.extend_from_slice(&buf[..n]);
                let excess = tail.len().saturating_sub(STDERR_TAIL);
                tail.drain(..excess);
            }
        });
        let deadline = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        // The executor ends itself when an input overruns; this backstop
        // kills it should it be stuck beyond that.
        let backstop = Duration::from_millis(limits.timeout_ms * 3 + 2_000);
        let watched = Arc::clone(&deadline);
        let pid = child.id();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(250));
                let due = watched.load(Ordering::Relaxed);
                if due == u64::MAX {
                    return;
                }
                if due != 0 && started.elapsed().as_millis() as u64 > due {
                    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                    return;
                }
            }
        });
        let mut executor = Executor {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr,
            stderr_reader: Some(stderr_reader),
            deadline,
            started,
            counters: 0,
            backstop,
        };
        let mut hello = [0u8; 8];
        if executor.stdout.read_exact(&mut hello).is_err() || &hello[..4] != b"SFZ1" {
            let how = executor.death();
            bail!(
                "the executor did not start: {}",
                how.describe(limits.timeout_ms)
            );
        }
        executor.counters = u32::from_le_bytes([hello[4], hello[5], hello[6], hello[7]]);
        Ok(executor)
    }

    /// Coverage counters in the executor (0 when it is not instrumented).
    pub(crate) fn counters(&self) -> u32 {
        self.counters
    }

    /// Runs one input. After a crash other than a panic the executor is
    /// gone and must be replaced.
    pub(crate) fn run(&mut self, input: &[u8]) -> Outcome {
        let due = self.started.elapsed() + self.backstop;
        self.deadline
            .store(due.as_millis() as u64, Ordering::Relaxed);
        let outcome = self.exchange(input);
        self.deadline.store(0, Ordering::Relaxed);
        match outcome {
            Some(outcome) => outcome,
            None => Outcome::Crashed(self.death()),
        }
    }

    fn exchange(&mut self, input: &[u8]) -> Option<Outcome> {
        let len = u32::try_from(input.len()).ok()?;
        self.stdin.write_all(&len.to_le_bytes()).ok()?;
        self.stdin.write_all(input).ok()?;
        self.stdin.flush().ok()?;
        let mut head = [0u8; 9];
        self.stdout.read_exact(&mut head).ok()?;
        let new = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
        let len = u32::from_le_bytes([head[5], head[6], head[7], head[8]]) as usize;
        let mut message = vec![0u8; len];
        self.stdout.read_exact(&mut message).ok()?;
        let message = String::from_utf8_lossy(&message).into_owned();
        Some(match head[0] {
            0 => Outcome::Passed { new },
            2 => Outcome::Tolerated { message, new },
            _ => Outcome::Crashed(Crash::Panic(message)),
        })
    }

    /// Waits for the dead executor and says how it died.
    fn death(&mut self) -> Crash {
        let status = self.child.wait();
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        let stderr = self.stderr.lock().map(|t| t.clone()).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_owned();
        if let Some(line) = stderr.lines().find(|l| l.contains("memory allocation of")) {
            return Crash::OutOfMemory(line.trim().to_owned());
        }
        if stderr.contains("has overflowed its stack") {
            return Crash::StackOverflow;
        }
        match status {
            Ok(status) if status.code() == Some(TIMEOUT_EXIT) => Crash::Timeout,
            Ok(status) => {
                use std::os::unix::process::ExitStatusExt;
                let how = match (status.code(), status.signal()) {
                    (_, Some(9)) => "killed (stuck past the backstop timeout)".to_owned(),
                    (_, Some(signal)) => format!("killed by signal {signal}"),
                    (Some(code), _) => format!("exited with status {code}"),
                    _ => "ended".to_owned(),
                };
                Crash::Died(if last.is_empty() {
                    how
                } else {
                    format!("{how}: {last}")
                })
            }
            Err(e) => Crash::Died(format!("could not be waited for: {e}")),
        }
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        self.deadline.store(u64::MAX, Ordering::Relaxed);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in executor: a shell script that speaks the start-up line
    /// and then does `then` (reading the 5 bytes of a 1-byte input first).
    fn script(name: &str, then: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir =
            std::env::temp_dir().join(format!("xtask-executor-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        let text =
            format!("#!/bin/sh\nprintf 'SFZ1\\000\\000\\000\\000'\nhead -c 5 >/dev/null\n{then}\n");
        std::fs::write(&path, text).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    const LIMITS: Limits = Limits {
        timeout_ms: 100,
        max_alloc_mb: 32,
        max_live_mb: 512,
    };

    fn outcome(name: &str, then: &str) -> Outcome {
        let path = script(name, then);
        let mut executor = Executor::start(&path, "t", LIMITS).expect("starts");
        let outcome = executor.run(b"x");
        drop(executor);
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        outcome
    }

    #[test]
    fn verdicts_are_read() {
        assert_eq!(
            outcome(
                "pass",
                r"printf '\000\003\000\000\000\000\000\000\000'; sleep 1"
            ),
            Outcome::Passed { new: 3 }
        );
        let panic = outcome(
            "panic",
            r"printf '\001\000\000\000\000\030\000\000\000panicked at a.rs:1:2: no'; sleep 1",
        );
        let Outcome::Crashed(crash) = panic else {
            panic!("{panic:?}")
        };
        assert_eq!(crash, Crash::Panic("panicked at a.rs:1:2: no".into()));
        assert_eq!(crash.signature(), "panicked at a.rs:1:2");
    }

    #[test]
    fn deaths_are_told_apart() {
        assert_eq!(outcome("hang", "exit 70"), Outcome::Crashed(Crash::Timeout));
        assert!(matches!(
            outcome(
                "oom",
                "echo 'memory allocation of 99 bytes failed' >&2; kill -ABRT $$"
            ),
            Outcome::Crashed(Crash::OutOfMemory(line)) if line.contains("99 bytes")
        ));
        assert_eq!(
            outcome(
                "stack",
                "echo \"thread 'main' has overflowed its stack\" >&2; kill -ABRT $$"
            ),
            Outcome::Crashed(Crash::StackOverflow)
        );
        assert!(matches!(
            outcome("other", "echo 'last words' >&2; exit 3"),
            Outcome::Crashed(Crash::Died(how)) if how.contains("status 3") && how.contains("last words")
        ));
    }

    #[test]
    fn an_executor_that_does_not_start_is_an_error() {
        let path = script("silent", "");
        std::fs::write(&path, "#!/bin/sh\necho broken >&2\nexit 1\n").expect("rewrite");
        let error = Executor::start(&path, "t", LIMITS).err().expect("fails");
        if let Some(dir) = path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
        assert!(error.to_string().contains("did not start"), "{error}");
    }
}
