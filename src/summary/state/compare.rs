//! `triage compare`: which distinct identifiers two states share and which only one holds,
//! by a two-way merge of their sorted sections, read as streams. People (distinct valid
//! NIKs) are also compared by province, from the metadata a NIK keeps in a state.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::rules::Kind;
use crate::summary::fingerprint::Key;
use crate::summary::state::file::{SectionReader, StateFile};
use crate::summary::state::width;

/// The kinds compared, in the order outputs list them.
pub const COMPARED: [Kind; 5] = [
    Kind::Nik,
    Kind::Kk,
    Kind::BpjsCard,
    Kind::Phone,
    Kind::Email,
];

/// Distinct values in A, in B, and in both.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overlap {
    pub a: u64,
    pub b: u64,
    pub both: u64,
}

impl Overlap {
    pub fn only_a(&self) -> u64 {
        self.a - self.both
    }

    pub fn only_b(&self) -> u64 {
        self.b - self.both
    }
}

/// The overlap of two states: per compared kind, and people per province code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    pub kinds: Vec<(Kind, Overlap)>,
    pub provinces: BTreeMap<u32, Overlap>,
}

/// Compares the states `a` and `b`, both made with `key`.
pub fn compare(a: &Path, b: &Path, key: &Key) -> Result<Comparison> {
    let (sa, sb) = (StateFile::open(a, key)?, StateFile::open(b, key)?);
    let mut c = Comparison::default();
    for kind in COMPARED {
        let w = width(kind);
        let (ra, rb) = (sa.section(kind.name(), w)?, sb.section(kind.name(), w)?);
        let provinces = &mut c.provinces;
        let overlap = two_way(ra, rb, |rec, side| {
            if kind == Kind::Nik {
                count(provinces.entry(province(rec[1])).or_default(), side);
            }
        })?;
        c.kinds.push((kind, overlap));
    }
    Ok(c)
}

/// The province code of a NIK's metadata (the NIK without its serial).
fn province(meta: u64) -> u32 {
    (meta / 10_000_000_000) as u32
}

/// Where a value is: only in A, only in B, in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    A,
    B,
    Both,
}

fn count(o: &mut Overlap, side: Side) {
    o.a += u64::from(side != Side::B);
    o.b += u64::from(side != Side::A);
    o.both += u64::from(side == Side::Both);
}

/// Walks two sorted sections side by side; every distinct record goes to `each` with
/// where it is.
fn two_way(
    mut a: SectionReader,
    mut b: SectionReader,
    mut each: impl FnMut([u64; 2], Side),
) -> Result<Overlap> {
    let mut o = Overlap::default();
    let (mut x, mut y) = (a.read()?, b.read()?);
    loop {
        let side = match (x, y) {
            (None, None) => return Ok(o),
            (Some(_), None) => Side::A,
            (None, Some(_)) => Side::B,
            (Some(p), Some(q)) if p[0] < q[0] => Side::A,
            (Some(p), Some(q)) if p[0] > q[0] => Side::B,
            _ => Side::Both,
        };
        count(&mut o, side);
        let rec = match side {
            Side::B => y.expect("B has one"),
            _ => x.expect("A has one"),
        };
        each(rec, side);
        if side != Side::B {
            x = a.read()?;
        }
        if side != Side::A {
            y = b.read()?;
        }
    }
}
