//! The generator's own checks: reproducible bytes, CSV and JSON Lines holding the same rows,
//! a truth that adds up, every form and decoy present, every value shaped as intended.

use std::fs;

use serde_json::Value;

use super::columns::*;
use super::row::Gen;
use super::vocab::*;
use super::writers::{generate, write_rows, Generated};
use super::*;
use crate::testing::pats;

fn gen(rows: u64, seed: u64, format: SynthFormat) -> (Vec<u8>, Generated) {
    let mut out = Vec::new();
    let g = generate(rows, seed, format, pats(), &mut out).unwrap();
    assert_eq!(g.bytes, out.len() as u64);
    (out, g)
}

fn leaf(v: &Value, path: &str) -> u64 {
    let mut cur = v;
    for k in path.split('.') {
        cur = &cur[k];
    }
    cur.as_u64()
        .unwrap_or_else(|| panic!("{path} is not a count: {cur}"))
}

fn sum(v: &Value) -> u64 {
    v.as_object()
        .unwrap()
        .values()
        .map(|x| x.as_u64().unwrap())
        .sum()
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    for format in [SynthFormat::Csv, SynthFormat::Jsonl] {
        let (a, ta) = gen(3000, 42, format);
        let (b, tb) = gen(3000, 42, format);
        assert!(a == b, "{format:?}: same seed, different sample");
        assert_eq!(ta.truth, tb.truth);
        let (c, _) = gen(3000, 43, format);
        assert!(a != c, "{format:?}: different seeds, same sample");
    }
    // The written files too, truth.json included.
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let files: Vec<(Vec<u8>, Vec<u8>)> = dirs
        .iter()
        .map(|d| {
            let opts = SynthOptions {
                rows: 500,
                seed: 9,
                out: d.path().join("sub"),
                format: SynthFormat::Csv,
            };
            let rep = write(&opts, pats()).unwrap();
            let sample = fs::read(&rep.sample).unwrap();
            assert_eq!(rep.bytes, sample.len() as u64);
            assert!(rep.sample.ends_with("bpjs_sample.csv"));
            (sample, fs::read(&rep.truth).unwrap())
        })
        .collect();
    assert!(files[0] == files[1]);
    assert!(files[0]
        .1
        .starts_with(b"{\n  \"schema\": \"triage.truth/1\""));
}

#[test]
fn csv_and_jsonl_hold_the_same_rows_and_the_same_truth() {
    let (csv_bytes, csv_g) = gen(2000, 5, SynthFormat::Csv);
    let (json_bytes, json_g) = gen(2000, 5, SynthFormat::Jsonl);
    assert_eq!(csv_g.truth, json_g.truth);

    let mut rdr = csv::Reader::from_reader(&csv_bytes[..]);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, COLUMNS);
    let csv_rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let json_rows: Vec<Vec<String>> = json_bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Value = serde_json::from_slice(l).unwrap();
            let o = v.as_object().unwrap();
            let keys: Vec<&str> = o.keys().map(String::as_str).collect();
            assert_eq!(keys, COLUMNS);
            o.values()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert_eq!(csv_rows.len(), 2000);
    assert_eq!(csv_rows, json_rows);
    // Embedded line breaks and quotes survived the round trip.
    assert!(csv_rows.iter().any(|r| r[ALAMAT].contains('\n')));
    assert!(csv_rows.iter().any(|r| r[ALAMAT].contains('"')));
    assert!(csv_rows.iter().any(|r| r[ALAMAT].contains(',')));
}

#[test]
fn truth_adds_up() {
    let (_, g) = gen(20_000, 7, SynthFormat::Csv);
    let t = &g.truth;
    assert_eq!(t["schema"], TRUTH_SCHEMA);
    for kind in ["nik", "kk", "bpjs_card", "phone", "email"] {
        let k = &t["identifiers"][kind];
        let cand = leaf(k, "candidates");
        let valid = leaf(k, "valid");
        let unique = leaf(k, "unique");
        assert_eq!(valid + sum(&k["invalid"]), cand, "{kind}");
        assert!(unique <= valid && unique > 0, "{kind}");
        assert!(
            k["invalid"]
                .as_object()
                .unwrap()
                .values()
                .all(|n| n.as_u64().unwrap() > 0),
            "{kind}: every reason occurs"
        );
    }
    let nik = &t["identifiers"]["nik"];
    let valid = leaf(nik, "valid");
    assert!(
        leaf(nik, "unique") < valid,
        "duplicates make unique < valid"
    );
    assert_eq!(leaf(nik, "female") + leaf(nik, "male"), valid);
    assert_eq!(sum(&nik["provinces"]), valid);
    assert!(nik["provinces"].get("91").is_some() && nik["provinces"].get("92").is_some());
    assert!(leaf(nik, "damaged") > 0);
    let ph = &t["identifiers"]["phone"];
    assert_eq!(sum(&ph["operators"]), leaf(ph, "valid"));
    assert!(ph["operators"].get("other").is_some());
    let em = &t["identifiers"]["email"];
    assert_eq!(sum(&em["domain_classes"]), leaf(em, "valid"));
    assert_eq!(em["domain_classes"].as_object().unwrap().len(), 5);
    assert!(leaf(t, "identifiers.bpjs_card.restored") > 0);

    let r = &t["records"];
    let total = leaf(r, "total");
    let with_cand = leaf(r, "with_candidates");
    let with_nik = leaf(r, "with_valid_nik");
    let confirmed = leaf(r, "confirmed");
    let by_birth = leaf(r, "confirmed_by.birth_date");
    let by_card = leaf(r, "confirmed_by.bpjs_card");
    assert_eq!(total, 20_000);
    assert!(with_nik < with_cand && with_cand < total);
    assert!(confirmed < with_nik);
    assert!(confirmed >= by_birth.max(by_card) && confirmed <= by_birth + by_card);
    assert!(by_birth < confirmed && by_card < confirmed);
    assert_eq!(by_birth, leaf(nik, "birth_date_agree"));
    assert!(leaf(nik, "birth_date_agree") + leaf(nik, "birth_date_disagree") < with_nik);
    assert!(leaf(nik, "sex_agree") + leaf(nik, "sex_disagree") < with_nik);
    assert!(leaf(nik, "birth_date_disagree") > 0 && leaf(nik, "sex_disagree") > 0);
    assert_eq!(t["ledger"]["entries"], 2);
}

#[test]
fn every_form_and_decoy_appears_in_2000_rows() {
    for seed in [1, 2, 3] {
        let mut g = Gen::new(pats(), seed).unwrap();
        let mut bytes = Vec::new();
        write_rows(&mut g, 2000, SynthFormat::Csv, &mut bytes).unwrap();
        let c = &g.cov;
        let arrays: [(&str, &[u64]); 16] = [
            ("nik_forms", &c.nik_forms),
            ("nik_decoys", &c.nik_decoys),
            ("kk_decoys", &c.kk_decoys),
            ("date_forms", &c.date_forms),
            ("month_sets", &c.month_sets),
            ("sex_values", &c.sex_values),
            ("phone_prefixes", &c.phone_prefixes),
            ("phone_seps", &c.phone_seps),
            ("phone_bad", &c.phone_bad),
            ("email_bad", &c.email_bad),
            ("email_case", &c.email_case),
            ("card_restored", &c.card_restored),
            ("remarks", &c.remarks),
            ("addresses", &c.addresses),
            (
                "singles",
                &[
                    c.date_mismatch,
                    c.sex_mismatch,
                    c.phone_short,
                    c.card_zeros,
                    c.sparse,
                    c.duplicates,
                ],
            ),
            ("-", &[1]),
        ];
        for (name, counts) in arrays {
            for (i, &n) in counts.iter().enumerate() {
                assert!(n > 0, "seed {seed}: {name}[{i}] never written: {c:?}");
            }
        }
        let text = String::from_utf8(bytes).unwrap();
        for needle in [
            "(0)",
            "+62",
            "E+15",
            "'",
            "0000000000000",
            "No kartu BPJS: ",
            "NIK: ",
            "KK ",
            "..",
            "@-",
            ".c0m",
            " 00:00:00",
        ] {
            assert!(text.contains(needle), "seed {seed}: {needle:?} missing");
        }
    }
}

#[test]
fn every_field_value_has_the_intended_shape() {
    let (bytes, _) = gen(3000, 11, SynthFormat::Csv);
    let p = pats();
    let damaged = regex::Regex::new(r"^\d([.,]\d{1,14})?[eE]\+?15$").unwrap();
    let mut rdr = csv::Reader::from_reader(&bytes[..]);
    for row in rdr.records() {
        let row = row.unwrap();
        // NIK field: empty, damaged, or 16 digits once normalized.
        let nik = &row[NIK];
        let digits: String = nik
            .strip_prefix('\'')
            .unwrap_or(nik)
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        assert!(
            nik.is_empty()
                || damaged.is_match(nik)
                || (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())),
            "NIK {nik:?}"
        );
        for col in [PSNOKA, NOKA] {
            let v = &row[col];
            assert!(
                v.is_empty()
                    || ((10..=13).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
            );
        }
        assert!(row[NAMA]
            .bytes()
            .all(|b| b.is_ascii_alphabetic() || b == b' '));
        let sex = row[JENKEL].to_ascii_lowercase();
        assert!(
            sex.is_empty() || p.sex_of(sex.as_bytes()).is_some(),
            "{sex}"
        );
        // Columns that hold no identifier hold no long digit run.
        for col in [NAMA, NPWP, KDHUBKEL, KDKANTOR, FLAG, ALAMAT] {
            let longest = row[col]
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest <= 5, "{}: {:?}", COLUMNS[col], &row[col]);
            assert!(!row[col].contains('@'));
        }
        let npwp = &row[NPWP];
        assert!(!npwp.contains(['0', '6', '8']), "NPWP {npwp}");
    }
}

#[test]
fn vocabulary_is_known_to_the_patterns() {
    let p = pats();
    for w in MONTHS_EN
        .iter()
        .chain(&MON_EN)
        .chain(&MONTHS_ID)
        .chain(&MON_ID)
        .chain(&AUGUST_ID)
    {
        assert!(p.month_of(w.as_bytes()).is_some(), "{w}");
    }
    for w in SEX_MALE {
        assert_eq!(p.sex_of(w.as_bytes()), Some(false), "{w}");
    }
    for w in SEX_FEMALE {
        assert_eq!(p.sex_of(w.as_bytes()), Some(true), "{w}");
    }
    use crate::rules::Role;
    let roles = [
        ("PSNOKA", Role::BpjsCard),
        ("NAMA", Role::Other),
        ("JENKEL", Role::Sex),
        ("TGLLHR", Role::BirthDate),
        ("NOHP", Role::Phone),
        ("NIK", Role::Nik),
        ("NOKK", Role::Kk),
        ("NPWP", Role::Other),
        ("EMAIL", Role::Email),
        ("NOKA", Role::BpjsCard),
        ("KDHUBKEL", Role::Other),
        ("KDKANTOR", Role::Other),
        ("FLAGTANGGUNGAN", Role::Other),
        ("ALAMAT", Role::Other),
        ("KETERANGAN", Role::Other),
    ];
    for (i, (name, role)) in roles.iter().enumerate() {
        assert_eq!(COLUMNS[i], *name);
        assert_eq!(p.role_of(name.as_bytes()), *role, "{name}");
    }
    // Names and places never hold a keyword as a word.
    let keywords = [
        "nik", "ktp", "kk", "kartu", "bpjs", "noka", "kis", "keluarga",
    ];
    for w in MALE_NAMES
        .iter()
        .chain(FEMALE_NAMES)
        .chain(SURNAMES)
        .chain(STREETS)
        .chain(PLACES)
        .chain(CITIES)
        .chain(REMARKS)
    {
        for part in w.split(|c: char| !c.is_ascii_alphanumeric()) {
            assert!(!keywords.contains(&part.to_lowercase().as_str()), "{w}");
        }
    }
}

#[test]
#[ignore = "timing: cargo test --release --lib synth::tests::million -- --ignored --nocapture"]
fn million_rows_timing() {
    let dir = tempfile::tempdir().unwrap();
    for format in [SynthFormat::Csv, SynthFormat::Jsonl] {
        let opts = SynthOptions {
            rows: 1_000_000,
            seed: 1,
            out: dir.path().to_path_buf(),
            format,
        };
        let t0 = std::time::Instant::now();
        let rep = write(&opts, pats()).unwrap();
        eprintln!(
            "{format:?}: 1,000,000 rows, {} bytes in {:.2?}",
            rep.bytes,
            t0.elapsed()
        );
    }
}
