//! The identifier detectors and validators on one field value, in every field role, and
//! `explain` and the date readers on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use triage::analyze::detect::Detector;
use triage::rules::Role;

#[path = "common.rs"]
mod common;

const ROLES: [Role; 9] = [
    Role::Nik,
    Role::Kk,
    Role::BpjsCard,
    Role::BirthDate,
    Role::Sex,
    Role::Phone,
    Role::Email,
    Role::Other,
    Role::Unnamed,
];

fuzz_target!(|data: &[u8]| {
    let Some((&b, v)) = data.split_first() else {
        return;
    };
    let p = common::patterns();
    let mut d = Detector::new(p);
    let mut out = Vec::new();
    d.detect(v, ROLES[b as usize % ROLES.len()], &mut out);
    for f in &out {
        let (s, e) = f.span();
        assert!(s <= e && e <= v.len(), "span {s}..{e} of {}", v.len());
        let _ = f.kind();
        let _ = f.national();
    }
    if let Ok(digits) = <[u8; 16]>::try_from(v) {
        if digits.iter().all(u8::is_ascii_digit) {
            let _ = triage::analyze::validate::nik(&digits, p);
            let _ = triage::analyze::validate::kk(&digits, p);
        }
    }
    if let Ok(digits) = <[u8; 13]>::try_from(v) {
        if digits.iter().all(u8::is_ascii_digit) {
            let _ = triage::analyze::validate::bpjs_card(&digits);
        }
    }
    if v.iter().all(u8::is_ascii_digit) && v.len() < 20 {
        let _ = triage::analyze::validate::phone(v, p);
    }
    let _ = triage::analyze::validate::email(v, p);
    let _ = triage::analyze::dates::parse_field(v, p);
    let mut dates = Vec::new();
    triage::analyze::dates::find_in_text(v, p, &mut dates);
    if let Ok(s) = std::str::from_utf8(v) {
        let _ = triage::cli::explain::explain(s, None, b & 1 == 0, p);
    }
});
