//! Rule syntax: the files of `patterns/` as they are written (TOML and CSV structures), and
//! where their texts come from (embedded in the binary, or `--patterns DIR`). Nothing here
//! is compiled: `Patterns::from_texts` turns these into what a scan reads. Imports
//! nothing from the crate.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

pub(super) const BUILTIN_IDENTIFIERS: &str = include_str!("../../patterns/identifiers.toml");
pub(super) const BUILTIN_FIELDS: &str = include_str!("../../patterns/fields.toml");
pub(super) const BUILTIN_REGIONS: &str = include_str!("../../patterns/regions.csv");
pub(super) const BUILTIN_SENSITIVE: &str = include_str!("../../patterns/sensitive.toml");
pub(super) const BUILTIN_POPULATION: &str = include_str!("../../patterns/population.csv");
pub(super) const BUILTIN_VERDICT: &str = include_str!("../../patterns/verdict.toml");
pub(super) const BUILTIN_SOURCES: &[(&str, &str)] = &[
    (
        "bpjs_kesehatan.toml",
        include_str!("../../patterns/sources/bpjs_kesehatan.toml"),
    ),
    (
        "bpjs_ketenagakerjaan.toml",
        include_str!("../../patterns/sources/bpjs_ketenagakerjaan.toml"),
    ),
    (
        "dukcapil.toml",
        include_str!("../../patterns/sources/dukcapil.toml"),
    ),
    ("kpu.toml", include_str!("../../patterns/sources/kpu.toml")),
    (
        "ehac.toml",
        include_str!("../../patterns/sources/ehac.toml"),
    ),
    (
        "sim_registration.toml",
        include_str!("../../patterns/sources/sim_registration.toml"),
    ),
    (
        "ecommerce.toml",
        include_str!("../../patterns/sources/ecommerce.toml"),
    ),
];

/// The texts of one pattern set, each file as read.
pub(super) struct Texts {
    pub identifiers: String,
    pub fields: String,
    pub regions: String,
    /// `sources/*.toml`: (name for messages, text), in name order.
    pub sources: Vec<(String, String)>,
    pub sensitive: String,
    pub population: String,
    pub verdict: String,
}

impl Texts {
    /// The pattern files embedded in the binary.
    pub fn builtin() -> Texts {
        Texts {
            identifiers: BUILTIN_IDENTIFIERS.to_string(),
            fields: BUILTIN_FIELDS.to_string(),
            regions: BUILTIN_REGIONS.to_string(),
            sources: BUILTIN_SOURCES
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string()))
                .collect(),
            sensitive: BUILTIN_SENSITIVE.to_string(),
            population: BUILTIN_POPULATION.to_string(),
            verdict: BUILTIN_VERDICT.to_string(),
        }
    }

    /// The pattern files of a directory laid out like `patterns/`.
    pub fn from_dir(dir: &Path) -> Result<Texts> {
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .with_context(|| format!("reading {}", dir.join(name).display()))
        };
        let sources = read_sources(&dir.join("sources"))?;
        // Files added after the first layout: a directory without them uses the built-ins.
        let optional = |name: &str, builtin: &str| -> Result<String> {
            if dir.join(name).exists() {
                read(name)
            } else {
                Ok(builtin.to_string())
            }
        };
        Ok(Texts {
            identifiers: read("identifiers.toml")?,
            fields: read("fields.toml")?,
            regions: read("regions.csv")?,
            sources,
            sensitive: optional("sensitive.toml", BUILTIN_SENSITIVE)?,
            population: optional("population.csv", BUILTIN_POPULATION)?,
            verdict: optional("verdict.toml", BUILTIN_VERDICT)?,
        })
    }
}

/// Every `*.toml` of a `sources/` directory, in name order; none when it does not exist.
fn read_sources(sdir: &Path) -> Result<Vec<(String, String)>> {
    let mut sources = Vec::new();
    if !sdir.is_dir() {
        return Ok(sources);
    }
    let mut names: Vec<_> = fs::read_dir(sdir)
        .with_context(|| format!("reading {}", sdir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    for p in names {
        let text = fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
        sources.push((p.display().to_string(), text));
    }
    Ok(sources)
}

/// One example from a pattern file: a line of text, or a value in a named field.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum Example {
    Line(String),
    Field { field: String, value: String },
}

/// `identifiers.toml`: one `[[pattern]]` per identifier kind.
#[derive(Debug, Deserialize)]
pub(super) struct IdentifierFile {
    pub pattern: Vec<RawPattern>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawPattern {
    pub kind: String,
    pub name: String,
    pub shape: String,
    pub about: String,
    #[serde(default)]
    pub nik_keywords: Vec<String>,
    #[serde(default)]
    pub kk_keywords: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub keyword_window: Option<usize>,
    pub mobile: Option<String>,
    #[serde(default)]
    pub operators: toml::Table,
    pub local: Option<String>,
    pub label: Option<String>,
    pub tld: Option<String>,
    #[serde(default)]
    pub domain_classes: toml::Table,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub negative_examples: Vec<Example>,
}

/// `fields.toml`: field-name synonyms by role, sex values and month names.
#[derive(Debug, Deserialize)]
pub(super) struct FieldsFile {
    pub roles: HashMap<String, Vec<String>>,
    pub sex_values: SexValues,
    pub months: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct SexValues {
    pub male: Vec<String>,
    pub female: Vec<String>,
}

/// `sensitive.toml`: field rules by category of UU 27/2022 art. 4(2).
#[derive(Debug, Deserialize)]
pub(super) struct SensitiveFile {
    pub category: Vec<RawCategory>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawCategory {
    pub id: String,
    #[serde(default)]
    pub fields: Vec<RawField>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawField {
    pub names: Vec<String>,
    #[serde(default)]
    pub shape: Option<String>,
    #[serde(default)]
    pub about: String,
    /// Values that must match the shape (checked when the rules load).
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub negative_examples: Vec<String>,
}
