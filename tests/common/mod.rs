#![allow(dead_code)] // Each test binary uses some of these.
//! The harness every integration test shares: `mod common;` then `use common::…`.
//!
//! - [`run`]: the built binary (`triage()`), `scan` → [`run::Scanned`] (exit code, stdout,
//!   stderr), `scan_json` (summary and exit code), `scan_json_exit` (summary of a scan that
//!   must exit with a given code);
//! - [`measure`]: a scan reaped with `wait4`, for its own peak memory and wall time;
//! - [`summary`]: reading a summary: one file's row, one problem's reason;
//! - [`paths`]: the crate root and the committed fixtures;
//! - [`archives`]: zip and gzip built in memory; [`bombs`]: zip and gzip bombs by hand;
//! - [`samples`]: one synthetic sample written in many formats, and counts compared;
//! - [`dbf`]: dBase tables written by hand; [`databases`]: SQLite, BSON and pg_dump files;
//! - [`documents`]: PDF, DOCX and ODT documents written by hand;
//! - [`luhn`]: the Luhn check digit, written apart from the crate's;
//! - [`truth`]: a `truth.json` against a scan summary;
//! - [`state`]: scans with `--state`, `merge` and `compare`, and `merged_equals_single`.

pub mod archives;
pub mod bombs;
pub mod databases;
pub mod dbf;
pub mod documents;
pub mod luhn;
pub mod measure;
pub mod medical;
pub mod paths;
pub mod run;
pub mod samples;
pub mod state;
pub mod summary;
pub mod truth;
