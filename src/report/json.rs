//! `--format json`: the summary of SPEC §7 as pretty JSON, written straight from the typed
//! [`Report`] (its field order is the text's), the rows of `files` made as they are written.

use std::io::{self, Write};

use crate::report::{Exporter, Report};

pub struct Json;

impl Exporter for Json {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, r)?;
        writeln!(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{report_of, sample};

    #[test]
    fn writes_every_section_in_order() {
        let s = sample();
        let r = report_of(&s, crate::testing::pats());
        let mut out = Vec::new();
        Json.export(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "schema",
                "ledger",
                "records",
                "identifiers",
                "attribution",
                "verdict",
                "impact",
                "sensitive",
                "reference",
                "custody",
                "files",
                "run"
            ]
        );
        assert_eq!(v["files"][0]["path"], "a.csv");
        assert_eq!(v["files"][0]["valid"]["nik"], 0);
        assert_eq!(v["files"][0]["sha256"], serde_json::Value::Null);
        assert_eq!(v["files"][1]["sha256"], "ab".repeat(32));
        assert_eq!(v["custody"]["started"], "2026-12-06T12:05:07Z");
        assert_eq!(v["custody"]["roots"], serde_json::json!(["dump/", "x.csv"]));
        assert_eq!(v["custody"]["case"], "CASE-7");
        assert_eq!(v["custody"]["sampled"], serde_json::Value::Null);
        assert!(text.ends_with("}\n"));
    }
}
