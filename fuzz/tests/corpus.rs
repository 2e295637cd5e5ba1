//! Every seed of every fuzz target passes, in-process, on every `cargo
//! test`: the checked-in corpus holds the inputs that once crashed a
//! target (`crash-*`), so a fixed crash stays fixed even where
//! `cargo xtask fuzz` does not run. (The time and memory limits apply only
//! under `cargo xtask fuzz`, which replays the same files first.)

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            out.push(path);
        }
    }
}

#[test]
fn every_seed_passes_its_target() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut total = 0;
    for target in scribe_fuzz::TARGETS {
        let mut seeds = Vec::new();
        files(&root.join("fuzz/corpus").join(target.name), &mut seeds);
        for extra in target.extra_seeds {
            files(&root.join(extra), &mut seeds);
        }
        assert!(!seeds.is_empty(), "{} has no seeds", target.name);
        for seed in &seeds {
            let data = std::fs::read(seed).expect("a seed reads");
            let outcome = std::panic::catch_unwind(|| (target.run)(&data));
            assert!(
                outcome.is_ok(),
                "{} fails on {}; replay with `cargo xtask fuzz --replay {} --target {}`",
                target.name,
                seed.display(),
                seed.display(),
                target.name
            );
        }
        total += seeds.len();
    }
    assert!(total > 50, "only {total} seeds");
}

#[test]
fn the_crafted_seeds_are_checked_in() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (target, name, content) in scribe_fuzz::seeds::all(&root.join("examples/audio")) {
        let path = root.join("fuzz/corpus").join(target).join(&name);
        let stored = std::fs::read(&path).unwrap_or_default();
        assert!(
            stored == content,
            "{} is missing or stale; run `cargo xtask fuzz --write-seeds`",
            path.display()
        );
    }
}

#[test]
fn target_names_are_unique_and_settings_sane() {
    let mut names: Vec<&str> = scribe_fuzz::TARGETS.iter().map(|t| t.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), scribe_fuzz::TARGETS.len());
    for target in scribe_fuzz::TARGETS {
        assert!(
            target.max_len >= 64 && target.timeout_ms >= 100,
            "{}",
            target.name
        );
        assert!(scribe_fuzz::target(target.name).is_some());
    }
}
