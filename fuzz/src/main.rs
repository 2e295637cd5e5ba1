//! `scribe-fuzz`: runs the fuzz targets of this crate for `cargo xtask
//! fuzz`, which builds and drives it. Run by hand:
//!
//! * `scribe-fuzz list`: the targets and their settings, as JSON;
//! * `scribe-fuzz run TARGET FILE...`: runs files through a target, as a
//!   plain program (a failing property panics with its message);
//! * `scribe-fuzz serve TARGET`: the executor loop (inputs on stdin,
//!   verdicts on stdout; see [`serve`]);
//! * `scribe-fuzz seeds CORPUS_DIR EXAMPLES_AUDIO_DIR`: writes the crafted
//!   seeds.
//!
//! A global allocator refuses any allocation that would take the process
//! past its memory limit, so runaway allocations abort with Rust's
//! "memory allocation of N bytes failed" instead of swapping; a watchdog
//! thread ends the process when one input runs past its time limit.
#![allow(clippy::print_stdout)] // a command-line program reports on stdout

mod alloc_guard;
mod coverage;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

#[global_allocator]
static ALLOCATOR: alloc_guard::Guarded = alloc_guard::Guarded;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["list"] => {
            println!("{}", serve::target_list());
            ExitCode::SUCCESS
        }
        ["serve", name] => match scribe_fuzz::target(name) {
            Some(target) => serve::serve(target),
            None => unknown(name),
        },
        ["run", name, files @ ..] => match scribe_fuzz::target(name) {
            Some(target) => serve::run_files(target, files),
            None => unknown(name),
        },
        ["seeds", corpus, examples] => write_seeds(corpus, examples),
        _ => {
            eprintln!(
                "usage: scribe-fuzz list | serve TARGET | run TARGET FILE... | seeds CORPUS_DIR EXAMPLES_AUDIO_DIR\n\
                 (normally driven by `cargo xtask fuzz`)"
            );
            ExitCode::from(2)
        }
    }
}

fn unknown(name: &str) -> ExitCode {
    let names: Vec<&str> = scribe_fuzz::TARGETS.iter().map(|t| t.name).collect();
    eprintln!("no target `{name}`; targets: {}", names.join(", "));
    ExitCode::from(2)
}

fn write_seeds(corpus: &str, examples: &str) -> ExitCode {
    let corpus = PathBuf::from(corpus);
    let mut written = 0;
    for (target, name, content) in scribe_fuzz::seeds::all(&PathBuf::from(examples)) {
        let dir = corpus.join(target);
        let path = dir.join(&name);
        if std::fs::read(&path).is_ok_and(|old| old == content) {
            continue;
        }
        if let Err(e) = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, content))
        {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        written += 1;
    }
    println!("{written} seed files written under {}", corpus.display());
    ExitCode::SUCCESS
}
