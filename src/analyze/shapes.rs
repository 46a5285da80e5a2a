//! The value shapes of the source profiles (`patterns/sources/`), tallied over the first
//! records of each file: what attribution (`summary::attribution`) scores a rule with a
//! shape on. Readers hand the sampled values over by column name; this counts how many have
//! each rule's shape. Imports the rules only.

use std::collections::BTreeMap;

use crate::rules::Patterns;

/// Records per file whose values are sampled for the profiles' value shapes.
pub const SAMPLE_RECORDS: usize = 200;

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
