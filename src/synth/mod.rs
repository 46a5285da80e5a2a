//! `triage synth`: a reproducible synthetic sample shaped like the leaked BPJS Kesehatan
//! participant table, and `truth.json`, the counts a correct `triage scan` of it must report.
//!
//! Every value comes from a small hand-written PRNG (splitmix64), so the same seed, row count
//! and format give byte-identical files on every platform and version, as long as the region
//! table in `patterns/` is unchanged. The counts are tallied from what was generated: each
//! value is built knowing what it is (valid, or the first rule it breaks). No detector runs
//! over the output; debug builds check each generated identifier with [`crate::analyze::validate`].
//!
//! The sample holds every form SPEC §5/§6 accepts (NIK spacing and `'` prefixes, cards that
//! lost their leading zeros, phone prefixes and separators, every date form, every sex value,
//! NPWPs dotted, plain and as a NIK, NIPs plain and spaced) and a share of decoys of every
//! kind (each invalid reason, Excel-damaged NIKs, mismatched birth dates and sexes, NIPs that
//! disagree with the NIK, non-mobile and too-short phones, malformed e-mails, decimal numbers
//! whose fractions hold a phone's or a NIK's digits). The columns that hold no identifier
//! never hold anything shaped like one.
//!
//! How the files divide the work, from the top down:
//!
//! - this file: [`write()`], the options and the two output files;
//! - `writers.rs`: the sample as CSV or JSON Lines, row by row, in 1 MiB chunks;
//! - `row.rs`: `Gen`, the generator's state, and one row, field by field;
//! - the field writers, each an `impl Gen` block that imports `row.rs`: `nik.rs` (NIK and
//!   KK, with their decoys), `card.rs`, `phone.rs`, `email.rs`, `birth.rs` (dates),
//!   `plain.rs` (name, sex, address), `npwp.rs`, `nip.rs`, `remark.rs` (identifiers in
//!   free text, and numbers that are none: decimals, NIKs with dashes);
//! - `people.rs`: families and their members, the ring of recent people for duplicates;
//! - `tally.rs`: the truth, counted as each value is written, and `truth.json`;
//! - leaves: `rng.rs` (splitmix64), `tables.rs` (codes derived from the patterns),
//!   `vocab.rs` (words), `digits.rs` (numbers as digits), `dates.rs` (days of a month),
//!   `columns.rs`, `coverage.rs` (forms used, for the unit tests), `distinct.rs`,
//!   `official.rs` (the NPWP and NIP a person draws);
//! - `tests.rs`: the unit tests.
//!
//! Imports: the rules (regions, operators, domain classes), `formats` for CSV quoting, the
//! analyzer's validation in debug builds, and `outputs` to write the files.

use std::fs;
use std::io;
use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::rules::Patterns;

mod birth;
mod card;
mod columns;
mod coverage;
mod dates;
mod digits;
mod distinct;
mod email;
mod nik;
mod nip;
mod npwp;
mod official;
mod people;
mod phone;
mod plain;
mod remark;
mod rng;
mod row;
mod tables;
mod tally;
mod vocab;
mod writers;

pub use columns::COLUMNS;
pub use tally::TRUTH_SCHEMA;
pub use writers::SynthFormat;

/// What to generate and where.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    pub rows: u64,
    pub seed: u64,
    /// Output directory; created if needed.
    pub out: PathBuf,
    pub format: SynthFormat,
}

/// What [`write()`] wrote.
#[derive(Clone, Debug)]
pub struct SynthReport {
    /// `DIR/bpjs_sample.csv` or `DIR/bpjs_sample.jsonl`.
    pub sample: PathBuf,
    /// `DIR/truth.json`.
    pub truth: PathBuf,
    /// Size of the sample file in bytes.
    pub bytes: u64,
}

/// Writes `DIR/bpjs_sample.{csv,jsonl}` and `DIR/truth.json`.
pub fn write(opts: &SynthOptions, p: &Patterns) -> Result<SynthReport> {
    fs::create_dir_all(&opts.out).with_context(|| format!("creating {}", opts.out.display()))?;
    let sample = opts.out.join(opts.format.file_name());
    let truth = opts.out.join("truth.json");
    crate::outputs::check(&[("synth", &sample), ("synth", &truth)], &[])?;
    let mut generated = None;
    crate::outputs::write(&sample, |mut w| {
        generated = Some(
            writers::generate(opts.rows, opts.seed, opts.format, p, &mut w)
                .map_err(io::Error::other)?,
        );
        Ok(())
    })?;
    let generated = generated.context("the sample was written")?;

    let mut text = serde_json::to_string_pretty(&generated.truth)?;
    text.push('\n');
    crate::outputs::write(&truth, |w| w.write_all(text.as_bytes()))?;
    Ok(SynthReport {
        sample,
        truth,
        bytes: generated.bytes,
    })
}

#[cfg(test)]
mod tests;
