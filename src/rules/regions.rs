//! The region table (`patterns/regions.csv`): province, regency and district codes of every
//! edition of Kepmendagri, as bit sets for the hot path, and their names for reports.
//! Imports nothing from the crate.

use std::collections::HashMap;

use anyhow::{bail, Context, Result};

/// Region codes of the union table: membership is a bit lookup on the hot path.
pub struct Regions {
    provinces: Vec<bool>,
    regencies: Vec<bool>,
    districts: Vec<u64>,
    /// The districts whose regency and province are listed too: a valid NIK's region in
    /// one bit, where the three levels were three dependent lookups.
    whole: Vec<u64>,
    /// The table's text, for names: see [`Regions::name`].
    text: String,
    /// Province, regency and district names (codes of 2, 4, 6 digits), each level read from
    /// `text` when first asked for.
    named: [std::sync::OnceLock<HashMap<String, RegionName>>; 3],
    /// Where the province and regency rows start in `text`: a report names a few of those,
    /// and walking the table's 8,000 lines for them cost more than the rest of its report.
    rows: [Vec<u32>; 2],
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
            whole: Vec::new(),
            text: csv_text.to_string(),
            named: Default::default(),
            rows: Default::default(),
        };
        for (i, line) in csv_text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let code = line.split(',').next().unwrap_or("").trim_matches('"');
            let num: u32 = code
                .parse()
                .with_context(|| format!("regions.csv line {}: bad code {code:?}", i + 1))?;
            let at = (line.as_ptr() as usize - csv_text.as_ptr() as usize) as u32;
            match code.len() {
                2 => {
                    r.provinces[num as usize] = true;
                    r.rows[0].push(at);
                }
                4 => {
                    r.regencies[num as usize] = true;
                    r.rows[1].push(at);
                }
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
        let mut whole = r.districts.clone();
        for (k, w) in whole.iter_mut().enumerate() {
            let mut bits = *w;
            while bits != 0 {
                let b = bits.trailing_zeros();
                bits &= bits - 1;
                let code = k as u32 * 64 + b;
                if !r.has_regency(code / 100) || !r.has_province(code / 10_000) {
                    *w &= !(1 << b);
                }
            }
        }
        r.whole = whole;
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

    /// Whether `pprrdd` is a district of the table, and its regency and province are too.
    #[inline]
    pub fn has_whole_district(&self, pprrdd: u32) -> bool {
        let i = pprrdd as usize;
        self.whole
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
        let lines: Box<dyn Iterator<Item = &str>> = match self.rows.get(width / 2 - 1) {
            Some(starts) => Box::new(starts.iter().map(|&at| {
                let rest = &self.text[at as usize..];
                rest.lines().next().unwrap_or(rest)
            })),
            None => Box::new(self.text.lines().skip(1)),
        };
        let mut names = HashMap::new();
        for line in lines {
            // A row of this level has its comma right after the code.
            let b = line.as_bytes();
            if b.get(width) != Some(&b',') || !b[..width].iter().all(u8::is_ascii_digit) {
                continue;
            }
            // The vendored table quotes nothing: its rows are split on commas, and a row
            // that quotes (a table a user brings) is read as CSV.
            let row = if line.contains('"') {
                let mut r = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .from_reader(line.as_bytes());
                match r.records().next() {
                    Some(Ok(row)) => row,
                    _ => continue,
                }
            } else {
                line.split(',').collect()
            };
            names.insert(line[..width].to_string(), region_name(&row));
        }
        names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_plain_and_quoted_rows() {
        let csv = "code,level,name,first_edition,last_edition,editions\n\
                   31,province,DKI Jakarta,2016,2025,2016;2025\n\
                   3171,regency,\"Kota Jakarta Selatan, Kota\",2016,2025,2016;2018\n\
                   317101,district,Jagakarsa,2016,2025,2025\n";
        let r = Regions::parse(csv).unwrap();
        let name = |code: &str| r.name(code).map(|n| (n.name.clone(), n.editions.clone()));
        assert_eq!(
            name("31"),
            Some(("DKI Jakarta".into(), "2016, 2025".into()))
        );
        assert_eq!(
            name("3171"),
            Some(("Kota Jakarta Selatan, Kota".into(), "2016, 2018".into()))
        );
        assert_eq!(name("317101"), Some(("Jagakarsa".into(), "2025".into())));
        assert_eq!(name("3172"), None);
        assert_eq!(name("31x1"), None);
    }

    #[test]
    fn a_whole_district_has_its_regency_and_province_listed() {
        let csv = "code,level,name\n31,province,A\n3171,regency,B\n317101,district,C\n\
                   317201,district,D\n330101,district,E\n3301,regency,F\n";
        let r = Regions::parse(csv).unwrap();
        assert!(r.has_whole_district(317101));
        // Listed, but its regency (3172) or its province (33) is not.
        assert!(r.has_district(317201) && !r.has_whole_district(317201));
        assert!(r.has_district(330101) && !r.has_whole_district(330101));
        assert!(!r.has_whole_district(317102));
        assert!(!r.has_whole_district(u32::MAX));
    }
}
