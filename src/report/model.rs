//! The typed summary of SPEC §7 that every exporter reads: [`Report`], built once from a
//! [`Summary`] by [`Report::new`]. Its `Serialize` is the JSON summary itself, so the field
//! order here is the order of the JSON text and must not change. The rows of `files` are
//! made one at a time as they are written (see [`Files`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::report::names::NameMasker;
use crate::report::{RunInfo, SCHEMA};
use crate::rules::sensitive::CATEGORIES;
use crate::rules::{InvalidReason, Kind, Patterns};
use crate::summary::attribution::attribute;
use crate::summary::impact::{Impact, RegionPeople, AGE_BANDS};
use crate::summary::verdict::{verdict, NotRead};
use crate::summary::{FileStats, State, Summary};

/// The summary of SPEC §7, every section typed. It holds no value per file: a row of `files`
/// cost 1.4 KB, held twice while it was copied into the summary, and 200,000 files took
/// 600 MB of the scan's 912 MB peak; [`Files`] makes them on demand.
#[derive(Serialize)]
pub struct Report<'a> {
    pub schema: &'static str,
    pub ledger: Ledger,
    pub records: Records,
    pub identifiers: Identifiers,
    pub attribution: Vec<Source>,
    pub verdict: VerdictSection,
    pub impact: ImpactSection,
    pub sensitive: Pairs<Sensitive>,
    pub reference: ReferenceCheck,
    pub custody: CustodySection,
    pub files: Files<'a>,
    /// Last: the HTML footer hashes the JSON text up to here (`html::summary_sha256`).
    pub run: Run,
}

/// A JSON object whose keys keep the order they were made in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Pairs<V>(pub Vec<(String, V)>);

impl<V: Serialize> Serialize for Pairs<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<V> Pairs<V> {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[derive(Serialize)]
pub struct Ledger {
    pub entries: u64,
    pub bytes: u64,
    pub scanned: u64,
    pub partial: u64,
    pub skipped: u64,
    pub failed: u64,
    /// The entries that are not `scanned`, in path order.
    pub problems: Vec<Problem>,
}

#[derive(Serialize)]
pub struct Problem {
    pub path: String,
    pub state: &'static str,
    pub reason: Option<String>,
}

#[derive(Serialize)]
pub struct Records {
    pub total: u64,
    pub with_candidates: u64,
    pub with_valid_nik: u64,
    pub confirmed: u64,
    pub confirmed_by: ConfirmedBy,
    pub reference_matched: u64,
}

#[derive(Serialize)]
pub struct ConfirmedBy {
    pub birth_date: u64,
    pub bpjs_card: u64,
    pub reference: u64,
    pub nip: u64,
}

/// One entry per identifier kind, named and ordered as [`Kind::ALL`].
#[derive(Serialize)]
pub struct Identifiers {
    pub nik: KindSection<NikFacts>,
    pub kk: KindSection<()>,
    pub bpjs_card: KindSection<CardFacts>,
    pub phone: KindSection<PhoneFacts>,
    pub email: KindSection<EmailFacts>,
    pub npwp: KindSection<()>,
    pub nip: KindSection<()>,
}

impl Identifiers {
    /// The counts every kind has.
    pub fn counts(&self, kind: Kind) -> &KindCounts {
        match kind {
            Kind::Nik => &self.nik.counts,
            Kind::Kk => &self.kk.counts,
            Kind::BpjsCard => &self.bpjs_card.counts,
            Kind::Phone => &self.phone.counts,
            Kind::Email => &self.email.counts,
            Kind::Npwp => &self.npwp.counts,
            Kind::Nip => &self.nip.counts,
        }
    }
}

/// A kind's counts, then what only that kind has.
#[derive(Serialize)]
pub struct KindSection<X> {
    #[serde(flatten)]
    pub counts: KindCounts,
    #[serde(flatten)]
    pub facts: X,
}

#[derive(Serialize)]
pub struct KindCounts {
    pub candidates: u64,
    pub valid: u64,
    pub unique: u64,
    /// Candidates by the first rule they failed, every reason of the kind listed.
    pub invalid: Pairs<u64>,
}

impl KindCounts {
    pub fn invalid_total(&self) -> u64 {
        self.invalid.iter().map(|(_, n)| n).sum()
    }
}

#[derive(Serialize)]
pub struct NikFacts {
    pub damaged: u64,
    pub valid_share: f64,
    pub female: u64,
    pub male: u64,
    /// Valid NIKs by province code, the codes present only.
    pub provinces: Pairs<u64>,
    pub birth_date_agree: u64,
    pub birth_date_disagree: u64,
    pub sex_agree: u64,
    pub sex_disagree: u64,
}

#[derive(Serialize)]
pub struct CardFacts {
    pub restored: u64,
}

#[derive(Serialize)]
pub struct PhoneFacts {
    pub restored: u64,
    pub operators: Pairs<u64>,
}

#[derive(Serialize)]
pub struct EmailFacts {
    pub domain_classes: Pairs<u64>,
}

/// One profile of `attribution`, best first.
#[derive(Serialize)]
pub struct Source {
    pub source: String,
    pub name: String,
    pub score: f64,
    pub evidence: Vec<String>,
    pub why: String,
}

/// Is it genuine (SPEC §7 `verdict`): the label and the sentences it rests on.
#[derive(Serialize)]
pub struct VerdictSection {
    pub label: &'static str,
    pub reasons: Vec<String>,
    /// The entries not read in full, for the `INCOMPLETE` line; not a field of the JSON.
    #[serde(skip)]
    pub not_read: Option<NotRead>,
}

fn verdict_section(s: &Summary, p: &Patterns) -> VerdictSection {
    let v = verdict(s, p);
    VerdictSection {
        label: v.label.name(),
        reasons: v.reasons,
        not_read: v.not_read,
    }
}

/// Distinct people by region, sex and age (SPEC §7 `impact`).
#[derive(Serialize)]
pub struct ImpactSection {
    pub as_of: Option<String>,
    pub people: u64,
    pub female: u64,
    pub male: u64,
    pub children: u64,
    pub age_bands: Pairs<Band>,
    pub provinces: Pairs<Region>,
    pub regencies: Pairs<Region>,
}

#[derive(Serialize)]
pub struct Band {
    pub female: u64,
    pub male: u64,
}

#[derive(Serialize)]
pub struct Region {
    pub name: String,
    pub people: u64,
    pub female: u64,
    pub male: u64,
    pub children: u64,
    pub population: Option<u64>,
    pub share: Option<f64>,
}

/// Records per sensitive-data category (UU 27/2022 art. 4(2)).
#[derive(Serialize)]
pub struct Sensitive {
    pub name: &'static str,
    pub law: String,
    pub records: u64,
}

#[derive(Serialize)]
pub struct ReferenceCheck {
    pub given: bool,
    pub entries: u64,
    pub records_matched: u64,
    pub people_matched: u64,
}

/// Chain of custody (SPEC §7): when the scan started, what it was given, under which case,
/// and whether it read only a sample. `--expect` ignores `started`, the one timestamp
/// outside `run`.
#[derive(Serialize)]
pub struct CustodySection {
    /// RFC 3339 in UTC, to the second.
    pub started: Option<String>,
    /// The roots as given on the command line, sorted, each once; masked like every name.
    pub roots: Vec<String>,
    pub case: Option<String>,
    /// `--sample N`: only the first N records of each entry were read (null: every record).
    pub sampled: Option<u64>,
}

/// The non-deterministic part (`--expect` ignores it).
#[derive(Serialize)]
pub struct Run {
    pub version: &'static str,
    pub threads: usize,
    pub elapsed_s: f64,
    pub bytes_per_s: f64,
}

/// The rows of `files`, made from the summary's ledger as they are read, their names masked
/// when the report's are; or from its sealed ledger, masked already.
#[derive(Clone, Copy)]
pub struct Files<'a> {
    stats: &'a BTreeMap<String, FileStats>,
    sealed: Option<&'a BTreeMap<(String, u64), FileStats>>,
    mask: Option<&'a Patterns>,
}

impl<'a> Files<'a> {
    pub fn len(&self) -> usize {
        self.sealed.map_or(self.stats.len(), BTreeMap::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry with its name: in path order, or sealed in (masked path, keyed
    /// fingerprint of the raw path) order.
    fn entries(&self) -> Box<dyn ExactSizeIterator<Item = (&'a str, &'a FileStats)> + 'a> {
        match self.sealed {
            Some(m) => Box::new(m.iter().map(|((path, _), f)| (path.as_str(), f))),
            None => Box::new(self.stats.iter().map(|(path, f)| (path.as_str(), f))),
        }
    }

    /// Every row, in the order of [`Files::entries`].
    pub fn rows(&self) -> impl ExactSizeIterator<Item = FileRow<'a>> + 'a {
        let mut masker = self.masker();
        self.entries()
            .map(move |(path, f)| row(masker.as_mut(), path, f))
    }

    /// What masks the rows' names: none when the names are shown, or sealed masked already.
    fn masker(&self) -> Option<NameMasker<'a>> {
        self.mask
            .filter(|_| self.sealed.is_none())
            .map(NameMasker::new)
    }

    /// Every row, in the order of [`Files::entries`], made in blocks of [`ROW_BLOCK`] on
    /// `threads` workers: `make` turns a block's rows (and the index of its first) into a
    /// `T`, and `put` takes the blocks' `T`s in order. A dump of small files has a row per
    /// file, and a row (its name masked above all) cost a small file as much as a sixth of
    /// its scan, on one core after the scan; a few blocks at a time are held, however many
    /// rows there are.
    pub fn in_blocks<T: Send>(
        &self,
        threads: usize,
        make: impl Fn(&mut dyn Iterator<Item = FileRow<'a>>, usize) -> T + Sync,
        mut put: impl FnMut(T) -> io::Result<()>,
    ) -> io::Result<()> {
        let pool = (threads > 1)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .ok()
            })
            .flatten();
        let mut entries = self.entries();
        let Some(pool) = pool else {
            let mut masker = self.masker();
            let mut first = 0;
            for block in std::iter::from_fn(|| next_block(&mut entries)) {
                let mut rows = block.iter().map(|&(path, f)| row(masker.as_mut(), path, f));
                put(make(&mut rows, first))?;
                first += block.len();
            }
            return Ok(());
        };
        // The workers make a group of blocks while this thread puts the group before (the
        // writer is this thread's): writing 80 MB of rows took both cores' turn otherwise.
        let make = &make;
        let mut made: Vec<T> = Vec::new();
        let mut first = 0;
        loop {
            let blocks: Vec<_> = std::iter::from_fn(|| next_block(&mut entries))
                .take(threads * 4)
                .collect();
            let mut slots: Vec<Option<T>> = blocks.iter().map(|_| None).collect();
            let mut put_before = Ok(());
            pool.in_place_scope(|s| {
                let mut at = first;
                for (block, slot) in blocks.iter().zip(&mut slots) {
                    let start = at;
                    at += block.len();
                    s.spawn(move |_| {
                        let mut masker = self.masker();
                        let mut rows = block.iter().map(|&(path, f)| row(masker.as_mut(), path, f));
                        *slot = Some(make(&mut rows, start));
                    });
                }
                put_before = made.drain(..).try_for_each(&mut put);
            });
            put_before?;
            if blocks.is_empty() {
                return Ok(());
            }
            first += blocks.iter().map(Vec::len).sum::<usize>();
            made = slots.into_iter().flatten().collect();
        }
    }
}

/// The next [`ROW_BLOCK`] entries, or `None` after the last.
fn next_block<'a>(
    entries: &mut dyn Iterator<Item = (&'a str, &'a FileStats)>,
) -> Option<Vec<(&'a str, &'a FileStats)>> {
    let block: Vec<_> = entries.take(ROW_BLOCK).collect();
    (!block.is_empty()).then_some(block)
}

/// Rows made together by one worker ([`Files::in_blocks`]).
const ROW_BLOCK: usize = 1024;

/// The row of the entry `path`, its names masked by `masker` when there is one.
fn row<'a>(mut masker: Option<&mut NameMasker>, path: &'a str, f: &'a FileStats) -> FileRow<'a> {
    // The ledger's problems say the same reason (masked alike); a scanned entry has
    // none to show.
    let reason = match (f.state, &f.reason) {
        (State::Scanned, _) | (_, None) => Cow::Borrowed(""),
        (_, Some(r)) => {
            let text = r.to_string();
            match masker.as_mut() {
                Some(m) => Cow::Owned(m.mask(&text).into_owned()),
                None => Cow::Owned(text),
            }
        }
    };
    let path = match masker {
        Some(m) => m.mask(path),
        None => Cow::Borrowed(path),
    };
    FileRow {
        path,
        format: f.format,
        state: f.state.name(),
        bytes: f.bytes,
        records: f.records,
        confirmed: f.confirmed,
        valid: ByKind(f.valid),
        sha256: f.sha256.as_deref().map(Sha256Hex::of),
        reason,
    }
}

impl Serialize for Files<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.rows())
    }
}

/// A SHA-256 in lower-case hex, on the stack: a `String` made per row (and checked to be
/// UTF-8) cost a fifth of a small file's row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sha256Hex([u8; 64]);

impl Sha256Hex {
    fn of(h: &[u8; 32]) -> Sha256Hex {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [0u8; 64];
        for (pair, b) in out.chunks_exact_mut(2).zip(h) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 15)];
        }
        Sha256Hex(out)
    }

    /// The 64 digits (nothing to escape in JSON or CSV).
    pub fn as_bytes(&self) -> &[u8; 64] {
        &self.0
    }
}

impl std::ops::Deref for Sha256Hex {
    type Target = str;
    fn deref(&self) -> &str {
        // Hex digits only, always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Serialize for Sha256Hex {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

/// One row of `files`.
#[derive(Serialize)]
pub struct FileRow<'a> {
    pub path: Cow<'a, str>,
    pub format: &'static str,
    pub state: &'static str,
    pub bytes: u64,
    pub records: u64,
    pub confirmed: u64,
    pub valid: ByKind,
    /// SHA-256 of the entry's bytes, when every one was read (a file's as on disk, an
    /// archive member's content as it came out of the archive); null otherwise.
    pub sha256: Option<Sha256Hex>,
    /// The ledger's reason for an entry that is not `scanned`; not a field of the JSON row.
    #[serde(skip)]
    pub reason: Cow<'a, str>,
}

/// A count per kind, written as an object keyed by kind name.
#[derive(Clone, Copy)]
pub struct ByKind(pub [u64; Kind::COUNT]);

impl ByKind {
    pub fn get(&self, k: Kind) -> u64 {
        self.0[k.index()]
    }
}

impl Serialize for ByKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(Kind::ALL.len()))?;
        for k in Kind::ALL {
            m.serialize_entry(k.name(), &self.get(k))?;
        }
        m.end()
    }
}

impl<'a> Report<'a> {
    /// The report of a summary; names are shown as they are until [`Report::mask_names`].
    pub fn new(s: &'a Summary, p: &Patterns, run: &RunInfo) -> Report<'a> {
        let ledger = ledger(s);
        let bytes = ledger.bytes;
        Report {
            schema: SCHEMA,
            ledger,
            records: records(s),
            identifiers: identifiers(s, p),
            attribution: attribute(s, p)
                .into_iter()
                .map(|a| Source {
                    source: a.source,
                    name: a.name,
                    score: a.score,
                    evidence: a.evidence,
                    why: a.why,
                })
                .collect(),
            verdict: verdict_section(s, p),
            impact: impact(s, p),
            sensitive: sensitive(s),
            reference: ReferenceCheck {
                given: s.reference.is_some(),
                entries: s.reference.unwrap_or(0),
                records_matched: s.stats.records.reference_matched,
                people_matched: s.settled.as_ref().map_or_else(
                    || s.stats.reference_people.len() as u64,
                    |t| t.reference_people,
                ),
            },
            custody: CustodySection {
                started: s.custody.started.and_then(crate::calendar::rfc3339),
                roots: s.custody.roots.iter().cloned().collect(),
                case: s.custody.case.clone(),
                sampled: s.sampled,
            },
            files: Files {
                stats: &s.files,
                sealed: s.sealed.as_ref(),
                mask: None,
            },
            run: run_section(bytes, run),
        }
    }

    /// Writes each name as outputs show it without `--reveal` (SPEC §7: names are outputs
    /// too): every entry's path, and every reason, which may quote a member's name. The
    /// problems are masked now, the rows of `files` as they are made. A sealed ledger's
    /// names are masked already.
    pub fn mask_names(&mut self, p: &'a Patterns) {
        if self.files.sealed.is_some() {
            return;
        }
        let mut m = NameMasker::new(p);
        let mut fix = |s: &mut String| {
            if let Cow::Owned(masked) = m.mask(s) {
                *s = masked;
            }
        };
        for pr in &mut self.ledger.problems {
            fix(&mut pr.path);
            if let Some(r) = &mut pr.reason {
                fix(r);
            }
        }
        // A root or a case label may name a person as a file can.
        let c = &mut self.custody;
        c.roots.iter_mut().chain(&mut c.case).for_each(&mut fix);
        self.files.mask = Some(p);
    }

    /// The best attribution, if any profile was scored.
    pub fn best_source(&self) -> Option<&Source> {
        self.attribution.first()
    }
}

fn ledger(s: &Summary) -> Ledger {
    let files = Files {
        stats: &s.files,
        sealed: s.sealed.as_ref(),
        mask: None,
    };
    let problems = files
        .entries()
        .filter(|(_, f)| f.state != State::Scanned)
        .map(|(path, f)| Problem {
            path: path.to_string(),
            state: f.state.name(),
            reason: f.reason.as_ref().map(|r| r.to_string()),
        })
        .collect();
    let t = s.totals();
    Ledger {
        entries: s.entry_count() as u64,
        bytes: t.bytes,
        scanned: t.scanned,
        partial: t.partial,
        skipped: t.skipped,
        failed: t.failed,
        problems,
    }
}

fn records(s: &Summary) -> Records {
    let r = &s.stats.records;
    Records {
        total: r.total,
        with_candidates: r.with_candidates,
        with_valid_nik: r.with_valid_nik,
        confirmed: r.confirmed,
        confirmed_by: ConfirmedBy {
            birth_date: r.by_birth_date,
            bpjs_card: r.by_bpjs_card,
            reference: r.by_reference,
            nip: r.by_nip,
        },
        reference_matched: r.reference_matched,
    }
}

fn identifiers(s: &Summary, p: &Patterns) -> Identifiers {
    let st = &s.stats;
    let nik = &st.kinds[Kind::Nik.index()];
    let present = |counts: &[u64], name: &dyn Fn(usize) -> String| {
        Pairs(
            counts
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(i, &n)| (name(i), n))
                .collect(),
        )
    };
    let domain_names = p.domain_class_names();
    Identifiers {
        nik: KindSection {
            counts: kind_counts(s, Kind::Nik),
            facts: NikFacts {
                damaged: st.nik_damaged,
                valid_share: ratio(nik.valid, nik.candidates),
                female: st.nik_female,
                male: st.nik_male,
                provinces: present(&st.provinces, &|code| format!("{code:02}")),
                birth_date_agree: st.birth_date_agree,
                birth_date_disagree: st.birth_date_disagree,
                sex_agree: st.sex_agree,
                sex_disagree: st.sex_disagree,
            },
        },
        kk: KindSection {
            counts: kind_counts(s, Kind::Kk),
            facts: (),
        },
        bpjs_card: KindSection {
            counts: kind_counts(s, Kind::BpjsCard),
            facts: CardFacts {
                restored: st.card_restored,
            },
        },
        phone: KindSection {
            counts: kind_counts(s, Kind::Phone),
            facts: PhoneFacts {
                restored: st.phone_restored,
                operators: present(&st.operators, &|i| p.operator_names[i].clone()),
            },
        },
        email: KindSection {
            counts: kind_counts(s, Kind::Email),
            facts: EmailFacts {
                domain_classes: present(&st.domain_classes, &|i| domain_names[i].to_string()),
            },
        },
        npwp: KindSection {
            counts: kind_counts(s, Kind::Npwp),
            facts: (),
        },
        nip: KindSection {
            counts: kind_counts(s, Kind::Nip),
            facts: (),
        },
    }
}

fn kind_counts(s: &Summary, kind: Kind) -> KindCounts {
    let ks = &s.stats.kinds[kind.index()];
    KindCounts {
        candidates: ks.candidates,
        valid: ks.valid,
        unique: s
            .settled
            .as_ref()
            .map_or_else(|| ks.unique.len() as u64, |t| t.unique[kind.index()]),
        invalid: Pairs(
            InvalidReason::of(kind)
                .iter()
                .zip(&ks.invalid)
                .map(|(r, &n)| (r.to_string(), n))
                .collect(),
        ),
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (a as f64 / b as f64 * 10_000.0).round() / 10_000.0
    }
}

/// The distinct people, from the sorted set of distinct valid NIKs: counted by
/// [`Summary::settle`] at the end of a scan, here otherwise.
fn impact(s: &Summary, p: &Patterns) -> ImpactSection {
    let set = &s.stats.kinds[Kind::Nik.index()].unique;
    let im = match (&s.impact, set.sorted()) {
        (Some(im), _) if im.as_of == s.as_of => im.clone(),
        (_, Some(v)) => Impact::from_niks(v, s.as_of),
        (_, None) => {
            let mut c = set.clone();
            c.compact();
            Impact::from_niks(c.sorted().into_iter().flatten(), s.as_of)
        }
    };
    let regions = |m: &BTreeMap<u32, RegionPeople>, width: usize| {
        Pairs(
            m.iter()
                .map(|(&code, r)| (format!("{code:0width$}"), region(p, code, width, r)))
                .collect(),
        )
    };
    ImpactSection {
        as_of: im.as_of.map(|d| d.to_string()),
        people: im.people,
        female: im.female,
        male: im.male,
        children: im.children,
        age_bands: Pairs(
            AGE_BANDS
                .iter()
                .zip(&im.age_bands)
                .map(|((label, ..), b)| {
                    let band = Band {
                        female: b[0],
                        male: b[1],
                    };
                    (label.to_string(), band)
                })
                .collect(),
        ),
        provinces: regions(&im.provinces, 2),
        regencies: regions(&im.regencies, 4),
    }
}

fn region(p: &Patterns, code: u32, width: usize, r: &RegionPeople) -> Region {
    let pop = p.population.get(code);
    let name = match pop {
        Some((n, _)) => n.to_string(),
        // A code the 2025 table no longer has (Papua before its 2022 split): a NIK keeps it.
        None => p
            .regions
            .name(&format!("{code:0width$}"))
            .map_or(String::new(), |r| {
                if r.editions.contains("2025") {
                    r.name.clone()
                } else {
                    format!("{} (code retired by 2025)", styled(&r.name))
                }
            }),
    };
    Region {
        name,
        people: r.people,
        female: r.female,
        male: r.people - r.female,
        children: r.children,
        population: pop.map(|(_, t)| t),
        share: pop.map(|(_, t)| share(r.people, t)),
    }
}

/// A region name of an old edition (`KAB. BOVEN DIGOEL`) in the style of the 2025 table's
/// (`Kabupaten Boven Digoel`), so one report does not mix the two.
fn styled(name: &str) -> String {
    if name.chars().any(|c| c.is_lowercase()) {
        return name.to_string();
    }
    let name = match name.strip_prefix("KAB. ") {
        Some(rest) => format!("KABUPATEN {rest}"),
        None => name.to_string(),
    };
    let word = |w: &str| {
        let mut c = w.chars();
        c.next().map_or(String::new(), |f| {
            f.to_uppercase()
                .chain(c.flat_map(char::to_lowercase))
                .collect()
        })
    };
    name.split(' ').map(word).collect::<Vec<_>>().join(" ")
}

/// A share of a population, to 6 significant places (people are few per region).
fn share(a: u64, b: u64) -> f64 {
    if a == 0 || b == 0 {
        0.0
    } else {
        let x = a as f64 / b as f64;
        let scale = 10f64.powi(6 - x.log10().ceil().min(0.0) as i32);
        (x * scale).round() / scale
    }
}

/// Every category listed, found or not.
fn sensitive(s: &Summary) -> Pairs<Sensitive> {
    Pairs(
        CATEGORIES
            .iter()
            .zip(&s.stats.sensitive)
            .map(|(&(id, name, article), &records)| {
                let law = format!("UU 27/2022 {article}");
                (id.to_string(), Sensitive { name, law, records })
            })
            .collect(),
    )
}

fn run_section(bytes: u64, run: &RunInfo) -> Run {
    Run {
        version: env!("CARGO_PKG_VERSION"),
        threads: run.threads,
        elapsed_s: (run.elapsed_s * 1000.0).round() / 1000.0,
        bytes_per_s: if run.elapsed_s > 0.0 {
            (bytes as f64 / run.elapsed_s).round()
        } else {
            0.0
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_blocks_are_the_rows_in_order_on_any_thread_count() {
        let p = crate::testing::pats();
        let mut s = Summary::default();
        // More blocks than a group of three workers makes at once, so that groups follow
        // one another (each written while the next is made) on every thread count.
        for i in 0..13 * ROW_BLOCK + 7 {
            let name = if i % 100 == 0 {
                format!("ktp_3171014101900{:03}.csv", i % 1000)
            } else {
                format!("d/{i:05}.txt")
            };
            s.files
                .insert(name, FileStats::new(State::Scanned, "csv", i as u64));
        }
        let run = RunInfo {
            threads: 1,
            elapsed_s: 0.0,
        };
        let mut r = Report::new(&s, p, &run);
        r.mask_names(p);
        let want: Vec<String> = r
            .files
            .rows()
            .map(|f| format!("{} {}", f.path, f.bytes))
            .collect();
        assert!(want.iter().any(|w| w.contains('*')), "names are masked");
        for threads in [1, 2, 3] {
            let mut got = Vec::new();
            let make = |rows: &mut dyn Iterator<Item = FileRow>, first: usize| {
                rows.enumerate()
                    .map(|(i, f)| (first + i, format!("{} {}", f.path, f.bytes)))
                    .collect::<Vec<_>>()
            };
            let put = |block: Vec<_>| {
                got.extend(block);
                Ok(())
            };
            r.files.in_blocks(threads, make, put).unwrap();
            let (at, rows): (Vec<usize>, Vec<String>) = got.into_iter().unzip();
            assert_eq!(at, (0..want.len()).collect::<Vec<_>>(), "{threads} threads");
            assert_eq!(rows, want, "{threads} threads");
        }
    }

    #[test]
    fn a_sha256_in_hex_is_the_fingerprints_hex() {
        let mut h = [0u8; 32];
        for (i, b) in h.iter_mut().enumerate() {
            *b = (i * 37 + 5) as u8;
        }
        h[0] = 0xff;
        let x = Sha256Hex::of(&h);
        assert_eq!(&*x, crate::summary::fingerprint::hex(&h));
        assert_eq!(serde_json::to_string(&x).unwrap(), format!("\"{}\"", &*x));
    }

    #[test]
    fn identifiers_are_named_and_ordered_as_the_kinds() {
        let p = crate::testing::pats();
        let s = Summary::default();
        let run = RunInfo {
            threads: 1,
            elapsed_s: 0.0,
        };
        let v = serde_json::to_value(Report::new(&s, p, &run).identifiers).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let kinds: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(keys, kinds);
        assert_eq!(
            v["kk"].as_object().unwrap().keys().collect::<Vec<_>>(),
            ["candidates", "valid", "unique", "invalid"]
        );
    }

    #[test]
    fn old_region_names_take_the_new_tables_style() {
        assert_eq!(styled("KAB. BOVEN DIGOEL"), "Kabupaten Boven Digoel");
        assert_eq!(styled("KOTA SORONG"), "Kota Sorong");
        assert_eq!(styled("Kabupaten Aceh Selatan"), "Kabupaten Aceh Selatan");
        let p = crate::testing::pats();
        let people = RegionPeople::default();
        assert_eq!(
            region(p, 9113, 4, &people).name,
            "Kabupaten Yahukimo (code retired by 2025)"
        );
    }
}
