//! One record at a time: detect candidates in each field, validate them, corroborate valid
//! NIKs inside the record (SPEC §6) and add it all to the worker's [`Stats`].

use std::borrow::Cow;

use crate::dates::{self, Date, Readings};
use crate::detect::{Detector, Found};
use crate::extras::Extras;
use crate::patterns::{Kind, Patterns, Role};
use crate::rows::{RecordHits, RowBuf, Tier};
use crate::sensitive;
use crate::summary::{hash_lower, reason_index, FileStats, Stats};
use crate::validate::{self, Decoded, Verdict};

/// One field of a record: its role (from its name) and its value.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub role: Role,
    pub value: Cow<'a, [u8]>,
}

impl<'a> Field<'a> {
    pub fn borrowed(role: Role, value: &'a [u8]) -> Self {
        Field {
            role,
            value: Cow::Borrowed(value),
        }
    }
}

/// Per-worker state: the detector and scratch space, reused for every record.
pub struct Analyzer<'p> {
    p: &'p Patterns,
    detector: Detector<'p>,
    found: Vec<Found>,
    domains: validate::DomainMemo,
    niks: Vec<Decoded>,
    birth_dates: Vec<Readings>,
    sexes: Vec<bool>,
    text_dates: Vec<Date>,
    /// Reference, key, scan date, `--records` (see [`Analyzer::with_extras`]).
    x: Option<&'p Extras>,
    /// `--records` is on: collect each record's findings into `hits`, its row into `rows`.
    collect: bool,
    hits: RecordHits,
    pub rows: RowBuf,
    /// The record being read (see [`Analyzer::begin`]).
    cur: Current,
}

/// What one record has shown so far, field by field.
#[derive(Clone, Copy, Default)]
struct Current {
    /// A field holds more than blanks: a record of blanks only is not a record.
    nonblank: bool,
    any_candidate: bool,
    valid_card: bool,
    /// Sensitive-data categories seen, one bit each.
    sens: u8,
}

impl<'p> Analyzer<'p> {
    pub fn new(p: &'p Patterns) -> Self {
        Analyzer {
            p,
            detector: Detector::new(p),
            found: Vec::new(),
            domains: validate::DomainMemo::default(),
            niks: Vec::new(),
            birth_dates: Vec::new(),
            sexes: Vec::new(),
            text_dates: Vec::new(),
            x: None,
            collect: false,
            hits: RecordHits::default(),
            rows: RowBuf::default(),
            cur: Current::default(),
        }
    }

    /// An analyzer that also matches `--reference`, counts children on the scan date and
    /// (with `--records`) formats a row per record with a finding into [`Analyzer::rows`].
    pub fn with_extras(p: &'p Patterns, x: &'p Extras) -> Self {
        let mut a = Analyzer::new(p);
        a.x = Some(x);
        a.collect = x.rows.is_some();
        a
    }

    /// Analyzes one record. `named` says whether its format names its fields; a record whose
    /// values are all blank is not a record and is ignored.
    pub fn record(
        &mut self,
        fields: &[Field],
        named: bool,
        stats: &mut Stats,
        file: &mut FileStats,
    ) {
        self.begin();
        for f in fields {
            self.field(&f.value, f.role, named, stats, file);
        }
        self.end(fields, named, stats, file);
    }

    /// Starts a record that is then given field by field ([`Analyzer::field`]) and closed
    /// with [`Analyzer::end`]: readers that know each field's role as they cut it (CSV with a
    /// header) need not collect the record's fields first.
    pub fn begin(&mut self) {
        self.niks.clear();
        self.birth_dates.clear();
        self.sexes.clear();
        if self.collect {
            self.hits.clear();
        }
        self.cur = Current::default();
    }

    /// One field of the current record. A blank value finds nothing, so a record of blanks
    /// leaves no count behind when [`Analyzer::end`] drops it.
    ///
    /// Inlined: most fields are codes and flags shorter than any candidate, with a role that
    /// needs nothing of its own; those are only checked for blanks, without a call.
    #[inline]
    pub fn field(
        &mut self,
        v: &[u8],
        role: Role,
        named: bool,
        stats: &mut Stats,
        file: &mut FileStats,
    ) {
        let own = matches!(
            role,
            Role::Nik | Role::BpjsCard | Role::BirthDate | Role::Sex | Role::Sensitive(_)
        );
        // The shortest candidate, `a@b.co`, has 6 bytes (see `Detector::detect`).
        if v.len() < 6 && !own {
            self.mark_nonblank(v);
            return;
        }
        self.field_slow(v, role, named, stats, file);
    }

    #[inline]
    fn mark_nonblank(&mut self, v: &[u8]) {
        if !self.cur.nonblank {
            self.cur.nonblank = !v.trim_ascii().is_empty();
        }
    }

    /// Everything [`Analyzer::field`] does not settle inline.
    #[inline(never)]
    fn field_slow(
        &mut self,
        v: &[u8],
        role: Role,
        named: bool,
        stats: &mut Stats,
        file: &mut FileStats,
    ) {
        if v.is_empty() {
            return;
        }
        self.mark_nonblank(v);
        let collect = self.collect;
        match role {
            Role::BirthDate if named => {
                let r = dates::parse_field(v, self.p);
                if r.any() {
                    self.birth_dates.push(r);
                }
                if r.plain {
                    return;
                }
            }
            Role::Sex => {
                if let Some(female) = self.p.sex_of(v) {
                    self.sexes.push(female);
                }
            }
            Role::Sensitive(rule) => {
                if let Some(c) = sensitive::field_category(&self.p.sensitive, rule, v) {
                    self.cur.sens |= 1 << c;
                }
            }
            _ => {}
        }
        self.detector.detect(v, role, &mut self.found);
        for found in &self.found {
            let Some(kind) = found.kind() else {
                stats.nik_damaged += 1;
                continue;
            };
            self.cur.any_candidate = true;
            let ks = &mut stats.kinds[kind.index()];
            ks.candidates += 1;
            let ok = match *found {
                Found::Sixteen { kind, digits, .. } => {
                    let verdict = if kind == Kind::Nik {
                        validate::nik(&digits, self.p)
                    } else {
                        validate::kk(&digits, self.p)
                    };
                    match verdict {
                        Verdict::Valid(d) => {
                            ks.unique.insert(d.value);
                            if kind == Kind::Nik {
                                if d.female {
                                    stats.nik_female += 1;
                                } else {
                                    stats.nik_male += 1;
                                }
                                stats.provinces[(d.district / 10_000) as usize] += 1;
                                self.niks.push(d);
                            }
                            Ok(())
                        }
                        Verdict::Invalid(r) => Err(r),
                    }
                }
                Found::Card {
                    digits, restored, ..
                } => {
                    if restored {
                        stats.card_restored += 1;
                    }
                    match validate::bpjs_card(&digits) {
                        Verdict::Valid(n) => {
                            ks.unique.insert(n);
                            self.cur.valid_card = true;
                            Ok(())
                        }
                        Verdict::Invalid(r) => Err(r),
                    }
                }
                Found::Phone { .. } => {
                    let national = found.national().unwrap_or(b"");
                    match validate::phone(national, self.p) {
                        Verdict::Valid(m) => {
                            ks.unique.insert(m.value);
                            bump(&mut stats.operators, m.operator);
                            Ok(())
                        }
                        Verdict::Invalid(r) => Err(r),
                    }
                }
                Found::Email { span, at } => {
                    let addr = &v[span.0..span.1];
                    match validate::email_split(addr, at - span.0, self.p, &mut self.domains) {
                        Verdict::Valid(class) => {
                            ks.unique.insert(hash_lower(addr));
                            bump(&mut stats.domain_classes, class);
                            Ok(())
                        }
                        Verdict::Invalid(r) => Err(r),
                    }
                }
                Found::Damaged => unreachable!("damaged values have no kind"),
            };
            if collect {
                push_hit(&mut self.hits, found, kind, v, ok.is_ok());
            }
            let ks = &mut stats.kinds[kind.index()];
            match ok {
                Ok(()) => {
                    ks.valid += 1;
                    file.valid[kind.index()] += 1;
                }
                Err(r) => ks.invalid[reason_index(kind, r)] += 1,
            }
        }
    }

    /// Closes the current record. `fields` are needed only when the format does not name
    /// them (`named` false): then a date anywhere in the record can confirm a NIK.
    pub fn end(&mut self, fields: &[Field], named: bool, stats: &mut Stats, file: &mut FileStats) {
        if !self.cur.nonblank {
            return;
        }
        stats.records.total += 1;
        file.records += 1;
        let Current {
            any_candidate,
            valid_card,
            mut sens,
            ..
        } = self.cur;
        if any_candidate {
            stats.records.with_candidates += 1;
        }
        if self.niks.is_empty() {
            self.finish(sens, false, stats, file);
            return;
        }
        stats.records.with_valid_nik += 1;

        let by_birth_date = if named {
            let agree = self
                .birth_dates
                .iter()
                .any(|r| self.niks.iter().any(|n| r.matches(n.date)));
            if !self.birth_dates.is_empty() {
                if agree {
                    stats.birth_date_agree += 1;
                } else {
                    stats.birth_date_disagree += 1;
                }
            }
            agree
        } else {
            self.text_dates.clear();
            for f in fields {
                dates::find_in_text(&f.value, self.p, &mut self.text_dates);
            }
            self.text_dates
                .iter()
                .any(|d| self.niks.iter().any(|n| d.matches(n.date)))
        };
        if !self.sexes.is_empty() {
            let agree = self
                .sexes
                .iter()
                .any(|&female| self.niks.iter().any(|n| n.female == female));
            if agree {
                stats.sex_agree += 1;
            } else {
                stats.sex_disagree += 1;
            }
        }
        if by_birth_date {
            stats.records.by_birth_date += 1;
        }
        if valid_card {
            stats.records.by_bpjs_card += 1;
        }
        let by_reference = self.by_reference(stats);
        if let Some(today) = self.x.and_then(|x| x.today) {
            if self.niks.iter().any(|n| today.age(n.date) < 18) {
                sens |= 1 << sensitive::CHILDREN;
            }
        }
        let confirmed = by_birth_date || valid_card || by_reference;
        if confirmed {
            stats.records.confirmed += 1;
            file.confirmed += 1;
        }
        self.finish(sens, confirmed, stats, file);
    }

    /// SPEC §6 rule 3: a valid NIK of the record is in the `--reference` set.
    fn by_reference(&self, stats: &mut Stats) -> bool {
        let Some(x) = self.x else { return false };
        let Some(r) = &x.reference else { return false };
        let mut hit = false;
        for n in &self.niks {
            if r.contains_nik(n.value, x.key.as_ref()) {
                stats.reference_people.insert(n.value);
                hit = true;
            }
        }
        if hit {
            stats.records.by_reference += 1;
            stats.records.reference_matched += 1;
        }
        hit
    }

    /// The end of every record: sensitive categories, and the `--records` row.
    fn finish(&mut self, sens: u8, confirmed: bool, stats: &mut Stats, file: &FileStats) {
        if sens != 0 {
            for (c, n) in stats.sensitive.iter_mut().enumerate() {
                *n += u64::from(sens >> c & 1);
            }
        }
        if self.collect && !self.hits.is_empty() {
            let tier = if confirmed {
                Tier::Confirmed
            } else if self.hits.any_valid() {
                Tier::Valid
            } else {
                Tier::Candidate
            };
            let x = self.x.expect("collect needs extras");
            self.rows
                .push(file.records, tier, &self.hits, x.key.as_ref(), x.reveal);
        }
    }
}

/// Keeps one finding's normalized value for `--records`.
fn push_hit(hits: &mut RecordHits, found: &Found, kind: Kind, v: &[u8], valid: bool) {
    match found {
        Found::Sixteen { digits, .. } => hits.push(kind, valid, &[digits]),
        Found::Card { digits, .. } => hits.push(kind, valid, &[digits]),
        Found::Phone { .. } => hits.push(kind, valid, &[b"+62", found.national().unwrap_or(b"")]),
        Found::Email { span, .. } => hits.push(kind, valid, &[&v[span.0..span.1]]),
        Found::Damaged => {}
    }
}

fn bump(v: &mut Vec<u64>, i: usize) {
    if v.len() <= i {
        v.resize(i + 1, 0);
    }
    v[i] += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::State;
    use std::sync::OnceLock;

    fn pats() -> &'static Patterns {
        static P: OnceLock<Patterns> = OnceLock::new();
        P.get_or_init(|| Patterns::builtin().unwrap())
    }

    fn analyze(records: &[(&[(Role, &str)], bool)]) -> Stats {
        let mut a = Analyzer::new(pats());
        let mut stats = Stats::default();
        let mut file = FileStats::new(State::Scanned, "test", 0);
        for (fields, named) in records {
            let fields: Vec<Field> = fields
                .iter()
                .map(|(r, v)| Field::borrowed(*r, v.as_bytes()))
                .collect();
            a.record(&fields, *named, &mut stats, &mut file);
        }
        stats
    }

    #[test]
    fn confirmed_by_birth_date_field() {
        // Female, 1 Jan 1990.
        let s = analyze(&[
            (
                &[
                    (Role::Nik, "3171014101900001"),
                    (Role::BirthDate, "1990-01-01"),
                ],
                true,
            ),
            (
                &[
                    (Role::Nik, "3171014101900002"),
                    (Role::BirthDate, "02-01-1990"),
                ],
                true,
            ),
            (
                &[(Role::Nik, "3171014101900003"), (Role::BirthDate, "")],
                true,
            ),
        ]);
        assert_eq!(s.records.total, 3);
        assert_eq!(s.records.with_valid_nik, 3);
        assert_eq!(s.records.confirmed, 1);
        assert_eq!(s.records.by_birth_date, 1);
        assert_eq!(s.birth_date_agree, 1);
        assert_eq!(s.birth_date_disagree, 1);
        assert_eq!(s.nik_female, 3);
    }

    #[test]
    fn a_date_outside_birth_date_fields_does_not_confirm_a_named_record() {
        let s = analyze(&[(
            &[(Role::Nik, "3171010101900001"), (Role::Other, "01-01-1990")],
            true,
        )]);
        assert_eq!(s.records.confirmed, 0);
    }

    #[test]
    fn unnamed_records_use_any_date() {
        let s = analyze(&[
            (
                &[(Role::Unnamed, "3171010101900001 lahir 1 Januari 1990")],
                false,
            ),
            (
                &[(Role::Unnamed, "3171010101900001 lahir 2 Januari 1990")],
                false,
            ),
        ]);
        assert_eq!(s.records.confirmed, 1);
        assert_eq!(s.birth_date_agree + s.birth_date_disagree, 0);
    }

    #[test]
    fn confirmed_by_card_and_sex_agreement() {
        let s = analyze(&[
            (
                &[
                    (Role::Nik, "3171010101900001"),
                    (Role::BpjsCard, "1234567890"),
                    (Role::Sex, "Perempuan"),
                ],
                true,
            ),
            (&[(Role::Nik, "3171010101900001"), (Role::Sex, "l")], true),
            (&[(Role::BpjsCard, "0001234567890")], true),
        ]);
        assert_eq!(s.records.confirmed, 1);
        assert_eq!(s.records.by_bpjs_card, 1);
        assert_eq!(s.card_restored, 1);
        assert_eq!(s.sex_disagree, 1);
        assert_eq!(s.sex_agree, 1);
        assert_eq!(s.kinds[Kind::Nik.index()].unique.len(), 1);
        assert_eq!(s.kinds[Kind::BpjsCard.index()].valid, 2);
    }

    #[test]
    fn blank_rows_are_not_records_and_damage_is_counted() {
        let s = analyze(&[
            (&[(Role::Nik, " "), (Role::Other, "")], true),
            (&[(Role::Nik, "3.17101E+15")], true),
        ]);
        assert_eq!(s.records.total, 1);
        assert_eq!(s.records.with_candidates, 0);
        assert_eq!(s.nik_damaged, 1);
        assert_eq!(s.kinds[Kind::Nik.index()].candidates, 0);
    }

    #[test]
    fn invalid_reasons_and_email_unique_case_insensitive() {
        let s = analyze(&[(
            &[(
                Role::Unnamed,
                "0071010101900001 Budi@Gmail.com budi@gmail.COM x..y@a.com",
            )],
            false,
        )]);
        let nik = &s.kinds[Kind::Nik.index()];
        assert_eq!((nik.candidates, nik.valid, nik.invalid[0]), (1, 0, 1));
        let em = &s.kinds[Kind::Email.index()];
        assert_eq!((em.candidates, em.valid, em.unique.len()), (3, 2, 1));
        assert_eq!(em.invalid[0], 1);
    }
}
