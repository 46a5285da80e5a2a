//! Writes one CSV sample (e.g. `triage synth` output) in the other formats triage reads, for
//! the reader benchmarks of bench/README.md:
//!
//!     cargo run --release --example convert -- SAMPLE.csv OUTDIR
//!
//! writes OUTDIR/sample_mysql.sql (extended INSERTs of 500 tuples), sample_pg.sql (COPY),
//! sample.xlsx (shared strings, deflated, as Excel writes it) and sample.csv.gz (gzip -6).

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: convert SAMPLE.csv OUTDIR");
        std::process::exit(2);
    }
    let (src, out) = (PathBuf::from(&args[1]), PathBuf::from(&args[2]));
    fs::create_dir_all(&out)?;
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(&src)?;
    let header: Vec<String> = r.headers()?.iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.map(|rec| rec.iter().map(String::from).collect()))
        .collect::<Result<_, _>>()?;

    // MySQL
    let mut w = BufWriter::new(File::create(out.join("sample_mysql.sql"))?);
    writeln!(w, "-- MySQL dump 10.13\n/*!40101 SET NAMES utf8mb4 */;")?;
    writeln!(w, "CREATE TABLE `sample` (\n  `id` int NOT NULL,")?;
    for h in &header {
        writeln!(w, "  `{h}` varchar(255) DEFAULT NULL,")?;
    }
    writeln!(w, "  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;")?;
    for (i, chunk) in rows.chunks(500).enumerate() {
        write!(w, "INSERT INTO `sample` VALUES ")?;
        for (j, row) in chunk.iter().enumerate() {
            if j > 0 {
                w.write_all(b",")?;
            }
            write!(w, "({}", i * 500 + j)?;
            for v in row {
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
            w.write_all(b")")?;
        }
        w.write_all(b";\n")?;
    }
    w.flush()?;

    // PostgreSQL
    let mut w = BufWriter::new(File::create(out.join("sample_pg.sql"))?);
    writeln!(
        w,
        "--\n-- PostgreSQL database dump\n--\nSET standard_conforming_strings = on;"
    )?;
    let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
    writeln!(w, "COPY public.sample ({}) FROM stdin;", cols.join(", "))?;
    for row in &rows {
        let vals: Vec<String> = row
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
    writeln!(w, "\\.")?;
    w.flush()?;

    // XLSX
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        s.write_string(0, c as u16, h)?;
    }
    for (i, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(i as u32 + 1, c as u16, v)?;
            }
        }
    }
    wb.save(out.join("sample.xlsx"))?;

    // gzip
    let mut e = flate2::write::GzEncoder::new(
        BufWriter::new(File::create(out.join("sample.csv.gz"))?),
        flate2::Compression::default(),
    );
    e.write_all(&fs::read(&src)?)?;
    e.finish()?.flush()?;
    Ok(())
}
