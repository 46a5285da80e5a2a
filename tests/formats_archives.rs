//! Tar (every variant, plain and compressed), 7z, e-mail and mbox: the same
//! synthetic people give the same counts as the plain CSV; members are `!` entries; damaged,
//! truncated, encrypted and bomb inputs end `partial`, `failed` or `skipped` with a reason
//! naming the format, in bounded time; RAR is an honest `failed`.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

use common::archives::{bzip2, gzip, xz, zip, zstd};
use common::measure;
use common::paths::fixtures;
use common::run::{scan_json, scan_json_exit};
use common::samples::{same_counts, scan_ok, synth};
use common::summary::{file, reason};
use serde_json::Value;

const NAME: &str = "bpjs_sample.csv";

/// The synth sample's CSV bytes, and its plain scan.
fn sample(dir: &Path) -> (Vec<u8>, Value) {
    let csv = synth(&dir.join("src"), 300, 7);
    let plain = scan_ok(&csv);
    (fs::read(csv).unwrap(), plain)
}

#[derive(Clone, Copy)]
enum Flavour {
    Ustar,
    Gnu,
    Pax,
    V7,
}

/// A tar of `(name, data)` members with headers of `flavour`; a name ending in `/` is a
/// folder.
fn tar_of(members: &[(&str, &[u8])], flavour: Flavour) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in members {
        if let Flavour::Pax = flavour {
            // A pax record for every member, as GNU tar --format=pax writes for long names.
            b.append_pax_extensions([("path", name.as_bytes())])
                .unwrap();
        }
        let mut h = match flavour {
            Flavour::Ustar | Flavour::Pax => tar::Header::new_ustar(),
            Flavour::Gnu => tar::Header::new_gnu(),
            Flavour::V7 => tar::Header::new_old(),
        };
        h.set_mode(0o644);
        h.set_mtime(1_700_000_000);
        let short = if name.len() > 90 { "long" } else { name };
        if name.ends_with('/') {
            h.set_entry_type(tar::EntryType::Directory);
            h.set_size(0);
            b.append_data(&mut h, short, std::io::empty()).unwrap();
        } else if let Flavour::Pax = flavour {
            h.set_size(data.len() as u64);
            h.set_path(short).unwrap();
            h.set_cksum();
            b.append(&h, *data).unwrap();
        } else {
            h.set_size(data.len() as u64);
            b.append_data(&mut h, name, *data).unwrap();
        }
    }
    b.into_inner().unwrap()
}

/// A 7z (one solid block) of `members`.
fn sevenz_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
    let entries = members
        .iter()
        .map(|(n, _)| sevenz_rust2::ArchiveEntry::new_file(n))
        .collect();
    let readers = members.iter().map(|(_, d)| (*d).into()).collect();
    w.push_archive_entries(entries, readers).unwrap();
    w.finish().unwrap().into_inner()
}

/// An encrypted 7z of one member (its headers too, when `headers`).
fn sevenz_encrypted(data: &[u8], headers: bool) -> Vec<u8> {
    use sevenz_rust2::encoder_options::AesEncoderOptions;
    use sevenz_rust2::{ArchiveEntry, ArchiveWriter, EncoderMethod};
    let mut w = ArchiveWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
    w.set_content_methods(vec![
        AesEncoderOptions::new("rahasia".into()).into(),
        EncoderMethod::LZMA2.into(),
    ]);
    w.set_encrypt_header(headers);
    w.push_archive_entry(ArchiveEntry::new_file("peserta.csv"), Some(data))
        .unwrap();
    w.finish().unwrap().into_inner()
}

/// A base64 body in lines of 76 characters.
fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, c) in data.chunks(3).enumerate() {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let x = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            out.push(if k <= c.len() {
                A[(x >> (18 - 6 * k) & 63) as usize] as char
            } else {
                '='
            });
        }
        if i % 19 == 18 {
            out.push_str("\r\n");
        }
    }
    out
}

/// A message with a short text body (no identifier) and `data` attached as `name`.
fn eml(name: &str, data: &[u8]) -> String {
    format!(
        "Return-Path: <kirim@example.com>\r\nFrom: Petugas <kirim@example.com>\r\n\
         To: <terima@example.com>\r\nSubject: data peserta\r\nDate: Mon, 1 Jan 2024 08:00:00 +0700\r\n\
         Message-ID: <1@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"==b1==\"\r\n\r\n\
         This is a multi-part message in MIME format.\r\n--==b1==\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\nTerlampir data peserta.\r\n--==b1==\r\n\
         Content-Type: text/csv; name=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\r\n{}\r\n--==b1==--\r\n",
        base64(data)
    )
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn tar_every_variant_and_compression_counts_as_the_csv() {
    let d = tempfile::tempdir().unwrap();
    let (csv, plain) = sample(d.path());
    let long = format!("{}/{NAME}", "sub".repeat(40));
    for (flavour, label) in [
        (Flavour::Ustar, "ustar"),
        (Flavour::Gnu, "gnu"),
        (Flavour::Pax, "pax"),
        (Flavour::V7, "v7"),
    ] {
        let name = if matches!(flavour, Flavour::V7) {
            format!("dir/{NAME}")
        } else {
            long.clone()
        };
        let t = tar_of(&[("dir/", b""), (&name, &csv)], flavour);
        let p = write(d.path(), &format!("{label}.tar"), &t);
        let v = scan_ok(&p);
        same_counts(label, &v, &plain);
        let member = file(&v, &format!("{label}.tar!{name}"));
        assert_eq!(member["state"], "scanned", "{label}");
        assert_eq!(v["ledger"]["entries"], 1, "{label}: the folder is no entry");
    }
    let t = tar_of(&[(NAME, &csv)], Flavour::Gnu);
    for (name, bytes) in [
        ("s.tar.gz", gzip(&t, flate2::Compression::fast())),
        ("s.tgz", gzip(&t, flate2::Compression::best())),
        ("s.tar.zst", zstd(&t)),
        ("s.tar.xz", xz(&t)),
        ("s.tar.bz2", bzip2(&t)),
    ] {
        let v = scan_ok(&write(d.path(), name, bytes));
        same_counts(name, &v, &plain);
        assert_eq!(file(&v, &format!("{name}!{NAME}"))["format"], "csv");
    }
}

#[test]
fn sevenz_eml_and_mbox_count_as_the_csv() {
    let d = tempfile::tempdir().unwrap();
    let (csv, plain) = sample(d.path());
    let v = scan_ok(&write(d.path(), "s.7z", sevenz_of(&[(NAME, &csv)])));
    same_counts("7z", &v, &plain);
    assert_eq!(file(&v, &format!("s.7z!{NAME}"))["state"], "scanned");

    let mail = eml("pasien.csv", &csv);
    let v = scan_ok(&write(d.path(), "mail.eml", &mail));
    // The body line holds no identifier but is one record of text.
    let total = |v: &Value| v["records"]["total"].as_u64().unwrap();
    assert_eq!(total(&v), total(&plain) + 1);
    assert_eq!(v["identifiers"], plain["identifiers"]);
    let att = file(&v, "mail.eml!pasien.csv");
    assert_eq!(
        (&att["state"], &att["format"]),
        (&"scanned".into(), &"csv".into())
    );
    assert_eq!(att["bytes"], csv.len() as u64);
    assert_eq!(file(&v, "mail.eml!body.txt")["records"], 1);

    // The same message in an mbox, twice: every identifier twice, names by message.
    let mbox = format!(
        "From kirim@example.com Mon Jan  1 08:00:00 2024\n{}\nFrom kirim@example.com Mon Jan  1 08:00:01 2024\n{}",
        mail.replace("\r\n", "\n"),
        mail.replace("\r\n", "\n")
    );
    let v = scan_ok(&write(d.path(), "box.mbox", mbox));
    assert_eq!(file(&v, "box.mbox!2/pasien.csv")["state"], "scanned");
    assert_eq!(
        v["identifiers"]["nik"]["candidates"],
        2 * plain["identifiers"]["nik"]["candidates"].as_u64().unwrap()
    );
}

#[test]
fn nested_archives_in_a_tar_are_opened() {
    let d = tempfile::tempdir().unwrap();
    let (csv, plain) = sample(d.path());
    let inner = zip(&[(NAME, &csv)], false);
    let tgz = gzip(
        &tar_of(&[(NAME, &csv)], Flavour::Ustar),
        flate2::Compression::fast(),
    );
    let svz = sevenz_of(&[(NAME, &csv)]);
    let mail = eml("p.csv", &csv);
    let t = tar_of(
        &[
            ("a/inner.zip", &inner),
            ("b/inner.tar.gz", &tgz),
            ("c/inner.7z", &svz),
            ("d/mail.eml", mail.as_bytes()),
        ],
        Flavour::Gnu,
    );
    let v = scan_ok(&write(d.path(), "outer.tar", t));
    for name in [
        format!("outer.tar!a/inner.zip!{NAME}"),
        format!("outer.tar!b/inner.tar.gz!{NAME}"),
        format!("outer.tar!c/inner.7z!{NAME}"),
        "outer.tar!d/mail.eml!p.csv".to_string(),
    ] {
        assert_eq!(file(&v, &name)["state"], "scanned", "{name}");
    }
    let four = 4 * plain["identifiers"]["nik"]["valid"].as_u64().unwrap();
    assert_eq!(v["identifiers"]["nik"]["valid"], four);
}

/// A scan of `dir` that must exit 3 and end within `limit`.
fn scan_incomplete(dir: &Path, limit: Duration) -> Value {
    let t = Instant::now();
    let v = scan_json_exit(dir, &[], 3);
    assert!(t.elapsed() < limit, "took {:?}", t.elapsed());
    v
}

fn state(v: &Value, path: &str) -> String {
    file(v, path)["state"].as_str().unwrap().to_string()
}

#[test]
fn hostile_tars_end_with_a_reason_naming_tar() {
    let d = tempfile::tempdir().unwrap();
    let rows = b"nama,nik\nBudi,3171010101900001\n".repeat(200);
    let t = tar_of(&[("a.csv", &rows), ("b.csv", &rows)], Flavour::Ustar);
    // Cut inside the second member; and the same, gzip'd.
    let cut = &t[..512 + rows.len().div_ceil(512) * 512 + 512 + 1000];
    write(d.path(), "cut.tar", cut);
    write(
        d.path(),
        "cut.tar.gz",
        &gzip(cut, flate2::Compression::fast())[..],
    );
    // The second header's checksum off by one.
    let mut bad = t.clone();
    bad[512 + rows.len().div_ceil(512) * 512 + 100] ^= 1;
    write(d.path(), "bad.tar", &bad);
    // A header that declares 100 GiB (nothing follows), and 1 GiB of zeros gzip'd.
    let mut huge = tar::Header::new_gnu();
    huge.set_path("huge.csv").unwrap();
    huge.set_size(100 << 30);
    huge.set_cksum();
    write(d.path(), "declared.tar", huge.as_bytes());
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut h = tar::Header::new_gnu();
    h.set_path("zeros.csv").unwrap();
    h.set_size(1 << 30);
    h.set_cksum();
    enc.write_all(h.as_bytes()).unwrap();
    let mib = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        enc.write_all(&mib).unwrap();
    }
    write(d.path(), "bomb.tar.gz", enc.finish().unwrap());

    let v = scan_incomplete(d.path(), Duration::from_secs(60));
    for a in ["cut.tar", "cut.tar.gz", "bad.tar"] {
        assert_eq!(state(&v, &format!("{a}!a.csv")), "scanned", "{a}");
        assert_eq!(state(&v, a), "partial", "{a}");
        assert!(
            reason(&v, a).starts_with("tar archive truncated or damaged after "),
            "{a}: {}",
            reason(&v, a)
        );
    }
    assert_eq!(state(&v, "cut.tar!b.csv"), "partial");
    assert!(reason(&v, "cut.tar!b.csv").contains("tar member cut short"));
    assert!(reason(&v, "bad.tar").contains("checksum"));
    assert_eq!(state(&v, "declared.tar!huge.csv"), "skipped");
    assert!(reason(&v, "declared.tar!huge.csv").starts_with("too large: 107374182400 bytes"));
    assert_eq!(state(&v, "bomb.tar.gz"), "skipped");
    assert!(reason(&v, "bomb.tar.gz").starts_with("too large"));
}

/// A 7z whose header declares 2^34 files in a few bytes (the reader would allocate them).
fn crafted_7z() -> Vec<u8> {
    let crc = |b: &[u8]| {
        let mut c = flate2::Crc::new();
        c.update(b);
        c.sum().to_le_bytes()
    };
    let mut hdr = b"\x01\x05\xff".to_vec();
    hdr.extend_from_slice(&(1u64 << 34).to_le_bytes());
    hdr.push(0);
    let mut start = [0u64.to_le_bytes(), (hdr.len() as u64).to_le_bytes()].concat();
    start.extend_from_slice(&crc(&hdr));
    let mut out = b"7z\xbc\xaf\x27\x1c\x00\x04".to_vec();
    out.extend_from_slice(&crc(&start));
    out.extend(start);
    out.extend(hdr);
    out
}

#[test]
fn hostile_7z_and_mail_end_with_a_reason_naming_the_format() {
    let d = tempfile::tempdir().unwrap();
    let rows = b"nama,nik\nBudi,3171010101900001\n".repeat(200);
    let svz = sevenz_of(&[("a.csv", &rows)]);
    write(d.path(), "cut.7z", &svz[..svz.len() - 10]);
    write(d.path(), "locked.7z", sevenz_encrypted(&rows, false));
    write(d.path(), "sealed.7z", sevenz_encrypted(&rows, true));
    write(d.path(), "crafted.7z", crafted_7z());
    write(
        d.path(),
        "b.rar",
        b"Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5\x0a\x01\x05\x06\x00",
    );
    let mail = eml("p.csv", &rows);
    let cut = &mail[..mail.len() - 200];
    write(d.path(), "cut.eml", cut);
    write(
        d.path(),
        "bad.eml",
        mail.replacen("bmFtYSxua", "bmFtYS*ua", 1),
    );

    let v = scan_incomplete(d.path(), Duration::from_secs(30));
    assert_eq!(state(&v, "cut.7z"), "failed");
    assert!(reason(&v, "cut.7z").starts_with("7-zip archive unreadable"));
    assert_eq!(state(&v, "locked.7z!peserta.csv"), "failed");
    assert_eq!(
        reason(&v, "locked.7z!peserta.csv"),
        "encrypted (password protected): not read"
    );
    assert_eq!(state(&v, "sealed.7z"), "failed");
    assert_eq!(
        reason(&v, "sealed.7z"),
        "7-zip archive: encrypted headers (password protected): not read"
    );
    assert_eq!(state(&v, "crafted.7z"), "failed");
    assert!(reason(&v, "crafted.7z").starts_with("7-zip archive unreadable"));
    assert_eq!(state(&v, "b.rar"), "failed");
    assert!(reason(&v, "b.rar").starts_with("RAR archive: not read (no licence-compatible"));
    assert_eq!(state(&v, "cut.eml"), "partial");
    assert!(reason(&v, "cut.eml").starts_with("e-mail message truncated or damaged after 2"));
    assert_eq!(state(&v, "cut.eml!p.csv"), "scanned");
    assert_eq!(state(&v, "bad.eml!p.csv"), "partial");
    assert!(reason(&v, "bad.eml!p.csv").contains("e-mail attachment: invalid base64"));
}

#[test]
fn archives_give_identical_summaries_on_one_and_two_threads() {
    let d = tempfile::tempdir().unwrap();
    let (csv, _) = sample(d.path());
    let half = &csv[..csv.len() / 2];
    write(
        d.path(),
        "a.tar.gz",
        gzip(
            &tar_of(&[(NAME, &csv), ("h.csv", half)], Flavour::Pax),
            flate2::Compression::fast(),
        ),
    );
    write(
        d.path(),
        "b.7z",
        sevenz_of(&[(NAME, &csv), ("h.csv", half)]),
    );
    write(d.path(), "c.eml", eml("p.csv", &csv));
    write(
        d.path(),
        "d.tar",
        &tar_of(&[(NAME, &csv)], Flavour::V7)[..3000],
    );
    let run = |j: &str| {
        let (mut v, _) = scan_json(d.path(), &[j]);
        common::summary::without_times(&mut v);
        v
    };
    assert_eq!(run("-j1"), run("-j2"));
}

#[test]
fn committed_archive_fixtures_count_like_their_sources() {
    let formats = fixtures().join("formats");
    let tricky = fixtures().join("tricky");
    let people = scan_ok(&tricky.join("people.tsv"));
    for name in ["people.tar", "people_pax.tar", "people_v7.tar"] {
        same_counts(name, &scan_ok(&formats.join(name)), &people);
    }
    let card = scan_ok(&tricky.join("card_field.csv"));
    same_counts(
        "card_gnu.tar.gz",
        &scan_ok(&formats.join("card_gnu.tar.gz")),
        &card,
    );
    // Both sources, attached: the same identifiers (the text bodies hold none).
    let d = tempfile::tempdir().unwrap();
    for name in ["people.tsv", "card_field.csv"] {
        fs::copy(tricky.join(name), d.path().join(name)).unwrap();
    }
    let both = scan_ok(d.path());
    for name in ["people.eml", "people.mbox"] {
        let v = scan_ok(&formats.join(name));
        assert_eq!(v["identifiers"], both["identifiers"], "{name}");
    }
}

#[test]
fn a_mailbox_of_one_huge_line_and_a_pax_bomb_stay_in_bounded_memory() {
    let d = tempfile::tempdir().unwrap();
    // 64 MB of base64 without a line break, then a body line with a NIK: read in pieces.
    let mut mbox = b"From a@example.com Mon Jan  1 08:00:00 2024\nFrom: a@example.com\n\
        Message-ID: <1@x>\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\
        Content-Type: application/octet-stream; name=blob.bin\n\
        Content-Transfer-Encoding: base64\n\n"
        .to_vec();
    mbox.extend(std::iter::repeat_n(b'A', 64 << 20));
    mbox.extend_from_slice(b"\n--b\nContent-Type: text/plain\n\nnik 3171014101900001\n--b--\n");
    write(d.path(), "box.mbox", &mbox);
    // A tar whose pax header declares 1 GiB: a header extension is never held whole.
    let mut h = tar::Header::new_ustar();
    h.set_path("PaxHeaders/x").unwrap();
    h.set_entry_type(tar::EntryType::XHeader);
    h.set_size(1 << 30);
    h.set_cksum();
    let mut pax = h.as_bytes().to_vec();
    pax.extend(std::iter::repeat_n(b'9', 8 << 20));
    write(d.path(), "pax.tar", &pax);
    let run = measure::scan(&[d.path()], &[]);
    run.check("huge mail line, pax bomb", 3, Duration::from_secs(60), 200);
    assert_eq!(run.file("box.mbox!1/body.txt")["valid"]["nik"], 1);
    // 48 MB of NUL bytes: the strings pass finds nothing in them.
    assert_eq!(run.file("box.mbox!1/blob.bin")["records"], 0);
    assert!(run
        .reason("pax.tar")
        .contains("header extension over 1048576 bytes"));
}
