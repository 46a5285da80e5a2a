//! Medical formats: the synthetic sample's people (NIK, birth date, sex, phone,
//! BPJS card) as one DICOM file each, as an HL7 v2 batch, as a FHIR Bundle and as FHIR NDJSON
//! count like a CSV of the same fields under the names each format gives them; damaged DICOM
//! and HL7 are `partial` or `failed` naming the format; pixel data is never read.

use std::fs;
use std::path::Path;
use std::time::Instant;

mod common;
use common::medical::{
    dicom, element, header, hl7_batch, patient, person, EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE,
    PERSON_TAGS,
};
use common::run::scan_json;
use common::samples::{read_csv, same_counts, scan_ok, synth};
use common::summary::{file, reason};

/// The sample's people as `(nik, birth date, sex, phone, card)`, values trimmed.
fn people(dir: &Path, rows: u32) -> Vec<[String; 5]> {
    let (header, rows) = read_csv(&synth(&dir.join("synth"), rows, 5));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let cols = ["NIK", "TGLLHR", "JENKEL", "NOHP", "PSNOKA"].map(col);
    rows.iter()
        .map(|r| cols.map(|c| r[c].trim().to_string()))
        .collect()
}

/// A CSV of `columns` (names as the format gives them) and one row per entry of `rows`.
fn csv_of(path: &Path, columns: &[&str], rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(path).unwrap();
    w.write_record(columns).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.flush().unwrap();
}

fn strs(p: &[String; 5]) -> [&str; 5] {
    [&p[0], &p[1], &p[2], &p[3], &p[4]].map(String::as_str)
}

#[test]
fn the_sample_as_dicom_files_counts_like_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let people = people(dir.path(), 300);
    let dcm = dir.path().join("dcm");
    fs::create_dir(&dcm).unwrap();
    let mut rows = Vec::new();
    for (i, p) in people.iter().enumerate() {
        // [nik, dob, sex, phone, card] into PERSON_TAGS' order.
        let v = [&p[0], &p[1], &p[2], &p[4], &p[3]].map(String::as_str);
        let (explicit, preamble) = (i % 2 == 0, i % 3 != 0);
        let syntax = if explicit { EXPLICIT_LE } else { IMPLICIT_LE };
        let name = format!("IM{i:05}{}", if preamble { "" } else { ".dcm" });
        fs::write(
            dcm.join(name),
            dicom(preamble, syntax, &person(&v, explicit)),
        )
        .unwrap();
        let mut row = vec![syntax.to_string()];
        row.extend(v.iter().map(|s| s.to_string()));
        rows.push(row);
    }
    let csv = dir.path().join("dcm.csv");
    let mut names = vec!["TransferSyntaxUID"];
    names.extend(PERSON_TAGS.iter().map(|t| t.2));
    csv_of(&csv, &names, &rows);
    let got = scan_ok(&dcm);
    same_counts("dicom", &got, &scan_ok(&csv));
    assert_eq!(got["files"][0]["format"], "dicom");
    assert!(
        got["records"]["confirmed"].as_u64().unwrap() > 100,
        "{}",
        got["records"]
    );
}

#[test]
fn the_sample_as_hl7_fhir_and_ndjson_counts_like_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let people = people(dir.path(), 2_000);
    let d = dir.path();
    let rows: Vec<Vec<String>> = people
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut r = vec![format!("MSG{i}")];
            r.extend(p.iter().cloned());
            r
        })
        .collect();
    let hl7_names = [
        "MSH-10",
        "PID-3.nik",
        "PID-7",
        "PID-8",
        "PID-13",
        "PID-3.bpjs",
    ];
    csv_of(&d.join("hl7.csv"), &hl7_names, &rows);
    let all: Vec<[&str; 5]> = people.iter().map(strs).collect();
    fs::write(d.join("adt.hl7"), hl7_batch(&all, false)).unwrap();
    fs::write(d.join("adt_mllp.txt"), hl7_batch(&all, true)).unwrap();
    let want = scan_ok(&d.join("hl7.csv"));
    for name in ["adt.hl7", "adt_mllp.txt"] {
        let got = scan_ok(&d.join(name));
        same_counts(name, &got, &want);
        assert_eq!(got["files"][0]["format"], "hl7");
    }
    assert!(
        want["records"]["confirmed_by"]["bpjs_card"]
            .as_u64()
            .unwrap()
            > 100
    );

    let fhir_rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            let mut r = vec!["Patient".to_string()];
            r.extend(p.iter().cloned());
            r
        })
        .collect();
    let fhir_names = [
        "resourceType",
        "nik",
        "birthDate",
        "gender",
        "phone",
        "bpjs",
    ];
    csv_of(&d.join("fhir.csv"), &fhir_names, &fhir_rows);
    let resources: Vec<serde_json::Value> = all.iter().map(patient).collect();
    let entries: Vec<serde_json::Value> = resources
        .iter()
        .map(|r| serde_json::json!({"fullUrl": "urn:uuid:x", "resource": r}))
        .collect();
    let bundle =
        serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": entries});
    fs::write(
        d.join("bundle.json"),
        serde_json::to_vec_pretty(&bundle).unwrap(),
    )
    .unwrap();
    let ndjson: String = resources.iter().map(|r| format!("{r}\n")).collect();
    fs::write(d.join("Patient.ndjson"), ndjson).unwrap();
    let want = scan_ok(&d.join("fhir.csv"));
    for name in ["bundle.json", "Patient.ndjson"] {
        same_counts(name, &scan_ok(&d.join(name)), &want);
    }
}

/// A DICOMDIR: a file-set ID, then two PATIENT directory records in an undefined-length
/// sequence, each an undefined-length item.
fn dicomdir() -> Vec<u8> {
    let mut data = element((4, 0x1130), "CS", b"TRIAGE", true, false);
    data.extend(header((4, 0x1220), "SQ", u32::MAX, true, false));
    for (nik, dob) in [
        ("3171014101900001", "19900101"),
        ("3171010202850002", "19850202"),
    ] {
        data.extend(header((0xFFFE, 0xE000), "", u32::MAX, true, false));
        data.extend(element((4, 0x1430), "CS", b"PATIENT", true, false));
        data.extend(element((0x10, 0x20), "LO", nik.as_bytes(), true, false));
        data.extend(element((0x10, 0x30), "DA", dob.as_bytes(), true, false));
        data.extend(header((0xFFFE, 0xE00D), "", 0, true, false));
    }
    data.extend(header((0xFFFE, 0xE0DD), "", 0, true, false));
    dicom(true, EXPLICIT_LE, &data)
}

#[test]
fn a_dicomdir_is_a_record_per_directory_record_and_big_endian_reads() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("DICOMDIR"), dicomdir()).unwrap();
    let be = element((0x10, 0x20), "LO", b"3171014101900001", true, true);
    let be = [be, element((0x10, 0x30), "DA", b"19900101", true, true)].concat();
    fs::write(dir.path().join("be.dcm"), dicom(true, EXPLICIT_BE, &be)).unwrap();
    let v = scan_ok(dir.path());
    assert_eq!(
        file(&v, "DICOMDIR")["records"],
        3,
        "the file set, then two patients"
    );
    assert_eq!(file(&v, "be.dcm")["format"], "dicom");
    assert_eq!(v["records"]["confirmed"], 3, "{}", v["records"]);
}

#[test]
fn damaged_dicom_and_hl7_are_partial_or_failed_naming_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let whole = dicom(
        true,
        EXPLICIT_LE,
        &person(&["3171014101900001", "19900101", "F", "", ""], true),
    );
    fs::write(d.join("cut.dcm"), &whole[..whole.len() - 5]).unwrap();
    // A string element declaring 4 GiB - 2 bytes: never allocated, the input ends first.
    let mut huge = dicom(
        true,
        EXPLICIT_LE,
        &header((0x10, 0x4000), "UT", 0xFFFF_FFFE, true, false),
    );
    huge.extend_from_slice(&[b'x'; 1000]);
    fs::write(d.join("huge.dcm"), &huge).unwrap();
    fs::write(
        d.join("bad.hl7"),
        b"MSH|^~\\&|A|B|||||ADT^A04|1|P|2.5\rPID|1||3171014101900001^^^^NIK\rMSH|nope\rPID|2\r",
    )
    .unwrap();
    fs::write(d.join("headless.hl7"), b"MSH|^~\\&|\rPID|1\r").unwrap();
    // Every cut of a DICOM file ends in a reason or its records, never a panic or a hang.
    for cut in [140, 150, 200] {
        fs::write(
            d.join(format!("cut{cut}.dcm")),
            &whole[..cut.min(whole.len())],
        )
        .unwrap();
    }
    let (v, code) = scan_json(d, &[]);
    assert_eq!(code, 3, "{}", v["ledger"]);
    assert_eq!(file(&v, "cut.dcm")["state"], "partial");
    assert!(
        reason(&v, "cut.dcm").starts_with("dicom: cut short"),
        "{}",
        reason(&v, "cut.dcm")
    );
    assert_eq!(file(&v, "huge.dcm")["state"], "partial");
    assert!(reason(&v, "huge.dcm").starts_with("dicom: cut short in a value"));
    assert_eq!(file(&v, "bad.hl7")["state"], "partial");
    assert_eq!(
        reason(&v, "bad.hl7"),
        "hl7: line 3: an MSH segment without its encoding characters"
    );
    assert_eq!(file(&v, "headless.hl7")["state"], "scanned");
    for (name, row) in v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f))
    {
        if name.starts_with("cut") {
            assert!(
                ["partial", "failed", "skipped"].contains(&row["state"].as_str().unwrap()),
                "{row}"
            );
        }
    }
}

#[test]
fn pixel_data_is_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = dicom(
        true,
        EXPLICIT_LE,
        &person(&["3171014101900001", "19900101", "F", "", ""], true),
    );
    let pixels = 50 << 20;
    b.extend(header((0x7FE0, 0x10), "OW", pixels, true, false));
    b.resize(b.len() + pixels as usize, 0x55);
    let path = dir.path().join("ct.dcm");
    fs::write(&path, &b).unwrap();
    let start = Instant::now();
    let v = scan_ok(&path);
    let took = start.elapsed();
    assert_eq!(v["records"]["confirmed"], 1);
    // Reading 50 MB in a debug build takes seconds; the header alone, well under one.
    assert!(took.as_secs_f64() < 2.0, "{took:?}");
    // The same file cut inside its pixel data is still whole: the cut is never reached.
    fs::write(&path, &b[..b.len() - 1000]).unwrap();
    assert_eq!(scan_ok(&path)["files"][0]["state"], "scanned");
}
