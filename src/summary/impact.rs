//! Who is in the data: distinct people (distinct valid NIKs) by region, sex and age.
//!
//! A NIK encodes its district, birth date and sex, so everything here is derived after the
//! scan from the sorted set of distinct valid NIKs that the scan keeps anyway: exact, mergeable
//! by construction (the set is), and free on the hot path. Ages need a date to be computed on
//! ([`Civil`], the scan date): the century is not encoded, so it is chosen to make the age
//! 0–99 on that date. The summary records that date (`impact.as_of`), and `--expect` rescans
//! as of the baseline's date, so a baseline does not age.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use anyhow::{bail, Result};

use crate::analyze::validate::Ymd;

/// A full calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Civil {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl fmt::Display for Civil {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Civil {
    /// `YYYY-MM-DD`, a real date between 1900 and 9999.
    pub fn parse(s: &str) -> Result<Civil> {
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let d = b.get(r)?;
            d.iter()
                .all(u8::is_ascii_digit)
                .then(|| d.iter().fold(0u32, |a, &c| a * 10 + (c - b'0') as u32))
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            bail!("{s:?} is not a date as YYYY-MM-DD");
        }
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            bail!("{s:?} is not a date as YYYY-MM-DD");
        };
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let dim = match m {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => 0,
        };
        if y < 1900 || d == 0 || d > dim {
            bail!("{s:?} is not a real date (1900 or later)");
        }
        Ok(Civil {
            year: y as u16,
            month: m as u8,
            day: d as u8,
        })
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Civil {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Civil::from_days((secs / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    pub fn from_days(days: i64) -> Civil {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Civil { year, month, day }
    }

    /// Age in whole years on this date of someone born on `born` (two-digit year): the
    /// century is the one that makes the age 0–99.
    #[inline]
    pub fn age(&self, born: Ymd) -> u8 {
        let century = self.year / 100 * 100;
        let mut year = century + born.yy as u16;
        if (year, born.month, born.day) > (self.year, self.month, self.day) {
            year -= 100;
        }
        let mut age = self.year - year;
        if (self.month, self.day) < (born.month, born.day) {
            age -= 1;
        }
        age.min(255) as u8
    }
}

/// Age bands of the summary: (label, first age, last age).
pub const AGE_BANDS: [(&str, u8, u8); 9] = [
    ("0-4", 0, 4),
    ("5-11", 5, 11),
    ("12-17", 12, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 255),
];

fn band(age: u8) -> usize {
    AGE_BANDS
        .iter()
        .position(|b| age >= b.1 && age <= b.2)
        .unwrap_or(AGE_BANDS.len() - 1)
}

/// People in one region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegionPeople {
    pub people: u64,
    pub female: u64,
    pub children: u64,
}

/// The distinct people of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impact {
    pub as_of: Option<Civil>,
    pub people: u64,
    pub female: u64,
    pub male: u64,
    /// Under 18 on `as_of`.
    pub children: u64,
    /// [band][0 = female, 1 = male].
    pub age_bands: [[u64; 2]; AGE_BANDS.len()],
    pub provinces: BTreeMap<u32, RegionPeople>,
    pub regencies: BTreeMap<u32, RegionPeople>,
}

/// What a NIK held as a number encodes: (`PPRRDD`, birth date, female).
#[inline]
pub fn decode_nik(v: u64) -> (u32, Ymd, bool) {
    let district = (v / 10_000_000_000) as u32;
    let date = (v / 10_000) % 1_000_000;
    let mut day = (date / 10_000) as u8;
    let month = (date / 100 % 100) as u8;
    let yy = (date % 100) as u8;
    let female = day > 40;
    if female {
        day -= 40;
    }
    (district, Ymd { day, month, yy }, female)
}

impl Impact {
    /// From the distinct valid NIKs, in any order (each counted once per call).
    pub fn from_niks(niks: impl IntoIterator<Item = u64>, as_of: Option<Civil>) -> Impact {
        let mut c = ImpactCounter::new(as_of);
        niks.into_iter().for_each(|v| c.add(v));
        c.finish()
    }

    fn add_regency(&mut self, regency: u32, r: RegionPeople) {
        for (map, code) in [
            (&mut self.provinces, regency / 100),
            (&mut self.regencies, regency),
        ] {
            let e = map.entry(code).or_default();
            e.people += r.people;
            e.female += r.female;
            e.children += r.children;
        }
    }
}

/// Counts an [`Impact`] one distinct NIK at a time (see [`Impact::from_niks`]).
pub struct ImpactCounter {
    im: Impact,
    /// People by regency code (`PPRR`: below [`REGENCY_CODES`] for every valid NIK), added
    /// to both maps once at the end rather than two map lookups per person; NIKs may come
    /// in any order.
    regencies: Vec<RegionPeople>,
}

/// Regency codes `PPRR` are four digits.
const REGENCY_CODES: usize = 10_000;

impl ImpactCounter {
    pub fn new(as_of: Option<Civil>) -> Self {
        ImpactCounter {
            im: Impact {
                as_of,
                ..Impact::default()
            },
            regencies: vec![RegionPeople::default(); REGENCY_CODES],
        }
    }

    pub fn add(&mut self, v: u64) {
        let im = &mut self.im;
        let (district, born, female) = decode_nik(v);
        im.people += 1;
        let mut child = false;
        if female {
            im.female += 1;
        } else {
            im.male += 1;
        }
        if let Some(today) = im.as_of {
            let age = today.age(born);
            child = age < 18;
            im.age_bands[band(age)][usize::from(!female)] += 1;
            if child {
                im.children += 1;
            }
        }
        let regency = district / 100;
        match self.regencies.get_mut(regency as usize) {
            Some(r) => r.add(female, child),
            // Only a number that is no valid NIK gets here.
            None => {
                let mut r = RegionPeople::default();
                r.add(female, child);
                im.add_regency(regency, r);
            }
        }
    }

    pub fn finish(mut self) -> Impact {
        for (code, r) in self.regencies.iter().enumerate() {
            if r.people > 0 {
                self.im.add_regency(code as u32, *r);
            }
        }
        self.im
    }
}

impl RegionPeople {
    fn add(&mut self, female: bool, child: bool) {
        self.people += 1;
        self.female += u64::from(female);
        self.children += u64::from(child);
    }
}

/// Population by province and regency (`patterns/population.csv`), read when first needed.
pub struct Population {
    text: String,
    parsed: OnceLock<HashMap<u32, (String, u64)>>,
}

impl Population {
    pub fn new(text: String) -> Population {
        Population {
            text,
            parsed: OnceLock::new(),
        }
    }

    fn table(&self) -> &HashMap<u32, (String, u64)> {
        self.parsed.get_or_init(|| {
            let mut rdr = csv::Reader::from_reader(self.text.as_bytes());
            rdr.records()
                .flatten()
                .filter_map(|row| {
                    let code = row.get(0)?.parse().ok()?;
                    let total = row.get(5)?.parse().ok()?;
                    Some((code, (row.get(2)?.to_string(), total)))
                })
                .collect()
        })
    }

    /// Population of a province (2-digit code) or regency (4 digits), and its name.
    pub fn get(&self, code: u32) -> Option<(&str, u64)> {
        self.table().get(&code).map(|(n, t)| (n.as_str(), *t))
    }

    /// Checks the table parses and holds provinces (for `--patterns DIR`).
    pub fn check(&self) -> Result<()> {
        if self.text.trim().is_empty() {
            return Ok(());
        }
        if !self.text.starts_with("code,level,name,male,female,total") {
            bail!("population.csv: the header must be code,level,name,male,female,total");
        }
        if self.table().is_empty() {
            bail!("population.csv holds no region");
        }
        Ok(())
    }
}

impl fmt::Debug for Population {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Population({} bytes)", self.text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Civil {
        Civil::parse(s).unwrap()
    }

    #[test]
    fn dates_parse_and_count_from_the_epoch() {
        assert_eq!(Civil::from_days(0), d("1970-01-01"));
        assert_eq!(Civil::from_days(19_782), d("2024-02-29"));
        assert!(Civil::parse("2023-02-29").is_err());
        assert!(Civil::parse("2024-13-01").is_err());
        assert!(Civil::parse("24-01-01").is_err());
        assert_eq!(d("2026-03-07").to_string(), "2026-03-07");
    }

    #[test]
    fn the_century_makes_the_age_0_to_99() {
        let today = d("2025-06-15");
        let ymd = |day, month, yy| Ymd { day, month, yy };
        assert_eq!(today.age(ymd(1, 1, 90)), 35);
        assert_eq!(today.age(ymd(15, 6, 25)), 0, "born today");
        assert_eq!(today.age(ymd(16, 6, 25)), 99, "tomorrow in 2025 is 1925");
        assert_eq!(today.age(ymd(1, 1, 8)), 17);
        assert_eq!(today.age(ymd(15, 6, 7)), 18);
        assert_eq!(today.age(ymd(29, 2, 0)), 25);
    }

    #[test]
    fn impact_counts_people_by_region_sex_and_age() {
        // Two women and a man in Gambir (317101), a boy in 3273.
        let niks = [
            3171014101900001,
            3171014101900002,
            3171010101850001,
            3273010101150003,
        ];
        let im = Impact::from_niks(niks, Some(d("2025-01-02")));
        assert_eq!((im.people, im.female, im.male, im.children), (4, 2, 2, 1));
        assert_eq!(im.provinces[&31].people, 3);
        assert_eq!(im.provinces[&32].children, 1);
        assert_eq!(im.regencies[&3171].female, 2);
        assert_eq!(im.age_bands[2], [0, 0], "10 is in 5-11");
        assert_eq!(im.age_bands[1], [0, 1]);
        assert_eq!(im.age_bands[5], [2, 1], "35, 35 and 40");
        // Any order counts alike (the scan hands NIKs over unsorted), as does a number
        // above every regency code, which no valid NIK is.
        let mixed = [niks[3], niks[0], niks[2], niks[1]];
        assert_eq!(Impact::from_niks(mixed, Some(d("2025-01-02"))), im);
        let odd = Impact::from_niks([u64::MAX], None);
        assert_eq!((odd.people, odd.regencies.len()), (1, 1));
        assert_eq!(odd.regencies.values().next().unwrap().people, 1);
    }

    #[test]
    fn population_reads_the_vendored_table() {
        let p = Population::new(include_str!("../../patterns/population.csv").to_string());
        p.check().unwrap();
        assert_eq!(p.get(11).unwrap().0, "Aceh");
        assert_eq!(p.get(1101).unwrap().1, 239_629);
        assert!(p.get(9999).is_none());
    }
}
