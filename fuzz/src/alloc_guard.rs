//! The system allocator with a ceiling, so an input that makes a parser
//! allocate without bound is caught as a crash rather than swapping the
//! machine.
//!
//! Two limits, read once from the environment (`cargo xtask fuzz` sets
//! them): `SCRIBE_FUZZ_MAX_ALLOC_MB`, the largest single allocation (32 MiB
//! by default: inputs are a few kilobytes, so anything that size was sized
//! from a number in the input, not from its data), and
//! `SCRIBE_FUZZ_MAX_LIVE_MB`, all live allocations together (512 MiB).
//! Past either, the allocation fails and Rust aborts with "memory
//! allocation of N bytes failed", which xtask reports as a crash.
#![allow(unsafe_code)] // a global allocator is an unsafe trait

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes currently allocated.
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The limits in bytes; 0 until first read.
static MAX_ONE: AtomicUsize = AtomicUsize::new(0);
static MAX_LIVE: AtomicUsize = AtomicUsize::new(0);

const MIB: usize = 1 << 20;

/// Reads the limits from the environment. Called at start-up, before any
/// input runs; until then the defaults apply.
pub(crate) fn configure() {
    let mb = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(default)
            .saturating_mul(MIB)
    };
    MAX_ONE.store(mb("SCRIBE_FUZZ_MAX_ALLOC_MB", 32), Ordering::Relaxed);
    MAX_LIVE.store(mb("SCRIBE_FUZZ_MAX_LIVE_MB", 512), Ordering::Relaxed);
}

/// The system allocator, refusing allocations past the limits.
pub(crate) struct Guarded;

impl Guarded {
    /// Whether one block of `size` bytes is allowed.
    fn fits_one(size: usize) -> bool {
        let one = MAX_ONE.load(Ordering::Relaxed);
        one == 0 || size <= one
    }

    /// Counts `size` more live bytes, unless that passes the limit.
    fn reserve(size: usize) -> bool {
        let live = MAX_LIVE.load(Ordering::Relaxed);
        let before = LIVE.fetch_add(size, Ordering::Relaxed);
        if live != 0 && before.saturating_add(size) > live {
            LIVE.fetch_sub(size, Ordering::Relaxed);
            return false;
        }
        true
    }
}

// SAFETY: every call is forwarded to `System` with the caller's layout and
// pointer unchanged; the only addition is refusing (returning null, which
// `GlobalAlloc` permits) and counting sizes.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !(Self::fits_one(layout.size()) && Self::reserve(layout.size())) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded with the caller's (non-zero-sized) layout.
        let ptr = unsafe { System.alloc(layout) };
        if ptr.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !(Self::fits_one(layout.size()) && Self::reserve(layout.size())) {
            return std::ptr::null_mut();
        }
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if ptr.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with this layout.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let old = layout.size();
        let growth = new_size.saturating_sub(old);
        if !(Self::fits_one(new_size) && Self::reserve(growth)) {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from `System` with `layout`; `new_size` is the
        // caller's, valid for `layout.align()`.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if new.is_null() {
            LIVE.fetch_sub(growth, Ordering::Relaxed);
        } else if new_size < old {
            LIVE.fetch_sub(old - new_size, Ordering::Relaxed);
        }
        new
    }
}
