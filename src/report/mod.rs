//! Rendering: the JSON summary of SPEC §7, the text summary for a person, the per-file CSV,
//! the `--expect` comparison, and masks. Every writer takes any `io::Write`.

pub mod html;
pub mod records;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value};

use crate::analyze::detect::{Detector, Found};
use crate::escape::escape_controls;
use crate::mask::mask;
use crate::rules::sensitive::CATEGORIES;
use crate::rules::{Kind, Patterns};
use crate::summary::attribution::attribute;
use crate::summary::impact::{Impact, RegionPeople, AGE_BANDS};
use crate::summary::{reasons, FileStats, State, Summary};

pub const SCHEMA: &str = "triage.summary/1";

/// The sections a summary holds outside `run` and `schema`, and whether each is an array:
/// an `--expect` baseline must hold every one (SPEC §2), or the comparison could not fail
/// on what it lacks. SPEC §7's `verdict` and `custody` join the list when the summary has
/// them.
pub const SECTIONS: [(&str, bool); 8] = [
    ("ledger", false),
    ("records", false),
    ("identifiers", false),
    ("attribution", true),
    ("impact", false),
    ("sensitive", false),
    ("reference", false),
    ("files", true),
];

/// Why `baseline` cannot be an `--expect` baseline, if it cannot.
pub fn check_baseline(baseline: &Value) -> Result<(), String> {
    let Some(b) = baseline.as_object() else {
        return Err("it is not a JSON object".into());
    };
    if b.get("schema").and_then(Value::as_str) != Some(SCHEMA) {
        return Err(format!("it does not have \"schema\": \"{SCHEMA}\""));
    }
    let missing: Vec<&str> = SECTIONS
        .iter()
        .filter(|(name, array)| match b.get(*name) {
            Some(v) if *array => !v.is_array(),
            Some(v) => !v.is_object(),
            None => true,
        })
        .map(|(name, _)| *name)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "it lacks the section(s) {} (or holds them in another shape)",
            missing.join(", ")
        ));
    }
    Ok(())
}

/// The non-deterministic part of a summary.
#[derive(Clone, Debug)]
pub struct RunInfo {
    pub threads: usize,
    pub elapsed_s: f64,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (a as f64 / b as f64 * 10_000.0).round() / 10_000.0
    }
}

/// The JSON summary (SPEC §7), whole: for tests and callers that edit it. A scan writes
/// [`summary_report`], which holds the same without a value per file.
pub fn summary_json(s: &Summary, p: &Patterns, run: &RunInfo) -> Value {
    summary_report(s, p, run).into_value()
}

/// One row of `files`.
fn file_row(path: &str, f: &FileStats) -> Value {
    let mut valid = Map::new();
    for k in Kind::ALL {
        valid.insert(k.name().into(), json!(f.valid[k.index()]));
    }
    json!({
        "path": path,
        "format": f.format,
        "state": f.state.name(),
        "bytes": f.bytes,
        "records": f.records,
        "confirmed": f.confirmed,
        "valid": valid,
    })
}

/// The summary of SPEC §7 ready to be written: every section a JSON value, except the rows
/// of `files`, made one at a time as they are written. A value per row cost 1.4 KB a file,
/// held twice while it was copied into the summary: 200,000 files took 600 MB of the scan's
/// 912 MB peak (issue 20 rule 7). It reads as the JSON value it stands for with `files`
/// empty; the writers take it as a [`SummaryView`], which has the rows.
pub struct Report<'a> {
    v: Value,
    files: &'a BTreeMap<String, FileStats>,
    /// Masks the names of the rows as they are made ([`Report::mask_names`]).
    mask: Option<&'a Patterns>,
}

impl std::ops::Deref for Report<'_> {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.v
    }
}

impl<'a> Report<'a> {
    /// [`mask_names`]: the problems now, each row's name when it is made.
    pub fn mask_names(&mut self, p: &'a Patterns) {
        mask_names(&mut self.v, p);
        self.mask = Some(p);
    }

    /// The whole JSON value, rows included.
    pub fn into_value(self) -> Value {
        let rows: Vec<Value> = self.file_rows().map(Cow::into_owned).collect();
        let mut v = self.v;
        v["files"] = Value::Array(rows);
        v
    }
}

/// A summary as the writers read it: a JSON value, and the rows of its `files`, which a
/// [`Report`] makes on demand and a plain value holds.
pub trait SummaryView {
    /// Every section; `files` may be empty here (see [`SummaryView::file_rows`]).
    fn json(&self) -> &Value;
    fn file_rows(&self) -> FileRows<'_>;
}

impl SummaryView for Value {
    fn json(&self) -> &Value {
        self
    }
    fn file_rows(&self) -> FileRows<'_> {
        let rows = self["files"].as_array().map_or(&[][..], Vec::as_slice);
        FileRows::Values(rows.iter())
    }
}

impl SummaryView for Report<'_> {
    fn json(&self) -> &Value {
        &self.v
    }
    fn file_rows(&self) -> FileRows<'_> {
        FileRows::Made(self.files.iter(), self.mask.map(NameMasker::new))
    }
}

/// The rows of `files`, in path order.
pub enum FileRows<'a> {
    Values(std::slice::Iter<'a, Value>),
    Made(
        std::collections::btree_map::Iter<'a, String, FileStats>,
        Option<NameMasker<'a>>,
    ),
}

impl<'a> Iterator for FileRows<'a> {
    type Item = Cow<'a, Value>;
    fn next(&mut self) -> Option<Cow<'a, Value>> {
        match self {
            FileRows::Values(it) => it.next().map(Cow::Borrowed),
            FileRows::Made(it, mask) => {
                let (path, f) = it.next()?;
                let path = match mask {
                    Some(m) => m.mask(path),
                    None => Cow::Borrowed(path.as_str()),
                };
                Some(Cow::Owned(file_row(&path, f)))
            }
        }
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            FileRows::Values(it) => it.size_hint(),
            FileRows::Made(it, _) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for FileRows<'_> {}

/// A summary serialized as its JSON value would be, its rows written as they are made.
struct Whole<'a, S: ?Sized>(&'a S);

impl<S: SummaryView + ?Sized> Serialize for Whole<'_, S> {
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        let Some(map) = self.0.json().as_object() else {
            return self.0.json().serialize(z);
        };
        let mut m = z.serialize_map(Some(map.len()))?;
        for (k, v) in map {
            if k == "files" {
                m.serialize_entry(k, &Rows(self.0))?;
            } else {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

struct Rows<'a, S: ?Sized>(&'a S);

impl<S: SummaryView + ?Sized> Serialize for Rows<'_, S> {
    fn serialize<Z: Serializer>(&self, z: Z) -> Result<Z::Ok, Z::Error> {
        z.collect_seq(self.0.file_rows())
    }
}

/// The JSON summary (SPEC §7) with its rows to be made as they are written.
pub fn summary_report<'a>(s: &'a Summary, p: &Patterns, run: &RunInfo) -> Report<'a> {
    let st = &s.stats;
    let problems: Vec<Value> = s
        .files
        .iter()
        .filter(|(_, f)| f.state != State::Scanned)
        .map(|(path, f)| json!({"path": path, "state": f.state.name(), "reason": f.reason}))
        .collect();
    let ledger = json!({
        "entries": s.files.len(),
        "bytes": s.bytes(),
        "scanned": s.count(State::Scanned),
        "partial": s.count(State::Partial),
        "skipped": s.count(State::Skipped),
        "failed": s.count(State::Failed),
        "problems": problems,
    });
    let r = &st.records;
    let records = json!({
        "total": r.total,
        "with_candidates": r.with_candidates,
        "with_valid_nik": r.with_valid_nik,
        "confirmed": r.confirmed,
        "confirmed_by": {
            "birth_date": r.by_birth_date,
            "bpjs_card": r.by_bpjs_card,
            "reference": r.by_reference,
        },
        "reference_matched": r.reference_matched,
    });

    let mut ids = Map::new();
    for kind in Kind::ALL {
        let ks = &st.kinds[kind.index()];
        let mut invalid = Map::new();
        for (i, reason) in reasons(kind).iter().enumerate() {
            invalid.insert(reason.to_string(), json!(ks.invalid[i]));
        }
        let mut o = Map::new();
        o.insert("candidates".into(), json!(ks.candidates));
        o.insert("valid".into(), json!(ks.valid));
        o.insert("unique".into(), json!(ks.unique.len()));
        o.insert("invalid".into(), Value::Object(invalid));
        match kind {
            Kind::Nik => {
                let mut prov = Map::new();
                for (code, &n) in st.provinces.iter().enumerate() {
                    if n > 0 {
                        prov.insert(format!("{code:02}"), json!(n));
                    }
                }
                o.insert("damaged".into(), json!(st.nik_damaged));
                o.insert("valid_share".into(), json!(ratio(ks.valid, ks.candidates)));
                o.insert("female".into(), json!(st.nik_female));
                o.insert("male".into(), json!(st.nik_male));
                o.insert("provinces".into(), Value::Object(prov));
                o.insert("birth_date_agree".into(), json!(st.birth_date_agree));
                o.insert("birth_date_disagree".into(), json!(st.birth_date_disagree));
                o.insert("sex_agree".into(), json!(st.sex_agree));
                o.insert("sex_disagree".into(), json!(st.sex_disagree));
            }
            Kind::BpjsCard => {
                o.insert("restored".into(), json!(st.card_restored));
            }
            Kind::Phone => {
                let mut ops = Map::new();
                for (i, &n) in st.operators.iter().enumerate() {
                    if n > 0 {
                        ops.insert(p.operator_names[i].clone(), json!(n));
                    }
                }
                o.insert("operators".into(), Value::Object(ops));
            }
            Kind::Email => {
                let names = p.domain_class_names();
                let mut classes = Map::new();
                for (i, &n) in st.domain_classes.iter().enumerate() {
                    if n > 0 {
                        classes.insert(names[i].to_string(), json!(n));
                    }
                }
                o.insert("domain_classes".into(), Value::Object(classes));
            }
            Kind::Kk => {}
        }
        ids.insert(kind.name().into(), Value::Object(o));
    }

    let attribution: Vec<Value> = attribute(s, p)
        .into_iter()
        .map(|a| {
            json!({"source": a.source, "name": a.name, "score": a.score, "evidence": a.evidence,
                   "why": a.why})
        })
        .collect();

    let bytes = s.bytes();
    let v = json!({
        "schema": SCHEMA,
        "ledger": ledger,
        "records": records,
        "identifiers": ids,
        "attribution": attribution,
        "impact": impact_json(s, p),
        "sensitive": sensitive_json(s),
        "reference": json!({
            "given": s.reference.is_some(),
            "entries": s.reference.unwrap_or(0),
            "records_matched": r.reference_matched,
            "people_matched": s.stats.reference_people.len(),
        }),
        // Made row by row as it is written (see `Report`).
        "files": [],
        "run": {
            "version": env!("CARGO_PKG_VERSION"),
            "threads": run.threads,
            "elapsed_s": (run.elapsed_s * 1000.0).round() / 1000.0,
            "bytes_per_s": if run.elapsed_s > 0.0 { (bytes as f64 / run.elapsed_s).round() } else { 0.0 },
        },
    });
    Report {
        v,
        files: &s.files,
        mask: None,
    }
}

/// Distinct people by region, sex and age (SPEC §7 `impact`, issue 5), from the sorted set
/// of distinct valid NIKs: counted by [`Summary::settle`] at the end of a scan, here
/// otherwise.
fn impact_json(s: &Summary, p: &Patterns) -> Value {
    let set = &s.stats.kinds[Kind::Nik.index()].unique;
    let im = match (&s.impact, set.sorted()) {
        (Some(im), _) if im.as_of == s.as_of => im.clone(),
        (_, Some(v)) => Impact::from_niks(v, s.as_of),
        (_, None) => {
            let mut c = set.clone();
            c.compact();
            Impact::from_niks(c.sorted().into_iter().flatten(), s.as_of)
        }
    };
    let region = |code: u32, width: usize, r: &RegionPeople| {
        let pop = p.population.get(code);
        let name = match pop {
            Some((n, _)) => n.to_string(),
            // A code the 2025 table no longer has (Papua before its 2022 split): a NIK keeps it.
            None => p
                .regions
                .name(&format!("{code:0width$}"))
                .map_or(String::new(), |r| {
                    if r.editions.contains("2025") {
                        r.name.clone()
                    } else {
                        format!("{} (code retired by 2025)", r.name)
                    }
                }),
        };
        json!({
            "name": name,
            "people": r.people,
            "female": r.female,
            "male": r.people - r.female,
            "children": r.children,
            "population": pop.map(|(_, t)| t),
            "share": pop.map(|(_, t)| share(r.people, t)),
        })
    };
    let mut provinces = Map::new();
    for (code, r) in &im.provinces {
        provinces.insert(format!("{code:02}"), region(*code, 2, r));
    }
    let mut regencies = Map::new();
    for (code, r) in &im.regencies {
        regencies.insert(format!("{code:04}"), region(*code, 4, r));
    }
    let mut bands = Map::new();
    for (i, (label, ..)) in AGE_BANDS.iter().enumerate() {
        bands.insert(
            label.to_string(),
            json!({"female": im.age_bands[i][0], "male": im.age_bands[i][1]}),
        );
    }
    json!({
        "as_of": im.as_of.map(|d| d.to_string()),
        "people": im.people,
        "female": im.female,
        "male": im.male,
        "children": im.children,
        "age_bands": bands,
        "provinces": provinces,
        "regencies": regencies,
    })
}

/// A share of a population, to 6 significant places (people are few per region).
fn share(a: u64, b: u64) -> f64 {
    if a == 0 || b == 0 {
        0.0
    } else {
        let x = a as f64 / b as f64;
        let scale = 10f64.powi(6 - x.log10().ceil().min(0.0) as i32);
        (x * scale).round() / scale
    }
}

/// Records per sensitive-data category (UU 27/2022 art. 4(2)), every category listed.
fn sensitive_json(s: &Summary) -> Value {
    let mut m = Map::new();
    for (i, (id, name, article)) in CATEGORIES.iter().enumerate() {
        m.insert(
            id.to_string(),
            json!({"name": name, "law": format!("UU 27/2022 {article}"), "records": s.stats.sensitive[i]}),
        );
    }
    Value::Object(m)
}

pub fn write_json<W: Write + ?Sized>(
    w: &mut W,
    summary: &(impl SummaryView + ?Sized),
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &Whole(summary))?;
    writeln!(w)
}

fn get<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| &v[k])
}

fn n(v: &Value, path: &str) -> u64 {
    get(v, path).as_u64().unwrap_or(0)
}

fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", a as f64 * 100.0 / b as f64)
    }
}

/// The text summary: headline, a table per identifier kind, top provinces, ledger problems.
pub fn write_text<W: Write + ?Sized>(w: &mut W, v: &Value, p: &Patterns) -> io::Result<()> {
    let total = n(v, "records.total");
    let confirmed = n(v, "records.confirmed");
    let people = n(v, "identifiers.nik.unique");
    let best = &v["attribution"][0];
    writeln!(w, "triage summary")?;
    writeln!(w, "==============")?;
    writeln!(
        w,
        "records     {total}  ({} with a valid NIK, {} with any candidate)",
        n(v, "records.with_valid_nik"),
        n(v, "records.with_candidates")
    )?;
    writeln!(
        w,
        "confirmed   {confirmed}  ({} of records; by birth date {}, by BPJS card {}, by reference {})",
        pct(confirmed, total),
        n(v, "records.confirmed_by.birth_date"),
        n(v, "records.confirmed_by.bpjs_card"),
        n(v, "records.confirmed_by.reference"),
    )?;
    let im = &v["impact"];
    writeln!(
        w,
        "people      {people} distinct valid NIKs ({} female, {} male; {} children under 18 on {})",
        n(im, "female"),
        n(im, "male"),
        n(im, "children"),
        im["as_of"].as_str().unwrap_or("-"),
    )?;
    if v["reference"]["given"].as_bool() == Some(true) {
        writeln!(
            w,
            "reference   {} of {} reference entries found: {} records",
            n(v, "reference.people_matched"),
            n(v, "reference.entries"),
            n(v, "reference.records_matched"),
        )?;
    }
    writeln!(
        w,
        "source      {} (score {:.2}){}",
        best["name"].as_str().unwrap_or("?"),
        best["score"].as_f64().unwrap_or(0.0),
        match best["evidence"].as_array() {
            Some(e) if !e.is_empty() => format!(
                ": {}",
                e.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => String::new(),
        }
    )?;
    if let Some(others) = v["attribution"].as_array() {
        let rest: Vec<String> = others
            .iter()
            .skip(1)
            .filter(|a| a["score"].as_f64().unwrap_or(0.0) > 0.0 && a["source"] != "unknown")
            .take(3)
            .map(|a| {
                format!(
                    "{} {:.2}",
                    a["source"].as_str().unwrap_or("?"),
                    a["score"].as_f64().unwrap_or(0.0)
                )
            })
            .collect();
        if !rest.is_empty() {
            writeln!(w, "            next: {}", rest.join(", "))?;
        }
    }
    let sens: Vec<String> = v["sensitive"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(_, c)| n(c, "records") > 0)
                .map(|(id, c)| format!("{id} {}", n(c, "records")))
                .collect()
        })
        .unwrap_or_default();
    writeln!(
        w,
        "sensitive   {} (records per UU 27/2022 art. 4(2) category)",
        if sens.is_empty() {
            "none found".to_string()
        } else {
            sens.join(", ")
        }
    )?;
    let agree = n(v, "identifiers.nik.birth_date_agree");
    let disagree = n(v, "identifiers.nik.birth_date_disagree");
    if agree + disagree > 0 {
        writeln!(
            w,
            "agreement   birth date {} agree / {} disagree; sex {} / {}",
            agree,
            disagree,
            n(v, "identifiers.nik.sex_agree"),
            n(v, "identifiers.nik.sex_disagree")
        )?;
    }
    writeln!(w)?;
    writeln!(
        w,
        "{:<10} {:>12} {:>12} {:>12} {:>12}  invalid by reason",
        "kind", "candidates", "valid", "unique", "invalid"
    )?;
    for kind in Kind::ALL {
        let k = &v["identifiers"][kind.name()];
        let inv: Vec<String> = k["invalid"]
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, c)| c.as_u64().unwrap_or(0) > 0)
                    .map(|(r, c)| format!("{r} {c}"))
                    .collect()
            })
            .unwrap_or_default();
        let invalid_total: u64 = k["invalid"]
            .as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0);
        writeln!(
            w,
            "{:<10} {:>12} {:>12} {:>12} {:>12}  {}",
            kind.name(),
            n(k, "candidates"),
            n(k, "valid"),
            n(k, "unique"),
            invalid_total,
            inv.join(", ")
        )?;
    }
    let extras = [
        ("nik", "damaged", "Excel-damaged NIKs"),
        (
            "bpjs_card",
            "restored",
            "card numbers restored to 13 digits",
        ),
    ];
    for (kind, key, what) in extras {
        let c = n(&v["identifiers"][kind], key);
        if c > 0 {
            writeln!(w, "  {c} {what}")?;
        }
    }
    let nik = &v["identifiers"]["nik"];
    writeln!(
        w,
        "  NIK sex: {} female, {} male",
        n(nik, "female"),
        n(nik, "male")
    )?;
    for (label, key) in [
        ("phone operators", "phone.operators"),
        ("e-mail domains", "email.domain_classes"),
    ] {
        if let Some(m) = get(&v["identifiers"], key).as_object() {
            if !m.is_empty() {
                let parts: Vec<String> = m.iter().map(|(k, c)| format!("{k} {c}")).collect();
                writeln!(w, "  {label}: {}", parts.join(", "))?;
            }
        }
    }

    if let Some(prov) = nik["provinces"].as_object() {
        let mut top: Vec<(&String, u64)> = prov
            .iter()
            .map(|(c, n)| (c, n.as_u64().unwrap_or(0)))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        if !top.is_empty() {
            writeln!(w)?;
            writeln!(w, "top provinces (valid NIKs)")?;
            let sum: u64 = top.iter().map(|t| t.1).sum();
            for (code, c) in top.iter().take(10) {
                let name = p.regions.name(code).map_or("?", |r| r.name.as_str());
                writeln!(w, "  {code} {name:<40} {c:>10}  {}", pct(*c, sum))?;
            }
        }
    }

    if let Some(regs) = im["regencies"].as_object() {
        let mut top: Vec<(&String, &Value)> = regs.iter().collect();
        top.sort_by(|a, b| n(b.1, "people").cmp(&n(a.1, "people")).then(a.0.cmp(b.0)));
        if !top.is_empty() {
            writeln!(w)?;
            writeln!(
                w,
                "top regencies (distinct people, share of the population)"
            )?;
            for (code, r) in top.iter().take(10) {
                let share = match r["share"].as_f64() {
                    Some(s) => format!("{:.4}%", s * 100.0),
                    None => "-".into(),
                };
                writeln!(
                    w,
                    "  {code} {:<40} {:>10}  {share}",
                    r["name"].as_str().unwrap_or("?"),
                    n(r, "people")
                )?;
            }
        }
    }
    if let Some(bands) = im["age_bands"].as_object() {
        if n(im, "people") > 0 {
            writeln!(w)?;
            writeln!(
                w,
                "age (on {})      female       male",
                im["as_of"].as_str().unwrap_or("-")
            )?;
            for (label, b) in bands {
                writeln!(
                    w,
                    "  {label:<14} {:>8} {:>10}",
                    n(b, "female"),
                    n(b, "male")
                )?;
            }
        }
    }

    writeln!(w)?;
    let l = &v["ledger"];
    writeln!(
        w,
        "ledger      {} entries, {} bytes: {} scanned, {} partial, {} skipped, {} failed",
        n(l, "entries"),
        n(l, "bytes"),
        n(l, "scanned"),
        n(l, "partial"),
        n(l, "skipped"),
        n(l, "failed")
    )?;
    if let Some(problems) = l["problems"].as_array() {
        for pr in problems {
            writeln!(
                w,
                "  {:<8} {}: {}",
                pr["state"].as_str().unwrap_or("?"),
                escape_controls(pr["path"].as_str().unwrap_or("?")),
                escape_controls(pr["reason"].as_str().unwrap_or(""))
            )?;
        }
    }
    let run = &v["run"];
    writeln!(
        w,
        "run         {:.3} s, {:.1} MB/s, {} threads",
        run["elapsed_s"].as_f64().unwrap_or(0.0),
        run["bytes_per_s"].as_f64().unwrap_or(0.0) / 1e6,
        n(run, "threads")
    )?;
    Ok(())
}

/// One CSV row per ledger entry with its counts; no cell can start a formula
/// ([`crate::escape::csv_cell`]).
pub fn write_csv<W: Write + ?Sized>(
    w: &mut W,
    summary: &(impl SummaryView + ?Sized),
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(w);
    let mut header = vec!["path", "format", "state", "bytes", "records", "confirmed"];
    header.extend(Kind::ALL.iter().map(|k| k.name()));
    header.push("reason");
    out.write_record(&header)?;
    for (f, reason) in file_reasons(summary) {
        let f = &*f;
        let mut row = vec![
            f["path"].as_str().unwrap_or("").to_string(),
            f["format"].as_str().unwrap_or("").to_string(),
            f["state"].as_str().unwrap_or("").to_string(),
            n(f, "bytes").to_string(),
            n(f, "records").to_string(),
            n(f, "confirmed").to_string(),
        ];
        row.extend(
            Kind::ALL
                .iter()
                .map(|k| n(&f["valid"], k.name()).to_string()),
        );
        row.push(reason.to_string());
        out.write_record(row.iter().map(|c| crate::escape::csv_cell(c).into_owned()))?;
    }
    out.flush()
}

/// Each `files` entry with its reason, in order: the ledger's problems are the entries that
/// are not `scanned`, in the same order (matched by position, since two masked names may
/// be alike).
pub fn file_reasons<'a>(
    summary: &'a (impl SummaryView + ?Sized),
) -> impl ExactSizeIterator<Item = (Cow<'a, Value>, &'a str)> {
    let v = summary.json();
    let mut problems = v["ledger"]["problems"].as_array().into_iter().flatten();
    summary.file_rows().map(move |f| {
        let reason = if f["state"] == "scanned" {
            ""
        } else {
            problems
                .next()
                .and_then(|p| p["reason"].as_str())
                .unwrap_or("")
        };
        (f, reason)
    })
}

/// The differences between a summary and a baseline, outside `run`. Keys only in the summary
/// are new information, not a moved count, and are not reported.
pub fn expect_diff(actual: &(impl SummaryView + ?Sized), expected: &Value) -> Vec<String> {
    expect_diff_shown(actual, expected, &|s| s.to_string())
}

/// [`expect_diff`], with every string of either side (entry names, reasons) written through
/// `show`: the differences are an output too (masks, escapes).
pub fn expect_diff_shown(
    actual: &(impl SummaryView + ?Sized),
    expected: &Value,
    show: &dyn Fn(&str) -> String,
) -> Vec<String> {
    let mut out = Vec::new();
    let (a, e) = (actual.json(), expected);
    let (Some(am), Some(em)) = (a.as_object(), e.as_object()) else {
        diff_into("", a, e, show, &mut out);
        return out;
    };
    // The top level, as `diff_into` walks an object, but with the rows of `files` compared
    // as they are made.
    for (k, ev) in em {
        match (k.as_str(), am.get(k), ev) {
            ("run", ..) => {}
            ("files", Some(_), Value::Array(rows)) => {
                diff_rows(&show(k), actual.file_rows(), rows, show, &mut out)
            }
            (_, Some(av), _) => diff_into(&show(k), av, ev, show, &mut out),
            (_, None, _) => out.push(format!(
                "{}: missing (baseline {})",
                show(k),
                render(ev, show)
            )),
        }
    }
    out
}

/// A JSON value as a difference line shows it: its strings through `show`.
fn render(v: &Value, show: &dyn Fn(&str) -> String) -> String {
    fn map(v: &Value, show: &dyn Fn(&str) -> String) -> Value {
        match v {
            Value::String(s) => Value::String(show(s)),
            Value::Array(a) => Value::Array(a.iter().map(|x| map(x, show)).collect()),
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, x)| (show(k), map(x, show))).collect())
            }
            other => other.clone(),
        }
    }
    map(v, show).to_string()
}

fn diff_into(
    path: &str,
    a: &Value,
    e: &Value,
    show: &dyn Fn(&str) -> String,
    out: &mut Vec<String>,
) {
    let label = |k: &str| {
        if path.is_empty() {
            show(k)
        } else {
            format!("{path}.{}", show(k))
        }
    };
    match (a, e) {
        (Value::Object(am), Value::Object(em)) => {
            for (k, ev) in em {
                if path.is_empty() && k == "run" {
                    continue;
                }
                match am.get(k) {
                    Some(av) => diff_into(&label(k), av, ev, show, out),
                    None => out.push(format!(
                        "{}: missing (baseline {})",
                        label(k),
                        render(ev, show)
                    )),
                }
            }
        }
        (Value::Array(aa), Value::Array(ea)) => {
            diff_rows(path, aa.iter().map(Cow::Borrowed), ea, show, out)
        }
        (Value::Number(an), Value::Number(en)) => {
            if an.as_f64() != en.as_f64() {
                out.push(format!("{path}: baseline {en}, scan {an}"));
            }
        }
        _ => {
            if a != e {
                out.push(format!(
                    "{path}: baseline {}, scan {}",
                    render(e, show),
                    render(a, show)
                ));
            }
        }
    }
}

/// Array elements compared in order, each named by its `path` (or `source`) when it has one.
fn diff_rows<'a>(
    path: &str,
    mut aa: impl Iterator<Item = Cow<'a, Value>>,
    ea: &[Value],
    show: &dyn Fn(&str) -> String,
    out: &mut Vec<String>,
) {
    let name = |v: &Value, i: usize| match v.get("path").or_else(|| v.get("source")) {
        Some(Value::String(s)) => format!("{path}[{}]", show(s)),
        _ => format!("{path}[{i}]"),
    };
    let key = |v: &Value| v.get("path").or_else(|| v.get("source")).cloned();
    for (i, ev) in ea.iter().enumerate() {
        match aa.next() {
            Some(av) if key(&av) == key(ev) => diff_into(&name(ev, i), &av, ev, show, out),
            Some(av) => out.push(format!(
                "{path}[{i}]: baseline has {}, scan has {}",
                name(ev, i),
                name(&av, i)
            )),
            None => out.push(format!("{}: missing", name(ev, i))),
        }
    }
    for (i, av) in aa.enumerate() {
        out.push(format!("{}: not in baseline", name(&av, ea.len() + i)));
    }
}

/// Writes each name of a summary as outputs show it without `--reveal` (SPEC §7: names are
/// outputs too): every entry's path, and every reason, which may quote a member's name.
pub fn mask_names(v: &mut Value, p: &Patterns) {
    let mut m = NameMasker::new(p);
    let mut fix = |x: &mut Value| {
        if let Value::String(s) = x {
            if let Cow::Owned(masked) = m.mask(s) {
                *s = masked;
            }
        }
    };
    for pr in v["ledger"]["problems"].as_array_mut().into_iter().flatten() {
        fix(&mut pr["path"]);
        fix(&mut pr["reason"]);
    }
    for f in v["files"].as_array_mut().into_iter().flatten() {
        fix(&mut f["path"]);
    }
}

/// Masks the identifiers in names and messages: the data's own detector finds them, so any
/// candidate of any kind, valid or not, is masked as a value is (SPEC §7); a run of 13 or
/// more digits it does not take for a candidate (a card without its keyword, an NPWP, a
/// NIP) keeps only its first 4 and last 2 digits, as a card does.
pub struct NameMasker<'p> {
    detector: Detector<'p>,
    found: Vec<Found>,
}

/// The fewest digits of a run masked although the detector found no candidate in it.
const LONG_DIGITS: usize = 13;

impl<'p> NameMasker<'p> {
    pub fn new(p: &'p Patterns) -> Self {
        NameMasker {
            detector: Detector::new(p),
            found: Vec::new(),
        }
    }

    pub fn mask<'a>(&mut self, name: &'a str) -> Cow<'a, str> {
        let b = name.as_bytes();
        self.detector
            .detect(b, crate::rules::Role::Unnamed, &mut self.found);
        let mut spans: Vec<(usize, usize, String)> = self
            .found
            .iter()
            .filter_map(|f| {
                let (s, e) = f.span();
                let m = match *f {
                    Found::Sixteen { kind, digits, .. } => mask(kind, ascii(&digits)),
                    Found::Card { digits, .. } => mask(Kind::BpjsCard, ascii(&digits)),
                    Found::Phone { .. } => mask(
                        Kind::Phone,
                        &format!("+62{}", ascii(f.national().unwrap_or(b""))),
                    ),
                    Found::Email { .. } => mask(
                        Kind::Email,
                        &String::from_utf8_lossy(&b[s..e]).to_lowercase(),
                    ),
                    Found::Damaged => return None,
                };
                Some((s, e, m))
            })
            .collect();
        spans.sort();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        for (s, e, m) in spans {
            if s < i || e > b.len() {
                continue;
            }
            mask_long_digits(&b[i..s], &mut out);
            out.extend_from_slice(m.as_bytes());
            i = e;
        }
        mask_long_digits(&b[i..], &mut out);
        if out == b {
            Cow::Borrowed(name)
        } else {
            Cow::Owned(String::from_utf8_lossy(&out).into_owned())
        }
    }
}

fn ascii(d: &[u8]) -> &str {
    std::str::from_utf8(d).unwrap_or("")
}

/// Copies `b` to `out`, masking each run of [`LONG_DIGITS`] or more digits (single `.`,
/// `-` or ` ` between them, as an NPWP is written) to its first 4 and last 2 digits.
fn mask_long_digits(b: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        // The run: digits, each separator single and between two digits.
        let (start, mut end, mut digits) = (i, i, 0);
        let mut j = i;
        while j < b.len() {
            if b[j].is_ascii_digit() {
                digits += 1;
                j += 1;
                end = j;
            } else if matches!(b[j], b'.' | b'-' | b' ')
                && b.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else {
                break;
            }
        }
        if digits < LONG_DIGITS {
            out.extend_from_slice(&b[start..end]);
        } else {
            let mut k = 0;
            for &c in &b[start..end] {
                if c.is_ascii_digit() {
                    out.push(if k < 4 || k + 2 >= digits { c } else { b'*' });
                    k += 1;
                } else {
                    out.push(c);
                }
            }
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_by_the_data_detector() {
        let p = Patterns::builtin().unwrap();
        let mut m = NameMasker::new(&p);
        for (name, masked) in [
            ("ktp_3171014101900002.csv", "ktp_3171**********02.csv"),
            ("scan_of_081298765432.pdf", "scan_of_+62812*****432.pdf"),
            ("budi@gmail.com.csv", "b***@gmail.com.csv"),
            (
                "a.zip!KK 3171011234567890.csv",
                "a.zip!KK 3171**********90.csv",
            ),
            // Not a candidate, but as long as one: an NPWP, a card without its keyword.
            (
                "npwp_01.234.567.8-901.000.pdf",
                "npwp_01.23*.***.*-***.*00.pdf",
            ),
            ("0001234567890.csv", "0001*******90.csv"),
        ] {
            assert_eq!(m.mask(name), masked, "{name}");
        }
        for plain in [
            "export_20240101.csv",
            "dump 2023-01-01 12:00.sql",
            "a/b.zip!c.csv",
            "é.txt",
        ] {
            assert!(matches!(m.mask(plain), Cow::Borrowed(_)), "{plain}");
        }
    }

    #[test]
    fn a_baseline_must_hold_every_section_the_summary_has() {
        let p = Patterns::builtin().unwrap();
        let run = RunInfo {
            threads: 1,
            elapsed_s: 0.0,
        };
        let v = summary_json(&Summary::default(), &p, &run);
        let emitted: Vec<&str> = v
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !matches!(*k, "schema" | "run"))
            .collect();
        let listed: Vec<&str> = SECTIONS.iter().map(|(k, _)| *k).collect();
        assert_eq!(emitted, listed, "SECTIONS follows the summary");
        assert_eq!(check_baseline(&v), Ok(()));
        for (k, array) in SECTIONS {
            assert_eq!(v[k].is_array(), array, "{k}");
            let mut b = v.clone();
            b.as_object_mut().unwrap().remove(k);
            assert!(check_baseline(&b).unwrap_err().contains(k));
        }
        assert!(check_baseline(&json!({})).is_err());
        assert!(check_baseline(&json!([])).is_err());
    }

    #[test]
    fn expect_reports_moved_counts_and_ignores_run() {
        let base = json!({"records": {"total": 3}, "files": [{"path": "a", "records": 1}], "run": {"elapsed_s": 1}});
        let same = json!({"records": {"total": 3}, "files": [{"path": "a", "records": 1}], "run": {"elapsed_s": 9}, "new": 1});
        assert!(expect_diff(&same, &base).is_empty());
        let moved =
            json!({"records": {"total": 4}, "files": [{"path": "a", "records": 2}, {"path": "b"}]});
        let d = expect_diff(&moved, &base);
        assert_eq!(
            d,
            vec![
                "records.total: baseline 3, scan 4",
                "files[a].records: baseline 1, scan 2",
                "files[b]: not in baseline",
            ]
        );
    }

    #[test]
    fn rule7_file_rows_are_made_as_they_are_written() {
        // The report holds no value per file; every writer and --expect still see them all.
        let p = Patterns::builtin().unwrap();
        let mut s = Summary::default();
        for i in 0..300u64 {
            let mut f = FileStats::new(State::Scanned, "csv", 10 + i);
            f.records = i;
            s.files.insert(format!("d/{i:04}.csv"), f);
        }
        let run = RunInfo {
            threads: 1,
            elapsed_s: 0.0,
        };
        let r = summary_report(&s, &p, &run);
        assert_eq!(r["files"], json!([]));
        let whole = summary_json(&s, &p, &run);
        assert_eq!(whole["files"].as_array().unwrap().len(), 300);
        let mut streamed = Vec::new();
        write_json(&mut streamed, &r).unwrap();
        let mut held = Vec::new();
        write_json(&mut held, &whole).unwrap();
        assert_eq!(String::from_utf8(streamed), String::from_utf8(held));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_csv(&mut a, &r).unwrap();
        write_csv(&mut b, &whole).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.iter().filter(|&&c| c == b'\n').count(), 301);
        assert!(expect_diff(&r, &whole).is_empty());
        let mut moved = whole.clone();
        moved["files"][7]["records"] = json!(70);
        moved["files"].as_array_mut().unwrap().pop();
        assert_eq!(
            expect_diff(&r, &moved),
            vec![
                "files[d/0007.csv].records: baseline 70, scan 7",
                "files[d/0299.csv]: not in baseline",
            ]
        );
    }

    #[test]
    fn text_and_csv_render_into_memory() {
        let p = Patterns::builtin().unwrap();
        let mut s = Summary::default();
        s.stats.records.total = 2;
        s.stats.provinces[31] = 2;
        s.files.insert(
            "x.csv".into(),
            crate::summary::FileStats::new(State::Failed, "csv", 5).with_reason("boom"),
        );
        let v = summary_json(
            &s,
            &p,
            &RunInfo {
                threads: 1,
                elapsed_s: 0.5,
            },
        );
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["ledger"]["problems"][0]["reason"], "boom");
        let mut text = Vec::new();
        write_text(&mut text, &v, &p).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("records     2"));
        assert!(text.contains("Daerah Khusus Ibukota Jakarta"));
        assert!(text.contains("failed   x.csv: boom"));
        let mut csv = Vec::new();
        write_csv(&mut csv, &v).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with(
            "path,format,state,bytes,records,confirmed,nik,kk,bpjs_card,phone,email,reason\n"
        ));
        assert!(csv.contains("x.csv,csv,failed,5,0,0,0,0,0,0,0,boom"));
    }
}
