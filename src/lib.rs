//! triage: judge a leaked Indonesian dataset fast, without spreading it further.
//!
//! Each folder is one stage of the pipeline and imports only from the stages below it
//! (`tests/layout.rs` reads the `use` lines and fails on an arrow that points up or sideways,
//! or on any import circle):
//!
//! ```text
//! cli ──► scan ──► input     the walk (roots as named, `-` = stdin); gzip / bzip2 / xz / zstd
//!  │       │                 behind the limits guard; zip members handed back one by one;
//!  │       │                 BOM and UTF-16 decoding; a large file mapped, its chunks cut
//!  │       │                 where they lie
//!  │       ├─────► formats   sniffing; csv, json (and its envelopes), text, sql, sheets, the
//!  │       │                 strings pass: each pushes records into a `RecordSink` it does
//!  │       │                 not know
//!  │       └─────► analyze   the one chunk job feeds the Analyzer (a RecordSink): detect →
//!  │                 │       validate → corroborate → Stats; the header rule, shape tallies
//!  │                 ▼
//!  ├──────────► summary     Summary: AddAssign, merged from every worker in any order; the
//!  │                        typed ledger, impact, attribution scoring, the --records spill
//!  ├──► report              one typed Report, one Exporter per format (JSON, text, CSV,
//!  │                        HTML), the --expect diff, the --records file, masked names
//!  └──► synth               the synthetic sample and its truth
//!
//!      rules                below every stage: `patterns/` compiled once into Patterns
//!      loose files          record (Field, RecordSink), calendar, mask, escape, bytes,
//!                           outputs (every file written atomically)
//! ```
//!
//! `input` and `formats` are peers that never import each other: the scan decides what an
//! entry or member is and hands its bytes to a reader. Types to know: [`rules::Patterns`]
//! (the rule data, embedded), [`record::RecordSink`] (what a reader pushes into),
//! [`analyze::detect::Found`] (a candidate), [`analyze::validate::Verdict`] (valid, or the
//! first rule failed), [`summary::Summary`] (mergeable counts and the ledger),
//! [`scan::ScanConfig`] (what a scan needs, built once from the flags in [`cli::Config`]),
//! [`report::Report`] (what every output format renders). Nothing below `scan` knows about
//! the command line or output formats.

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
