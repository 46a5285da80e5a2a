//! Numbers that are pieces of longer numbers are never identifiers.
//! A generated text of 10,000 NIKs written with dashes, 10,000 old-form NPWPs
//! (`07.914.088.5-199.000`) and 10,000 decimal fractions whose fractional part holds a phone's,
//! a NIK's or a NIP's digits, and an `npwp` column of 10,000 NPWPs as 15 or 16 plain digits:
//! a scan counts not one phone, NIP or KK; the dashed NIKs and nothing else as NIKs (SPEC v2 §5:
//! four groups of four joined by single hyphens are a NIK's own written form in any text);
//! and every NPWP as `npwp` with the check-digit verdict this test computes on its own.

use std::fmt::Write as _;
use std::fs;

use serde_json::Value;

mod common;
use common::luhn::luhn;
use common::run::scan;

const N: usize = 10_000;

/// splitmix64: the test's own deterministic digits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 15 NPWP digits, a fifth with `08` where a phone could start, half with a right check
/// digit (the first nine pass Luhn), half with a wrong one; and that verdict.
fn npwp(rng: &mut Rng) -> (String, bool) {
    let mut head = rng.digits(8);
    if rng.below(5) == 0 {
        head.replace_range(5..7, "08");
    }
    let want = rng.below(2) == 0;
    let check = (0..10)
        .map(|c| format!("{head}{c}"))
        .find(|h| luhn(h) == want)
        .expect("one digit passes, nine fail");
    (format!("{check}{}", rng.digits(6)), want)
}

fn dotted(d: &str) -> String {
    format!(
        "{}.{}.{}.{}-{}.{}",
        &d[..2],
        &d[2..5],
        &d[5..8],
        &d[8..9],
        &d[9..12],
        &d[12..]
    )
}

/// A NIK `PPRR-08DD-MMYY-SSSS` with dashes: without the boundary rule, `08DD…` is a phone.
fn dashed_nik(rng: &mut Rng) -> String {
    let day = rng.below(28) + 1 + 40 * rng.below(2);
    format!(
        "{}-08{day:02}-{:02}{}-{}",
        ["3204", "3171", "3578", "1271", "7371"][rng.below(5) as usize],
        rng.below(12) + 1,
        rng.digits(2),
        rng.digits(4)
    )
}

/// A measurement whose fraction holds `0`/`62` and a mobile number, 16 digits, or 18.
fn decimal(rng: &mut Rng) -> String {
    let fraction = match rng.below(4) {
        0 => format!(
            "08{}{}",
            ["12", "52", "77", "95"][rng.below(4) as usize],
            rng.digits(9)
        ),
        1 => format!("628{}", rng.digits(11)),
        2 => format!("3171{}", rng.digits(12)),
        _ => format!("19{}", rng.digits(16)),
    };
    format!("{}.{fraction}", rng.below(1000))
}

#[test]
fn pieces_of_longer_numbers_are_no_identifiers() {
    let mut rng = Rng(23);
    let (mut text, mut column) = (String::new(), String::from("nama,npwp\n"));
    let mut npwp_valid = 0;
    for i in 0..N {
        let (nik, lab) = (dashed_nik(&mut rng), decimal(&mut rng));
        let (written, ok) = npwp(&mut rng);
        npwp_valid += usize::from(ok);
        writeln!(
            text,
            "Dicek {nik}, NPWP {} hasil lab {lab}",
            dotted(&written)
        )
        .unwrap();
        let (plain, ok) = npwp(&mut rng);
        npwp_valid += usize::from(ok);
        let zero = if i % 2 == 0 { "0" } else { "" };
        writeln!(column, "Wajib Pajak,{zero}{plain}").unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.txt"), text).unwrap();
    fs::write(dir.path().join("tax.csv"), column).unwrap();
    let summary = scan(&[dir.path()], &["--json"]).summary(0);
    let ids = &summary["identifiers"];
    let count = |kind: &str, key: &str| ids[kind][key].as_u64();
    let mut wrong = Vec::new();
    let mut want = |what: &str, got: Option<u64>, n: usize| {
        if got != Some(n as u64) {
            wrong.push(format!("{what}: want {n}, got {got:?}"));
        }
    };
    want("phone candidates", count("phone", "candidates"), 0);
    want("nip candidates", count("nip", "candidates"), 0);
    want("kk candidates", count("kk", "candidates"), 0);
    want(
        "nik candidates (the dashed NIKs)",
        count("nik", "candidates"),
        N,
    );
    want("npwp candidates", count("npwp", "candidates"), 2 * N);
    want("npwp valid", count("npwp", "valid"), npwp_valid);
    let bad = ids["npwp"]["invalid"]["check_digit"].as_u64();
    want("npwp invalid check_digit", bad, 2 * N - npwp_valid);
    assert!(
        wrong.is_empty(),
        "{}\nidentifiers: {}",
        wrong.join("\n"),
        serde_json::to_string_pretty(ids).unwrap_or_default()
    );
    assert_eq!(summary["records"]["total"], Value::from(2 * N as u64));
}
