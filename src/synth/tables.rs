//! Tables derived once from the patterns: the districts people live in, codes that are no
//! region (for the decoys), and the e-mail domains' weights and classes. Imports the rules and
//! the synth vocabulary.

use anyhow::{bail, Result};

use crate::rules::Patterns;
use crate::synth::vocab::DOMAINS;

pub(super) struct Tables<'p> {
    pub(super) districts: Vec<u32>,
    /// Papua districts of the pre-2022 codes (91xxxx/92xxxx) missing from the newest edition.
    pub(super) old_papua: Vec<u32>,
    /// Two-digit codes that are no province (and do not start a phone: not 0x, 6x, 8x).
    pub(super) bad_provinces: Vec<u32>,
    /// `PPRR` of a real province and no regency.
    pub(super) bad_regencies: Vec<u32>,
    /// `PPRRDD` of a real regency and no district.
    pub(super) bad_districts: Vec<u32>,
    /// Cumulative domain weights and the class of each domain.
    pub(super) domain_cum: Vec<u32>,
    pub(super) domain_class: Vec<&'p str>,
}

impl<'p> Tables<'p> {
    pub(super) fn new(p: &'p Patterns) -> Result<Self> {
        let districts = p.regions.district_codes();
        if districts.is_empty() {
            bail!("the region table holds no district");
        }
        let mut domain_cum = Vec::new();
        let mut total = 0;
        for (_, w) in DOMAINS {
            total += w;
            domain_cum.push(total);
        }
        Ok(Tables {
            old_papua: old_papua(p, &districts),
            bad_provinces: bad_provinces(p),
            bad_regencies: bad_regencies(p, &districts),
            bad_districts: bad_districts(p, &districts),
            districts,
            domain_cum,
            domain_class: DOMAINS.iter().map(|(d, _)| p.domain_class(d)).collect(),
        })
    }
}

fn old_papua(p: &Patterns, districts: &[u32]) -> Vec<u32> {
    districts
        .iter()
        .copied()
        .filter(|&d| matches!(d / 10_000, 91 | 92))
        .filter(|&d| {
            p.regions
                .name(&format!("{d:06}"))
                .is_some_and(|n| !n.editions.contains("2025"))
        })
        .collect()
}

fn bad_provinces(p: &Patterns) -> Vec<u32> {
    (10..100)
        .filter(|&pp| !p.regions.has_province(pp) && !matches!(pp / 10, 6 | 8))
        .collect()
}

/// Every `PPRR` of a real province that is no regency.
fn bad_regencies(p: &Patterns, districts: &[u32]) -> Vec<u32> {
    let mut provinces: Vec<u32> = districts.iter().map(|d| d / 10_000).collect();
    provinces.dedup();
    let mut out = Vec::new();
    for &pp in &provinces {
        for rr in 1..100 {
            if !p.regions.has_regency(pp * 100 + rr) {
                out.push(pp * 100 + rr);
            }
        }
    }
    out
}

/// The three highest `PPRRDD` of each real regency that are no district.
fn bad_districts(p: &Patterns, districts: &[u32]) -> Vec<u32> {
    let r = &p.regions;
    let mut regencies: Vec<u32> = districts.iter().map(|d| d / 100).collect();
    regencies.dedup();
    let mut out = Vec::new();
    for &reg in regencies.iter().filter(|&&reg| r.has_regency(reg)) {
        let mut n = 0;
        for dd in (1..100).rev() {
            if n < 3 && !r.has_district(reg * 100 + dd) {
                out.push(reg * 100 + dd);
                n += 1;
            }
        }
    }
    out
}
