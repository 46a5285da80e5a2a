//! Sensitive personal data in the sense of UU 27/2022 (Indonesia's Personal Data Protection
//! Law), article 4(2): health, biometric, genetic, criminal records, children's data, personal
//! financial data. The categories are fixed by the law; which field names and value shapes
//! reveal them is data (`patterns/sensitive.toml`).
//!
//! A named field whose name is listed gets the role [`Role::Sensitive`](crate::rules::fields::Role::Sensitive) with the index of its
//! rule; a record counts under a category when such a field holds a value that is not a
//! placeholder (`-`, `0`, `null`, …) and, where the rule gives a shape (ICD-10 codes, account
//! numbers), matches it. Children's data is also found without any field name: a record
//! holding the valid NIK of someone under 18 on the scan date.
//!
//! Compiles the file's syntax ([`crate::rules::syntax`]) into [`SensitiveField`]s, whose
//! shapes are [`crate::rules::dfa`] rules; imports nothing else.

use anyhow::{bail, Context, Result};

use crate::rules::dfa::Rule;
use crate::rules::syntax::SensitiveFile;

/// The categories of UU 27/2022 art. 4(2)(a)–(f), in the law's order.
pub const CATEGORIES: [(&str, &str, &str); 6] = [
    ("health", "Health data and information", "art. 4(2)(a)"),
    ("biometric", "Biometric data", "art. 4(2)(b)"),
    ("genetic", "Genetic data", "art. 4(2)(c)"),
    ("criminal", "Criminal records", "art. 4(2)(d)"),
    ("children", "Children's data", "art. 4(2)(e)"),
    ("financial", "Personal financial data", "art. 4(2)(f)"),
];

pub const CHILDREN: usize = 4;

pub fn category_index(id: &str) -> Option<usize> {
    CATEGORIES.iter().position(|c| c.0 == id)
}

/// One rule: field names that reveal a category, and optionally the shape values must have.
#[derive(Debug)]
pub struct SensitiveField {
    pub category: usize,
    pub names: Vec<String>,
    pub shape: Option<Rule>,
    pub about: String,
}

/// Parses `sensitive.toml`; an example that its shape rejects (or a negative example it
/// accepts) is an error, so a bad shape never reaches a scan.
pub fn parse(text: &str) -> Result<Vec<SensitiveField>> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let f: SensitiveFile = toml::from_str(text).context("sensitive.toml")?;
    let mut out = Vec::new();
    for c in f.category {
        let Some(category) = category_index(&c.id) else {
            bail!(
                "sensitive.toml: unknown category {:?} (UU 27/2022 art. 4(2) has {})",
                c.id,
                CATEGORIES.map(|c| c.0).join(", ")
            );
        };
        for raw in c.fields {
            let shape = match &raw.shape {
                Some(s) => Some(Rule::new(s).with_context(|| format!("sensitive.toml: {}", c.id))?),
                None => None,
            };
            if let Some(rule) = &shape {
                for e in &raw.examples {
                    if !rule.is_match(e.trim().as_bytes()) {
                        bail!(
                            "sensitive.toml: {}: example {e:?} does not match its shape",
                            c.id
                        );
                    }
                }
                for e in &raw.negative_examples {
                    if rule.is_match(e.trim().as_bytes()) {
                        bail!(
                            "sensitive.toml: {}: negative example {e:?} matches its shape",
                            c.id
                        );
                    }
                }
            }
            out.push(SensitiveField {
                category,
                names: raw.names,
                shape,
                about: raw.about,
            });
        }
    }
    Ok(out)
}

/// Values that say "nothing here".
fn placeholder(v: &[u8]) -> bool {
    const NONE: [&[u8]; 12] = [
        b"-",
        b"0",
        b"null",
        b"none",
        b"n/a",
        b"na",
        b"nil",
        b"tidak",
        b"tidak ada",
        b"x",
        b"false",
        b"--",
    ];
    v.is_empty() || NONE.iter().any(|n| n.eq_ignore_ascii_case(v))
}

/// The category a value of a field with rule `rule` reveals, if any.
#[inline]
pub fn field_category(rules: &[SensitiveField], rule: u16, value: &[u8]) -> Option<usize> {
    let r = rules.get(rule as usize)?;
    let v = value.trim_ascii();
    if placeholder(v) {
        return None;
    }
    match &r.shape {
        Some(s) if !s.is_match(v) => None,
        _ => Some(r.category),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse_and_shapes_decide() {
        let rules = parse(include_str!("../../patterns/sensitive.toml")).unwrap();
        assert!(!rules.is_empty());
        let icd = rules
            .iter()
            .position(|r| r.names.iter().any(|n| n == "kodeicd"))
            .unwrap() as u16;
        assert_eq!(field_category(&rules, icd, b" A09.0 "), Some(0));
        assert_eq!(field_category(&rules, icd, b"diare"), None);
        assert_eq!(field_category(&rules, icd, b"-"), None);
        let diag = rules
            .iter()
            .position(|r| r.names.iter().any(|n| n == "diagnosa"))
            .unwrap() as u16;
        assert_eq!(field_category(&rules, diag, b"Demam berdarah"), Some(0));
        assert_eq!(field_category(&rules, diag, b"null"), None);
        assert_eq!(field_category(&rules, 9999, b"x"), None);
        for (id, ..) in CATEGORIES {
            if id != "children" {
                assert!(
                    rules.iter().any(|r| CATEGORIES[r.category].0 == id),
                    "{id} has field rules"
                );
            }
        }
    }

    #[test]
    fn unknown_categories_and_bad_examples_are_errors() {
        assert!(parse("[[category]]\nid = \"religion\"\n").is_err());
        let bad = "[[category]]\nid = \"financial\"\n[[category.fields]]\nnames = [\"norek\"]\nshape = '^[0-9]{10}$'\nexamples = [\"12\"]\n";
        assert!(parse(bad).is_err());
    }
}
