//! A counting allocator: the bytes the process has asked for and not freed.
//!
//! ```text
//!   alloc(layout) ──▶ jemalloc ──▶ LIVE_BYTES += layout.size()
//!   dealloc(layout) ─▶ jemalloc ──▶ LIVE_BYTES -= layout.size()
//!   realloc(old, n) ─▶ jemalloc ──▶ LIVE_BYTES += n - old.size()
//!
//!   allocated_bytes() = LIVE_BYTES      (INFO memory used_memory, benches)
//! ```
//!
//! Redis reports `used_memory` from zmalloc's own counter; this is the same
//! idea. It counts *requested* bytes, not what the allocator rounds up to,
//! so it is a lower bound of RSS and comparable to Redis's figure only up to
//! jemalloc's size classes.
//!
//! The type lives in the library so that every binary (the server, the
//! benches) can register it with `#[global_allocator]`. A binary that does
//! not register it sees `allocated_bytes() == 0`.
//!
//! This is the only `unsafe` code in the crate. A `GlobalAlloc` impl is
//! `unsafe` by definition: the trait's contract (return memory fitting the
//! layout, or null) cannot be expressed in safe Rust. Each method forwards
//! the caller's pointer and layout to the underlying allocator unchanged, so
//! the contract holds exactly as it does for it; the counter is a side effect on
//! an atomic and touches no memory the allocator hands out.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};

#[cfg(target_arch = "wasm32")]
use std::alloc::System;
use std::sync::atomic::{AtomicU64, Ordering};
/// The allocator underneath: jemalloc, as Redis uses. glibc's malloc
/// fragments under the simulator's millions of small long-lived
/// allocations: half of a long run's profile was spent in it, and jemalloc
/// makes the one-hour bench run three times faster (benches/sim.rs).
#[cfg(not(target_arch = "wasm32"))]
use tikv_jemallocator::Jemalloc as System;

/// Live requested bytes across every thread. Relaxed ordering: the figure
/// is a statistic, read without synchronising with any other data.
static LIVE_BYTES: AtomicU64 = AtomicU64::new(0);

/// The system allocator plus a live-byte counter.
#[derive(Clone, Copy, Debug, Default)]
pub struct CountingAllocator;

impl CountingAllocator {
    /// The allocator, for `#[global_allocator] static A: CountingAllocator = CountingAllocator::new();`.
    pub const fn new() -> CountingAllocator {
        CountingAllocator
    }
}

/// Bytes currently allocated through [`CountingAllocator`] (0 when it is
/// not the global allocator).
pub fn allocated_bytes() -> u64 {
    LIVE_BYTES.load(Ordering::Relaxed)
}

// SAFETY: every method delegates to `System` with the caller's own
// arguments, so the GlobalAlloc contract is System's; the atomic updates
// neither allocate nor touch the returned memory.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same layout the caller gave us, forwarded as is.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same layout the caller gave us, forwarded as is.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size() as u64, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller guarantees ptr came from this allocator with
        // this layout, which is what System requires.
        unsafe { System.dealloc(ptr, layout) };
        LIVE_BYTES.fetch_sub(layout.size() as u64, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's guarantees for realloc are System's.
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            // On failure the old block stays live and unchanged.
            LIVE_BYTES.fetch_add(new_size as u64, Ordering::Relaxed);
            LIVE_BYTES.fetch_sub(layout.size() as u64, Ordering::Relaxed);
        }
        new_ptr
    }
}
