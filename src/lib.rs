//! triage: judge a leaked Indonesian dataset fast, without spreading it further.
//!
//! The pipeline flows one way:
//!
//! ```text
//! cli ──► scan ──► walk            every entry below the paths, in a fixed order; the roots
//!           │ │                    as named (a linked root followed, `-` = stdin)
//!           │ ├──► archive         gzip / bzip2 / xz / zstd streams behind the limits guard
//!           │ ├──► workbook        zip members as entries; XLSX / ODS / XLS sheets → rows
//!           │ │      └► book_checks  workbooks calamine must not be given (memory, loops)
//!           │ ├──► decode          BOM / UTF-16, binary and format sniffing → Layout
//!           │ │      ├► magic      binary formats: media and executables, formats not read
//!           │ │      └► strings    the strings pass over an unknown binary
//!           │ ├──► records, sql    chunks cut on record boundaries → records of Fields
//!           │ │      └► envelope   JSON by structure: `{"data":[…]}`, `hits.hits[]`, bundles
//!           │ └──► analyze         per record: detect → validate → corroborate → Stats
//!           ▼
//!        summary  (Summary: AddAssign, merged from every worker in any order)
//!           ▼
//!        report   (JSON / text / CSV, --expect diff, masks, names masked too)
//!           ▼
//!        outputs  (every file written: checked before the scan, renamed into place whole)
//! ```
//!
//! Types to know: [`rules::Patterns`] (the rule data of `patterns/`, embedded),
//! [`analyze::detect::Found`] (a candidate), [`analyze::validate::Verdict`] (valid, or the first rule failed),
//! [`summary::Summary`] (mergeable counts and the ledger), [`scan::ScanConfig`] (what a scan
//! needs, built once from the flags in [`cli::Config`]). Nothing below `scan` knows about the
//! command line or output formats.

pub mod analyze;
pub mod bytes;
pub mod calendar;
pub mod cli;
pub mod escape;
pub mod formats;
pub mod input;
pub mod mask;
pub mod outputs;
pub mod record;
pub mod report;
pub mod rules;
pub mod scan;
pub mod summary;
pub mod synth;
#[cfg(test)]
mod testing;
