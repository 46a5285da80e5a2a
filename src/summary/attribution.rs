//! Which institution the data most likely came from: the source profiles of
//! `patterns/sources/` scored against the field names seen, the valid identifier kinds and
//! the value shapes tallied while scanning (`analyze::shapes`). Scoring only: imports the
//! summary it reads and the rules.

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
