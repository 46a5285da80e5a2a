//! Which institution the data most likely came from: the source profiles of
//! `patterns/sources/` scored against the field names seen and the valid identifier kinds.

use crate::patterns::{normalize_field_name, Kind, Patterns};
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
pub fn attribute(s: &Summary, p: &Patterns) -> Vec<Attribution> {
    let mut out = Vec::new();
    for prof in &p.sources {
        let total: f64 = prof.fields.iter().map(|f| f.weight).sum();
        if total <= 0.0 {
            continue;
        }
        let mut got = 0.0;
        let mut evidence = Vec::new();
        for wf in &prof.fields {
            let mut hit = false;
            for n in &wf.names {
                if let Some(written) = s.fields.get(&normalize_field_name(n.as_bytes())) {
                    hit = true;
                    evidence.extend(written.iter().cloned());
                }
            }
            if !hit {
                if let Some(kind) = wf.kind.as_deref().and_then(Kind::from_name) {
                    if s.stats.kinds[kind.index()].valid > 0 {
                        hit = true;
                        evidence.push(format!("valid {}", kind.name()));
                    }
                }
            }
            if hit {
                got += wf.weight;
            }
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
                why: String::new(),
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
        let p = Patterns::builtin().unwrap();
        let s = with_fields(&[
            "PSNOKA",
            "NAMA",
            "KDKANTOR",
            "KDHUBKEL",
            "FLAGTANGGUNGAN",
            "NIK",
        ]);
        let a = attribute(&s, &p);
        assert_eq!(a[0].source, "bpjs_kesehatan");
        assert_eq!(a[0].score, 1.0);
        assert!(a[0].evidence.contains(&"KDKANTOR".to_string()));
    }

    #[test]
    fn nothing_fits_is_unknown() {
        let p = Patterns::builtin().unwrap();
        let a = attribute(&with_fields(&["foo", "bar"]), &p);
        assert_eq!(a[0].source, "unknown");
    }
}
