//! Source profiles (`patterns/sources/*.toml`) for attribution: which fields, and which
//! value shapes, point to which leaked system. A profile is read straight into the type that
//! attribution uses; loading only compiles its shapes and normalizes its field names.
//! Imports [`crate::rules::fields`] for the name normalization.

use anyhow::{bail, Context, Result};
use regex::Regex;
use serde::Deserialize;

use crate::rules::fields::normalize_field_name;

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

/// The profiles of `(name, text)` source files, in the order given.
pub(super) fn compile(sources: &[(String, String)]) -> Result<Vec<SourceProfile>> {
    let mut profiles = Vec::new();
    for (name, text) in sources {
        let mut prof: SourceProfile = toml::from_str(text).with_context(|| name.clone())?;
        for f in &mut prof.fields {
            if let Some(shape) = &f.shape {
                f.shape_rule =
                    Some(Regex::new(shape).with_context(|| format!("{name}: shape {shape:?}"))?);
            } else if f.names.is_empty() {
                bail!("{name}: a field with no names needs a shape");
            }
            for n in &mut f.names {
                *n = normalize_field_name(n.as_bytes());
            }
        }
        profiles.push(prof);
    }
    Ok(profiles)
}
