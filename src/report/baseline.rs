//! `--update-expect FILE`: the summary as an `--expect` baseline holds it — `schema` and every
//! section of [`SECTIONS`], without what `--expect` never compares (`run`, and the scan's
//! start and roots in `custody`): a baseline kept in a repository changes only when the data
//! or the rules do, never with the clock or the path a scan was given. Written as the JSON
//! summary writes it: each section from the typed [`Report`], the rows of `files` made as
//! they are written.

use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::report::expect::{ignored, section};
use crate::report::{Report, SCHEMA, SECTIONS};

/// The baseline of a report, as pretty JSON (the JSON summary's layout, less what `--expect`
/// ignores).
pub fn write_baseline(r: &Report, w: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &Baseline(r))?;
    writeln!(w)
}

struct Baseline<'r, 'a>(&'r Report<'a>);

impl Serialize for Baseline<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut m = s.serialize_map(Some(SECTIONS.len() + 1))?;
        m.serialize_entry("schema", SCHEMA)?;
        for (name, _) in SECTIONS {
            match name {
                "files" => m.serialize_entry(name, &r.files)?,
                _ => m.serialize_entry(name, &compared(name, section(r, name)))?,
            }
        }
        m.end()
    }
}

/// A section without the keys `--expect` ignores in it.
fn compared(name: &str, mut v: Option<serde_json::Value>) -> Option<serde_json::Value> {
    if let Some(serde_json::Value::Object(m)) = &mut v {
        m.retain(|key, _| !ignored(name, key));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::Json;
    use crate::report::testing::{report_of, sample};
    use crate::report::{check_baseline, expect_diff, Exporter};
    use crate::testing::pats;
    use serde_json::Value;

    fn baseline_of(r: &Report) -> (String, Value) {
        let mut out = Vec::new();
        write_baseline(r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v = serde_json::from_str(&text).unwrap();
        (text, v)
    }

    #[test]
    fn the_baseline_is_the_summary_without_what_expect_ignores() {
        let s = sample();
        let r = report_of(&s, pats());
        let (text, v) = baseline_of(&r);
        let mut whole = Vec::new();
        Json.export(&r, &mut whole).unwrap();
        let mut summary: Value = serde_json::from_slice(&whole).unwrap();
        summary.as_object_mut().unwrap().remove("run");
        let custody = summary["custody"].as_object_mut().unwrap();
        assert!(custody.contains_key("started") && custody.contains_key("roots"));
        custody.retain(|k, _| k != "started" && k != "roots");
        assert_eq!(v, summary);
        let pretty = serde_json::to_string_pretty(&summary).unwrap() + "\n";
        assert_eq!(
            text, pretty,
            "same layout and key order as the JSON summary"
        );
        assert_eq!(check_baseline(&v), Ok(()));
    }

    #[test]
    fn a_written_baseline_compares_clean_and_catches_a_moved_count() {
        let mut s = sample();
        let (_, v) = baseline_of(&report_of(&s, pats()));
        assert!(expect_diff(&report_of(&s, pats()), &v, &|x| x.to_string()).is_empty());
        s.stats.records.total += 1;
        let diffs = expect_diff(&report_of(&s, pats()), &v, &|x| x.to_string());
        // The verdict quotes the record count, so it moves with it.
        assert_eq!(diffs[0], "records.total: baseline 2, scan 3");
        assert!(
            diffs[1..].iter().all(|d| d.starts_with("verdict.")),
            "{diffs:?}"
        );
    }
}
