//! Rule 1 (JSON): any file that may hold records is read. JSON is decided by its
//! structure, not by its first line or the sniff block; a top-level object's arrays of
//! objects give one record per element, compact or pretty-printed, at any nesting of
//! envelope objects; Elasticsearch `_bulk` action lines are not records (SPEC §3, §4).
//!
//! Every input is built here, in a temporary folder, from made-up people whose NIK encodes
//! the birth date written beside it, so that `confirmed` counts each record that kept its
//! NIK and its date together.

use serde_json::{json, Value};

mod common;
use common::run::scan_json;

/// Writes `name` holding `bytes` into a new folder and scans it: the folder (kept alive),
/// the one `files` row and the exit code.
fn scan_one(name: &str, bytes: &[u8], extra: &[&str]) -> (tempfile::TempDir, Value, i32) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let (v, code) = scan_json(&path, extra);
    let row = v["files"][0].clone();
    (dir, row, code)
}

/// Asserts the row's state, format, records, confirmed records and valid NIKs.
fn assert_row(row: &Value, format: &str, records: u64, confirmed: u64) {
    assert_eq!(row["state"], "scanned", "{row}");
    assert_eq!(row["format"], format, "{row}");
    assert_eq!(row["records"], records, "{row}");
    assert_eq!(row["confirmed"], confirmed, "{row}");
}

/// Person `i`: a valid NIK whose date part is the birth date given, and a valid phone.
fn person(i: usize) -> Value {
    let (d, m) = (i % 28 + 1, i % 12 + 1);
    json!({
        "nik": format!("317101{d:02}{m:02}90{:04}", i % 9999 + 1),
        "nama": format!("Orang {i}"),
        "tgl_lahir": format!("{d:02}-{m:02}-1990"),
        "hp": format!("0812{:08}", 34_567_000 + i),
    })
}

fn people(n: usize) -> Vec<Value> {
    (0..n).map(person).collect()
}

fn compact(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn pretty(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).unwrap()
}

#[test]
fn rule1_json_lines_with_a_first_row_longer_than_the_sniff_block_is_json() {
    // A 90 KB base64 photo in the first row: its line does not end in the first block.
    let photo = "/9j/4AAQSkZJRgABAQAAAQABAAD".repeat(90_000 / 27);
    let mut file = Vec::new();
    for (i, mut p) in people(3).into_iter().enumerate() {
        if i == 0 {
            p["foto"] = json!(photo);
        }
        file.extend(compact(&p));
        file.push(b'\n');
    }
    let (_d, row, code) = scan_one("export.jsonl", &file, &[]);
    assert_eq!(code, 0);
    assert_row(&row, "json", 3, 3);
    assert_eq!(row["valid"]["nik"], 3);
}

#[test]
fn rule1_json_one_line_api_response_gives_one_record_per_element() {
    let doc = json!({"status": "ok", "code": 200, "data": people(3), "page": {"next": null}});
    for (name, bytes) in [
        ("api.json", compact(&doc)),
        ("api_pretty.json", pretty(&doc)),
    ] {
        let (_d, row, code) = scan_one(name, &bytes, &[]);
        assert_eq!(code, 0, "{name}");
        assert_row(&row, "json", 3, 3);
        assert_eq!(row["valid"]["phone"], 3, "{name}");
    }
}

#[test]
fn rule1_json_elasticsearch_search_response_reads_hits_source() {
    let hits: Vec<Value> = people(4)
        .into_iter()
        .enumerate()
        .map(|(i, p)| json!({"_index": "penduduk", "_id": i.to_string(), "_score": 1.0, "_source": p}))
        .collect();
    let doc = json!({
        "took": 5,
        "timed_out": false,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {"total": {"value": 4, "relation": "eq"}, "max_score": 1.0, "hits": hits},
    });
    for bytes in [pretty(&doc), compact(&doc)] {
        let (_d, row, code) = scan_one("search.json", &bytes, &[]);
        assert_eq!(code, 0);
        // `_source.nik` is a `nik` field and `_source.tgl_lahir` its birth date.
        assert_row(&row, "json", 4, 4);
    }
}

#[test]
fn rule1_json_fhir_bundle_reads_one_record_per_entry_resource() {
    let entries: Vec<Value> = (0..3)
        .map(|i| {
            let p = person(i);
            let (d, m) = (i % 28 + 1, i % 12 + 1);
            json!({
                "fullUrl": format!("urn:uuid:{i}"),
                "resource": {
                    "resourceType": "Patient",
                    "id": i.to_string(),
                    "identifier": [{"system": "https://fhir.kemkes.go.id/id/nik", "value": p["nik"]}],
                    "name": [{"use": "official", "text": p["nama"]}],
                    "telecom": [{"system": "phone", "value": p["hp"]}],
                    "gender": "female",
                    "birthDate": format!("1990-{m:02}-{d:02}"),
                },
                "search": {"mode": "match"},
            })
        })
        .collect();
    let bundle = json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": 3,
        "link": [{"relation": "self", "url": "https://fhir.example/Patient"}],
        "entry": entries,
    });
    let (_d, row, code) = scan_one("bundle.json", &pretty(&bundle), &[]);
    assert_eq!(code, 0);
    // `link` is the Bundle's own: the records are its three entries.
    assert_row(&row, "json", 3, 3);
    assert_eq!(row["valid"]["nik"], 3);
}

#[test]
fn rule1_json_tables_in_one_object_give_one_record_per_row() {
    let invoices: Vec<Value> = (0..5)
        .map(|i| json!({"no": format!("INV-{i}"), "total": 1000 * i, "items": [{"sku": "A", "qty": 1}]}))
        .collect();
    let doc = json!({"Customer": people(3), "Invoice": invoices});
    let (_d, row, code) = scan_one("dump.json", &compact(&doc), &[]);
    assert_eq!(code, 0);
    // Three customers and five invoices; an invoice's own list of items is part of it.
    assert_row(&row, "json", 8, 3);
}

#[test]
fn rule1_json_elasticsearch_bulk_action_lines_are_not_records() {
    let mut file = Vec::new();
    for (i, p) in people(4).into_iter().enumerate() {
        let action = match i % 3 {
            0 => json!({"index": {"_index": "penduduk", "_id": i.to_string()}}),
            1 => json!({"create": {"_index": "penduduk", "_id": i, "routing": "x"}}),
            _ => json!({"update": {"_id": i.to_string(), "retry_on_conflict": 3}}),
        };
        file.extend(compact(&action));
        file.push(b'\n');
        let doc = if i % 3 == 2 { json!({"doc": p}) } else { p };
        file.extend(compact(&doc));
        file.push(b'\n');
    }
    file.extend(b"{\"delete\":{\"_index\":\"penduduk\",\"_id\":\"9\"}}\n");
    let (_d, row, code) = scan_one("bulk.ndjson", &file, &[]);
    assert_eq!(code, 0);
    assert_row(&row, "jsonl", 4, 4);
}

#[test]
fn rule1_json_enveloped_document_is_cut_on_element_boundaries() {
    // Far longer than the record limit: read whole, it would be cut into pieces (`partial`);
    // cut between its elements, every record is whole.
    let doc = json!({"status": "ok", "result": {"data": people(20_000)}});
    for bytes in [compact(&doc), pretty(&doc)] {
        assert!(bytes.len() > 1 << 20);
        let (_d, row, code) = scan_one("big.json", &bytes, &["--max-record", "256K"]);
        assert_eq!(code, 0, "{row}");
        assert_row(&row, "json", 20_000, 20_000);
    }
}
