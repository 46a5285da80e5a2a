//! Readers of record formats. Each reads bytes it is handed (a chunk, a block, a sheet's
//! cells) and pushes records into a [`RecordSink`](crate::record::RecordSink) it does not
//! know; none knows of analysis, the scan or the summary.
//!
//! [`sniff`] decides what a first block is (with [`magic`] for binary signatures; the
//! header rule is passed in); [`layout`] then picks the reader: [`csv`], [`json`] (with its
//! envelopes: `{"data":[…]}`, `hits.hits[]`, bundles), [`text`]; [`sql`] reads MySQL INSERT
//! tuples and PostgreSQL COPY rows and cuts dumps into chunks; [`sheet`] reads workbook
//! sheets (calamine) into packed rows; [`strings`] is the strings pass over an unknown
//! binary. [`records`] is the way in for formats read record by record by a reader of
//! their own ([`dbf`], [`dicom`], [`hl7`]), packed for the workers by [`packed`] as sheets' rows are. They import the rules and the loose `record` and `bytes`, and each
//! other downwards only.

pub mod bson;
pub mod csv;
pub mod dbf;
pub mod dicom;
pub mod document;
pub mod hl7;
pub mod json;
pub mod layout;
pub mod magic;
pub mod packed;
pub mod pdf;
pub mod pgdump;
pub mod records;
pub mod sheet;
pub mod sniff;
pub mod sql;
pub mod sqlite;
pub mod strings;
pub mod text;
