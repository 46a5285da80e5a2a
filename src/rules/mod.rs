//! The rule data of `patterns/`: identifier patterns, field-name synonyms, region codes and
//! source profiles. Built-ins are embedded so the binary is self-contained; `--patterns DIR`
//! swaps in a directory with the same layout.

pub mod sensitive;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use regex::Regex;
use serde::Deserialize;

const BUILTIN_IDENTIFIERS: &str = include_str!("../../patterns/identifiers.toml");
const BUILTIN_FIELDS: &str = include_str!("../../patterns/fields.toml");
const BUILTIN_REGIONS: &str = include_str!("../../patterns/regions.csv");
const BUILTIN_SENSITIVE: &str = include_str!("../../patterns/sensitive.toml");
const BUILTIN_POPULATION: &str = include_str!("../../patterns/population.csv");
const BUILTIN_SOURCES: &[(&str, &str)] = &[
    (
        "bpjs_kesehatan.toml",
        include_str!("../../patterns/sources/bpjs_kesehatan.toml"),
    ),
    (
        "bpjs_ketenagakerjaan.toml",
        include_str!("../../patterns/sources/bpjs_ketenagakerjaan.toml"),
    ),
    (
        "dukcapil.toml",
        include_str!("../../patterns/sources/dukcapil.toml"),
    ),
    ("kpu.toml", include_str!("../../patterns/sources/kpu.toml")),
    (
        "ehac.toml",
        include_str!("../../patterns/sources/ehac.toml"),
    ),
    (
        "sim_registration.toml",
        include_str!("../../patterns/sources/sim_registration.toml"),
    ),
    (
        "ecommerce.toml",
        include_str!("../../patterns/sources/ecommerce.toml"),
    ),
];

/// A validation rule from a pattern file, compiled to a full DFA: it runs on every candidate,
/// where the general regex engine's per-call set-up cost more than the match itself.
pub struct Rule {
    pub pattern: String,
    dfa: regex_automata::dfa::dense::DFA<Vec<u32>>,
    /// Candidates are always matched from their own start: the start state is fixed.
    start: regex_automata::util::primitives::StateID,
    /// For a rule whose verdict on a digit string hangs only on its first three digits and
    /// its length (the mobile rule): which lengths match, by prefix (see [`DigitTable`]).
    digits: Option<DigitTable>,
}

/// Bit `n` of `accepts[p]`: a string of `n` digits (asked for 8 to 15, the lengths of a
/// national number) that starts with the three digits of `p` matches the rule.
///
/// Every step of a DFA walk waits for the load of the step before: a national number's ten
/// or so steps made the mobile rule nearly 2% of a scan. When every state reached after
/// three digits moves alike on all ten digits, the rest of the walk only counts them, and
/// one load answers.
struct DigitTable {
    accepts: Vec<u16>,
}

const DIGIT_TABLE_MAX: usize = 15;

impl Rule {
    pub fn new(pattern: &str) -> Result<Rule> {
        use regex_automata::{dfa::dense, nfa::thompson, util::syntax};
        let dfa = dense::Builder::new()
            .syntax(syntax::Config::new().unicode(false).utf8(false))
            .thompson(thompson::Config::new().utf8(false))
            .build(pattern)
            .with_context(|| format!("regex {pattern:?}"))?;
        use regex_automata::{dfa::Automaton, util::start, Anchored};
        let start = dfa
            .start_state(&start::Config::new().anchored(Anchored::Yes))
            .with_context(|| format!("regex {pattern:?}: no anchored start state"))?;
        let mut rule = Rule {
            pattern: pattern.to_string(),
            dfa,
            start,
            digits: None,
        };
        rule.digits = rule.digit_table();
        Ok(rule)
    }

    /// The [`DigitTable`] of this rule, if every state three or more digits in moves alike
    /// on every digit (checked up to [`DIGIT_TABLE_MAX`] digits).
    fn digit_table(&self) -> Option<DigitTable> {
        use regex_automata::dfa::Automaton;
        let after3: Vec<Option<RuleState>> = (0..1000u32)
            .map(|p| {
                let d = [p / 100, p / 10 % 10, p % 10].map(|x| b'0' + x as u8);
                self.walk(self.start(), &d)
            })
            .collect();
        let mut level: Vec<_> = after3.iter().flatten().map(|s| s.0).collect();
        for _ in 3..DIGIT_TABLE_MAX {
            let mut next = Vec::new();
            level.sort_unstable();
            level.dedup();
            for &s in &level {
                let n = self.dfa.next_state(s, b'0');
                if (b'1'..=b'9').any(|b| self.dfa.next_state(s, b) != n) {
                    return None;
                }
                if !self.dfa.is_dead_state(n) {
                    next.push(n);
                }
            }
            level = next;
        }
        let accepts = after3
            .iter()
            .map(|&state| {
                // Any digit will do after the prefix: one walk, asked at every length.
                let mut bits = 0u16;
                let mut state = state;
                for n in 3..=DIGIT_TABLE_MAX {
                    let Some(s) = state else { break };
                    bits |= u16::from(self.accepts(s)) << n;
                    state = self.walk(s, b"0");
                }
                bits
            })
            .collect();
        Some(DigitTable { accepts })
    }

    /// Whether the whole of `s` matches (the rules anchor both ends with `^` and `$`): a walk
    /// through the DFA's transitions, without a search's per-call set-up.
    pub fn is_match(&self, s: &[u8]) -> bool {
        if let Some(t) = &self.digits {
            if (8..=DIGIT_TABLE_MAX).contains(&s.len()) && all_digits_8_to_16(s) {
                return t.accepts[prefix3(s)] >> s.len() & 1 == 1;
            }
        }
        self.walk(self.start(), s)
            .is_some_and(|state| self.accepts(state))
    }

    /// The state before any input.
    pub fn start(&self) -> RuleState {
        RuleState(self.start)
    }

    /// The state after reading `s` from `state`; `None` once no input can match any more.
    /// A caller that has read a common prefix once can go on from its state.
    pub fn walk(&self, state: RuleState, s: &[u8]) -> Option<RuleState> {
        use regex_automata::dfa::Automaton;
        let mut state = state.0;
        for &b in s {
            state = self.dfa.next_state(state, b);
            if self.dfa.is_dead_state(state) {
                return None;
            }
        }
        Some(RuleState(state))
    }

    /// Whether the input read to reach `state` matches.
    pub fn accepts(&self, state: RuleState) -> bool {
        use regex_automata::dfa::Automaton;
        self.dfa.is_match_state(self.dfa.next_eoi_state(state.0))
    }
}

/// Where a [`Rule`] stands after some input (see [`Rule::walk`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleState(regex_automata::util::primitives::StateID);

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Rule({:?})", self.pattern)
    }
}

/// What a named field holds, from its name alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Nik,
    Kk,
    BpjsCard,
    BirthDate,
    Sex,
    Phone,
    Email,
    /// A named field with no special meaning.
    Other,
    /// A named field that may reveal sensitive data: the index of its rule in
    /// `Patterns::sensitive`. Detection treats it like `Other`.
    Sensitive(u16),
    /// The record has no field names (plain text, headerless rows).
    Unnamed,
}

/// An identifier kind, in the order SPEC §5 decides overlapping spans.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Nik,
    Kk,
    BpjsCard,
    Phone,
    Email,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Nik,
        Kind::Kk,
        Kind::BpjsCard,
        Kind::Phone,
        Kind::Email,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Nik => "nik",
            Kind::Kk => "kk",
            Kind::BpjsCard => "bpjs_card",
            Kind::Phone => "phone",
            Kind::Email => "email",
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// One example from a pattern file: a line of text, or a value in a named field.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Line(String),
    Field { field: String, value: String },
}

#[derive(Debug, Deserialize)]
struct IdentifierFile {
    pattern: Vec<RawPattern>,
}

#[derive(Debug, Deserialize)]
struct RawPattern {
    kind: String,
    name: String,
    shape: String,
    about: String,
    #[serde(default)]
    nik_keywords: Vec<String>,
    #[serde(default)]
    kk_keywords: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
    keyword_window: Option<usize>,
    mobile: Option<String>,
    #[serde(default)]
    operators: toml::Table,
    local: Option<String>,
    label: Option<String>,
    tld: Option<String>,
    #[serde(default)]
    domain_classes: toml::Table,
    #[serde(default)]
    examples: Vec<Example>,
    #[serde(default)]
    negative_examples: Vec<Example>,
}

/// The description of one identifier kind, as listed by `triage patterns`.
#[derive(Clone, Debug)]
pub struct PatternInfo {
    pub kind: Kind,
    pub name: String,
    pub shape: String,
    pub about: String,
    pub examples: Vec<Example>,
    pub negative_examples: Vec<Example>,
}

#[derive(Debug, Deserialize)]
struct FieldsFile {
    roles: HashMap<String, Vec<String>>,
    sex_values: SexValues,
    months: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
struct SexValues {
    male: Vec<String>,
    female: Vec<String>,
}

/// A source profile for attribution.
#[derive(Clone, Debug, Deserialize)]
pub struct SourceProfile {
    pub source: String,
    pub name: String,
    #[serde(default)]
    pub why: String,
    /// Where the `why` comes from.
    #[serde(default)]
    pub references: Vec<String>,
    /// Field names (normalized) with their weights.
    pub fields: Vec<WeightedField>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct WeightedField {
    pub names: Vec<String>,
    pub weight: f64,
    /// A valid identifier kind whose presence also counts as this evidence (at half weight).
    #[serde(default)]
    pub kind: Option<String>,
    /// The shape most sampled values of the field must have (a regex). With `names` empty,
    /// any column whose sampled values mostly have it is evidence.
    #[serde(default)]
    pub shape: Option<String>,
    /// What values of that shape are, for the evidence (`values like <label>`).
    #[serde(default)]
    pub label: Option<String>,
    #[serde(skip)]
    pub shape_rule: Option<Regex>,
}

/// Region codes of the union table: membership is a bit lookup on the hot path.
pub struct Regions {
    provinces: Vec<bool>,
    regencies: Vec<bool>,
    districts: Vec<u64>,
    /// The table's text, for names: see [`Regions::name`].
    text: String,
    /// Province, regency and district names (codes of 2, 4, 6 digits), each level read from
    /// `text` when first asked for.
    named: [std::sync::OnceLock<HashMap<String, RegionName>>; 3],
}

#[derive(Clone, Debug)]
pub struct RegionName {
    pub name: String,
    pub editions: String,
}

fn region_name(row: &csv::StringRecord) -> RegionName {
    RegionName {
        name: row.get(2).unwrap_or("").to_string(),
        editions: row.get(5).unwrap_or("").replace(';', ", "),
    }
}

/// Some(()) for a well-formed region code: 2, 4 or 6 digits.
fn name_key(code: &str) -> Option<()> {
    (matches!(code.len(), 2 | 4 | 6) && code.bytes().all(|b| b.is_ascii_digit())).then_some(())
}

impl Regions {
    pub fn parse(csv_text: &str) -> Result<Regions> {
        let mut r = Regions {
            provinces: vec![false; 100],
            regencies: vec![false; 10_000],
            districts: vec![0; 1_000_000 / 64 + 1],
            text: csv_text.to_string(),
            named: Default::default(),
        };
        for (i, line) in csv_text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let code = line.split(',').next().unwrap_or("").trim_matches('"');
            let num: u32 = code
                .parse()
                .with_context(|| format!("regions.csv line {}: bad code {code:?}", i + 1))?;
            match code.len() {
                2 => r.provinces[num as usize] = true,
                4 => r.regencies[num as usize] = true,
                6 => r.districts[num as usize / 64] |= 1 << (num % 64),
                _ => bail!(
                    "regions.csv line {}: code {code:?} is not 2, 4 or 6 digits",
                    i + 1
                ),
            }
        }
        if r.provinces.iter().all(|p| !p) {
            bail!("regions.csv holds no province");
        }
        Ok(r)
    }

    pub fn has_province(&self, pp: u32) -> bool {
        self.provinces.get(pp as usize).copied().unwrap_or(false)
    }
    pub fn has_regency(&self, pprr: u32) -> bool {
        self.regencies.get(pprr as usize).copied().unwrap_or(false)
    }
    pub fn has_district(&self, pprrdd: u32) -> bool {
        let i = pprrdd as usize;
        self.districts
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    /// Every district code (`PPRRDD`) of the table, ascending.
    pub fn district_codes(&self) -> Vec<u32> {
        (0..1_000_000u32)
            .filter(|&c| self.has_district(c))
            .collect()
    }

    /// Name of a province (2 digits), regency (4) or district (6 digits). Each level's names
    /// are read when first asked for, on their own: a scan's report names a few hundred
    /// regencies and should not pay for the 7,000 district rows (that was 40 M instructions
    /// at the end of every scan), nor start-up for any of them.
    pub fn name(&self, code: &str) -> Option<&RegionName> {
        name_key(code)?;
        self.named[code.len() / 2 - 1]
            .get_or_init(|| self.names_of_width(code.len()))
            .get(code)
    }

    /// The names of every row whose code has `width` digits.
    fn names_of_width(&self, width: usize) -> HashMap<String, RegionName> {
        let mut rows = String::new();
        for line in self.text.lines().skip(1) {
            if line.find(',') == Some(width) {
                rows.push_str(line);
                rows.push('\n');
            }
        }
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(rows.as_bytes())
            .records()
            .flatten()
            .filter_map(|row| Some((row.get(0)?.to_string(), region_name(&row))))
            .collect()
    }
}

/// One domain-class suffix, lower-cased, as the last 16 bytes of a domain would hold it:
/// `tail[1]` is the last 8 bytes (the suffix's last byte in the top byte), `tail[0]` the 8
/// before; `mask` keeps the suffix's bytes. A class lookup is then a few word compares per
/// suffix instead of a walk over the domain's bytes.
#[derive(Clone, Debug)]
struct Suffix {
    class: usize,
    len: usize,
    tail: [u64; 2],
    mask: [u64; 2],
    text: String,
}

impl Suffix {
    fn new(class: usize, text: &str) -> Suffix {
        let text = text.to_ascii_lowercase();
        let len = text.len();
        let tail = tail16(text.as_bytes());
        let mut mask = [0u64; 2];
        let kept = len.min(16);
        for (k, m) in mask.iter_mut().enumerate() {
            // Byte i of the 16 (0 = first) belongs to the suffix when i >= 16 - kept.
            for i in 0..8 {
                if k * 8 + i >= 16 - kept {
                    *m |= 0xFF << (8 * i);
                }
            }
        }
        Suffix {
            class,
            len,
            tail,
            mask,
            text,
        }
    }

    fn ends(&self, d: &[u8], tail: &[u64; 2]) -> bool {
        let n = d.len();
        if n < self.len || (n > self.len && d[n - self.len - 1] != b'.') {
            return false;
        }
        if self.len > 16 {
            return self
                .text
                .as_bytes()
                .eq_ignore_ascii_case(&d[n - self.len..]);
        }
        (tail[0] & self.mask[0]) == self.tail[0] && (tail[1] & self.mask[1]) == self.tail[1]
    }
}

/// The last 16 bytes of `d`, lower-cased, right-aligned and zero-padded, as two words.
#[inline]
fn tail16(d: &[u8]) -> [u64; 2] {
    let n = d.len().min(16);
    // Shifted up to end at byte 15; nothing kept (an empty `d`) shifts everything out.
    let w = load_le(&d[d.len() - n..])
        .checked_shl(8 * (16 - n) as u32)
        .unwrap_or(0);
    [lower8(w as u64), lower8((w >> 64) as u64)]
}

/// 1 to 16 bytes, lower-cased and packed into one word (a length byte keeps `a` and `a\0`
/// apart); `None` when empty or longer.
fn pack_lower(v: &[u8]) -> Option<u128> {
    if v.is_empty() || v.len() > 15 {
        return None;
    }
    let w = load_le(v) | (v.len() as u128) << 120;
    // The length byte (1 to 15) is not a letter: lower-casing leaves it alone.
    Some(u128::from(lower8(w as u64)) | u128::from(lower8((w >> 64) as u64)) << 64)
}

/// Up to 16 bytes as a little-endian word, zero above them. Two overlapping loads put the
/// shared bytes in the same places, so OR-ing them is exact; copying into a stack buffer
/// instead stalled the wide load that read it back (a third of `sex_of`'s time).
#[inline]
pub(crate) fn load_le(v: &[u8]) -> u128 {
    let n = v.len();
    let u = |x: &[u8]| u128::from(u64::from_le_bytes(x.try_into().expect("8 bytes")));
    let h = |x: &[u8]| u128::from(u32::from_le_bytes(x.try_into().expect("4 bytes")));
    match n {
        8..=16 => u(&v[..8]) | u(&v[n - 8..]) << (8 * (n - 8)),
        4..=7 => h(&v[..4]) | h(&v[n - 4..]) << (8 * (n - 4)),
        1..=3 => {
            u128::from(v[0])
                | u128::from(v[n / 2]) << (8 * (n / 2))
                | u128::from(v[n - 1]) << (8 * (n - 1))
        }
        0 => 0,
        _ => panic!("load_le takes at most 16 bytes"),
    }
}

/// The first three bytes of `d`, known to be digits, as a number `000`..`999`: the key of the
/// operator and digit tables.
#[inline]
fn prefix3(d: &[u8]) -> usize {
    (d[0] - b'0') as usize * 100 + (d[1] - b'0') as usize * 10 + (d[2] - b'0') as usize
}

/// Whether `t` (8 to 16 bytes) is all ASCII digits: two overlapping 8-byte words, checked a
/// word at a time (high nibble 3, low nibble at most 9), instead of a loop over the bytes.
#[inline]
pub(crate) fn all_digits_8_to_16(t: &[u8]) -> bool {
    debug_assert!((8..=16).contains(&t.len()));
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    let digits = |w: u64| {
        w & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
            && (w & 0x0F0F_0F0F_0F0F_0F0F).wrapping_add(0x0606_0606_0606_0606)
                & 0xF0F0_F0F0_F0F0_F0F0
                == 0
    };
    digits(word(&t[..8])) && digits(word(&t[t.len() - 8..]))
}

/// Eight bytes with `A`-`Z` lower-cased and every other byte (non-ASCII too) unchanged.
#[inline]
pub fn lower8(x: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low7 = x & !HIGH;
    // Per byte, below 0x80 so no carry crosses bytes: the high bit is set from `A` (0x41
    // + 0x3f) and from past `Z` (0x5b + 0x25).
    let from_a = (low7 + 0x3f3f_3f3f_3f3f_3f3f) & HIGH;
    let past_z = (low7 + 0x2525_2525_2525_2525) & HIGH;
    let upper = from_a & !past_z & !x & HIGH;
    x | upper >> 2
}

/// Packed words ([`pack_lower`]) and what each stands for, found in one probe: the table's
/// size and multiplier are chosen when the patterns load so that no two words share a slot.
/// Sex values are read once a record; a binary search's mispredicted branches cost more.
struct WordTable<T> {
    slots: Vec<(u128, T)>,
    mul: u64,
    shift: u32,
}

impl<T: Copy + Default> WordTable<T> {
    fn new(words: &[(u128, T)]) -> Result<Self> {
        for bits in 4..=16u32 {
            if 1usize << bits < words.len() * 2 {
                continue;
            }
            for seed in 0..64u64 {
                let mut t = WordTable {
                    slots: vec![(0, T::default()); 1 << bits],
                    mul: 0x9E37_79B9_7F4A_7C15u64
                        .wrapping_add(seed.wrapping_mul(0x6A09_E667_F3BC_C909))
                        | 1,
                    shift: 64 - bits,
                };
                let mut clash = false;
                for &(w, v) in words {
                    let i = t.slot(w);
                    // A packed word is never 0 (its length byte is at least 1): 0 is empty.
                    if t.slots[i].0 != 0 {
                        clash = true;
                        break;
                    }
                    t.slots[i] = (w, v);
                }
                if !clash {
                    return Ok(t);
                }
            }
        }
        anyhow::bail!("no collision-free table for {} words", words.len())
    }

    #[inline]
    fn slot(&self, w: u128) -> usize {
        let x = (w as u64) ^ ((w >> 64) as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        (x.wrapping_mul(self.mul) >> self.shift) as usize
    }

    #[inline]
    fn get(&self, w: u128) -> Option<T> {
        let (k, v) = self.slots[self.slot(w)];
        (k == w).then_some(v)
    }
}

/// Everything detection and validation read from `patterns/`, compiled.
pub struct Patterns {
    pub infos: Vec<PatternInfo>,
    pub regions: Regions,
    /// Normalized field name → role.
    pub roles: HashMap<String, Role>,
    /// The sex values of `fields.toml`, packed lower-case words (see `pack_lower`) → female.
    /// Read through [`Patterns::sex_of`].
    sex_words: WordTable<bool>,
    /// Month names, packed the same way → month. Read through [`Patterns::month_of`].
    month_words: WordTable<u8>,
    pub nik_keywords: Vec<String>,
    pub kk_keywords: Vec<String>,
    pub kk_window: usize,
    pub card_keywords: Vec<String>,
    pub card_window: usize,
    pub mobile: Rule,
    /// Operator index (into `operator_names`) by three-digit prefix `000`..`999`.
    pub operators: Vec<u8>,
    /// Operator names in file order, then `other`.
    pub operator_names: Vec<String>,
    /// `local@(label.)+tld` as one automaton: one pass per address on the hot path.
    pub email_full: Rule,
    /// (class, suffixes) in order.
    pub domain_classes: Vec<(String, Vec<String>)>,
    /// Every class suffix, in class order: the first that ends a domain gives its class.
    domain_suffixes: Vec<Suffix>,
    pub sources: Vec<SourceProfile>,
    /// Field rules for sensitive data (`sensitive.toml`), indexed by `Role::Sensitive`.
    pub sensitive: Vec<crate::rules::sensitive::SensitiveField>,
    /// Population by region (`population.csv`), for the impact's shares.
    pub population: crate::summary::impact::Population,
}

impl Patterns {
    /// The patterns embedded in the binary.
    pub fn builtin() -> Result<Patterns> {
        let sources = BUILTIN_SOURCES
            .iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect();
        Patterns::from_texts(
            BUILTIN_IDENTIFIERS,
            BUILTIN_FIELDS,
            BUILTIN_REGIONS,
            sources,
            BUILTIN_SENSITIVE,
            BUILTIN_POPULATION,
        )
        .context("built-in patterns")
    }

    /// The patterns of a directory laid out like `patterns/`.
    pub fn from_dir(dir: &Path) -> Result<Patterns> {
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .with_context(|| format!("reading {}", dir.join(name).display()))
        };
        let mut sources = Vec::new();
        let sdir = dir.join("sources");
        if sdir.is_dir() {
            let mut names: Vec<_> = fs::read_dir(&sdir)
                .with_context(|| format!("reading {}", sdir.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            names.sort();
            for p in names {
                let text =
                    fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
                sources.push((p.display().to_string(), text));
            }
        }
        // Files added after the first layout: a directory without them uses the built-ins.
        let optional = |name: &str, builtin: &str| -> Result<String> {
            if dir.join(name).exists() {
                read(name)
            } else {
                Ok(builtin.to_string())
            }
        };
        Patterns::from_texts(
            &read("identifiers.toml")?,
            &read("fields.toml")?,
            &read("regions.csv")?,
            sources,
            &optional("sensitive.toml", BUILTIN_SENSITIVE)?,
            &optional("population.csv", BUILTIN_POPULATION)?,
        )
        .with_context(|| format!("patterns in {}", dir.display()))
    }

    fn from_texts(
        identifiers: &str,
        fields: &str,
        regions: &str,
        sources: Vec<(String, String)>,
        sensitive: &str,
        population: &str,
    ) -> Result<Patterns> {
        let idf: IdentifierFile = toml::from_str(identifiers).context("identifiers.toml")?;
        let ff: FieldsFile = toml::from_str(fields).context("fields.toml")?;
        let regions = Regions::parse(regions).context("regions.csv")?;

        let mut roles = HashMap::new();
        for (role, names) in &ff.roles {
            let role = match role.as_str() {
                "nik" => Role::Nik,
                "kk" => Role::Kk,
                "bpjs_card" => Role::BpjsCard,
                "birth_date" => Role::BirthDate,
                "sex" => Role::Sex,
                "phone" => Role::Phone,
                "email" => Role::Email,
                other => bail!("fields.toml: unknown role {other:?}"),
            };
            for n in names {
                if let Some(prev) = roles.insert(normalize_field_name(n.as_bytes()), role) {
                    if prev != role {
                        bail!("fields.toml: {n:?} is a synonym of two roles");
                    }
                }
            }
        }
        let mut month_words = Vec::new();
        for (num, names) in &ff.months {
            let m: u8 = num
                .parse()
                .ok()
                .filter(|m| (1..=12).contains(m))
                .with_context(|| format!("fields.toml: month {num:?}"))?;
            for n in names {
                let k = pack_lower(n.as_bytes()).with_context(|| {
                    format!("fields.toml: month name {n:?} is not 1 to 15 bytes")
                })?;
                month_words.push((k, m));
            }
        }
        month_words.sort_unstable();
        month_words.dedup_by_key(|e| e.0);

        let mut infos = Vec::new();
        let mut p = PartialPatterns::default();
        for raw in idf.pattern {
            let kind = Kind::from_name(&raw.kind)
                .with_context(|| format!("identifiers.toml: unknown kind {:?}", raw.kind))?;
            // Only checked here (the baseline tools and `patterns` show it): parsing is enough,
            // and compiling five regexes at every start was a tenth of the start-up.
            regex_automata::util::syntax::parse(&raw.shape)
                .with_context(|| format!("identifiers.toml: {} shape", raw.kind))?;
            p.take(kind, &raw)?;
            infos.push(PatternInfo {
                kind,
                name: raw.name,
                shape: raw.shape,
                about: raw.about,
                examples: raw.examples,
                negative_examples: raw.negative_examples,
            });
        }
        for k in Kind::ALL {
            if !infos.iter().any(|i| i.kind == k) {
                bail!("identifiers.toml: no pattern for kind {}", k.name());
            }
        }

        let mut profiles = Vec::new();
        for (name, text) in sources {
            let mut prof: SourceProfile = toml::from_str(&text).with_context(|| name.clone())?;
            for f in &mut prof.fields {
                if let Some(shape) = &f.shape {
                    f.shape_rule = Some(
                        Regex::new(shape).with_context(|| format!("{name}: shape {shape:?}"))?,
                    );
                } else if f.names.is_empty() {
                    bail!("{name}: a field with no names needs a shape");
                }
                for n in &mut f.names {
                    *n = normalize_field_name(n.as_bytes());
                }
            }
            profiles.push(prof);
        }

        let sensitive = crate::rules::sensitive::parse(sensitive)?;
        for (i, rule) in sensitive.iter().enumerate() {
            let i = u16::try_from(i).context("sensitive.toml: too many rules")?;
            for n in &rule.names {
                // An identifier synonym keeps its role; the first sensitive rule wins.
                roles
                    .entry(normalize_field_name(n.as_bytes()))
                    .or_insert(Role::Sensitive(i));
            }
        }
        let population = crate::summary::impact::Population::new(population.to_string());
        population.check()?;

        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_lowercase()).collect();
        let mut sex_words = Vec::new();
        for (list, female) in [(&ff.sex_values.male, false), (&ff.sex_values.female, true)] {
            for w in list {
                let k = pack_lower(w.as_bytes()).with_context(|| {
                    format!("fields.toml: sex value {w:?} is not 1 to 15 bytes")
                })?;
                sex_words.push((k, female));
            }
        }
        // A word in both lists reads as female, as it always has.
        sex_words.sort_unstable_by_key(|&(k, female)| (k, !female));
        sex_words.dedup_by_key(|e| e.0);
        let pats = Patterns {
            infos,
            regions,
            roles,
            sex_words: WordTable::new(&sex_words)?,
            month_words: WordTable::new(&month_words)?,
            nik_keywords: lower(p.nik_keywords),
            kk_keywords: lower(p.kk_keywords),
            kk_window: p.kk_window.unwrap_or(32),
            card_keywords: lower(p.card_keywords),
            card_window: p.card_window.unwrap_or(32),
            mobile: p.mobile.context("identifiers.toml: phone needs `mobile`")?,
            operators: {
                let other = p.operator_names.len() as u8 - 1;
                let mut table = vec![other; 1000];
                for (prefix, idx) in &p.operators {
                    table[prefix.parse::<usize>().expect("checked digits")] = *idx as u8;
                }
                table
            },
            operator_names: p.operator_names,
            email_full: {
                // The parts are only ever matched together: one automaton, compiled once.
                let part = |r: &Option<String>, what: &str| -> Result<String> {
                    let r = r
                        .as_deref()
                        .with_context(|| format!("identifiers.toml: email needs `{what}`"))?;
                    let s = r.strip_prefix('^').unwrap_or(r);
                    Ok(s.strip_suffix('$').unwrap_or(s).to_string())
                };
                Rule::new(&format!(
                    "^(?:{})@(?:(?:{})\\.)+(?:{})$",
                    part(&p.local, "local")?,
                    part(&p.label, "label")?,
                    part(&p.tld, "tld")?
                ))?
            },
            domain_suffixes: p
                .domain_classes
                .iter()
                .enumerate()
                .flat_map(|(i, (_, suffixes))| suffixes.iter().map(move |s| Suffix::new(i, s)))
                .collect(),
            domain_classes: p.domain_classes,
            sources: profiles,
            sensitive,
            population,
        };
        Ok(pats)
    }

    /// A sex field's value (any case, blanks around it ignored): `Some(true)` for female.
    pub fn sex_of(&self, v: &[u8]) -> Option<bool> {
        self.sex_words.get(pack_lower(v.trim_ascii())?)
    }

    /// The month a name (any case) stands for.
    pub fn month_of(&self, name: &[u8]) -> Option<u8> {
        self.month_words.get(pack_lower(name)?)
    }

    /// The role of a field name (`None` names no field at all).
    pub fn role_of(&self, name: &[u8]) -> Role {
        self.roles
            .get(&normalize_field_name(name))
            .copied()
            .unwrap_or(Role::Other)
    }

    /// The operator of a national number, as an index into `operator_names`.
    pub fn operator_index(&self, b: &[u8]) -> usize {
        if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) {
            return self.operator_names.len() - 1;
        }
        self.operators[prefix3(b)] as usize
    }

    pub fn operator(&self, national: &str) -> &str {
        &self.operator_names[self.operator_index(national.as_bytes())]
    }

    /// The class of a domain (any case), as an index into `domain_class_names()`: the first
    /// class (in file order) with a suffix the domain equals or ends with after a dot.
    pub fn domain_class_index(&self, d: &[u8]) -> usize {
        let tail = tail16(d);
        self.domain_suffixes
            .iter()
            .find(|s| s.ends(d, &tail))
            .map_or(self.domain_classes.len(), |s| s.class)
    }

    pub fn domain_class_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .domain_classes
            .iter()
            .map(|(c, _)| c.as_str())
            .collect();
        v.push("other");
        v
    }

    pub fn domain_class(&self, domain: &str) -> &str {
        self.domain_class_names()[self.domain_class_index(domain.as_bytes())]
    }
}

#[derive(Default)]
struct PartialPatterns {
    nik_keywords: Vec<String>,
    kk_keywords: Vec<String>,
    kk_window: Option<usize>,
    card_keywords: Vec<String>,
    card_window: Option<usize>,
    mobile: Option<Rule>,
    operators: Vec<(String, usize)>,
    operator_names: Vec<String>,
    local: Option<String>,
    label: Option<String>,
    tld: Option<String>,
    domain_classes: Vec<(String, Vec<String>)>,
}

impl PartialPatterns {
    fn take(&mut self, kind: Kind, raw: &RawPattern) -> Result<()> {
        let re = |s: &Option<String>, what: &str| -> Result<Option<Rule>> {
            s.as_deref()
                .map(|s| Rule::new(s).with_context(|| format!("{} {what}", kind.name())))
                .transpose()
        };
        let strings = |v: &toml::Value, what: &str| -> Result<Vec<String>> {
            v.as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|x| x.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .with_context(|| format!("{} {what}: expected a list of strings", kind.name()))
        };
        match kind {
            Kind::Nik => {
                self.nik_keywords = raw.nik_keywords.clone();
                self.kk_keywords = raw.kk_keywords.clone();
                self.kk_window = raw.keyword_window;
            }
            Kind::BpjsCard => {
                self.card_keywords = raw.keywords.clone();
                self.card_window = raw.keyword_window;
            }
            Kind::Phone => {
                self.mobile = re(&raw.mobile, "mobile")?;
                for (op, prefixes) in &raw.operators {
                    let idx = self.operator_names.len();
                    if idx >= 250 {
                        bail!("too many phone operators");
                    }
                    self.operator_names.push(op.clone());
                    for p in strings(prefixes, "operators")? {
                        if p.len() != 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                            bail!("phone operator {op}: prefix {p:?} is not three digits");
                        }
                        self.operators.push((p, idx));
                    }
                }
                self.operator_names.push("other".to_string());
                self.operators.sort();
                if let Some(w) = self.operators.windows(2).find(|w| w[0].0 == w[1].0) {
                    bail!("phone prefix {} belongs to two operators", w[0].0);
                }
            }
            Kind::Email => {
                self.local = raw.local.clone();
                self.label = raw.label.clone();
                self.tld = raw.tld.clone();
                for (class, suffixes) in &raw.domain_classes {
                    let list = strings(suffixes, "domain_classes")?
                        .into_iter()
                        .map(|s| s.to_lowercase())
                        .collect();
                    self.domain_classes.push((class.clone(), list));
                }
                // `id` is a catch-all for `.id` and must come after gov and edu.
                let order = |c: &str| match c {
                    "gov" => 0,
                    "edu" => 1,
                    "free" => 2,
                    "id" => 3,
                    _ => 4,
                };
                self.domain_classes.sort_by_key(|(c, _)| order(c));
            }
            Kind::Kk => {}
        }
        Ok(())
    }
}

/// Field names compare case-insensitively without `_`, `-`, `.` and spaces (SPEC §4).
pub fn normalize_field_name(name: &[u8]) -> String {
    let mut out = String::with_capacity(name.len());
    for &b in name {
        if !matches!(b, b'_' | b'-' | b'.' | b' ' | b'\t' | b'"' | b'\'' | b'`') {
            out.push(b.to_ascii_lowercase() as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::xorshift;

    #[test]
    fn tail16_right_aligns_and_lowers_the_last_16_bytes() {
        let src: Vec<u8> = b"Mail.Co.ID\xc3\x89Z@x-Y.GOV.id".to_vec();
        for n in 0..=src.len() {
            let d = &src[src.len() - n..];
            let k = n.min(16);
            let mut b = [0u8; 16];
            for (dst, s) in b[16 - k..].iter_mut().zip(&d[n - k..]) {
                *dst = s.to_ascii_lowercase();
            }
            let want = [
                u64::from_le_bytes(b[..8].try_into().unwrap()),
                u64::from_le_bytes(b[8..].try_into().unwrap()),
            ];
            assert_eq!(tail16(d), want, "{n}");
        }
    }

    #[test]
    fn load_le_reads_every_length_like_a_zero_padded_copy() {
        let src: Vec<u8> = (1..=16u8).map(|b| b.wrapping_mul(37) | 0x80).collect();
        for n in 0..=16 {
            let mut b = [0u8; 16];
            b[..n].copy_from_slice(&src[..n]);
            assert_eq!(load_le(&src[..n]), u128::from_le_bytes(b), "{n}");
        }
    }

    #[test]
    fn a_broken_shape_is_refused_at_load() {
        let broken = BUILTIN_IDENTIFIERS.replacen(r"shape = '\b[0-9]{16}\b'", "shape = '[0-9'", 1);
        assert_ne!(broken, BUILTIN_IDENTIFIERS, "the NIK shape moved");
        let e = Patterns::from_texts(
            &broken,
            BUILTIN_FIELDS,
            BUILTIN_REGIONS,
            Vec::new(),
            BUILTIN_SENSITIVE,
            BUILTIN_POPULATION,
        )
        .err()
        .expect("a broken shape must not load");
        assert!(format!("{e:#}").contains("nik shape"), "{e:#}");
    }

    #[test]
    fn word_tables_find_every_word_and_nothing_else() {
        let words: Vec<String> = (0..300).map(|i| format!("w{i}x")).collect();
        let mut packed: Vec<(u128, u16)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (pack_lower(w.as_bytes()).unwrap(), i as u16))
            .collect();
        packed.sort_unstable();
        let t = WordTable::new(&packed).unwrap();
        for (i, w) in words.iter().enumerate() {
            assert_eq!(
                t.get(pack_lower(w.to_uppercase().as_bytes()).unwrap()),
                Some(i as u16)
            );
        }
        for absent in ["w300x", "w1", "x", "W0Y", "laki-laki"] {
            assert_eq!(
                t.get(pack_lower(absent.as_bytes()).unwrap()),
                None,
                "{absent}"
            );
        }
        assert!(WordTable::<u8>::new(&[]).is_ok());
    }

    #[test]
    fn lower8_lowers_ascii_letters_only() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                let x = u64::from(b) << (8 * pos) | 0x4040_4040_4040_4040 & !(0xFF << (8 * pos));
                let want = u64::from(b.to_ascii_lowercase()) << (8 * pos)
                    | 0x4040_4040_4040_4040 & !(0xFF << (8 * pos));
                assert_eq!(lower8(x), want, "byte {b:#x} at {pos}");
            }
        }
    }

    #[test]
    fn builtin_patterns_load() {
        let p = Patterns::builtin().unwrap();
        assert!(p.regions.has_province(31));
        assert!(!p.regions.has_province(0));
        assert!(p.regions.has_regency(3171));
        assert!(p.regions.has_district(317101));
        // Pre-2022 Papua codes stay valid (union of editions).
        assert!(p.regions.has_district(910101));
        assert!(!p.regions.has_district(999999));
        assert_eq!(p.role_of(b"PS_NOKA"), Role::BpjsCard);
        assert_eq!(p.role_of(b"Tgl Lahir"), Role::BirthDate);
        assert_eq!(p.role_of(b"no-ktp"), Role::Nik);
        assert_eq!(p.role_of(b"NAMA"), Role::Other);
        assert_eq!(p.operator("8123456789"), "Telkomsel");
        assert_eq!(p.operator("8951234567"), "Indosat");
        assert_eq!(p.operator("8281234567"), "other");
        assert_eq!(p.domain_class("kemkes.go.id"), "gov");
        assert_eq!(p.domain_class("ui.ac.id"), "edu");
        assert_eq!(p.domain_class("bpjs-kesehatan.id"), "id");
        assert_eq!(p.domain_class("yahoo.co.id"), "free");
        assert_eq!(p.domain_class("example.com"), "other");
        assert_eq!(p.domain_class("notgo.id"), "id");
        assert_eq!(
            p.regions.name("31").unwrap().name,
            "Daerah Khusus Ibukota Jakarta"
        );
        assert!(p.regions.name("9101").unwrap().editions.contains("2016"));
        let r = &p.regions;
        assert_eq!(
            r.name("3171").unwrap().name,
            "Kota Administrasi Jakarta Pusat"
        );
        assert_eq!(r.name("317101").unwrap().name, "Gambir");
        assert_eq!(r.name("910101").unwrap().editions, "2016, 2018, 2020, 2022");
        // Each level answers only for its own codes.
        assert!(r.name("0000").is_none() && r.name("317199").is_none() && r.name("317").is_none());
    }

    #[test]
    fn digit_tables_answer_like_the_walk() {
        let p = Patterns::builtin().unwrap();
        assert!(
            p.mobile.digits.is_some(),
            "the mobile rule reads by prefix and length"
        );
        // Rules that look at a digit after the third have no table; one that only counts
        // digits has one.
        assert!(Rule::new("^8[0-9]{3}1[0-9]{4}$").unwrap().digits.is_none());
        // The last digit a table covers (the fifteenth) is still checked.
        assert!(Rule::new("^8[0-9]{13}1$").unwrap().digits.is_none());
        assert!(Rule::new("^8[0-9]{14}1$").unwrap().digits.is_some());
        assert!(Rule::new("^[0-9]*(00)$").unwrap().digits.is_none());
        let counting = Rule::new("^0[0-9]{2}([0-9]{3}){1,3}$").unwrap();
        assert!(counting.digits.is_some());
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for rule in [&p.mobile, &counting, &p.email_full] {
            let re = regex::bytes::Regex::new(&rule.pattern).unwrap();
            for prefix in 0..1000u64 {
                for len in 0..=17usize {
                    xorshift(&mut x);
                    let digits = format!("{prefix:03}{x:020}");
                    let mut s = digits.as_bytes()[..len].to_vec();
                    let walked = rule
                        .walk(rule.start(), &s)
                        .is_some_and(|st| rule.accepts(st));
                    assert_eq!(rule.is_match(&s), walked, "{} on {s:?}", rule.pattern);
                    assert_eq!(walked, re.is_match(&s), "{} on {s:?}", rule.pattern);
                    // One byte no digit: the walk decides.
                    if len > 3 {
                        s[len - 1] = b' ';
                        assert_eq!(rule.is_match(&s), re.is_match(&s), "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn rules_match_like_the_regex_crate() {
        let p = Patterns::builtin().unwrap();
        let cases: [&[u8]; 14] = [
            b"812345678",
            b"81234567",
            b"8123456789012",
            b"800123456",
            b"8412345678",
            b"",
            b"8",
            b"budi@gmail.com",
            b"a..b@x.com",
            b"a@x.c",
            b"a@-x.com",
            b"Siti_Rahma+bpjs@Kemkes.GO.ID",
            b"x@y.co",
            b"a@b@c.com",
        ];
        for rule in [&p.mobile, &p.email_full] {
            let re = regex::bytes::Regex::new(&rule.pattern).unwrap();
            for c in cases {
                assert_eq!(
                    rule.is_match(c),
                    re.is_match(c),
                    "{} on {:?}",
                    rule.pattern,
                    c
                );
            }
        }
    }

    #[test]
    fn spec_minimum_synonyms_present() {
        let p = Patterns::builtin().unwrap();
        let want = [
            (Role::Nik, &["nik", "noktp", "ktp"][..]),
            (Role::Kk, &["nokk", "nkk", "kk"]),
            (Role::BpjsCard, &["noka", "psnoka", "nokartu", "nobpjs"]),
            (
                Role::BirthDate,
                &["tgllhr", "tgllahir", "tanggallahir", "dob", "birthdate"],
            ),
            (
                Role::Sex,
                &["jenkel", "jk", "jeniskelamin", "sex", "gender"],
            ),
            (Role::Phone, &["nohp", "hp", "telp", "phone", "msisdn"]),
            (Role::Email, &["email"]),
        ];
        for (role, names) in want {
            for n in names {
                assert_eq!(p.role_of(n.as_bytes()), role, "{n}");
            }
        }
    }
}
