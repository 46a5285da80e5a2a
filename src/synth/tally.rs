//! The truth: counts tallied from what was generated, each value counted as what it was
//! built to be (valid, or the first rule it breaks), never by running a detector over the
//! output. Debug builds check each identifier against [`crate::analyze::validate`] as it is
//! counted. Imports the rules (operators), the analyzer's validation (debug builds only),
//! and the synth people, calendar and distinct sets.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

#[cfg(debug_assertions)]
use crate::analyze::validate;
use crate::rules::Patterns;
use crate::synth::dates::Triple;
use crate::synth::distinct::{distinct, FastMap, FastSet};
use crate::synth::people::Person;

/// The first key of `truth.json`; the scanner skips files that start with it.
pub const TRUTH_SCHEMA: &str = "triage.truth/1";

/// The invalid reasons of SPEC §6, in the order the field writers number them.
pub(super) const NIK_REASONS: [&str; 5] =
    ["province", "regency", "district", "birth_date", "serial"];
pub(super) const KK_REASONS: [&str; 5] = ["province", "regency", "district", "date", "serial"];
/// The NPWP reasons the sample breaks: a wrong check digit, and the NIK rule a NIK-form
/// NPWP breaks (serial 0000).
pub(super) const NPWP_REASONS: [&str; 2] = ["check_digit", "serial"];
pub(super) const NIP_REASONS: [&str; 4] = ["birth_date", "appointment", "sex", "serial"];

/// What one record holds, for the record-level counts.
#[derive(Default)]
pub(super) struct Rec {
    pub(super) any: bool,
    /// The record's valid NIK (all its valid NIKs are the same one): date and sex.
    pub(super) nik: Option<(Triple, bool)>,
    pub(super) card: bool,
    /// Readings of TGLLHR (two for 8 digits), when it holds a date.
    pub(super) birth: Option<[Option<Triple>; 2]>,
    /// JENKEL read: female?
    pub(super) sex: Option<bool>,
    /// The record's valid NIP: its birth date and sex.
    pub(super) nip: Option<(Triple, bool)>,
}

#[derive(Default)]
struct Count {
    candidates: u64,
    valid: u64,
    invalid: [u64; 5],
}

#[derive(Default)]
struct Records {
    total: u64,
    with_candidates: u64,
    with_valid_nik: u64,
    confirmed: u64,
    by_birth_date: u64,
    by_card: u64,
    by_nip: u64,
}

/// What a NIK tells beyond its count: sex, province, and whether the record's other columns
/// agree with it.
struct NikDetail {
    damaged: u64,
    female: u64,
    male: u64,
    provinces: [u64; 100],
    bd_agree: u64,
    bd_disagree: u64,
    sex_agree: u64,
    sex_disagree: u64,
}

pub(super) struct Tally<'p> {
    p: &'p Patterns,
    records: Records,
    nik: Count,
    nik_detail: NikDetail,
    kk: Count,
    card: Count,
    restored: u64,
    phone: Count,
    email: Count,
    npwp: Count,
    nip: Count,
    operators: FastMap<&'p str, u64>,
    classes: FastMap<&'p str, u64>,
    nik_vals: Vec<u64>,
    kk_vals: Vec<u64>,
    card_vals: Vec<u64>,
    phone_vals: Vec<u64>,
    /// 15-digit NPWPs and their 16-digit `0…` forms are the same number here.
    npwp_vals: Vec<u64>,
    nip_vals: Vec<u64>,
    email_set: FastSet<Vec<u8>>,
}

impl<'p> Tally<'p> {
    pub(super) fn new(p: &'p Patterns) -> Self {
        Tally {
            p,
            records: Records::default(),
            nik: Count::default(),
            nik_detail: NikDetail {
                damaged: 0,
                female: 0,
                male: 0,
                provinces: [0; 100],
                bd_agree: 0,
                bd_disagree: 0,
                sex_agree: 0,
                sex_disagree: 0,
            },
            kk: Count::default(),
            card: Count::default(),
            restored: 0,
            phone: Count::default(),
            email: Count::default(),
            npwp: Count::default(),
            nip: Count::default(),
            operators: FastMap::default(),
            classes: FastMap::default(),
            nik_vals: Vec::new(),
            kk_vals: Vec::new(),
            card_vals: Vec::new(),
            phone_vals: Vec::new(),
            npwp_vals: Vec::new(),
            nip_vals: Vec::new(),
            email_set: FastSet::default(),
        }
    }

    // --- identifiers, as each is written ------------------------------------------------

    /// A 16-digit NIK candidate: valid, or the index of the first reason it breaks.
    pub(super) fn nik(
        &mut self,
        value: u64,
        verdict: Result<(), usize>,
        per: &Person,
        rec: &mut Rec,
    ) {
        #[cfg(debug_assertions)]
        {
            let got = validate::nik(&crate::synth::digits::digits16(value), self.p);
            let want = verdict.err().map(|k| NIK_REASONS[k]);
            debug_assert_eq!(
                got.reason().map(crate::rules::InvalidReason::name),
                want,
                "generated NIK {value:016}"
            );
        }
        rec.any = true;
        self.nik.candidates += 1;
        match verdict {
            Ok(()) => {
                self.nik.valid += 1;
                self.nik_vals.push(value);
                if per.female {
                    self.nik_detail.female += 1;
                } else {
                    self.nik_detail.male += 1;
                }
                self.nik_detail.provinces[(value / 100_000_000_000_000) as usize] += 1;
                rec.nik = Some(((per.day, per.month, per.yy()), per.female));
            }
            Err(k) => self.nik.invalid[k] += 1,
        }
    }

    /// A NIK a spreadsheet turned into `3.17101E+15`: no candidate, only counted as damaged.
    pub(super) fn damaged_nik(&mut self) {
        self.nik_detail.damaged += 1;
    }

    /// A 16-digit KK: valid, or the index of the first reason it breaks.
    pub(super) fn kk(&mut self, value: u64, reason: Option<usize>, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        {
            let got = validate::kk(&crate::synth::digits::digits16(value), self.p);
            debug_assert_eq!(
                got.reason().map(crate::rules::InvalidReason::name),
                reason.map(|k| KK_REASONS[k]),
                "KK {value:016}"
            );
        }
        rec.any = true;
        self.kk.candidates += 1;
        match reason {
            None => {
                self.kk.valid += 1;
                self.kk_vals.push(value);
            }
            Some(k) => self.kk.invalid[k] += 1,
        }
    }

    /// A valid card; `restored` when it was written without its leading zeros.
    pub(super) fn card(&mut self, card: u64, restored: bool, rec: &mut Rec) {
        debug_assert!(card != 0 && card >= 1_000_000_000);
        if restored {
            self.restored += 1;
        }
        rec.any = true;
        rec.card = true;
        self.card.candidates += 1;
        self.card.valid += 1;
        self.card_vals.push(card);
    }

    /// `0000000000000` in a card column: a candidate, invalid (`zeros`).
    pub(super) fn zeros_card(&mut self, rec: &mut Rec) {
        rec.any = true;
        self.card.candidates += 1;
        self.card.invalid[0] += 1;
    }

    /// A phone candidate by its national digits (`8…`).
    pub(super) fn phone(&mut self, nat: &[u8], valid: bool, rec: &mut Rec) {
        let s = std::str::from_utf8(nat).expect("digits");
        #[cfg(debug_assertions)]
        debug_assert_eq!(
            validate::phone(s.as_bytes(), self.p).is_valid(),
            valid,
            "generated phone national {s}"
        );
        rec.any = true;
        self.phone.candidates += 1;
        if valid {
            self.phone.valid += 1;
            // The leading 1 keeps numbers of different lengths apart.
            self.phone_vals
                .push(nat.iter().fold(1u64, |a, &d| a * 10 + (d - b'0') as u64));
            *self.operators.entry(self.p.operator(s)).or_insert(0) += 1;
        } else {
            self.phone.invalid[0] += 1;
        }
    }

    /// An e-mail candidate: valid with its domain class, or invalid (`syntax`).
    pub(super) fn email(&mut self, addr: &[u8], class: Option<&'p str>, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        {
            let s = String::from_utf8_lossy(addr);
            debug_assert_eq!(
                validate::email(addr, self.p)
                    .reason()
                    .map(crate::rules::InvalidReason::name),
                if class.is_some() {
                    None
                } else {
                    Some("syntax")
                },
                "generated e-mail {s}"
            );
        }
        rec.any = true;
        self.email.candidates += 1;
        match class {
            Some(c) => {
                self.email.valid += 1;
                let mut lower = [0u8; 128];
                let n = addr.len().min(128);
                for (o, b) in lower.iter_mut().zip(addr) {
                    *o = b.to_ascii_lowercase();
                }
                if !self.email_set.contains(&lower[..n]) {
                    self.email_set.insert(lower[..n].to_vec());
                }
                *self.classes.entry(c).or_insert(0) += 1;
            }
            None => self.email.invalid[0] += 1,
        }
    }

    /// A 15-digit NPWP (written as such or in 16 digits `0…`: the same number), valid when
    /// its check digit is right.
    pub(super) fn npwp(&mut self, value: u64, valid: bool, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        {
            let mut d = [b'0'; 16];
            crate::synth::digits::digits_n(value, 15, &mut d[1..]);
            for digits in [&d[..], &d[1..]] {
                debug_assert_eq!(
                    crate::rules::checksum::npwp_check_digit(digits),
                    Some(valid),
                    "generated NPWP {value:015}"
                );
            }
        }
        self.npwp_count(value, if valid { Ok(()) } else { Err(0) }, rec);
    }

    /// A 16-digit NPWP that is a NIK: valid, or its serial is 0000.
    pub(super) fn npwp_nik(&mut self, value: u64, bad: bool, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        debug_assert_eq!(
            validate::nik(&crate::synth::digits::digits16(value), self.p)
                .reason()
                .map(crate::rules::InvalidReason::name),
            bad.then_some("serial"),
            "generated NIK-form NPWP {value:016}"
        );
        self.npwp_count(value, if bad { Err(1) } else { Ok(()) }, rec);
    }

    fn npwp_count(&mut self, value: u64, verdict: Result<(), usize>, rec: &mut Rec) {
        rec.any = true;
        self.npwp.candidates += 1;
        match verdict {
            Ok(()) => {
                self.npwp.valid += 1;
                self.npwp_vals.push(value);
            }
            Err(k) => self.npwp.invalid[k] += 1,
        }
    }

    /// An 18-digit NIP: valid with its birth date and sex, or the index of the first of
    /// [`NIP_REASONS`] it breaks.
    pub(super) fn nip(
        &mut self,
        value: u64,
        verdict: Result<(Triple, bool), usize>,
        rec: &mut Rec,
    ) {
        rec.any = true;
        self.nip.candidates += 1;
        match verdict {
            Ok(date_sex) => {
                self.nip.valid += 1;
                self.nip_vals.push(value);
                rec.nip = Some(date_sex);
            }
            Err(k) => self.nip.invalid[k] += 1,
        }
    }

    // --- the record, once all its fields are written --------------------------------------

    /// The record-level counts of SPEC §6: candidates, a valid NIK, and whether the birth
    /// date or a card confirms it.
    pub(super) fn record(&mut self, rec: &Rec) {
        let r = &mut self.records;
        r.total += 1;
        if rec.any {
            r.with_candidates += 1;
        }
        let Some((date, female)) = rec.nik else {
            return;
        };
        r.with_valid_nik += 1;
        let by_birth = rec
            .birth
            .is_some_and(|b| b.iter().flatten().any(|&x| x == date));
        if by_birth {
            r.by_birth_date += 1;
        }
        if rec.card {
            r.by_card += 1;
        }
        // SPEC §6 rule 4: a valid NIP with the NIK's birth date and sex.
        let by_nip = rec.nip == Some((date, female));
        if by_nip {
            r.by_nip += 1;
        }
        if by_birth || rec.card || by_nip {
            r.confirmed += 1;
        }
        let d = &mut self.nik_detail;
        if rec.birth.is_some() {
            if by_birth {
                d.bd_agree += 1;
            } else {
                d.bd_disagree += 1;
            }
        }
        if let Some(s) = rec.sex {
            if s == female {
                d.sex_agree += 1;
            } else {
                d.sex_disagree += 1;
            }
        }
    }

    // --- truth.json -----------------------------------------------------------------------

    /// `truth.json`, keys in the order of the scan summary.
    pub(super) fn to_json(&self, rows: u64, seed: u64) -> Value {
        let r = &self.records;
        json!({
            "schema": TRUTH_SCHEMA,
            "rows": rows,
            "seed": seed,
            "ledger": {"entries": 2, "scanned": 1, "skipped": 1, "partial": 0, "failed": 0},
            "records": {
                "total": r.total,
                "with_candidates": r.with_candidates,
                "with_valid_nik": r.with_valid_nik,
                "confirmed": r.confirmed,
                "confirmed_by": {
                    "birth_date": r.by_birth_date,
                    "bpjs_card": r.by_card,
                    "reference": 0,
                    "nip": r.by_nip,
                },
            },
            "identifiers": {
                "nik": self.nik_json(),
                "kk": counts(&self.kk, distinct(&self.kk_vals), &KK_REASONS),
                "bpjs_card": self.card_json(),
                "phone": self.phone_json(),
                "email": self.email_json(),
                "npwp": counts(&self.npwp, distinct(&self.npwp_vals), &NPWP_REASONS),
                "nip": counts(&self.nip, distinct(&self.nip_vals), &NIP_REASONS),
            },
        })
    }

    fn nik_json(&self) -> Value {
        let d = &self.nik_detail;
        let mut provinces = Map::new();
        for (code, &n) in d.provinces.iter().enumerate() {
            if n > 0 {
                provinces.insert(format!("{code:02}"), json!(n));
            }
        }
        let mut v = counts(&self.nik, distinct(&self.nik_vals), &NIK_REASONS);
        let m = v.as_object_mut().expect("an object");
        m.insert("damaged".into(), json!(d.damaged));
        m.insert("female".into(), json!(d.female));
        m.insert("male".into(), json!(d.male));
        m.insert("provinces".into(), Value::Object(provinces));
        m.insert("birth_date_agree".into(), json!(d.bd_agree));
        m.insert("birth_date_disagree".into(), json!(d.bd_disagree));
        m.insert("sex_agree".into(), json!(d.sex_agree));
        m.insert("sex_disagree".into(), json!(d.sex_disagree));
        v
    }

    fn card_json(&self) -> Value {
        let mut v = counts(&self.card, distinct(&self.card_vals), &["zeros"]);
        v["restored"] = json!(self.restored);
        v
    }

    fn phone_json(&self) -> Value {
        let mut v = counts(&self.phone, distinct(&self.phone_vals), &["not_mobile"]);
        v["operators"] = nonzero(&self.operators);
        v
    }

    fn email_json(&self) -> Value {
        let unique = self.email_set.len() as u64;
        let mut v = counts(&self.email, unique, &["syntax"]);
        v["domain_classes"] = nonzero(&self.classes);
        v
    }
}

/// `candidates`, `valid`, `unique` and `invalid` by reason, the keys every kind shares.
fn counts(c: &Count, unique: u64, reasons: &[&str]) -> Value {
    let mut invalid = Map::new();
    for (i, n) in reasons.iter().enumerate() {
        invalid.insert(n.to_string(), json!(c.invalid[i]));
    }
    json!({
        "candidates": c.candidates,
        "valid": c.valid,
        "unique": unique,
        "invalid": Value::Object(invalid),
    })
}

/// The nonzero entries of `map`, sorted by key.
fn nonzero(map: &FastMap<&str, u64>) -> Value {
    let sorted: BTreeMap<&str, u64> = map
        .iter()
        .filter(|(_, &n)| n > 0)
        .map(|(&k, &n)| (k, n))
        .collect();
    let mut m = Map::new();
    for (k, n) in sorted {
        m.insert(k.to_string(), json!(n));
    }
    Value::Object(m)
}
