//! A `truth.json` (from `triage synth`) against a scan summary.

use serde_json::Value;

/// Maps where a truth lists only nonzero entries: the summary must hold no other nonzero.
const ONLY_NONZERO: &[&str] = &["provinces", "operators", "domain_classes", "invalid"];

/// Every difference between a `truth.json` and a scan summary: each leaf of the truth
/// (except `schema`, `rows`, `seed`) must equal the summary at the same path.
pub fn truth_mismatches(truth: &Value, summary: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare(truth, Some(summary), "", &mut out);
    out
}

pub fn same_number(a: &Value, b: &Value) -> bool {
    match (a.as_u64(), b.as_u64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn is_zero(v: &Value) -> bool {
    v.as_f64() == Some(0.0)
}

/// Walks `truth`, comparing every leaf with `summary` at the same path.
fn compare(truth: &Value, summary: Option<&Value>, path: &str, out: &mut Vec<String>) {
    match truth {
        Value::Object(map) => {
            for (k, t) in map {
                if path.is_empty() && matches!(k.as_str(), "schema" | "rows" | "seed") {
                    continue;
                }
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                compare(t, summary.and_then(|s| s.get(k)), &sub, out);
            }
            let last = path.rsplit('.').next().unwrap_or("");
            if ONLY_NONZERO.contains(&last) {
                if let Some(Value::Object(s)) = summary {
                    for (k, v) in s {
                        if !map.contains_key(k) && !is_zero(v) {
                            out.push(format!("{path}.{k}: truth has none, summary {v}"));
                        }
                    }
                }
            }
        }
        leaf => match summary {
            None => out.push(format!("{path}: truth {leaf}, summary has no such key")),
            Some(s) if !same_number(leaf, s) => {
                out.push(format!("{path}: truth {leaf}, summary {s}"))
            }
            Some(_) => {}
        },
    }
}
