//! The progress bar on stderr (indicatif), drawn by its own thread from the scan's shared
//! byte counters, only when stderr is a terminal and `--no-progress` is not given.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::scan::Progress;

/// Draws `p` ten times a second until `done`, then clears the bar.
pub fn draw_progress(p: &Progress, done: &AtomicBool) {
    let bar = indicatif::ProgressBar::new(p.total.load(Ordering::Relaxed));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
        .expect("a valid template"),
    );
    while !done.load(Ordering::Acquire) {
        bar.set_length(p.total.load(Ordering::Relaxed));
        bar.set_position(p.done.load(Ordering::Relaxed));
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}
