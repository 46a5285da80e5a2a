//! `identifiers.toml` compiled: each kind's description ([`PatternInfo`]), the keyword lists
//! that tell a NIK from a KK and find card numbers, the mobile rule and phone operators, the
//! e-mail rule and domain classes. Compiles the syntax of [`crate::rules::syntax`] into
//! [`crate::rules::dfa`] rules; imports the kinds and the word helpers besides.

use anyhow::{bail, Context, Result};

use crate::rules::dfa::{ClassPrefix, Rule};
use crate::rules::kind::Kind;
use crate::rules::syntax::{Example, IdentifierFile, RawPattern};
use crate::rules::words::tail16;

/// The description of one identifier kind, as listed by `triage patterns`.
#[derive(Clone, Debug)]
pub struct PatternInfo {
    pub kind: Kind,
    pub name: String,
    pub shape: String,
    pub about: String,
    pub examples: Vec<Example>,
    pub negative_examples: Vec<Example>,
}

/// What `identifiers.toml` compiles to: the identifier half of `Patterns`, whose fields
/// document these.
pub(super) struct Identifiers {
    pub infos: Vec<PatternInfo>,
    pub nik_keywords: Vec<String>,
    pub kk_keywords: Vec<String>,
    pub kk_window: usize,
    pub card_keywords: Vec<String>,
    pub card_window: usize,
    pub mobile: Rule,
    pub operators: Vec<u8>,
    pub operator_names: Vec<String>,
    pub email_full: Rule,
    pub domain_classes: Vec<(String, Vec<String>)>,
    pub domain_suffixes: Vec<Suffix>,
    pub email_local: Option<ClassPrefix>,
}

/// `identifiers.toml` read pattern by pattern; the parts that need each other (the e-mail
/// rule is one automaton of three parts) are put together by [`Parts::finish`].
#[derive(Default)]
pub(super) struct Parts {
    infos: Vec<PatternInfo>,
    nik_keywords: Vec<String>,
    kk_keywords: Vec<String>,
    kk_window: Option<usize>,
    card_keywords: Vec<String>,
    card_window: Option<usize>,
    mobile: Option<Rule>,
    operators: Vec<(String, usize)>,
    operator_names: Vec<String>,
    local: Option<String>,
    label: Option<String>,
    tld: Option<String>,
    domain_classes: Vec<(String, Vec<String>)>,
}

/// Reads every pattern of the file; each kind must have one.
pub(super) fn read(idf: IdentifierFile) -> Result<Parts> {
    let mut p = Parts::default();
    for raw in idf.pattern {
        let kind = Kind::from_name(&raw.kind)
            .with_context(|| format!("identifiers.toml: unknown kind {:?}", raw.kind))?;
        // Only checked here (the baseline tools and `patterns` show it): parsing is enough,
        // and compiling five regexes at every start was a tenth of the start-up.
        regex_automata::util::syntax::parse(&raw.shape)
            .with_context(|| format!("identifiers.toml: {} shape", raw.kind))?;
        p.take(kind, &raw)?;
        p.infos.push(PatternInfo {
            kind,
            name: raw.name,
            shape: raw.shape,
            about: raw.about,
            examples: raw.examples,
            negative_examples: raw.negative_examples,
        });
    }
    for k in Kind::ALL {
        if !p.infos.iter().any(|i| i.kind == k) {
            bail!("identifiers.toml: no pattern for kind {}", k.name());
        }
    }
    Ok(p)
}

/// A list of strings in a pattern file.
fn strings(kind: Kind, v: &toml::Value, what: &str) -> Result<Vec<String>> {
    v.as_array()
        .and_then(|a| {
            a.iter()
                .map(|x| x.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .with_context(|| format!("{} {what}: expected a list of strings", kind.name()))
}

impl Parts {
    fn take(&mut self, kind: Kind, raw: &RawPattern) -> Result<()> {
        match kind {
            Kind::Nik => {
                self.nik_keywords = raw.nik_keywords.clone();
                self.kk_keywords = raw.kk_keywords.clone();
                self.kk_window = raw.keyword_window;
            }
            Kind::BpjsCard => {
                self.card_keywords = raw.keywords.clone();
                self.card_window = raw.keyword_window;
            }
            Kind::Phone => self.take_phone(raw)?,
            Kind::Email => self.take_email(raw)?,
            // Their rules are SPEC §5's alone: nothing to tune in the file.
            Kind::Kk | Kind::Npwp | Kind::Nip => {}
        }
        Ok(())
    }

    fn take_phone(&mut self, raw: &RawPattern) -> Result<()> {
        self.mobile = raw
            .mobile
            .as_deref()
            .map(|s| Rule::new(s).context("phone mobile"))
            .transpose()?;
        for (op, prefixes) in &raw.operators {
            let idx = self.operator_names.len();
            if idx >= 250 {
                bail!("too many phone operators");
            }
            self.operator_names.push(op.clone());
            for p in strings(Kind::Phone, prefixes, "operators")? {
                if p.len() != 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    bail!("phone operator {op}: prefix {p:?} is not three digits");
                }
                self.operators.push((p, idx));
            }
        }
        self.operator_names.push("other".to_string());
        self.operators.sort();
        if let Some(w) = self.operators.windows(2).find(|w| w[0].0 == w[1].0) {
            bail!("phone prefix {} belongs to two operators", w[0].0);
        }
        Ok(())
    }

    fn take_email(&mut self, raw: &RawPattern) -> Result<()> {
        self.local = raw.local.clone();
        self.label = raw.label.clone();
        self.tld = raw.tld.clone();
        for (class, suffixes) in &raw.domain_classes {
            let list = strings(Kind::Email, suffixes, "domain_classes")?
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect();
            self.domain_classes.push((class.clone(), list));
        }
        // `id` is a catch-all for `.id` and must come after gov and edu.
        let order = |c: &str| match c {
            "gov" => 0,
            "edu" => 1,
            "free" => 2,
            "id" => 3,
            _ => 4,
        };
        self.domain_classes.sort_by_key(|(c, _)| order(c));
        Ok(())
    }

    /// The compiled identifier rules; keywords are matched lower-case.
    pub(super) fn finish(self) -> Result<Identifiers> {
        let lower = |v: Vec<String>| v.into_iter().map(|s| s.to_lowercase()).collect();
        let mobile = self
            .mobile
            .context("identifiers.toml: phone needs `mobile`")?;
        let operators = operator_table(&self.operators, self.operator_names.len());
        let email_full = email_rule(&self.local, &self.label, &self.tld)?;
        let email_local = email_full.class_prefix(b'@', MAX_LOCAL);
        Ok(Identifiers {
            infos: self.infos,
            nik_keywords: lower(self.nik_keywords),
            kk_keywords: lower(self.kk_keywords),
            kk_window: self.kk_window.unwrap_or(32),
            card_keywords: lower(self.card_keywords),
            card_window: self.card_window.unwrap_or(32),
            mobile,
            operators,
            operator_names: self.operator_names,
            email_full,
            domain_suffixes: self
                .domain_classes
                .iter()
                .enumerate()
                .flat_map(|(i, (_, suffixes))| suffixes.iter().map(move |s| Suffix::new(i, s)))
                .collect(),
            domain_classes: self.domain_classes,
            email_local,
        })
    }
}

/// Operator index by three-digit prefix `000`..`999`; prefixes of no operator get the last
/// index (`other`).
fn operator_table(prefixes: &[(String, usize)], names: usize) -> Vec<u8> {
    let other = names as u8 - 1;
    let mut table = vec![other; 1000];
    for (prefix, idx) in prefixes {
        table[prefix.parse::<usize>().expect("checked digits")] = *idx as u8;
    }
    table
}

/// `local@(label.)+tld`: the parts are only ever matched together, so one automaton,
/// compiled once.
/// The longest local part of an address (RFC 5321, SPEC §5).
pub const MAX_LOCAL: usize = 64;

fn email_rule(
    local: &Option<String>,
    label: &Option<String>,
    tld: &Option<String>,
) -> Result<Rule> {
    let part = |r: &Option<String>, what: &str| -> Result<String> {
        let r = r
            .as_deref()
            .with_context(|| format!("identifiers.toml: email needs `{what}`"))?;
        let s = r.strip_prefix('^').unwrap_or(r);
        Ok(s.strip_suffix('$').unwrap_or(s).to_string())
    };
    Rule::new(&format!(
        "^(?:{})@(?:(?:{})\\.)+(?:{})$",
        part(local, "local")?,
        part(label, "label")?,
        part(tld, "tld")?
    ))
}

/// One domain-class suffix, lower-cased, as the last 16 bytes of a domain would hold it:
/// `tail[1]` is the last 8 bytes (the suffix's last byte in the top byte), `tail[0]` the 8
/// before; `mask` keeps the suffix's bytes. A class lookup is then a few word compares per
/// suffix instead of a walk over the domain's bytes.
#[derive(Clone, Debug)]
pub(super) struct Suffix {
    pub class: usize,
    len: usize,
    tail: [u64; 2],
    mask: [u64; 2],
    text: String,
}

impl Suffix {
    pub(super) fn new(class: usize, text: &str) -> Suffix {
        let text = text.to_ascii_lowercase();
        let len = text.len();
        let tail = tail16(text.as_bytes());
        let mut mask = [0u64; 2];
        let kept = len.min(16);
        for (k, m) in mask.iter_mut().enumerate() {
            // Byte i of the 16 (0 = first) belongs to the suffix when i >= 16 - kept.
            for i in 0..8 {
                if k * 8 + i >= 16 - kept {
                    *m |= 0xFF << (8 * i);
                }
            }
        }
        Suffix {
            class,
            len,
            tail,
            mask,
            text,
        }
    }

    pub(super) fn ends(&self, d: &[u8], tail: &[u64; 2]) -> bool {
        let n = d.len();
        if n < self.len || (n > self.len && d[n - self.len - 1] != b'.') {
            return false;
        }
        if self.len > 16 {
            return self
                .text
                .as_bytes()
                .eq_ignore_ascii_case(&d[n - self.len..]);
        }
        (tail[0] & self.mask[0]) == self.tail[0] && (tail[1] & self.mask[1]) == self.tail[1]
    }
}
