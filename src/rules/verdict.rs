//! The verdict's thresholds (`patterns/verdict.toml`): each a number and why it sits where it
//! does. Read and checked here; the verdict itself is reckoned from a summary's counts in
//! `summary::verdict`. Imports nothing from the crate.

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// One threshold as written: its value and why.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    pub value: f64,
    pub why: String,
}

/// Every threshold the verdict applies; the file's order of rules is the verdict's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerdictRules {
    pub min_records: Threshold,
    pub min_nik_candidates: Threshold,
    pub min_checks: Threshold,
    pub random_valid_share: Threshold,
    pub birth_date_fabricated: Threshold,
    pub sex_fabricated: Threshold,
    pub genuine_valid_share: Threshold,
    pub genuine_records_with_nik: Threshold,
    pub genuine_confirmed: Threshold,
    pub genuine_agreement: Threshold,
    pub indonesian_share: Threshold,
}

impl VerdictRules {
    /// Parses `verdict.toml`: every threshold present, counts not negative, shares within
    /// 0–1, each with a `why`.
    pub fn parse(text: &str) -> Result<VerdictRules> {
        let v: VerdictRules = toml::from_str(text).context("verdict.toml")?;
        for (name, t) in v.counts() {
            if !(t.value >= 0.0 && t.value.is_finite()) {
                bail!("verdict.toml: {name} must be a count of 0 or more");
            }
        }
        for (name, t) in v.shares() {
            if !(0.0..=1.0).contains(&t.value) {
                bail!("verdict.toml: {name} is a share and must be within 0-1");
            }
        }
        if let Some((name, _)) = v.all().find(|(_, t)| t.why.trim().is_empty()) {
            bail!("verdict.toml: {name} has no `why`");
        }
        Ok(v)
    }

    fn counts(&self) -> [(&'static str, &Threshold); 3] {
        [
            ("min_records", &self.min_records),
            ("min_nik_candidates", &self.min_nik_candidates),
            ("min_checks", &self.min_checks),
        ]
    }

    fn shares(&self) -> [(&'static str, &Threshold); 8] {
        [
            ("random_valid_share", &self.random_valid_share),
            ("birth_date_fabricated", &self.birth_date_fabricated),
            ("sex_fabricated", &self.sex_fabricated),
            ("genuine_valid_share", &self.genuine_valid_share),
            ("genuine_records_with_nik", &self.genuine_records_with_nik),
            ("genuine_confirmed", &self.genuine_confirmed),
            ("genuine_agreement", &self.genuine_agreement),
            ("indonesian_share", &self.indonesian_share),
        ]
    }

    fn all(&self) -> impl Iterator<Item = (&'static str, &Threshold)> {
        self.counts().into_iter().chain(self.shares())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUILTIN: &str = include_str!("../../patterns/verdict.toml");

    #[test]
    fn the_builtin_thresholds_load_and_each_says_why() {
        let v = VerdictRules::parse(BUILTIN).unwrap();
        assert_eq!(v.min_records.value, 100.0);
        assert!(v.random_valid_share.value < v.genuine_valid_share.value);
        assert!(v.all().all(|(_, t)| t.why.len() > 40));
    }

    #[test]
    fn a_share_out_of_range_or_a_missing_why_is_refused() {
        let bad = BUILTIN.replacen("value = 0.8\n", "value = 8\n", 1);
        assert_ne!(bad, BUILTIN);
        let e = VerdictRules::parse(&bad).unwrap_err();
        assert!(format!("{e:#}").contains("genuine_valid_share"), "{e:#}");
        let no_why = BUILTIN.replacen("why = \"Below a hundred", "why = \"\" #", 1);
        assert_ne!(no_why, BUILTIN);
        assert!(VerdictRules::parse(&no_why).is_err());
        let missing = BUILTIN.replacen("[min_checks]", "[min_checkz]", 1);
        assert!(VerdictRules::parse(&missing).is_err());
    }
}
