//! `cargo xtask assets [--check] [--wheel-dir DIR]`: the ONNX Runtime library
//! and the Silero VAD model, fetched from PyPI with pip, verified against the
//! SHA-256 values pinned below, and unpacked into the cache directory that
//! `scribe-audio` searches at run time:
//!
//! ```text
//! $SCRIBE_CACHE_DIR, else $XDG_CACHE_HOME/scribe, else ~/.cache/scribe
//!   ├── libonnxruntime.so   (onnxruntime wheel: onnxruntime/capi/libonnxruntime.so.<version>)
//!   ├── silero_vad.onnx     (silero-vad wheel: silero_vad/data/silero_vad.onnx)
//!   ├── silero_vad_16k_sequence.onnx (same wheel: the model's sequence export)
//!   ├── assets.stamp        (what was unpacked, with the files' SHA-256)
//!   └── wheels/             (the downloaded wheels)
//! ```
//!
//! Idempotent: when the stamp matches the pins and the files' hashes, nothing
//! is downloaded. `--check` only reports and fails when the cache is stale.
//! `--wheel-dir DIR` takes already-downloaded wheels from DIR (still
//! verified) before asking pip.

#![allow(clippy::print_stdout)] // a command-line chore reports on stdout

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// A wheel we trust, by exact file name and SHA-256.
struct PinnedWheel {
    project: &'static str,
    version: &'static str,
    file: &'static str,
    sha256: &'static str,
}

/// The pinned wheels. pip picks the file for the running python's tags; a
/// file that is not listed here is refused. CI runs CPython 3.11 on x86_64
/// Linux. To support another platform, download its wheel, check it, and
/// add its name and SHA-256 here.
const WHEELS: &[PinnedWheel] = &[
    PinnedWheel {
        project: "onnxruntime",
        version: "1.32.0",
        file: "onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl",
        sha256: "5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d",
    },
    PinnedWheel {
        project: "silero-vad",
        version: "6.2.3",
        file: "silero_vad-6.2.3-py3-none-any.whl",
        sha256: "7b7f5436cfcb02fae583a05b512ea96467fd449fe54cb49a5e4f06c51a1e43b8",
    },
];

/// One file to take out of a wheel.
struct Extract {
    project: &'static str,
    /// Member path inside the wheel.
    member: &'static str,
    /// File name in the cache directory (the name scribe-audio looks for).
    target: &'static str,
}

const EXTRACTS: &[Extract] = &[
    Extract {
        project: "onnxruntime",
        member: "onnxruntime/capi/libonnxruntime.so.1.32.0",
        target: "libonnxruntime.so",
    },
    Extract {
        project: "silero-vad",
        member: "silero_vad/data/silero_vad.onnx",
        target: "silero_vad.onnx",
    },
    // The same weights exported to score runs of windows per call: identical
    // probabilities, about twice as fast (scribe-audio uses it when present).
    Extract {
        project: "silero-vad",
        member: "silero_vad/data/silero_vad_16k_sequence.onnx",
        target: "silero_vad_16k_sequence.onnx",
    },
];

const STAMP: &str = "assets.stamp";

struct Options {
    check: bool,
    wheel_dir: Option<PathBuf>,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut options = Options {
        check: false,
        wheel_dir: None,
    };
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--check" => options.check = true,
            "--wheel-dir" => {
                let dir = iter.next().context("--wheel-dir needs a directory")?;
                options.wheel_dir = Some(PathBuf::from(dir));
            }
            other => bail!(
                "unknown argument `{other}`; usage: cargo xtask assets [--check] [--wheel-dir DIR]"
            ),
        }
    }
    Ok(options)
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let options = parse_args(args)?;
    let cache = cache_dir()?;
    if stamp_is_current(&cache)? {
        println!("assets up to date in {}", cache.display());
        print_locations(&cache);
        return Ok(());
    }
    if options.check {
        bail!(
            "the ONNX Runtime library and Silero VAD model in {} are missing or stale; \
             run `cargo xtask assets`",
            cache.display()
        );
    }
    std::fs::create_dir_all(&cache)
        .with_context(|| format!("creating the cache directory {}", cache.display()))?;
    let wheels_dir = cache.join("wheels");
    std::fs::create_dir_all(&wheels_dir)?;

    let mut stamp = String::new();
    for project in ["onnxruntime", "silero-vad"] {
        let wheel = fetch_wheel(project, &wheels_dir, options.wheel_dir.as_deref())?;
        stamp.push_str(&format!("wheel {} {}\n", wheel.file, wheel.sha256));
        for extract in EXTRACTS.iter().filter(|e| e.project == project) {
            let target = cache.join(extract.target);
            unzip_member(&wheels_dir.join(wheel.file), extract.member, &target)?;
            let hash = sha256_file(&target)?;
            stamp.push_str(&format!("file {} {hash}\n", extract.target));
        }
    }
    std::fs::write(cache.join(STAMP), stamp)?;
    println!("assets ready in {}", cache.display());
    print_locations(&cache);
    Ok(())
}

fn print_locations(cache: &Path) {
    println!(
        "  ONNX Runtime: {}",
        cache.join("libonnxruntime.so").display()
    );
    println!(
        "  Silero VAD:   {}",
        cache.join("silero_vad.onnx").display()
    );
}

/// The cache directory scribe-audio searches (keep in step with
/// `scribe_audio::AssetConfig`).
fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = non_empty_env("SCRIBE_CACHE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty_env("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("scribe"));
    }
    match non_empty_env("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("scribe")),
        None => bail!("no cache directory: set SCRIBE_CACHE_DIR, XDG_CACHE_HOME or HOME"),
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The stamp lists exactly the pinned wheels and the unpacked files' hashes,
/// and every file still has its hash.
fn stamp_is_current(cache: &Path) -> Result<bool> {
    let Ok(stamp) = std::fs::read_to_string(cache.join(STAMP)) else {
        return Ok(false);
    };
    let mut wheels_seen = 0;
    for line in stamp.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["wheel", file, sha] => {
                if !WHEELS.iter().any(|w| w.file == *file && w.sha256 == *sha) {
                    return Ok(false);
                }
                wheels_seen += 1;
            }
            ["file", name, sha] => {
                let path = cache.join(name);
                if !path.is_file() || sha256_file(&path)? != *sha {
                    return Ok(false);
                }
            }
            _ => return Ok(false),
        }
    }
    let files_expected = EXTRACTS.len();
    let files_seen = stamp.lines().filter(|l| l.starts_with("file ")).count();
    Ok(wheels_seen == 2 && files_seen == files_expected)
}

/// Finds a pinned, verified wheel for `project`: in the cache, in
/// `--wheel-dir`, or from pip.
fn fetch_wheel(
    project: &str,
    wheels_dir: &Path,
    extra_dir: Option<&Path>,
) -> Result<&'static PinnedWheel> {
    let pins: Vec<&PinnedWheel> = WHEELS.iter().filter(|w| w.project == project).collect();
    for dir in [Some(wheels_dir), extra_dir].into_iter().flatten() {
        for pin in &pins {
            let path = dir.join(pin.file);
            if path.is_file() && sha256_file(&path)? == pin.sha256 {
                if dir != wheels_dir {
                    std::fs::copy(&path, wheels_dir.join(pin.file))?;
                }
                println!("using verified {}", pin.file);
                return Ok(pin);
            }
        }
    }
    let version = pins
        .first()
        .map(|p| p.version)
        .context("no pin for project")?;
    let spec = format!("{project}=={version}");
    println!("downloading {spec} with pip");
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
        .args(["--disable-pip-version-check", "--quiet", "--dest"])
        .arg(wheels_dir)
        .arg(&spec)
        .status()
        .context("running `python3 -m pip download` (is python3 with pip installed?)")?;
    if !status.success() {
        bail!("`python3 -m pip download --no-deps {spec}` failed ({status})");
    }
    // pip named the file after the tags it chose; it must be one we pinned.
    let prefix = format!("{}-{version}-", project.replace('-', "_"));
    let mut downloaded = Vec::new();
    for entry in std::fs::read_dir(wheels_dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name.ends_with(".whl") {
            downloaded.push(name);
        }
    }
    for name in &downloaded {
        if let Some(pin) = pins.iter().find(|p| p.file == name) {
            let actual = sha256_file(&wheels_dir.join(name))?;
            if actual != pin.sha256 {
                bail!(
                    "{name}: SHA-256 {actual} does not match the pinned {}; refusing to use it",
                    pin.sha256
                );
            }
            return Ok(pin);
        }
    }
    bail!(
        "pip chose {downloaded:?} for this python, which has no pinned SHA-256 in \
         xtask/src/assets.rs (pinned: {:?}); use CPython 3.11 on x86_64 Linux, or \
         verify the wheel and add its name and SHA-256 to the table",
        pins.iter().map(|p| p.file).collect::<Vec<_>>()
    )
}

/// Copies one member out of a wheel (a zip) with python's zipfile, streaming.
fn unzip_member(wheel: &Path, member: &str, target: &Path) -> Result<()> {
    const SCRIPT: &str = "import shutil, sys, zipfile\n\
        with zipfile.ZipFile(sys.argv[1]) as z, z.open(sys.argv[2]) as src, \
        open(sys.argv[3], 'wb') as dst:\n    shutil.copyfileobj(src, dst, 1 << 20)\n";
    let partial = target.with_extension("partial");
    let status = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .arg(wheel)
        .arg(member)
        .arg(&partial)
        .status()
        .context("running python3 to unpack the wheel")?;
    if !status.success() {
        bail!("cannot unpack {member} from {}", wheel.display());
    }
    // Rename last so a reader never sees half a library.
    std::fs::rename(&partial, target)
        .with_context(|| format!("moving {} into place", target.display()))?;
    Ok(())
}

fn sha256_file(path: &Path) -> Result<String> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}
