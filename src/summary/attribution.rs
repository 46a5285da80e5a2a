//! Which institution the data most likely came from: the source profiles of
//! `patterns/sources/` scored against the field names seen and the valid identifier kinds.

use std::collections::BTreeMap;

use crate::rules::{normalize_field_name, Kind, Patterns};
use crate::summary::Summary;

/// One ranked source.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribution {
    pub source: String,
    pub name: String,
    /// Share of the profile's weight that is present, 0–1.
    pub score: f64,
    /// Field names as written (or `valid <kind>`) that support it.
    pub evidence: Vec<String>,
    /// Why these fields point at this source (the profile's `why`).
    pub why: String,
}

/// Below this, no profile fits well enough to name it.
pub const MIN_SCORE: f64 = 0.35;

/// Records per file whose values are sampled for the profiles' value shapes.
pub const SAMPLE_RECORDS: usize = 200;

/// Ranks every profile, best first; `unknown` leads when none reaches [`MIN_SCORE`].
///
/// A profile's score is the share of its weight present: a field rule counts in full when a
/// field of one of its names was seen (and, when the rule gives a shape, at least half of its
/// sampled values have it), and at half weight when only a valid identifier of its `kind` was
/// found (any dataset with a NIK column is not a registry). A rule with a shape and no names
/// counts when some column's sampled values mostly have the shape (a password hash, ICD-10).
pub fn attribute(s: &Summary, p: &Patterns) -> Vec<Attribution> {
    let mut out = Vec::new();
    for prof in &p.sources {
        let total: f64 = prof.fields.iter().map(|f| f.weight).sum();
        if total <= 0.0 {
            continue;
        }
        let mut got = 0.0;
        let mut evidence = Vec::new();
        for (i, wf) in prof.fields.iter().enumerate() {
            let tally = s.shapes.get(&(prof.source.clone(), i)).copied();
            let mut hit = false;
            if wf.names.is_empty() {
                if tally.is_some_and(|[_, matched]| matched > 0) {
                    hit = true;
                    evidence.push(format!(
                        "values like {}",
                        wf.label.as_deref().unwrap_or("its shape")
                    ));
                }
            } else {
                let shape_ok = match tally {
                    Some([checked, matched]) if wf.shape_rule.is_some() && checked > 0 => {
                        matched * 2 >= checked
                    }
                    _ => true,
                };
                for n in &wf.names {
                    if let Some(written) = s.fields.get(&normalize_field_name(n.as_bytes())) {
                        if shape_ok {
                            hit = true;
                            evidence.extend(written.iter().cloned());
                        }
                    }
                }
            }
            let mut w = if hit { wf.weight } else { 0.0 };
            if !hit {
                if let Some(kind) = wf.kind.as_deref().and_then(Kind::from_name) {
                    if s.stats.kinds[kind.index()].valid > 0 {
                        w = wf.weight / 2.0;
                        evidence.push(format!("valid {}", kind.name()));
                    }
                }
            }
            got += w;
        }
        evidence.sort();
        evidence.dedup();
        out.push(Attribution {
            source: prof.source.clone(),
            name: prof.name.clone(),
            score: (got / total * 1000.0).round() / 1000.0,
            evidence,
            why: prof.why.clone(),
        });
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.source.cmp(&b.source))
    });
    if out.first().is_none_or(|a| a.score < MIN_SCORE) {
        out.insert(
            0,
            Attribution {
                source: "unknown".into(),
                name: "No source profile fits".into(),
                score: 0.0,
                evidence: Vec::new(),
                why: format!("no profile reaches a score of {MIN_SCORE}"),
            },
        );
    }
    out
}

/// Tallies the sampled values of named columns against the profiles' value shapes:
/// `(source, rule)` → `[checked, matched]`: values of a named rule's fields, or columns for a
/// rule without names (a column matches when four in five of its values do).
pub fn tally_shapes(
    columns: &[(String, Vec<&[u8]>)],
    p: &Patterns,
    out: &mut BTreeMap<(String, usize), [u64; 2]>,
) {
    for prof in &p.sources {
        for (i, wf) in prof.fields.iter().enumerate() {
            let Some(rule) = &wf.shape_rule else { continue };
            let mut t = [0u64; 2];
            for (name, values) in columns {
                let vals = values
                    .iter()
                    .map(|v| v.trim_ascii())
                    .filter(|v| !v.is_empty())
                    .filter_map(|v| std::str::from_utf8(v).ok());
                if wf.names.is_empty() {
                    let (mut n, mut m) = (0u64, 0u64);
                    for v in vals {
                        n += 1;
                        m += u64::from(rule.is_match(v));
                    }
                    if n > 0 {
                        t[0] += 1;
                        t[1] += u64::from(m * 5 >= n * 4);
                    }
                } else if wf.names.iter().any(|x| x == name) {
                    for v in vals {
                        t[0] += 1;
                        t[1] += u64::from(rule.is_match(v));
                    }
                }
            }
            if t[0] > 0 {
                let e = out.entry((prof.source.clone(), i)).or_default();
                e[0] += t[0];
                e[1] += t[1];
            }
        }
    }
}

/// Samples the first records of a file for the profiles' value shapes (`buf` starts after
/// the header): delimited files with a header, JSON Lines and SQL dumps; other layouts name
/// no fields.
pub fn sample(
    layout: &crate::formats::records::Layout,
    buf: &[u8],
    header: &[String],
    p: &Patterns,
    out: &mut BTreeMap<(String, usize), [u64; 2]>,
) {
    use crate::formats::records::Layout;
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

/// Whether any profile rule gives a value shape: without one, sampling has nothing to tally.
pub fn wants_samples(p: &Patterns) -> bool {
    p.sources
        .iter()
        .any(|s| s.fields.iter().any(|f| f.shape_rule.is_some()))
}

/// Tallies sampled values given as `(normalized column name, value)` pairs, grouped by name:
/// SQL dumps and workbooks, whose readers hand values over with their column's name.
pub fn tally_pairs(
    values: &[(String, Vec<u8>)],
    p: &Patterns,
    out: &mut BTreeMap<(String, usize), [u64; 2]>,
) {
    let mut cols: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
    for (name, v) in values {
        cols.entry(name).or_default().push(v);
    }
    let columns: Vec<(String, Vec<&[u8]>)> = cols
        .into_iter()
        .map(|(name, vals)| (name.to_string(), vals))
        .collect();
    tally_shapes(&columns, p, out);
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
        pos = crate::formats::records::parse_csv_record(buf, pos, delim, |col, v| {
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
    tally_pairs(&crate::formats::sql::sample(buf, p, SAMPLE_RECORDS), p, out);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn with_fields(names: &[&str]) -> Summary {
        let mut s = Summary::default();
        for n in names {
            s.fields
                .entry(normalize_field_name(n.as_bytes()))
                .or_default()
                .insert(n.to_string());
        }
        s
    }

    #[test]
    fn bpjs_columns_attribute_to_bpjs_kesehatan() {
        let p = crate::testing::pats();
        let s = with_fields(&[
            "PSNOKA",
            "NAMA",
            "KDKANTOR",
            "KDHUBKEL",
            "FLAGTANGGUNGAN",
            "NIK",
        ]);
        let a = attribute(&s, p);
        assert_eq!(a[0].source, "bpjs_kesehatan");
        assert_eq!(a[0].score, 1.0);
        assert!(a[0].evidence.contains(&"KDKANTOR".to_string()));
    }

    #[test]
    fn nothing_fits_is_unknown() {
        let p = crate::testing::pats();
        let a = attribute(&with_fields(&["foo", "bar"]), p);
        assert_eq!(a[0].source, "unknown");
    }
}
