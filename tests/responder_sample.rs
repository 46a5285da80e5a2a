//! A responder's mixed sample: one `.tar.gz` holding DICOM files, a
//! PDF, a BSON dump, a SQLite database, a CSV, a DBF table, an HL7 batch and a nested zip is
//! read end to end: every member is a ledger entry named below the archive, each read by its
//! own reader, and together they count exactly what the same files count unpacked.

use std::fs;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

mod common;
use common::paths::fixtures;
use common::run::scan_json;

/// (path in the archive, committed fixture).
const MEMBERS: &[(&str, &str)] = &[
    ("dump/radiologi/IM0000.dcm", "formats/medical/IM0000.dcm"),
    ("dump/radiologi/IM0001.dcm", "formats/medical/IM0001.dcm"),
    ("dump/radiologi/IM0002.dcm", "formats/medical/IM0002.dcm"),
    ("dump/lab/hasil.pdf", "formats/people.pdf"),
    ("dump/app/users.bson", "formats/people.bson"),
    ("dump/app/mobile.sqlite", "formats/people.sqlite"),
    ("dump/peserta.csv", "tricky/card_field.csv"),
    ("dump/lama/pasien.dbf", "formats/people.dbf"),
    ("dump/hl7/adt_batch.hl7", "formats/medical/adt_batch.hl7"),
    ("dump/arsip/bundle.zip", "formats/bundle.zip"),
];

/// The members as a gzip'd ustar archive.
fn tar_gz(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(GzEncoder::new(Vec::new(), Compression::fast()));
    for (name, bytes) in members {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_cksum();
        b.append_data(&mut h, name, &bytes[..]).unwrap();
    }
    b.into_inner().unwrap().finish().unwrap()
}

fn files(v: &Value) -> Vec<(String, String, String)> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (s("path"), s("state"), s("format"))
        })
        .collect()
}

#[test]
fn a_mixed_tar_gz_is_read_end_to_end_every_member_an_entry() {
    let dir = tempfile::tempdir().unwrap();
    let members: Vec<(&str, Vec<u8>)> = MEMBERS
        .iter()
        .map(|(name, src)| (*name, fs::read(fixtures().join(src)).unwrap()))
        .collect();
    let archive = dir.path().join("sample.tar.gz");
    fs::write(&archive, tar_gz(&members)).unwrap();
    let unpacked = dir.path().join("unpacked");
    for (name, bytes) in &members {
        let to = unpacked.join(name);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::write(to, bytes).unwrap();
    }

    let (v, code) = scan_json(&archive, &[]);
    assert_eq!(code, 0, "{}", v["ledger"]);
    let entries = files(&v);
    for (name, _) in MEMBERS {
        let below = format!("sample.tar.gz!{name}");
        assert!(
            entries.iter().any(|(p, ..)| p.starts_with(&below)),
            "{below} has no entry: {entries:?}"
        );
    }
    let format_of = |name: &str| {
        let path = format!("sample.tar.gz!{name}");
        entries.iter().find(|(p, ..)| *p == path).unwrap().2.clone()
    };
    for (name, format) in [
        ("dump/radiologi/IM0001.dcm", "dicom"),
        ("dump/lab/hasil.pdf", "pdf"),
        ("dump/app/users.bson", "bson"),
        ("dump/app/mobile.sqlite", "sqlite"),
        ("dump/peserta.csv", "csv"),
        ("dump/lama/pasien.dbf", "dbf"),
        ("dump/hl7/adt_batch.hl7", "hl7"),
    ] {
        assert!(
            format_of(name).ends_with(format),
            "{name}: {}",
            format_of(name)
        );
    }
    // The nested zip's members are entries too, below both containers.
    assert!(entries
        .iter()
        .any(|(p, ..)| p.starts_with("sample.tar.gz!dump/arsip/bundle.zip!")));
    assert!(entries.iter().all(|(_, state, _)| state != "failed"));

    // Unpacked, the same files count the same records, identifiers and entries.
    let (plain, code) = scan_json(&unpacked, &[]);
    assert_eq!(code, 0, "{}", plain["ledger"]);
    for section in ["records", "identifiers"] {
        assert_eq!(v[section], plain[section], "{section}");
    }
    assert_eq!(v["ledger"]["entries"], plain["ledger"]["entries"]);
    assert_eq!(v["ledger"]["scanned"], plain["ledger"]["scanned"]);
    assert!(Path::new(&archive).exists());
}
