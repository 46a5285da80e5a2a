//! The compiled rules: [`Patterns`], built from the texts of [`crate::rules::syntax`] by the
//! compiling modules beside it (fields, identifiers, regions, sources, sensitive, population),
//! with the lookups the hot path makes (sex values, month names, roles, operators, domain
//! classes). Imports only its sibling modules in `rules/`.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::rules::dfa::{ClassPrefix, Rule};
use crate::rules::fields::{self, normalize_field_name, Role};
use crate::rules::identifiers::{self, PatternInfo, Suffix};
use crate::rules::population::Population;
use crate::rules::regions::Regions;
use crate::rules::sensitive::{self, SensitiveField};
use crate::rules::sources::{self, SourceProfile};
use crate::rules::syntax::{FieldsFile, IdentifierFile, Texts};
use crate::rules::verdict::VerdictRules;
use crate::rules::words::{pack_letters, pack_lower, prefix3, tail16, WordTable};

/// Everything detection, validation and the reports read from `patterns/`, compiled: the
/// one value a scan hands down to every stage. Built by [`Patterns::builtin`] or
/// [`Patterns::from_dir`]; read-only after.
pub struct Patterns {
    pub infos: Vec<PatternInfo>,
    pub regions: Regions,
    /// Normalized field name → role.
    pub roles: HashMap<String, Role>,
    /// The sex values of `fields.toml`, packed lower-case words (see `pack_lower`) → female.
    /// Read through [`Patterns::sex_of`].
    sex_words: WordTable<bool>,
    /// No sex value holds a digit or an `@`, so none can hold an identifier: a field that
    /// is one needs no search (a candidate needs one or the other).
    pub sex_words_plain: bool,
    /// Month names, packed the same way → month. Read through [`Patterns::month_of`].
    month_words: WordTable<u8>,
    pub nik_keywords: Vec<String>,
    pub kk_keywords: Vec<String>,
    pub kk_window: usize,
    pub card_keywords: Vec<String>,
    pub card_window: usize,
    pub mobile: Rule,
    /// Operator index (into `operator_names`) by three-digit prefix `000`..`999`.
    pub operators: Vec<u8>,
    /// Operator names in file order, then `other`.
    pub operator_names: Vec<String>,
    /// `local@(label.)+tld` as one automaton: one pass per address on the hot path.
    pub email_full: Rule,
    /// (class, suffixes) in order.
    pub domain_classes: Vec<(String, Vec<String>)>,
    /// Every class suffix, in class order: the first that ends a domain gives its class.
    domain_suffixes: Vec<Suffix>,
    /// The e-mail rule's local parts by byte classes, where they describe them (see
    /// [`ClassPrefix`]): most addresses skip the walk up to their `@`.
    pub email_local: Option<ClassPrefix>,
    pub sources: Vec<SourceProfile>,
    /// Field rules for sensitive data (`sensitive.toml`), indexed by `Role::Sensitive`.
    pub sensitive: Vec<SensitiveField>,
    /// Population by region (`population.csv`), for the impact's shares.
    pub population: Population,
    /// The verdict's thresholds (`verdict.toml`).
    pub verdict: VerdictRules,
}

impl Patterns {
    /// The patterns embedded in the binary.
    pub fn builtin() -> Result<Patterns> {
        Patterns::from_texts(Texts::builtin()).context("built-in patterns")
    }

    /// The patterns of a directory laid out like `patterns/`.
    pub fn from_dir(dir: &Path) -> Result<Patterns> {
        let texts = Texts::from_dir(dir)?;
        Patterns::from_texts(texts).with_context(|| format!("patterns in {}", dir.display()))
    }

    /// Compiles one pattern set; every file is checked, so a bad rule never reaches a scan.
    pub(super) fn from_texts(t: Texts) -> Result<Patterns> {
        let idf: IdentifierFile = toml::from_str(&t.identifiers).context("identifiers.toml")?;
        let ff: FieldsFile = toml::from_str(&t.fields).context("fields.toml")?;
        let regions = Regions::parse(&t.regions).context("regions.csv")?;
        let mut roles = fields::roles(&ff)?;
        let month_words = fields::month_words(&ff)?;
        let ids = identifiers::read(idf)?;
        let sources = sources::compile(&t.sources)?;
        let sensitive = sensitive::parse(&t.sensitive)?;
        fields::add_sensitive_roles(&mut roles, sensitive.iter().map(|r| &r.names))?;
        let population = Population::new(t.population);
        population.check()?;
        let sex_words = WordTable::new(&fields::sex_words(&ff)?)?;
        let sex_words_plain = (ff.sex_values.male.iter())
            .chain(&ff.sex_values.female)
            .all(|w| !w.bytes().any(|b| b.is_ascii_digit() || b == b'@'));
        let month_words = WordTable::new(&month_words)?;
        let ids = ids.finish()?;
        let verdict = VerdictRules::parse(&t.verdict)?;
        Ok(Patterns {
            infos: ids.infos,
            regions,
            roles,
            sex_words,
            sex_words_plain,
            month_words,
            nik_keywords: ids.nik_keywords,
            kk_keywords: ids.kk_keywords,
            kk_window: ids.kk_window,
            card_keywords: ids.card_keywords,
            card_window: ids.card_window,
            mobile: ids.mobile,
            operators: ids.operators,
            operator_names: ids.operator_names,
            email_full: ids.email_full,
            domain_classes: ids.domain_classes,
            domain_suffixes: ids.domain_suffixes,
            email_local: ids.email_local,
            sources,
            sensitive,
            population,
            verdict,
        })
    }

    /// A sex field's value (any case, blanks around it ignored): `Some(true)` for female.
    pub fn sex_of(&self, v: &[u8]) -> Option<bool> {
        self.sex_words.get(pack_lower(v.trim_ascii())?)
    }

    /// The month a name of ASCII letters (any case) stands for; `None` for any other bytes,
    /// which no reading of a date takes for a month.
    pub fn month_of(&self, name: &[u8]) -> Option<u8> {
        self.month_words.get(pack_letters(name)?)
    }

    /// The role of a field name (`None` names no field at all).
    pub fn role_of(&self, name: &[u8]) -> Role {
        self.roles
            .get(&normalize_field_name(name))
            .copied()
            .unwrap_or(Role::Other)
    }

    /// The operator of a national number, as an index into `operator_names`.
    pub fn operator_index(&self, b: &[u8]) -> usize {
        if b.len() < 3 || !b[..3].iter().all(u8::is_ascii_digit) {
            return self.operator_names.len() - 1;
        }
        self.operators[prefix3(b)] as usize
    }

    pub fn operator(&self, national: &str) -> &str {
        &self.operator_names[self.operator_index(national.as_bytes())]
    }

    /// The class of a domain (any case), as an index into `domain_class_names()`: the first
    /// class (in file order) with a suffix the domain equals or ends with after a dot.
    pub fn domain_class_index(&self, d: &[u8]) -> usize {
        let tail = tail16(d);
        self.domain_suffixes
            .iter()
            .find(|s| s.ends(d, &tail))
            .map_or(self.domain_classes.len(), |s| s.class)
    }

    pub fn domain_class_names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .domain_classes
            .iter()
            .map(|(c, _)| c.as_str())
            .collect();
        v.push("other");
        v
    }

    pub fn domain_class(&self, domain: &str) -> &str {
        self.domain_class_names()[self.domain_class_index(domain.as_bytes())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    #[test]
    fn a_broken_shape_is_refused_at_load() {
        let builtin = Texts::builtin();
        let broken = builtin
            .identifiers
            .replacen(r"shape = '\b[0-9]{16}\b'", "shape = '[0-9'", 1);
        assert_ne!(broken, builtin.identifiers, "the NIK shape moved");
        let texts = Texts {
            identifiers: broken,
            ..Texts::builtin()
        };
        let e = Patterns::from_texts(texts)
            .err()
            .expect("a broken shape must not load");
        assert!(format!("{e:#}").contains("nik shape"), "{e:#}");
    }

    #[test]
    fn sex_words_are_plain_unless_one_holds_a_digit_or_an_at() {
        assert!(
            pats().sex_words_plain,
            "a sex field's words are searched again"
        );
        for odd in ["\"p2\"", "\"f@\""] {
            let builtin = Texts::builtin();
            let fields = builtin.fields.replacen("\"wanita\"", odd, 1);
            assert_ne!(fields, builtin.fields, "the female words moved");
            let p = Patterns::from_texts(Texts { fields, ..builtin }).unwrap();
            assert!(!p.sex_words_plain, "{odd}");
        }
    }

    #[test]
    fn builtin_patterns_load() {
        let p = pats();
        assert!(p.regions.has_province(31));
        assert!(!p.regions.has_province(0));
        assert!(p.regions.has_regency(3171));
        assert!(p.regions.has_district(317101));
        // Pre-2022 Papua codes stay valid (union of editions).
        assert!(p.regions.has_district(910101));
        assert!(!p.regions.has_district(999999));
        assert_eq!(p.role_of(b"PS_NOKA"), Role::BpjsCard);
        assert_eq!(p.role_of(b"Tgl Lahir"), Role::BirthDate);
        assert_eq!(p.role_of(b"no-ktp"), Role::Nik);
        assert_eq!(p.role_of(b"NAMA"), Role::Other);
        assert_eq!(p.operator("8123456789"), "Telkomsel");
        assert_eq!(p.operator("8951234567"), "Indosat");
        assert_eq!(p.operator("8281234567"), "other");
        assert_eq!(p.domain_class("kemkes.go.id"), "gov");
        assert_eq!(p.domain_class("ui.ac.id"), "edu");
        assert_eq!(p.domain_class("bpjs-kesehatan.id"), "id");
        assert_eq!(p.domain_class("yahoo.co.id"), "free");
        assert_eq!(p.domain_class("example.com"), "other");
        assert_eq!(p.domain_class("notgo.id"), "id");
        assert_eq!(
            p.regions.name("31").unwrap().name,
            "Daerah Khusus Ibukota Jakarta"
        );
        assert!(p.regions.name("9101").unwrap().editions.contains("2016"));
        let r = &p.regions;
        assert_eq!(
            r.name("3171").unwrap().name,
            "Kota Administrasi Jakarta Pusat"
        );
        assert_eq!(r.name("317101").unwrap().name, "Gambir");
        assert_eq!(r.name("910101").unwrap().editions, "2016, 2018, 2020, 2022");
        // Each level answers only for its own codes.
        assert!(r.name("0000").is_none() && r.name("317199").is_none() && r.name("317").is_none());
    }

    #[test]
    fn spec_minimum_synonyms_present() {
        let p = pats();
        let want = [
            (Role::Nik, &["nik", "noktp", "ktp"][..]),
            (Role::Kk, &["nokk", "nkk", "kk"]),
            (Role::BpjsCard, &["noka", "psnoka", "nokartu", "nobpjs"]),
            (
                Role::BirthDate,
                &["tgllhr", "tgllahir", "tanggallahir", "dob", "birthdate"],
            ),
            (
                Role::Sex,
                &["jenkel", "jk", "jeniskelamin", "sex", "gender"],
            ),
            (Role::Phone, &["nohp", "hp", "telp", "phone", "msisdn"]),
            (Role::Email, &["email"]),
            (Role::Npwp, &["npwp", "nonpwp"]),
            (Role::Nip, &["nip", "nipbaru"]),
        ];
        for (role, names) in want {
            for n in names {
                assert_eq!(p.role_of(n.as_bytes()), role, "{n}");
            }
        }
    }
}
