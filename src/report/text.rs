//! `--format text` (the default): the summary for a person on a terminal. First `INCOMPLETE`
//! when an entry was not read in full, then the verdict and the sentences it rests on, a
//! headline, a table per identifier kind, the top provinces, regencies and age bands, then the
//! ledger's problems, every name escaped so it cannot drive the terminal. Numbers carry
//! thousands separators, and every count says whether it counts records, people (distinct
//! valid NIKs) or occurrences.

use std::io::{self, Write};

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, Table};

use crate::escape::escape_controls;
use crate::report::model::{ImpactSection, Pairs, Region, Source};
use crate::report::{Exporter, Report};
use crate::rules::{Kind, Patterns};
use crate::summary::attribution::MIN_SCORE;
use crate::summary::verdict::{num, percent};

/// The text exporter; the patterns name the provinces of the valid NIKs.
pub struct Text<'p> {
    pub patterns: &'p Patterns,
}

impl Exporter for Text<'_> {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        // A sample frames every line below it, INCOMPLETE included (its entries cut short are
        // partial).
        sampled(w, r)?;
        incomplete(w, r)?;
        writeln!(w, "triage summary")?;
        writeln!(w, "==============")?;
        verdict(w, r)?;
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

/// How many kinds of reason the `INCOMPLETE` line names.
pub const TOP_REASONS: usize = 3;

/// The first line whenever the exit code is 3.
fn incomplete(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    match &r.verdict.not_read {
        Some(nr) => writeln!(w, "{}", nr.line(TOP_REASONS)),
        None => Ok(()),
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

fn verdict(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(w, "verdict     {}", r.verdict.label)?;
    let mut indent = "";
    for reason in &r.verdict.reasons {
        writeln!(w, "            {indent}- {reason}")?;
        // A reason ending in a colon introduces the ones after it.
        if reason.ends_with(':') {
            indent = "  ";
        }
    }
    Ok(())
}

/// A regency's share of its population per 100,000 people: one unit for the whole column,
/// where percentages of a few thousandths each carried their own number of decimals.
pub(crate) fn per_100k(share: f64) -> String {
    format!("{:.1}", share * 100_000.0)
}

/// Part of a whole, `-` when the whole is nothing.
fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        percent(a as f64 / b as f64)
    }
}

fn headline(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let rec = &r.records;
    let im = &r.impact;
    writeln!(
        w,
        "records     {}  ({} with a valid NIK, {} with any candidate)",
        num(rec.total),
        num(rec.with_valid_nik),
        num(rec.with_candidates)
    )?;
    let by = &rec.confirmed_by;
    writeln!(
        w,
        "confirmed   {} records  ({} of records; by birth date {}, by BPJS card {}, by reference {}, \
         by NIP {})",
        num(rec.confirmed),
        pct(rec.confirmed, rec.total),
        num(by.birth_date),
        num(by.bpjs_card),
        num(by.reference),
        num(by.nip),
    )?;
    writeln!(
        w,
        "people      {}  (distinct valid NIKs: {} women, {} men; {} children under 18 on {})",
        num(r.identifiers.nik.counts.unique),
        num(im.female),
        num(im.male),
        num(im.children),
        im.as_of.as_deref().unwrap_or("-"),
    )?;
    if r.reference.given {
        writeln!(
            w,
            "reference   {} of {} reference entries found, in {} records",
            num(r.reference.people_matched),
            num(r.reference.entries),
            num(r.reference.records_matched),
        )?;
    }
    Ok(())
}

/// Field names once each, whatever their case (`NIK` and `nik` are one piece of evidence).
pub(crate) fn evidence(e: &[String]) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    e.iter()
        .filter(|x| seen.insert(x.to_lowercase()))
        .map(String::as_str)
        .collect()
}

/// Scores this close are a near tie: the field names seen fit both profiles about as well.
pub const NEAR_TIE: f64 = 0.05;

/// The scored profiles a reader should weigh beside the best, none when no profile fits.
pub(crate) fn runners_up<'r>(r: &'r Report) -> Vec<&'r Source> {
    r.attribution
        .iter()
        .skip(1)
        .filter(|a| a.score > 0.0 && a.source != "unknown")
        .take(3)
        .collect()
}

/// The likely source, a near tie said as such, and the runners-up; when no profile fits,
/// the closest one and why it is not named.
fn source(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let rest = runners_up(r);
    let Some(best) = r.best_source().filter(|b| b.source != "unknown") else {
        let closest = match rest.first() {
            Some(c) => format!(
                " (closest: {} {:.2}, below the {MIN_SCORE:.2} a profile needs)",
                c.name, c.score
            ),
            None => String::new(),
        };
        return writeln!(w, "source      no source profile fits{closest}");
    };
    let tie = match rest.first() {
        Some(next) if best.score - next.score <= NEAR_TIE => {
            format!(" — close to {} {:.2}: a near tie", next.name, next.score)
        }
        _ => String::new(),
    };
    writeln!(w, "source      {} {:.2}{tie}", best.name, best.score)?;
    let ev = evidence(&best.evidence);
    if !ev.is_empty() {
        writeln!(w, "            evidence: {}", ev.join(", "))?;
    }
    let next: Vec<String> = rest
        .iter()
        .map(|a| format!("{} {:.2}", a.name, a.score))
        .collect();
    if !next.is_empty() {
        writeln!(w, "            next: {}", next.join("; "))?;
    }
    Ok(())
}

fn sensitive_and_agreement(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let sens: Vec<String> = r
        .sensitive
        .iter()
        .filter(|(_, c)| c.records > 0)
        .map(|(id, c)| format!("{id} {}", num(c.records)))
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
    let agreement = |what: &str, agree: u64, disagree: u64| {
        format!(
            "{what} {} of {} records agree",
            pct(agree, agree + disagree),
            num(agree + disagree)
        )
    };
    if nik.birth_date_agree + nik.birth_date_disagree + nik.sex_agree + nik.sex_disagree > 0 {
        writeln!(
            w,
            "agreement   with the NIK: {}; {}",
            agreement("birth date", nik.birth_date_agree, nik.birth_date_disagree),
            agreement("sex", nik.sex_agree, nik.sex_disagree)
        )?;
    }
    writeln!(w)
}

/// An aligned table, its columns right-aligned where `right` says, each line indented by
/// `indent` spaces and without trailing blanks.
fn table(
    w: &mut dyn Write,
    indent: usize,
    header: &[&str],
    right: &[bool],
    rows: Vec<Vec<String>>,
) -> io::Result<()> {
    let mut t = Table::new();
    t.load_preset(NOTHING).set_header(header.to_vec());
    t.add_rows(rows);
    for (i, col) in t.column_iter_mut().enumerate() {
        col.set_padding((0, 2));
        if right.get(i) == Some(&true) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    for line in t.lines() {
        writeln!(w, "{:indent$}{}", "", line.trim_end())?;
    }
    Ok(())
}

/// A row per kind, then what only some kinds have.
fn kinds(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(
        w,
        "identifiers (occurrences; distinct: distinct valid values)"
    )?;
    let rows = Kind::ALL
        .iter()
        .map(|&kind| {
            let k = r.identifiers.counts(kind);
            let inv: Vec<String> = k
                .invalid
                .iter()
                .filter(|(_, &c)| c > 0)
                .map(|(reason, &c)| format!("{reason} {}", num(c)))
                .collect();
            vec![
                kind.name().to_string(),
                num(k.candidates),
                num(k.valid),
                pct(k.valid, k.candidates),
                num(k.unique),
                num(k.invalid_total()),
                inv.join(", "),
            ]
        })
        .collect();
    let header = [
        "kind",
        "candidates",
        "valid",
        "valid share",
        "distinct",
        "invalid",
        "invalid by first rule failed",
    ];
    table(w, 2, &header, &[false, true, true, true, true, true], rows)?;
    kind_notes(w, r)
}

fn kind_notes(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let ids = &r.identifiers;
    for (c, what) in [
        (
            ids.nik.facts.damaged,
            "NIKs damaged by a spreadsheet (3.17101E+15)",
        ),
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
            writeln!(w, "  {} {what}", num(c))?;
        }
    }
    let nik = &ids.nik.facts;
    writeln!(
        w,
        "  NIK sex (valid occurrences): {} female, {} male",
        num(nik.female),
        num(nik.male)
    )?;
    for (label, m) in [
        ("phone operators", &ids.phone.facts.operators),
        ("e-mail domains", &ids.email.facts.domain_classes),
    ] {
        if !m.is_empty() {
            let parts: Vec<String> = m.iter().map(|(k, &c)| format!("{k} {}", num(c))).collect();
            writeln!(w, "  {label} (valid occurrences): {}", parts.join(", "))?;
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
    writeln!(
        w,
        "top provinces (valid NIK occurrences, share of all of them)"
    )?;
    let sum: u64 = top.iter().map(|t| t.1).sum();
    let rows = top
        .iter()
        .take(10)
        .map(|(code, c)| {
            let name = p.regions.name(code).map_or("?", |r| r.name.as_str());
            vec![code.to_string(), name.to_string(), num(*c), pct(*c, sum)]
        })
        .collect();
    table(
        w,
        2,
        &["code", "province", "NIKs", "share"],
        &[false, false, true, true],
        rows,
    )
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
        "top regencies and cities (distinct people, and per 100,000 of the region's population)"
    )?;
    let rows = top
        .iter()
        .take(10)
        .map(|(code, r)| {
            let per = r.share.map_or("-".into(), per_100k);
            vec![code.to_string(), r.name.clone(), num(r.people), per]
        })
        .collect();
    let header = ["code", "regency / city", "people", "per 100,000"];
    table(w, 2, &header, &[false, false, true, true], rows)
}

fn ages(w: &mut dyn Write, im: &ImpactSection) -> io::Result<()> {
    if im.people == 0 {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "age on {} (distinct people)",
        im.as_of.as_deref().unwrap_or("-")
    )?;
    let rows = im
        .age_bands
        .iter()
        .map(|(label, b)| vec![label.to_string(), num(b.female), num(b.male)])
        .collect();
    table(w, 2, &["age", "women", "men"], &[false, true, true], rows)
}

fn ledger(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(w)?;
    let l = &r.ledger;
    writeln!(
        w,
        "ledger      {} entries, {} bytes: {} scanned, {} partial, {} skipped, {} failed",
        num(l.entries),
        num(l.bytes),
        num(l.scanned),
        num(l.partial),
        num(l.skipped),
        num(l.failed)
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

    fn text_of(r: &Report) -> String {
        let mut out = Vec::new();
        Text { patterns: pats() }.export(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn renders_into_memory() {
        let s = sample();
        let text = text_of(&report_of(&s, pats()));
        let mut lines = text.lines();
        assert!(
            lines
                .next()
                .unwrap()
                .starts_with("INCOMPLETE: 1 entry not read (1 failed): read error 1"),
            "{text}"
        );
        assert_eq!(lines.next(), Some("triage summary"));
        assert!(text.contains("\nverdict     inconclusive\n"), "{text}");
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
        assert!(!text.lines().any(|l| l.ends_with(' ')), "{text}");
    }

    #[test]
    fn a_complete_scan_starts_with_its_verdict() {
        let mut s = sample();
        s.files.remove("x.csv");
        let text = text_of(&report_of(&s, pats()));
        assert!(text.starts_with("triage summary\n==============\nverdict     inconclusive\n"));
        assert!(!text.contains("INCOMPLETE"));
    }

    #[test]
    fn counts_carry_separators_and_tables_align() {
        let mut s = sample();
        s.stats.records.total = 1_234_567;
        s.stats.kinds[Kind::Nik.index()].candidates = 2_000_000;
        s.stats.kinds[Kind::Nik.index()].valid = 1_500_000;
        let text = text_of(&report_of(&s, pats()));
        assert!(text.contains("records     1,234,567  ("), "{text}");
        let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("  n")).collect();
        assert!(rows[0].starts_with("  nik "), "{text}");
        let header = text.lines().find(|l| l.starts_with("  kind")).unwrap();
        // The numbers end where their heading does.
        let end = header.find("candidates").unwrap() + "candidates".len();
        assert_eq!(
            &rows[0][end - "2,000,000".len()..end],
            "2,000,000",
            "{text}"
        );
        assert!(rows[0].contains("75.0%"), "{text}");
    }

    #[test]
    fn evidence_is_listed_once_whatever_its_case() {
        let e = ["NIK", "NOKA", "nik", "noka", "PSNOKA"].map(String::from);
        assert_eq!(evidence(&e), ["NIK", "NOKA", "PSNOKA"]);
    }

    #[test]
    fn a_near_tie_is_said_and_no_fit_is_not_contradicted() {
        let s = sample();
        let mut r = report_of(&s, pats());
        let profile = |source: &str, name: &str, score| Source {
            source: source.into(),
            name: name.into(),
            score,
            evidence: vec!["NIK".into(), "nik".into()],
            why: String::new(),
        };
        r.attribution = vec![
            profile("sim_registration", "SIM registration", 0.50),
            profile("bpjs_kesehatan", "BPJS Kesehatan", 0.46),
        ];
        let text = text_of(&r);
        assert!(
            text.contains("source      SIM registration 0.50 — close to BPJS Kesehatan 0.46: a near tie\n            evidence: NIK\n"),
            "{text}"
        );
        r.attribution
            .insert(0, profile("unknown", "No source profile fits", 0.0));
        r.attribution[1].score = 0.30;
        r.attribution[2].score = 0.20;
        let text = text_of(&r);
        assert!(
            text.contains("source      no source profile fits (closest: SIM registration 0.30, below the 0.35 a profile needs)\n"),
            "{text}"
        );
        assert!(!text.contains("next:"), "{text}");
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
