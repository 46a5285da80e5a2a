//! Compression bombs: a 1 GB zip bomb and a 1 GB gzip bomb, generated here (never
//! committed), are `skipped: too large` within 2 s and 100 MB of memory; a zip member that
//! inflates past the size its header declares is cut there (`partial`).
//!
//! Alone in its own test binary: the memory figure is the largest child this process ever
//! waited for (`getrusage(RUSAGE_CHILDREN)`), so no other test's scan may run beside it.

use std::fs;
use std::time::Duration;

mod common;
use common::bombs::{deflate_bomb, gzip_of, zip_one};
use common::measure::{scan, Run};

/// The peak resident memory of the largest child process waited for so far, in bytes.
fn children_max_rss() -> u64 {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes one rusage struct into the pointer it is given.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    assert_eq!(rc, 0);
    ru.ru_maxrss as u64 * 1024
}

#[test]
fn one_gigabyte_bombs_are_skipped_fast_and_in_little_memory() {
    let dir = tempfile::tempdir().unwrap();
    // Text, not NUL bytes: a bomb of zeros would be skipped as binary anyway.
    let (deflate, crc) = deflate_bomb(1024, b'a');
    let zip = dir.path().join("bomb.zip");
    fs::write(&zip, zip_one("data.csv", &deflate, crc, 1 << 30)).unwrap();
    let gz = dir.path().join("bomb.csv.gz");
    fs::write(&gz, gzip_of(&deflate, crc, 1 << 30)).unwrap();
    eprintln!(
        "bomb.zip {} bytes, bomb.csv.gz {} bytes, each 1 GiB decompressed",
        fs::metadata(&zip).unwrap().len(),
        fs::metadata(&gz).unwrap().len()
    );

    for (path, entry) in [(&zip, "bomb.zip!data.csv"), (&gz, "bomb.csv.gz")] {
        let Run {
            v, code, elapsed, ..
        } = scan(&[path], &[]);
        let rss = children_max_rss();
        eprintln!(
            "{entry}: {:.3} s, peak RSS of any scan so far {:.1} MB",
            elapsed.as_secs_f64(),
            rss as f64 / 1e6
        );
        let f = &v["files"][0];
        assert_eq!(f["path"], entry);
        assert_eq!(f["state"], "skipped", "{}", v["ledger"]);
        let reason = v["ledger"]["problems"][0]["reason"].as_str().unwrap();
        assert!(reason.starts_with("too large"), "{reason}");
        assert_eq!(code, 0, "a skipped entry does not make a scan incomplete");
        assert_eq!(v["records"]["total"], 0, "nothing of a bomb is counted");
        assert!(elapsed < Duration::from_secs(2), "{entry}: {elapsed:?}");
        assert!(rss < 100_000_000, "{entry}: peak RSS {rss}");
    }
}

#[test]
fn a_member_larger_than_its_header_says_is_cut_there() {
    let dir = tempfile::tempdir().unwrap();
    let (deflate, crc) = deflate_bomb(256, b'b');
    let zip = dir.path().join("liar.zip");
    // Declares 1000 bytes (a ratio no check would flag) but inflates to 256 MiB.
    fs::write(&zip, zip_one("data.txt", &deflate, crc, 1000)).unwrap();
    let Run {
        v, code, elapsed, ..
    } = scan(&[&zip], &[]);
    let f = &v["files"][0];
    assert_eq!(f["path"], "liar.zip!data.txt");
    assert_eq!(f["state"], "partial", "{}", v["ledger"]);
    assert_eq!(code, 3);
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}
