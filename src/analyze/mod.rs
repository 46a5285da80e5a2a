//! One record at a time: detect candidates in each field, validate them, corroborate valid
//! NIKs inside the record (SPEC §6) and add it all to the worker's [`Stats`]. The
//! [`Analyzer`] is a [`RecordSink`]: readers push records into it without knowing it.
//!
//! Imports `rules` (what to find), `summary` (where counts go) and the loose `record`.

pub mod dates;
pub mod detect;
pub mod header;
pub mod hits;
pub mod official;
pub mod options;
pub mod shapes;
pub mod validate;

use std::collections::BTreeSet;

pub use crate::analyze::header::is_header;

use crate::analyze::dates::DateSet;
use crate::analyze::detect::{Detector, Found};
use crate::analyze::hits::{RecordHits, RowBuf, Tier};
use crate::analyze::options::RecordOptions;
use crate::analyze::validate::{Decoded, Verdict};
use crate::record::{Column, Field, RecordSink};
use crate::rules::sensitive;
use crate::rules::{load_le, InvalidReason, Kind, Patterns, Role};
use crate::summary::{hash_lower, FileStats, Stats};

/// One chunk's analysis: the detector and scratch space, reused for every record, adding to
/// the worker's [`Stats`] and to the chunk's ledger counts ([`Analyzer::into_parts`]).
pub struct Analyzer<'a> {
    p: &'a Patterns,
    detector: Detector<'a>,
    found: Vec<Found>,
    domains: validate::DomainMemo,
    /// The readings of the sex values seen last (see [`SexMemo`]).
    sexes: SexMemo,
    /// The dates of the record's valid NIKs, and the readings of its birth-date fields:
    /// sets, so that a record dense with identifiers costs neither memory nor time per pair
    /// (linear time on any record).
    nik_dates: DateSet,
    birth_dates: DateSet,
    /// The dates in the fields of a record without field names that are no longer held (see
    /// [`RecordSink::unheld`]).
    text_dates: DateSet,
    /// The birth dates of the record's valid NIKs and of its valid NIPs, men's then women's:
    /// SPEC §6 rule 4 asks for a NIK and a NIP of one sex and one date. The NIKs' are kept
    /// only once the record holds NIKs of both sexes (see [`note_nik_sex`]).
    nik_dates_by_sex: [DateSet; 2],
    nip_dates_by_sex: [DateSet; 2],
    /// Reference, key, scan date, `--records` (see [`Analyzer::with_options`]).
    opts: Option<&'a RecordOptions>,
    /// The worker's counts, and the chunk's (records, confirmed, valid by kind).
    stats: &'a mut Stats,
    file: FileStats,
    /// Field names the records gave, as written (see [`RecordSink::name`]).
    names: BTreeSet<Vec<u8>>,
    /// `--records` is on: collect each record's findings into `hits`, its row into `rows`.
    collect: bool,
    hits: RecordHits,
    rows: RowBuf,
    /// The record being read (see [`Analyzer::begin`]).
    cur: Current,
}

/// What one record has shown so far, field by field. Flags rather than lists: what SPEC §6
/// asks of a record's identifiers together is whether some pair agrees, and a flag per side
/// answers that in constant memory however many identifiers the record holds.
#[derive(Clone, Copy, Default)]
struct Current {
    /// A field holds more than blanks: a record of blanks only is not a record.
    nonblank: bool,
    any_candidate: bool,
    valid_card: bool,
    /// A valid NIP was seen (its date and sex are in `nip_dates_by_sex`).
    nip: bool,
    /// Sensitive-data categories seen, one bit each.
    sens: u8,
    /// Valid NIKs seen: any, of a woman, of a man.
    nik: bool,
    nik_female: bool,
    nik_male: bool,
    /// Sex fields read: one saying female, one saying male.
    sex_female: bool,
    sex_male: bool,
    /// A valid NIK is in `--reference`; one is of a child on the scan date.
    by_reference: bool,
    child: bool,
}

impl<'a> Analyzer<'a> {
    /// An analyzer adding to `stats`, with `file` for the chunk's ledger counts.
    pub fn new(p: &'a Patterns, stats: &'a mut Stats, file: FileStats) -> Self {
        Analyzer {
            p,
            detector: Detector::new(p),
            found: Vec::new(),
            domains: validate::DomainMemo::default(),
            sexes: SexMemo::default(),
            nik_dates: DateSet::default(),
            birth_dates: DateSet::default(),
            text_dates: DateSet::default(),
            nik_dates_by_sex: Default::default(),
            nip_dates_by_sex: Default::default(),
            opts: None,
            stats,
            file,
            names: BTreeSet::new(),
            collect: false,
            hits: RecordHits::default(),
            rows: RowBuf::default(),
            cur: Current::default(),
        }
    }

    /// An analyzer that also matches `--reference`, counts children on the scan date and
    /// (with `--records`) formats a row per record with a finding (see [`Analyzer::into_parts`]).
    pub fn with_options(
        p: &'a Patterns,
        opts: &'a RecordOptions,
        stats: &'a mut Stats,
        file: FileStats,
    ) -> Self {
        let mut a = Analyzer::new(p, stats, file);
        a.opts = Some(opts);
        a.collect = opts.rows.is_some();
        a
    }

    /// What the chunk leaves behind once its records are read: its ledger counts, its
    /// `--records` rows, and the field names its records gave.
    pub fn into_parts(self) -> (FileStats, RowBuf, BTreeSet<Vec<u8>>) {
        (self.file, self.rows, self.names)
    }

    /// Starts a record: what the one before showed is forgotten.
    fn start(&mut self) {
        self.nik_dates.clear();
        self.birth_dates.clear();
        self.text_dates.clear();
        // The by-sex sets are filled only by a record with a NIP, or with NIKs of both
        // sexes: the others, nearly all, spare the clearing.
        let prev = self.cur;
        if prev.nip {
            self.nip_dates_by_sex.iter_mut().for_each(DateSet::clear);
        }
        if prev.nik_female && prev.nik_male {
            self.nik_dates_by_sex.iter_mut().for_each(DateSet::clear);
        }
        if self.collect {
            self.hits.clear();
        }
        self.cur = Current::default();
    }

    /// One field of the current record. A blank value finds nothing, so a record of blanks
    /// leaves no count behind when [`Analyzer::close`] drops it.
    ///
    /// Inlined: most fields are codes and flags shorter than any candidate, with a role that
    /// needs nothing of its own; those are only checked for blanks, without a call.
    #[inline]
    fn add_field(&mut self, v: &[u8], role: Role, named: bool) {
        if v.len() < short_below(role) {
            self.mark_nonblank(v);
            return;
        }
        self.field_slow(v, role, named);
    }

    /// For a column's plan ([`RecordSink::column`]): whether `v` holds anything; the record
    /// is not blank once a value is more than blanks.
    #[inline(always)]
    fn nonempty(&mut self, v: &[u8]) -> bool {
        if v.is_empty() {
            return false;
        }
        self.mark_nonblank(v);
        true
    }

    #[inline]
    fn mark_nonblank(&mut self, v: &[u8]) {
        if !self.cur.nonblank {
            self.cur.nonblank = !v.trim_ascii().is_empty();
        }
    }

    /// Everything [`Analyzer::field`] does not settle inline: one jump on the field's role
    /// to the work that role's values need (its plan), each a function of its own, so
    /// that the whole-value form it expects is counted with its kind known (the dispatch
    /// of [`Analyzer::count_one`] folds away) and a column of names or codes pays for the
    /// search alone.
    #[inline(never)]
    fn field_slow(&mut self, v: &[u8], role: Role, named: bool) {
        if v.is_empty() {
            return;
        }
        self.mark_nonblank(v);
        match role {
            Role::Nik => self.nik_field(v),
            Role::Kk => self.kk_field(v),
            Role::BpjsCard => self.card_field(v),
            Role::Phone => self.phone_field(v),
            Role::Npwp | Role::Nip => self.official_field(v, role),
            Role::BirthDate if named => self.birth_date_field(v),
            Role::Sex => self.sex_field(v),
            Role::Sensitive(rule) => self.sensitive_field(v, rule),
            _ => self.other_field(v, role),
        }
    }

    /// A sex field: what it says, then the search. Not inlined into
    /// [`Analyzer::field_slow`], so that the dispatch there saves no registers and ends
    /// in a jump.
    #[inline(never)]
    fn sex_field(&mut self, v: &[u8]) {
        // Noted without a branch: which of the two a record holds is as random as the
        // people are, and a branch on it mispredicted half the time.
        let sex = self.sexes.sex_of(v, self.p);
        self.cur.sex_female |= sex == Some(true);
        self.cur.sex_male |= sex == Some(false);
        // Most sex values (`L`, `P`, `pria`) are shorter than any candidate, and a longer
        // one (`Perempuan`) holds none.
        if v.len() >= detect::SHORTEST && !(sex.is_some() && self.p.sex_words_plain) {
            self.other_field(v, Role::Sex);
        }
    }

    /// A field that may reveal sensitive data: its category, then the search.
    #[inline(never)]
    fn sensitive_field(&mut self, v: &[u8], rule: u16) {
        if let Some(c) = sensitive::field_category(&self.p.sensitive, rule, v) {
            self.cur.sens |= 1 << c;
        }
        self.other_field(v, Role::Sensitive(rule));
    }

    /// A NIK field: sixteen digits, the written forms, a damaged number, or the search.
    #[inline(never)]
    fn nik_field(&mut self, v: &[u8]) {
        // Not `column_plan`: sixteen digits alone are one of the NIK field's written forms,
        // read alike by them with one test fewer (half a NIK column's values are sixteen
        // digits alone, the test on it mispredicted as often as not).
        let whole = self.detector.whole_nik(v);
        if let Some(found) = &whole {
            return self.count_one(found, v);
        }
        self.search(v, Role::Nik);
    }

    /// A KK field: sixteen digits, or the search. A plan of its own, so that a KK is
    /// counted with its kind known, where [`Analyzer::other_field`] counts any kind.
    #[inline(never)]
    fn kk_field(&mut self, v: &[u8]) {
        self.column_plan(v, Role::Kk, |_, _| None);
    }

    /// A card field: sixteen digits (a NIK), a card's 10 to 13 digits, or the search.
    #[inline(never)]
    fn card_field(&mut self, v: &[u8]) {
        self.column_plan(v, Role::BpjsCard, Detector::whole_card);
    }

    /// A phone field: sixteen digits (a NIK), one phone whole, or the search.
    #[inline(never)]
    fn phone_field(&mut self, v: &[u8]) {
        self.column_plan(v, Role::Phone, Detector::whole_phone_field);
    }

    /// The plan of a column whose role has a whole-value form: sixteen digits alone, then
    /// `whole` (the role's form), then the search. Inlined into each caller, so that the
    /// form's kind is known where it is counted.
    #[inline(always)]
    fn column_plan(
        &mut self,
        v: &[u8],
        role: Role,
        whole: impl Fn(&Detector<'a>, &[u8]) -> Option<Found>,
    ) {
        if let Some(found) = detect::sixteen_whole(v, role) {
            return self.count_one(&found, v);
        }
        // Read where the form wrote it: moved out of the `Option`, its copy read 16 bytes
        // at a time what had been written field by field, and waited for those stores
        // (perf: 15% of `phone_field`'s time).
        let whole = whole(&self.detector, v);
        if let Some(found) = &whole {
            return self.count_one(found, v);
        }
        self.search(v, role);
    }

    /// An NPWP or NIP field: the number whole, sixteen digits, or the search.
    #[inline(never)]
    fn official_field(&mut self, v: &[u8], role: Role) {
        if let Some(o) = official::whole_value(v, role) {
            return self.count_one(&o.into(), v);
        }
        self.other_field(v, role);
    }

    /// A named birth-date field: its readings are noted; a plain date holds nothing else.
    #[inline(never)]
    fn birth_date_field(&mut self, v: &[u8]) {
        let r = dates::parse_field(v, self.p);
        for k in r.keys {
            if k != 0 {
                self.birth_dates.insert(k);
            }
        }
        if !r.plain {
            self.other_field(v, Role::BirthDate);
        }
    }

    /// Any other field: sixteen digits alone, or the search. The counting is out of line:
    /// most of these values (names, addresses, notes) hold no candidate, and inlined it made
    /// every call save and restore the registers only the counting needs.
    #[inline(never)]
    fn other_field(&mut self, v: &[u8], role: Role) {
        if let Some(found) = detect::sixteen_whole(v, role) {
            return self.count_found_one(&found, v);
        }
        self.search(v, role);
    }

    /// [`Analyzer::count_one`] out of line, for [`Analyzer::other_field`].
    #[inline(never)]
    fn count_found_one(&mut self, found: &Found, v: &[u8]) {
        self.count_one(found, v);
    }

    /// The candidate search of a value that is none of its role's whole-value forms.
    #[inline(always)]
    fn search(&mut self, v: &[u8], role: Role) {
        self.found.clear();
        if !self.detector.search_unless_long(v, role, &mut self.found) {
            self.long_value(v, role);
            return;
        }
        if !self.found.is_empty() {
            self.count_found(v);
        }
    }

    /// A value too long to hold all its candidates at once (a line of hundreds of MB, one
    /// huge JSON string or CSV field), and none of the whole-value forms: its candidates are
    /// read piece by piece (see [`Detector::piece`]), so memory stays bounded by the piece,
    /// not by the number of candidates in the value (linear time on any record).
    #[cold]
    #[inline(never)]
    fn long_value(&mut self, v: &[u8], role: Role) {
        let mut own = 0;
        while own < v.len() {
            let piece = self.detector.piece(v, own);
            let seg = &v[piece.start..piece.end];
            self.detector
                .detect_piece(seg, own - piece.start, role, &mut self.found);
            self.count_found(seg);
            own = piece.end;
        }
        self.found.clear();
    }

    /// Validates and counts the candidates [`Detector`] left in `self.found`, found in `v`.
    #[inline(never)]
    fn count_found(&mut self, v: &[u8]) {
        // A lone address (an e-mail column's value) is counted with its kind known, without
        // the loop or the dispatch on kinds.
        if let [Found::Email { span, at }] = self.found[..] {
            return self.count_one(&Found::Email { span, at }, v);
        }
        // Taken out for the loop, so that each candidate can be counted through `self`.
        let found = std::mem::take(&mut self.found);
        for f in &found {
            self.count_one(f, v);
        }
        self.found = found;
    }

    /// Validates and counts one candidate, found in `v`. Inlined into its two callers, so
    /// that where the kind is known ([`Detector::whole`]'s forms) the dispatch folds away.
    #[inline(always)]
    fn count_one(&mut self, found: &Found, v: &[u8]) {
        let Some(kind) = found.kind() else {
            self.stats.nik_damaged += 1;
            return;
        };
        self.cur.any_candidate = true;
        self.stats.kinds[kind.index()].candidates += 1;
        let ok = self.judge(found, v);
        if self.collect {
            push_hit(&mut self.hits, found, kind, v, ok.is_ok());
        }
        let ks = &mut self.stats.kinds[kind.index()];
        match ok {
            Ok(()) => {
                ks.valid += 1;
                self.file.valid[kind.index()] += 1;
            }
            Err(r) => ks.invalid[r.slot()] += 1,
        }
    }

    /// Validates one candidate and, when valid, notes what it tells (its distinct value,
    /// its record's flags and dates, the per-kind tallies); the first rule failed if not.
    #[inline(always)]
    fn judge(&mut self, found: &Found, v: &[u8]) -> Result<(), InvalidReason> {
        let stats = &mut *self.stats;
        match *found {
            Found::NikOrKk { kind, digits, .. } => self.nik_or_kk(kind, &digits),
            Found::Card {
                number, restored, ..
            } => {
                stats.card_restored += u64::from(restored);
                let n = valid(validate::bpjs_card_number(number))?;
                stats.kinds[Kind::BpjsCard.index()].unique.insert(n);
                self.cur.valid_card = true;
                Ok(())
            }
            Found::Phone {
                ref national,
                len,
                restored,
                ..
            } => {
                stats.phone_restored += u64::from(restored);
                let m = valid(validate::phone_national(national, len, self.p))?;
                stats.kinds[Kind::Phone.index()].unique.insert(m.value);
                bump(&mut stats.operators, m.operator);
                Ok(())
            }
            Found::Email { span, at } => {
                let addr = &v[span.0..span.1];
                let email = validate::email_split(addr, at - span.0, self.p, &mut self.domains);
                let class = valid(email)?;
                stats.kinds[Kind::Email.index()]
                    .unique
                    .insert(hash_lower(addr));
                bump(&mut stats.domain_classes, class);
                Ok(())
            }
            Found::Npwp { digits, .. } => {
                let n = valid(validate::npwp(&digits, self.p))?;
                stats.kinds[Kind::Npwp.index()].unique.insert(n);
                Ok(())
            }
            Found::Nip { digits, .. } => {
                let n = valid(validate::nip(&digits, self.opts.and_then(|o| o.today)))?;
                stats.kinds[Kind::Nip.index()].unique.insert(n.value);
                self.cur.nip = true;
                self.nip_dates_by_sex[usize::from(n.female)].insert(n.born.key());
                Ok(())
            }
            Found::Damaged => unreachable!("damaged values have no kind"),
        }
    }

    /// [`Analyzer::judge`] for 16 digits read as a NIK or a KK.
    #[inline(always)]
    fn nik_or_kk(&mut self, kind: Kind, digits: &[u8; 16]) -> Result<(), InvalidReason> {
        let stats = &mut *self.stats;
        if kind != Kind::Nik {
            let d = valid(validate::kk(digits, self.p))?;
            stats.kinds[kind.index()].unique.insert(d.value);
            return Ok(());
        }
        let d = valid(validate::nik(digits, self.p))?;
        stats.kinds[kind.index()].unique.insert(d.value);
        // Without a branch: a NIK's sex is as random as its holder's.
        stats.nik_female += u64::from(d.female);
        stats.nik_male += u64::from(!d.female);
        stats.provinces[(d.district / 10_000) as usize] += 1;
        note_nik_sex(&self.cur, &self.nik_dates, &mut self.nik_dates_by_sex, &d);
        note_nik(&mut self.cur, &mut self.nik_dates, self.opts, &d, stats);
        Ok(())
    }

    /// Closes the current record. `fields` are needed only when the format does not name
    /// them (`named` false): then a date anywhere in the record can confirm a NIK.
    fn close(&mut self, fields: &[Field], named: bool) {
        let (stats, file) = (&mut *self.stats, &mut self.file);
        if !self.cur.nonblank {
            return;
        }
        stats.records.total += 1;
        file.records += 1;
        let c = self.cur;
        let mut sens = c.sens;
        // The tallies below are added without branches: which of them a record adds to is
        // as random as its people and its damage, and each branch mispredicted as often
        // (perf: a third of `close`'s samples sat after them).
        stats.records.with_candidates += u64::from(c.any_candidate);
        if !c.nik {
            self.finish(sens, false);
            return;
        }
        stats.records.with_valid_nik += 1;

        self.nik_dates.seal();
        let by_birth_date = if named {
            self.birth_dates.seal();
            let agree = self.birth_dates.meets(&self.nik_dates);
            let read = !self.birth_dates.is_empty();
            stats.birth_date_agree += u64::from(read & agree);
            stats.birth_date_disagree += u64::from(read & !agree);
            agree
        } else {
            self.text_dates.seal();
            let (p, niks) = (self.p, &self.nik_dates);
            self.text_dates.meets(niks)
                || fields
                    .iter()
                    .any(|f| dates::any_in_text(&f.value, p, |d| niks.contains(d.key())))
        };
        let sex_read = c.sex_female | c.sex_male;
        let sex_agree = (c.sex_female & c.nik_female) | (c.sex_male & c.nik_male);
        stats.sex_agree += u64::from(sex_read & sex_agree);
        stats.sex_disagree += u64::from(sex_read & !sex_agree);
        stats.records.by_birth_date += u64::from(by_birth_date);
        stats.records.by_bpjs_card += u64::from(c.valid_card);
        let by_nip = c.nip && {
            let niks = niks_by_sex(&c, &mut self.nik_dates, &mut self.nik_dates_by_sex);
            nip_agrees(&c, &mut self.nip_dates_by_sex, niks)
        };
        stats.records.by_nip += u64::from(by_nip);
        // SPEC §6 rule 3: a valid NIK of the record is in the `--reference` set.
        stats.records.by_reference += u64::from(c.by_reference);
        stats.records.reference_matched += u64::from(c.by_reference);
        sens |= u8::from(c.child) << sensitive::CHILDREN;
        let confirmed = by_birth_date | c.valid_card | c.by_reference | by_nip;
        stats.records.confirmed += u64::from(confirmed);
        file.confirmed += u64::from(confirmed);
        self.finish(sens, confirmed);
    }

    /// The end of every record: sensitive categories, and the `--records` row.
    fn finish(&mut self, sens: u8, confirmed: bool) {
        if sens != 0 {
            for (c, n) in self.stats.sensitive.iter_mut().enumerate() {
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
            let opts = self.opts.expect("collect needs the options");
            self.rows.push(
                self.file.records,
                tier,
                &self.hits,
                opts.key.as_ref(),
                opts.reveal,
            );
        }
    }
}

impl RecordSink for Analyzer<'_> {
    #[inline]
    fn begin(&mut self) {
        self.start();
    }

    #[inline]
    fn field(&mut self, role: Role, value: &[u8], named: bool) {
        self.add_field(value, role, named);
    }

    /// Their dates are noted now: a date anywhere in a record without field names can
    /// confirm its NIK, and these fields will not be there when it closes.
    fn unheld(&mut self, fields: &[Field]) {
        for f in fields {
            let dates = &mut self.text_dates;
            dates::any_in_text(&f.value, self.p, |d| {
                dates.insert(d.key());
                false
            });
        }
    }

    #[inline]
    fn end(&mut self, held: &[Field], named: bool) {
        self.close(held, named);
    }

    /// Each role's work in a function of its own, called straight from the reader: the
    /// plan [`Analyzer::field_slow`] would choose for every value of the column.
    fn column(&self, role: Role) -> Column<Self> {
        // The value's role is the column's; a plan that needs it (NPWP or NIP, a name or an
        // address) is given it.
        macro_rules! plan {
            ($work:ident) => {
                |a, v, _| {
                    if a.nonempty(v) {
                        a.$work(v)
                    }
                }
            };
            ($work:ident, role) => {
                |a, v, role| {
                    if a.nonempty(v) {
                        a.$work(v, role)
                    }
                }
            };
        }
        let take: fn(&mut Self, &[u8], Role) = match role {
            Role::Nik => plan!(nik_field),
            Role::Kk => plan!(kk_field),
            Role::BpjsCard => plan!(card_field),
            Role::Phone => plan!(phone_field),
            Role::Npwp | Role::Nip => plan!(official_field, role),
            Role::BirthDate => plan!(birth_date_field),
            Role::Sex => plan!(sex_field),
            Role::Other | Role::Email => plan!(other_field, role),
            Role::Sensitive(_) | Role::Unnamed => |a, v, role| a.field_slow(v, role, true),
        };
        Column {
            short: short_below(role),
            role,
            take,
        }
    }

    #[inline]
    fn short_field(&mut self, value: &[u8]) {
        self.mark_nonblank(value);
    }

    fn name(&mut self, written: &[u8]) {
        if !self.names.contains(written) {
            self.names.insert(written.to_vec());
        }
    }
}

/// [`Patterns::sex_of`] for the few values a sex column holds (`L`, `P`, `Pria`, `Male`,
/// `Laki-laki`, `Perempuan` in two or three casings: a few dozen), remembered by their
/// bytes in a small direct-mapped table: the word lookup lower-cases and hashes the value,
/// several times the cost of one multiply and one compare.
#[derive(Default)]
struct SexMemo {
    /// Up to 16 bytes as written, their length (0: a free slot) and the reading; made at
    /// the first sex value, so that a file without one (a small file) does not pay for it.
    seen: Option<Box<[SexSlot; SEX_SLOTS]>>,
}

/// A value of up to 16 bytes (zero-padded), its length, its reading.
type SexSlot = (u128, usize, Option<bool>);

const SEX_SLOTS: usize = 64;

impl SexMemo {
    #[inline]
    fn sex_of(&mut self, v: &[u8], p: &Patterns) -> Option<bool> {
        if v.is_empty() || v.len() > 16 {
            return p.sex_of(v);
        }
        let key = load_le(v);
        let mix =
            (key as u64 ^ (key >> 64) as u64 ^ v.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let seen = self
            .seen
            .get_or_insert_with(|| Box::new([(0, 0, None); SEX_SLOTS]));
        let slot = &mut seen[(mix >> 58) as usize];
        if slot.0 == key && slot.1 == v.len() {
            return slot.2;
        }
        let sex = p.sex_of(v);
        *slot = (key, v.len(), sex);
        sex
    }
}

/// The length under which a value of `role` holds nothing the analyzer counts, only whether
/// its record is blank: shorter than any candidate, in a field whose role needs nothing of
/// its own (a NIK, card, date, sex or sensitive field reads even a short value).
#[inline(always)]
fn short_below(role: Role) -> usize {
    let own = matches!(
        role,
        Role::Nik | Role::BpjsCard | Role::BirthDate | Role::Sex | Role::Sensitive(_)
    );
    if own {
        0
    } else {
        detect::SHORTEST
    }
}

/// What a valid NIK tells its record: its sex and date for corroboration (SPEC §6), whether
/// it is in `--reference` (then it joins the matched people), whether its holder is a child
/// on the scan date. Noted as found, so the record keeps no list of its NIKs.
#[inline(always)]
fn note_nik(
    cur: &mut Current,
    dates: &mut DateSet,
    opts: Option<&RecordOptions>,
    d: &Decoded,
    stats: &mut Stats,
) {
    cur.nik = true;
    cur.nik_female |= d.female;
    cur.nik_male |= !d.female;
    dates.insert(d.date.key());
    let Some(opts) = opts else { return };
    if let Some(r) = &opts.reference {
        if r.contains_nik(d.value, opts.key.as_ref()) {
            stats.reference_people.insert(d.value);
            cur.by_reference = true;
        }
    }
    if !cur.child {
        if let Some(today) = opts.today {
            cur.child = today.age(d.date) < 18;
        }
    }
}

/// A valid NIK's date by its sex, for SPEC §6 rule 4 — once the record holds NIKs of both
/// sexes: until then every date of `all` is of the one sex its NIKs have, and the by-sex sets
/// would cost every record a copy of its NIKs' dates. Called before [`note_nik`] marks `d`.
#[inline(always)]
fn note_nik_sex(cur: &Current, all: &DateSet, by_sex: &mut [DateSet; 2], d: &Decoded) {
    let other_sex = if d.female {
        cur.nik_male
    } else {
        cur.nik_female
    };
    if !other_sex {
        return;
    }
    if !(cur.nik_female && cur.nik_male) {
        // The first NIK of the other sex: every date so far is of the first one.
        by_sex[usize::from(!d.female)].extend(all);
    }
    by_sex[usize::from(d.female)].insert(d.date.key());
}

/// The record's NIK dates by sex (men's, women's) for [`nip_agrees`]: `all` for the one sex
/// its NIKs have, unless they have both (see [`note_nik_sex`]).
fn niks_by_sex<'s>(
    c: &Current,
    all: &'s mut DateSet,
    by_sex: &'s mut [DateSet; 2],
) -> [&'s mut DateSet; 2] {
    let [men, women] = by_sex;
    match (c.nik_male, c.nik_female) {
        (true, true) => [men, women],
        (false, _) => [men, all],
        (true, false) => [all, women],
    }
}

/// SPEC §6 rule 4: a valid NIP of the record has the birth date (day, month, the year's last
/// two digits) and the sex of one of its valid NIKs. `niks` are the NIKs' dates by sex,
/// [`note_nik_sex`]'s or, in a record whose NIKs are of one sex, all of them.
fn nip_agrees(c: &Current, nips: &mut [DateSet; 2], niks: [&mut DateSet; 2]) -> bool {
    nips.iter_mut()
        .zip(niks)
        .enumerate()
        .any(|(sex, (nip, nik))| {
            let has = if sex == 1 { c.nik_female } else { c.nik_male };
            has && {
                nip.seal();
                nik.seal();
                nip.meets(nik)
            }
        })
}

/// Keeps one finding's normalized value for `--records`.
fn push_hit(hits: &mut RecordHits, found: &Found, kind: Kind, v: &[u8], valid: bool) {
    match found {
        Found::NikOrKk { digits, .. } => hits.push(kind, valid, &[digits]),
        Found::Card { number, .. } => hits.push(kind, valid, &[&Found::card_digits(*number)]),
        Found::Phone { .. } => hits.push(kind, valid, &[b"+62", found.national().unwrap_or(b"")]),
        Found::Email { span, .. } => hits.push(kind, valid, &[&v[span.0..span.1]]),
        Found::Npwp { digits, .. } => hits.push(kind, valid, &[digits]),
        Found::Nip { digits, .. } => hits.push(kind, valid, &[digits]),
        Found::Damaged => {}
    }
}

/// A verdict as a `Result`, for `?`.
#[inline(always)]
fn valid<T>(v: Verdict<T>) -> Result<T, InvalidReason> {
    match v {
        Verdict::Valid(t) => Ok(t),
        Verdict::Invalid(r) => Err(r),
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
    use crate::rules::InvalidReason;
    use crate::summary::State;
    use crate::testing::pats;

    fn analyze(records: &[(&[(Role, &str)], bool)]) -> Stats {
        let mut stats = Stats::default();
        let file = FileStats::new(State::Scanned, "test", 0);
        let mut a = Analyzer::new(pats(), &mut stats, file);
        for (fields, named) in records {
            let fields: Vec<Field> = fields
                .iter()
                .map(|(r, v)| Field::borrowed(*r, v.as_bytes()))
                .collect();
            a.record(&fields, *named);
        }
        drop(a);
        stats
    }

    #[test]
    fn a_csv_read_by_column_plans_counts_what_field_by_field_counts() {
        // Every role, with short, blank, padded and empty values, and a field past the
        // header: the CSV reader's plans (`RecordSink::column`) against `RecordSink::field`.
        let header = [
            Role::Nik,
            Role::Kk,
            Role::BpjsCard,
            Role::Phone,
            Role::Npwp,
            Role::Nip,
            Role::BirthDate,
            Role::Sex,
            Role::Email,
            Role::Other,
            Role::Sensitive(0),
        ];
        let rows = [
            "3171015708900001,3171010101200002,0001234567890,081234567890,01.234.567.8-901.000,\
             199001172015031002,1990-08-17,P,a@b.co,NIK 3171015708900001,Diabetes,x",
            "',  ,12,08,1,1,,L,ab,HP 0812-3456-7890,,\"a,b\"",
            " , , , , , , , , , , ",
            ",,,,,,,,,,",
            "'3171015708900001,3171010101200002, 1234567890 ,6281234567890,,,17-08-1990,\
             pria,x@mail.co.id,alamat,hamil",
        ];
        let columns = crate::formats::csv::Columns {
            roles: header.to_vec(),
            names: header.iter().map(|r| format!("{r:?}")).collect(),
        };
        let text = rows.join("\n") + "\n";
        let mut planned = Stats::default();
        let file = || FileStats::new(State::Scanned, "test", 0);
        let mut a = Analyzer::new(pats(), &mut planned, file());
        crate::formats::csv::read(text.as_bytes(), b',', &columns, true, &mut a);
        drop(a);
        let mut fields = Stats::default();
        let mut a = Analyzer::new(pats(), &mut fields, file());
        for row in &rows {
            let mut cells = Vec::new();
            crate::formats::csv::parse_csv_record(row.as_bytes(), 0, b',', |col, v| {
                let role = header.get(col).copied().unwrap_or(Role::Other);
                cells.push(Field { role, value: v });
            });
            a.record(&cells, true);
        }
        drop(a);
        assert_eq!(
            planned.records.total, 3,
            "the two blank rows are no records"
        );
        assert_eq!(format!("{planned:?}"), format!("{fields:?}"));
    }

    /// About `len` bytes of one line dense with identifiers: NIKs of many birth dates (some
    /// after `KK`, written in groups, with dashes or dots), phones in their written forms,
    /// cards after `BPJS`, e-mails, dotted NPWPs, NIPs, and dates that match no NIK, so that
    /// every date of the line is read before the record is closed.
    pub(crate) fn dense_line(len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len + 200);
        let mut i = 0usize;
        while v.len() < len {
            let (day, month, yy) = (1 + i % 28, 1 + i / 28 % 12, i / 336 % 100);
            let serial = 1 + i % 9999;
            let nik = format!("3171{:02}{:02}{:02}{:02}{serial:04}", 1, day, month, yy);
            let line = match i % 4 {
                0 => format!("NIK {nik} hp 0812{:08} {} ", i % 100_000_000, npwp(i)),
                1 => format!("KK {nik} BPJS {:013} +62 812-3456-{:04} ", i, i % 10_000),
                2 => format!(
                    "{} {} {}-{}, email u{i}@mail{}.co.id 19{:02}{:02}{:02}20{:02}{:02}{}{:03} ",
                    &nik[..4],
                    &nik[4..8],
                    &nik[8..12],
                    &nik[12..],
                    i % 50,
                    60 + i % 30,
                    month,
                    day,
                    10 + i % 10,
                    month,
                    1 + i % 2,
                    1 + i % 999,
                ),
                _ => format!(
                    "lahir 30-04-19{:02} 3171.0141.{i} hp 0812 3456 7890 ",
                    i % 100
                ),
            };
            v.extend_from_slice(line.as_bytes());
            i += 1;
        }
        v
    }

    /// A dotted NPWP made from `i`, its check digit right.
    fn npwp(i: usize) -> String {
        let head = format!("{:08}", i % 100_000_000);
        let d = (0..10)
            .find(|d| crate::rules::checksum::luhn(format!("{head}{d}").as_bytes()))
            .expect("one digit makes the check hold");
        let h = head.as_bytes();
        let s = |r: std::ops::Range<usize>| std::str::from_utf8(&h[r]).expect("digits");
        format!(
            "{}.{}.{}.{d}-{:03}.000",
            s(0..2),
            s(2..5),
            s(5..8),
            i % 1000
        )
    }

    /// CPU time of this thread, which other processes on the machine do not inflate.
    fn thread_cpu() -> std::time::Duration {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec into the pointer it is given.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
        std::time::Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
    }

    #[test]
    fn rule4_a_dense_records_cost_grows_linearly() {
        // The best of five runs of one record: a line of 1 MB, then of 8 MB. Linear cost
        // makes the second about 8 times the first; a pass over the record's earlier
        // candidates (or dates) for each one made it about 64 times. Five, not
        // three: beside the other unit tests, one slow 8 MB run in three broke the bound once.
        let cost = |len: usize| {
            let line = dense_line(len);
            let mut best = std::time::Duration::MAX;
            let mut stats = Stats::default();
            for _ in 0..5 {
                stats = Stats::default();
                let file = FileStats::new(State::Scanned, "test", 0);
                let mut a = Analyzer::new(pats(), &mut stats, file);
                let t = thread_cpu();
                a.record(&[Field::borrowed(Role::Unnamed, &line)], false);
                best = best.min(thread_cpu() - t);
            }
            (best, stats)
        };
        let (t1, s1) = cost(1 << 20);
        let (t8, s8) = cost(8 << 20);
        eprintln!("1 MB: {t1:?}, 8 MB: {t8:?}");
        // The same record, only longer: eight times the identifiers.
        for k in Kind::ALL {
            let (c1, c8) = (s1.kinds[k.index()].valid, s8.kinds[k.index()].valid);
            assert!(
                c1 > 3_000 && (7..=8).contains(&(c8 / c1)),
                "{k:?}: {c1} {c8}"
            );
        }
        assert_eq!(
            (s1.records.with_valid_nik, s8.records.with_valid_nik),
            (1, 1)
        );
        assert_eq!(s8.records.confirmed, 1, "by the cards");
        assert_eq!(s8.records.by_birth_date, 0, "no date matches a NIK");
        // The bound sits between linear (8×) and quadratic (64×) near their geometric mean:
        // 12× still failed now and then beside the other tests on a loaded 2-core machine.
        assert!(t8 < t1 * 22, "1 MB {t1:?}, 8 MB {t8:?}");
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
    fn remembered_sex_readings_are_the_patterns_readings() {
        let p = pats();
        let mut memo = SexMemo::default();
        let words = "L P pria Wanita M F perempuan LAKI-LAKI Laki-laki x 1 2 Male FEMALE";
        let mut values: Vec<String> = words.split(' ').map(String::from).collect();
        values.push(" l ".into());
        values.push("laki-laki yang sangat panjang".into());
        // More values than slots: readings are evicted and read back.
        values.extend((0..100).map(|i| format!("w{i}")));
        for round in 0..3 {
            for v in values.iter().cycle().skip(round * 7).take(values.len() * 2) {
                let want = p.sex_of(v.as_bytes());
                assert_eq!(memo.sex_of(v.as_bytes(), p), want, "{v:?}");
            }
        }
        assert!(values.iter().any(|v| p.sex_of(v.as_bytes()) == Some(true)));
        assert!(values.iter().any(|v| p.sex_of(v.as_bytes()) == Some(false)));
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
    fn confirmed_by_a_nip_of_the_niks_birth_date_and_sex() {
        // The NIK: a woman born 1 January (19)90, day 41.
        let s = analyze(&[
            (
                &[
                    (Role::Nik, "3171014101900001"),
                    (Role::Nip, "199001012015032001"),
                ],
                true,
            ),
            // The NIP of a man, of another day, an invalid one, one without a NIK.
            (
                &[
                    (Role::Nik, "3171014101900002"),
                    (Role::Nip, "199001012015031001"),
                ],
                true,
            ),
            (
                &[
                    (Role::Nik, "3171014101900003"),
                    (Role::Nip, "199001022015032001"),
                ],
                true,
            ),
            (
                &[
                    (Role::Nik, "3171014101900004"),
                    (Role::Nip, "199001012015032000"),
                ],
                true,
            ),
            (&[(Role::Nip, "199001012015032001")], true),
            // In text, spaced, a man of 1 January (20)90 by the last two digits of the year.
            (
                &[(
                    Role::Unnamed,
                    "NIK 3171010101900005 NIP 20900101 210503 1 001",
                )],
                false,
            ),
        ]);
        assert_eq!(s.records.by_nip, 2);
        assert_eq!(s.records.confirmed, 2);
        assert_eq!(s.records.by_birth_date, 0);
        // NIKs of both sexes in one record: a NIP must match one of its own sex. A woman of
        // 1 January 90, a man of 2 January 90, in either order, the NIP before or after them.
        let (woman, man) = ("3171014101900001", "3171010201900002");
        let nips = [
            ("199001012015031001", false), // a man of the woman's date
            ("199001022015031001", true),  // the man's
            ("199001012015032001", true),  // the woman's
        ];
        for (nip, agrees) in nips {
            for fields in [
                [(Role::Nik, woman), (Role::Nik, man), (Role::Nip, nip)],
                [(Role::Nik, man), (Role::Nip, nip), (Role::Nik, woman)],
                [(Role::Nip, nip), (Role::Nik, woman), (Role::Nik, man)],
            ] {
                let s = analyze(&[(&fields, true)]);
                assert_eq!(s.records.by_nip, u64::from(agrees), "{fields:?}");
            }
        }
        let nip = &s.kinds[Kind::Nip.index()];
        assert_eq!((nip.candidates, nip.valid, nip.unique.len()), (6, 5, 4));
        assert_eq!(nip.invalid[InvalidReason::NipSerial.slot()], 1);
    }

    #[test]
    fn npwps_counted_by_value_and_reason() {
        let s = analyze(&[(
            &[
                (Role::Npwp, "01.234.567.4-123.000"),
                (Role::Npwp, "0012345674123000"),
                (Role::Npwp, "012345678123000"),
                (Role::Npwp, "3171010101900000"),
                (Role::Other, "lama 07.914.088.5-199.000"),
            ],
            true,
        )]);
        let npwp = &s.kinds[Kind::Npwp.index()];
        assert_eq!((npwp.candidates, npwp.valid, npwp.unique.len()), (5, 3, 2));
        assert_eq!(npwp.invalid[InvalidReason::CheckDigit.slot()], 1);
        assert_eq!(npwp.invalid[InvalidReason::Serial.slot()], 1);
        // An NPWP that is a NIK counts as an NPWP only.
        assert_eq!(s.kinds[Kind::Nik.index()].candidates, 0);
        assert_eq!(s.records.with_candidates, 1);
    }

    #[test]
    fn a_nip_appointed_after_the_scan_date_is_invalid() {
        let opts = RecordOptions {
            today: crate::calendar::Date::new(2026, 12, 6),
            ..RecordOptions::default()
        };
        let mut stats = Stats::default();
        let file = FileStats::new(State::Scanned, "test", 0);
        let mut a = Analyzer::with_options(pats(), &opts, &mut stats, file);
        for v in ["198503122026121002", "198503122027011002"] {
            a.record(&[Field::borrowed(Role::Nip, v.as_bytes())], true);
        }
        drop(a);
        let nip = &stats.kinds[Kind::Nip.index()];
        assert_eq!(
            (nip.valid, nip.invalid[InvalidReason::Appointment.slot()]),
            (1, 1)
        );
    }

    #[test]
    fn restored_phones_are_counted_and_merged() {
        let s = analyze(&[(
            &[
                (Role::Phone, "81234567890"),
                (Role::Phone, "081234567890"),
                (Role::Other, "81234567890"),
            ],
            true,
        )]);
        assert_eq!(s.phone_restored, 1);
        let ph = &s.kinds[Kind::Phone.index()];
        assert_eq!((ph.candidates, ph.valid, ph.unique.len()), (2, 2, 1));
        let mut both = s.clone();
        both += s;
        assert_eq!(both.phone_restored, 2);
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
