//! `--format text` (the default): the summary for a person on a terminal. A headline, a table
//! per identifier kind, the top provinces, regencies and age bands, then the ledger's problems,
//! every name escaped so it cannot drive the terminal.

use std::io::{self, Write};

use crate::escape::escape_controls;
use crate::report::model::{ImpactSection, Pairs, Region};
use crate::report::{Exporter, Report};
use crate::rules::{Kind, Patterns};

/// The text exporter; the patterns name the provinces of the valid NIKs.
pub struct Text<'p> {
    pub patterns: &'p Patterns,
}

impl Exporter for Text<'_> {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        sampled(w, r)?;
        headline(w, r)?;
        source(w, r)?;
        sensitive_and_agreement(w, r)?;
        kinds(w, r)?;
        nik_provinces(w, r, self.patterns)?;
        regencies(w, &r.impact)?;
        ages(w, &r.impact)?;
        custody(w, r)?;
        ledger(w, r)
    }
}

/// `--sample`: said before anything else, so that no count passes for the whole.
fn sampled(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    match r.custody.sampled {
        Some(n) => writeln!(
            w,
            "SAMPLED: only the first {n} records of each entry were read; every count is of \
             the sample"
        ),
        None => Ok(()),
    }
}

/// The chain of custody: when the scan started, what it was given, for which case. The
/// entries' SHA-256 are in the JSON, the CSV and the HTML report (a list of every file is
/// not a terminal's job).
fn custody(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let c = &r.custody;
    let roots: Vec<String> = c
        .roots
        .iter()
        .map(|p| escape_controls(p).into_owned())
        .collect();
    writeln!(w)?;
    writeln!(
        w,
        "custody     started {} UTC, case {}",
        c.started.as_deref().unwrap_or("-"),
        c.case.as_deref().map_or("-".into(), escape_controls)
    )?;
    writeln!(w, "            roots {}", roots.join(", "))?;
    writeln!(
        w,
        "            SHA-256 of every entry read whole: in --format json or csv, --html"
    )
}

fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", a as f64 * 100.0 / b as f64)
    }
}

fn headline(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let rec = &r.records;
    let im = &r.impact;
    writeln!(w, "triage summary")?;
    writeln!(w, "==============")?;
    writeln!(
        w,
        "records     {}  ({} with a valid NIK, {} with any candidate)",
        rec.total, rec.with_valid_nik, rec.with_candidates
    )?;
    writeln!(
        w,
        "confirmed   {}  ({} of records; by birth date {}, by BPJS card {}, by reference {}, \
         by NIP {})",
        rec.confirmed,
        pct(rec.confirmed, rec.total),
        rec.confirmed_by.birth_date,
        rec.confirmed_by.bpjs_card,
        rec.confirmed_by.reference,
        rec.confirmed_by.nip,
    )?;
    writeln!(
        w,
        "people      {} distinct valid NIKs ({} female, {} male; {} children under 18 on {})",
        r.identifiers.nik.counts.unique,
        im.female,
        im.male,
        im.children,
        im.as_of.as_deref().unwrap_or("-"),
    )?;
    if r.reference.given {
        writeln!(
            w,
            "reference   {} of {} reference entries found: {} records",
            r.reference.people_matched, r.reference.entries, r.reference.records_matched,
        )?;
    }
    Ok(())
}

/// The likely source and the runners-up that scored at all.
fn source(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let best = r.best_source();
    let evidence = match best {
        Some(b) if !b.evidence.is_empty() => format!(": {}", b.evidence.join(", ")),
        _ => String::new(),
    };
    writeln!(
        w,
        "source      {} (score {:.2}){evidence}",
        best.map_or("?", |b| b.name.as_str()),
        best.map_or(0.0, |b| b.score),
    )?;
    let rest: Vec<String> = r
        .attribution
        .iter()
        .skip(1)
        .filter(|a| a.score > 0.0 && a.source != "unknown")
        .take(3)
        .map(|a| format!("{} {:.2}", a.source, a.score))
        .collect();
    if !rest.is_empty() {
        writeln!(w, "            next: {}", rest.join(", "))?;
    }
    Ok(())
}

fn sensitive_and_agreement(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let sens: Vec<String> = r
        .sensitive
        .iter()
        .filter(|(_, c)| c.records > 0)
        .map(|(id, c)| format!("{id} {}", c.records))
        .collect();
    writeln!(
        w,
        "sensitive   {} (records per UU 27/2022 art. 4(2) category)",
        if sens.is_empty() {
            "none found".to_string()
        } else {
            sens.join(", ")
        }
    )?;
    let nik = &r.identifiers.nik.facts;
    if nik.birth_date_agree + nik.birth_date_disagree > 0 {
        writeln!(
            w,
            "agreement   birth date {} agree / {} disagree; sex {} / {}",
            nik.birth_date_agree, nik.birth_date_disagree, nik.sex_agree, nik.sex_disagree
        )?;
    }
    writeln!(w)
}

/// A row per kind, then what only some kinds have.
fn kinds(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(
        w,
        "{:<10} {:>12} {:>12} {:>12} {:>12}  invalid by reason",
        "kind", "candidates", "valid", "unique", "invalid"
    )?;
    for kind in Kind::ALL {
        let k = r.identifiers.counts(kind);
        let inv: Vec<String> = k
            .invalid
            .iter()
            .filter(|(_, &c)| c > 0)
            .map(|(reason, c)| format!("{reason} {c}"))
            .collect();
        writeln!(
            w,
            "{:<10} {:>12} {:>12} {:>12} {:>12}  {}",
            kind.name(),
            k.candidates,
            k.valid,
            k.unique,
            k.invalid_total(),
            inv.join(", ")
        )?;
    }
    let ids = &r.identifiers;
    for (c, what) in [
        (ids.nik.facts.damaged, "Excel-damaged NIKs"),
        (
            ids.bpjs_card.facts.restored,
            "card numbers restored to 13 digits",
        ),
        (
            ids.phone.facts.restored,
            "phone numbers restored with their leading 0",
        ),
    ] {
        if c > 0 {
            writeln!(w, "  {c} {what}")?;
        }
    }
    let nik = &ids.nik.facts;
    writeln!(w, "  NIK sex: {} female, {} male", nik.female, nik.male)?;
    for (label, m) in [
        ("phone operators", &ids.phone.facts.operators),
        ("e-mail domains", &ids.email.facts.domain_classes),
    ] {
        if !m.is_empty() {
            let parts: Vec<String> = m.iter().map(|(k, c)| format!("{k} {c}")).collect();
            writeln!(w, "  {label}: {}", parts.join(", "))?;
        }
    }
    Ok(())
}

/// The ten provinces with the most valid NIKs (occurrences, not people).
fn nik_provinces(w: &mut dyn Write, r: &Report, p: &Patterns) -> io::Result<()> {
    let mut top: Vec<(&str, u64)> = r
        .identifiers
        .nik
        .facts
        .provinces
        .iter()
        .map(|(c, &n)| (c, n))
        .collect();
    if top.is_empty() {
        return Ok(());
    }
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    writeln!(w)?;
    writeln!(w, "top provinces (valid NIKs)")?;
    let sum: u64 = top.iter().map(|t| t.1).sum();
    for (code, c) in top.iter().take(10) {
        let name = p.regions.name(code).map_or("?", |r| r.name.as_str());
        writeln!(w, "  {code} {name:<40} {c:>10}  {}", pct(*c, sum))?;
    }
    Ok(())
}

/// Regions with the most people first, by code among equals.
pub(crate) fn by_people(m: &Pairs<Region>) -> Vec<(&str, &Region)> {
    let mut top: Vec<(&str, &Region)> = m.iter().collect();
    top.sort_by(|a, b| b.1.people.cmp(&a.1.people).then(a.0.cmp(b.0)));
    top
}

fn regencies(w: &mut dyn Write, im: &ImpactSection) -> io::Result<()> {
    let top = by_people(&im.regencies);
    if top.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "top regencies (distinct people, share of the population)"
    )?;
    for (code, r) in top.iter().take(10) {
        let share = match r.share {
            Some(s) => format!("{:.4}%", s * 100.0),
            None => "-".into(),
        };
        writeln!(w, "  {code} {:<40} {:>10}  {share}", r.name, r.people)?;
    }
    Ok(())
}

fn ages(w: &mut dyn Write, im: &ImpactSection) -> io::Result<()> {
    if im.people == 0 {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "age (on {})      female       male",
        im.as_of.as_deref().unwrap_or("-")
    )?;
    for (label, b) in im.age_bands.iter() {
        writeln!(w, "  {label:<14} {:>8} {:>10}", b.female, b.male)?;
    }
    Ok(())
}

fn ledger(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(w)?;
    let l = &r.ledger;
    writeln!(
        w,
        "ledger      {} entries, {} bytes: {} scanned, {} partial, {} skipped, {} failed",
        l.entries, l.bytes, l.scanned, l.partial, l.skipped, l.failed
    )?;
    for pr in &l.problems {
        writeln!(
            w,
            "  {:<8} {}: {}",
            pr.state,
            escape_controls(&pr.path),
            escape_controls(pr.reason.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(
        w,
        "run         {:.3} s, {:.1} MB/s, {} threads",
        r.run.elapsed_s,
        r.run.bytes_per_s / 1e6,
        r.run.threads
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{report_of, sample};
    use crate::testing::pats;

    #[test]
    fn renders_into_memory() {
        let s = sample();
        let r = report_of(&s, pats());
        let mut out = Vec::new();
        Text { patterns: pats() }.export(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("triage summary\n"));
        assert!(text.contains("records     2"));
        assert!(text.contains("Daerah Khusus Ibukota Jakarta"));
        assert!(
            text.contains("failed   x.csv: read error: boom\x5cx1B"),
            "{text}"
        );
        assert!(text.contains("run         0.500 s"));
        assert!(text.contains("custody     started 2026-12-06T12:05:07Z UTC, case CASE-7\n"));
        assert!(text.contains("            roots dump/, x.csv\n"));
        assert!(!text.contains("SAMPLED"));
    }

    #[test]
    fn a_sampled_summary_says_so_first() {
        let mut s = sample();
        s.sampled = Some(1000);
        let r = report_of(&s, pats());
        let mut out = Vec::new();
        Text { patterns: pats() }.export(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("SAMPLED: only the first 1000 records"),
            "{text}"
        );
    }
}
