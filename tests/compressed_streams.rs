//! A compressed file large enough to be decompressed on a thread of its own (issue 26): read
//! as the same records as the plain file at every thread count, hashed whole as the file it
//! is, and cut short it is `partial` with the same count each time.

use std::fs;

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::archives::{gzip, xz, zstd};
use common::run::scan_json;
use common::samples::{same_counts, scan_ok, synth};

/// Everything a summary says outside `run` and the start time.
fn stable(mut v: Value) -> Value {
    v.as_object_mut().unwrap().remove("run");
    v["custody"].as_object_mut().unwrap().remove("started");
    v
}

#[test]
fn a_large_compressed_stream_reads_as_the_plain_file() {
    let d = tempfile::tempdir().unwrap();
    let plain = synth(&d.path().join("s"), 20_000, 3);
    let data = fs::read(&plain).unwrap();
    let want = scan_ok(&plain);
    for (name, packed) in [
        ("p.csv.gz", gzip(&data, flate2::Compression::fast())),
        ("p.csv.zst", zstd(&data)),
        ("p.csv.xz", xz(&data)),
    ] {
        // More than the first block read: the stream goes to the helper thread.
        assert!(packed.len() > 256 << 10, "{name}: {} bytes", packed.len());
        let path = d.path().join(name);
        fs::write(&path, &packed).unwrap();
        let sha = format!("{:x}", Sha256::digest(&packed));
        let mut first = None;
        for j in ["1", "2", "8"] {
            let (v, code) = scan_json(&path, &["-j", j]);
            assert_eq!(code, 0, "{name} -j{j}: {}", v["ledger"]);
            same_counts(name, &v, &want);
            assert_eq!(v["files"][0]["sha256"], sha.as_str(), "{name}");
            let v = stable(v);
            assert_eq!(first.get_or_insert_with(|| v.clone()), &v, "{name} -j{j}");
        }
    }
}

#[test]
fn a_large_stream_cut_short_is_partial_alike_at_every_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let plain = synth(&d.path().join("s"), 20_000, 4);
    let packed = gzip(&fs::read(&plain).unwrap(), flate2::Compression::fast());
    let path = d.path().join("cut.csv.gz");
    fs::write(&path, &packed[..packed.len() * 2 / 3]).unwrap();
    let mut first = None;
    for j in ["1", "2", "8"] {
        let (v, code) = scan_json(&path, &["-j", j]);
        assert_eq!(code, 3, "-j{j}: {}", v["ledger"]);
        let f = &v["files"][0];
        assert_eq!(f["state"], "partial", "-j{j}");
        let records = f["records"].as_u64().unwrap();
        assert!(records > 10_000 && records < 20_000, "{records}");
        let v = stable(v);
        assert_eq!(first.get_or_insert_with(|| v.clone()), &v, "-j{j}");
    }
}
