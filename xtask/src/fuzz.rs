//! `cargo xtask fuzz`: fuzzes the SDK's hand-written parsers on stable
//! Rust.
//!
//! ```text
//! cargo xtask fuzz [--seconds N | --minutes N] [--target NAME]... [--jobs N]
//!                  [--seed N] [--coverage] [--timeout-ms N] [--max-alloc-mb N]
//! cargo xtask fuzz --replay FILE [--target NAME]
//! cargo xtask fuzz --list | --write-seeds
//! ```
//!
//! The targets live in the `scribe-fuzz` crate (`fuzz/`); its binary runs
//! one target in a loop over inputs sent on a pipe. This module is the
//! fuzzer around it: it replays each target's seed corpus
//! (`fuzz/corpus/<target>/`, plus any directories the target names), then
//! mutates corpus entries ([`mutate`]: bit flips, arithmetic, interesting
//! integers in binary and as text, inserts, deletes, copies, splices
//! between entries, dictionary tokens) until the target's share of the
//! time budget is spent. A panic, an input running past its time limit, an
//! allocation past the memory limit or any other death is a crash: the
//! input is shrunk when it is a panic, saved as
//! `fuzz/crashes/<target>/<sha256>` and printed with the command that
//! replays it. Any crash makes the command fail.
//!
//! With `--coverage` the binary is built with SanitizerCoverage counters
//! (stable rustc flags, in a target directory of its own) and inputs that
//! reach new code join the corpus for the rest of the run; without it the
//! fuzzer mutates the seeds blindly, which is what CI runs.
//!
//! The budget is wall time for the whole run, shared equally between the
//! targets; `--jobs N` runs N targets side by side, each for N times its
//! share.

mod campaign;
mod executor;
mod mutate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// The fuzz crate's package and binary name.
const PACKAGE: &str = "scribe-fuzz";

/// A target's settings, as `scribe-fuzz list` prints them.
#[derive(Debug, Clone)]
struct TargetInfo {
    name: String,
    about: String,
    max_len: usize,
    timeout_ms: u64,
    extra_seeds: Vec<String>,
    dictionary: Vec<Vec<u8>>,
}

#[derive(Debug)]
struct Options {
    budget: Duration,
    targets: Vec<String>,
    jobs: usize,
    seed: u64,
    coverage: bool,
    timeout_ms: Option<u64>,
    max_alloc_mb: u64,
    replay: Option<PathBuf>,
    list: bool,
    write_seeds: bool,
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        budget: Duration::from_secs(60),
        targets: Vec::new(),
        jobs: 1,
        seed: 0x5c81_be00,
        coverage: false,
        timeout_ms: None,
        max_alloc_mb: 32,
        replay: None,
        list: false,
        write_seeds: false,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        let number = |text: String, name: &str| -> Result<u64> {
            text.parse()
                .with_context(|| format!("{name} takes a whole number, not `{text}`"))
        };
        match arg.as_str() {
            "--seconds" => options.budget = Duration::from_secs(number(value(arg)?, arg)?),
            "--minutes" => options.budget = Duration::from_secs(60 * number(value(arg)?, arg)?),
            "--target" => options.targets.push(value(arg)?),
            "--jobs" => options.jobs = number(value(arg)?, arg)?.max(1) as usize,
            "--seed" => options.seed = number(value(arg)?, arg)?,
            "--timeout-ms" => options.timeout_ms = Some(number(value(arg)?, arg)?),
            "--max-alloc-mb" => options.max_alloc_mb = number(value(arg)?, arg)?,
            "--coverage" => options.coverage = true,
            "--replay" => options.replay = Some(PathBuf::from(value(arg)?)),
            "--list" => options.list = true,
            "--write-seeds" => options.write_seeds = true,
            other => bail!(
                "unknown option `{other}`; usage: cargo xtask fuzz [--seconds N | --minutes N] \
                 [--target NAME]... [--jobs N] [--seed N] [--coverage] [--timeout-ms N] \
                 [--max-alloc-mb N] | --replay FILE [--target NAME] | --list | --write-seeds"
            ),
        }
    }
    Ok(options)
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let options = parse_options(args)?;
    let root = crate::workspace_root();
    let binary = build(&root, options.coverage)?;
    let all = list_targets(&binary)?;
    if options.list {
        for t in &all {
            eprintln!("{:<12} {}", t.name, t.about);
        }
        return Ok(());
    }
    if options.write_seeds {
        let status = Command::new(&binary)
            .arg("seeds")
            .arg(root.join("fuzz/corpus"))
            .arg(root.join("examples/audio"))
            .status()
            .context("could not run scribe-fuzz seeds")?;
        if !status.success() {
            bail!("writing the seeds failed");
        }
        return Ok(());
    }
    if let Some(file) = &options.replay {
        return replay(&binary, &all, &options, file);
    }
    let selected: Vec<TargetInfo> = if options.targets.is_empty() {
        all.clone()
    } else {
        options
            .targets
            .iter()
            .map(|name| find(&all, name).cloned())
            .collect::<Result<_>>()?
    };
    campaign::campaign(&root, &binary, &selected, &options)
}

/// Builds the fuzz binary and returns its path.
///
/// The plain build uses the `dev` profile, whose dependencies are already
/// optimised (`opt-level = 2` in the workspace manifest, as are
/// scribe-audio and this crate) and which keeps overflow checks and debug
/// assertions on, so arithmetic overflow is caught as a crash; it also
/// shares artifacts with `cargo test`. The coverage build adds
/// SanitizerCoverage flags to every crate, so it gets a target directory
/// of its own, and an explicit `--target` keeps the flags off build
/// scripts and proc-macros.
fn build(root: &Path, coverage: bool) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let mut command = Command::new(&cargo);
    command
        .current_dir(root)
        .args(["build", "--quiet", "-p", PACKAGE, "--bin", PACKAGE]);
    let binary = if coverage {
        let host = host_triple()?;
        let dir = target_dir.join("fuzz-coverage");
        let flags = [
            "-Cpasses=sancov-module",
            "-Cllvm-args=-sanitizer-coverage-level=3",
            "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
            "-Cdebug-assertions",
            "-Coverflow-checks",
        ];
        command
            .args(["--target", &host])
            .env("CARGO_TARGET_DIR", &dir)
            .env("RUSTFLAGS", flags.join(" "));
        dir.join(host).join("debug").join(PACKAGE)
    } else {
        target_dir.join("debug").join(PACKAGE)
    };
    eprintln!(
        "fuzz: building {PACKAGE}{}",
        if coverage {
            " with coverage counters"
        } else {
            ""
        }
    );
    let status = command.status().context("could not start cargo build")?;
    if !status.success() {
        bail!("building {PACKAGE} failed");
    }
    Ok(binary)
}

fn host_triple() -> Result<String> {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("could not run rustc -vV")?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_owned)
        .context("rustc -vV names no host")
}

fn list_targets(binary: &Path) -> Result<Vec<TargetInfo>> {
    let output = Command::new(binary)
        .arg("list")
        .output()
        .with_context(|| format!("could not run {} list", binary.display()))?;
    if !output.status.success() {
        bail!("{} list failed", binary.display());
    }
    let list: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("scribe-fuzz list is not JSON")?;
    let items = list
        .as_array()
        .context("scribe-fuzz list is not an array")?;
    items
        .iter()
        .map(|t| parse_target(t).context("scribe-fuzz list: a target is missing a setting"))
        .collect()
}

fn parse_target(t: &serde_json::Value) -> Option<TargetInfo> {
    let text = |key: &str| t[key].as_str().map(str::to_owned);
    let bytes = |v: &serde_json::Value| -> Option<Vec<u8>> {
        v.as_array()?
            .iter()
            .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()))
            .collect()
    };
    Some(TargetInfo {
        name: text("name")?,
        about: text("about")?,
        max_len: usize::try_from(t["max_len"].as_u64()?).ok()?,
        timeout_ms: t["timeout_ms"].as_u64()?,
        extra_seeds: t["extra_seeds"]
            .as_array()?
            .iter()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect(),
        dictionary: t["dictionary"]
            .as_array()?
            .iter()
            .map(bytes)
            .collect::<Option<_>>()?,
    })
}

fn find<'a>(all: &'a [TargetInfo], name: &str) -> Result<&'a TargetInfo> {
    all.iter().find(|t| t.name == name).with_context(|| {
        let names: Vec<&str> = all.iter().map(|t| t.name.as_str()).collect();
        format!("no fuzz target `{name}`; targets: {}", names.join(", "))
    })
}

fn replay(binary: &Path, all: &[TargetInfo], options: &Options, file: &Path) -> Result<()> {
    // `fuzz/crashes/<target>/...` and `fuzz/corpus/<target>/...` name their
    // target; otherwise --target must.
    let inferred = file
        .parent()
        .and_then(|d| d.file_name())
        .and_then(|n| n.to_str())
        .filter(|n| all.iter().any(|t| t.name == *n));
    let name = match (options.targets.first(), inferred) {
        (Some(name), _) => name.as_str(),
        (None, Some(name)) => name,
        (None, None) => bail!("say which target reads {}: --target NAME", file.display()),
    };
    let target = find(all, name)?;
    let status = Command::new(binary)
        .args(["run", &target.name])
        .arg(file)
        .env("SCRIBE_FUZZ_MAX_ALLOC_MB", options.max_alloc_mb.to_string())
        .env(
            "RUST_BACKTRACE",
            std::env::var("RUST_BACKTRACE").unwrap_or_else(|_| "1".into()),
        )
        .status()
        .context("could not run scribe-fuzz")?;
    if !status.success() {
        let how = match status.code() {
            Some(70) => format!("hang (longer than {} ms)", target.timeout_ms),
            Some(code) => format!("exit status {code}"),
            None => "killed by a signal (see above: a runaway allocation aborts)".to_owned(),
        };
        bail!("{} crashes {}: {how}", file.display(), target.name);
    }
    eprintln!("{}: {} passes", target.name, file.display());
    Ok(())
}
