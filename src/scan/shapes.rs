//! The first records of a text file, sampled for the source profiles' value shapes
//! (`analyze::shapes`).
//!
//! This still parses the file's first block on its own rather than through the chunk job:
//! what it samples (the records inside the first block, JSON Lines read by `serde_json`,
//! whose numbers, duplicate keys and broken lines differ from the JSON reader's) is part of
//! the attribution output, which must not change. Imports the readers and the tallies.

use std::collections::BTreeMap;

use crate::analyze::shapes::{tally_pairs, tally_shapes, wants_samples, SAMPLE_RECORDS};
use crate::formats::csv::parse_csv_record;
use crate::formats::layout::Layout;
use crate::formats::sql;
use crate::rules::{normalize_field_name, Patterns};

/// Samples the first records of a file for the profiles' value shapes (`buf` starts after
/// the header): delimited files with a header, JSON Lines and SQL dumps; other layouts name
/// no fields.
pub fn sample(
    layout: &Layout,
    buf: &[u8],
    header: &[String],
    p: &Patterns,
    out: &mut BTreeMap<(String, usize), [u64; 2]>,
) {
    if !wants_samples(p) {
        return;
    }
    match layout {
        Layout::Delimited {
            delim, named: true, ..
        } => sample_delimited(buf, *delim, header, p, out),
        Layout::JsonLines => sample_json_lines(buf, p, out),
        Layout::Sql => sample_sql(buf, p, out),
        _ => {}
    }
}

/// Samples the first records of a delimited file with a header (`buf` starts after it).
fn sample_delimited(
    buf: &[u8],
    delim: u8,
    header: &[String],
    p: &Patterns,
    out: &mut BTreeMap<(String, usize), [u64; 2]>,
) {
    let mut columns: Vec<(String, Vec<&[u8]>)> = header
        .iter()
        .map(|h| (normalize_field_name(h.as_bytes()), Vec::new()))
        .collect();
    // The block may end inside a record: only whole lines are sampled.
    let end = memchr::memrchr(b'\n', buf).map_or(0, |i| i + 1);
    let buf = &buf[..end];
    let mut owned: Vec<Vec<u8>> = Vec::new();
    let mut rows: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut pos = 0;
    while pos < buf.len() && rows.len() < SAMPLE_RECORDS {
        let mut row = Vec::new();
        pos = parse_csv_record(buf, pos, delim, |col, v| {
            row.push((col, owned.len()));
            owned.push(v.into_owned());
        });
        rows.push(row);
    }
    for row in &rows {
        for &(col, i) in row {
            if let Some(c) = columns.get_mut(col) {
                c.1.push(&owned[i]);
            }
        }
    }
    tally_shapes(&columns, p, out);
}

/// Samples the first records of an SQL dump: each named value by its column's name.
fn sample_sql(buf: &[u8], p: &Patterns, out: &mut BTreeMap<(String, usize), [u64; 2]>) {
    tally_pairs(&sql::sample(buf, p, SAMPLE_RECORDS), p, out);
}

/// Samples the first JSON Lines records: each object's scalar values by their last key.
fn sample_json_lines(buf: &[u8], p: &Patterns, out: &mut BTreeMap<(String, usize), [u64; 2]>) {
    fn flatten(key: &str, v: &serde_json::Value, out: &mut BTreeMap<String, Vec<Vec<u8>>>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    flatten(k, x, out);
                }
            }
            serde_json::Value::Array(a) => {
                for x in a {
                    flatten(key, x, out);
                }
            }
            serde_json::Value::String(s) => out
                .entry(normalize_field_name(key.as_bytes()))
                .or_default()
                .push(s.as_bytes().to_vec()),
            serde_json::Value::Number(n) => out
                .entry(normalize_field_name(key.as_bytes()))
                .or_default()
                .push(n.to_string().into_bytes()),
            _ => {}
        }
    }
    let mut cols: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    for line in buf.split(|&b| b == b'\n').take(SAMPLE_RECORDS) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line.trim_ascii()) {
            flatten("", &v, &mut cols);
        }
    }
    let columns: Vec<(String, Vec<&[u8]>)> = cols
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.clone(), v.iter().map(Vec::as_slice).collect()))
        .collect();
    tally_shapes(&columns, p, out);
}
