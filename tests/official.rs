//! NPWP and NIP through the binary: a generated CSV with NIK, NPWP and NIP columns
//! and a text file holding both in their written forms. Every output counts them — the JSON,
//! text, CSV and HTML summaries, `--records`, `--expect` — and none shows a raw value.

use std::fs;
use std::path::Path;

use serde_json::Value;

mod common;
use common::luhn::check_digit;
use common::run::{scan, triage};

const AS_OF: &str = "2026-12-06";
const ROWS: usize = 40;
const LINES: usize = 20;

/// A 15-digit NPWP made from `i`, its check digit right or (`broken`) wrong.
fn npwp15(i: usize, broken: bool) -> String {
    let head = format!("{:08}", 10_000_000 + i * 7919);
    let d = (check_digit(&head) + u32::from(broken)) % 10;
    format!("{head}{d}{:03}000", i % 1000)
}

/// `XX.XXX.XXX.X-XXX.XXX`.
fn dotted(n: &str) -> String {
    format!(
        "{}.{}.{}.{}-{}.{}",
        &n[..2],
        &n[2..5],
        &n[5..8],
        &n[8..9],
        &n[9..12],
        &n[12..]
    )
}

/// Row `i`: a NIK; an NPWP dotted, plain, with a wrong check digit, or the NIK itself; a
/// NIP of the NIK's birth date whose sex agrees in rows 0 and 1 of every 4, and whose serial
/// is `000` in every tenth row. Also the raw values, for the privacy check.
fn row(i: usize, raw: &mut Vec<String>) -> String {
    let (day, month, yy) = (1 + i % 28, 1 + i % 12, 80 + i % 10);
    let female = i.is_multiple_of(2);
    let nik = format!(
        "317101{:02}{month:02}{yy:02}{:04}",
        day + 40 * usize::from(female),
        i + 1
    );
    let npwp = match i % 4 {
        0 => dotted(&npwp15(i, false)),
        1 => npwp15(i, false),
        2 => dotted(&npwp15(i, true)),
        _ => nik.clone(),
    };
    let agrees = i % 4 < 2;
    let g = if female == agrees { 2 } else { 1 };
    let serial = if i % 10 == 9 { 0 } else { i + 1 };
    let nip = format!(
        "19{yy:02}{month:02}{day:02}20{:02}{month:02}{g}{serial:03}",
        10 + i % 10
    );
    raw.extend([nik.clone(), npwp15(i, i % 4 == 2), nip.clone()]);
    format!("{i},{nik},{npwp},{nip}\n")
}

/// Line `j` of the text: a dotted NPWP (its check digit wrong in odd lines) and a spaced NIP.
fn line(j: usize, raw: &mut Vec<String>) -> String {
    let npwp = npwp15(100 + j, j % 2 == 1);
    let nip = format!("19750{}1520050{}2{:03}", 1 + j % 9, 1 + j % 9, 100 + j);
    let spaced = format!(
        "{} {} {} {}",
        &nip[..8],
        &nip[8..14],
        &nip[14..15],
        &nip[15..]
    );
    let text = format!("catatan {j}: NPWP {} NIP {spaced}\n", dotted(&npwp));
    raw.extend([npwp, nip]);
    text
}

/// The sample in `dir`, and every raw identifier it holds.
fn sample(dir: &Path) -> Vec<String> {
    let mut raw = Vec::new();
    let mut csv = String::from("NO,NIK,NPWP,NIP_BARU\n");
    for i in 0..ROWS {
        csv.push_str(&row(i, &mut raw));
    }
    let text: String = (0..LINES).map(|j| line(j, &mut raw)).collect();
    fs::write(dir.join("pegawai.csv"), csv).unwrap();
    fs::write(dir.join("catatan.txt"), text).unwrap();
    raw
}

fn counts(v: &Value, kind: &str) -> [u64; 4] {
    let k = &v["identifiers"][kind];
    ["candidates", "valid", "unique"]
        .map(|f| k[f].as_u64().unwrap())
        .into_iter()
        .chain([k["invalid"]
            .as_object()
            .unwrap()
            .values()
            .map(|n| n.as_u64().unwrap())
            .sum()])
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

#[test]
fn npwp_and_nip_are_counted_confirmed_and_masked_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let raw = sample(dir.path());
    let out = tempfile::tempdir().unwrap();
    let (records, html) = (out.path().join("rows.csv"), out.path().join("s.html"));
    let args = [
        "--json",
        "--as-of",
        AS_OF,
        "--key",
        "k",
        "--records",
        records.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ];
    let s = scan(&[dir.path()], &args);
    let v = s.summary(0);
    // CSV: 30 valid NPWPs (dotted, plain, NIK-form), 10 with a wrong check digit; text: 10
    // and 10. NIPs: 36 valid in the CSV (4 serials 000), 20 spaced in the text.
    assert_eq!(counts(&v, "npwp"), [60, 40, 40, 20]);
    assert_eq!(v["identifiers"]["npwp"]["invalid"]["check_digit"], 20);
    assert_eq!(counts(&v, "nip"), [60, 56, 56, 4]);
    assert_eq!(v["identifiers"]["nip"]["invalid"]["serial"], 4);
    // The NIK-form NPWP is an NPWP only, and no NPWP or NIP yields a phone or a NIK.
    assert_eq!(counts(&v, "nik"), [40, 40, 40, 0]);
    assert_eq!(counts(&v, "phone"), [0, 0, 0, 0]);
    // Rows 0 and 1 of every 4 have a NIP of the NIK's sex; rows 9 and 29 an invalid one.
    assert_eq!(v["records"]["confirmed_by"]["nip"], 18);
    assert_eq!(v["records"]["confirmed"], 18);
    let file = |name: &str| {
        v["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap()["valid"]
            .clone()
    };
    assert_eq!(file("pegawai.csv")["npwp"], 30);
    assert_eq!(file("catatan.txt")["nip"], 20);

    let rows = fs::read_to_string(&records).unwrap();
    assert!(rows.contains("npwp:0100**********00"), "{rows}");
    assert!(rows.lines().any(|l| l.contains(",nik;npwp;nip,")), "{rows}");
    assert!(rows.contains("nip:1980************"), "{rows}");
    let page = fs::read_to_string(&html).unwrap();
    assert!(page.contains("npwp") && page.contains("nip"));
    let text = scan(&[dir.path()], &["--as-of", AS_OF]);
    let text_out = String::from_utf8(text.stdout.clone()).unwrap();
    // kind, candidates, valid, valid share, distinct, invalid
    let table_row = |l: &str, want: [&str; 6]| l.split_whitespace().take(6).eq(want);
    assert!(
        text_out
            .lines()
            .any(|l| table_row(l, ["npwp", "60", "40", "66.7%", "40", "20"])),
        "{text_out}"
    );
    assert!(text_out.contains("by NIP 18"), "{text_out}");
    let csv = scan(&[dir.path()], &["--format", "csv", "--as-of", AS_OF]);
    let csv_out = String::from_utf8(csv.stdout.clone()).unwrap();
    assert!(csv_out.starts_with(
        "path,format,state,bytes,records,confirmed,nik,kk,bpjs_card,phone,email,npwp,nip,"
    ));
    for (what, shown) in [
        ("JSON", s.stdout.as_slice()),
        ("text", text.stdout.as_slice()),
        ("CSV", csv.stdout.as_slice()),
        ("--records", rows.as_bytes()),
        ("--html", page.as_bytes()),
    ] {
        let shown = String::from_utf8_lossy(shown);
        for r in &raw {
            assert!(!shown.contains(r.as_str()), "{what} shows {r}");
        }
    }
}

#[test]
fn expect_compares_the_new_kinds() {
    let dir = tempfile::tempdir().unwrap();
    sample(dir.path());
    let v = scan(&[dir.path()], &["--json", "--as-of", AS_OF]).summary(0);
    let mut baseline = v.clone();
    baseline["identifiers"]["nip"]["valid"] = 55.into();
    baseline["records"]["confirmed_by"]["nip"] = 17.into();
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("baseline.json");
    fs::write(&file, serde_json::to_vec(&baseline).unwrap()).unwrap();
    let s = scan(&[dir.path()], &["--expect", file.to_str().unwrap()]);
    let said = format!("{}{}", String::from_utf8_lossy(&s.stdout), s.stderr);
    assert_eq!(s.code, 1, "{said}");
    assert!(
        said.contains("identifiers.nip.valid: baseline 55, scan 56"),
        "{said}"
    );
    assert!(
        said.contains("records.confirmed_by.nip: baseline 17, scan 18"),
        "{said}"
    );
}

#[test]
fn explain_decodes_both_kinds_masked() {
    let out = triage()
        .args([
            "explain",
            "07.914.088.5-199.000",
            "19850312 201001 2 002",
            "--json",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("\"npwp\"") && text.contains("\"nip\""),
        "{text}"
    );
    assert!(
        text.contains("1985-03-12") && text.contains("2010-01"),
        "{text}"
    );
    assert!(!text.contains("079140885199000") && !text.contains("198503122010012002"));
}
