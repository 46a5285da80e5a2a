//! Mergeable statistics. Every worker fills its own [`Summary`]; summaries add up with `+=`
//! in any order to the same result, which is what makes the output independent of the thread
//! count.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::AddAssign;

use crate::patterns::Kind;

/// Distinct normalized values, each reduced to a `u64` (a NIK fits; e-mails are hashed).
pub type U64Set = HashSet<u64, BuildHasherDefault<MixHasher>>;

/// A fast hasher for `u64` keys that are already well spread or cheaply mixed.
#[derive(Default)]
pub struct MixHasher(u64);

impl Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        // splitmix64 finalizer
        let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

/// The invalid reasons of each kind, in the order SPEC §5 checks them.
pub fn reasons(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Nik => &["province", "regency", "district", "birth_date", "serial"],
        Kind::Kk => &["province", "regency", "district", "date", "serial"],
        Kind::BpjsCard => &["zeros"],
        Kind::Phone => &["not_mobile"],
        Kind::Email => &["syntax"],
    }
}

pub fn reason_index(kind: Kind, reason: &str) -> usize {
    reasons(kind)
        .iter()
        .position(|r| *r == reason)
        .expect("a reason the validator gives is listed in summary::reasons")
}

#[derive(Clone, Debug, Default)]
pub struct KindStats {
    pub candidates: u64,
    pub valid: u64,
    pub invalid: [u64; 5],
    pub unique: U64Set,
}

impl AddAssign for KindStats {
    fn add_assign(&mut self, o: Self) {
        self.candidates += o.candidates;
        self.valid += o.valid;
        for (a, b) in self.invalid.iter_mut().zip(o.invalid) {
            *a += b;
        }
        if self.unique.len() < o.unique.len() {
            let mine = std::mem::replace(&mut self.unique, o.unique);
            self.unique.extend(mine);
        } else {
            self.unique.extend(o.unique);
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordStats {
    pub total: u64,
    pub with_candidates: u64,
    pub with_valid_nik: u64,
    pub confirmed: u64,
    pub by_birth_date: u64,
    pub by_bpjs_card: u64,
    pub by_reference: u64,
    pub reference_matched: u64,
}

impl AddAssign for RecordStats {
    fn add_assign(&mut self, o: Self) {
        self.total += o.total;
        self.with_candidates += o.with_candidates;
        self.with_valid_nik += o.with_valid_nik;
        self.confirmed += o.confirmed;
        self.by_birth_date += o.by_birth_date;
        self.by_bpjs_card += o.by_bpjs_card;
        self.by_reference += o.by_reference;
        self.reference_matched += o.reference_matched;
    }
}

/// Counts over all identifiers and records.
#[derive(Clone, Debug)]
pub struct Stats {
    pub records: RecordStats,
    pub kinds: [KindStats; 5],
    pub nik_damaged: u64,
    pub nik_female: u64,
    pub nik_male: u64,
    pub provinces: [u64; 100],
    pub birth_date_agree: u64,
    pub birth_date_disagree: u64,
    pub sex_agree: u64,
    pub sex_disagree: u64,
    pub card_restored: u64,
    /// Valid phones per operator index (`Patterns::operator_names`).
    pub operators: Vec<u64>,
    /// Valid e-mails per class index (`Patterns::domain_class_names`).
    pub domain_classes: Vec<u64>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            records: RecordStats::default(),
            kinds: Default::default(),
            nik_damaged: 0,
            nik_female: 0,
            nik_male: 0,
            provinces: [0; 100],
            birth_date_agree: 0,
            birth_date_disagree: 0,
            sex_agree: 0,
            sex_disagree: 0,
            card_restored: 0,
            operators: Vec::new(),
            domain_classes: Vec::new(),
        }
    }
}

fn add_vec(a: &mut Vec<u64>, b: Vec<u64>) {
    if a.len() < b.len() {
        a.resize(b.len(), 0);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

impl AddAssign for Stats {
    fn add_assign(&mut self, o: Self) {
        self.records += o.records;
        for (a, b) in self.kinds.iter_mut().zip(o.kinds) {
            *a += b;
        }
        self.nik_damaged += o.nik_damaged;
        self.nik_female += o.nik_female;
        self.nik_male += o.nik_male;
        for (a, b) in self.provinces.iter_mut().zip(o.provinces) {
            *a += b;
        }
        self.birth_date_agree += o.birth_date_agree;
        self.birth_date_disagree += o.birth_date_disagree;
        self.sex_agree += o.sex_agree;
        self.sex_disagree += o.sex_disagree;
        self.card_restored += o.card_restored;
        add_vec(&mut self.operators, o.operators);
        add_vec(&mut self.domain_classes, o.domain_classes);
    }
}

/// Where an entry ended (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Scanned,
    Partial,
    Skipped,
    Failed,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Scanned => "scanned",
            State::Partial => "partial",
            State::Skipped => "skipped",
            State::Failed => "failed",
        }
    }
}

/// One ledger entry: a file (or later, an archive member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStats {
    pub format: String,
    pub state: State,
    pub reason: Option<String>,
    pub bytes: u64,
    pub records: u64,
    pub confirmed: u64,
    pub valid: [u64; 5],
}

impl FileStats {
    pub fn new(state: State, format: &str, bytes: u64) -> Self {
        FileStats {
            format: format.to_string(),
            state,
            reason: None,
            bytes,
            records: 0,
            confirmed: 0,
            valid: [0; 5],
        }
    }

    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

impl AddAssign for FileStats {
    /// Chunks of one file add up; the worse state and the first reason win.
    fn add_assign(&mut self, o: Self) {
        if o.state > self.state {
            self.state = o.state;
            self.reason = o.reason;
        }
        if self.format.is_empty() {
            self.format = o.format;
        }
        self.records += o.records;
        self.confirmed += o.confirmed;
        for (a, b) in self.valid.iter_mut().zip(o.valid) {
            *a += b;
        }
    }
}

/// Everything a scan learned, before it is rendered.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    pub stats: Stats,
    /// Ledger entries by path.
    pub files: BTreeMap<String, FileStats>,
    /// Field names seen in headers and keys: normalized name → names as written.
    pub fields: BTreeMap<String, BTreeSet<String>>,
}

impl AddAssign for Summary {
    fn add_assign(&mut self, o: Self) {
        self.stats += o.stats;
        for (path, f) in o.files {
            match self.files.get_mut(&path) {
                Some(mine) => *mine += f,
                None => {
                    self.files.insert(path, f);
                }
            }
        }
        for (k, v) in o.fields {
            self.fields.entry(k).or_default().extend(v);
        }
    }
}

impl Summary {
    pub fn count(&self, state: State) -> u64 {
        self.files.values().filter(|f| f.state == state).count() as u64
    }

    /// SPEC §2 exit code 3: some entry is partial or failed.
    pub fn incomplete(&self) -> bool {
        self.files
            .values()
            .any(|f| matches!(f.state, State::Partial | State::Failed))
    }

    pub fn bytes(&self) -> u64 {
        self.files.values().map(|f| f.bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(seed: u64) -> Summary {
        let mut s = Summary::default();
        s.stats.records.total = seed;
        s.stats.kinds[0].candidates = seed * 2;
        s.stats.kinds[0].unique.extend([seed, 7]);
        s.stats.operators = vec![seed; (seed % 3) as usize + 1];
        let mut f = FileStats::new(State::Scanned, "csv", 10);
        f.records = seed;
        if seed == 2 {
            f = f.clone();
            f.state = State::Partial;
            f.reason = Some("truncated".into());
        }
        s.files.insert("a.csv".into(), f);
        s.fields
            .entry("nik".into())
            .or_default()
            .insert(format!("NIK{seed}"));
        s
    }

    fn key(s: &Summary) -> String {
        let mut u: Vec<_> = s.stats.kinds[0].unique.iter().collect();
        u.sort();
        format!(
            "{:?} {:?} {:?} {:?} {:?}",
            s.stats.records, u, s.stats.operators, s.files, s.fields
        )
    }

    #[test]
    fn merge_order_does_not_matter() {
        let mut a = sample(1);
        a += sample(2);
        a += sample(3);
        let mut b = sample(3);
        b += sample(1);
        b += sample(2);
        assert_eq!(key(&a), key(&b));
        assert_eq!(a.stats.kinds[0].unique.len(), 4);
        assert_eq!(a.files["a.csv"].state, State::Partial);
        assert_eq!(a.files["a.csv"].records, 6);
        assert!(a.incomplete());
    }
}
