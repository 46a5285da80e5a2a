//! `triage merge`: the summary of several states together, as one scan over all their
//! inputs would make it. Headers are added up in memory (counts, ledger, field names); the
//! distinct sets are never held: each kind's sorted sections are read as streams, one
//! buffer per state, and merged k ways, counting distinct values and the people of the
//! impact as they pass, and writing them to the merged state when one is asked for. So
//! merges are associative: a merge of merges is the merge of all.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::rules::Kind;
use crate::summary::fingerprint::Key;
use crate::summary::impact::{Impact, ImpactCounter};
use crate::summary::state::file::{SectionReader, StateFile, StateWriter};
use crate::summary::state::header::{self, as_of, file_stats, stats, Header};
use crate::summary::state::{key_id, width, REFERENCE};
use crate::summary::{FileStats, Settled, Summary};

/// Merges the states at `paths` (checked whole first) into one summary; with `out`, also
/// writes the merged state there.
pub fn merge(paths: &[PathBuf], key: &Key, out: Option<&mut dyn Write>) -> Result<Summary> {
    if paths.is_empty() {
        bail!("no state to merge");
    }
    let mut states = paths
        .iter()
        .map(|p| StateFile::open(p, key))
        .collect::<Result<Vec<_>>>()?;
    let mut s = add_headers(&mut states)?;
    let mut writer = match out {
        Some(w) => Some(StateWriter::new(w)?),
        None => None,
    };
    let (settled, impact) = merge_sections(&states, s.as_of, writer.as_mut())?;
    s.settled = Some(settled);
    s.impact = Some(impact);
    if let Some(w) = writer {
        let files = s.sealed.as_ref().expect("a merge is sealed");
        w.finish(header::header(&s, files, s.fields.clone(), key_id(key)))?;
    }
    Ok(s)
}

/// The sum of the states' headers: every count, the ledger, field names, shapes. Their
/// `as_of` and `--reference` must agree (ages and matches depend on them). What is added
/// is taken out of the headers, which keep only where their sections are.
fn add_headers(states: &mut [StateFile]) -> Result<Summary> {
    let mut s = Summary {
        as_of: as_of(&states[0].header)?,
        reference: states[0].header.reference,
        sealed: Some(BTreeMap::new()),
        ..Summary::default()
    };
    for i in 0..states.len() {
        agree(&states[0], &states[i])?;
        let st = &mut states[i];
        add_header(&mut s, &mut st.header)
            .with_context(|| format!("state {}", st.path.display()))?;
    }
    Ok(s)
}

fn agree(first: &StateFile, st: &StateFile) -> Result<()> {
    let (a, b) = (&first.header, &st.header);
    if a.as_of != b.as_of {
        bail!(
            "states {} and {} were scanned as of different dates ({:?}, {:?}): scan again \
             with the same --as-of",
            first.path.display(),
            st.path.display(),
            a.as_of,
            b.as_of
        );
    }
    if a.reference != b.reference {
        bail!(
            "states {} and {} were checked against different --reference lists",
            first.path.display(),
            st.path.display()
        );
    }
    Ok(())
}

fn add_header(s: &mut Summary, h: &mut Header) -> Result<()> {
    s.stats += stats(std::mem::take(&mut h.counts))?;
    let sealed = s.sealed.as_mut().expect("a merge is sealed");
    for row in std::mem::take(&mut h.files) {
        let (k, f) = file_stats(row)?;
        add_entry(sealed, k, f);
    }
    for (name, written) in std::mem::take(&mut h.fields) {
        s.fields.entry(name).or_default().extend(written);
    }
    s.custody += std::mem::take(&mut h.custody);
    s.sampled = s.sampled.max(h.sampled);
    for sh in std::mem::take(&mut h.shapes) {
        let e = s.shapes.entry((sh.source, sh.rule)).or_default();
        e[0] += sh.checked;
        e[1] += sh.matched;
    }
    Ok(())
}

fn add_entry(m: &mut BTreeMap<(String, u64), FileStats>, k: (String, u64), f: FileStats) {
    match m.get_mut(&k) {
        Some(mine) => *mine += f,
        None => {
            m.insert(k, f);
        }
    }
}

/// Every section merged across the states: the distinct count of each kind and of the
/// reference matches, and the impact from the NIKs' metadata.
fn merge_sections(
    states: &[StateFile],
    as_of_date: Option<crate::calendar::Date>,
    mut out: Option<&mut StateWriter>,
) -> Result<(Settled, Impact)> {
    let mut settled = Settled::default();
    let mut impact = ImpactCounter::new(as_of_date);
    for kind in Kind::ALL {
        let w = width(kind);
        let readers = readers(states, kind.name(), w)?;
        if let Some(o) = out.as_deref_mut() {
            o.begin(kind.name(), w);
        }
        settled.unique[kind.index()] = kway(readers, |rec| {
            if kind == Kind::Nik {
                impact.add(rec[1] * 10_000);
            }
            match out.as_deref_mut() {
                Some(o) => o.record(&rec[..w as usize]),
                None => Ok(()),
            }
        })?;
    }
    let readers = readers(states, REFERENCE, 1)?;
    if let Some(o) = out.as_deref_mut() {
        o.begin(REFERENCE, 1);
    }
    settled.reference_people = kway(readers, |rec| match out.as_deref_mut() {
        Some(o) => o.record(&rec[..1]),
        None => Ok(()),
    })?;
    Ok((settled, impact.finish()))
}

fn readers(states: &[StateFile], name: &str, w: u64) -> Result<Vec<SectionReader>> {
    states.iter().map(|s| s.section(name, w)).collect()
}

/// The union of sorted sections, each first value once, ascending, handed to `each`;
/// returns how many.
pub fn kway(
    mut readers: Vec<SectionReader>,
    mut each: impl FnMut([u64; 2]) -> io::Result<()>,
) -> io::Result<u64> {
    let mut heap = BinaryHeap::with_capacity(readers.len());
    for (i, r) in readers.iter_mut().enumerate() {
        if let Some(rec) = r.read()? {
            heap.push(Reverse((rec, i)));
        }
    }
    let (mut n, mut last) = (0, None);
    while let Some(Reverse((rec, i))) = heap.pop() {
        if last != Some(rec[0]) {
            each(rec)?;
            n += 1;
            last = Some(rec[0]);
        }
        if let Some(next) = readers[i].read()? {
            heap.push(Reverse((next, i)));
        }
    }
    Ok(n)
}
