//! `--expect FILE`: the differences between a scan's [`Report`] and a baseline summary, outside
//! `run`. The baseline is any JSON the user gives, so it is read as a `serde_json::Value`; the
//! report's sections are serialized to values to be compared with it, and the rows of `files`
//! one at a time as they are made (a value per file was most of a many-file scan's memory).

use std::borrow::Cow;

use serde_json::Value;

use crate::report::{Report, SCHEMA};

/// The sections a summary holds outside `run` and `schema`, and whether each is an array:
/// an `--expect` baseline must hold every one (SPEC §2), or the comparison could not fail
/// on what it lacks.
pub const SECTIONS: [(&str, bool); 10] = [
    ("ledger", false),
    ("records", false),
    ("identifiers", false),
    ("attribution", true),
    ("verdict", false),
    ("impact", false),
    ("sensitive", false),
    ("reference", false),
    ("custody", false),
    ("files", true),
];

/// Why `baseline` cannot be an `--expect` baseline, if it cannot.
pub fn check_baseline(baseline: &Value) -> Result<(), String> {
    let Some(b) = baseline.as_object() else {
        return Err("it is not a JSON object".into());
    };
    if b.get("schema").and_then(Value::as_str) != Some(SCHEMA) {
        return Err(format!("it does not have \"schema\": \"{SCHEMA}\""));
    }
    let missing: Vec<&str> = SECTIONS
        .iter()
        .filter(|(name, array)| match b.get(*name) {
            Some(v) if *array => !v.is_array(),
            Some(v) => !v.is_object(),
            None => true,
        })
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "it lacks the section(s) {} (or holds them in another shape)",
            missing.join(", ")
        ));
    }
    Ok(())
}

/// How a difference line shows a string of either side (entry names, reasons): the
/// differences are an output too (masks, escapes).
pub type Show<'a> = &'a dyn Fn(&str) -> String;

/// The differences between a report and a baseline, outside `run`. Keys only in the report
/// are new information, not a moved count, and are not reported.
pub fn expect_diff(actual: &Report, expected: &Value, show: Show) -> Vec<String> {
    let mut out = Vec::new();
    let Some(em) = expected.as_object() else {
        let names = SECTIONS.iter().map(|(k, _)| *k);
        let head = std::iter::once("schema")
            .chain(names)
            .chain(["run"])
            .filter_map(|k| Some((k.to_string(), section(actual, k)?)))
            .collect();
        diff_into("", &Value::Object(head), expected, show, &mut out);
        return out;
    };
    for (k, ev) in em {
        match (k.as_str(), ev) {
            ("run", _) => {}
            ("files", Value::Array(rows)) => {
                let made = actual
                    .files
                    .rows()
                    .map(|r| Cow::Owned(serde_json::to_value(r).expect("a row is plain data")));
                diff_rows(&show(k), made, rows, show, &mut out)
            }
            _ => match section(actual, k) {
                Some(av) => diff_into(&show(k), &av, ev, show, &mut out),
                None => out.push(format!(
                    "{}: missing (baseline {})",
                    show(k),
                    render(ev, show)
                )),
            },
        }
    }
    out
}

/// A top-level section of the report as its JSON value; `files` is an empty array here (its
/// rows are compared one by one as they are made).
pub(crate) fn section(r: &Report, name: &str) -> Option<Value> {
    let v = match name {
        "schema" => serde_json::to_value(r.schema),
        "ledger" => serde_json::to_value(&r.ledger),
        "records" => serde_json::to_value(&r.records),
        "identifiers" => serde_json::to_value(&r.identifiers),
        "attribution" => serde_json::to_value(&r.attribution),
        "verdict" => serde_json::to_value(&r.verdict),
        "impact" => serde_json::to_value(&r.impact),
        "sensitive" => serde_json::to_value(&r.sensitive),
        "reference" => serde_json::to_value(&r.reference),
        "custody" => serde_json::to_value(&r.custody),
        "files" => Ok(Value::Array(Vec::new())),
        "run" => serde_json::to_value(&r.run),
        _ => return None,
    };
    Some(v.expect("the report is plain data"))
}

/// A JSON value as a difference line shows it: its strings through `show`.
fn render(v: &Value, show: Show) -> String {
    fn map(v: &Value, show: Show) -> Value {
        match v {
            Value::String(s) => Value::String(show(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| map(x, show)).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, x)| (show(k), map(x, show))).collect())
            }
            other => other.clone(),
        }
    }
    map(v, show).to_string()
}

fn diff_into(path: &str, a: &Value, e: &Value, show: Show, out: &mut Vec<String>) {
    let label = |k: &str| {
        if path.is_empty() {
            show(k)
        } else {
            format!("{path}.{}", show(k))
        }
    };
    match (a, e) {
        (Value::Object(am), Value::Object(em)) => {
            for (k, ev) in em {
                if ignored(path, k) {
                    continue;
                }
                match am.get(k) {
                    Some(av) => diff_into(&label(k), av, ev, show, out),
                    None => out.push(format!(
                        "{}: missing (baseline {})",
                        label(k),
                        render(ev, show)
                    )),
                }
            }
        }
        (Value::Array(aa), Value::Array(ea)) => {
            diff_rows(path, aa.iter().map(Cow::Borrowed), ea, show, out)
        }
        (Value::Number(an), Value::Number(en)) => {
            if an.as_f64() != en.as_f64() {
                out.push(format!("{path}: baseline {en}, scan {an}"));
            }
        }
        _ => {
            if a != e {
                out.push(format!(
                    "{path}: baseline {}, scan {}",
                    render(e, show),
                    render(a, show)
                ));
            }
        }
    }
}

/// What `--expect` does not compare: `run` and the scan's start, the summary's only
/// timestamps, and the roots as they were spelled (`fixtures/`, `./fixtures`, an absolute
/// path: one scan of the same data; every entry's path, relative to its root, is compared).
pub(crate) fn ignored(path: &str, key: &str) -> bool {
    match path {
        "" => key == "run",
        "custody" => matches!(key, "started" | "roots"),
        _ => false,
    }
}

/// Array elements compared in order, each named by its `path` (or `source`) when it has one.
fn diff_rows<'a>(
    path: &str,
    mut aa: impl Iterator<Item = Cow<'a, Value>>,
    ea: &[Value],
    show: Show,
    out: &mut Vec<String>,
) {
    let name = |v: &Value, i: usize| match v.get("path").or_else(|| v.get("source")) {
        Some(Value::String(s)) => format!("{path}[{}]", show(s)),
        _ => format!("{path}[{i}]"),
    };
    let key = |v: &Value| v.get("path").or_else(|| v.get("source")).cloned();
    for (i, ev) in ea.iter().enumerate() {
        match aa.next() {
            Some(av) if key(&av) == key(ev) => diff_into(&name(ev, i), &av, ev, show, out),
            Some(av) => out.push(format!(
                "{path}[{i}]: baseline has {}, scan has {}",
                name(ev, i),
                name(&av, i)
            )),
            None => out.push(format!("{}: missing", name(ev, i))),
        }
    }
    for (i, av) in aa.enumerate() {
        out.push(format!("{}: not in baseline", name(&av, ea.len() + i)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::report_of;
    use crate::summary::{FileStats, State, Summary};
    use crate::testing::pats;
    use serde_json::json;

    fn plain(s: &str) -> String {
        s.to_string()
    }

    #[test]
    fn a_baseline_must_hold_every_section_the_summary_has() {
        let s = Summary::default();
        let v = serde_json::to_value(report_of(&s, pats())).unwrap();
        let emitted: Vec<&str> = v
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !matches!(*k, "schema" | "run"))
            .collect();
        let listed: Vec<&str> = SECTIONS.iter().map(|(k, _)| *k).collect();
        assert_eq!(emitted, listed, "SECTIONS follows the summary");
        assert_eq!(check_baseline(&v), Ok(()));
        for (k, array) in SECTIONS {
            assert_eq!(v[k].is_array(), array, "{k}");
            let mut b = v.clone();
            b.as_object_mut().unwrap().remove(k);
            assert!(check_baseline(&b).unwrap_err().contains(k));
        }
        assert!(check_baseline(&json!({})).is_err());
        assert!(check_baseline(&json!([])).is_err());
    }

    #[test]
    fn every_section_is_compared_as_it_is_written() {
        let mut s = Summary::default();
        s.files
            .insert("a.csv".into(), FileStats::new(State::Scanned, "csv", 1));
        let r = report_of(&s, pats());
        let v = serde_json::to_value(&r).unwrap();
        for (k, _) in SECTIONS.iter().filter(|(k, _)| *k != "files") {
            assert_eq!(section(&r, k).as_ref(), Some(&v[*k]), "{k}");
        }
        assert!(expect_diff(&r, &v, &plain).is_empty());
        assert_eq!(section(&r, "no such section"), None);
    }

    #[test]
    fn expect_reports_moved_counts_and_ignores_run() {
        let base = json!({"records": {"total": 3}, "files": [{"path": "a", "records": 1}], "run": {"elapsed_s": 1}});
        let same = json!({"records": {"total": 3}, "files": [{"path": "a", "records": 1}], "run": {"elapsed_s": 9}, "new": 1});
        let diff = |a: &Value, e: &Value| {
            let mut out = Vec::new();
            diff_into("", a, e, &plain, &mut out);
            out
        };
        assert!(diff(&same, &base).is_empty());
        let at =
            |t: &str, root: &str| json!({"custody": {"started": t, "roots": [root], "case": "K"}});
        assert!(diff(
            &at("2026-12-06T12:00:00Z", "/ci/fixtures"),
            &at("2020-01-01T00:00:00Z", "fixtures/")
        )
        .is_empty());
        let other_case = json!({"custody": {"started": "x", "case": "L"}});
        assert_eq!(
            diff(&other_case, &at("x", "r")),
            vec![r#"custody.case: baseline "K", scan "L""#]
        );
        let moved =
            json!({"records": {"total": 4}, "files": [{"path": "a", "records": 2}, {"path": "b"}]});
        assert_eq!(
            diff(&moved, &base),
            vec![
                "records.total: baseline 3, scan 4",
                "files[a].records: baseline 1, scan 2",
                "files[b]: not in baseline",
            ]
        );
    }

    #[test]
    fn rule7_file_rows_are_made_as_they_are_compared() {
        let mut s = Summary::default();
        for i in 0..300u64 {
            let mut f = FileStats::new(State::Scanned, "csv", 10 + i);
            f.records = i;
            s.files.insert(format!("d/{i:04}.csv"), f);
        }
        let r = report_of(&s, pats());
        let whole = serde_json::to_value(&r).unwrap();
        assert_eq!(whole["files"].as_array().unwrap().len(), 300);
        assert!(expect_diff(&r, &whole, &plain).is_empty());
        let mut moved = whole.clone();
        moved["files"][7]["records"] = json!(70);
        moved["files"].as_array_mut().unwrap().pop();
        moved["ledger"]["entries"] = json!(1);
        assert_eq!(
            expect_diff(&r, &moved, &plain),
            vec![
                "ledger.entries: baseline 1, scan 300",
                "files[d/0007.csv].records: baseline 70, scan 7",
                "files[d/0299.csv]: not in baseline",
            ]
        );
    }
}
