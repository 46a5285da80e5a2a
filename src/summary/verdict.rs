//! The verdict (SPEC §7): genuine, inconclusive, not Indonesian PII or fabricated, with the
//! reasons it rests on, reckoned from a [`Summary`]'s merged counts only (so a merge of states
//! gets the verdict one scan would) against the thresholds of `patterns/verdict.toml`. Also
//! what an incomplete scan could not see ([`NotRead`]), and the way the summary's texts write
//! numbers ([`num`], [`percent`]).

use std::collections::BTreeMap;

use num_format::{Locale, ToFormattedString};

use crate::rules::verdict::{Threshold, VerdictRules};
use crate::rules::{Kind, Patterns, Role};
use crate::summary::{Reason, State, Summary};

/// The four answers to "is it genuine?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Genuine,
    Inconclusive,
    NotIndonesianPii,
    Fabricated,
}

impl Label {
    pub fn name(self) -> &'static str {
        match self {
            Label::Genuine => "genuine",
            Label::Inconclusive => "inconclusive",
            Label::NotIndonesianPii => "not_indonesian_pii",
            Label::Fabricated => "fabricated",
        }
    }

    /// The label as a person reads it.
    pub fn words(self) -> &'static str {
        match self {
            Label::Genuine => "genuine Indonesian population data",
            Label::Inconclusive => "inconclusive",
            Label::NotIndonesianPii => "not Indonesian personal data",
            Label::Fabricated => "fabricated",
        }
    }
}

/// A label and the short sentences, with their numbers, it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub label: Label,
    pub reasons: Vec<String>,
    /// The entries a scan did not read in full, when there are any.
    pub not_read: Option<NotRead>,
}

/// The entries that are partial or failed, and their reasons counted by kind of reason.
#[derive(Clone, Debug, PartialEq)]
pub struct NotRead {
    pub entries: u64,
    pub partial: u64,
    pub failed: u64,
    /// (kind of reason, entries), most entries first.
    pub reasons: Vec<(String, u64)>,
}

impl NotRead {
    /// `INCOMPLETE: 3 entries not read (2 failed, 1 partial): encrypted 2, read error 1`, with
    /// the `top` most common reasons.
    pub fn line(&self, top: usize) -> String {
        let entries = if self.entries == 1 {
            "entry"
        } else {
            "entries"
        };
        let mut by: Vec<String> = self
            .reasons
            .iter()
            .take(top)
            .map(|(r, n)| format!("{r} {}", num(*n)))
            .collect();
        if self.reasons.len() > top {
            by.push(format!("{} more kinds", self.reasons.len() - top));
        }
        let states: Vec<String> = [(self.failed, "failed"), (self.partial, "partial")]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, state)| format!("{} {state}", num(*n)))
            .collect();
        format!(
            "INCOMPLETE: {} {entries} not read ({}): {}",
            num(self.entries),
            states.join(", "),
            by.join(", ")
        )
    }
}

/// The verdict on a summary, with the thresholds of `p`.
pub fn verdict(s: &Summary, p: &Patterns) -> Verdict {
    let read = judge(&Evidence::of(s, p), &p.verdict);
    match not_read(s) {
        None => read,
        Some(nr) => incomplete(nr, read),
    }
}

/// Inconclusive, saying what was not seen, then what the entries read point to on their own.
fn incomplete(nr: NotRead, read: Verdict) -> Verdict {
    let mut reasons = vec![format!(
        "{} {} not read in full ({}): the verdict cannot see what they hold",
        num(nr.entries),
        if nr.entries == 1 {
            "entry was"
        } else {
            "entries were"
        },
        nr.reasons
            .iter()
            .map(|(r, n)| format!("{r} {}", num(*n)))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    reasons.push(format!(
        "the entries read, on their own, look {}:",
        read.label.words()
    ));
    reasons.extend(read.reasons);
    Verdict {
        label: Label::Inconclusive,
        reasons,
        not_read: Some(nr),
    }
}

/// The partial and failed entries of a summary, if any.
pub fn not_read(s: &Summary) -> Option<NotRead> {
    let mut by: BTreeMap<String, u64> = BTreeMap::new();
    let (mut partial, mut failed) = (0, 0);
    for f in s.entries() {
        match f.state {
            State::Partial => partial += 1,
            State::Failed => failed += 1,
            _ => continue,
        }
        let kind = f
            .reason
            .as_deref()
            .map_or("no reason given".into(), reason_kind);
        *by.entry(kind).or_default() += 1;
    }
    if partial + failed == 0 {
        return None;
    }
    let mut reasons: Vec<(String, u64)> = by.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Some(NotRead {
        entries: partial + failed,
        partial,
        failed,
        reasons,
    })
}

/// A reason's kind, in words that never quote a name or an error text (either may hold an
/// identifier, and these words are not masked).
pub fn reason_kind(r: &Reason) -> String {
    use Reason::*;
    let s: &str = match r {
        CannotReadDirectory(_) | CannotList(_) => "folder unreadable",
        CannotExamine(_) | CannotOpen(_) | CannotSeek(_) | CannotRead(_) => "cannot open or read",
        Symlink => "symlink",
        NotRegular => "not a regular file",
        Crashed(_) => "reader crashed",
        ReadError(_) => "read error",
        TooLarge(_) => "too large",
        TooDeep { .. } => "nested too deep",
        DamagedInside { container, .. } => return format!("{container} damaged"),
        StreamUnreadable { container, .. } => return format!("{container} stream unreadable"),
        Shrank { .. } | Grew { .. } | ChangedSize { .. } => "changed while read",
        Empty | WhiteSpaceOnly => "empty",
        TriageOutput => "triage output",
        Binary(_) => "binary",
        NotReadYet(f) => return format!("{f} not read yet"),
        EmptyArchive => "empty archive",
        ZipUnreadable(_) | ZipSalvaged { .. } => "zip damaged",
        MemberUnreadable(_) => "member unreadable",
        Encrypted => "encrypted",
        Ole2Unreadable(_) => "OLE2 file unreadable",
        BookUnreadable { book, .. } => return format!("{book} unreadable"),
        Format { format, .. } => return format!("{format} damaged"),
        Sheet { .. } => "sheet unreadable",
        ArchiveUnreadable { archive, .. } | ArchiveDamaged { archive, .. } => {
            return format!("{archive} damaged")
        }
        EncryptedHeaders(_) => "encrypted",
        RarNotRead => "RAR not read",
        HardLink => "hard link",
        AlternativeText => "alternative text",
        RecordsCut { .. } => "records cut",
        Several(all) => return all.first().map_or("several".into(), reason_kind),
        Excluded => "excluded",
        Sampled(_) => "sampled",
        Shown { kind, .. } => return kind.clone(),
    };
    s.to_string()
}

/// The counts the verdict reads, from merged counts only.
struct Evidence {
    records: u64,
    with_valid_nik: u64,
    confirmed: u64,
    nik_candidates: u64,
    nik_valid: u64,
    /// A field named as a NIK field (`fields.toml`) was seen: the data says it holds NIKs.
    nik_field: bool,
    birth_date: [u64; 2],
    sex: [u64; 2],
    /// Valid Indonesian identifiers of other kinds (occurrences): mobile numbers, e-mails
    /// under `.id`, KK, BPJS card, NPWP, NIP.
    indonesian: u64,
}

impl Evidence {
    fn of(s: &Summary, p: &Patterns) -> Evidence {
        let st = &s.stats;
        let valid = |k: Kind| st.kinds[k.index()].valid;
        let other = [Kind::Kk, Kind::BpjsCard, Kind::Phone, Kind::Npwp, Kind::Nip];
        let id_mail: u64 = p
            .domain_classes
            .iter()
            .zip(&st.domain_classes)
            .filter(|((_, suffixes), _)| suffixes.iter().all(|x| x.ends_with(".id")))
            .map(|(_, n)| n)
            .sum();
        Evidence {
            records: st.records.total,
            with_valid_nik: st.records.with_valid_nik,
            confirmed: st.records.confirmed,
            nik_candidates: st.kinds[Kind::Nik.index()].candidates,
            nik_valid: valid(Kind::Nik),
            nik_field: s.fields.keys().any(|k| p.roles.get(k) == Some(&Role::Nik)),
            birth_date: [st.birth_date_agree, st.birth_date_disagree],
            sex: [st.sex_agree, st.sex_disagree],
            indonesian: other.into_iter().map(valid).sum::<u64>() + id_mail,
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn below(n: u64, t: &Threshold) -> bool {
    (n as f64) < t.value
}

fn label(label: Label, reasons: Vec<String>) -> Verdict {
    Verdict {
        label,
        reasons,
        not_read: None,
    }
}

/// The verdict on what was read, rules in the order `verdict.toml` lists them.
fn judge(e: &Evidence, t: &VerdictRules) -> Verdict {
    if below(e.records, &t.min_records) {
        let why = format!(
            "only {} records: too few to judge (at least {} needed)",
            num(e.records),
            t.min_records.value
        );
        return label(Label::Inconclusive, vec![why]);
    }
    if below(e.nik_candidates, &t.min_nik_candidates) {
        let why = format!(
            "{} NIK candidates in {} records: too few for the NIK rules to judge",
            num(e.nik_candidates),
            num(e.records)
        );
        return without_niks(e, t, why);
    }
    let share = ratio(e.nik_valid, e.nik_candidates);
    if share <= t.random_valid_share.value {
        return random_digits(e, t, share);
    }
    disagreement(e, t).unwrap_or_else(|| genuine_or_not(e, t, share))
}

/// No NIKs to judge by: Indonesian data when its other identifiers say so, else not.
fn without_niks(e: &Evidence, t: &VerdictRules, why: String) -> Verdict {
    let per = ratio(e.indonesian, e.records);
    let other = format!(
        "{} Indonesian mobile numbers, .id e-mail addresses, KK, BPJS card, NPWP or NIP \
         numbers: {} per 100 records",
        num(e.indonesian),
        round_sig(per * 100.0)
    );
    if per >= t.indonesian_share.value {
        let so = "Indonesian personal data, but nothing the NIK rules can check".to_string();
        label(Label::Inconclusive, vec![why, other, so])
    } else {
        label(Label::NotIndonesianPii, vec![why, other])
    }
}

/// NIK candidates that pass the rules no more often than random digits do.
fn random_digits(e: &Evidence, t: &VerdictRules, share: f64) -> Verdict {
    let why = format!(
        "only {} of {} NIK candidates pass the NIK rules (random 16-digit numbers: 0.06%)",
        percent(share),
        num(e.nik_candidates)
    );
    if e.nik_field {
        let made = "they stand in a NIK field: numbers made up to look like NIKs".to_string();
        label(Label::Fabricated, vec![why, made])
    } else {
        without_niks(e, t, format!("{why}: they are not NIKs"))
    }
}

/// Birth dates or sexes that were not written with the NIKs beside them.
fn disagreement(e: &Evidence, t: &VerdictRules) -> Option<Verdict> {
    let checks = [
        ("birth dates agree", e.birth_date, &t.birth_date_fabricated),
        ("sex fields agree", e.sex, &t.sex_fabricated),
    ];
    for (what, [agree, disagree], limit) in checks {
        let n = agree + disagree;
        if !below(n, &t.min_checks) && ratio(agree, n) < limit.value {
            let why = format!(
                "{what} with the NIK in only {} of {} records that have both \
                 (genuine data: nearly all)",
                percent(ratio(agree, n)),
                num(n)
            );
            return Some(label(Label::Fabricated, vec![why]));
        }
    }
    None
}

/// Genuine when every `genuine_*` threshold holds; otherwise inconclusive, the shortfalls
/// first.
fn genuine_or_not(e: &Evidence, t: &VerdictRules, share: f64) -> Verdict {
    let mut checks = vec![
        check(
            ratio(e.with_valid_nik, e.records),
            &t.genuine_records_with_nik,
            format!("of {} records hold a valid NIK", num(e.records)),
        ),
        check(
            share,
            &t.genuine_valid_share,
            format!(
                "of {} NIK candidates pass every NIK rule",
                num(e.nik_candidates)
            ),
        ),
        check(
            ratio(e.confirmed, e.with_valid_nik),
            &t.genuine_confirmed,
            format!(
                "of the {} records with a valid NIK are confirmed in the same record",
                num(e.with_valid_nik)
            ),
        ),
    ];
    for (what, [agree, disagree]) in [("birth date", e.birth_date), ("sex", e.sex)] {
        let n = agree + disagree;
        if !below(n, &t.min_checks) {
            let rest = format!("of {} records agree with the NIK on {what}", num(n));
            checks.push(check(ratio(agree, n), &t.genuine_agreement, rest));
        }
    }
    let genuine = checks.iter().all(|c| c.0);
    checks.sort_by_key(|c| c.0);
    let reasons = checks.into_iter().map(|c| c.1).collect();
    let l = if genuine {
        Label::Genuine
    } else {
        Label::Inconclusive
    };
    label(l, reasons)
}

/// A share against its threshold: whether it holds, and the sentence saying so.
fn check(share: f64, t: &Threshold, rest: String) -> (bool, String) {
    let ok = share >= t.value;
    let mut s = format!("{} {rest}", percent(share));
    if !ok {
        s.push_str(&format!(" (genuine data: at least {})", percent(t.value)));
    }
    (ok, s)
}

/// 1234567 → `1,234,567`.
pub fn num(n: u64) -> String {
    n.to_formatted_string(&Locale::en)
}

/// A share as a percentage rounded to what matters: one decimal from 1% up (`91.6%`), two
/// significant digits below (`0.061%`), never rounded to 0% or 100% when it is neither.
pub fn percent(x: f64) -> String {
    let p = x * 100.0;
    if p <= 0.0 {
        return "0%".into();
    }
    if p >= 100.0 {
        return "100%".into();
    }
    if p >= 1.0 {
        let one = format!("{p:.1}");
        return if one == "100.0" {
            "99.9%".into()
        } else {
            format!("{one}%")
        };
    }
    format!("{}%", round_sig(p))
}

/// Two significant digits, without trailing zeros after the point (`0.061`, `4.2`, `37`).
fn round_sig(x: f64) -> String {
    if x <= 0.0 {
        return "0".into();
    }
    let decimals = (1 - x.log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::FileStats;
    use crate::testing::pats;

    /// Records with their NIK counts; a field named `NIK` when `nik_field`.
    fn counts(records: u64, cand: u64, valid: u64, with_nik: u64, nik_field: bool) -> Summary {
        let mut s = Summary::default();
        let st = &mut s.stats;
        st.records.total = records;
        st.records.with_candidates = records;
        st.records.with_valid_nik = with_nik;
        st.kinds[Kind::Nik.index()].candidates = cand;
        st.kinds[Kind::Nik.index()].valid = valid;
        if nik_field {
            s.fields.insert("nik".into(), ["NIK".to_string()].into());
        }
        s.files
            .insert("a.csv".into(), FileStats::new(State::Scanned, "csv", 9));
        s
    }

    /// The counts of the synthetic BPJS-style sample, scaled to 10,000 rows.
    fn genuine() -> Summary {
        let mut s = counts(10_000, 9_838, 9_344, 9_160, true);
        let st = &mut s.stats;
        st.records.confirmed = 9_143;
        [st.birth_date_agree, st.birth_date_disagree] = [8_703, 228];
        [st.sex_agree, st.sex_disagree] = [8_752, 227];
        st.kinds[Kind::Phone.index()].valid = 8_566;
        s
    }

    fn judged(s: &Summary) -> Verdict {
        verdict(s, pats())
    }

    #[test]
    fn the_synthetic_sample_is_genuine_and_says_why() {
        let v = judged(&genuine());
        assert_eq!(v.label, Label::Genuine, "{v:?}");
        assert_eq!(v.not_read, None);
        assert!(v
            .reasons
            .contains(&"91.6% of 10,000 records hold a valid NIK".to_string()));
        assert!(
            v.reasons
                .iter()
                .any(|r| r.starts_with("97.4% of 8,931 records agree")),
            "{v:?}"
        );
    }

    #[test]
    fn random_digits_in_a_nik_field_are_fabricated() {
        // 5,000 random 16-digit numbers: about 3 pass every NIK rule.
        let v = judged(&counts(5_000, 5_000, 3, 3, true));
        assert_eq!(v.label, Label::Fabricated, "{v:?}");
        assert!(
            v.reasons[0].starts_with("only 0.06% of 5,000 NIK candidates"),
            "{v:?}"
        );
        // The same numbers in no NIK field, beside nothing else Indonesian: not NIKs at all.
        let v = judged(&counts(5_000, 5_000, 3, 3, false));
        assert_eq!(v.label, Label::NotIndonesianPii, "{v:?}");
    }

    #[test]
    fn shuffled_birth_dates_are_fabricated() {
        let mut s = genuine();
        let st = &mut s.stats;
        st.records.confirmed = 40;
        [st.birth_date_agree, st.birth_date_disagree] = [1, 8_930];
        let v = judged(&s);
        assert_eq!(v.label, Label::Fabricated, "{v:?}");
        assert_eq!(
            v.reasons,
            [
                "birth dates agree with the NIK in only 0.011% of 8,931 records that have both \
              (genuine data: nearly all)"
            ]
        );
        let mut s = genuine();
        [s.stats.sex_agree, s.stats.sex_disagree] = [4_480, 4_499];
        assert_eq!(judged(&s).label, Label::Fabricated);
    }

    #[test]
    fn foreign_contacts_are_not_indonesian_and_indonesian_ones_stay_open() {
        // Phones of another country are no candidates or not mobile; e-mails under .com/.uk.
        let mut s = counts(2_000, 0, 0, 0, false);
        let st = &mut s.stats;
        st.kinds[Kind::Phone.index()].candidates = 40;
        st.kinds[Kind::Email.index()].valid = 1_900;
        let other = pats().domain_classes.len();
        st.domain_classes = vec![0; other + 1];
        st.domain_classes[other] = 1_900;
        let v = judged(&s);
        assert_eq!(v.label, Label::NotIndonesianPii, "{v:?}");
        assert!(
            v.reasons[0].starts_with("0 NIK candidates in 2,000 records"),
            "{v:?}"
        );
        // The same without NIKs but with Indonesian mobile numbers: not judged either way.
        s.stats.kinds[Kind::Phone.index()].valid = 1_500;
        assert_eq!(judged(&s).label, Label::Inconclusive);
    }

    #[test]
    fn an_incomplete_scan_is_inconclusive_and_says_what_it_missed() {
        let mut s = genuine();
        for (name, reason) in [("x.zip", Reason::Encrypted), ("y.7z", Reason::Encrypted)] {
            let f = FileStats::new(State::Failed, "zip", 5).with_reason(reason);
            s.files.insert(name.into(), f);
        }
        let f = FileStats::new(State::Partial, "csv", 5)
            .with_reason(Reason::ReadError("in ktp_3171014101900002.csv".into()));
        s.files.insert("z.csv".into(), f);
        let v = judged(&s);
        assert_eq!(v.label, Label::Inconclusive);
        let nr = v.not_read.as_ref().unwrap();
        assert_eq!(
            nr.line(3),
            "INCOMPLETE: 3 entries not read (2 failed, 1 partial): encrypted 2, read error 1"
        );
        assert_eq!(
            nr.line(1),
            "INCOMPLETE: 3 entries not read (2 failed, 1 partial): encrypted 2, 1 more kinds"
        );
        assert!(v.reasons[0].starts_with("3 entries were not read in full"));
        assert!(v.reasons[1].contains("genuine"), "{v:?}");
        assert!(
            !format!("{v:?}").contains("3171014101900002"),
            "reasons quote no name"
        );
    }

    #[test]
    fn too_few_records_are_inconclusive() {
        let v = judged(&counts(40, 40, 40, 40, true));
        assert_eq!(v.label, Label::Inconclusive);
        assert!(v.reasons[0].starts_with("only 40 records"), "{v:?}");
    }

    #[test]
    fn a_merge_of_halves_gets_the_verdict_of_the_whole() {
        let whole = genuine();
        let mut half = genuine();
        let st = &mut half.stats;
        st.records.total /= 2;
        st.records.with_valid_nik /= 2;
        st.records.confirmed /= 2;
        st.kinds[0].candidates /= 2;
        st.kinds[0].valid /= 2;
        st.birth_date_agree /= 2;
        st.birth_date_disagree /= 2;
        let mut merged = half.clone();
        merged += half;
        assert_eq!(judged(&merged).label, judged(&whole).label);
        assert_eq!(judged(&merged).reasons.len(), judged(&whole).reasons.len());
    }

    #[test]
    fn numbers_read_as_a_person_writes_them() {
        assert_eq!(num(1_234_567), "1,234,567");
        assert_eq!(num(12), "12");
        assert_eq!(percent(0.916), "91.6%");
        assert_eq!(percent(0.000617), "0.062%");
        assert_eq!(percent(0.0000101), "0.001%");
        assert_eq!(percent(0.99996), "99.9%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.05), "5.0%");
    }
}
