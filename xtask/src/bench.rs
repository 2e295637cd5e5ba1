//! `cargo xtask bench [all|audio|list|NAME] [options]`: the project's
//! benchmarks.
//!
//! * `audio`: generates long consultation-like recordings into a cache
//!   (`target/bench-audio/`), runs scribe-audio's release pipeline on them in
//!   separate processes, runs the Python reference pipeline on the same files
//!   in the same run when it is available, and prints a side-by-side table
//!   (also written to `target/bench-results/audio.md` and `.json`).
//! * `NAME` (e.g. `http`, `e2e`): any `[[bench]]` target of that name in a
//!   workspace crate, run as `cargo bench -p <crate> --bench NAME`.
//! * `all` (default): `audio`, then every other bench target found.
//! * `list`: the benchmarks available.

mod audio;
mod consult;

use std::process::Command;

use anyhow::{Context, Result, bail};

/// The scribe-audio bench target the audio benchmark drives; it is run by
/// `audio`, not listed as a separate benchmark.
pub(crate) const AUDIO_BENCH: (&str, &str) = ("scribe-audio", "pipeline");

pub(crate) fn run(args: &[String]) -> Result<()> {
    let (what, rest) = match args.first().map(String::as_str) {
        Some(first) if !first.starts_with('-') => (first, &args[1..]),
        _ => ("all", args),
    };
    match what {
        "audio" => audio::run(rest),
        "list" => {
            eprintln!("audio  (cargo xtask bench audio --help)");
            for (package, name) in bench_targets()? {
                eprintln!("{name}  (cargo bench -p {package} --bench {name})");
            }
            Ok(())
        }
        "all" => {
            audio::run(rest)?;
            for (package, name) in bench_targets()? {
                cargo_bench(&package, &name, &[])?;
            }
            Ok(())
        }
        name => {
            let targets = bench_targets()?;
            let Some((package, _)) = targets.iter().find(|(_, n)| n == name) else {
                let known: Vec<&str> = targets.iter().map(|(_, n)| n.as_str()).collect();
                bail!(
                    "no benchmark `{name}`; available: audio{}{}",
                    if known.is_empty() { "" } else { ", " },
                    known.join(", ")
                );
            };
            cargo_bench(package, name, rest)
        }
    }
}

/// Every `(package, bench name)` in the workspace other than the one the
/// audio benchmark drives.
fn bench_targets() -> Result<Vec<(String, String)>> {
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(crate::workspace_root())
        .output()
        .context("could not run `cargo metadata`")?;
    if !out.status.success() {
        bail!(
            "`cargo metadata` failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let mut found = Vec::new();
    for package in meta["packages"].as_array().into_iter().flatten() {
        let package_name = package["name"].as_str().unwrap_or_default();
        for target in package["targets"].as_array().into_iter().flatten() {
            let is_bench = target["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|k| k == "bench"));
            let name = target["name"].as_str().unwrap_or_default();
            if is_bench && (package_name, name) != AUDIO_BENCH {
                found.push((package_name.to_owned(), name.to_owned()));
            }
        }
    }
    found.sort();
    Ok(found)
}

fn cargo_bench(package: &str, name: &str, args: &[String]) -> Result<()> {
    eprintln!("== cargo bench -p {package} --bench {name}");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["bench", "-p", package, "--bench", name])
        .current_dir(crate::workspace_root());
    if !args.is_empty() {
        cmd.arg("--").args(args);
    }
    if !cmd.status()?.success() {
        bail!("benchmark `{name}` of {package} failed");
    }
    Ok(())
}
