//! `--format md`: the summary as GitHub-flavoured Markdown, for a CI job's step summary
//! (`>> $GITHUB_STEP_SUMMARY`) or a merge-request note. The headline counts, one table of
//! identifier kinds, the ledger and its first problems. Names arrive masked like in every
//! output; here they are also escaped, so a file name can neither break a table nor become a
//! link, an image or HTML on the page that shows it.

use std::io::{self, Write};

use crate::escape::escape_controls;
use crate::report::{Exporter, Report};
use crate::rules::Kind;

/// The Markdown exporter.
pub struct Md;

/// Problems listed before the rest are only counted: a step summary is read at a glance,
/// and the JSON or HTML report holds every one.
const PROBLEMS_SHOWN: usize = 20;

impl Exporter for Md {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "### triage summary\n")?;
        incomplete(w, r)?;
        headline(w, r)?;
        kinds(w, r)?;
        ledger(w, r)
    }
}

/// A name or reason as Markdown text: controls escaped as in the text summary, `<`, `>` and
/// `&` as entities (no HTML), and the marks that start Markdown inside a table cell
/// backslash-escaped (no cell break, emphasis, strike-through, link, image or code span).
/// Other punctuation stays, so the raw text stays readable in a log.
fn md_text(s: &str) -> String {
    let s = escape_controls(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "-".into()
    } else {
        format!("{:.1}%", a as f64 * 100.0 / b as f64)
    }
}

/// A scan that left entries unread says so first: its counts are a lower bound.
fn incomplete(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let unread = r.ledger.partial + r.ledger.failed;
    if unread > 0 {
        writeln!(
            w,
            "> **INCOMPLETE**: {unread} entries not read in full ({} partial, {} failed); \
             see the ledger below.\n",
            r.ledger.partial, r.ledger.failed
        )?;
    }
    Ok(())
}

fn headline(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let rec = &r.records;
    let by = &rec.confirmed_by;
    writeln!(w, "| | |\n|---|---|")?;
    writeln!(
        w,
        "| records | {} ({} with a valid NIK, {} with any candidate) |",
        rec.total, rec.with_valid_nik, rec.with_candidates
    )?;
    writeln!(
        w,
        "| confirmed records | {} ({} of records; by birth date {}, by BPJS card {}, by \
         reference {}, by NIP {}) |",
        rec.confirmed,
        pct(rec.confirmed, rec.total),
        by.birth_date,
        by.bpjs_card,
        by.reference,
        by.nip
    )?;
    writeln!(
        w,
        "| people | {} distinct valid NIKs |",
        r.identifiers.nik.counts.unique
    )?;
    let source = match r.best_source() {
        Some(b) => format!("{} (score {:.2})", md_text(&b.name), b.score),
        None => "-".into(),
    };
    writeln!(w, "| likely source | {source} |\n")
}

fn kinds(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    writeln!(
        w,
        "| kind | candidates | valid | distinct valid | invalid |"
    )?;
    writeln!(w, "|---|---:|---:|---:|---:|")?;
    for k in Kind::ALL {
        let c = r.identifiers.counts(k);
        writeln!(
            w,
            "| {} | {} | {} | {} | {} |",
            md_text(k.name()),
            c.candidates,
            c.valid,
            c.unique,
            c.invalid_total()
        )?;
    }
    writeln!(w)
}

fn ledger(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let l = &r.ledger;
    writeln!(
        w,
        "**ledger**: {} entries, {} bytes: {} scanned, {} partial, {} skipped, {} failed\n",
        l.entries, l.bytes, l.scanned, l.partial, l.skipped, l.failed
    )?;
    if !l.problems.is_empty() {
        writeln!(w, "| state | entry | reason |\n|---|---|---|")?;
        for p in l.problems.iter().take(PROBLEMS_SHOWN) {
            writeln!(
                w,
                "| {} | {} | {} |",
                p.state,
                md_text(&p.path),
                md_text(p.reason.as_deref().unwrap_or(""))
            )?;
        }
        if l.problems.len() > PROBLEMS_SHOWN {
            writeln!(w, "\n… and {} more", l.problems.len() - PROBLEMS_SHOWN)?;
        }
        writeln!(w)?;
    }
    writeln!(
        w,
        "<sub>triage {}, {:.3} s on {} threads</sub>",
        r.run.version, r.run.elapsed_s, r.run.threads
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{report_of, sample};
    use crate::summary::{FileStats, Reason, State};
    use crate::testing::pats;

    fn render(r: &Report) -> String {
        let mut out = Vec::new();
        Md.export(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn renders_the_headline_the_kinds_and_the_ledger() {
        let s = sample();
        let text = render(&report_of(&s, pats()));
        assert!(text.starts_with("### triage summary\n\n"), "{text}");
        assert!(text.contains("| records | 2 (0 with a valid NIK"), "{text}");
        for k in Kind::ALL {
            assert!(
                text.contains(&format!("| {} | 0 |", md_text(k.name()))),
                "{k:?}"
            );
        }
        assert!(
            text.contains("1 scanned, 0 partial, 0 skipped, 1 failed"),
            "{text}"
        );
        assert!(
            text.contains("> **INCOMPLETE**: 1 entries not read"),
            "{text}"
        );
        assert!(
            text.contains("| failed | x.csv | read error: boom\\\\x1B |"),
            "{text}"
        );
    }

    #[test]
    fn a_complete_scan_has_no_banner() {
        let mut s = sample();
        s.files.remove("x.csv");
        assert!(!render(&report_of(&s, pats())).contains("INCOMPLETE"));
    }

    #[test]
    fn names_cannot_break_the_table_or_become_markup() {
        let mut s = sample();
        let name = "a|b <img src=x> [l](http://e) `c` *d*\n.csv";
        s.files.insert(
            name.into(),
            FileStats::new(State::Failed, "csv", 1).with_reason(Reason::ReadError("x".into())),
        );
        let text = render(&report_of(&s, pats()));
        let row = text.lines().find(|l| l.contains("img")).unwrap();
        assert_eq!(
            row,
            "| failed | a\\|b &lt;img src=x&gt; \\[l\\](http://e) \\`c\\` \\*d\\*\\\\x0A.csv | read error: x |"
        );
    }

    #[test]
    fn names_are_masked_before_they_are_escaped() {
        let mut s = sample();
        s.files.insert(
            "ktp_3171014101900002.csv".into(),
            FileStats::new(State::Failed, "csv", 1).with_reason(Reason::ReadError("x".into())),
        );
        let mut r = report_of(&s, pats());
        r.mask_names(pats());
        let text = render(&r);
        assert!(!text.contains("3171014101900002"), "{text}");
        assert!(text.contains("ktp\\_3171\\*\\*\\*"), "{text}");
    }

    #[test]
    fn only_the_first_problems_are_listed() {
        let mut s = sample();
        for i in 0..30 {
            s.files.insert(
                format!("f{i:02}.csv"),
                FileStats::new(State::Skipped, "csv", 0).with_reason(Reason::Empty),
            );
        }
        let text = render(&report_of(&s, pats()));
        assert_eq!(
            text.lines().filter(|l| l.starts_with("| skipped")).count(),
            20
        );
        assert!(text.contains("… and 11 more"), "{text}");
    }
}
