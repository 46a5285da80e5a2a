//! Reading a scan's JSON summary by the names SPEC §7 gives its parts.

use serde_json::Value;

/// The `files` row of the entry `path`.
pub fn file<'a>(v: &'a Value, path: &str) -> &'a Value {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no entry {path:?} in {}", v["files"]))
}

/// The reason the ledger gives for the entry `path`.
pub fn reason(v: &Value, path: &str) -> String {
    v["ledger"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == path)
        .and_then(|p| p["reason"].as_str())
        .unwrap_or_else(|| panic!("no problem for {path:?} in {}", v["ledger"]))
        .to_string()
}

/// Asserts that the `files` row `f` was read whole, as `format`.
pub fn assert_scanned_as(f: &Value, format: &str) {
    assert_eq!(
        (f["state"].as_str(), f["format"].as_str()),
        (Some("scanned"), Some(format)),
        "{f}"
    );
}

/// `v` without its timestamps, `run` and `custody.started` (SPEC §7: the rest is the same
/// in every run), for comparing two scans byte for byte.
pub fn without_times(v: &mut Value) {
    let o = v.as_object_mut().expect("a summary object");
    o.remove("run");
    if let Some(c) = o.get_mut("custody").and_then(Value::as_object_mut) {
        c.remove("started");
    }
}
