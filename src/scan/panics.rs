//! Quiet panics while entries are read. A panic in a reader (ours, or a library's such as
//! calamine's) is caught for its entry by `scan`, which fails that entry with the panic's
//! message: the ledger says what happened. Rust's default hook would also print the message,
//! and with `RUST_BACKTRACE` set some sixty frames of backtrace, on stderr in the middle of
//! the run, where a responder reads it as the tool itself crashing.
//!
//! So while a [`Quiet`] guard is held, a panic on one of the scan's worker threads prints
//! nothing; every other panic, and every panic once no guard is held, goes to the hook that
//! was installed before (the default one, or a test harness's).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

/// Guards held now, by entries being read on any thread.
static HELD: AtomicUsize = AtomicUsize::new(0);
static INSTALL: Once = Once::new();

/// Keeps panics on rayon worker threads quiet while it lives (see the module doc). Hold one
/// only around code whose panics are caught and reported.
pub struct Quiet(());

impl Quiet {
    pub fn new() -> Self {
        INSTALL.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                if !is_quiet() {
                    previous(info);
                }
            }));
        });
        HELD.fetch_add(1, Ordering::SeqCst);
        Quiet(())
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        HELD.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Whether a panic on the current thread, now, is to print nothing: a guard is held and the
/// thread is a rayon worker, where entries are read, or decompresses for one. The progress
/// bar's thread, `main` and test threads keep their messages.
fn is_quiet() -> bool {
    HELD.load(Ordering::SeqCst) > 0 && (rayon::current_thread_index().is_some() || helps_worker())
}

/// Whether this thread decompresses for a worker: its panic is resumed on the worker's.
fn helps_worker() -> bool {
    std::thread::current().name() == Some(crate::input::pipe::THREAD_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_only_on_worker_threads_while_a_guard_is_held() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        // Other tests may hold guards of their own meanwhile: only this thread's answer,
        // which needs no guard to be false, is checked without one.
        assert!(!is_quiet());
        let q = Quiet::new();
        assert!(!is_quiet(), "not a worker thread");
        assert!(pool.install(is_quiet));
        // A caught panic on a worker thread while the guard is held: the hook prints nothing
        // and the panic still unwinds to its catcher.
        let caught = pool.install(|| std::panic::catch_unwind(|| panic!("quiet, please")));
        assert!(caught.is_err());
        drop(q);
    }
}
