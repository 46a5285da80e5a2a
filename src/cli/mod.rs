//! The command line, the top stage: [`args`] (what clap reads), [`config`] (the one place
//! flags become a validated [`Config`]), [`progress`] (the bar on stderr), [`exit`] (the
//! exit codes), [`explain`] (the `explain` and `patterns --check` commands), [`shell`]
//! (completions and man pages); here, the glue that runs a command and maps its outcome to an
//! [`Exit`]. Imports every stage below it.

pub mod args;
pub mod compare;
pub mod config;
pub mod exit;
pub mod explain;
pub mod merge;
pub mod progress;
pub mod shell;

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use serde_json::Value;

pub use crate::cli::args::{Cli, Command, Format};
use crate::cli::args::{ExplainArgs, PatternsArgs, SynthArgs, SynthFormatArg};
use crate::cli::config::load_patterns;
pub use crate::cli::config::Config;
pub use crate::cli::exit::Exit;
use crate::cli::explain::{check, explain, write_json, write_text};
use crate::cli::progress::draw_progress;
use crate::report::baseline::write_baseline;
use crate::report::csv::Csv;
use crate::report::html::Html;
use crate::report::json::Json;
use crate::report::md::Md;
use crate::report::names::{shown, NameMasker};
use crate::report::records::write_records;
use crate::report::text::Text;
use crate::report::{expect_diff, Exporter, Report, RunInfo};
use crate::rules::Patterns;
use crate::scan::{notes, scan, Progress};
use crate::summary::Summary;
use crate::synth::{self, SynthFormat, SynthOptions};

/// Parses the command line, runs the command, and returns its exit code.
pub fn run() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Fatal
            } else {
                Exit::Ok
            };
        }
    };
    let reveal = match &cli.command {
        Command::Scan(a) => a.reveal,
        Command::Explain(a) => a.reveal,
        _ => false,
    };
    match run_command(cli.command) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => Exit::Ok,
        Err(e) => {
            // An error may name an input or an output (`refusing to overwrite ...`).
            let p = Patterns::builtin().ok();
            eprintln!(
                "triage: error: {}",
                shown(&format!("{e:#}"), reveal, p.as_ref())
            );
            Exit::Fatal
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn run_command(cmd: Command) -> Result<Exit> {
    match cmd {
        Command::Scan(a) => run_scan(Config::from_args(*a)?),
        Command::Explain(a) => run_explain(a),
        Command::Patterns(a) => run_patterns(a),
        Command::Synth(a) => run_synth(a),
        Command::Completions(a) => {
            let mut out = io::stdout().lock();
            shell::completions(&a, &mut out)?;
            out.flush()?;
            Ok(Exit::Ok)
        }
        Command::Man(a) => {
            let mut out = io::stdout().lock();
            shell::man(&a, &mut out)?;
            out.flush()?;
            Ok(Exit::Ok)
        }
        Command::Merge(a) => merge::run_merge(a),
        Command::Compare(a) => compare::run_compare(a),
    }
}

/// The exporter of a `--format`.
fn exporter(format: Format, p: &Patterns) -> Box<dyn Exporter + '_> {
    match format {
        Format::Json => Box::new(Json),
        Format::Text => Box::new(Text { patterns: p }),
        Format::Csv => Box::new(Csv),
        Format::Html => Box::new(Html),
        Format::Md => Box::new(Md),
    }
}

fn run_scan(cfg: Config) -> Result<Exit> {
    let start = Instant::now();
    let started = crate::calendar::now_seconds();
    let mut summary = scan_with_progress(&cfg)?;
    let exit = report_scan(&cfg, &mut summary, start, started);
    // The process ends once the exit code is back (`run` is main's alone): freeing a ledger
    // of 200,000 small files entry by entry took a twentieth of their scan, on one core.
    std::mem::forget(summary);
    exit
}

/// Everything a scan writes, from its summary: the notes on stderr, `--records`, the state
/// file, the outputs, the `--expect` check; the exit code.
fn report_scan(cfg: &Config, summary: &mut Summary, start: Instant, started: i64) -> Result<Exit> {
    summary.custody = cfg.custody.clone();
    summary.custody.started = Some(started);
    if !cfg.quiet {
        for note in notes(summary) {
            eprintln!("triage: {note}");
        }
    }
    let x = &cfg.scan.record_options;
    let (p, reveal) = (&cfg.patterns, cfg.reveal);
    if let (Some(path), Some(spill)) = (&cfg.records, &x.rows) {
        let mut masker = NameMasker::new(p);
        let mut name = |n: &str| -> String {
            if reveal {
                n.to_string()
            } else {
                masker.mask(n).into_owned()
            }
        };
        write_records(path, spill, std::mem::take(&mut summary.rows), &mut name)?;
    }
    summary.reference = x.reference.as_ref().map(|r| r.len() as u64);
    if let Some(key) = &x.key {
        merge::seal_and_save(cfg, key, summary)?;
    }
    let run = RunInfo {
        threads: cfg.scan.threads,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    let mut report = Report::new(summary, p, &run);
    if !reveal {
        report.mask_names(p);
    }
    write_outputs(cfg, &report)?;
    if let Some((path, old)) = &cfg.update_expect {
        update_baseline(&report, path, old.as_ref(), cfg)?;
    }
    if let Some((path, baseline)) = &cfg.expect {
        if !expect_holds(&report, path.display().to_string(), baseline, cfg) {
            return Ok(Exit::CheckFailed);
        }
    }
    // A sample never passes for the whole: its entries not read to the end are `partial`,
    // and even one that held no more records than the sample is not called complete.
    // The ledger's counts say what `Summary::incomplete` would find by another pass.
    let incomplete = report.ledger.partial + report.ledger.failed > 0;
    Ok(if incomplete || summary.sampled.is_some() {
        Exit::Incomplete
    } else {
        Exit::Ok
    })
}

/// The scan, with the progress bar drawn meanwhile when asked for.
fn scan_with_progress(cfg: &Config) -> Result<Summary> {
    let progress = Progress::default();
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        let bar = cfg
            .progress
            .then(|| s.spawn(|| draw_progress(&progress, &done)));
        let r = scan(&cfg.scan, &cfg.patterns, &progress);
        done.store(true, Ordering::Release);
        if let Some(b) = bar {
            let _ = b.join();
        }
        r
    })
}

/// `--html FILE`, then the summary on `-o FILE` or stdout.
fn write_outputs(cfg: &Config, report: &Report) -> Result<()> {
    let (html, output) = (cfg.html.as_deref(), cfg.output.as_deref());
    write_report(html, cfg.format, output, &cfg.patterns, report)
}

/// `html`, then the summary in `format` on `output` or stdout.
fn write_report(
    html: Option<&std::path::Path>,
    format: Format,
    output: Option<&std::path::Path>,
    p: &Patterns,
    report: &Report,
) -> Result<()> {
    if let Some(path) = html {
        crate::outputs::write(path, |w| Html.export(report, w))?;
    }
    let format = exporter(format, p);
    match output {
        Some(path) => crate::outputs::write(path, |w| format.export(report, w)),
        None => {
            let mut sink = io::BufWriter::new(io::stdout().lock());
            format
                .export(report, &mut sink)
                .and_then(|()| sink.flush())
                .context("writing the summary")
        }
    }
}

/// Whether the report matches the `--expect` baseline; the differences go to stderr.
fn expect_holds(report: &Report, path: String, baseline: &Value, cfg: &Config) -> bool {
    let show = |s: &str| shown(s, cfg.reveal, Some(&cfg.patterns));
    let diffs = expect_diff(report, baseline, &show);
    if diffs.is_empty() {
        return true;
    }
    eprintln!(
        "triage: {} difference(s) from the baseline {}:",
        diffs.len(),
        show(&path)
    );
    for d in &diffs {
        eprintln!("  {d}");
    }
    false
}

/// `--update-expect`: the differences from the old baseline on stderr, then the new one
/// written in its place. Not a check: the differences do not change the exit code.
fn update_baseline(report: &Report, path: &Path, old: Option<&Value>, cfg: &Config) -> Result<()> {
    let show = |s: &str| shown(s, cfg.reveal, Some(&cfg.patterns));
    let name = show(&path.display().to_string());
    match old {
        Some(old) => {
            let diffs = expect_diff(report, old, &show);
            eprintln!(
                "triage: {} difference(s) from the old baseline {name}{}",
                diffs.len(),
                if diffs.is_empty() { "" } else { ":" }
            );
            for d in &diffs {
                eprintln!("  {d}");
            }
        }
        None => eprintln!("triage: no baseline at {name} yet"),
    }
    crate::outputs::write(path, |w| write_baseline(report, w))?;
    eprintln!("triage: wrote the new baseline {name}");
    Ok(())
}

fn run_explain(a: ExplainArgs) -> Result<Exit> {
    let p = load_patterns(&a.patterns)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for value in &a.values {
        let e = explain(value, a.kind, a.reveal, &p);
        if a.json {
            write_json(&e, &mut out)?;
        } else {
            write_text(&e, &mut out)?;
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}

fn run_patterns(a: PatternsArgs) -> Result<Exit> {
    let p = load_patterns(&a.patterns)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    if a.check {
        let (ran, failures) = check(&p);
        for f in &failures {
            writeln!(
                out,
                "FAIL {}: {:?} should {}",
                f.kind,
                f.example,
                if f.expected_valid {
                    "hold a valid identifier of this kind"
                } else {
                    "not hold a valid identifier of this kind"
                }
            )?;
        }
        writeln!(
            out,
            "{} passed, {} failed",
            ran - failures.len(),
            failures.len()
        )?;
        out.flush()?;
        return Ok(if failures.is_empty() {
            Exit::Ok
        } else {
            Exit::CheckFailed
        });
    }
    if a.json {
        let list: Vec<Value> = p
            .infos
            .iter()
            .map(|i| {
                serde_json::json!({
                    "kind": i.kind.name(), "name": i.name, "shape": i.shape, "about": i.about,
                    "examples": i.examples.len(), "negative_examples": i.negative_examples.len(),
                })
            })
            .collect();
        // Through `io::Error`, so a closed pipe ends the command quietly (as in `scan`).
        serde_json::to_writer_pretty(&mut out, &list).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        for i in &p.infos {
            writeln!(out, "{:<10} {}", i.kind.name(), i.name)?;
            writeln!(out, "           shape    {}", i.shape)?;
            writeln!(out, "           rule     {}", i.about)?;
            writeln!(
                out,
                "           examples {} positive, {} negative",
                i.examples.len(),
                i.negative_examples.len()
            )?;
        }
        writeln!(
            out,
            "\nfield synonyms: {} names; regions: built from patterns/regions.csv; sources: {}",
            p.roles.len(),
            p.sources.len()
        )?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}

fn run_synth(a: SynthArgs) -> Result<Exit> {
    let p = Patterns::builtin()?;
    let opts = SynthOptions {
        rows: a.rows,
        seed: a.seed,
        out: a.out,
        format: match a.format {
            SynthFormatArg::Csv => SynthFormat::Csv,
            SynthFormatArg::Jsonl => SynthFormat::Jsonl,
        },
    };
    let r = synth::write(&opts, &p)?;
    eprintln!(
        "triage: wrote {} ({} bytes) and {}",
        shown(&r.sample.display().to_string(), false, Some(&p)),
        r.bytes,
        shown(&r.truth.display().to_string(), false, Some(&p))
    );
    Ok(Exit::Ok)
}
