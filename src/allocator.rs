//! The binary's allocator: mimalloc for everything up to 1 MiB (glibc's allocator spent a fifth
//! of the server's CPU in a list benchmark — many threads, many small allocations — mimalloc
//! does the same work for a fraction), the system's for larger blocks, which glibc then maps
//! straight from the kernel and unmaps on free ([`configure`]).
//!
//! Why not mimalloc for those too: photo uploads allocate and free tens of megabytes (a body,
//! decoded pixels, a stripped copy) on blocking-pool threads that then idle, and mimalloc keeps
//! what an idle thread freed: after ten parallel uploads the process held 257 MiB instead of
//! 162 MiB. Purging at once (`purge_delay` 0) fixed that but cost a fifth of uncached article
//! reads; routing by size costs nothing on the small allocations requests make.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks of at least this many bytes come from the system.
pub const LARGE: usize = 1 << 20;

/// mimalloc below [`LARGE`], the system's allocator from it on.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allocator;

fn large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block goes back to the allocator it came from, decided by the size the caller
// passes with it (`GlobalAlloc` requires the layout of a block to be the one it was made with).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if large(layout.size()) {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.alloc(layout) }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if large(layout.size()) {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { System.alloc_zeroed(layout) }
        } else {
            // SAFETY: forwarded with the caller's guarantees.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if large(layout.size()) {
            // SAFETY: a large block came from the system (see `alloc`).
            unsafe { System.dealloc(ptr, layout) }
        } else {
            // SAFETY: a small block came from mimalloc (see `alloc`).
            unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match (large(layout.size()), large(new_size)) {
            // SAFETY: the block stays with the allocator it came from.
            (false, false) => unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) },
            // SAFETY: the block stays with the allocator it came from.
            (true, true) => unsafe { System.realloc(ptr, layout, new_size) },
            _ => {
                // SAFETY: `new_size` is non-zero and, rounded to the alignment, fits `isize`
                // (the caller's guarantees for `realloc`).
                let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                // SAFETY: a valid layout; the old block is valid for `layout.size()` bytes, the
                // new one for `new_size`, and they do not overlap.
                unsafe {
                    let moved = self.alloc(new);
                    if !moved.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    moved
                }
            }
        }
    }
}

/// Makes glibc map every block of [`LARGE`] bytes or more from the kernel and unmap it on free
/// (by default its threshold rises with the blocks freed, after which they stay in its heap).
pub fn configure() {
    let threshold = i32::try_from(LARGE).unwrap_or(i32::MAX);
    // SAFETY: mallopt only sets a tunable of glibc's allocator.
    unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, threshold) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_move_between_the_allocators_intact() {
        let a = Allocator;
        let layout = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: a test of the allocator with valid layouts, each block freed once.
        unsafe {
            let p = a.alloc(layout);
            for i in 0..1000 {
                *p.add(i) = (i % 251) as u8;
            }
            let q = a.realloc(p, layout, LARGE * 2);
            let grown = Layout::from_size_align(LARGE * 2, 8).unwrap();
            assert!((0..1000).all(|i| *q.add(i) == (i % 251) as u8));
            let r = a.realloc(q, grown, 500);
            assert!((0..500).all(|i| *r.add(i) == (i % 251) as u8));
            a.dealloc(r, Layout::from_size_align(500, 8).unwrap());
        }
    }
}
