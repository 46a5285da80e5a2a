//! `--format json`: the summary of SPEC §7 as pretty JSON, written straight from the typed
//! [`Report`] (its field order is the text's), the rows of `files` made as they are written.

use std::io::{self, BufWriter, Write};

use crate::report::{Exporter, Report};

pub struct Json;

impl Exporter for Json {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        // serde_json writes a token at a time (a quote, a key, a comma): through `dyn Write`
        // each was a call into the output's writer, half the cost of a small file's ledger
        // row. A buffer over it takes them in 64 KiB blocks, memory bounded however many
        // rows `files` holds.
        let mut b = BufWriter::with_capacity(BATCH, w);
        serde_json::to_writer_pretty(&mut b, r)?;
        b.write_all(b"\n")?;
        b.into_inner().map_err(|e| e.into_error())?;
        Ok(())
    }
}

/// Bytes gathered before they go to the exporter's writer.
const BATCH: usize = 64 << 10;

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

    #[test]
    fn a_long_summary_reaches_the_writer_whole_in_blocks() {
        /// Counts the writes it is handed.
        struct Counting(Vec<u8>, usize);
        impl Write for Counting {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.extend_from_slice(b);
                self.1 += 1;
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let mut s = sample();
        let row = s.files.values().next().unwrap().clone();
        for i in 0..2_000 {
            s.files.insert(format!("dump/f{i:05}.csv"), row.clone());
        }
        let r = report_of(&s, crate::testing::pats());
        let mut whole = Vec::new();
        serde_json::to_writer_pretty(&mut whole, &r).unwrap();
        whole.push(b'\n');
        let mut out = Counting(Vec::new(), 0);
        Json.export(&r, &mut out).unwrap();
        assert_eq!(out.0, whole);
        assert!(
            whole.len() > 2 * BATCH && out.1 <= whole.len() / BATCH + 1,
            "{}",
            out.1
        );
    }
}
