//! Writes one CSV sample (e.g. `triage synth` output) in the other formats triage reads, for
//! the reader benchmarks of bench/README.md and the SQL rows of `bench/run.sh`:
//!
//!     cargo run --release --example convert -- SAMPLE.csv OUTDIR [FORMATS]
//!
//! writes OUTDIR/sample_mysql.sql (extended INSERTs of 500 tuples), sample_pg.sql (COPY),
//! sample.xlsx (shared strings, deflated, as Excel writes it) and sample.csv.gz (gzip -6).
//! FORMATS, a comma-separated subset of `mysql,pg,xlsx,gz` (default: all), picks some. The
//! dumps are written as the CSV is read, so a 10M-row sample needs no more memory than a
//! small one; the workbook holds every row.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if !(3..=4).contains(&args.len()) {
        eprintln!("usage: convert SAMPLE.csv OUTDIR [mysql,pg,xlsx,gz]");
        std::process::exit(2);
    }
    let (src, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    let formats: Vec<&str> = args
        .get(3)
        .map_or("mysql,pg,xlsx,gz", String::as_str)
        .split(',')
        .collect();
    if let Some(bad) = formats
        .iter()
        .find(|f| !["mysql", "pg", "xlsx", "gz"].contains(f))
    {
        eprintln!("convert: unknown format {bad} (mysql, pg, xlsx, gz)");
        std::process::exit(2);
    }
    fs::create_dir_all(&out)?;
    let wants = |f: &str| formats.contains(&f);
    if wants("mysql") || wants("pg") {
        dumps(&src, &out, wants("mysql"), wants("pg"))?;
    }
    if wants("xlsx") {
        xlsx(&src, &out)?;
    }
    if wants("gz") {
        let mut e = flate2::write::GzEncoder::new(
            BufWriter::new(File::create(out.join("sample.csv.gz"))?),
            flate2::Compression::default(),
        );
        std::io::copy(&mut File::open(&src)?, &mut e)?;
        e.finish()?.flush()?;
    }
    Ok(())
}

fn reader(src: &Path) -> Result<csv::Reader<File>> {
    Ok(csv::ReaderBuilder::new().has_headers(true).from_path(src)?)
}

/// The MySQL and PostgreSQL dumps, in one pass over the CSV.
fn dumps(src: &Path, out: &Path, mysql: bool, pg: bool) -> Result<()> {
    let mut r = reader(src)?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut my = match mysql {
        true => Some(BufWriter::new(File::create(out.join("sample_mysql.sql"))?)),
        false => None,
    };
    let mut pq = match pg {
        true => Some(BufWriter::new(File::create(out.join("sample_pg.sql"))?)),
        false => None,
    };
    if let Some(w) = &mut my {
        writeln!(w, "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;")?;
        writeln!(w, "CREATE TABLE `sample` (\n  `id` int NOT NULL,")?;
        for h in &header {
            writeln!(w, "  `{h}` varchar(255) DEFAULT NULL,")?;
        }
        writeln!(w, "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;")?;
    }
    if let Some(w) = &mut pq {
        writeln!(
            w,
            "--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;"
        )?;
        let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
        writeln!(w, "COPY public.sample ({}) FROM stdin;", cols.join(", "))?;
    }
    let mut rec = csv::StringRecord::new();
    let mut i = 0usize;
    while r.read_record(&mut rec)? {
        if let Some(w) = &mut my {
            // Extended INSERTs of 500 tuples, as mysqldump writes them.
            w.write_all(if i.is_multiple_of(500) {
                b"INSERT INTO `sample` VALUES ("
            } else {
                b",("
            })?;
            write!(w, "{i}")?;
            for v in &rec {
                if v.is_empty() {
                    w.write_all(b",NULL")?;
                } else {
                    let e = v
                        .replace('\\', "\\\\")
                        .replace('\'', "\\'")
                        .replace('\n', "\\n");
                    write!(w, ",'{e}'")?;
                }
            }
            w.write_all(if i % 500 == 499 { b");\n" } else { b")" })?;
        }
        if let Some(w) = &mut pq {
            let vals: Vec<String> = rec
                .iter()
                .map(|v| {
                    if v.is_empty() {
                        "\\N".to_string()
                    } else {
                        v.replace('\\', "\\\\")
                            .replace('\t', "\\t")
                            .replace('\n', "\\n")
                    }
                })
                .collect();
            writeln!(w, "{}", vals.join("\t"))?;
        }
        i += 1;
    }
    if let Some(mut w) = my {
        if !i.is_multiple_of(500) {
            w.write_all(b";\n")?;
        }
        w.flush()?;
    }
    if let Some(mut w) = pq {
        writeln!(w, "\\.")?;
        w.flush()?;
    }
    Ok(())
}

fn xlsx(src: &Path, out: &Path) -> Result<()> {
    let mut r = reader(src)?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        s.write_string(0, c as u16, h)?;
    }
    for (i, rec) in r.records().enumerate() {
        for (c, v) in rec?.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(i as u32 + 1, c as u16, v)?;
            }
        }
    }
    wb.save(out.join("sample.xlsx"))?;
    Ok(())
}
