//! Scan states (SPEC §2 "State files and shards", issue 24): everything a summary is made
//! of, in a file that holds no raw identifier, so that summaries can be merged across
//! processes and machines ([`merge`]) and leaks compared ([`compare`]).
//!
//! A state needs the responder's key. Every distinct value becomes a keyed 64-bit
//! fingerprint: the first 8 bytes of HMAC-SHA256 over the kind's index byte and the value
//! as the scan holds it (8 bytes, big-endian; an e-mail's is its `hash_lower`), so the
//! fingerprints of two states compare only under the same key. A NIK keeps beside its
//! fingerprint what [`crate::summary::impact`] needs: the NIK without its 4-digit serial
//! (district, birth date and sex). Two values with one fingerprint count once: with 64
//! bits, about one chance in 10^7 for 10^6 values of a kind.
//!
//! Names are outputs (SPEC §7): the ledger is sealed ([`seal_files`]) — each path masked as
//! the report masks it and keyed by (masked path, fingerprint of the raw path), reasons
//! masked — so two raw paths that mask alike stay two entries, in an order a merge can
//! reproduce. A scan given a key lists `files` in that order too (`Summary::sealed`).
//!
//! [`file`] is the byte layout, [`header`] the JSON header.

pub mod compare;
pub mod file;
pub mod header;
pub mod merge;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use rayon::prelude::*;

use crate::rules::Kind;
use crate::summary::fingerprint::{hex, Key};
use crate::summary::state::file::StateWriter;
use crate::summary::verdict::reason_kind;
use crate::summary::{DistinctSet, FileStats, Reason, Summary};

/// The format and version of a state file.
pub const SCHEMA: &str = "triage.state/1";

/// The section of the distinct valid NIKs found in the `--reference` set.
pub const REFERENCE: &str = "reference_people";

/// u64s per record of a kind's section: a NIK's fingerprint and its metadata, another
/// kind's fingerprint.
pub fn width(kind: Kind) -> u64 {
    if kind == Kind::Nik {
        2
    } else {
        1
    }
}

/// Which key made a state: HMAC of a fixed label under it (the key cannot be read back).
pub fn key_id(key: &Key) -> String {
    hex(&key.fingerprint(b"triage.state/1 key id"))[..32].to_string()
}

/// The keyed 64-bit fingerprint of a distinct value of `kind`.
#[inline]
pub fn fingerprint(key: &Key, kind: Kind, v: u64) -> u64 {
    let mut msg = [0u8; 9];
    msg[0] = kind.index() as u8;
    msg[1..].copy_from_slice(&v.to_be_bytes());
    first8(&key.fingerprint(&msg))
}

/// The keyed 64-bit fingerprint of a raw path (prefixed apart from the values').
pub fn path_id(key: &Key, path: &str) -> u64 {
    let mut msg = b"path\0".to_vec();
    msg.extend_from_slice(path.as_bytes());
    first8(&key.fingerprint(&msg))
}

fn first8(fp: &[u8; 32]) -> u64 {
    u64::from_be_bytes(fp[..8].try_into().expect("8 bytes"))
}

/// What a NIK held as a number keeps in a state: all but its serial.
#[inline]
pub fn nik_meta(v: u64) -> u64 {
    v / 10_000
}

/// The ledger as states hold it: paths and reasons masked by `mask` (the report's name
/// masking), keyed by (masked path, keyed fingerprint of the raw path).
pub fn seal_files(
    files: &BTreeMap<String, FileStats>,
    key: &Key,
    mask: &mut dyn FnMut(&str) -> String,
) -> BTreeMap<(String, u64), FileStats> {
    let mut out: BTreeMap<(String, u64), FileStats> = BTreeMap::new();
    for (path, f) in files {
        let mut f = f.clone();
        f.reason = f.reason.map(|r| {
            Box::new(Reason::Shown {
                text: mask(&r.to_string()),
                kind: reason_kind(&r),
            })
        });
        let k = (mask(path), path_id(key, path));
        match out.get_mut(&k) {
            Some(mine) => *mine += f,
            None => {
                out.insert(k, f);
            }
        }
    }
    out
}

/// Field names as states hold them: masked alike (a header may be a row of data).
pub fn seal_fields(
    fields: &BTreeMap<String, BTreeSet<String>>,
    mask: &mut dyn FnMut(&str) -> String,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, written) in fields {
        out.entry(mask(name))
            .or_default()
            .extend(written.iter().map(|w| mask(w)));
    }
    out
}

/// Writes the state of a settled scan: its ledger sealed (`s.sealed`, or sealed here),
/// its field names masked, its distinct sets as sorted fingerprints.
pub fn write_scan(
    s: &mut Summary,
    key: &Key,
    mask: &mut dyn FnMut(&str) -> String,
    w: &mut dyn Write,
) -> io::Result<()> {
    let sealed_here = match s.sealed {
        Some(_) => None,
        None => Some(seal_files(&s.files, key, mask)),
    };
    let fields = seal_fields(&s.fields, mask);
    let mut out = StateWriter::new(w)?;
    for kind in Kind::ALL {
        let set = &mut s.stats.kinds[kind.index()].unique;
        out.begin(kind.name(), width(kind));
        for rec in fingerprints(set, key, kind) {
            out.record(&rec[..width(kind) as usize])?;
        }
    }
    out.begin(REFERENCE, 1);
    for rec in fingerprints(&mut s.stats.reference_people, key, Kind::Nik) {
        out.record(&rec[..1])?;
    }
    let files = sealed_here.as_ref().or(s.sealed.as_ref()).expect("sealed");
    let mut h = header::header(s, files, fields, key_id(key));
    h.custody.roots = h.custody.roots.iter().map(|r| mask(r)).collect();
    h.custody.case = h.custody.case.as_deref().map(&mut *mask);
    out.finish(h)
}

/// The distinct values of `set` as (fingerprint, NIK metadata or 0), sorted, one per
/// fingerprint.
fn fingerprints(set: &mut DistinctSet, key: &Key, kind: Kind) -> Vec<[u64; 2]> {
    let mut values = Vec::with_capacity(set.len());
    set.count_each(|v| values.push(v));
    let mut recs: Vec<[u64; 2]> = values
        .par_iter()
        .map(|&v| {
            let meta = if kind == Kind::Nik { nik_meta(v) } else { 0 };
            [fingerprint(key, kind, v), meta]
        })
        .collect();
    recs.par_sort_unstable();
    recs.dedup_by_key(|r| r[0]);
    recs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::impact::Impact;
    use crate::summary::state::compare::compare;
    use crate::summary::state::merge::merge;
    use std::path::{Path, PathBuf};

    /// A summary holding the NIKs `niks` and the phones `phones`, one file named `name`.
    fn summary(niks: &[u64], phones: &[u64], name: &str) -> Summary {
        let mut s = Summary {
            as_of: crate::calendar::Date::parse("2025-01-02").ok(),
            ..Summary::default()
        };
        for &v in niks {
            s.stats.kinds[Kind::Nik.index()].unique.insert(v);
            s.stats.kinds[Kind::Nik.index()].valid += 1;
        }
        for &v in phones {
            s.stats.kinds[Kind::Phone.index()].unique.insert(v);
        }
        s.stats.provinces[31] = niks.len() as u64;
        s.files.insert(
            name.into(),
            FileStats::new(crate::summary::State::Scanned, "csv", 9),
        );
        s
    }

    fn write(dir: &Path, name: &str, mut s: Summary, key: &Key) -> PathBuf {
        let path = dir.join(name);
        let mut f = std::fs::File::create(&path).unwrap();
        write_scan(
            &mut s,
            key,
            &mut |n: &str| n.replace("secret", "******"),
            &mut f,
        )
        .unwrap();
        path
    }

    const A: [u64; 3] = [3171014101900001, 3171014101900002, 3273010101150003];
    const B: [u64; 2] = [3171014101900002, 3171010101850001];

    #[test]
    fn merged_states_count_the_union_and_its_people() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::new(b"k").unwrap();
        let a = write(
            dir.path(),
            "a",
            summary(&A, &[628_111], "secret_a.csv"),
            &key,
        );
        let b = write(
            dir.path(),
            "b",
            summary(&B, &[628_111, 628_222], "b.csv"),
            &key,
        );
        let s = merge(&[a.clone(), b.clone()], &key, None).unwrap();
        let t = s.settled.as_ref().unwrap();
        assert_eq!(t.unique[Kind::Nik.index()], 4);
        assert_eq!(t.unique[Kind::Phone.index()], 2);
        assert_eq!(s.stats.provinces[31], 5, "counts add up");
        let union = [A[0], A[1], A[2], B[1]];
        assert_eq!(s.impact, Some(Impact::from_niks(union, s.as_of)));
        let names: Vec<&str> = s
            .sealed
            .as_ref()
            .unwrap()
            .keys()
            .map(|k| k.0.as_str())
            .collect();
        assert_eq!(names, ["******_a.csv", "b.csv"]);
        // The merged state, merged again, is the same summary.
        let mut out = Vec::new();
        merge(&[b.clone(), a.clone()], &key, Some(&mut out)).unwrap();
        let ab = dir.path().join("ab");
        std::fs::write(&ab, &out).unwrap();
        let again = merge(&[ab], &key, None).unwrap();
        assert_eq!(again.settled, s.settled);
        assert_eq!(again.impact, s.impact);
        assert!(merge(&[a], &Key::new(b"other").unwrap(), None).is_err());
    }

    #[test]
    fn compared_states_split_into_both_and_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::new(b"k").unwrap();
        let a = write(dir.path(), "a", summary(&A, &[1, 2, 3], "a"), &key);
        let b = write(dir.path(), "b", summary(&B, &[3, 4], "b"), &key);
        let c = compare(&a, &b, &key).unwrap();
        let get = |k: Kind| c.kinds.iter().find(|(x, _)| *x == k).unwrap().1;
        let nik = get(Kind::Nik);
        assert_eq!(
            (nik.a, nik.b, nik.both, nik.only_a(), nik.only_b()),
            (3, 2, 1, 2, 1)
        );
        let phone = get(Kind::Phone);
        assert_eq!((phone.both, phone.only_a(), phone.only_b()), (1, 2, 1));
        assert_eq!(c.provinces[&31].both, 1);
        assert_eq!((c.provinces[&32].a, c.provinces[&32].b), (1, 0));
    }

    #[test]
    fn fingerprints_are_keyed_and_kinds_apart() {
        let (k1, k2) = (Key::new(b"a").unwrap(), Key::new(b"b").unwrap());
        let v = 3171014101900001;
        assert_ne!(
            fingerprint(&k1, Kind::Nik, v),
            fingerprint(&k2, Kind::Nik, v)
        );
        assert_ne!(
            fingerprint(&k1, Kind::Nik, v),
            fingerprint(&k1, Kind::Kk, v)
        );
        assert_ne!(key_id(&k1), key_id(&k2));
        assert_eq!(nik_meta(v), 317101410190);
    }
}
