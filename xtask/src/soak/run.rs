//! One run: a fresh simulator, `scribe transcribe` of the recording against
//! it, and the checks of what the simulator stored.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::log::{self, Request};
use super::sim::Sim;

/// The audio pipeline's own settings, which `scribe vad` and `scribe
/// transcribe` must both see for their chunks to match; every other
/// `SCRIBE_*` variable is removed so the runs talk to their simulator only.
const KEEP_ENV: [&str; 3] = ["SCRIBE_ORT_DYLIB", "SCRIBE_VAD_MODEL", "SCRIBE_CACHE_DIR"];

/// A command for the built `scribe`, with a clean environment and no
/// colour, run in `dir` (which holds no config file or `.env`).
pub(crate) fn scribe_command(scribe: &Path, dir: &Path) -> Command {
    let mut command = Command::new(scribe);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("SCRIBE_") && !KEEP_ENV.contains(&name.as_ref()) {
            command.env_remove(name.as_ref());
        }
    }
    command
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::null());
    command
}

/// The chunks `scribe vad --out` wrote: name to bytes.
#[derive(Debug)]
pub(crate) struct Reference {
    chunks: BTreeMap<String, Vec<u8>>,
}

impl Reference {
    pub(crate) fn read(dir: &Path) -> Result<Reference> {
        let mut chunks = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            chunks.insert(name, std::fs::read(entry.path())?);
        }
        anyhow::ensure!(!chunks.is_empty(), "scribe vad wrote no chunks");
        Ok(Reference { chunks })
    }

    pub(crate) fn len(&self) -> usize {
        self.chunks.len()
    }
}

/// What to run.
pub(crate) struct Spec<'a> {
    pub(crate) scribe: &'a Path,
    pub(crate) recording: &'a Path,
    /// Where the logs go (created).
    pub(crate) dir: PathBuf,
    /// `scribe sim` flags after `--addr`.
    pub(crate) sim_args: Vec<String>,
    /// The transcription is killed after this long.
    pub(crate) deadline: Duration,
}

/// What came of a run.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) dir: PathBuf,
    /// `scribe transcribe`'s exit code (`None`: killed at the deadline or
    /// by a signal).
    pub(crate) exit: Option<i32>,
    pub(crate) wall: Duration,
    pub(crate) log: Vec<Request>,
    /// Every check that failed, in words.
    pub(crate) failures: Vec<String>,
    /// Chunk names a failure is about, to show their requests.
    pub(crate) suspect_chunks: Vec<String>,
}

impl Outcome {
    pub(crate) fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    pub(crate) fn stderr_path(&self) -> PathBuf {
        self.dir.join("transcribe.stderr")
    }
}

/// Starts the simulator, transcribes, inspects, stops the simulator.
pub(crate) fn execute(spec: &Spec<'_>, reference: &Reference) -> Result<Outcome> {
    std::fs::create_dir_all(&spec.dir)?;
    let sim = Sim::start(spec.scribe, &spec.sim_args, &spec.dir.join("sim.stderr"))?;
    let stdout = std::fs::File::create(spec.dir.join("transcribe.stdout"))?;
    let stderr = std::fs::File::create(spec.dir.join("transcribe.stderr"))?;
    let mut command = scribe_command(spec.scribe, &spec.dir);
    command
        .envs(sim.env.iter().map(|(k, v)| (k, v)))
        .arg("transcribe")
        .arg(spec.recording)
        .stdout(stdout)
        .stderr(stderr);
    let started = Instant::now();
    let mut child = command.spawn().context("cannot start scribe transcribe")?;
    let mut failures = Vec::new();
    let exit = loop {
        if let Some(status) = child.try_wait()? {
            break status.code();
        }
        if started.elapsed() > spec.deadline {
            let _ = child.kill();
            let _ = child.wait();
            failures.push(format!(
                "scribe transcribe was still running after {} s and was killed",
                spec.deadline.as_secs()
            ));
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let wall = started.elapsed();
    if failures.is_empty() && exit != Some(0) {
        failures.push(match exit {
            Some(code) => format!("scribe transcribe exited with {code}"),
            None => "scribe transcribe was killed by a signal".to_owned(),
        });
    }

    let answer = sim.json("/_sim/requests")?;
    std::fs::write(
        spec.dir.join("requests.json"),
        serde_json::to_vec_pretty(&answer)?,
    )?;
    let log = log::parse(&answer)?;
    let mut suspect_chunks = Vec::new();
    check_stored(&sim, reference, &mut failures, &mut suspect_chunks)?;
    sim.stop();
    Ok(Outcome {
        dir: spec.dir.clone(),
        exit,
        wall,
        log,
        failures,
        suspect_chunks,
    })
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The session the run made: completed, every chunk of the reference stored
/// once and byte for byte, no content under two names, and the count `end`
/// sent equal to the files stored.
fn check_stored(
    sim: &Sim,
    reference: &Reference,
    failures: &mut Vec<String>,
    suspects: &mut Vec<String>,
) -> Result<()> {
    let sessions = sim.json("/_sim/sessions")?;
    let sessions = sessions["sessions"].as_array().cloned().unwrap_or_default();
    if sessions.len() != 1 {
        failures.push(format!(
            "the simulator holds {} sessions, not 1 (a create was duplicated or never made)",
            sessions.len()
        ));
    }
    let Some(session) = sessions.first() else {
        return Ok(());
    };
    let id = session["session_id"].as_str().unwrap_or_default();
    let status = session["status"].as_str().unwrap_or_default();
    if status != "completed" {
        failures.push(format!("session {id} is `{status}`, not `completed`"));
    }

    let mut seen = HashMap::new();
    for name in session["audio_files"].as_array().into_iter().flatten() {
        *seen.entry(name.as_str().unwrap_or_default()).or_insert(0) += 1;
    }
    for (name, times) in &seen {
        if *times > 1 {
            failures.push(format!("{name} is stored {times} times"));
            suspects.push((*name).to_owned());
        }
    }

    let files = sim.json(&format!("/_sim/sessions/{id}/files"))?;
    let files = files["files"].as_array().cloned().unwrap_or_default();
    let mut stored_names = Vec::new();
    let mut stored_by_hash: HashMap<String, Vec<String>> = HashMap::new();
    for file in &files {
        let name = file["name"].as_str().unwrap_or_default().to_owned();
        let bytes = sim.get(&format!("/_sim/sessions/{id}/files/{name}"))?;
        let hash = sha256(&bytes);
        if file["sha256"].as_str() != Some(hash.as_str()) {
            failures.push(format!(
                "{name}: the bytes served differ from the simulator's own hash"
            ));
        }
        match reference.chunks.get(&name) {
            None => {
                failures.push(format!(
                    "{name} is stored but `scribe vad` made no such chunk"
                ));
                suspects.push(name.clone());
            }
            Some(expected) if *expected != bytes => {
                failures.push(format!(
                    "{name} differs from `scribe vad`'s chunk ({} bytes stored, {} expected)",
                    bytes.len(),
                    expected.len()
                ));
                suspects.push(name.clone());
            }
            Some(_) => {}
        }
        stored_by_hash.entry(hash).or_default().push(name.clone());
        stored_names.push(name);
    }
    let missing: Vec<&String> = reference
        .chunks
        .keys()
        .filter(|name| !stored_names.contains(name))
        .collect();
    if !missing.is_empty() {
        failures.push(format!(
            "{} of {} chunks were never stored: {}",
            missing.len(),
            reference.len(),
            list(missing.iter().map(|s| s.as_str()))
        ));
        suspects.extend(missing.into_iter().cloned());
    }

    // The same audio under two names is a duplicate, unless the recording
    // itself has it twice.
    let mut reference_by_hash: HashMap<String, usize> = HashMap::new();
    for bytes in reference.chunks.values() {
        *reference_by_hash.entry(sha256(bytes)).or_insert(0) += 1;
    }
    for names in stored_by_hash.values_mut() {
        let expected = names
            .first()
            .and_then(|n| reference.chunks.get(n))
            .and_then(|bytes| reference_by_hash.get(&sha256(bytes)).copied())
            .unwrap_or(1);
        if names.len() > expected {
            names.sort();
            failures.push(format!(
                "the same audio is stored under {} names: {}",
                names.len(),
                list(names.iter().map(String::as_str))
            ));
            suspects.extend(names.iter().cloned());
        }
    }

    match session["audio_files_sent"].as_u64() {
        Some(sent) if sent == files.len() as u64 => {}
        Some(sent) => failures.push(format!(
            "end said audio_files_sent = {sent}, but {} files are stored",
            files.len()
        )),
        None => failures.push("the session was never ended (no audio_files_sent)".to_owned()),
    }
    suspects.sort();
    suspects.dedup();
    Ok(())
}

/// Names for a message, the first few only.
fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.collect();
    let shown = names.iter().take(8).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 8 {
        format!("{shown}, ... ({} more)", names.len() - 8)
    } else {
        shown
    }
}
