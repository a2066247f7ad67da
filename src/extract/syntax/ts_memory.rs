//! What tree-sitter has allocated on this thread, so that a parse whose memory grows out of
//! proportion to its input can be stopped the way a slow one is (`tree::parse_bounded`).
//!
//! tree-sitter takes its allocation functions from the program (`set_allocator`). The ones
//! installed here allocate from mimalloc (faster than the C library's for tree-sitter's many small
//! blocks; the rest of the program keeps the system allocator), and add and subtract the size of
//! each block (`mi_usable_size`) on a per-thread counter. A block tree-sitter allocated before they
//! were installed belongs to the C library and is given back to it. Elsewhere than Linux nothing is
//! counted and only the time limit applies.

use std::cell::Cell;

thread_local! {
    /// Bytes tree-sitter allocated on this thread and has not freed (may go below zero when a
    /// block allocated on another thread is freed here; only differences are used).
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

fn add(bytes: isize) {
    // `try_with`: a tree freed while the thread is being torn down must not panic.
    let _ = LIVE.try_with(|c| c.set(c.get().wrapping_add(bytes)));
}

/// Bytes tree-sitter holds on this thread (compare two readings; the absolute value is not
/// meaningful).
pub fn live() -> isize {
    LIVE.try_with(Cell::get).unwrap_or(0)
}

/// Route tree-sitter's allocations through the counting functions (once per process; safe to
/// call from every parse).
pub fn install() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(imp::install);
}

#[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
mod imp {
    use std::ffi::c_void;

    use libmimalloc_sys as mi;

    /// Whether `p` is a block of mimalloc's (one allocated since [`install`]); the others are
    /// the C library's, allocated before it (a parser created before the first parse).
    fn ours(p: *mut c_void) -> bool {
        // SAFETY: only looks the address up in mimalloc's segment map.
        !p.is_null() && unsafe { mi::mi_is_in_heap_region(p) }
    }

    /// The size counted for a block: mimalloc's blocks were counted when allocated; the C
    /// library's never were.
    fn size_of_block(p: *mut c_void) -> isize {
        if !ours(p) {
            return 0;
        }
        // SAFETY: `p` is a live block of mimalloc's.
        unsafe { mi::mi_usable_size(p) as isize }
    }

    /// tree-sitter's own functions abort when memory runs out; so do these.
    fn check(p: *mut c_void, size: usize) -> *mut c_void {
        if p.is_null() && size > 0 {
            std::process::abort();
        }
        p
    }

    unsafe extern "C" fn ts_malloc(size: usize) -> *mut c_void {
        // SAFETY: plain C allocation.
        let p = check(unsafe { mi::mi_malloc(size) }, size);
        super::add(size_of_block(p));
        p
    }

    unsafe extern "C" fn ts_calloc(count: usize, size: usize) -> *mut c_void {
        // SAFETY: plain C allocation.
        let p = check(
            unsafe { mi::mi_calloc(count, size) },
            count.saturating_mul(size),
        );
        super::add(size_of_block(p));
        p
    }

    unsafe extern "C" fn ts_realloc(old: *mut c_void, size: usize) -> *mut c_void {
        if old.is_null() || ours(old) {
            let before = size_of_block(old);
            // SAFETY: `old` is null or a live block of mimalloc's (tree-sitter's contract).
            let p = check(unsafe { mi::mi_realloc(old, size) }, size);
            super::add(size_of_block(p) - before);
            return p;
        }
        // A block of the C library's: move it into mimalloc's heap.
        // SAFETY: `old` is a live block of the C library's; at most its usable size is copied.
        unsafe {
            let p = check(mi::mi_malloc(size), size);
            let n = libc::malloc_usable_size(old).min(size);
            std::ptr::copy_nonoverlapping(old.cast::<u8>(), p.cast::<u8>(), n);
            libc::free(old);
            super::add(size_of_block(p));
            p
        }
    }

    unsafe extern "C" fn ts_free(p: *mut c_void) {
        if ours(p) {
            super::add(-size_of_block(p));
            // SAFETY: `p` is a live block of mimalloc's (tree-sitter's contract).
            unsafe { mi::mi_free(p) }
        } else {
            // SAFETY: `p` is null or a live block of the C library's.
            unsafe { libc::free(p) }
        }
    }

    /// mimalloc's `mi_option_arena_eager_commit` (its place in `mi_option_e`, the same in
    /// mimalloc 2 and 3; the crate's constants do not name it).
    const ARENA_EAGER_COMMIT: mi::mi_option_t = 4;

    pub fn install() {
        // Committing arenas eagerly kept 20-40 MiB more resident for little speed
        // (docs/performance.md). The option applies to arenas made after it is set; tree-sitter
        // is mimalloc's only user, so none is made before this.
        // SAFETY: sets a process-wide option.
        unsafe { mi::mi_option_set(ARENA_EAGER_COMMIT, 0) };
        // SAFETY: blocks allocated before this call (by the C library) are recognised and freed
        // by the C library after it (`ours`).
        unsafe {
            tree_sitter::set_allocator(
                Some(ts_malloc),
                Some(ts_calloc),
                Some(ts_realloc),
                Some(ts_free),
            );
        }
    }
}

#[cfg(not(all(target_os = "linux", any(target_env = "gnu", target_env = "musl"))))]
mod imp {
    pub fn install() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(all(target_os = "linux", any(target_env = "gnu", target_env = "musl")))]
    fn a_parse_is_counted_and_its_tree_given_back() {
        install();
        let before = live();
        let mut parser = tree_sitter::Parser::new();
        parser
            .set_language(&tree_sitter_python::LANGUAGE.into())
            .unwrap();
        let text = "x = [1, 2, 3]\n".repeat(2_000);
        let tree = parser.parse(&text, None).unwrap();
        let during = live() - before;
        assert!(during > 100_000, "a 28 KB file's tree is counted: {during}");
        drop(tree);
        drop(parser);
        let after = live() - before;
        assert!(after < during / 10, "freed again: {after} of {during}");
    }
}
