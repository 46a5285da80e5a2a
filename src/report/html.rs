//! `--format html`, `--html FILE`: one self-contained page to hand to the data owner and to
//! management. No network, no scripts, no external fonts or images: styles are inline, charts
//! are inline SVG drawn here. It renders the same [`Report`] as `--format json`, so it says
//! exactly what the JSON says, and like every output it holds no raw identifier. At the top,
//! above the fold of a laptop screen, `INCOMPLETE` when an entry was not read in full and the
//! verdict; at the foot, the SHA-256 of the JSON summary it was rendered from. It prints on A4:
//! tables wrap, nothing is wider than the page.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::escape::escape_controls;
use crate::report::json::Json;
use crate::report::model::{ImpactSection, Ledger};
use crate::report::text::{by_people, evidence, per_100k, runners_up, NEAR_TIE, TOP_REASONS};
use crate::report::{Exporter, Report};
use crate::rules::Kind;
use crate::summary::attribution::MIN_SCORE;
use crate::summary::verdict::{num, percent};
use sha2::{Digest, Sha256};

type Out = std::fmt::Result;

pub struct Html;

impl Exporter for Html {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        let mut h = String::with_capacity(64 * 1024);
        render(&mut h, r).expect("writing to a String");
        w.write_all(h.as_bytes())
    }
}

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn pct(a: u64, b: u64) -> String {
    if b == 0 {
        "–".into()
    } else {
        percent(a as f64 / b as f64)
    }
}

const STYLE: &str = r#"
:root { --ink:#1d2433; --muted:#5b6476; --line:#d8dce4; --bg:#f5f6f8; --accent:#1f5fa8;
        --female:#c2417a; --male:#2f6db5; --warn:#b45309; --ok:#15803d; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
section { background:#fff; border:1px solid var(--line); border-radius:8px; padding:18px 22px;
          margin-top:18px; }
h2 { font-size:18px; margin:0 0 12px; }
h3 { font-size:15px; margin:16px 0 8px; }
.cards { display:grid; grid-template-columns: repeat(4, 1fr); gap:12px; }
.card { border:1px solid var(--line); border-radius:6px; padding:12px 14px; }
.card .v { font-size:24px; font-weight:650; }
.card .l { color:var(--muted); font-size:13px; }
.source { margin-top:14px; padding:12px 14px; border-left:4px solid var(--accent); background:#eef4fb; }
table { border-collapse:collapse; width:100%; font-size:13.5px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; }
td.n, th.n { text-align:right; font-variant-numeric: tabular-nums; white-space:nowrap; }
.bar { display:inline-block; height:10px; background:var(--accent); border-radius:2px; vertical-align:middle; }
.muted { color:var(--muted); }
.small { font-size:12.5px; }
.tag { display:inline-block; padding:1px 7px; border-radius:10px; font-size:12px; background:#eef0f4; margin:1px 2px; }
.yes { color:var(--warn); font-weight:600; }
.no { color:var(--muted); }
.state-failed, .state-partial { color:#b91c1c; font-weight:600; }
.state-skipped { color:var(--muted); }
.two { display:grid; grid-template-columns: 1fr 1fr; gap:18px; }
svg text { font-family: inherit; }
footer { margin-top:22px; color:var(--muted); font-size:12.5px; overflow-wrap:anywhere; }
td.wrap { overflow-wrap:anywhere; min-width:7em; }
svg { max-width:100%; height:auto; }
.banner { border-radius:8px; padding:12px 18px; margin-top:14px; border:2px solid; }
.banner h2 { margin:0 0 4px; font-size:20px; }
.banner ul { margin:4px 0 0; padding-left:20px; }
.incomplete { border-color:#b91c1c; background:#fef2f2; color:#7f1d1d; }
.incomplete b { font-size:18px; }
.v-genuine { border-color:var(--ok); background:#f0fdf4; }
.v-inconclusive { border-color:var(--warn); background:#fffbeb; }
.v-fabricated, .v-not_indonesian_pii { border-color:#6d28d9; background:#f5f3ff; }
@page { size: A4; margin: 12mm; }
@media print {
  body { background:#fff; font-size:11pt; }
  main { max-width:none; padding:0; }
  section { break-inside: auto; border:none; padding:8px 0; }
  table { font-size:8.5pt; }
  th, td { padding:3px 4px; }
  td.n, th.n { white-space:normal; }
  .cards { grid-template-columns: repeat(2, 1fr); }
  .two { grid-template-columns: 1fr; }
  .banner, .card, tr { break-inside: avoid; }
}
"#;

fn render(h: &mut String, r: &Report) -> Out {
    let best_name = r.best_source().map_or("", |b| b.name.as_str());
    writeln!(h, "<!doctype html>")?;
    writeln!(h, "<html lang=\"en\"><head><meta charset=\"utf-8\">")?;
    writeln!(
        h,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(h, "<title>triage report: {}</title>", esc(best_name))?;
    writeln!(h, "<style>{STYLE}</style></head><body><main>")?;
    sampled(h, r)?;
    banners(h, r)?;
    headline(h, r)?;
    attribution(h, r)?;
    identifiers(h, r)?;
    provinces(h, &r.impact)?;
    ages(h, &r.impact)?;
    sensitive(h, r)?;
    ledger(h, r)?;
    custody(h, r)?;
    footer(h, r)?;
    writeln!(h, "</main></body></html>")
}

/// `INCOMPLETE` when an entry was not read in full (exit code 3), then the verdict and the
/// sentences it rests on.
fn banners(h: &mut String, r: &Report) -> Out {
    let v = &r.verdict;
    if let Some(nr) = &v.not_read {
        let line = nr.line(TOP_REASONS);
        let (head, rest) = line.split_once(": ").unwrap_or((&line, ""));
        writeln!(
            h,
            "<div class=\"banner incomplete\" id=\"incomplete\" role=\"alert\"><b>{}:</b> {}. \
             Counts below leave out what those entries hold; the ledger lists them.</div>",
            esc(head),
            esc(rest)
        )?;
    }
    writeln!(
        h,
        "<div class=\"banner v-{}\" id=\"verdict\"><h2>Verdict: {}</h2><ul>",
        esc(v.label),
        esc(v.label)
    )?;
    let mut nested = false;
    for reason in &v.reasons {
        write!(h, "<li>{}", esc(reason))?;
        // A reason ending in a colon introduces the ones after it.
        if reason.ends_with(':') && !nested {
            nested = true;
            writeln!(h, "<ul>")?;
        } else {
            writeln!(h, "</li>")?;
        }
    }
    if nested {
        writeln!(h, "</ul></li>")?;
    }
    writeln!(h, "</ul></div>")
}

/// Which version wrote the page, how long it took, and the summary's own hash.
fn footer(h: &mut String, r: &Report) -> Out {
    writeln!(
        h,
        "<footer>triage {} · {} thread(s) · {:.3} s. Generated offline; this file loads nothing \
         from the network.<br>SHA-256 of the JSON summary this page renders (the <code>--format \
         json</code> text of the same scan with its <code>run</code> member left out): \
         <code>{}</code></footer>",
        esc(r.run.version),
        r.run.threads,
        r.run.elapsed_s,
        summary_sha256(r)
    )
}

/// The SHA-256 of `r`'s JSON text (as `--format json` writes it) without the `run` member:
/// everything outside `run` is the same between runs, so the same scan gets the same hash.
/// The text is hashed as it is written, never held.
pub fn summary_sha256(r: &Report) -> String {
    let mut w = RunlessHasher::default();
    Json.export(r, &mut w)
        .expect("the hasher takes every write");
    w.finish()
}

/// Hashes pretty JSON up to its top-level `run` member, the last one, and closes the object
/// there. In pretty JSON a raw line break occurs only between tokens (one inside a string is
/// written `\n`), so the marker below is the top-level key and nothing else.
#[derive(Default)]
struct RunlessHasher {
    sha: Sha256,
    /// Bytes not hashed yet: they might begin the marker.
    held: Vec<u8>,
    done: bool,
}

const RUN_MARKER: &[u8] = b",\n  \"run\": ";

impl io::Write for RunlessHasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.done {
            return Ok(buf.len());
        }
        self.held.extend_from_slice(buf);
        if let Some(at) = memchr::memmem::find(&self.held, RUN_MARKER) {
            self.sha.update(&self.held[..at]);
            self.held.clear();
            self.done = true;
        } else {
            let keep = self.held.len().min(RUN_MARKER.len() - 1);
            let cut = self.held.len() - keep;
            self.sha.update(&self.held[..cut]);
            self.held.drain(..cut);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl RunlessHasher {
    fn finish(mut self) -> String {
        self.sha.update(&self.held);
        self.sha
            .update(if self.done { &b"\n}\n"[..] } else { b"\n" });
        self.sha
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn headline(h: &mut String, r: &Report) -> Out {
    let (rec, im) = (&r.records, &r.impact);
    writeln!(h, "<header id=\"headline\"><h1>Leak triage report</h1>")?;
    writeln!(
        h,
        "<p>{} files, {} bytes read; ages as of {}. Every identifier in this report is masked or \
         counted; none is shown in full.</p></header>",
        num(r.ledger.entries),
        num(r.ledger.bytes),
        esc(im.as_of.as_deref().unwrap_or(""))
    )?;
    writeln!(h, "<section><h2>Headline</h2><div class=\"cards\">")?;
    for (value, label) in [
        (num(rec.total), "records".to_string()),
        (
            num(rec.confirmed),
            format!(
                "records confirmed ({} of records)",
                pct(rec.confirmed, rec.total)
            ),
        ),
        (num(im.people), "distinct people (valid NIKs)".to_string()),
        (num(im.children), "children (under 18)".to_string()),
    ] {
        writeln!(
            h,
            "<div class=\"card\"><div class=\"v\">{value}</div><div class=\"l\">{}</div></div>",
            esc(&label)
        )?;
    }
    writeln!(h, "</div>")?;
    writeln!(h, "<div class=\"source\">{}</div>", source_line(r))?;
    let nik = &r.identifiers.nik.facts;
    writeln!(
        h,
        "<p class=\"small muted\">Confirmed = a valid NIK corroborated in the same record: birth date {} · \
         BPJS card {} · reference {} · NIP {}. Birth-date fields agree with the NIK in {} records and disagree in {}.</p>",
        num(rec.confirmed_by.birth_date),
        num(rec.confirmed_by.bpjs_card),
        num(rec.confirmed_by.reference),
        num(rec.confirmed_by.nip),
        num(nik.birth_date_agree),
        num(nik.birth_date_disagree),
    )?;
    if r.reference.given {
        writeln!(
            h,
            "<p><b>Reference check:</b> {} of the data owner's {} identifiers are in the data, in {} records.</p>",
            num(r.reference.people_matched),
            num(r.reference.entries),
            num(r.reference.records_matched),
        )?;
    }
    writeln!(h, "</section>")
}

/// The likely source as the text summary says it: a near tie said as such, and no name when
/// no profile fits.
fn source_line(r: &Report) -> String {
    let rest = runners_up(r);
    let Some(best) = r.best_source().filter(|b| b.source != "unknown") else {
        let closest = rest.first().map_or(String::new(), |c| {
            format!(
                " <span class=\"muted\">(closest: {} {:.2}, below the {MIN_SCORE:.2} a profile needs)</span>",
                esc(&c.name),
                c.score
            )
        });
        return format!("<b>Likely source:</b> no source profile fits{closest}");
    };
    let tie = match rest.first() {
        Some(next) if best.score - next.score <= NEAR_TIE => format!(
            " — close to {} {:.2}: a near tie",
            esc(&next.name),
            next.score
        ),
        _ => String::new(),
    };
    format!(
        "<b>Likely source:</b> {} <span class=\"muted\">(score {:.2})</span>{tie}",
        esc(&best.name),
        best.score
    )
}

fn attribution(h: &mut String, r: &Report) -> Out {
    writeln!(
        h,
        "<section id=\"attribution\"><h2>Whose data: attribution</h2>"
    )?;
    writeln!(
        h,
        "<table><tr><th>source profile</th><th class=\"n\">score</th><th></th><th>evidence seen</th></tr>"
    )?;
    for a in &r.attribution {
        let evidence: Vec<String> = evidence(&a.evidence)
            .into_iter()
            .map(|e| format!("<span class=\"tag\">{}</span>", esc(e)))
            .collect();
        writeln!(
            h,
            "<tr><td><b>{}</b><br><span class=\"small muted\">{}</span></td><td class=\"n\">{:.2}</td>\
             <td><span class=\"bar\" style=\"width:{}px\"></span></td><td>{}</td></tr>",
            esc(&a.name),
            esc(&a.why),
            a.score,
            (a.score * 120.0).round() as u32,
            if evidence.is_empty() { "–".to_string() } else { evidence.join(" ") }
        )?;
    }
    writeln!(
        h,
        "</table><p class=\"small muted\">The score is the share of a profile's weighted field names \
         and value shapes present in the data; below 0.35 the source is reported as unknown.</p></section>"
    )
}

fn identifiers(h: &mut String, r: &Report) -> Out {
    writeln!(h, "<section id=\"identifiers\"><h2>Identifiers found</h2>")?;
    writeln!(
        h,
        "<table><tr><th>kind</th><th class=\"n\">candidates</th><th class=\"n\">valid</th>\
         <th class=\"n\">valid share</th><th class=\"n\">distinct</th><th>invalid, by first rule failed</th></tr>"
    )?;
    for k in Kind::ALL {
        let x = r.identifiers.counts(k);
        let inv: Vec<String> = x
            .invalid
            .iter()
            .filter(|(_, &c)| c > 0)
            .map(|(reason, &c)| format!("{} {}", esc(reason), num(c)))
            .collect();
        writeln!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"small\">{}</td></tr>",
            k.name(),
            num(x.candidates),
            num(x.valid),
            pct(x.valid, x.candidates),
            num(x.unique),
            if inv.is_empty() {
                "–".into()
            } else {
                inv.join(", ")
            }
        )?;
    }
    writeln!(h, "</table>")?;
    writeln!(
        h,
        "<p class=\"small muted\">{}</p></section>",
        identifier_notes(r).join(" · ")
    )
}

/// What only some kinds have: NIK sex, damaged NIKs, phone operators, e-mail domains.
fn identifier_notes(r: &Report) -> Vec<String> {
    let ids = &r.identifiers;
    let nik = &ids.nik.facts;
    let mut notes = vec![format!(
        "NIK sex (occurrences): {} female, {} male",
        num(nik.female),
        num(nik.male)
    )];
    if nik.damaged > 0 {
        notes.push(format!(
            "{} NIKs damaged by a spreadsheet (3.17101E+15)",
            num(nik.damaged)
        ));
    }
    for (label, m) in [
        ("phone operators", &ids.phone.facts.operators),
        ("e-mail domains", &ids.email.facts.domain_classes),
    ] {
        if !m.is_empty() {
            let parts: Vec<String> = m
                .iter()
                .map(|(k, &c)| format!("{} {}", esc(k), num(c)))
                .collect();
            notes.push(format!("{label}: {}", parts.join(", ")));
        }
    }
    notes
}

/// Horizontal bars of distinct people per province, with the share of its population.
fn provinces(h: &mut String, im: &ImpactSection) -> Out {
    writeln!(
        h,
        "<section id=\"provinces\"><h2>Where the people live</h2>"
    )?;
    let rows = by_people(&im.provinces);
    if rows.is_empty() {
        return writeln!(
            h,
            "<p class=\"muted\">No valid NIK was found.</p></section>"
        );
    }
    let max = rows.iter().map(|r| r.1.people).max().unwrap_or(1).max(1);
    let (label_w, bar_w, row_h) = (230.0, 560.0, 20.0);
    let height = rows.len() as f64 * row_h + 24.0;
    writeln!(
        h,
        "<svg width=\"100%\" viewBox=\"0 0 1000 {height}\" role=\"img\" aria-label=\"Distinct people by province\">"
    )?;
    for (i, (code, r)) in rows.iter().enumerate() {
        let y = i as f64 * row_h + 4.0;
        let w = r.people as f64 / max as f64 * bar_w;
        let share = match r.share {
            Some(x) => format!(
                "{} per 100,000 of {}",
                per_100k(x),
                num(r.population.unwrap_or(0))
            ),
            None => "population unknown".into(),
        };
        writeln!(
            h,
            "<text x=\"{:.0}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"end\" fill=\"#1d2433\">{} {}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"#1f5fa8\" rx=\"2\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" fill=\"#5b6476\">{} · {}</text>",
            label_w - 8.0,
            y + 13.0,
            esc(code),
            esc(&r.name),
            y + 2.0,
            row_h - 6.0,
            label_w + w + 6.0,
            y + 13.0,
            num(r.people),
            esc(&share)
        )?;
    }
    writeln!(h, "</svg>")?;
    regencies(h, im)
}

fn regencies(h: &mut String, im: &ImpactSection) -> Out {
    let regs = by_people(&im.regencies);
    writeln!(
        h,
        "<h3>Top regencies and cities</h3><table><tr><th>code</th><th>regency / city</th>\
         <th class=\"n\">people</th><th class=\"n\">female</th><th class=\"n\">children</th>\
         <th class=\"n\">population</th><th class=\"n\">per 100,000</th></tr>"
    )?;
    for (code, r) in regs.iter().take(15) {
        writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(code),
            esc(&r.name),
            num(r.people),
            num(r.female),
            num(r.children),
            r.population.map_or("–".into(), num),
            r.share.map_or("–".into(), per_100k),
        )?;
    }
    writeln!(
        h,
        "</table><p class=\"small muted\">{} regencies and cities in all. Population: Kepmendagri \
         300.2.2-2138/2025 via cahyadsn/wilayah. A NIK keeps the region code it was issued under, \
         so codes from before a split (Papua 91xx/92xx before 2022) have no population of their own.</p></section>",
        regs.len()
    )
}

/// A population pyramid: women to the left, men to the right, one row per age band.
fn ages(h: &mut String, im: &ImpactSection) -> Out {
    writeln!(
        h,
        "<section id=\"ages\"><h2>Age and sex of the people</h2><p class=\"small muted\">\
         Distinct valid NIKs: {} women, {} men; age on {} from the birth date in the NIK (the century \
         that makes the age 0–99).</p>",
        num(im.female),
        num(im.male),
        esc(im.as_of.as_deref().unwrap_or(""))
    )?;
    let bands: Vec<_> = im.age_bands.iter().collect();
    let max = bands
        .iter()
        .flat_map(|b| [b.1.female, b.1.male])
        .max()
        .unwrap_or(0)
        .max(1);
    let (mid, half, row_h) = (500.0, 380.0, 26.0);
    let height = bands.len() as f64 * row_h + 40.0;
    writeln!(
        h,
        "<svg width=\"100%\" viewBox=\"0 0 1000 {height}\" role=\"img\" aria-label=\"Age bands by sex\">"
    )?;
    writeln!(
        h,
        "<text x=\"{:.0}\" y=\"14\" font-size=\"13\" text-anchor=\"end\" fill=\"#c2417a\">women</text>\
         <text x=\"{:.0}\" y=\"14\" font-size=\"13\" fill=\"#2f6db5\">men</text>",
        mid - 40.0,
        mid + 40.0
    )?;
    // Oldest at the top.
    for (i, (label, b)) in bands.iter().rev().enumerate() {
        let y = 24.0 + i as f64 * row_h;
        let (f, m) = (b.female, b.male);
        let fw = f as f64 / max as f64 * half;
        let mw = m as f64 / max as f64 * half;
        writeln!(
            h,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{fw:.1}\" height=\"{:.1}\" fill=\"#c2417a\" rx=\"2\"/>\
             <rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{mw:.1}\" height=\"{:.1}\" fill=\"#2f6db5\" rx=\"2\"/>\
             <text x=\"{mid}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#1d2433\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" text-anchor=\"end\" fill=\"#5b6476\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11.5\" fill=\"#5b6476\">{}</text>",
            mid - 30.0 - fw,
            row_h - 6.0,
            mid + 30.0,
            row_h - 6.0,
            y + 14.0,
            esc(label),
            mid - 34.0 - fw,
            y + 14.0,
            num(f),
            mid + 34.0 + mw,
            y + 14.0,
            num(m),
        )?;
    }
    writeln!(h, "</svg></section>")
}

fn sensitive(h: &mut String, r: &Report) -> Out {
    writeln!(
        h,
        "<section id=\"sensitive\"><h2>Sensitive personal data (UU 27/2022, art. 4(2))</h2>"
    )?;
    writeln!(
        h,
        "<table><tr><th>category</th><th>law</th><th>found</th><th class=\"n\">records</th></tr>"
    )?;
    for (_, c) in r.sensitive.iter() {
        let found = c.records > 0;
        writeln!(
            h,
            "<tr><td>{}</td><td class=\"small muted\">{}</td><td class=\"{}\">{}</td><td class=\"n\">{}</td></tr>",
            esc(c.name),
            esc(&c.law),
            if found { "yes" } else { "no" },
            if found { "yes" } else { "not found" },
            num(c.records)
        )?;
    }
    writeln!(
        h,
        "</table><p class=\"small muted\">From field names and value shapes (ICD-10 codes, account \
         numbers) in <code>patterns/sensitive.toml</code>; children's data also from NIK ages under 18. \
         Sensitive data raises the controller's duties (impact assessment, notification).</p></section>"
    )
}

/// The most files the page lists; `--format csv` has them all.
const MAX_FILES: usize = 500;

fn ledger(h: &mut String, r: &Report) -> Out {
    let l: &Ledger = &r.ledger;
    writeln!(
        h,
        "<section id=\"ledger\"><h2>What was read: the ledger</h2><p>{} entries, {} bytes: \
         {} scanned, {} partial, {} skipped, {} failed.</p>",
        num(l.entries),
        num(l.bytes),
        num(l.scanned),
        num(l.partial),
        num(l.skipped),
        num(l.failed)
    )?;
    writeln!(
        h,
        "<table><tr><th>file</th><th>format</th><th>state</th><th class=\"n\">records</th>\
         <th class=\"n\">confirmed</th><th class=\"n\">NIK</th><th class=\"n\">KK</th><th class=\"n\">card</th>\
         <th class=\"n\">phone</th><th class=\"n\">e-mail</th><th class=\"n\">NPWP</th><th class=\"n\">NIP</th>\
         <th>reason</th></tr>"
    )?;
    for f in r.files.rows().take(MAX_FILES) {
        write!(
            h,
            "<tr><td class=\"wrap\">{}</td><td>{}</td><td class=\"state-{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
            esc(&escape_controls(&f.path)),
            esc(f.format),
            esc(f.state),
            esc(f.state),
            num(f.records),
            num(f.confirmed)
        )?;
        for k in Kind::ALL {
            write!(h, "<td class=\"n\">{}</td>", num(f.valid.get(k)))?;
        }
        writeln!(
            h,
            "<td class=\"small wrap\">{}</td></tr>",
            esc(&escape_controls(&f.reason))
        )?;
    }
    writeln!(h, "</table>")?;
    let count = r.files.len();
    if count > MAX_FILES {
        writeln!(
            h,
            "<p class=\"small muted\">{} more files: see <code>--format csv</code>.</p>",
            count - MAX_FILES
        )?;
    }
    writeln!(h, "</section>")
}

/// `--sample`: a banner above everything, so that no count passes for the whole.
fn sampled(h: &mut String, r: &Report) -> Out {
    let Some(n) = r.custody.sampled else {
        return Ok(());
    };
    writeln!(
        h,
        "<section id=\"sampled\" style=\"border-left:4px solid var(--warn)\"><b>Sampled:</b> only \
         the first {} records of each entry were read; every count in this report is of the \
         sample, not of the whole data.</section>",
        num(n)
    )
}

/// The chain of custody: the scan's start, its roots and case, and the SHA-256 of every
/// entry read whole (as `files` lists them; long lists are cut as the ledger's are).
fn custody(h: &mut String, r: &Report) -> Out {
    let c = &r.custody;
    let roots: Vec<String> = c.roots.iter().map(|p| esc(&escape_controls(p))).collect();
    writeln!(
        h,
        "<section id=\"custody\"><h2>Chain of custody</h2><p>Scan started {} UTC · case {} · \
         roots: {}</p>",
        esc(c.started.as_deref().unwrap_or("–")),
        esc(&escape_controls(c.case.as_deref().unwrap_or("–"))),
        roots.join(", ")
    )?;
    writeln!(
        h,
        "<p class=\"small muted\">SHA-256 of a file's bytes as on disk, of an archive member's \
         content as it comes out of the archive; – when the entry was not read to its end.</p>"
    )?;
    writeln!(h, "<table><tr><th>file</th><th>SHA-256</th></tr>")?;
    for f in r.files.rows().take(MAX_FILES) {
        writeln!(
            h,
            "<tr><td>{}</td><td class=\"small\" style=\"font-family:monospace;word-break:break-all\">{}</td></tr>",
            esc(&escape_controls(&f.path)),
            f.sha256.as_deref().unwrap_or("–")
        )?;
    }
    writeln!(h, "</table></section>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::report_of;
    use crate::summary::{FileStats, State, Summary};
    use crate::testing::pats;

    #[test]
    fn renders_into_memory_and_escapes() {
        let mut s = Summary::default();
        s.stats.records.total = 3;
        s.stats.kinds[0].unique.insert(3171014101900001);
        s.stats.kinds[0].unique.compact();
        s.as_of = Some(crate::calendar::Date::parse("2025-01-01").unwrap());
        s.files.insert(
            "<b>&x.csv".into(),
            FileStats::new(State::Failed, "csv", 5)
                .with_reason(crate::summary::Reason::ReadError("boom".into())),
        );
        let r = report_of(&s, pats());
        let mut out = Vec::new();
        Html.export(&r, &mut out).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.contains("&lt;b&gt;&amp;x.csv"));
        assert!(!html.contains("<b>&x.csv"));
        assert!(html.contains("Daerah Khusus Ibukota Jakarta"));
        assert!(html.contains("id=\"ages\""));
        assert!(html.contains("id=\"custody\""));
        assert!(!html.contains("id=\"sampled\""));
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(num(12), "12");
        assert!(html.contains("1,234,567") || !html.contains("1234567"));
    }

    fn html_of(r: &Report) -> String {
        let mut out = Vec::new();
        Html.export(r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_banners_come_first_and_incomplete_only_when_it_is() {
        let s = crate::report::testing::sample();
        let html = html_of(&report_of(&s, pats()));
        let main = html.find("<main>").unwrap();
        let incomplete = html
            .find("id=\"incomplete\"")
            .expect("a failed entry: INCOMPLETE");
        let verdict = html.find("id=\"verdict\"").unwrap();
        let headline = html.find("id=\"headline\"").unwrap();
        assert!(main < incomplete && incomplete < verdict && verdict < headline);
        assert!(
            html.contains("<b>INCOMPLETE:</b> 1 entry not read (1 failed)"),
            "{html}"
        );
        assert!(html.contains("Verdict: inconclusive"));
        let mut s = s;
        s.files.remove("x.csv");
        let html = html_of(&report_of(&s, pats()));
        assert!(!html.contains("INCOMPLETE") && html.contains("id=\"verdict\""));
    }

    #[test]
    fn the_footer_holds_the_hash_of_the_json_summary_without_run() {
        let s = crate::report::testing::sample();
        let r = report_of(&s, pats());
        let mut json = Vec::new();
        crate::report::json::Json.export(&r, &mut json).unwrap();
        let json = String::from_utf8(json).unwrap();
        // `run` is the last member (the hasher stops there), and every other one is kept.
        let whole: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            whole.as_object().unwrap().keys().next_back().unwrap(),
            "run"
        );
        // The JSON text with its `run` member cut out, by hand.
        let at = json.find(",\n  \"run\": ").unwrap();
        let runless = format!("{}\n}}\n", &json[..at]);
        assert!(serde_json::from_str::<serde_json::Value>(&runless).unwrap()["run"].is_null());
        let want: String = Sha256::digest(runless.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(summary_sha256(&r), want);
        assert!(html_of(&r).contains(&format!("<code>{want}</code></footer>")));
        // Another run of the same scan: the same hash; another count: another hash.
        let again = crate::report::RunInfo {
            threads: 8,
            elapsed_s: 9.0,
        };
        assert_eq!(summary_sha256(&Report::new(&s, pats(), &again)), want);
        let mut moved = s.clone();
        moved.stats.records.total += 1;
        assert_ne!(summary_sha256(&report_of(&moved, pats())), want);
    }

    #[test]
    fn the_page_fits_a4_when_printed() {
        assert!(STYLE.contains("@page { size: A4"));
        assert!(STYLE.contains("@media print"));
        // No fixed width wider than the printable A4 width (about 700 CSS px); a max-width
        // only caps the screen layout (print lifts it).
        for (at, _) in STYLE.match_indices("width:") {
            let w = STYLE[at + "width:".len()..].trim_start();
            let px: String = w.chars().take_while(char::is_ascii_digit).collect();
            if !STYLE[..at].ends_with("max-") && w[px.len()..].starts_with("px") {
                assert!(px.parse::<u32>().unwrap() <= 700, "width:{w}");
            }
        }
        assert!(STYLE.contains("main { max-width:none"));
        let s = crate::report::testing::sample();
        let html = html_of(&report_of(&s, pats()));
        let header = html.find("<th>file</th>").unwrap();
        let end = html[header..].find("</tr>").unwrap();
        let row = html.find("<td class=\"wrap\">").unwrap();
        let row_end = html[row..].find("</tr>").unwrap();
        assert_eq!(
            html[header..header + end].matches("<th").count(),
            html[row..row + row_end].matches("<td").count(),
            "every cell of a ledger row has its heading"
        );
    }
}
