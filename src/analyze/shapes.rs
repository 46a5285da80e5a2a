//! The value shapes of the source profiles (`patterns/sources/`), tallied over the first
//! records of each file (and sheet): what attribution (`summary::attribution`) scores a rule
//! with a shape on. The sample is a [`RecordSink`], [`ShapeSampler`], that the chunk job
//! feeds through the same readers as the analyzer: they hand it each value with its field's
//! name. Imports the sink's vocabulary and the rules.

use std::collections::BTreeMap;

use crate::record::{Field, RecordSink};
use crate::rules::{normalize_field_name, Patterns, Role};

/// Records per file whose values are sampled for the profiles' value shapes.
pub const SAMPLE_RECORDS: usize = 200;

/// Whether any profile rule gives a value shape: without one, sampling has nothing to tally.
pub fn wants_samples(p: &Patterns) -> bool {
    p.sources
        .iter()
        .any(|s| s.fields.iter().any(|f| f.shape_rule.is_some()))
}

/// Attribution's value sample: the values of a file's first [`SAMPLE_RECORDS`] records by
/// field name, handed over by the same readers the analyzer is fed by (the chunk job reads a
/// file's first chunk through this sink too, and the readers stop once it is full).
#[derive(Default)]
pub struct ShapeSampler {
    records: usize,
    /// Each field name as written, and its values.
    columns: BTreeMap<Vec<u8>, Vec<Vec<u8>>>,
}

impl ShapeSampler {
    /// Tallies the sample against the profiles' value shapes into `out`.
    pub fn tally(&self, p: &Patterns, out: &mut BTreeMap<(String, usize), [u64; 2]>) {
        let columns: Vec<(String, Vec<&[u8]>)> = self
            .columns
            .iter()
            .map(|(name, values)| {
                let values = values.iter().map(Vec::as_slice).collect();
                (normalize_field_name(name), values)
            })
            .collect();
        tally_shapes(&columns, p, out);
    }
}

impl RecordSink for ShapeSampler {
    const WANTS_NAMES: bool = true;

    fn begin(&mut self) {
        self.records += 1;
    }

    fn field(&mut self, _: Role, _: &[u8], _: bool) {}

    fn unheld(&mut self, _: &[Field]) {}

    fn end(&mut self, _: &[Field], _: bool) {}

    fn name(&mut self, _: &[u8]) {}

    fn named_value(&mut self, name: &[u8], value: &[u8]) {
        // A value outside any object (a JSON Lines record that is a bare array) has no name.
        if name.is_empty() {
            return;
        }
        match self.columns.get_mut(name) {
            Some(values) => values.push(value.to_vec()),
            None => {
                self.columns.insert(name.to_vec(), vec![value.to_vec()]);
            }
        }
    }

    fn full(&self) -> bool {
        self.records >= SAMPLE_RECORDS
    }
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
