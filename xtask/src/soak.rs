//! `cargo xtask soak`: a long recording transcribed against a simulator that
//! injects every fault a correct client must survive, seed after seed.
//!
//! ```text
//! cargo xtask soak [--seeds N] [--seed-base S] [--minutes M] [--rate R]
//!                  [--timeout-minutes T] [--report FILE]
//! ```
//!
//! The recording is `examples/audio/consultation.wav` repeated with a
//! second of silence after each time, `M` minutes long (default 30),
//! written to a temporary directory. `scribe vad --out` cuts it into the
//! reference chunks once. Then, with the built `scribe` binary (dev
//! profile, whose dependencies are optimised):
//!
//! * one fault-free run, the wall-time baseline;
//! * for each of `N` seeds (default 10, from `S`, default 1): a fresh
//!   `scribe sim` with every survivable fault kind on every route (`any`)
//!   at rate `R` each (default 0.03) and `--fault-seed` set to the seed,
//!   and `scribe transcribe` of the recording against it.
//!
//! Every run must exit 0 with its one session completed, the chunks the
//! simulator stored must be byte-identical to `scribe vad`'s, stored once
//! each (no name twice, no audio under two names), and the `end` request's
//! `audio_files_sent` must equal the files stored. The table (stdout, and
//! markdown with `--report`) gives per seed the faults injected by kind
//! (from the simulator's request log), requests, retries, wall time and its
//! ratio to the fault-free run. Logs of each run (`scribe transcribe`'s
//! stdout and stderr, the simulator's stderr and request log) stay in
//! `target/soak/`; a failed run also prints the end of its stderr and the
//! requests around the failure. Any failure fails the command.

mod log;
mod recording;
mod run;
mod sim;
mod table;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};

use run::{Outcome, Reference, Spec};

/// A fault kind the soak injects: its flag (`KIND[:ARG]`), the label the
/// request log gives it, and its column header.
struct Kind {
    flag: &'static str,
    label: &'static str,
    header: &'static str,
}

/// Every fault kind of `scribe sim` a correct client must ride out.
const KINDS: [Kind; 10] = [
    Kind {
        flag: "500",
        label: "500",
        header: "500",
    },
    Kind {
        flag: "503",
        label: "503",
        header: "503",
    },
    // A short Retry-After, as a rate limiter under light load asks.
    Kind {
        flag: "429:1",
        label: "429",
        header: "429",
    },
    Kind {
        flag: "reset-before",
        label: "reset-before-body",
        header: "reset-before",
    },
    Kind {
        flag: "reset-after",
        label: "reset-after-body",
        header: "reset-after",
    },
    Kind {
        flag: "lost-answer",
        label: "lost-answer",
        header: "lost-answer",
    },
    Kind {
        flag: "slow:300",
        label: "slow:300ms",
        header: "slow",
    },
    // The client's idle timeout (10 s by default) ends each one: stalls
    // are most of a seed's extra wall time.
    Kind {
        flag: "stall",
        label: "stall-body",
        header: "stall",
    },
    Kind {
        flag: "gateway",
        label: "gateway-html",
        header: "gateway",
    },
    Kind {
        flag: "empty:502",
        label: "empty:502",
        header: "empty-502",
    },
];

/// Fault kinds of `scribe sim` left out, and why.
const EXCLUDED: [(&str, &str); 2] = [
    (
        "detail",
        "a 422 with a FastAPI validation body refuses the request; no correct client retries \
         a refused request",
    ),
    (
        "ws-drop",
        "drops a WebSocket stream; `scribe transcribe` uploads chunks over HTTP",
    ),
];

/// Simulator settings for every run, fault-free or not.
const SIM_SETTINGS: [&str; 6] = [
    "--processing-delay",
    "500ms",
    "--long-poll-hold",
    "2s",
    // Tokens renewed (at half their lifetime) every couple of seconds, so
    // the refresh route is exercised, and faulted, in every run.
    "--token-lifetime",
    "4s",
];

#[derive(Debug)]
struct Options {
    seeds: u64,
    seed_base: u64,
    minutes: u32,
    rate: f64,
    timeout: Duration,
    report: Option<PathBuf>,
}

const USAGE: &str = "usage: cargo xtask soak [--seeds N] [--seed-base S] [--minutes M] [--rate R] \
                     [--timeout-minutes T] [--report FILE]";

fn parse_options(args: &[String]) -> Result<Options> {
    let mut options = Options {
        seeds: 10,
        seed_base: 1,
        minutes: 30,
        rate: 0.03,
        timeout: Duration::from_secs(15 * 60),
        report: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .cloned()
                .with_context(|| format!("{arg} needs a value; {USAGE}"))
        };
        let number = |text: String| -> Result<u64> {
            text.parse()
                .with_context(|| format!("{arg} takes a whole number, not `{text}`"))
        };
        match arg.as_str() {
            "--seeds" => options.seeds = number(value()?)?,
            "--seed-base" => options.seed_base = number(value()?)?,
            "--minutes" => options.minutes = u32::try_from(number(value()?)?)?,
            "--rate" => {
                let text = value()?;
                options.rate = text
                    .parse()
                    .with_context(|| format!("--rate takes a fraction, not `{text}`"))?;
            }
            "--timeout-minutes" => {
                options.timeout = Duration::from_secs(60 * number(value()?)?);
            }
            "--report" => options.report = Some(PathBuf::from(value()?)),
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown option `{other}`; {USAGE}"),
        }
    }
    ensure!(options.seeds > 0, "--seeds must be at least 1");
    ensure!(options.minutes > 0, "--minutes must be at least 1");
    ensure!(
        options.rate > 0.0 && options.rate <= 1.0,
        "--rate must be a fraction above 0 and at most 1"
    );
    Ok(options)
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let options = parse_options(args)?;
    let started = Instant::now();
    let root = crate::workspace_root();
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let scribe = build(&root, &target_dir)?;
    eprintln!(
        "soak: scribe-cli built in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    check_kinds(&scribe)?;

    let scratch = std::env::temp_dir().join(format!("scribe-soak-{}", std::process::id()));
    let result = soak(&options, &root, &target_dir, &scribe, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!("soak: finished in {:.0} s", started.elapsed().as_secs_f64());
    result
}

fn soak(
    options: &Options,
    root: &Path,
    target_dir: &Path,
    scribe: &Path,
    scratch: &Path,
) -> Result<()> {
    std::fs::create_dir_all(scratch)?;
    let recording = scratch.join(format!("consultation-{}m.wav", options.minutes));
    recording::write(root, options.minutes, &recording)?;
    let reference_dir = scratch.join("reference");
    let status = run::scribe_command(scribe, scratch)
        .arg("vad")
        .arg(&recording)
        .arg("--out")
        .arg(&reference_dir)
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot run scribe vad")?;
    ensure!(status.success(), "scribe vad failed on the recording");
    let reference = Reference::read(&reference_dir)?;
    eprintln!(
        "soak: {} minutes of {} in {} chunks (scribe vad)",
        options.minutes,
        recording::CLIP,
        reference.len()
    );

    let logs = target_dir.join("soak");
    if logs.exists() {
        std::fs::remove_dir_all(&logs)
            .with_context(|| format!("cannot clear {}", logs.display()))?;
    }
    let spec = |dir: &str, faults: Vec<String>| Spec {
        scribe,
        recording: &recording,
        dir: logs.join(dir),
        sim_args: SIM_SETTINGS
            .iter()
            .map(|s| (*s).to_owned())
            .chain(faults)
            .collect(),
        deadline: options.timeout,
    };

    let baseline = run::execute(&spec("fault-free", Vec::new()), &reference)?;
    eprintln!(
        "soak: fault-free run {:.1} s, {}",
        baseline.wall.as_secs_f64(),
        verdict(&baseline)
    );
    let mut runs = Vec::new();
    for seed in (0..options.seeds).map(|i| options.seed_base + i) {
        let mut faults = vec!["--fault-seed".to_owned(), seed.to_string()];
        for kind in &KINDS {
            faults.push("--fault".to_owned());
            faults.push(format!("any={}@{}", kind.flag, options.rate));
        }
        let outcome = run::execute(&spec(&format!("seed-{seed}"), faults), &reference)?;
        eprintln!(
            "soak: seed {seed}: {:.1} s, {} faults, {}",
            outcome.wall.as_secs_f64(),
            outcome.log.iter().filter(|r| r.fault.is_some()).count(),
            verdict(&outcome)
        );
        runs.push((seed, outcome));
    }

    let failed =
        u64::from(!baseline.passed()) + runs.iter().filter(|(_, o)| !o.passed()).count() as u64;
    let summary = Summary {
        options,
        chunks: reference.len(),
        baseline: &baseline,
        runs: &runs,
    };
    print_stdout(&summary.text());
    if let Some(path) = &options.report {
        std::fs::write(path, summary.markdown())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("soak: report written to {}", path.display());
    }
    if failed > 0 {
        bail!(
            "{failed} of {} runs failed (logs in {})",
            options.seeds + 1,
            logs.display()
        );
    }
    Ok(())
}

fn verdict(outcome: &Outcome) -> String {
    if outcome.passed() {
        "ok".to_owned()
    } else {
        format!("FAILED: {}", outcome.failures.join("; "))
    }
}

#[allow(clippy::print_stdout)] // the table is what the command answers
fn print_stdout(text: &str) {
    print!("{text}");
}

/// Builds `scribe` (dev profile) and returns its path.
fn build(root: &Path, target_dir: &Path) -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    eprintln!("soak: building scribe-cli");
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["build", "--quiet", "-p", "scribe-cli", "--bin", "scribe"])
        .status()
        .context("could not start cargo build")?;
    ensure!(status.success(), "building scribe-cli failed");
    Ok(target_dir.join("debug").join("scribe"))
}

/// Every fault kind `scribe sim --help` lists is either injected or left
/// out on purpose, and every kind injected is one it lists.
fn check_kinds(scribe: &Path) -> Result<()> {
    let output = Command::new(scribe)
        .args(["sim", "--help"])
        .output()
        .context("cannot run scribe sim --help")?;
    let help = String::from_utf8_lossy(&output.stdout);
    let listed =
        listed_kinds(&help).context("scribe sim --help lists no fault kinds (`KIND: ...`)")?;
    let name = |flag: &'static str| flag.split(':').next().unwrap_or(flag);
    for kind in &KINDS {
        ensure!(
            listed.iter().any(|l| l == name(kind.flag)),
            "this scribe sim has no `{}` fault (it lists {})",
            name(kind.flag),
            listed.join(", ")
        );
    }
    for l in &listed {
        let known = KINDS.iter().any(|k| name(k.flag) == l) || EXCLUDED.iter().any(|(e, _)| e == l);
        ensure!(
            known,
            "scribe sim offers a fault kind `{l}` the soak does not know: add it to KINDS or \
             EXCLUDED in xtask/src/soak.rs"
        );
    }
    Ok(())
}

/// The kind names in the help's `KIND: 500, 503[:retry_after_s], ... .` list.
fn listed_kinds(help: &str) -> Option<Vec<String>> {
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let list = flat.split_once("KIND: ")?.1;
    let list = list.split_once(". ").map_or(list, |(l, _)| l);
    let names: Vec<String> = list
        .split(", ")
        .map(|k| k.split(['[', ':']).next().unwrap_or(k).trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// What the soak prints and reports.
struct Summary<'a> {
    options: &'a Options,
    chunks: usize,
    baseline: &'a Outcome,
    runs: &'a [(u64, Outcome)],
}

impl Summary<'_> {
    fn table(&self) -> table::Table {
        let base = self.baseline.wall.as_secs_f64();
        let row = |label: String, outcome: &Outcome, baseline: bool| {
            let by_label = log::faults_by_label(&outcome.log);
            table::Row {
                label,
                faults: KINDS
                    .iter()
                    .map(|k| by_label.get(k.label).copied().unwrap_or(0))
                    .collect(),
                requests: outcome.log.len() as u64,
                retries: log::retries(&outcome.log),
                wall: outcome.wall,
                ratio: (!baseline).then(|| outcome.wall.as_secs_f64() / base.max(1e-3)),
                passed: outcome.passed(),
            }
        };
        let mut rows = vec![row("fault-free".to_owned(), self.baseline, true)];
        rows.extend(
            self.runs
                .iter()
                .map(|(seed, outcome)| row(seed.to_string(), outcome, false)),
        );
        table::Table {
            kinds: KINDS.iter().map(|k| k.header).collect(),
            rows,
        }
    }

    fn settings(&self) -> Vec<String> {
        let o = self.options;
        let flags: Vec<String> = KINDS
            .iter()
            .map(|k| format!("--fault any={}@{}", k.flag, o.rate))
            .collect();
        let mut lines = vec![
            format!(
                "recording: {} repeated with 1 s pauses, {} minutes, {} chunks",
                recording::CLIP,
                o.minutes,
                self.chunks
            ),
            format!(
                "seeds {}..={}, each kind at {} on every route (any), scribe sim {} {}",
                o.seed_base,
                o.seed_base + o.seeds - 1,
                o.rate,
                SIM_SETTINGS.join(" "),
                flags.join(" ")
            ),
        ];
        for (kind, why) in EXCLUDED {
            lines.push(format!("not injected: {kind}: {why}"));
        }
        lines.push(format!("retries: {}", log::RETRIES_MEANING));
        lines.push(format!(
            "routes (requests / faulted, all seeds): {}",
            self.routes()
        ));
        lines
    }

    fn routes(&self) -> String {
        let mut total: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (_, outcome) in self.runs {
            for (route, (n, faulted)) in log::by_route(&outcome.log) {
                let entry = total.entry(route).or_default();
                entry.0 += n;
                entry.1 += faulted;
            }
        }
        total
            .iter()
            .map(|(route, (n, f))| format!("{route} {n}/{f}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn failures(&self) -> Vec<(String, &Outcome)> {
        std::iter::once(("fault-free run".to_owned(), self.baseline))
            .chain(self.runs.iter().map(|(s, o)| (format!("seed {s}"), o)))
            .filter(|(_, o)| !o.passed())
            .collect()
    }

    fn text(&self) -> String {
        let mut out = String::from("\nsoak\n");
        for line in self.settings() {
            out.push_str(&format!("  {line}\n"));
        }
        out.push('\n');
        out.push_str(&self.table().text());
        for (label, outcome) in self.failures() {
            out.push_str(&format!("\n{label} FAILED\n"));
            out.push_str(&failure_detail(outcome));
        }
        out
    }

    fn markdown(&self) -> String {
        let mut out = String::from("# Fault soak (`cargo xtask soak`)\n\n");
        for line in self.settings() {
            out.push_str(&format!("* {line}\n"));
        }
        out.push('\n');
        out.push_str(&self.table().markdown());
        for (label, outcome) in self.failures() {
            out.push_str(&format!("\n## {label} failed\n\n```text\n"));
            out.push_str(&failure_detail(outcome));
            out.push_str("```\n");
        }
        out
    }
}

/// What failed, the end of `scribe transcribe`'s stderr, and the requests
/// around the failure.
fn failure_detail(outcome: &Outcome) -> String {
    let mut out = String::new();
    for failure in &outcome.failures {
        out.push_str(&format!("  - {failure}\n"));
    }
    out.push_str(&format!(
        "  exit: {}; logs: {}\n",
        outcome
            .exit
            .map_or("none (killed)".to_owned(), |c| c.to_string()),
        outcome.dir.display()
    ));
    let stderr = std::fs::read_to_string(outcome.stderr_path()).unwrap_or_default();
    let lines: Vec<&str> = stderr.lines().collect();
    out.push_str("  scribe transcribe stderr (last 40 lines):\n");
    for line in &lines[lines.len().saturating_sub(40)..] {
        out.push_str(&format!("    {line}\n"));
    }
    for name in &outcome.suspect_chunks {
        let suffix = format!("/audio/{name}");
        out.push_str(&format!("  requests for {name}:\n"));
        for r in outcome.log.iter().filter(|r| r.path.ends_with(&suffix)) {
            out.push_str(&format!("    {}\n", r.line()));
        }
    }
    out.push_str("  the last 30 requests:\n");
    for r in &outcome.log[outcome.log.len().saturating_sub(30)..] {
        out.push_str(&format!("    {}\n", r.line()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_from_the_help_even_when_wrapped() {
        let help = "  --fault <FAULTS>\n          Fault rule ROUTE=KIND[:ARG][@FRACTION][#LIMIT], \
                    repeatable. ROUTE: any, login. KIND: 500, 503[:retry_after_s],\n          \
                    429[:retry_after_s], reset-before, slow:<ms>, stall, empty:<status>, \
                    ws-drop:<frames>. Example: --fault upload=503:1@0.2\n";
        assert_eq!(
            listed_kinds(help),
            Some(
                [
                    "500",
                    "503",
                    "429",
                    "reset-before",
                    "slow",
                    "stall",
                    "empty",
                    "ws-drop"
                ]
                .map(str::to_owned)
                .to_vec()
            )
        );
        assert_eq!(listed_kinds("no list here"), None);
    }

    #[test]
    fn options_default_to_the_issue_s_soak() {
        let o = parse_options(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.seeds, o.seed_base, o.minutes), (10, 1, 30));
        assert!((o.rate - 0.03).abs() < 1e-12);
        let args = [
            "--seeds",
            "3",
            "--minutes",
            "5",
            "--rate",
            "0.1",
            "--seed-base",
            "40",
        ]
        .map(str::to_owned);
        let o = parse_options(&args).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.seeds, o.seed_base, o.minutes), (3, 40, 5));
        assert!(parse_options(&["--rate".to_owned(), "2".to_owned()]).is_err());
        assert!(parse_options(&["--bogus".to_owned()]).is_err());
    }
}
