//! Readers of record formats. Each reads bytes it is handed (a chunk, a block, a sheet's
//! cells) and pushes records into a [`RecordSink`](crate::record::RecordSink) it does not
//! know; none knows of analysis, the scan or the summary. They import the rules, the loose
//! `record` and `bytes`, and each other downwards: `layout` picks `csv`, `json` or `text`.

pub mod csv;
pub mod json;
pub mod layout;
pub mod magic;
pub mod sheet;
pub mod sniff;
pub mod sql;
pub mod strings;
pub mod text;
