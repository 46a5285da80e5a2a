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
    for kind in ["nik", "kk", "bpjs_card", "phone", "email", "npwp", "nip"] {
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
    let by_nip = leaf(r, "confirmed_by.nip");
    assert_eq!(total, 20_000);
    assert!(with_nik < with_cand && with_cand < total);
    assert!(confirmed < with_nik);
    assert!(confirmed >= by_birth.max(by_card).max(by_nip));
    assert!(confirmed <= by_birth + by_card + by_nip);
    assert!(by_birth < confirmed && by_card < confirmed && 0 < by_nip && by_nip < confirmed);
    // Most valid NIPs agree with their row's NIK; some rows' NIK is a decoy or missing.
    assert!(by_nip < leaf(t, "identifiers.nip.valid"));
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
        let arrays: [(&str, &[u64]); 22] = [
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
            ("decimals", &c.decimals),
            ("npwp_forms", &c.npwp_forms),
            ("nip_valid", &c.nip_valid),
            ("nip_broken", &c.nip_broken),
            ("nip_ways", &c.nip_ways),
            ("nip_spaced", &c.nip_spaced),
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
            "NPWP ",
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
        assert_npwp_and_nip_shapes(&row[NPWP], &row[NIP]);
        // Columns that hold no identifier hold no long digit run.
        for col in [NAMA, KDHUBKEL, KDKANTOR, FLAG, ALAMAT] {
            let longest = row[col]
                .split(|c: char| !c.is_ascii_digit())
                .map(str::len)
                .max()
                .unwrap_or(0);
            assert!(longest <= 5, "{}: {:?}", COLUMNS[col], &row[col]);
            assert!(!row[col].contains('@'));
        }
    }
}

/// NPWP: empty, `XX.XXX.XXX.X-XXX.XXX`, or 15 or 16 digits; NIP: empty, 18 digits, or
/// groups of 8, 6, 1 and 3 digits joined by spaces.
fn assert_npwp_and_nip_shapes(npwp: &str, nip: &str) {
    let dotted = regex::Regex::new(r"^\d{2}\.\d{3}\.\d{3}\.\d-\d{3}\.\d{3}$").unwrap();
    let plain = regex::Regex::new(r"^\d{15,16}$").unwrap();
    assert!(
        npwp.is_empty() || dotted.is_match(npwp) || plain.is_match(npwp),
        "NPWP {npwp}"
    );
    let nip_shape = regex::Regex::new(r"^(\d{18}|\d{8} \d{6} \d \d{3})$").unwrap();
    assert!(nip.is_empty() || nip_shape.is_match(nip), "NIP {nip}");
}

#[test]
fn npwp_check_digits_are_the_luhn_digits_of_python_stdnum() {
    // stdnum.luhn.calc_check_digit of each head (tests/data/vectors has 1,800 more).
    for (head, check) in [
        ("01312166", 0),
        ("07914088", 5),
        ("01609052", 4),
        ("01300066", 6),
    ] {
        assert_eq!(
            super::official::luhn_digit(head.as_bytes()),
            check,
            "{head}"
        );
    }
}

/// The truth's NIP counts against an independent reading of the NIP column and the rows'
/// NIKs: every valid NIP that agrees with a valid NIK of its row confirms it.
#[test]
fn nip_column_counts_as_the_truth_says() {
    let (bytes, g) = gen(5000, 3, SynthFormat::Csv);
    let (mut candidates, mut valid) = (0, 0);
    let mut rdr = csv::Reader::from_reader(&bytes[..]);
    for row in rdr.records() {
        let nip: String = row.unwrap()[NIP].replace(' ', "");
        if nip.is_empty() {
            continue;
        }
        candidates += 1;
        valid += u64::from(nip_is_valid(nip.as_bytes()));
    }
    let t = &g.truth["identifiers"]["nip"];
    assert_eq!(leaf(t, "candidates"), candidates);
    assert_eq!(leaf(t, "valid"), valid);
    assert!(valid > 0 && valid < candidates);
}

/// SPEC §5's NIP rules, written again for this test (the scan date: 2026).
fn nip_is_valid(d: &[u8]) -> bool {
    let num =
        |r: std::ops::Range<usize>| -> u32 { std::str::from_utf8(&d[r]).unwrap().parse().unwrap() };
    let (y, m, day) = (num(0..4), num(4..6), num(6..8));
    let (ay, am) = (num(8..12), num(12..14));
    let birth_ok = y >= 1900
        && (1..=12).contains(&m)
        && day >= 1
        && day <= u32::from(crate::calendar::days_in_month(y as u16, m as u8));
    birth_ok
        && (1..=12).contains(&am)
        && ay >= y + 15
        && ay <= 2026
        && matches!(d[14], b'1' | b'2')
        && &d[15..] != b"000"
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
        ("EMAIL", Role::Email),
        ("NOKA", Role::BpjsCard),
        ("KDHUBKEL", Role::Other),
        ("KDKANTOR", Role::Other),
        ("FLAGTANGGUNGAN", Role::Other),
        ("ALAMAT", Role::Other),
        ("KETERANGAN", Role::Other),
    ];
    for (name, role) in roles {
        assert!(COLUMNS.contains(&name), "{name}");
        assert_eq!(p.role_of(name.as_bytes()), role, "{name}");
    }
    // The NPWP and NIP columns are named as SPEC §4 names their fields.
    assert_eq!(COLUMNS[NPWP], "NPWP");
    assert_eq!(p.role_of(b"NPWP"), p.role_of(b"npwp"));
    assert_eq!(COLUMNS[NIP], "NIP");
    assert_eq!(p.role_of(b"NIP"), p.role_of(b"nip"));
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
