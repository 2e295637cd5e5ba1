//! `cargo xtask bench audio`: scribe-audio against the Python reference
//! pipeline on the same long recordings, in the same run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::consult;

const USAGE: &str = "usage: cargo xtask bench audio [--lengths 60,120] [--formats mp3] \
[--repeats 3] [--modes default,sequential,sections] [--python PATH] [--baseline PATH] \
[--python-lengths 60] [--python-repeats 1] [--no-python] [--cache DIR] [--seed N] \
[--generate-only]";

struct Options {
    lengths: Vec<u32>,
    formats: Vec<String>,
    repeats: usize,
    modes: Vec<String>,
    python: Option<PathBuf>,
    baseline: PathBuf,
    python_lengths: Vec<u32>,
    python_repeats: usize,
    no_python: bool,
    generate_only: bool,
    cache: PathBuf,
    seed: u64,
}

fn list<T: std::str::FromStr>(s: &str) -> Result<Vec<T>> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(|x| {
            x.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("bad value `{x}`"))
        })
        .collect()
}

fn parse(args: &[String]) -> Result<Options> {
    let root = crate::workspace_root();
    let mut o = Options {
        lengths: vec![60, 120],
        formats: vec!["mp3".into()],
        repeats: 3,
        modes: vec!["default".into(), "sequential".into(), "sections".into()],
        python: std::env::var_os("SCRIBE_BENCH_PYTHON").map(PathBuf::from),
        baseline: std::env::var_os("SCRIBE_BENCH_BASELINE")
            .map_or_else(|| root.join("../shared/bench/baseline.py"), PathBuf::from),
        python_lengths: vec![60],
        python_repeats: 1,
        no_python: false,
        generate_only: false,
        cache: root.join("target/bench-audio"),
        seed: 20_261_125,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--lengths" => o.lengths = list(value()?)?,
            "--formats" => o.formats = list(value()?)?,
            "--repeats" => o.repeats = value()?.parse()?,
            "--modes" => o.modes = list(value()?)?,
            "--python" => o.python = Some(value()?.into()),
            "--baseline" => o.baseline = value()?.into(),
            "--python-lengths" => o.python_lengths = list(value()?)?,
            "--python-repeats" => o.python_repeats = value()?.parse()?,
            "--no-python" => o.no_python = true,
            "--generate-only" => o.generate_only = true,
            "--cache" => o.cache = value()?.into(),
            "--seed" => o.seed = value()?.parse()?,
            "-h" | "--help" => bail!("{USAGE}"),
            other => bail!("unknown option `{other}`\n{USAGE}"),
        }
    }
    for f in &o.formats {
        if consult::encoder(f).is_none() {
            bail!("unknown format `{f}`: use mp3, m4a, webm, ogg, flac or wav");
        }
    }
    Ok(o)
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    crate::fixtures::synth::require_tools()?;
    for &minutes in &o.lengths {
        ensure_audio(&o, minutes)?;
    }
    if o.generate_only {
        return Ok(());
    }
    let exe = build_rust_bench()?;
    let machine = machine_state();
    eprintln!("machine: {machine}");

    let mut rust = Vec::new();
    for &minutes in &o.lengths {
        let truth = read_truth(&truth_path(&o.cache, minutes))?;
        for format in &o.formats {
            let file = audio_path(&o.cache, minutes, format);
            for mode in &o.modes {
                let mut runs = Vec::new();
                for r in 0..o.repeats {
                    let run = rust_run(&exe, &file, mode)?;
                    eprintln!(
                        "rust {} {mode} #{r}: all chunks {:.2} s, first {:.3} s, peak {:.0} MiB, {} chunks",
                        file.display(),
                        run.pipeline_s,
                        run.first_chunk_s,
                        run.hwm_mib,
                        run.chunks
                    );
                    runs.push(run);
                }
                rust.push(RustRow::new(minutes, format, mode, runs, &truth));
            }
        }
    }

    let python = if o.no_python {
        PythonStatus::Skipped("--no-python".into())
    } else {
        run_python(&o)
    };
    let machine = format!("at start: {machine}; at end: {}", machine_state());
    let report = table(&o, &rust, &python, &machine);
    let out = crate::workspace_root().join("target/bench-results");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("audio.md"), &report)?;
    std::fs::write(
        out.join("audio.json"),
        serde_json::to_string_pretty(&serde_json::json!({
            "machine": machine,
            "rust": rust.iter().map(RustRow::json).collect::<Vec<_>>(),
            "python": match &python { PythonStatus::Ran(rows, _) => Value::Array(rows.clone()), PythonStatus::Skipped(why) => Value::String(why.clone()) },
        }))?,
    )?;
    // The report is this command's output.
    #[allow(clippy::print_stdout)]
    {
        println!("{report}");
    }
    Ok(())
}

fn audio_path(cache: &Path, minutes: u32, format: &str) -> PathBuf {
    cache.join(format!("consult_{minutes:02}m.{format}"))
}

fn truth_path(cache: &Path, minutes: u32) -> PathBuf {
    cache.join(format!("consult_{minutes:02}m.truth.json"))
}

/// Generates the recordings of one length unless the cache already has them
/// from this generator version.
fn ensure_audio(o: &Options, minutes: u32) -> Result<()> {
    let truth = truth_path(&o.cache, minutes);
    let current = std::fs::read(&truth)
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|v| {
            v["generator_version"] == consult::GENERATOR_VERSION && v["seed"] == o.seed
        });
    let missing: Vec<String> = o
        .formats
        .iter()
        .filter(|f| !current || !audio_path(&o.cache, minutes, f).exists())
        .cloned()
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!(
        "generating {minutes} min consultation ({}) into {}",
        missing.join(", "),
        o.cache.display()
    );
    let started = Instant::now();
    consult::generate(&o.cache, minutes, &missing, o.seed)?;
    eprintln!("generated in {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Builds the scribe-audio bench binary (release profile) and returns its path.
fn build_rust_bench() -> Result<PathBuf> {
    let (package, name) = super::AUDIO_BENCH;
    let out = Command::new(env!("CARGO"))
        .args(["bench", "-p", package, "--bench", name, "--no-run"])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(crate::workspace_root())
        .stderr(Stdio::inherit())
        .output()
        .context("could not run cargo bench --no-run")?;
    if !out.status.success() {
        bail!("building the {package} `{name}` bench failed");
    }
    for line in out.stdout.split(|b| *b == b'\n') {
        let Ok(msg) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        if msg["reason"] == "compiler-artifact" && msg["target"]["name"] == name {
            if let Some(exe) = msg["executable"].as_str() {
                return Ok(PathBuf::from(exe));
            }
        }
    }
    bail!("cargo did not report the `{name}` bench executable")
}

/// One run of the Rust pipeline, in its own process.
struct RustRun {
    pipeline_s: f64,
    first_chunk_s: f64,
    process_s: f64,
    hwm_mib: f64,
    cpu_s: f64,
    chunks: usize,
    max_chunk_s: f64,
    max_seconds: f64,
    chunk_audio_s: f64,
    speech: Vec<(f64, f64)>,
}

fn rust_run(exe: &Path, file: &Path, mode: &str) -> Result<RustRun> {
    let started = Instant::now();
    let out = Command::new(exe)
        .arg(file)
        .args(["--mode", mode, "--json"])
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start {}", exe.display()))?;
    let process_s = started.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!("the Rust pipeline failed on {}", file.display());
    }
    let v: Value = serde_json::from_slice(&out.stdout).context("bench output is not JSON")?;
    let num = |k: &str| {
        v[k].as_f64()
            .with_context(|| format!("bench output lacks `{k}`"))
    };
    let speech = v["speech"]
        .as_array()
        .context("bench output lacks `speech`")?
        .iter()
        .filter_map(|r| Some((r[0].as_f64()?, r[1].as_f64()?)))
        .collect();
    Ok(RustRun {
        pipeline_s: num("all_chunks_s")?,
        first_chunk_s: num("first_chunk_s")?,
        process_s,
        hwm_mib: num("peak_rss_mib")?,
        cpu_s: num("cpu_s")?,
        chunks: num("chunks")? as usize,
        max_chunk_s: num("max_chunk_s")?,
        max_seconds: num("max_seconds")?,
        chunk_audio_s: num("chunk_audio_s")?,
        speech,
    })
}

struct RustRow {
    minutes: u32,
    format: String,
    mode: String,
    runs: Vec<RustRun>,
    recall: f64,
    truth_speech_s: f64,
}

impl RustRow {
    fn new(
        minutes: u32,
        format: &str,
        mode: &str,
        runs: Vec<RustRun>,
        truth: &[(f64, f64)],
    ) -> Self {
        let recall = runs.first().map_or(0.0, |r| recall(&r.speech, truth));
        Self {
            minutes,
            format: format.to_owned(),
            mode: mode.to_owned(),
            runs,
            recall,
            truth_speech_s: truth.iter().map(|(a, b)| b - a).sum(),
        }
    }

    fn median(&self, f: impl Fn(&RustRun) -> f64) -> f64 {
        let mut v: Vec<f64> = self.runs.iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    }

    fn json(&self) -> Value {
        serde_json::json!({
            "minutes": self.minutes, "format": self.format, "mode": self.mode,
            "pipeline_s": self.runs.iter().map(|r| r.pipeline_s).collect::<Vec<_>>(),
            "process_s": self.runs.iter().map(|r| r.process_s).collect::<Vec<_>>(),
            "first_chunk_s": self.runs.iter().map(|r| r.first_chunk_s).collect::<Vec<_>>(),
            "peak_rss_mib": self.runs.iter().map(|r| r.hwm_mib).collect::<Vec<_>>(),
            "cpu_s": self.runs.iter().map(|r| r.cpu_s).collect::<Vec<_>>(),
            "chunks": self.runs.first().map(|r| r.chunks),
            "max_chunk_s": self.runs.first().map(|r| r.max_chunk_s),
            "chunk_audio_s": self.runs.first().map(|r| r.chunk_audio_s),
            "recall_vs_truth": self.recall,
        })
    }
}

fn read_truth(path: &Path) -> Result<Vec<(f64, f64)>> {
    let v: Value = serde_json::from_slice(&std::fs::read(path)?)?;
    Ok(v["speech"]
        .as_array()
        .context("truth file lacks `speech`")?
        .iter()
        .filter_map(|s| Some((s["start"].as_f64()?, s["end"].as_f64()?)))
        .collect())
}

fn union(mut v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ if b > a => out.push((a, b)),
            _ => {}
        }
    }
    out
}

/// Fraction of the truth's speech time covered by `sent`.
fn recall(sent: &[(f64, f64)], truth: &[(f64, f64)]) -> f64 {
    let (s, t) = (union(sent.to_vec()), union(truth.to_vec()));
    let total: f64 = t.iter().map(|(a, b)| b - a).sum();
    let (mut i, mut j, mut covered) = (0, 0, 0.0);
    while i < s.len() && j < t.len() {
        let (a, b) = (s[i].0.max(t[j].0), s[i].1.min(t[j].1));
        if b > a {
            covered += b - a;
        }
        if s[i].1 < t[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    if total > 0.0 { covered / total } else { 1.0 }
}

enum PythonStatus {
    /// baseline.py's summary rows, and the speech the reference sends per
    /// `(minutes, format)`.
    Ran(Vec<Value>, Vec<ReferenceSpeech>),
    Skipped(String),
}

/// The helper that dumps the reference's speech runs for one file.
const REFERENCE_SPEECH_PY: &str = include_str!("reference_speech.py");

/// Runs the reference `baseline.py --modes exact` on the same files.
fn run_python(o: &Options) -> PythonStatus {
    match try_python(o) {
        Ok((rows, speech)) => PythonStatus::Ran(rows, speech),
        Err(e) => {
            eprintln!("Python reference not run: {e:#}");
            PythonStatus::Skipped(format!("{e:#}"))
        }
    }
}

/// `((minutes, format), speech runs in seconds)`.
type ReferenceSpeech = ((u32, String), Vec<(f64, f64)>);
type PythonResults = (Vec<Value>, Vec<ReferenceSpeech>);

fn try_python(o: &Options) -> Result<PythonResults> {
    let baseline = o.baseline.canonicalize().with_context(|| {
        format!(
            "reference script {} not found (--baseline)",
            o.baseline.display()
        )
    })?;
    let python = o.python.clone().unwrap_or_else(|| PathBuf::from("python3"));
    let probe = Command::new(&python)
        .args(["-c", "import av, silero_vad, onnxruntime, numpy"])
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("{} did not start (--python)", python.display()))?;
    if !probe.success() {
        bail!(
            "{} lacks av/silero-vad/onnxruntime/numpy (pip install av silero-vad onnxruntime numpy; pass --python)",
            python.display()
        );
    }
    let lengths: Vec<String> = o
        .python_lengths
        .iter()
        .filter(|m| o.lengths.contains(m))
        .map(|m| format!("{m:02}m"))
        .collect();
    if lengths.is_empty() {
        bail!("no --python-lengths among --lengths");
    }
    let out = crate::workspace_root().join("target/bench-results/python");
    std::fs::create_dir_all(&out)?;
    let dir = baseline.parent().context("baseline.py has no folder")?;
    let status = Command::new(&python)
        .arg(&baseline)
        .arg(&o.cache)
        .arg("--out")
        .arg(&out)
        .args(["--repeats", &o.python_repeats.to_string()])
        .args(["--lengths", &lengths.join(",")])
        .args(["--formats", &o.formats.join(",")])
        .args(["--modes", "exact", "--no-verify", "--python"])
        .arg(&python)
        .current_dir(dir)
        .stdout(Stdio::null())
        .status()?;
    if !status.success() {
        bail!("baseline.py failed");
    }
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json"))?)?;
    let mut rows = summary["rows"].as_array().cloned().unwrap_or_default();
    add_python_cpu(&mut rows, &out.join("runs.jsonl"))?;

    let script = out.join("reference_speech.py");
    std::fs::write(&script, REFERENCE_SPEECH_PY)?;
    let mut speech = Vec::new();
    for &minutes in o.python_lengths.iter().filter(|m| o.lengths.contains(m)) {
        for format in &o.formats {
            let file = audio_path(&o.cache, minutes, format);
            let dump = out.join(format!("consult_{minutes:02}m.{format}.speech.json"));
            let status = Command::new(&python)
                .arg(&script)
                .arg(&file)
                .arg(&dump)
                .status()?;
            if !status.success() {
                bail!("reference_speech.py failed on {}", file.display());
            }
            let runs: Vec<(f64, f64)> = serde_json::from_slice(&std::fs::read(&dump)?)?;
            speech.push(((minutes, format.clone()), runs));
        }
    }
    Ok((rows, speech))
}

/// Adds each row's median process CPU time (user + system, from the
/// per-run log) as `cpu_process_s`.
fn add_python_cpu(rows: &mut [Value], runs: &Path) -> Result<()> {
    let text = std::fs::read_to_string(runs)?;
    let runs: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    for row in rows.iter_mut() {
        let mut cpu: Vec<f64> = runs
            .iter()
            .filter(|r| {
                r["length"] == row["length"]
                    && r["format"] == row["format"]
                    && r["mode"] == row["mode"]
            })
            .filter_map(|r| Some(r["child_utime_s"].as_f64()? + r["child_stime_s"].as_f64()?))
            .collect();
        cpu.sort_by(f64::total_cmp);
        if let Some(m) = cpu.get(cpu.len() / 2) {
            row["cpu_process_s"] = serde_json::json!({ "median": m });
        }
    }
    Ok(())
}

fn python_speech<'a>(
    python: &'a PythonStatus,
    minutes: u32,
    format: &str,
) -> Option<&'a [(f64, f64)]> {
    let PythonStatus::Ran(_, speech) = python else {
        return None;
    };
    speech
        .iter()
        .find(|((m, f), _)| *m == minutes && f == format)
        .map(|(_, s)| s.as_slice())
}

fn median(v: &Value) -> Option<f64> {
    v["median"].as_f64()
}

fn python_row<'a>(python: &'a PythonStatus, minutes: u32, format: &str) -> Option<&'a Value> {
    let PythonStatus::Ran(rows, _) = python else {
        return None;
    };
    let length = format!("{minutes:02}m");
    rows.iter().find(|r| {
        r["length"] == length.as_str() && r["format"] == format && r.get("error").is_none()
    })
}

fn fmt(x: Option<f64>, digits: usize) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.digits$}"))
}

fn table(o: &Options, rust: &[RustRow], python: &PythonStatus, machine: &str) -> String {
    let mut s = String::new();
    s.push_str("# scribe-audio vs the Python reference pipeline\n\n");
    s.push_str(&format!("Machine: {machine}\n\n"));
    s.push_str(&format!(
        "Rust: release build, {} run(s) per row, median; each run a fresh process. \
         `all chunks` = from the pipeline call to the last chunk ready (model load included); \
         `process` = whole process wall time. Python: `baseline.py --modes exact`, {} run(s); \
         `pipeline` = decode + convert + VAD + chunk (start-up excluded), `process` = whole worker.\n\n",
        o.repeats, o.python_repeats
    ));
    match python {
        PythonStatus::Skipped(why) => {
            s.push_str(&format!("**Python reference not run:** {why}\n\n"));
        }
        PythonStatus::Ran(..) => {}
    }
    s.push_str("| file | mode | Rust all chunks s | Rust process s | Python pipeline s | Python process s | speed-up (pipeline / process) | process CPU s Rust / Python | first chunk s | Rust peak MiB | Python peak MiB | chunks Rust / Python | max chunk s (limit) | recall vs truth Rust / Python | audio sent s Rust / Python | reference speech sent by Rust | Rust speech outside the reference's |\n");
    s.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for r in rust {
        let py = python_row(python, r.minutes, &r.format);
        let py_pipeline = py.and_then(|p| median(&p["t_pipeline"]));
        let py_process = py.and_then(|p| median(&p["t_process"]));
        let rs_pipeline = r.median(|x| x.pipeline_s);
        let rs_process = r.median(|x| x.process_s);
        let first = r.runs.first();
        let same = python_speech(python, r.minutes, &r.format)
            .zip(first)
            .map(|(py, run)| {
                (
                    100.0 * recall(&run.speech, py),
                    100.0 * (1.0 - recall(py, &run.speech)),
                )
            });
        s.push_str(&format!(
            "| consult_{:02}m.{} | {} | {:.2} | {:.2} | {} | {} | {} / {} | {:.1} / {} | {:.3} | {:.0} | {} | {} / {} | {:.2} ({:.0}) | {:.4} / {} | {:.0} / {} | {} | {} |\n",
            r.minutes,
            r.format,
            r.mode,
            rs_pipeline,
            rs_process,
            fmt(py_pipeline, 2),
            fmt(py_process, 2),
            fmt(py_pipeline.map(|p| p / rs_pipeline), 1),
            fmt(py_process.map(|p| p / rs_process), 1),
            r.median(|x| x.cpu_s),
            fmt(py.and_then(|p| median(&p["cpu_process_s"])), 1),
            r.median(|x| x.first_chunk_s),
            r.median(|x| x.hwm_mib),
            fmt(py.and_then(|p| median(&p["maxrss_mib"])), 0),
            first.map_or(0, |x| x.chunks),
            fmt(py.and_then(|p| median(&p["n_chunks"])), 0),
            first.map_or(f64::NAN, |x| x.max_chunk_s),
            first.map_or(f64::NAN, |x| x.max_seconds),
            r.recall,
            fmt(py.and_then(|p| median(&p["recall_speech"])), 4),
            first.map_or(f64::NAN, |x| x.chunk_audio_s),
            fmt(py.and_then(|p| median(&p["kept_s"])), 0),
            same.map_or_else(|| "-".into(), |(c, _)| format!("{c:.3}%")),
            same.map_or_else(|| "-".into(), |(_, e)| format!("{e:.3}%")),
        ));
    }
    for r in rust {
        if r.mode != "sequential" {
            continue;
        }
        s.push_str(&format!(
            "\nconsult_{:02}m.{}: truth speech {:.0} s.",
            r.minutes, r.format, r.truth_speech_s
        ));
        let Some(exact) = r.runs.first() else {
            continue;
        };
        for other in rust
            .iter()
            .filter(|o| o.minutes == r.minutes && o.format == r.format && o.mode != r.mode)
        {
            if let Some(run) = other.runs.first() {
                let covered = recall(&run.speech, &exact.speech);
                let extra = 1.0 - recall(&exact.speech, &run.speech);
                s.push_str(&format!(
                    " `{}` mode sends {:.3}% of the speech the exact sequential mode sends; {:.3}% of its own speech is not in the sequential result.",
                    other.mode,
                    100.0 * covered,
                    100.0 * extra
                ));
            }
        }
        s.push('\n');
    }
    s
}

/// Load, other cargo/rustc processes and CPU, so a reader knows what else ran.
fn machine_state() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let busy = Command::new("pgrep")
        .args(["-c", "-x", "rustc|cargo|ld|cc1|cc1plus"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "{cpu}, {cores} cores, load average {load}, cargo/rustc/linker processes running \
         (this cargo xtask included): {busy}"
    )
}
