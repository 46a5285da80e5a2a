//! A state's JSON header: everything of a [`Summary`] that is not a distinct set. Every
//! part goes through one pair of functions — [`counts`]/[`stats`] for the counts,
//! [`file_row`]/[`file_stats`] for a ledger entry — so a field added to [`Stats`] or
//! [`FileStats`] is added here in one line each way.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::calendar::Date;
use crate::rules::Kind;
use crate::summary::custody::Custody;
use crate::summary::fingerprint::parse_hex;
use crate::summary::verdict::reason_kind;
use crate::summary::{FileStats, KindStats, Reason, RecordStats, State, Stats, Summary};

/// The header of `triage.state/1`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    pub schema: String,
    /// HMAC of a fixed label under the key: which key made the fingerprints, not the key.
    pub key_id: String,
    pub as_of: Option<String>,
    /// Distinct usable entries of `--reference`, when given.
    pub reference: Option<u64>,
    pub counts: Counts,
    /// The sealed ledger, in its order.
    pub files: Vec<FileRow>,
    /// Field names, masked as outputs show them.
    pub fields: BTreeMap<String, BTreeSet<String>>,
    pub shapes: Vec<Shape>,
    pub sections: Vec<Section>,
    /// The chain of custody, its roots and case masked as outputs show them.
    #[serde(default)]
    pub custody: Custody,
    /// `--sample N`, when the scan read only a sample.
    #[serde(default)]
    pub sampled: Option<u64>,
}

/// Where a section is: its records start `offset` bytes into the file, `width` u64s each.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Section {
    pub name: String,
    pub width: u64,
    pub count: u64,
    pub offset: u64,
}

/// Every count of [`Stats`] (its distinct sets are sections).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Counts {
    pub records: RecordStats,
    pub kinds: Vec<KindCounts>,
    pub nik_damaged: u64,
    pub nik_female: u64,
    pub nik_male: u64,
    pub provinces: Vec<u64>,
    pub birth_date_agree: u64,
    pub birth_date_disagree: u64,
    pub sex_agree: u64,
    pub sex_disagree: u64,
    pub card_restored: u64,
    pub phone_restored: u64,
    pub operators: Vec<u64>,
    pub domain_classes: Vec<u64>,
    pub sensitive: Vec<u64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct KindCounts {
    pub candidates: u64,
    pub valid: u64,
    pub invalid: Vec<u64>,
}

/// One sealed ledger entry: its masked path, the keyed fingerprint of its raw path, and its
/// counts; the reason as outputs show it.
#[derive(Debug, Serialize, Deserialize)]
pub struct FileRow {
    pub path: String,
    /// The keyed fingerprint of the raw path, in hex (no long digit run to mistake for
    /// an identifier).
    pub id: String,
    pub format: String,
    pub state: String,
    pub reason: Option<String>,
    /// The reason's kind as the verdict counts it (`verdict::reason_kind`).
    #[serde(default)]
    pub reason_kind: Option<String>,
    pub bytes: u64,
    pub records: u64,
    pub confirmed: u64,
    pub valid: Vec<u64>,
    /// SHA-256 of the entry read whole, in hex.
    #[serde(default)]
    pub sha256: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Shape {
    pub source: String,
    pub rule: usize,
    pub checked: u64,
    pub matched: u64,
}

/// The counts of `s`.
pub fn counts(s: &Stats) -> Counts {
    Counts {
        records: s.records.clone(),
        kinds: s
            .kinds
            .iter()
            .map(|k| KindCounts {
                candidates: k.candidates,
                valid: k.valid,
                invalid: k.invalid.to_vec(),
            })
            .collect(),
        nik_damaged: s.nik_damaged,
        nik_female: s.nik_female,
        nik_male: s.nik_male,
        provinces: s.provinces.to_vec(),
        birth_date_agree: s.birth_date_agree,
        birth_date_disagree: s.birth_date_disagree,
        sex_agree: s.sex_agree,
        sex_disagree: s.sex_disagree,
        card_restored: s.card_restored,
        phone_restored: s.phone_restored,
        operators: s.operators.clone(),
        domain_classes: s.domain_classes.clone(),
        sensitive: s.sensitive.to_vec(),
    }
}

/// [`Stats`] from its counts, with empty sets.
pub fn stats(c: Counts) -> Result<Stats> {
    let mut kinds: [KindStats; Kind::COUNT] = Default::default();
    if c.kinds.len() != Kind::COUNT {
        bail!("{} identifier kinds, not {}", c.kinds.len(), Kind::COUNT);
    }
    for (k, ck) in kinds.iter_mut().zip(c.kinds) {
        k.candidates = ck.candidates;
        k.valid = ck.valid;
        k.invalid = array(ck.invalid, "invalid reasons")?;
    }
    Ok(Stats {
        records: c.records,
        kinds,
        nik_damaged: c.nik_damaged,
        nik_female: c.nik_female,
        nik_male: c.nik_male,
        provinces: array(c.provinces, "provinces")?,
        birth_date_agree: c.birth_date_agree,
        birth_date_disagree: c.birth_date_disagree,
        sex_agree: c.sex_agree,
        sex_disagree: c.sex_disagree,
        card_restored: c.card_restored,
        phone_restored: c.phone_restored,
        operators: c.operators,
        domain_classes: c.domain_classes,
        reference_people: Default::default(),
        sensitive: array(c.sensitive, "sensitive categories")?,
    })
}

fn array<const N: usize>(v: Vec<u64>, what: &str) -> Result<[u64; N]> {
    let n = v.len();
    v.try_into()
        .ok()
        .with_context(|| format!("{n} {what}, not {N}"))
}

/// The header row of a sealed ledger entry.
pub fn file_row((path, id): &(String, u64), f: &FileStats) -> FileRow {
    FileRow {
        path: path.clone(),
        id: format!("{id:016x}"),
        format: f.format.to_string(),
        state: f.state.name().to_string(),
        reason: f.reason.as_ref().map(|r| r.to_string()),
        reason_kind: f.reason.as_deref().map(reason_kind),
        bytes: f.bytes,
        records: f.records,
        confirmed: f.confirmed,
        valid: f.valid.to_vec(),
        sha256: f.sha256.as_deref().map(crate::summary::fingerprint::hex),
    }
}

/// A sealed ledger entry from its header row.
pub fn file_stats(r: FileRow) -> Result<((String, u64), FileStats)> {
    let state = [
        State::Scanned,
        State::Partial,
        State::Skipped,
        State::Failed,
    ]
    .into_iter()
    .find(|s| s.name() == r.state)
    .with_context(|| format!("no ledger state {:?}", r.state))?;
    let mut f = FileStats::new(state, &r.format, r.bytes);
    f.reason = r.reason.map(|text| {
        Box::new(Reason::Shown {
            text,
            kind: r.reason_kind.unwrap_or_default(),
        })
    });
    f.records = r.records;
    f.confirmed = r.confirmed;
    f.valid = array(r.valid, "kinds of valid counts")?;
    f.sha256 = r.sha256.as_deref().map(sha256_of).transpose()?;
    let id = u64::from_str_radix(&r.id, 16).with_context(|| format!("path id {:?}", r.id))?;
    Ok(((r.path, id), f))
}

/// The header of a summary whose ledger and field names are sealed (sections are filled in
/// by the writer).
pub fn header(
    s: &Summary,
    files: &BTreeMap<(String, u64), FileStats>,
    fields: BTreeMap<String, BTreeSet<String>>,
    key_id: String,
) -> Header {
    Header {
        schema: crate::summary::state::SCHEMA.to_string(),
        key_id,
        as_of: s.as_of.map(|d| d.to_string()),
        reference: s.reference,
        counts: counts(&s.stats),
        files: files.iter().map(|(k, f)| file_row(k, f)).collect(),
        fields,
        shapes: s
            .shapes
            .iter()
            .map(|((source, rule), &[checked, matched])| Shape {
                source: source.clone(),
                rule: *rule,
                checked,
                matched,
            })
            .collect(),
        sections: Vec::new(),
        custody: s.custody.clone(),
        sampled: s.sampled,
    }
}

/// The date of a header's `as_of`.
pub fn as_of(h: &Header) -> Result<Option<Date>> {
    h.as_of
        .as_deref()
        .map(Date::parse)
        .transpose()
        .context("as_of")
}

/// A hex SHA-256 back into its bytes.
fn sha256_of(text: &str) -> Result<Box<[u8; 32]>> {
    let bytes = parse_hex(text.as_bytes())
        .with_context(|| format!("sha256 {text:?} is not 64 hex digits"))?;
    Ok(Box::new(bytes))
}
