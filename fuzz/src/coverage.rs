//! Coverage feedback from LLVM's SanitizerCoverage inline 8-bit counters,
//! which stable rustc emits with
//! `-C passes=sancov-module -C llvm-args=-sanitizer-coverage-level=3
//! -C llvm-args=-sanitizer-coverage-inline-8bit-counters`
//! (`cargo xtask fuzz --coverage` builds with them).
//!
//! Each instrumented module registers its counter array at start-up
//! through [`__sanitizer_cov_8bit_counters_init`]; every edge taken bumps
//! its counter. After an input, [`Features::collect`] turns the counters
//! into features (edge × a bucket of its hit count, as AFL does), counts
//! the features never seen before, and zeroes the counters. A build
//! without the flags registers nothing and reports no features, and the
//! fuzzer falls back to mutating its seeds.
#![allow(unsafe_code)] // counters are raw memory the compiler's instrumentation writes

use std::sync::Mutex;

/// Counter arrays registered by instrumented modules: (start, end).
static REGIONS: Mutex<Vec<(usize, usize)>> = Mutex::new(Vec::new());

/// Called by the code SanitizerCoverage adds to every instrumented module,
/// before `main`, with the bounds of that module's counters.
#[unsafe(no_mangle)]
pub extern "C" fn __sanitizer_cov_8bit_counters_init(start: *mut u8, end: *mut u8) {
    let (start, end) = (start as usize, end as usize);
    if end > start {
        if let Ok(mut regions) = REGIONS.lock() {
            regions.push((start, end));
        }
    }
}

/// Called when `-sanitizer-coverage-pc-table` is on; the table is unused.
#[unsafe(no_mangle)]
pub extern "C" fn __sanitizer_cov_pcs_init(_start: *const usize, _end: *const usize) {}

/// The features seen so far in this process.
pub(crate) struct Features {
    regions: Vec<(usize, usize)>,
    /// One bit per (counter, bucket).
    seen: Vec<u64>,
}

impl Features {
    /// Takes the regions registered so far (all of them, once `main` runs).
    pub(crate) fn new() -> Self {
        let regions = REGIONS.lock().map(|r| r.clone()).unwrap_or_default();
        let counters: usize = regions.iter().map(|(s, e)| e - s).sum();
        Features {
            regions,
            seen: vec![0; (counters * 8).div_ceil(64)],
        }
    }

    /// Counters instrumented in this binary (0 without instrumentation).
    pub(crate) fn counters(&self) -> usize {
        self.regions.iter().map(|(s, e)| e - s).sum()
    }

    /// Zeroes the counters, forgetting what ran before the next input.
    pub(crate) fn reset(&mut self) {
        for &(start, end) in &self.regions {
            // SAFETY: `start..end` is a counter array the instrumentation
            // registered; it lives as long as the program, and only this
            // thread's instrumented code writes it while inputs run.
            let counters = unsafe { std::slice::from_raw_parts_mut(start as *mut u8, end - start) };
            counters.fill(0);
        }
    }

    /// Features of the input just run that were never seen before; zeroes
    /// the counters.
    pub(crate) fn collect(&mut self) -> u32 {
        let mut new = 0;
        let mut base = 0;
        for &(start, end) in &self.regions {
            // SAFETY: as in `reset`.
            let counters = unsafe { std::slice::from_raw_parts_mut(start as *mut u8, end - start) };
            let mut at = 0;
            for block in counters.chunks_mut(8) {
                // Most counters are zero: skip them a word at a time.
                if let Ok(word) = <[u8; 8]>::try_from(&*block) {
                    if u64::from_ne_bytes(word) == 0 {
                        at += 8;
                        continue;
                    }
                }
                for count in block.iter_mut() {
                    if *count != 0 {
                        let feature = (base + at) * 8 + bucket(*count);
                        let (word, bit) = (feature / 64, feature % 64);
                        if self.seen[word] & (1 << bit) == 0 {
                            self.seen[word] |= 1 << bit;
                            new += 1;
                        }
                        *count = 0;
                    }
                    at += 1;
                }
            }
            base += end - start;
        }
        new
    }
}

/// AFL's hit-count classes: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+.
fn bucket(count: u8) -> usize {
    match count {
        0 | 1 => 0,
        2 => 1,
        3 => 2,
        4..=7 => 3,
        8..=15 => 4,
        16..=31 => 5,
        32..=127 => 6,
        _ => 7,
    }
}
