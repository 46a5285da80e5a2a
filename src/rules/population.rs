//! Population by province and regency (`patterns/population.csv`, Kepmendagri's figures):
//! the denominators of the impact's shares. Read when a report first asks. Imports nothing
//! from the crate.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use anyhow::{bail, Result};

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

    #[test]
    fn population_reads_the_vendored_table() {
        let p = Population::new(include_str!("../../patterns/population.csv").to_string());
        p.check().unwrap();
        assert_eq!(p.get(11).unwrap().0, "Aceh");
        assert_eq!(p.get(1101).unwrap().1, 239_629);
        assert!(p.get(9999).is_none());
    }
}
