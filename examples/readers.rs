//! Writes one synthetic sample (a `triage synth` CSV) as an input of about `MB` megabytes
//! for each reader that `bench/readers.sh` times, with the tests' own writers
//! (tests/common), so the benchmark reads the same shapes the tests check:
//!
//!     cargo run --release --example readers -- SAMPLE.csv OUTDIR [MB]
//!
//! Writes OUTDIR/people.dbf, .sqlite, .bson, .pgdump, .pdf, .docx, .odt, .hl7, dicom/ (one
//! file per person, each with `PIXEL_KB` of pixel data after the header, as a CT slice has),
//! mail.eml (the CSV as a base64 attachment), csv.tar and csv.tar.gz (the CSV cut into
//! members), csv.7z (LZMA2). The record formats hold as many rows as fit in MB; the archives
//! and the mail hold MB of CSV (their file size is printed).

#[path = "../tests/common/mod.rs"]
mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{archives, databases, dbf, documents, medical};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Pixel data per DICOM file: the reader stops before it, as it does on a real scan.
const PIXEL_KB: usize = 256;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if !(3..=4).contains(&args.len()) {
        eprintln!("usage: readers SAMPLE.csv OUTDIR [MB]");
        std::process::exit(2);
    }
    let (src, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let mb: usize = args.get(3).map_or(Ok(100), |m| m.parse())?;
    let target = mb * 1_000_000;
    fs::create_dir_all(&out)?;
    let (header, rows) = read_csv(&src)?;
    let fit = |name: &str, write: &dyn Fn(&[Vec<String>]) -> Vec<u8>| -> Result<()> {
        let n = fitting(&rows, target, write);
        fs::write(out.join(name), write(&rows[..n]))?;
        eprintln!("{name}: {n} rows");
        Ok(())
    };
    fit("people.dbf", &|r| dbf::dbf(&header, r))?;
    fit("people.bson", &|r| databases::bson(&header, r, &[]))?;
    fit("people.pgdump", &|r| {
        databases::pgdump(&header, r, true, 4096)
    })?;
    fit("people.pdf", &|r| pdf(r))?;
    fit("people.docx", &|r| documents::docx(&[], r))?;
    fit("people.odt", &|r| documents::odt(&[], r))?;
    fit("people.hl7", &|r| {
        medical::hl7_batch(&people(&header, r), false)
    })?;
    sqlite(&out, &header, &rows, target)?;
    dicom(&out, &header, &rows, target)?;
    archives_of(&out, &src, target)
}

/// A CSV's header and rows.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    let mut r = csv::Reader::from_path(path)?;
    let header = r.headers()?.iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| Ok(rec?.iter().map(String::from).collect()))
        .collect::<Result<_>>()?;
    Ok((header, rows))
}

/// How many rows `write` turns into about `target` bytes, from the size of the first 10,000.
fn fitting(
    rows: &[Vec<String>],
    target: usize,
    write: &dyn Fn(&[Vec<String>]) -> Vec<u8>,
) -> usize {
    let probe = rows.len().min(10_000);
    let size = write(&rows[..probe]).len().max(1);
    (probe * target / size).min(rows.len())
}

/// A PDF of 60 lines a page, each line a row's values.
fn pdf(rows: &[Vec<String>]) -> Vec<u8> {
    let pages: Vec<documents::Page> = rows
        .chunks(60)
        .map(|c| {
            let lines: Vec<String> = c.iter().map(|r| r.join(" ")).collect();
            documents::Page::Text(documents::page_of_lines(&lines))
        })
        .collect();
    documents::pdf(&pages)
}

/// Each row as HL7's `(nik, birth date, sex, phone, card)`.
fn people(header: &[String], rows: &[Vec<String>]) -> Vec<[&'static str; 5]> {
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or(0);
    let cols = [
        col("NIK"),
        col("TGLLHR"),
        col("JENKEL"),
        col("NOHP"),
        col("NOKA"),
    ];
    rows.iter()
        .map(|r| cols.map(|c| &*r[c].trim_start_matches('\'').to_string().leak()))
        .collect()
}

/// The SQLite database: written to disk by the bundled SQLite, so sized by trying.
fn sqlite(out: &Path, header: &[String], rows: &[Vec<String>], target: usize) -> Result<()> {
    let path = out.join("people.sqlite");
    let probe = rows.len().min(10_000);
    let _ = fs::remove_file(&path);
    databases::sqlite(&path, header, &rows[..probe]);
    let n = (probe * target / fs::metadata(&path)?.len() as usize).min(rows.len());
    fs::remove_file(&path)?;
    databases::sqlite(&path, header, &rows[..n]);
    eprintln!("people.sqlite: {n} rows");
    Ok(())
}

/// One DICOM file per person (explicit VR little endian) with pixel data after the header.
fn dicom(out: &Path, header: &[String], rows: &[Vec<String>], target: usize) -> Result<()> {
    let dir = out.join("dicom");
    fs::create_dir_all(&dir)?;
    let pixels = medical::element(
        (0x7fe0, 0x10),
        "OW",
        &vec![0x40; PIXEL_KB << 10],
        true,
        false,
    );
    let n = (target / (pixels.len() + 512)).min(rows.len());
    for (i, p) in people(header, &rows[..n]).iter().enumerate() {
        let values = [p[0], p[1], p[2], p[4], p[3]];
        let mut data = medical::person(&values, true);
        data.extend_from_slice(&pixels);
        fs::write(
            dir.join(format!("{i:06}.dcm")),
            medical::dicom(true, medical::EXPLICIT_LE, &data),
        )?;
    }
    eprintln!("dicom/: {n} files");
    Ok(())
}

/// `target` bytes of the CSV (cut at a line end) as tar members of about 10 MB each, that tar
/// gzip'd, as a 7z, and as a mail attachment.
fn archives_of(out: &Path, src: &Path, target: usize) -> Result<()> {
    let csv = fs::read(src)?;
    let end = csv[..target.min(csv.len())]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let csv = &csv[..end];
    let head_end = csv.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut tar = tar::Builder::new(Vec::new());
    for (i, part) in csv[head_end..].chunks(10_000_000).enumerate() {
        // Each member a CSV with the header, cut at a line end of the part.
        let mut member = csv[..head_end].to_vec();
        member.extend_from_slice(part);
        let mut h = tar::Header::new_gnu();
        h.set_size(member.len() as u64);
        h.set_mode(0o600);
        h.set_cksum();
        tar.append_data(&mut h, format!("data/part{i:02}.csv"), &member[..])?;
    }
    let tar = tar.into_inner()?;
    fs::write(out.join("csv.tar"), &tar)?;
    fs::write(
        out.join("csv.tar.gz"),
        archives::gzip(&tar, flate2::Compression::new(6)),
    )?;
    let mut w = sevenz_rust2::ArchiveWriter::new(std::io::Cursor::new(Vec::new()))?;
    w.push_archive_entry(
        sevenz_rust2::ArchiveEntry::new_file("people.csv"),
        Some(csv),
    )?;
    fs::write(out.join("csv.7z"), w.finish()?.into_inner())?;
    fs::write(out.join("mail.eml"), mail(csv))?;
    Ok(())
}

/// A message with `csv` attached in base64, 76 characters a line.
fn mail(csv: &[u8]) -> Vec<u8> {
    let mut m = b"From: a@example.invalid\r\nTo: b@example.invalid\r\nSubject: data\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\n\
        Content-Type: text/plain\r\n\r\nterlampir\r\n--b1\r\nContent-Type: text/csv\r\n\
        Content-Disposition: attachment; filename=\"pasien.csv\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    // 57 input bytes are one 76-character line.
    for line in csv.chunks(57) {
        base64(line, &mut m);
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"--b1--\r\n");
    m
}

/// Appends `data` in base64 (RFC 4648, padded).
fn base64(data: &[u8], out: &mut Vec<u8>) {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            match i <= c.len() {
                true => out.push(ABC[(n >> (18 - 6 * i)) as usize & 63]),
                false => out.push(b'='),
            }
        }
    }
}
