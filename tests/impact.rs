//! Attribution, impact, sensitive data, fingerprints and `--reference`, `--records`,
//! the HTML report and privacy, end to end through the binary.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use triage::summary::fingerprint::{hex, Key};

mod common;
use common::paths::fixtures;
use common::run::{scan, scan_json_exit, triage, Scanned};

/// The summary of `triage scan PATH --json --as-of 2025-06-15 ARGS`, which must exit 0: ages
/// are counted on a fixed day.
fn summary_as_of(path: &Path, args: &[&str]) -> Value {
    let mut a = vec!["--as-of", "2025-06-15"];
    a.extend_from_slice(args);
    scan_json_exit(path, &a, 0)
}

/// A valid NIK: Gambir (317101), born 1 Jan 1990 (women: day + 40), serial `i`.
fn nik(i: u32, female: bool) -> String {
    format!("317101{}0190{i:04}", if female { "41" } else { "01" })
}

fn write_csv(dir: &Path, name: &str, header: &str, row: impl Fn(u32) -> String) -> PathBuf {
    let mut text = format!("{header}\n");
    for i in 1..=30 {
        text.push_str(&row(i));
        text.push('\n');
    }
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

fn best_source(v: &Value) -> (&str, f64) {
    let a = &v["attribution"][0];
    (
        a["source"].as_str().unwrap_or("?"),
        a["score"].as_f64().unwrap_or(-1.0),
    )
}

// ---------------------------------------------------------------------------------------
// Attribution
// ---------------------------------------------------------------------------------------

#[test]
fn synth_bpjs_sample_is_bpjs_kesehatan_with_evidence() {
    let dir = tempfile::tempdir().unwrap();
    triage()
        .args(["synth", "--rows", "2000", "--seed", "7", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let v = summary_as_of(dir.path(), &[]);
    let (source, score) = best_source(&v);
    assert_eq!(source, "bpjs_kesehatan");
    assert!(score >= 0.9, "score {score}");
    let evidence: Vec<&str> = v["attribution"][0]["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for f in ["NOKA", "PSNOKA", "KDKANTOR", "KDHUBKEL", "FLAGTANGGUNGAN"] {
        assert!(evidence.contains(&f), "{f} in {evidence:?}");
    }
    assert!(v["attribution"][0]["why"]
        .as_str()
        .unwrap()
        .contains("KDKANTOR"));
}

/// A sample shaped like each profile is attributed to that profile.
#[test]
fn samples_shaped_like_each_profile_are_attributed_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(&str, PathBuf)> = vec![
        (
            "bpjs_ketenagakerjaan",
            write_csv(
                d,
                "peserta_bpjstk.csv",
                "KPJ,NIK,NAMA,NPP,NAMA_PERUSAHAAN,UPAH,TGL_KEPESERTAAN",
                |i| {
                    format!(
                        "{:011},{},PEKERJA {i},NN0{i:05},PT MAJU JAYA,{},2019-03-01",
                        18_000_000_000u64 + i as u64,
                        nik(i, i % 2 == 0),
                        4_500_000 + i * 1000
                    )
                },
            ),
        ),
        (
            "dukcapil",
            write_csv(
                d,
                "biodata_wni.csv",
                "NIK,NO_KK,NAMA_LGKP,SHDK,NAMA_LGKP_IBU,AGAMA,GOL_DRH",
                |i| {
                    format!(
                        "{},3171010501150{:03},WARGA {i},{},IBU {i},ISLAM,O",
                        nik(i, i % 2 == 0),
                        i,
                        1 + i % 4
                    )
                },
            ),
        ),
        (
            "kpu",
            write_csv(
                d,
                "dpt.csv",
                "NKK,NIK,NAMA,JENIS_KELAMIN,ALAMAT,RT,RW,DISABILITAS,KELURAHAN,KECAMATAN,TPS",
                |i| {
                    format!(
                        "3171010501150{:03},{},PEMILIH {i},L,JL MAWAR,001,002,0,GAMBIR,GAMBIR,{:03}",
                        i,
                        nik(i, false),
                        i % 7 + 1
                    )
                },
            ),
        ),
        (
            "ehac_health",
            write_csv(
                d,
                "ehac.csv",
                "NIK,NAMA,NO_PASPOR,JENIS_TES,HASIL_TES,DIAGNOSA,NAMA_FASKES,ASAL,TUJUAN",
                |i| {
                    format!(
                        "{},PENUMPANG {i},,PCR,{},{},RS HARAPAN,CGK,DPS",
                        nik(i, i % 2 == 0),
                        if i % 5 == 0 { "Positif" } else { "Negatif" },
                        if i % 5 == 0 { "U07.1" } else { "Z03.8" }
                    )
                },
            ),
        ),
        (
            "sim_registration",
            write_csv(
                d,
                "registrasi.csv",
                "NIK,NO_KK,MSISDN,OPERATOR,TGL_REGISTRASI",
                |i| {
                    format!(
                        "{},3171010501150{:03},62812{:07},Telkomsel,2018-02-{:02}",
                        nik(i, false),
                        i,
                        3_456_000 + i,
                        i % 28 + 1
                    )
                },
            ),
        ),
        (
            "ecommerce",
            write_csv(
                d,
                "users.csv",
                "id,email,password_hash,fullname,address,created_at",
                |i| {
                    format!(
                        "{i},user{i}@gmail.com,$2y$10${:0>53},User {i},\"Jl. Melati {i}, Bandung\",2020-01-01 10:00:00",
                        i
                    )
                },
            ),
        ),
    ];
    for (want, path) in &cases {
        let v = summary_as_of(path, &[]);
        let (got, score) = best_source(&v);
        assert_eq!(
            got,
            *want,
            "{}: {}",
            path.display(),
            serde_json::to_string(&v["attribution"]).unwrap()
        );
        assert!(score >= 0.6, "{want}: score {score}");
    }
}

/// Value shapes are sampled from SQL dumps and workbooks as from CSV: a column of password
/// hashes under a name no profile knows points at the e-commerce profile in all three, with
/// the same score.
#[test]
fn sql_dumps_and_workbooks_are_sampled_for_value_shapes_like_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let row = |i: u32| format!("{i},user{i}@gmail.com,$2y$10${i:0>53},User {i}");
    let csv = write_csv(d, "users.csv", "id,email,kolom3,fullname", row);
    // A `CREATE TABLE`, one `INSERT` naming its columns, one relying on the table's.
    let tuples = |from: u32, to: u32| {
        (from..=to)
            .map(|i| {
                let f: Vec<String> = row(i).split(',').map(|x| format!("'{x}'")).collect();
                format!("({})", f.join(","))
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let sql = format!(
        "CREATE TABLE `users` (\n  `id` int,\n  `email` varchar(100),\n  `kolom3` varchar(60),\n  \
         `fullname` varchar(100)\n);\n\
         INSERT INTO `users` (`id`,`email`,`kolom3`,`fullname`) VALUES {};\n\
         INSERT INTO `users` VALUES {};\n",
        tuples(1, 15),
        tuples(16, 30)
    );
    let sql_path = d.join("users.sql");
    fs::write(&sql_path, sql).unwrap();
    let xlsx_path = d.join("users.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in ["id", "email", "kolom3", "fullname"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for i in 1..=30u32 {
        for (c, v) in row(i).split(',').enumerate() {
            sheet.write_string(i, c as u16, v).unwrap();
        }
    }
    wb.save(&xlsx_path).unwrap();
    let (a, b, c) = (
        summary_as_of(&csv, &[]),
        summary_as_of(&sql_path, &[]),
        summary_as_of(&xlsx_path, &[]),
    );
    for v in [&a, &b, &c] {
        let top = &v["attribution"][0];
        assert_eq!(top["source"], "ecommerce", "{top}");
        let evidence = top["evidence"].as_array().unwrap();
        assert!(
            evidence.iter().any(|e| e == "values like password hashes"),
            "{top}"
        );
    }
    assert_eq!(best_source(&a), best_source(&b));
    assert_eq!(best_source(&a), best_source(&c));
}

#[test]
fn a_random_csv_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut text = String::from("alpha,beta,gamma,delta,epsilon\n");
    for _ in 0..200 {
        let r = rnd();
        text.push_str(&format!(
            "{},{:.3},w{},{},{}\n",
            r % 1000,
            (r >> 10) as f64 / 1e12,
            r >> 40,
            r % 2 == 0,
            (r >> 20) % 97
        ));
    }
    let path = dir.path().join("random.csv");
    fs::write(&path, text).unwrap();
    let v = summary_as_of(&path, &[]);
    assert_eq!(best_source(&v).0, "unknown");
}

// ---------------------------------------------------------------------------------------
// Impact and sensitive data
// ---------------------------------------------------------------------------------------

#[test]
fn impact_counts_distinct_people_across_files_by_region_sex_and_age() {
    let dir = tempfile::tempdir().unwrap();
    // The same two people in two files, plus a child (born 2015) in the second.
    fs::write(
        dir.path().join("a.txt"),
        format!("{}\n{}\n", nik(1, false), nik(2, true)),
    )
    .unwrap();
    fs::write(
        dir.path().join("b.txt"),
        format!("{} {}\n3273010101150003\n", nik(1, false), nik(2, true)),
    )
    .unwrap();
    let v = summary_as_of(dir.path(), &[]);
    let im = &v["impact"];
    assert_eq!(im["as_of"], "2025-06-15");
    assert_eq!(im["people"], 3);
    assert_eq!(
        (im["female"].as_u64(), im["male"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(im["children"], 1);
    assert_eq!(im["provinces"]["31"]["people"], 2);
    assert_eq!(im["regencies"]["3273"]["children"], 1);
    assert_eq!(
        im["regencies"]["3171"]["population"]
            .as_u64()
            .map(|p| p > 0),
        Some(true)
    );
    assert!(im["regencies"]["3171"]["share"].as_f64().unwrap() > 0.0);
    assert_eq!(im["age_bands"]["35-44"]["female"], 1);
    assert_eq!(im["age_bands"]["5-11"]["male"], 1);
    assert_eq!(v["sensitive"]["children"]["records"], 1);
}

#[test]
fn sensitive_categories_from_field_names_and_value_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_csv(d, "rs.csv", "NIK,KODE_ICD,DIAGNOSA,NO_REKENING,SKCK", |i| {
        format!(
            "{},{},{},{},{}",
            nik(i, false),
            if i <= 10 { "J18.9" } else { "demam" }, // only 10 are ICD-10 codes
            if i <= 20 { "-" } else { "Pneumonia" }, // 10 diagnoses
            if i <= 5 { "123-456-7890" } else { "" }, // 5 account numbers
            ""
        )
    });
    let v = summary_as_of(d, &[]);
    let s = &v["sensitive"];
    assert_eq!(
        s["health"]["records"], 20,
        "ICD-10 in 1-10, diagnoses in 21-30"
    );
    assert_eq!(s["financial"]["records"], 5);
    assert_eq!(
        s["criminal"]["records"], 0,
        "an empty field reveals nothing"
    );
    assert_eq!(s["biometric"]["records"], 0);
    assert_eq!(s["health"]["law"], "UU 27/2022 art. 4(2)(a)");
}

// ---------------------------------------------------------------------------------------
// Fingerprints, --reference, --records
// ---------------------------------------------------------------------------------------

#[test]
fn reference_fingerprints_of_a_subset_report_exactly_that_subset() {
    let dir = tempfile::tempdir().unwrap();
    // 30 records, each with its own NIK; the owner knows records 3, 7, 11, ... (8 people).
    let data = write_csv(dir.path(), "data.csv", "NIK,NAMA", |i| {
        format!("{},ORANG {i}", nik(i, i % 2 == 0))
    });
    let key = Key::new(b"responder-secret").unwrap();
    let subset: Vec<u32> = (3..=30).step_by(4).collect();
    let mut reference = String::from("# fingerprints from the data owner\n");
    for &i in &subset {
        reference.push_str(&hex(&key.fingerprint(nik(i, i % 2 == 0).as_bytes())));
        reference.push('\n');
    }
    // Someone the data does not hold.
    reference.push_str(&hex(&key.fingerprint(b"3171010101990001")));
    reference.push('\n');
    let refpath = dir.path().join("reference.txt");
    fs::write(&refpath, reference).unwrap();
    let records = dir.path().join("records.csv");
    let v = summary_as_of(
        &data,
        &[
            "--reference",
            refpath.to_str().unwrap(),
            "--key",
            "responder-secret",
            "--records",
            records.to_str().unwrap(),
        ],
    );
    assert_eq!(v["records"]["reference_matched"], subset.len());
    assert_eq!(v["records"]["confirmed_by"]["reference"], subset.len());
    assert_eq!(v["records"]["confirmed"], subset.len());
    assert_eq!(v["reference"]["people_matched"], subset.len());
    assert_eq!(v["reference"]["entries"], subset.len() + 1);
    // Exactly those records are confirmed in --records.
    let rows = fs::read_to_string(&records).unwrap();
    let confirmed: Vec<u32> = rows
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(2) == Some("confirmed"))
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(confirmed, subset);

    // A wrong key matches nothing; fingerprints without a key are refused.
    let v = summary_as_of(
        &data,
        &["--reference", refpath.to_str().unwrap(), "--key", "other"],
    );
    assert_eq!(v["records"]["reference_matched"], 0);
    let Scanned {
        code, stderr: err, ..
    } = scan(&[&data], &["--reference", refpath.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
}

#[test]
fn records_file_is_owner_only_and_the_same_for_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    triage()
        .args(["synth", "--rows", "30000", "--seed", "3", "--out"])
        .arg(dir.path().join("in"))
        .assert()
        .success();
    let mut files = Vec::new();
    for j in ["1", "2", "4"] {
        let out = dir.path().join(format!("records-{j}.csv"));
        let Scanned {
            code, stderr: err, ..
        } = scan(
            &[&dir.path().join("in")],
            &[
                "-j",
                j,
                "--records",
                out.to_str().unwrap(),
                "--key",
                "k",
                "--json",
            ],
        );
        assert_eq!(code, 0, "{err}");
        files.push(fs::read(&out).unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only");
        }
    }
    assert!(files[0].len() > 1 << 20, "more than one chunk's rows");
    assert!(
        files.iter().all(|f| *f == files[0]),
        "identical for -j1/-j2/-j4"
    );
    let text = String::from_utf8(files.swap_remove(0)).unwrap();
    // Record numbers of one file ascend without gaps in their order.
    let nums: Vec<u64> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(nums.windows(2).all(|w| w[0] < w[1]));
    assert!(*nums.last().unwrap() <= 30_000);
}

// ---------------------------------------------------------------------------------------
// Privacy: no raw identifier in any output unless --reveal
// ---------------------------------------------------------------------------------------

/// Every valid or candidate identifier value of the fixtures, as the scanner normalizes them
/// and as written, long enough not to occur by chance.
fn raw_values_of_fixtures() -> Vec<String> {
    let mut out = Vec::new();
    let nik_re = regex::Regex::new(r"(?:^|[^0-9])([0-9]{16})(?:[^0-9]|$)").unwrap();
    let phone_re = regex::Regex::new(r"(?:\+62|62|0)8[0-9]{8,12}").unwrap();
    let mail_re = regex::Regex::new(r"[A-Za-z0-9._%+-]{2,}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").unwrap();
    for dir in ["tricky", "synth"] {
        for e in fs::read_dir(fixtures().join(dir)).unwrap().flatten() {
            let Ok(text) = fs::read_to_string(e.path()) else {
                continue;
            };
            if e.file_name() == "truth.json" {
                continue;
            }
            for c in nik_re.captures_iter(&text) {
                out.push(c[1].to_string());
            }
            for m in phone_re.find_iter(&text) {
                let digits = m.as_str().trim_start_matches('+');
                let national = digits
                    .strip_prefix("62")
                    .or_else(|| digits.strip_prefix('0'))
                    .unwrap_or(digits);
                out.push(format!("+62{national}"));
                out.push(m.as_str().to_string());
            }
            for m in mail_re.find_iter(&text) {
                out.push(m.as_str().to_lowercase());
                out.push(m.as_str().to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    assert!(out.len() > 1000, "the fixtures hold many identifiers");
    out
}

#[test]
fn no_raw_identifier_in_any_output_unless_revealed() {
    let dir = tempfile::tempdir().unwrap();
    let raw = raw_values_of_fixtures();
    let reference = dir.path().join("reference.txt");
    fs::write(&reference, "3171010101900001\n").unwrap();
    let mut outputs: Vec<(String, String)> = Vec::new();
    for format in ["text", "json", "csv", "html"] {
        let records = dir.path().join(format!("records-{format}.csv"));
        let html = dir.path().join(format!("report-{format}.html"));
        let Scanned {
            code,
            stdout: out,
            stderr: err,
            ..
        } = scan(
            &[&fixtures()],
            &[
                "--format",
                format,
                "--records",
                records.to_str().unwrap(),
                "--html",
                html.to_str().unwrap(),
                "--key",
                "k",
                "--reference",
                reference.to_str().unwrap(),
            ],
        );
        assert_eq!(code, 0, "{err}");
        outputs.push((format!("stdout {format}"), String::from_utf8(out).unwrap()));
        outputs.push((format!("stderr {format}"), err));
        outputs.push((
            format!("--records ({format})"),
            fs::read_to_string(&records).unwrap(),
        ));
        outputs.push((
            format!("--html ({format})"),
            fs::read_to_string(&html).unwrap(),
        ));
    }
    let raw_set: std::collections::HashSet<&str> = raw.iter().map(String::as_str).collect();
    for (what, text) in &outputs {
        assert!(
            what.starts_with("stderr") || text.len() > 100,
            "{what} is empty"
        );
        if let Some(r) = find_raw(text, &raw_set) {
            panic!("{what} holds the raw value {r}");
        }
    }

    // With --reveal the same values do appear (so the check above can see them).
    let records = dir.path().join("revealed.csv");
    let Scanned { code, .. } = scan(
        &[&fixtures()],
        &["--reveal", "--records", records.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    let revealed = fs::read_to_string(&records).unwrap();
    assert!(find_raw(&revealed, &raw_set).is_some());
}

/// The first raw value found in `text`: every digit run (with a leading `+`) and every
/// e-mail-like token is looked up, with each of its substrings, in the set (a plain
/// `contains` per value is too slow for thousands of values in megabytes of output).
fn find_raw(text: &str, raw: &std::collections::HashSet<&str>) -> Option<String> {
    let digits = regex::Regex::new(r"\+?[0-9]{9,}").unwrap();
    for m in digits.find_iter(text) {
        let t = m.as_str();
        for i in 0..t.len() {
            for j in i + 9..=t.len().min(i + 20) {
                if raw.contains(&t[i..j]) {
                    return Some(t[i..j].to_string());
                }
            }
        }
    }
    let mail = regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+").unwrap();
    for m in mail.find_iter(text) {
        let t = m.as_str();
        for i in 0..t.len() {
            for j in i + 3..=t.len() {
                if raw.contains(&t[i..j]) || raw.contains(t[i..j].to_lowercase().as_str()) {
                    return Some(t[i..j].to_string());
                }
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// The HTML report
// ---------------------------------------------------------------------------------------

#[test]
fn html_report_is_self_contained_and_holds_every_section() {
    let Scanned {
        code,
        stdout: out,
        stderr: err,
        ..
    } = scan(
        &[&fixtures()],
        &["--format", "html", "--as-of", "2025-06-15"],
    );
    assert_eq!(code, 0, "{err}");
    let html = String::from_utf8(out).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for section in [
        "id=\"headline\"",
        "id=\"attribution\"",
        "id=\"identifiers\"",
        "id=\"provinces\"",
        "id=\"ages\"",
        "id=\"sensitive\"",
        "id=\"ledger\"",
        "<svg",
        "BPJS Kesehatan",
    ] {
        assert!(html.contains(section), "missing {section}");
    }
    for external in ["<script", "http://", "https://", "@import", "url("] {
        assert!(
            !html.contains(external),
            "external or active content: {external}"
        );
    }
}
