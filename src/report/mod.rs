//! Rendering, the last stage: a scan's [`Summary`] becomes one typed [`Report`] (SPEC §7), and
//! one [`Exporter`] per format writes it to any `io::Write` — [`json::Json`], [`text::Text`],
//! [`csv::Csv`], [`html::Html`], [`md::Md`] — so every format says what the JSON says. Beside
//! them, the `--expect` comparison ([`expect`]), the baseline `--update-expect` writes ([`baseline`]),
//! the `--records` file ([`records`]) and the masking of names ([`names`]). Imports `summary`
//! (the counts), `analyze` (the detector that finds identifiers in names) and `rules`; the
//! mask and the escapes are loose files below it all.

pub mod baseline;
pub mod compare;
pub mod csv;
pub mod expect;
pub mod html;
pub mod json;
pub mod md;
pub mod model;
pub mod names;
pub mod records;
pub mod text;

use std::io::{self, Write};

use serde_json::Value;

pub use crate::report::expect::{check_baseline, expect_diff, SECTIONS};
pub use crate::report::model::Report;
pub use crate::report::names::NameMasker;
use crate::rules::Patterns;
use crate::summary::Summary;

pub const SCHEMA: &str = "triage.summary/1";

/// Writes a [`Report`] in one format.
pub trait Exporter {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()>;
}

/// The non-deterministic part of a summary.
#[derive(Clone, Debug)]
pub struct RunInfo {
    pub threads: usize,
    pub elapsed_s: f64,
}

/// The JSON summary (SPEC §7) as a value, rows of `files` included: for tests and callers that
/// edit it. A scan writes its [`Report`], which makes the rows as they are written.
pub fn summary_json(s: &Summary, p: &Patterns, run: &RunInfo) -> Value {
    serde_json::to_value(Report::new(s, p, run)).expect("the report is plain data")
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::report::{Report, RunInfo};
    use crate::rules::Patterns;
    use crate::summary::{FileStats, State, Summary};

    /// A summary with two records in Jakarta, one scanned file and one that failed with a
    /// reason holding a control character (and a hash: read whole, then refused), with its
    /// custody.
    pub fn sample() -> Summary {
        let mut s = Summary::default();
        s.stats.records.total = 2;
        s.stats.provinces[31] = 2;
        let mut a = FileStats::new(State::Scanned, "csv", 7);
        a.records = 2;
        s.files.insert("a.csv".into(), a);
        let mut x = FileStats::new(State::Failed, "csv", 5)
            .with_reason(crate::summary::Reason::ReadError("boom\x1b".into()));
        x.sha256 = Some(Box::new([0xab; 32]));
        s.files.insert("x.csv".into(), x);
        s.custody.started = Some(1_796_558_707);
        s.custody.roots = ["x.csv".to_string(), "dump/".to_string()].into();
        s.custody.case = Some("CASE-7".into());
        s
    }

    /// The report of `s` as a scan of half a second on one thread makes it.
    pub fn report_of<'a>(s: &'a Summary, p: &Patterns) -> Report<'a> {
        let run = RunInfo {
            threads: 1,
            elapsed_s: 0.5,
        };
        Report::new(s, p, &run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::Json;
    use crate::report::testing::{report_of, sample};
    use crate::testing::pats;

    #[test]
    fn names_are_masked_in_problems_and_rows() {
        let mut s = Summary::default();
        s.files.insert(
            "ktp_3171014101900002.csv".into(),
            crate::summary::FileStats::new(crate::summary::State::Failed, "csv", 5).with_reason(
                crate::summary::Reason::ReadError("in ktp_3171014101900002.csv".into()),
            ),
        );
        let mut r = report_of(&s, pats());
        r.mask_names(pats());
        let mut out = Vec::new();
        Json.export(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains("3171014101900002"), "{text}");
        assert_eq!(text.matches("ktp_3171**********02.csv").count(), 3);
        let row = r.files.rows().next().unwrap();
        assert_eq!(row.reason, "read error: in ktp_3171**********02.csv");
    }

    #[test]
    fn the_value_is_the_json_text() {
        let s = sample();
        let r = report_of(&s, pats());
        let mut out = Vec::new();
        Json.export(&r, &mut out).unwrap();
        let v = summary_json(
            &s,
            pats(),
            &RunInfo {
                threads: 1,
                elapsed_s: 0.5,
            },
        );
        let mut again = serde_json::to_string_pretty(&v).unwrap();
        again.push('\n');
        assert_eq!(String::from_utf8(out).unwrap(), again);
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["ledger"]["problems"][0]["reason"], "read error: boom\x1b");
    }
}
