//! Property tests: a record split across chunk boundaries is counted once.
//!
//! Generated records — identifiers, quoted delimiters and line breaks, escapes — are written
//! as CSV, JSON Lines, a JSON array, SQL `INSERT`s and plain text, and scanned through the
//! library with one chunk and with small random chunk sizes; the summaries (every count, the
//! ledger, attribution, the files) must be identical. A fixed 64 KiB of padding comes first:
//! the first chunk is the sniffed block, so the generated records fall where chunks are cut.

use proptest::prelude::*;
use serde_json::Value;

use triage::report::{summary_json, RunInfo};
use triage::rules::Patterns;
use triage::scan::{scan_one, ScanConfig};
use triage::summary::Summary;

const NIKS: [&str; 5] = [
    "3171010101900001",
    "3171014101900002",
    "3578010202900202",
    "3273020303900203",
    "3171010101900000", // invalid: serial 0000
];
const PHONES: [&str; 3] = ["081234567890", "+62 812-3456-7891", "0857 1234 7002"];
const EMAILS: [&str; 2] = ["budi@gmail.com", "siti.aminah@ui.ac.id"];

#[derive(Clone, Debug)]
struct Rec {
    name: String,
    nik: String,
    phone: String,
    email: String,
    note: String,
}

/// Free text with the characters that make cutting hard: delimiters, quotes, line breaks,
/// backslashes, and identifiers inside it.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-zA-Z ]{1,12}",
            1 => Just(",".to_string()),
            1 => Just("\"".to_string()),
            1 => Just("'".to_string()),
            1 => Just("\n".to_string()),
            1 => Just("\\".to_string()),
            1 => Just(";".to_string()),
            1 => prop::sample::select(NIKS.to_vec()).prop_map(|s| format!(" {s} ")),
            1 => prop::sample::select(PHONES.to_vec()).prop_map(|s| format!(" {s} ")),
        ],
        0..8,
    )
    .prop_map(|v| v.concat())
}

fn rec() -> impl Strategy<Value = Rec> {
    (
        "[A-Z][a-z]{0,10}",
        prop::sample::select(NIKS.to_vec()),
        prop::sample::select(PHONES.to_vec()),
        prop::sample::select(EMAILS.to_vec()),
        text(),
    )
        .prop_map(|(name, nik, phone, email, note)| Rec {
            name,
            nik: nik.to_string(),
            phone: phone.to_string(),
            email: email.to_string(),
            note,
        })
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

const PAD: usize = 64 << 10;

fn render(format: usize, recs: &[Rec]) -> (Vec<u8>, &'static str) {
    let mut out = String::new();
    let name = match format {
        0 => {
            out.push_str("nama,nik,hp,email,keterangan\n");
            while out.len() < PAD {
                out.push_str("pad,,,,\n");
            }
            for r in recs {
                let cells = [&r.name, &r.nik, &r.phone, &r.email, &r.note];
                let row: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
                out.push_str(&row.join(","));
                out.push('\n');
            }
            "data.csv"
        }
        1 | 2 => {
            let obj = |r: &Rec| {
                serde_json::json!({
                    "nama": r.name, "nik": r.nik, "hp": r.phone,
                    "kontak": {"email": r.email, "catatan": r.note},
                })
                .to_string()
            };
            let array = format == 2;
            if array {
                out.push_str("[\n");
            }
            while out.len() < PAD {
                out.push_str(if array {
                    "{\"pad\":1},\n"
                } else {
                    "{\"pad\":1}\n"
                });
            }
            for (i, r) in recs.iter().enumerate() {
                out.push_str(&obj(r));
                if array && i + 1 < recs.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            if array {
                out.push_str("]\n");
                "data.json"
            } else {
                "data.jsonl"
            }
        }
        5 | 6 => {
            // An enveloped document (SPEC §3): one line, or pretty-printed like an
            // Elasticsearch `_search` response; its records are the elements of `hits`.
            let pretty = format == 6;
            let obj = |r: &Rec| {
                let v = serde_json::json!({
                    "_id": r.name,
                    "_source": {"nama": r.name, "nik": r.nik, "hp": r.phone,
                        "kontak": {"email": r.email, "catatan": r.note}},
                });
                if pretty {
                    serde_json::to_string_pretty(&v).unwrap()
                } else {
                    v.to_string()
                }
            };
            out.push_str(r#"{"took":1,"hits":{"total":{"value":0},"hits":["#);
            while out.len() < PAD {
                out.push_str(if pretty {
                    "\n  {\"pad\": 1},"
                } else {
                    r#"{"pad":1},"#
                });
            }
            out.push_str(r#"{"pad":1}"#);
            for r in recs {
                out.push(',');
                out.push_str(&obj(r));
            }
            out.push_str("]}}\n");
            if pretty {
                "data_pretty.json"
            } else {
                "data_env.json"
            }
        }
        3 => {
            out.push_str("-- MySQL dump\nCREATE TABLE `t` (`nama` text, `nik` text, `hp` text, `email` text, `ket` text);\n");
            while out.len() < PAD {
                out.push_str("INSERT INTO `t` VALUES ('pad','','','','');\n");
            }
            for chunk in recs.chunks(3) {
                out.push_str("INSERT INTO `t` VALUES ");
                let tuples: Vec<String> = chunk
                    .iter()
                    .map(|r| {
                        let cells = [&r.name, &r.nik, &r.phone, &r.email, &r.note];
                        let v: Vec<String> = cells.iter().map(|c| sql_str(c)).collect();
                        format!("({})", v.join(","))
                    })
                    .collect();
                out.push_str(&tuples.join(",\n"));
                out.push_str(";\n");
            }
            "data.sql"
        }
        _ => {
            while out.len() < PAD {
                out.push_str("padding line\n");
            }
            for r in recs {
                let line = format!("{} {} {} {} {}", r.name, r.nik, r.phone, r.email, r.note);
                out.push_str(&line.replace('\n', " "));
                out.push('\n');
            }
            "data.txt"
        }
    };
    (out.into_bytes(), name)
}

fn summary(data: &[u8], name: &str, chunk: usize, p: &Patterns) -> Value {
    let mut cfg = ScanConfig::new(Vec::new());
    cfg.chunk_size = chunk;
    if name.ends_with("_env.json") || name.ends_with("_pretty.json") {
        // A document longer than the record limit is not read whole: its elements are cut
        // as they stream, at whatever chunk size.
        cfg.max_record = PAD + 4096;
    }
    let s = scan_one(&mut &data[..], name, &cfg, p);
    without_run(&s, p)
}

/// A summary's JSON without its `run` block (times and threads).
fn without_run(s: &Summary, p: &Patterns) -> Value {
    let run = RunInfo {
        threads: 1,
        elapsed_s: 0.0,
    };
    let mut v = summary_json(s, p, &run);
    v.as_object_mut().unwrap().remove("run");
    v
}

/// What a failed comparison of two summaries of the same records says.
fn differs(format: usize, chunk: usize, a: &Value, b: &Value) -> String {
    format!(
        "{} with chunks of {chunk}: records {} vs {}, identifiers {} vs {}",
        FORMATS[format], a["records"], b["records"], a["identifiers"], b["identifiers"]
    )
}

fn patterns() -> &'static Patterns {
    static P: std::sync::OnceLock<Patterns> = std::sync::OnceLock::new();
    P.get_or_init(|| Patterns::builtin().unwrap())
}

const FORMATS: [&str; 7] = ["csv", "jsonl", "json", "sql", "text", "json", "json"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn records_split_across_chunks_count_once(
        format in 0..FORMATS.len(),
        recs in prop::collection::vec(rec(), 0..60),
        chunk in 1usize..400,
    ) {
        let p = patterns();
        let (data, name) = render(format, &recs);
        let one = summary(&data, name, 1 << 30, p);
        let small = summary(&data, name, chunk, p);
        prop_assert_eq!(&one["files"][0]["state"], "scanned", "{}", FORMATS[format]);
        prop_assert_eq!(
            &one["files"][0]["format"],
            FORMATS[format],
            "sniffed as {}",
            one["files"][0]["format"]
        );
        prop_assert!(one == small, "{}", differs(format, chunk, &one, &small));
        // Every generated record is one record (the padding is a fixed count).
        let pad = summary(&render(format, &[]).0, name, 1 << 30, p);
        let extra = one["records"]["total"].as_u64().unwrap()
            - pad["records"]["total"].as_u64().unwrap();
        prop_assert_eq!(extra, recs.len() as u64);
    }
}

// Regressions found by the property above.

#[test]
fn a_json_chunk_that_ends_in_an_escape_does_not_panic() {
    // The string skip stepped over the escaped byte past the end: an index panic.
    let l = triage::formats::layout::Layout::JsonStream { array: true };
    assert_eq!(l.boundary(b"[{\"a\":1},{\"b\":\"x\\"), Some(8));
    assert_eq!(l.boundary(b"{\"b\":\"x\\"), None);
}

#[test]
fn a_later_json_array_chunk_is_not_cut_inside_its_first_object() {
    // A chunk after the first starts inside the array: its first `{` opens a record, so the
    // strings in it are not boundaries between elements (they were, splitting the record).
    let l = triage::formats::layout::Layout::JsonStream { array: true };
    assert_eq!(l.boundary(b"{\"a\":\"x\",\"b\":\"y\""), None);
    assert_eq!(l.boundary(b"{\"a\":\"x\"},\n{\"b\":\"y\""), Some(11));
    assert_eq!(l.boundary(b"[{\"a\":\"x\",\"b\":\"y\""), None);
}

#[test]
fn the_records_fuzz_crash_replays_cleanly() {
    // fuzz/fuzz_targets/records.rs found the escape panic above: its input (selector byte 3:
    // a JSON array stream) cut at every length, as the target does.
    let data = include_bytes!("fuzz-regressions/records-json-escape-at-end.bin");
    let l = triage::formats::layout::Layout::JsonStream { array: true };
    for end in 0..data.len() {
        if let Some(cut) = l.boundary(&data[1..end.max(1)]) {
            assert!(cut < end.max(1));
        }
    }
}

/// A walked file of at least 8 chunks is read where it lies (a mapping), its chunks cut in
/// place; one read whole in one chunk is not. Both must say the same, and hash the same.
fn file_summary(data: &[u8], name: &str, chunk: usize, p: &Patterns) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, data).unwrap();
    let mut cfg = ScanConfig::new(vec![path]);
    cfg.chunk_size = chunk;
    cfg.threads = 2;
    let s = triage::scan::scan(&cfg, p, &Default::default()).unwrap();
    let mut v = without_run(&s, p);
    v["custody"].as_object_mut().unwrap().remove("started");
    v["custody"].as_object_mut().unwrap().remove("roots");
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn a_file_read_where_it_lies_says_what_one_read_whole_says(
        format in 0..FORMATS.len(),
        recs in prop::collection::vec(rec(), 0..60),
        chunk in 64usize..2048,
    ) {
        use sha2::Digest;
        let p = patterns();
        let (data, name) = render(format, &recs);
        let whole = file_summary(&data, name, 1 << 30, p);
        let mapped = file_summary(&data, name, chunk, p);
        let sha: String = sha2::Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect();
        prop_assert_eq!(&whole["files"][0]["sha256"], &Value::from(sha));
        prop_assert!(whole == mapped, "{}", differs(format, chunk, &whole, &mapped));
    }
}
