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

mod executor;
mod mutate;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use executor::{Crash, Executor, Limits, Outcome};
use mutate::Mutator;

/// The fuzz crate's package and binary name.
const PACKAGE: &str = "scribe-fuzz";
/// Distinct crashes kept per target and run.
const MAX_CRASHES: usize = 8;
/// Attempts spent shrinking one crashing input.
const SHRINK_ATTEMPTS: usize = 400;

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
    campaign(&root, &binary, &selected, &options)
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

/// Every seed of `target`: its corpus directory and extra directories,
/// read recursively, in a stable order.
fn seeds(root: &Path, target: &TargetInfo) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut dirs = vec![root.join("fuzz/corpus").join(&target.name)];
    dirs.extend(target.extra_seeds.iter().map(|d| root.join(d)));
    let mut files = Vec::new();
    for dir in &dirs {
        collect_files(dir, &mut files)
            .with_context(|| format!("reading seeds in {}", dir.display()))?;
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let data =
                std::fs::read(&path).with_context(|| format!("reading seed {}", path.display()))?;
            Ok((path, data))
        })
        .collect()
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('.'))
        {
            out.push(path);
        }
    }
    Ok(())
}

/// What one target's run found.
#[derive(Debug, Default)]
struct Report {
    inputs: u64,
    seeds: usize,
    found: usize,
    features: u64,
    counters: u32,
    restarts: u32,
    tolerated: u64,
    tolerated_first: Option<String>,
    /// Distinct crashes: signature -> (description, saved file).
    crashes: BTreeMap<String, (String, PathBuf)>,
    elapsed: Duration,
}

fn campaign(root: &Path, binary: &Path, targets: &[TargetInfo], options: &Options) -> Result<()> {
    let jobs = options.jobs.min(targets.len()).max(1);
    let share = options
        .budget
        .mul_f64(jobs as f64 / targets.len().max(1) as f64);
    eprintln!(
        "fuzz: {} target(s), {:.0} s each, {jobs} at a time, seed {}{}",
        targets.len(),
        share.as_secs_f64(),
        options.seed,
        if options.coverage {
            ", coverage-guided"
        } else {
            ", seeds mutated blindly (no coverage)"
        }
    );
    let mut reports: Vec<(String, Result<Report>)> = Vec::new();
    for group in targets.chunks(jobs) {
        let results: Vec<(String, Result<Report>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = group
                .iter()
                .map(|target| {
                    scope.spawn(move || {
                        let seed = options.seed ^ fnv(target.name.as_bytes());
                        (
                            target.name.clone(),
                            fuzz_target(root, binary, target, share, seed, options),
                        )
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        (
                            "?".to_owned(),
                            Err(anyhow::anyhow!("a fuzzing thread panicked")),
                        )
                    })
                })
                .collect()
        });
        reports.extend(results);
    }
    print_reports(&reports);
    let crashed: usize = reports
        .iter()
        .map(|(_, r)| r.as_ref().map_or(1, |r| r.crashes.len()))
        .sum();
    if crashed > 0 {
        bail!("{crashed} crash(es) found; replay them with the commands above");
    }
    Ok(())
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn fuzz_target(
    root: &Path,
    binary: &Path,
    target: &TargetInfo,
    budget: Duration,
    seed: u64,
    options: &Options,
) -> Result<Report> {
    let started = Instant::now();
    let limits = Limits {
        timeout_ms: options.timeout_ms.unwrap_or(target.timeout_ms),
        max_alloc_mb: options.max_alloc_mb,
        max_live_mb: 512,
    };
    let seeds = seeds(root, target)?;
    let mut corpus: Vec<Vec<u8>> = seeds.iter().map(|(_, d)| d.clone()).collect();
    if corpus.is_empty() {
        corpus.push(Vec::new());
    }
    let mut dictionary = target.dictionary.clone();
    dictionary.extend(mutate::tokens_from(&corpus, 200));
    let mut mutator = Mutator::new(seed, dictionary, target.max_len);
    let mut report = Report {
        seeds: seeds.len(),
        ..Report::default()
    };
    let mut executor = Executor::start(binary, &target.name, limits)?;
    report.counters = executor.counters();

    // Every seed first: a seed that crashes is a regression.
    for input in corpus.clone() {
        let outcome = executor.run(&input);
        report.inputs += 1;
        if let Some(replacement) =
            record(root, binary, target, limits, &input, outcome, &mut report)?
        {
            executor = replacement;
        }
    }
    let deadline = started + budget;
    while Instant::now() < deadline && report.crashes.len() < MAX_CRASHES {
        let base = mutator.rng().below(corpus.len());
        let input = mutator.mutate(&corpus[base], &corpus);
        let outcome = executor.run(&input);
        report.inputs += 1;
        if let Outcome::Passed { new } | Outcome::Tolerated { new, .. } = &outcome {
            if *new > 0 {
                report.features += u64::from(*new);
                report.found += 1;
                corpus.push(input.clone());
            }
        }
        if let Some(replacement) =
            record(root, binary, target, limits, &input, outcome, &mut report)?
        {
            executor = replacement;
            // Coverage seen by the old process is forgotten; show the new
            // one the corpus again so only new code counts as new.
            if report.counters > 0 {
                for input in &corpus {
                    if let Outcome::Crashed(crash) = executor.run(input) {
                        if !matches!(crash, Crash::Panic(_)) {
                            executor = Executor::start(binary, &target.name, limits)?;
                        }
                    }
                }
            }
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

/// Books one outcome; after a crash that ended the executor, returns a
/// fresh one.
fn record(
    root: &Path,
    binary: &Path,
    target: &TargetInfo,
    limits: Limits,
    input: &[u8],
    outcome: Outcome,
    report: &mut Report,
) -> Result<Option<Executor>> {
    let crash = match outcome {
        Outcome::Passed { .. } => return Ok(None),
        Outcome::Tolerated { message, .. } => {
            report.tolerated += 1;
            report.tolerated_first.get_or_insert(message);
            return Ok(None);
        }
        Outcome::Crashed(crash) => crash,
    };
    let fresh = match crash {
        Crash::Panic(_) => None,
        _ => {
            report.restarts += 1;
            Some(Executor::start(binary, &target.name, limits)?)
        }
    };
    let signature = crash.signature();
    if report.crashes.contains_key(&signature) {
        return Ok(fresh);
    }
    let mut smallest = input.to_vec();
    if let Crash::Panic(_) = crash {
        let mut shrinker = Executor::start(binary, &target.name, limits)?;
        smallest = shrink(&mut shrinker, input, &signature);
    }
    let path = save_crash(root, &target.name, &smallest)?;
    report
        .crashes
        .insert(signature, (crash.describe(limits.timeout_ms), path));
    Ok(fresh)
}

/// The smallest input found, by deleting ever smaller pieces, that still
/// panics at the same place.
fn shrink(executor: &mut Executor, input: &[u8], signature: &str) -> Vec<u8> {
    let mut best = input.to_vec();
    let mut attempts = 0;
    let mut piece = best.len() / 2;
    while piece > 0 && attempts < SHRINK_ATTEMPTS {
        let mut at = 0;
        let mut shrunk = false;
        while at < best.len() && attempts < SHRINK_ATTEMPTS {
            let end = (at + piece).min(best.len());
            let mut candidate = best[..at].to_vec();
            candidate.extend_from_slice(&best[end..]);
            attempts += 1;
            match executor.run(&candidate) {
                Outcome::Crashed(c) if c.signature() == signature => {
                    best = candidate;
                    shrunk = true;
                }
                Outcome::Crashed(Crash::Panic(_))
                | Outcome::Passed { .. }
                | Outcome::Tolerated { .. } => {
                    at += piece;
                }
                // The executor died of something else: stop here.
                Outcome::Crashed(_) => return best,
            }
        }
        if !shrunk {
            piece /= 2;
        }
    }
    best
}

fn save_crash(root: &Path, target: &str, input: &[u8]) -> Result<PathBuf> {
    let dir = root.join("fuzz/crashes").join(target);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = hex::encode(&Sha256::digest(input)[..16]);
    let path = dir.join(name);
    std::fs::write(&path, input).with_context(|| format!("writing {}", path.display()))?;
    Ok(path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or(path))
}

fn print_reports(reports: &[(String, Result<Report>)]) {
    eprintln!();
    eprintln!(
        "{:<12} {:>10} {:>9} {:>7} {:>8} {:>9} {:>8}",
        "target", "inputs", "inputs/s", "seeds", "new", "features", "crashes"
    );
    for (name, report) in reports {
        match report {
            Ok(r) => eprintln!(
                "{:<12} {:>10} {:>9.0} {:>7} {:>8} {:>9} {:>8}",
                name,
                r.inputs,
                r.inputs as f64 / r.elapsed.as_secs_f64().max(1e-9),
                r.seeds,
                r.found,
                if r.counters > 0 {
                    r.features.to_string()
                } else {
                    "-".to_owned()
                },
                r.crashes.len()
            ),
            Err(e) => eprintln!("{name:<12} failed to run: {e:#}"),
        }
    }
    if let Some(counters) = reports
        .iter()
        .filter_map(|(_, r)| r.as_ref().ok())
        .map(|r| r.counters)
        .find(|c| *c > 0)
    {
        eprintln!(
            "(coverage: {counters} edge counters instrumented; `new` inputs joined the corpus)"
        );
    }
    for (name, report) in reports {
        let Ok(r) = report else { continue };
        if r.tolerated > 0 {
            eprintln!(
                "\n{name}: {} third-party panic(s) caught by the SDK's decoder guard (tolerated), first: {}",
                r.tolerated,
                r.tolerated_first.as_deref().unwrap_or("?")
            );
        }
        for (description, path) in r.crashes.values() {
            eprintln!("\nCRASH in {name}: {description}");
            eprintln!("  input: {}", path.display());
            eprintln!(
                "  replay: cargo xtask fuzz --replay {} --target {name}",
                path.display()
            );
        }
    }
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
