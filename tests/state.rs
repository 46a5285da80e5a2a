//! Issue 24: the state file. Done-when 3 — no raw identifier in a state, in any written
//! form — and the refusals: no key, another key, another version, a bad checksum, a file
//! that is no state. A state merged alone is the same state, byte for byte.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::samples::synth;
use common::state::{args, merge, revealed_records, run, scan_state, KEY};
use triage::summary::hash_lower;

/// Every candidate of the inputs, as `--records --reveal` lists them (valid and invalid).
fn candidates(roots: &[&Path], dir: &Path) -> BTreeSet<(String, String)> {
    let records = revealed_records(roots, dir);
    let mut rd = csv::Reader::from_path(&records).unwrap();
    let mut out = BTreeSet::new();
    for rec in rd.records() {
        let rec = rec.unwrap();
        for cell in [&rec[4], &rec[5]] {
            for item in cell.split(' ').filter(|s| !s.is_empty()) {
                let (kind, value) = item.split_once(':').unwrap();
                out.insert((kind.to_string(), value.to_string()));
            }
        }
    }
    out
}

/// Every form a value could be written in: as found, its digits, a phone's `+62`, `62`
/// and `0` writings, lower case; and as 64-bit numbers (each digit form, an e-mail's
/// `hash_lower`) in both byte orders.
fn forms(kind: &str, value: &str) -> Vec<Vec<u8>> {
    let mut text: BTreeSet<String> = BTreeSet::new();
    text.insert(value.to_string());
    text.insert(value.to_lowercase());
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    let mut numbers = Vec::new();
    if kind == "email" {
        numbers.push(hash_lower(value.as_bytes()));
    } else if !digits.is_empty() {
        let national = digits.strip_prefix("62").unwrap_or(&digits).to_string();
        let national = national.trim_start_matches('0').to_string();
        for d in [
            digits.clone(),
            format!("62{national}"),
            format!("0{national}"),
            national.clone(),
        ] {
            numbers.extend(d.parse::<u64>().ok());
            text.insert(d);
        }
        text.insert(format!("+62{national}"));
    }
    let mut out: Vec<Vec<u8>> = text
        .into_iter()
        .filter(|t| t.len() >= 8)
        .map(String::into_bytes)
        .collect();
    for n in numbers {
        out.push(n.to_le_bytes().to_vec());
        out.push(n.to_be_bytes().to_vec());
    }
    out
}

/// Every window of `hay` of each length in `lengths`, for many needles at once.
fn windows(hay: &[u8], lengths: BTreeSet<usize>) -> HashSet<&[u8]> {
    lengths.into_iter().flat_map(|n| hay.windows(n)).collect()
}

#[test]
fn done_when_3_no_raw_identifier_in_a_state() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = synth(&tmp.path().join("s"), 1500, 3);
    let tricky = common::paths::fixtures().join("tricky");
    // A file named by a NIK of the sample: names are outputs too.
    let named = tmp.path().join("named");
    fs::create_dir_all(&named).unwrap();
    let data = fs::read_to_string(&sample).unwrap();
    let nik = data
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(5)
        .unwrap()
        .to_string();
    fs::write(named.join(format!("ktp_{nik}.csv")), &data[..2000]).unwrap();
    let roots = [sample.as_path(), tricky.as_path(), named.as_path()];
    let found = candidates(&roots, tmp.path());
    assert!(found.len() > 5000, "{} candidates", found.len());
    let kinds: BTreeSet<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert!(kinds.len() >= 5, "{kinds:?}");
    let state = tmp.path().join("all.state");
    scan_state(&args(&roots), &state);
    let mode = fs::metadata(&state).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "owner-only");
    let bytes = fs::read(&state).unwrap();
    assert!(
        bytes.len() > 40_000,
        "the sets are in it: {} bytes",
        bytes.len()
    );
    let named_nik = ("nik".to_string(), nik.clone());
    let all: Vec<(&String, &String, Vec<u8>)> = found
        .iter()
        .chain([&named_nik])
        .flat_map(|(k, v)| forms(k, v).into_iter().map(move |f| (k, v, f)))
        .collect();
    let present = windows(&bytes, all.iter().map(|(.., f)| f.len()).collect());
    let checked = all.len();
    for (kind, value, f) in &all {
        assert!(
            !present.contains(f.as_slice()),
            "{kind} {value} is in the state as {:?}",
            String::from_utf8_lossy(f)
        );
    }
    assert!(checked > 4 * found.len(), "{checked} forms");
    // The search finds what is there: the records file, written with --reveal, holds the
    // values as text, and a file of their numbers holds them in binary.
    let records = fs::read(tmp.path().join("records.csv")).unwrap();
    let binary: Vec<u8> = all
        .iter()
        .filter(|(.., f)| f.len() == 8)
        .flat_map(|(.., f)| f.clone())
        .collect();
    for hay in [&records, &binary] {
        let seen = windows(hay, all.iter().map(|(.., f)| f.len()).collect());
        let hits = all
            .iter()
            .filter(|(.., f)| seen.contains(f.as_slice()))
            .count();
        assert!(hits > found.len(), "{hits} of {checked} forms found");
    }
}

#[test]
fn a_state_is_refused_without_its_key_version_or_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    let tricky = common::paths::fixtures().join("tricky");
    let state = tmp.path().join("a.state");
    // No key: refused before anything is scanned.
    let mut a = args(&["scan"]);
    a.push(tricky.clone().into());
    a.extend(args(&["--no-progress", "--state"]));
    a.push(state.clone().into());
    let r = run(&a, None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--state needs a key"), "{}", r.stderr);
    assert!(!state.exists());
    scan_state(&args(&[&tricky, &tricky.join("emails.txt")]), &state);
    assert_eq!(
        merge(std::slice::from_ref(&state), &["-o", "/dev/null"]).code,
        0
    );
    let refused = |path: &Path, key: Option<&str>, why: &str| {
        let mut a = args(&["merge"]);
        a.push(path.into());
        let r = run(&a, key);
        assert_eq!(r.code, 2, "{why}: {}", r.stderr);
        assert!(r.stderr.contains(why), "{why}: {}", r.stderr);
        assert!(r.stdout.is_empty());
    };
    refused(&state, None, "needs the key");
    refused(&state, Some("another key"), "made with another key");
    // Also when the merge writes a state: the reason is said, and nothing is left behind.
    let out = tmp.path().join("out.state");
    let mut a = args(&["merge", "-o", "/dev/null", "--state"]);
    a.extend(args(&[&out, &state]));
    let r = run(&a, Some("another key"));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("made with another key"), "{}", r.stderr);
    assert!(!out.exists());
    let bytes = fs::read(&state).unwrap();
    let bad = tmp.path().join("bad.state");
    let mut b = bytes.clone();
    b[40] ^= 1;
    fs::write(&bad, &b).unwrap();
    refused(&bad, Some(KEY), "checksum mismatch");
    let mut v2 = bytes.clone();
    v2[..15].copy_from_slice(b"triage.state/2\n");
    fs::write(&bad, &v2).unwrap();
    refused(&bad, Some(KEY), "version \"2\"");
    fs::write(&bad, &bytes[..bytes.len() - 1]).unwrap();
    refused(&bad, Some(KEY), "checksum mismatch");
    fs::write(&bad, b"triage.state/1\n").unwrap();
    refused(&bad, Some(KEY), "cut short");
    fs::write(&bad, b"nik,name\n").unwrap();
    refused(&bad, Some(KEY), "not a triage state file");
}

#[test]
fn a_state_merged_alone_is_the_same_state() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = synth(&tmp.path().join("s"), 500, 5);
    let tricky = common::paths::fixtures().join("tricky");
    let state = tmp.path().join("a.state");
    scan_state(&args(&[&sample, &tricky]), &state);
    let again = tmp.path().join("b.state");
    let out = again.to_str().unwrap();
    let m = merge(
        std::slice::from_ref(&state),
        &["-o", "/dev/null", "--state", out],
    );
    assert_eq!(m.code, 0, "{}", m.stderr);
    assert_eq!(fs::read(&state).unwrap(), fs::read(&again).unwrap());
}
