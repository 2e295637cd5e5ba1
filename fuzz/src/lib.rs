//! Fuzz targets for the SDK's hand-written parsers.
//!
//! Each [`Target`] takes arbitrary bytes, feeds them to one family of
//! parsers and checks what must hold whatever the input: no panic, and
//! where a reader has a writer, that what is written reads back the same.
//! A target signals a failed property by panicking.
//!
//! `cargo xtask fuzz` drives them on stable Rust: it builds the
//! `scribe-fuzz` binary, which runs one target in a loop over inputs sent
//! on a pipe (see `src/main.rs`), while xtask mutates the seed corpus
//! (`fuzz/corpus/<target>/`) and records crashes, hangs and runaway
//! allocations. Built with sanitizer-coverage counters (`cargo xtask fuzz
//! --coverage`), the binary also reports which inputs reach new code, and
//! those join the corpus.
//!
//! The seed corpus is replayed by this crate's tests on every `cargo
//! test`, so a crash once found and fixed stays fixed.
#![deny(missing_docs)]

pub mod seeds;
mod targets;

pub use targets::TARGETS;

/// One fuzz target.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Name used on the command line and for the corpus directory.
    pub name: &'static str,
    /// What it exercises, one line.
    pub about: &'static str,
    /// Runs one input; panics when a property fails.
    pub run: fn(&[u8]),
    /// Largest input worth generating, in bytes.
    pub max_len: usize,
    /// Time one input may take before it counts as a hang, in milliseconds.
    pub timeout_ms: u64,
    /// Seed directories besides `fuzz/corpus/<name>/`, relative to the
    /// workspace root and read recursively (for example the protocol
    /// crate's JSON fixtures).
    pub extra_seeds: &'static [&'static str],
    /// Tokens worth splicing into inputs (field names, magic numbers).
    pub dictionary: &'static [&'static [u8]],
    /// Whether a panic raised in third-party code and caught by the SDK's
    /// own guard (scribe-audio's decoder guard) is tolerated rather than a
    /// crash. Panics located in this workspace are crashes regardless.
    pub tolerates_caught_foreign_panics: bool,
}

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Splits `data` into up to `n` parts at `separator` bytes; the last part
/// keeps the rest (separators included). Missing parts are empty.
pub(crate) fn split_fields(data: &[u8], separator: u8, n: usize) -> Vec<&[u8]> {
    let mut parts: Vec<&[u8]> = data.splitn(n, |b| *b == separator).collect();
    parts.resize(n, &[]);
    parts
}

/// A small deterministic number derived from `bytes` (FNV-1a), for choices
/// an input should steer without spending bytes on them.
pub(crate) fn fold(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
