//! Field names and the words of `fields.toml`: what a named field holds ([`Role`]), how
//! names compare, and the sex values and month names as packed words. Compiles the syntax of
//! [`crate::rules::syntax`] with the word helpers of [`crate::rules::words`]; imports
//! nothing else.

use std::collections::HashMap;

use anyhow::{bail, Context, Result};

use crate::rules::syntax::FieldsFile;
use crate::rules::words::pack_lower;

/// What a named field holds, from its name alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Nik,
    Kk,
    BpjsCard,
    BirthDate,
    Sex,
    Phone,
    Email,
    Npwp,
    Nip,
    /// A named field with no special meaning.
    Other,
    /// A named field that may reveal sensitive data: the index of its rule in
    /// `Patterns::sensitive`. Detection treats it like `Other`.
    Sensitive(u16),
    /// The record has no field names (plain text, headerless rows).
    Unnamed,
}

/// Field names compare case-insensitively without `_`, `-`, `.` and spaces (SPEC §4).
pub fn normalize_field_name(name: &[u8]) -> String {
    let mut out = String::with_capacity(name.len());
    for &b in name {
        if !matches!(b, b'_' | b'-' | b'.' | b' ' | b'\t' | b'"' | b'\'' | b'`') {
            out.push(b.to_ascii_lowercase() as char);
        }
    }
    out
}

/// Normalized field name → role, from the synonyms of `fields.toml`.
pub(super) fn roles(ff: &FieldsFile) -> Result<HashMap<String, Role>> {
    let mut roles = HashMap::new();
    for (role, names) in &ff.roles {
        let role = match role.as_str() {
            "nik" => Role::Nik,
            "kk" => Role::Kk,
            "bpjs_card" => Role::BpjsCard,
            "birth_date" => Role::BirthDate,
            "sex" => Role::Sex,
            "phone" => Role::Phone,
            "email" => Role::Email,
            "npwp" => Role::Npwp,
            "nip" => Role::Nip,
            other => bail!("fields.toml: unknown role {other:?}"),
        };
        for n in names {
            if let Some(prev) = roles.insert(normalize_field_name(n.as_bytes()), role) {
                if prev != role {
                    bail!("fields.toml: {n:?} is a synonym of two roles");
                }
            }
        }
    }
    Ok(roles)
}

/// Gives the field names of each sensitive rule (in rule order) their [`Role::Sensitive`].
/// An identifier synonym keeps its role; the first sensitive rule wins.
pub(super) fn add_sensitive_roles<'a>(
    roles: &mut HashMap<String, Role>,
    names_by_rule: impl Iterator<Item = &'a Vec<String>>,
) -> Result<()> {
    for (i, names) in names_by_rule.enumerate() {
        let i = u16::try_from(i).context("sensitive.toml: too many rules")?;
        for n in names {
            roles
                .entry(normalize_field_name(n.as_bytes()))
                .or_insert(Role::Sensitive(i));
        }
    }
    Ok(())
}

/// Month names, packed ([`pack_lower`]) → month, sorted and without repeats.
pub(super) fn month_words(ff: &FieldsFile) -> Result<Vec<(u128, u8)>> {
    let mut month_words = Vec::new();
    for (num, names) in &ff.months {
        let m: u8 = num
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .with_context(|| format!("fields.toml: month {num:?}"))?;
        for n in names {
            let k = pack_lower(n.as_bytes())
                .with_context(|| format!("fields.toml: month name {n:?} is not 1 to 15 bytes"))?;
            month_words.push((k, m));
        }
    }
    month_words.sort_unstable();
    month_words.dedup_by_key(|e| e.0);
    Ok(month_words)
}

/// Sex values, packed → female, sorted and without repeats.
pub(super) fn sex_words(ff: &FieldsFile) -> Result<Vec<(u128, bool)>> {
    let mut sex_words = Vec::new();
    for (list, female) in [(&ff.sex_values.male, false), (&ff.sex_values.female, true)] {
        for w in list {
            let k = pack_lower(w.as_bytes())
                .with_context(|| format!("fields.toml: sex value {w:?} is not 1 to 15 bytes"))?;
            sex_words.push((k, female));
        }
    }
    // A word in both lists reads as female, as it always has.
    sex_words.sort_unstable_by_key(|&(k, female)| (k, !female));
    sex_words.dedup_by_key(|e| e.0);
    Ok(sex_words)
}
