//! `triage explain` and `triage patterns --check`: one value (or one example) through the same
//! detector and validator a scan uses, with the reasons spelled out, and written as text or as
//! one JSON object per value (SPEC §2). Imports `analyze` (detector, validators, the record
//! analysis the examples run through), `summary` (its counters), `rules` and `mask`.

use std::io::{self, Write};

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::analyze::detect::{Detector, Found};
use crate::analyze::validate::{self, Decoded, Verdict};
use crate::analyze::Analyzer;
use crate::calendar::Date;
use crate::mask::mask;
use crate::record::{Field, RecordSink};
use crate::rules::{Example, Kind, Patterns, Role};
use crate::summary::{FileStats, State, Stats};

/// What one VALUE argument holds: `triage explain --json` writes one of these per value.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Explanation {
    /// The value as given, masked unless revealed.
    pub value: String,
    /// Every identifier found in it (only those of the forced kind, when one is), in the
    /// order they stand; empty when it holds none.
    pub identifiers: Vec<Identifier>,
    /// The kind forced with `--kind`: says what the value was searched for.
    #[serde(skip)]
    pub forced: Option<Kind>,
}

/// One identifier found in a value.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Identifier {
    pub kind: &'static str,
    pub valid: bool,
    /// The first rule it fails (`None` when valid).
    pub reason: Option<String>,
    /// The normalized value (masked unless revealed); `None` for a damaged NIK.
    pub normalized: Option<String>,
    /// What the value decodes to, in order: a JSON object.
    #[serde(serialize_with = "as_object")]
    pub details: Vec<(String, String)>,
}

fn as_object<S: Serializer>(details: &[(String, String)], s: S) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(details.len()))?;
    for (k, v) in details {
        m.serialize_entry(k, v)?;
    }
    m.end()
}

/// The role a forced kind gives the value, so the detector reads it as a field of that kind.
fn role_for(kind: Option<Kind>) -> Role {
    match kind {
        Some(Kind::Nik) => Role::Nik,
        Some(Kind::Kk) => Role::Kk,
        Some(Kind::BpjsCard) => Role::BpjsCard,
        Some(Kind::Npwp) => Role::Npwp,
        Some(Kind::Nip) => Role::Nip,
        _ => Role::Unnamed,
    }
}

fn region_details(d: &[u8; 16], p: &Patterns, out: &mut Vec<(String, String)>) {
    let s = std::str::from_utf8(d).unwrap_or("");
    for (label, len) in [("province", 2), ("regency", 4), ("district", 6)] {
        let code = &s[..len];
        match p.regions.name(code) {
            Some(r) => out.push((
                label.into(),
                format!("{code} {} (editions {})", r.name, r.editions),
            )),
            None => out.push((label.into(), format!("{code} not in the region table"))),
        }
    }
}

fn date_details(label: &str, dec: &Decoded, out: &mut Vec<(String, String)>) {
    out.push((
        label.into(),
        format!(
            "{:02}-{:02}-..{:02} (day-month-year; the century is not encoded)",
            dec.date.day,
            dec.date.month,
            dec.date.yy()
        ),
    ));
}

/// Explains every candidate in `value`. `force` makes the value be read as that kind, and
/// keeps only the identifiers of that kind.
pub fn explain(value: &str, force: Option<Kind>, reveal: bool, p: &Patterns) -> Explanation {
    let mut found = Vec::new();
    Detector::new(p).detect(value.as_bytes(), role_for(force), &mut found);
    let shown = if reveal {
        value.to_string()
    } else {
        masked_input(value, &found)
    };
    let identifiers = found
        .iter()
        .filter_map(|f| identifier(f, force, value, reveal, p))
        .collect();
    Explanation {
        value: shown,
        identifiers,
        forced: force,
    }
}

/// One candidate as an [`Identifier`], or `None` when `force` asks for another kind.
fn identifier(
    f: &Found,
    force: Option<Kind>,
    value: &str,
    reveal: bool,
    p: &Patterns,
) -> Option<Identifier> {
    let Some(mut kind) = f.kind() else {
        return force.is_none_or(|k| k == Kind::Nik).then(damaged);
    };
    // A forced KK (or NIK) decides how a 16-digit run is read, whatever its keywords say.
    if let (Some(forced @ (Kind::Nik | Kind::Kk)), Found::NikOrKk { .. }) = (force, f) {
        kind = forced;
    }
    if force.is_some_and(|k| k != kind) {
        return None;
    }
    let mut details = Vec::new();
    let (normalized, verdict) = judge(f, kind, value, p, &mut details);
    Some(Identifier {
        kind: kind.name(),
        valid: verdict.is_valid(),
        reason: verdict.reason().map(|r| r.to_string()),
        normalized: Some(if reveal {
            normalized
        } else {
            mask(kind, &normalized)
        }),
        details,
    })
}

/// An Excel-damaged NIK: no value of its own, never valid.
fn damaged() -> Identifier {
    Identifier {
        kind: Kind::Nik.name(),
        valid: false,
        reason: Some("damaged".into()),
        normalized: None,
        details: vec![(
            "damaged".into(),
            "an Excel number with 15 significant digits: the last digit is lost".into(),
        )],
    }
}

/// One candidate of `value` read as `kind`: its normalized value and verdict, with the
/// details that explain them pushed to `details`. One function per kind decodes it.
fn judge(
    f: &Found,
    kind: Kind,
    value: &str,
    p: &Patterns,
    details: &mut Vec<(String, String)>,
) -> (String, Verdict<()>) {
    match *f {
        Found::NikOrKk { digits, .. } => (ascii(&digits), nik_or_kk(&digits, kind, p, details)),
        Found::Card {
            number, restored, ..
        } => {
            let digits = Found::card_digits(number);
            (ascii(&digits), card(&digits, restored, details))
        }
        Found::Phone { .. } => {
            let national = ascii(f.national().unwrap_or(b""));
            let v = phone(&national, p, details);
            (format!("+62{national}"), v)
        }
        Found::Email { span, .. } => {
            let addr = value[span.0..span.1].to_ascii_lowercase();
            let v = email(&addr, p, details);
            (addr, v)
        }
        Found::Npwp { digits, len, .. } => {
            let s = String::from_utf8_lossy(&digits).into_owned();
            (s, npwp(&digits, len, p, details))
        }
        Found::Nip { digits, .. } => {
            let s = String::from_utf8_lossy(&digits).into_owned();
            (s, nip(&digits, details))
        }
        Found::Damaged => unreachable!("damaged values have no kind"),
    }
}

fn ascii(d: &[u8]) -> String {
    String::from_utf8_lossy(d).into_owned()
}

/// An NPWP's verdict (its 16-digit form, written with `len` digits), with its form and the
/// check digit's verdict (or, for a NIK-form NPWP, the NIK's regions, birth date and sex) as
/// details.
fn npwp(
    digits: &[u8; 16],
    len: u8,
    p: &Patterns,
    details: &mut Vec<(String, String)>,
) -> Verdict<()> {
    let form = match (len, digits[0]) {
        (15, _) => "15 digits (the format before 2024), read with a 0 before them",
        (_, b'0') => "16 digits starting with 0 (a 15-digit NPWP with a 0 before it)",
        _ => "16 digits not starting with 0: a resident's NIK",
    };
    details.push(("form".into(), form.into()));
    if digits[0] != b'0' {
        return nik_or_kk(digits, Kind::Nik, p, details);
    }
    let v = validate::npwp(digits, p);
    let verdict = if v.is_valid() { "holds" } else { "fails" };
    details.push((
        "check_digit".into(),
        format!("{verdict} (Luhn over the 9 digits after the leading 0)"),
    ));
    map(v)
}

/// A NIP's verdict, with (when valid) its birth date, appointment month and sex as details;
/// appointments are checked against today (UTC), as a scan checks them against its date.
fn nip(digits: &[u8; 18], details: &mut Vec<(String, String)>) -> Verdict<()> {
    let v = validate::nip(digits, Some(Date::today()));
    if let Verdict::Valid(n) = v {
        details.push(("birth_date".into(), n.born.to_string()));
        let (y, m) = (n.appointed.year, n.appointed.month);
        details.push(("appointment".into(), format!("{y:04}-{m:02}")));
        let sex = if n.female { "female" } else { "male" };
        details.push(("sex".into(), sex.into()));
    }
    map(v)
}

/// A NIK or KK's verdict, with its regions and (when valid) its date and sex as details.
fn nik_or_kk(
    digits: &[u8; 16],
    kind: Kind,
    p: &Patterns,
    details: &mut Vec<(String, String)>,
) -> Verdict<()> {
    region_details(digits, p, details);
    let v = if kind == Kind::Nik {
        validate::nik(digits, p)
    } else {
        validate::kk(digits, p)
    };
    if let Verdict::Valid(d) = v {
        if kind == Kind::Nik {
            date_details("birth_date", &d, details);
            let sex = if d.female {
                "female (day + 40)"
            } else {
                "male"
            };
            details.push(("sex".into(), sex.into()));
        } else {
            date_details("issue_date", &d, details);
        }
    }
    map(v)
}

/// A BPJS card's verdict; a short card field value restored to 13 digits says so.
fn card(digits: &[u8; 13], restored: bool, details: &mut Vec<(String, String)>) -> Verdict<()> {
    if restored {
        details.push((
            "restored".into(),
            "leading zeros added to make 13 digits".into(),
        ));
    }
    map(validate::bpjs_card(digits))
}

/// A phone's verdict from its national digits, with its operator when valid.
fn phone(national: &str, p: &Patterns, details: &mut Vec<(String, String)>) -> Verdict<()> {
    let v = validate::phone(national.as_bytes(), p);
    if let Verdict::Valid(m) = v {
        details.push(("operator".into(), p.operator_names[m.operator].clone()));
    }
    map(v)
}

/// An e-mail's verdict from its lower-cased address, with its domain class when valid.
fn email(addr: &str, p: &Patterns, details: &mut Vec<(String, String)>) -> Verdict<()> {
    let v = validate::email(addr.as_bytes(), p);
    if let Verdict::Valid(c) = v {
        details.push(("domain_class".into(), p.domain_class_names()[c].to_string()));
    }
    map(v)
}

/// The input with every candidate replaced by its mask (SPEC §7) and every other digit by
/// `*`: an input may hold more than one value, and digits next to a candidate may be part of
/// something the responder should not see either. An input without candidates is all `*`.
fn masked_input(value: &str, found: &[Found]) -> String {
    if found.is_empty() {
        return "*".repeat(value.chars().count());
    }
    let b = value.as_bytes();
    let mut spans: Vec<(usize, usize, String)> = Vec::with_capacity(found.len());
    for f in found {
        let (s, e) = f.span();
        match f.masked(b) {
            Some(m) => spans.push((s, e, m)),
            // A damaged number has no value to show: it hides the whole input.
            None => spans.push((0, b.len(), "*".repeat(value.chars().count()))),
        }
    }
    spans.sort();
    let mut out = String::new();
    let mut i = 0;
    let keep = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii_digit() { '*' } else { c })
            .collect::<String>()
    };
    for (s, e, m) in spans {
        if s < i {
            continue;
        }
        out.push_str(&keep(&String::from_utf8_lossy(&b[i..s])));
        out.push_str(&m);
        i = e;
    }
    out.push_str(&keep(&String::from_utf8_lossy(&b[i..])));
    out
}

fn map<T>(v: Verdict<T>) -> Verdict<()> {
    match v {
        Verdict::Valid(_) => Verdict::Valid(()),
        Verdict::Invalid(r) => Verdict::Invalid(r),
    }
}

/// `--json`: the explanation as one line of JSON. A serializer error is turned back into the
/// `io::Error` under it, so a closed pipe is seen as one (`cli::run` ends quietly on it).
pub fn write_json(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer(&mut *out, e).map_err(io::Error::from)?;
    writeln!(out)
}

/// The explanation as text: a line per identifier and its details below it, or one line
/// saying the value holds none.
pub fn write_text(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    if e.identifiers.is_empty() {
        let what = match e.forced {
            Some(k) => format!("no {} candidate", k.name()),
            None => "no identifier shape found".into(),
        };
        return writeln!(out, "{}: {what}", e.value);
    }
    for id in &e.identifiers {
        let verdict = match &id.reason {
            None => "valid".to_string(),
            Some(r) => format!("invalid: {r}"),
        };
        let normalized = id.normalized.as_deref().map(|n| format!(" ({n})"));
        writeln!(
            out,
            "{}: {} {verdict}{}",
            e.value,
            id.kind,
            normalized.unwrap_or_default()
        )?;
        for (k, d) in &id.details {
            writeln!(out, "  {k:<12} {d}")?;
        }
    }
    Ok(())
}

/// One failed pattern example.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    pub kind: &'static str,
    pub example: String,
    pub expected_valid: bool,
}

/// Valid identifiers of `kind` in one example, counted by the real record analysis.
pub fn valid_in_example(ex: &Example, kind: Kind, p: &Patterns) -> u64 {
    let mut stats = Stats::default();
    let file = FileStats::new(State::Scanned, "example", 0);
    let mut a = Analyzer::new(p, &mut stats, file);
    match ex {
        Example::Line(s) => a.record(&[Field::borrowed(Role::Unnamed, s.as_bytes())], false),
        Example::Field { field, value } => a.record(
            &[Field::borrowed(
                p.role_of(field.as_bytes()),
                value.as_bytes(),
            )],
            true,
        ),
    }
    drop(a);
    stats.kinds[kind.index()].valid
}

/// Runs every pattern's examples (must yield a valid identifier of the kind) and negative
/// examples (must yield none).
pub fn check(p: &Patterns) -> (usize, Vec<CheckFailure>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    for info in &p.infos {
        for (list, want) in [(&info.examples, true), (&info.negative_examples, false)] {
            for ex in list {
                ran += 1;
                if (valid_in_example(ex, info.kind, p) > 0) != want {
                    failures.push(CheckFailure {
                        kind: info.kind.name(),
                        example: match ex {
                            Example::Line(s) => s.clone(),
                            Example::Field { field, value } => format!("{field}={value}"),
                        },
                        expected_valid: want,
                    });
                }
            }
        }
    }
    (ran, failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    /// The one identifier `v` holds.
    fn one(v: &str, force: Option<Kind>) -> Identifier {
        let mut e = explain(v, force, false, pats());
        assert_eq!(e.identifiers.len(), 1, "{v}: {e:?}");
        e.identifiers.remove(0)
    }

    fn shown(v: &str) -> String {
        explain(v, None, false, pats()).value
    }

    #[test]
    fn builtin_examples_pass() {
        let (ran, failures) = check(pats());
        assert!(ran > 30);
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn spec_tricky_cases() {
        let e = one("3171014101900001", None);
        assert_eq!((e.kind, e.valid), ("nik", true));
        assert!(e
            .details
            .iter()
            .any(|(k, v)| k == "sex" && v.starts_with("female")));
        assert_eq!(shown("3171014101900001"), "3171**********01");
        assert_eq!(
            one("3171012902010001", None).reason.as_deref(),
            Some("birth_date")
        );
        assert!(one("3171012902040001", None).valid);
        assert!(one("9101015502800003", None).valid);
        assert!(one("9101015502800003", None)
            .details
            .iter()
            .any(|(k, v)| k == "regency" && v.contains("2016")));
        assert_eq!(
            one("3171010101900000", None).reason.as_deref(),
            Some("serial")
        );
        // KK vs NIK: a KK issue date has no +40.
        let e = one("3171014101150003", Some(Kind::Kk));
        assert_eq!((e.kind, e.reason.as_deref()), ("kk", Some("date")));
        assert!(one("3171010501150003", Some(Kind::Kk)).valid);
        assert_eq!(one("KK 3171010501150003", None).kind, "kk");
        assert!(explain("hello", None, false, pats()).identifiers.is_empty());
        let e = one("+62 812-3456-7890", None);
        assert_eq!(e.normalized.as_deref(), Some("+62812*****890"));
        assert!(e.details.iter().any(|(_, v)| v == "Telkomsel"));
        assert_eq!(
            one("3.17101E+15", Some(Kind::Nik)).reason.as_deref(),
            Some("damaged")
        );
        assert_eq!(
            one("1234567890", Some(Kind::BpjsCard))
                .normalized
                .as_deref(),
            Some("0001*******90")
        );
        assert_eq!(
            shown("budi@gmail.com 3171014101900001"),
            "b***@gmail.com 3171**********01"
        );
        assert_eq!(shown("0812-3456-7890"), "+62812*****890");
        let e = explain("Budi@Kemkes.go.id", None, true, pats())
            .identifiers
            .remove(0);
        assert_eq!(e.normalized.as_deref(), Some("budi@kemkes.go.id"));
    }

    #[test]
    fn npwp_and_nip_decoded() {
        let detail = |e: &Identifier, k: &str| {
            e.details
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        };
        let e = one("07.914.088.5-199.000", None);
        assert_eq!((e.kind, e.valid), ("npwp", true));
        assert_eq!(e.normalized.as_deref(), Some("0079**********00"));
        assert!(detail(&e, "check_digit").unwrap().starts_with("holds"));
        assert!(detail(&e, "form").unwrap().starts_with("15 digits"));
        let e = one("0012345678123000", Some(Kind::Npwp));
        assert_eq!(e.reason.as_deref(), Some("check_digit"));
        assert!(detail(&e, "form")
            .unwrap()
            .starts_with("16 digits starting with 0"));
        let e = one("3171014101900001", Some(Kind::Npwp));
        assert_eq!((e.kind, e.valid), ("npwp", true));
        assert!(detail(&e, "sex").unwrap().starts_with("female"));
        let e = one("19850312 201001 2 002", None);
        assert_eq!((e.kind, e.valid), ("nip", true));
        assert_eq!(e.normalized.as_deref(), Some("1985************02"));
        assert_eq!(detail(&e, "birth_date").as_deref(), Some("1985-03-12"));
        assert_eq!(detail(&e, "appointment").as_deref(), Some("2010-01"));
        assert_eq!(detail(&e, "sex").as_deref(), Some("female"));
        assert_eq!(
            one("198503122010013002", Some(Kind::Nip)).reason.as_deref(),
            Some("sex")
        );
    }
}
