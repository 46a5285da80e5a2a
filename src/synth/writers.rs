//! The sample file: rows from the generator written as CSV (with a header line) or JSON
//! Lines, in chunks of about 1 MiB, and the truth tallied while they were made. Imports the
//! generator, the columns and the CSV quoting of `formats`.

use std::io::Write;

use anyhow::{bail, Result};
use serde_json::Value;

use crate::escape::write_csv_field;
use crate::rules::Patterns;
use crate::synth::columns::{Fields, COLUMNS};
use crate::synth::row::Gen;

/// The sample's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum SynthFormat {
    /// Comma-separated with a header line; quoted fields may hold commas and line breaks.
    Csv,
    /// One JSON object per line; every value is a string.
    Jsonl,
}

impl SynthFormat {
    /// The sample's file name in the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            SynthFormat::Csv => "bpjs_sample.csv",
            SynthFormat::Jsonl => "bpjs_sample.jsonl",
        }
    }
}

impl std::str::FromStr for SynthFormat {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(SynthFormat::Csv),
            "jsonl" | "ndjson" => Ok(SynthFormat::Jsonl),
            other => bail!("unknown sample format {other:?} (csv or jsonl)"),
        }
    }
}

/// The sample written to `w` and its truth.
pub(super) struct Generated {
    pub(super) truth: Value,
    pub(super) bytes: u64,
}

const CHUNK: usize = 1 << 20;

pub(super) fn generate<W: Write>(
    rows: u64,
    seed: u64,
    format: SynthFormat,
    p: &Patterns,
    w: &mut W,
) -> Result<Generated> {
    let mut g = Gen::new(p, seed)?;
    let bytes = write_rows(&mut g, rows, format, w)?;
    Ok(Generated {
        truth: g.t.to_json(rows, seed),
        bytes,
    })
}

/// Writes the header (CSV) and `rows` rows from `g`; returns the bytes written.
pub(super) fn write_rows<W: Write>(
    g: &mut Gen,
    rows: u64,
    format: SynthFormat,
    w: &mut W,
) -> Result<u64> {
    let mut fields: Fields = std::array::from_fn(|_| Vec::with_capacity(64));
    let mut line = Vec::with_capacity(CHUNK + 4096);
    let mut bytes = 0u64;
    if format == SynthFormat::Csv {
        line.extend_from_slice(COLUMNS.join(",").as_bytes());
        line.push(b'\n');
        w.write_all(&line)?;
        bytes += line.len() as u64;
    }
    // Rows gather in `line` and reach the writer in chunks of about 1 MiB, which BufWriter
    // passes straight through instead of copying a second time.
    line.clear();
    for _ in 0..rows {
        g.row(&mut fields);
        match format {
            SynthFormat::Csv => push_csv_row(&fields, &mut line),
            SynthFormat::Jsonl => push_json_row(&fields, &mut line),
        }
        if line.len() >= CHUNK {
            w.write_all(&line)?;
            bytes += line.len() as u64;
            line.clear();
        }
    }
    w.write_all(&line)?;
    bytes += line.len() as u64;
    Ok(bytes)
}

fn push_csv_row(fields: &Fields, line: &mut Vec<u8>) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        write_csv_field(f, line);
    }
    line.push(b'\n');
}

fn push_json_row(fields: &Fields, line: &mut Vec<u8>) {
    line.push(b'{');
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        json_string(line, COLUMNS[i].as_bytes());
        line.push(b':');
        json_string(line, f);
    }
    line.extend_from_slice(b"}\n");
}

fn json_string(out: &mut Vec<u8>, f: &[u8]) {
    out.push(b'"');
    for &b in f {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}
