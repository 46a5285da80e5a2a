//! The rules: the data of `patterns/` (identifier patterns, field-name synonyms, region codes,
//! population, source profiles, sensitive-data rules), loaded and compiled once into
//! [`Patterns`], which every stage above reads. Built-ins are embedded so the binary is
//! self-contained; `--patterns DIR` swaps in a directory with the same layout.
//!
//! The bottom stage: it imports nothing from the crate. Rule syntax is kept apart from the
//! compiled rules, as Nosey Parker does:
//!
//! ```text
//! syntax        the files as written (TOML / CSV structures) and where their texts come from
//!   ▼
//! patterns      Patterns::from_texts: each file compiled by its module, then put together
//!   ├► fields       roles of field names, sex values and month names as packed words
//!   ├► identifiers  keywords, the mobile rule and operators, the e-mail rule, domain classes
//!   ├► regions      the region table: bit sets for the hot path, names for reports
//!   ├► population   population by province and regency, for the impact's shares
//!   ├► sources      source profiles for attribution
//!   ├► sensitive    UU 27/2022 categories and their field rules
//!   └► verdict      the verdict's thresholds, each with why
//! dfa           a rule's regex as a DFA walked byte by byte (used by the compilers above)
//! words         byte-word helpers and the one-probe word table
//! kind          identifier kinds and the reasons a candidate is invalid
//! checksum      check digits (an old-format NPWP's Luhn digit)
//! ```
//!
//! Modules here import their siblings by full path (`crate::rules::dfa::Rule`), never this
//! module: the re-exports below are for the stages above.

pub mod checksum;
mod dfa;
mod fields;
mod identifiers;
mod kind;
mod patterns;
mod population;
mod regions;
pub mod sensitive;
mod sources;
mod syntax;
pub mod verdict;
mod words;

pub use dfa::{Rule, RuleState};
pub use fields::{normalize_field_name, Role};
pub use identifiers::PatternInfo;
pub use kind::{InvalidReason, Kind};
pub use patterns::Patterns;
pub use population::Population;
pub use regions::{RegionName, Regions};
pub use sources::{SourceProfile, WeightedField};
pub use syntax::Example;
pub use words::lower8;
pub(crate) use words::{all_digits_8_to_16, digits8, load_le};
