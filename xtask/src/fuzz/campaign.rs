//! One fuzzing run: every selected target fuzzed for its share of the
//! time, crashes shrunk and saved, and the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use super::executor::{Crash, Executor, Limits, Outcome};
use super::mutate::{self, Mutator};
use super::{Options, TargetInfo};

/// Distinct crashes kept per target and run.
const MAX_CRASHES: usize = 8;
/// Attempts spent shrinking one crashing input.
const SHRINK_ATTEMPTS: usize = 400;

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
    /// Third-party panics the SDK caught, by place: (count, first message).
    tolerated: BTreeMap<String, (u64, String)>,
    /// Distinct crashes: signature -> (description, saved file).
    crashes: BTreeMap<String, (String, PathBuf)>,
    elapsed: Duration,
}

pub(super) fn campaign(
    root: &Path,
    binary: &Path,
    targets: &[TargetInfo],
    options: &Options,
) -> Result<()> {
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
            let place = Crash::Panic(message.clone()).signature();
            report.tolerated.entry(place).or_insert((0, message)).0 += 1;
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
        for (count, message) in r.tolerated.values() {
            eprintln!(
                "\n{name}: {count} third-party panic(s) caught by the SDK's decoder guard (tolerated): {message}"
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
