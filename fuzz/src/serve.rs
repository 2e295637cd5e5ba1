//! The executor: runs one target over inputs, in-process and in a loop.
//!
//! Wire format on the pipes (all integers little-endian):
//!
//! * start-up, on stdout: `SFZ1`, then `u32` instrumented counters;
//! * each input, on stdin: `u32` length, then the bytes (end of input ends
//!   the loop);
//! * each verdict, on stdout: `u8` status (0 passed, 1 crashed, 2 a
//!   third-party panic the SDK caught, which the target tolerates), `u32`
//!   new coverage features, `u32` length and the panic message.
//!
//! A panic is caught and reported, and the loop goes on. An input that
//! runs past the target's time limit ends the process with
//! [`TIMEOUT_EXIT`]; one that allocates past the limit aborts it. xtask
//! tells these apart by the exit status and restarts the executor.

use std::io::{self, BufWriter, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scribe_fuzz::Target;

use crate::alloc_guard;
use crate::coverage::Features;

/// Exit status of a process ended by the watchdog.
pub(crate) const TIMEOUT_EXIT: u8 = 70;

/// The first panic of the current input: message, and whether it was
/// raised in this workspace's code (a relative source path) rather than a
/// dependency's or the standard library's.
static PANIC: Mutex<Option<(String, bool)>> = Mutex::new(None);

/// When the current input started, in milliseconds since [`epoch`] plus
/// one; 0 between inputs.
static STARTED: AtomicU64 = AtomicU64::new(0);

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    epoch().elapsed().as_millis() as u64 + 1
}

/// The targets and their settings, as JSON for xtask.
pub(crate) fn target_list() -> String {
    let targets: Vec<serde_json::Value> = scribe_fuzz::TARGETS
        .iter()
        .map(|t| {
            serde_json::json!({
                "name": t.name,
                "about": t.about,
                "max_len": t.max_len,
                "timeout_ms": t.timeout_ms,
                "extra_seeds": t.extra_seeds,
                "dictionary": t.dictionary.iter().map(|d| d.to_vec()).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::Value::Array(targets).to_string()
}

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location();
        let ours = location.is_some_and(|l| !std::path::Path::new(l.file()).is_absolute());
        let place = location.map_or_else(String::new, |l| {
            format!("{}:{}:{}", l.file(), l.line(), l.column())
        });
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(a non-text payload)");
        let mut slot = PANIC.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some((format!("panicked at {place}: {payload}"), ours));
        }
    }));
}

/// Ends the process when an input runs longer than `timeout`.
fn start_watchdog(timeout: Duration) {
    let limit = timeout.as_millis() as u64;
    let tick = (timeout / 4).clamp(Duration::from_millis(5), Duration::from_millis(100));
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(tick);
            let started = STARTED.load(Ordering::Relaxed);
            if started != 0 && now_ms().saturating_sub(started) > limit {
                eprintln!("scribe-fuzz: timeout: one input ran longer than {limit} ms");
                std::process::exit(i32::from(TIMEOUT_EXIT));
            }
        }
    });
}

/// The executor loop; see the module docs.
pub(crate) fn serve(target: &Target) -> ExitCode {
    alloc_guard::configure();
    install_panic_hook();
    epoch();
    let mut features = Features::new();
    features.reset();
    start_watchdog(Duration::from_millis(target.timeout_ms));
    let mut input = io::stdin().lock();
    let mut output = BufWriter::new(io::stdout().lock());
    let counters = u32::try_from(features.counters()).unwrap_or(u32::MAX);
    if write_all(&mut output, &[b"SFZ1", &counters.to_le_bytes()[..]]).is_err() {
        return ExitCode::FAILURE;
    }
    let mut data = Vec::new();
    loop {
        let mut len = [0u8; 4];
        if input.read_exact(&mut len).is_err() {
            return ExitCode::SUCCESS;
        }
        data.resize(u32::from_le_bytes(len) as usize, 0);
        if input.read_exact(&mut data).is_err() {
            return ExitCode::FAILURE;
        }
        *PANIC.lock().unwrap_or_else(|e| e.into_inner()) = None;
        STARTED.store(now_ms(), Ordering::Relaxed);
        let unwound = catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err();
        STARTED.store(0, Ordering::Relaxed);
        let new = features.collect();
        let panic = PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
        let (status, message) = match panic {
            None if !unwound => (0u8, String::new()),
            None => (1, "unwound without a panic message".to_owned()),
            Some((message, ours)) => {
                let tolerated = !unwound && !ours && target.tolerates_caught_foreign_panics;
                (if tolerated { 2 } else { 1 }, message)
            }
        };
        let message = message.as_bytes();
        let verdict = [
            &[status][..],
            &new.to_le_bytes(),
            &(message.len() as u32).to_le_bytes(),
            message,
        ];
        if write_all(&mut output, &verdict).is_err() {
            return ExitCode::FAILURE;
        }
    }
}

fn write_all(out: &mut impl Write, parts: &[&[u8]]) -> io::Result<()> {
    for part in parts {
        out.write_all(part)?;
    }
    out.flush()
}

/// Runs files through `target` as a plain program: a failing property
/// panics with the standard message (and backtrace, with
/// `RUST_BACKTRACE=1`); time and memory limits apply as when fuzzing.
pub(crate) fn run_files(target: &Target, files: &[&str]) -> ExitCode {
    alloc_guard::configure();
    epoch();
    start_watchdog(Duration::from_millis(target.timeout_ms));
    for file in files {
        let data = match std::fs::read(file) {
            Ok(data) => data,
            Err(e) => {
                eprintln!("cannot read {file}: {e}");
                return ExitCode::from(2);
            }
        };
        eprintln!("{}: {file} ({} bytes)", target.name, data.len());
        STARTED.store(now_ms(), Ordering::Relaxed);
        let began = Instant::now();
        (target.run)(&data);
        STARTED.store(0, Ordering::Relaxed);
        eprintln!("  passed in {:.1} ms", began.elapsed().as_secs_f64() * 1e3);
    }
    ExitCode::SUCCESS
}
