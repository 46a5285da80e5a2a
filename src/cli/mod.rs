//! The command line: clap definitions, the one place raw flags become a validated
//! [`Config`], and the glue that runs a command and maps its outcome to an [`Exit`] code.

pub mod explain;

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::Value;

use crate::analyze::options::RecordOptions;
use crate::cli::explain::{check, explain};
use crate::report::{self, RunInfo};
use crate::rules::{Kind, Patterns};
use crate::scan::{scan, Progress, ScanConfig};
use crate::summary::fingerprint::{Key, Reference};
use crate::summary::impact::Civil;
use crate::synth::{self, SynthFormat, SynthOptions};

/// Exit codes (SPEC §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The scan (or command) completed.
    Ok = 0,
    /// An `--expect` comparison or `patterns --check` failed; wins over `Incomplete`.
    CheckFailed = 1,
    /// Bad arguments, an unreadable root, an invalid pattern file.
    Fatal = 2,
    /// The scan finished, but some entry is `partial` or `failed`.
    Incomplete = 3,
}

/// Judge a leaked Indonesian dataset fast, without spreading it further.
///
/// triage finds NIK, KK, BPJS card numbers, phone numbers and e-mail addresses, validates them
/// against the real rules, corroborates them inside each record and summarizes what it found.
/// Values are masked in every output unless --reveal is given.
#[derive(Debug, Parser)]
#[command(name = "triage", version, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files, directories and archives and write the summary.
    Scan(Box<ScanArgs>),
    /// Decode identifiers: NIK/KK region, birth date and sex; phone operator; e-mail class.
    Explain(ExplainArgs),
    /// List the identifier patterns; --check runs every pattern's examples.
    Patterns(PatternsArgs),
    /// Write a reproducible synthetic BPJS-style sample and its expected counts.
    Synth(SynthArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    /// One self-contained HTML page (no network, no scripts): the report to hand on.
    Html,
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files and directories to scan (recursively; symlinks below them are not followed);
    /// `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Summary format on stdout (or --output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write the summary to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads, 1 to 1024 (default: all cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
    /// Compare the summary (outside `run`) with a baseline JSON; exit 1 on any difference.
    #[arg(long, value_name = "FILE")]
    pub expect: Option<PathBuf>,
    /// Use the pattern files in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// Show raw values in outputs (every value is masked by default).
    #[arg(long)]
    pub reveal: bool,
    /// Do not draw a progress bar (it is drawn on stderr only when stderr is a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// Also write one CSV row per record with any candidate (owner-only permissions).
    #[arg(long, value_name = "FILE")]
    pub records: Option<PathBuf>,
    /// Identifiers known to the data owner, raw or as fingerprints, one per line: records
    /// holding a valid NIK in it are confirmed by reference.
    #[arg(long, value_name = "FILE")]
    pub reference: Option<PathBuf>,
    /// Secret key for fingerprints (HMAC-SHA256 of the normalized value).
    #[arg(long, env = "TRIAGE_KEY", value_name = "KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Also write the HTML report to FILE (whatever --format is).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// The date ages are computed on, YYYY-MM-DD (default: today in UTC, or with --expect the
    /// baseline's `impact.as_of`).
    #[arg(long, env = "TRIAGE_AS_OF", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Largest record read whole; a longer one is cut here (bytes; K, M, G suffixes).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64M")]
    pub max_record: u64,
    /// Largest decompressed size of one archive member or compressed stream; a larger one is
    /// `skipped: too large` (bytes; K, M, G suffixes).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64G")]
    pub max_entry_size: u64,
    /// Decompressed bytes per compressed byte above which an entry past 4 MiB is a bomb and
    /// is skipped.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_ratio: u64,
    /// How many archives or compressed streams deep to open (a gzip in a zip is 2).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_depth: usize,
}

/// A byte count with an optional binary suffix: `4096`, `64K`, `64M`, `2G`.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (digits, shift) = match t.as_bytes().last().map(u8::to_ascii_uppercase) {
        Some(b'K') => (&t[..t.len() - 1], 10),
        Some(b'M') => (&t[..t.len() - 1], 20),
        Some(b'G') => (&t[..t.len() - 1], 30),
        _ => (t, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a size (a number, optionally with K, M or G)"))?;
    let v = n
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("{s:?} is too large"))?;
    if v == 0 {
        return Err("a size must be at least 1 byte".into());
    }
    Ok(v)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Nik,
    Kk,
    BpjsCard,
    Phone,
    Email,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Nik => Kind::Nik,
            KindArg::Kk => Kind::Kk,
            KindArg::BpjsCard => Kind::BpjsCard,
            KindArg::Phone => Kind::Phone,
            KindArg::Email => Kind::Email,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Values to decode.
    #[arg(required = true, value_name = "VALUE")]
    pub values: Vec<String>,
    /// Read every value as this kind (a KK looks like a NIK).
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// One JSON object per value, one per line.
    #[arg(long)]
    pub json: bool,
    /// Show the values unmasked.
    #[arg(long)]
    pub reveal: bool,
    /// Use the pattern files in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct PatternsArgs {
    /// Run every pattern's examples and negative examples; exit 1 on any miss.
    #[arg(long)]
    pub check: bool,
    /// Use the pattern files in DIR instead of the built-in ones.
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
    /// List the patterns as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SynthFormatArg {
    Csv,
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Number of data rows.
    #[arg(long, default_value_t = 10_000)]
    pub rows: u64,
    /// Seed: the same seed and rows give byte-identical files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write the sample and truth.json into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Sample file format.
    #[arg(long, value_enum, default_value_t = SynthFormatArg::Csv)]
    pub format: SynthFormatArg,
}

/// A scan's validated settings: everything a run needs, decided before any work starts.
pub struct Config {
    pub scan: ScanConfig,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub expect: Option<(PathBuf, Value)>,
    pub reveal: bool,
    pub progress: bool,
    pub patterns: Patterns,
    pub records: Option<PathBuf>,
    pub html: Option<PathBuf>,
}

fn load_patterns(dir: &Option<PathBuf>) -> Result<Patterns> {
    match dir {
        Some(d) => Patterns::from_dir(d),
        None => Patterns::builtin(),
    }
}

/// The most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

impl Config {
    pub fn from_args(a: ScanArgs) -> Result<Config> {
        if a.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
            bail!("`-` (standard input) can be given only once");
        }
        check_outputs(&a)?;
        let mut scan = ScanConfig::new(a.paths);
        if let Some(t) = a.threads {
            if t == 0 {
                bail!("--threads must be at least 1");
            }
            if t > MAX_THREADS {
                // Each worker keeps its own buffers and distinct-value sets; thousands of
                // them only wait on each other (-j 5000 on one small file: over 20 s).
                bail!("--threads must be at most {MAX_THREADS}");
            }
            scan.threads = t;
        }
        scan.max_record = usize::try_from(a.max_record).unwrap_or(usize::MAX);
        scan.limits.max_entry_bytes = a.max_entry_size;
        if a.max_ratio == 0 {
            bail!("--max-ratio must be at least 1");
        }
        scan.limits.max_ratio = a.max_ratio;
        scan.limits.max_depth = a.max_depth;
        let expect = match a.expect {
            Some(path) => {
                let text = fs::read_to_string(&path)
                    .with_context(|| format!("reading baseline {}", path.display()))?;
                let v: Value = serde_json::from_str(&text)
                    .with_context(|| format!("baseline {} is not JSON", path.display()))?;
                if let Err(why) = report::check_baseline(&v) {
                    bail!(
                        "baseline {} cannot be compared with: {why} (write one with \
                         `triage scan ... --json -o FILE`)",
                        path.display()
                    );
                }
                Some((path, v))
            }
            None => None,
        };
        for out in [&a.output, &a.records, &a.html].into_iter().flatten() {
            scan.exclude.push(out.clone());
        }
        let key = match a.key.as_deref() {
            Some(k) => Some(Key::new(k.as_bytes()).context("--key / TRIAGE_KEY")?),
            None => None,
        };
        let reference = match &a.reference {
            Some(path) => {
                let r = Reference::load(path)?;
                if r.has_fingerprints() && key.is_none() {
                    bail!(
                        "{} holds fingerprints: give the key they were made with (--key or TRIAGE_KEY)",
                        path.display()
                    );
                }
                if r.unusable > 0 {
                    let p = Patterns::builtin().ok();
                    eprintln!(
                        "triage: {}: {} line(s) are neither a 16-digit NIK nor a 64-digit hex fingerprint; ignored",
                        shown(&path.display().to_string(), a.reveal, p.as_ref()),
                        r.unusable
                    );
                }
                Some(r)
            }
            None => None,
        };
        // A baseline carries the date its ages were computed on: comparing with it rescans
        // as of that date, so the baseline does not age.
        let baseline_date = expect
            .as_ref()
            .and_then(|(_, v)| v["impact"]["as_of"].as_str().map(str::to_string));
        let today = match a.as_of.as_deref().or(baseline_date.as_deref()) {
            Some(d) => Civil::parse(d).context("--as-of")?,
            None => Civil::today(),
        };
        let rows = match &a.records {
            Some(path) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                Some(crate::analyze::rows::RowSpill::new_in(&dir)?)
            }
            None => None,
        };
        scan.record_options = std::sync::Arc::new(RecordOptions {
            today: Some(today),
            reference,
            key,
            rows,
            reveal: a.reveal,
        });
        Ok(Config {
            format: if a.json { Format::Json } else { a.format },
            output: a.output,
            expect,
            reveal: a.reveal,
            progress: !a.no_progress && io::stderr().is_terminal(),
            patterns: load_patterns(&a.patterns)?,
            scan,
            records: a.records,
            html: a.html,
        })
    }
}

/// SPEC §2 "Outputs": every file the scan will write, checked before anything is read
/// (see [`crate::outputs::check`]); the roots, the baseline and the reference list are
/// inputs no output may be.
fn check_outputs(a: &ScanArgs) -> Result<()> {
    let outputs: Vec<(&str, &std::path::Path)> = [
        ("-o", &a.output),
        ("--html", &a.html),
        ("--records", &a.records),
    ]
    .into_iter()
    .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
    .collect();
    let inputs: Vec<&std::path::Path> = a
        .paths
        .iter()
        .chain(&a.expect)
        .chain(&a.reference)
        .map(PathBuf::as_path)
        .collect();
    crate::outputs::check(&outputs, &inputs)
}

/// A name or message as stderr shows it: identifiers masked unless `reveal`, control
/// characters escaped (SPEC §7: names are outputs too).
fn shown(text: &str, reveal: bool, p: Option<&Patterns>) -> String {
    let masked = match (reveal, p) {
        (false, Some(p)) => report::NameMasker::new(p).mask(text).into_owned(),
        _ => text.to_string(),
    };
    crate::escape::escape_controls(&masked).into_owned()
}

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
    }
}

fn run_scan(cfg: Config) -> Result<Exit> {
    let progress = Progress::default();
    let start = Instant::now();
    let done = std::sync::atomic::AtomicBool::new(false);
    let mut summary = std::thread::scope(|s| {
        let bar = cfg
            .progress
            .then(|| s.spawn(|| draw_progress(&progress, &done)));
        let r = scan(&cfg.scan, &cfg.patterns, &progress);
        done.store(true, Ordering::Release);
        if let Some(b) = bar {
            let _ = b.join();
        }
        r
    })?;
    let x = &cfg.scan.record_options;
    let (p, reveal) = (&cfg.patterns, cfg.reveal);
    let mut masker = report::NameMasker::new(p);
    let mut name = |n: &str| -> String {
        if reveal {
            n.to_string()
        } else {
            masker.mask(n).into_owned()
        }
    };
    if let (Some(path), Some(spill)) = (&cfg.records, &x.rows) {
        crate::analyze::rows::write_records(
            path,
            spill,
            std::mem::take(&mut summary.rows),
            &mut name,
        )?;
    }
    summary.reference = x.reference.as_ref().map(|r| r.len() as u64);
    let run = RunInfo {
        threads: cfg.scan.threads,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    let mut v = report::summary_report(&summary, p, &run);
    if !reveal {
        v.mask_names(p);
    }
    if let Some(path) = &cfg.html {
        crate::outputs::write(path, |w| crate::report::html::write_html(w, &v, p))?;
    }
    let write_summary = |w: &mut dyn Write| match cfg.format {
        Format::Json => report::write_json(w, &v),
        Format::Text => report::write_text(w, &v, p),
        Format::Csv => report::write_csv(w, &v),
        Format::Html => crate::report::html::write_html(w, &v, p),
    };
    match &cfg.output {
        Some(path) => crate::outputs::write(path, write_summary)?,
        None => {
            let mut sink = io::BufWriter::new(io::stdout().lock());
            write_summary(&mut sink)
                .and_then(|()| sink.flush())
                .context("writing the summary")?;
        }
    }

    if let Some((path, baseline)) = &cfg.expect {
        let show = |s: &str| shown(s, reveal, Some(p));
        let diffs = report::expect_diff_shown(&v, baseline, &show);
        if !diffs.is_empty() {
            eprintln!(
                "triage: {} difference(s) from the baseline {}:",
                diffs.len(),
                show(&path.display().to_string())
            );
            for d in &diffs {
                eprintln!("  {d}");
            }
            return Ok(Exit::CheckFailed);
        }
    }
    Ok(if summary.incomplete() {
        Exit::Incomplete
    } else {
        Exit::Ok
    })
}

fn draw_progress(p: &Progress, done: &std::sync::atomic::AtomicBool) {
    let bar = indicatif::ProgressBar::new(p.total.load(Ordering::Relaxed));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
        )
        .expect("a valid template"),
    );
    while !done.load(Ordering::Acquire) {
        bar.set_length(p.total.load(Ordering::Relaxed));
        bar.set_position(p.done.load(Ordering::Relaxed));
        std::thread::sleep(Duration::from_millis(100));
    }
    bar.finish_and_clear();
}

fn run_explain(a: ExplainArgs) -> Result<Exit> {
    let p = load_patterns(&a.patterns)?;
    let mut out = io::BufWriter::new(io::stdout().lock());
    for value in &a.values {
        for e in explain(value, a.kind.map(Kind::from), a.reveal, &p) {
            if a.json {
                let mut v = serde_json::to_value(&e)?;
                v["details"] = serde_json::Value::Object(
                    e.details
                        .iter()
                        .map(|(k, d)| (k.clone(), Value::String(d.clone())))
                        .collect(),
                );
                serde_json::to_writer(&mut out, &v)?;
                writeln!(out)?;
            } else {
                let verdict = match &e.reason {
                    None => "valid".to_string(),
                    Some(r) => format!("invalid: {r}"),
                };
                writeln!(
                    out,
                    "{}: {} {}{}",
                    e.input,
                    e.kind.unwrap_or("no identifier"),
                    verdict,
                    e.normalized
                        .as_deref()
                        .map(|n| format!(" ({n})"))
                        .unwrap_or_default()
                )?;
                for (k, d) in &e.details {
                    writeln!(out, "  {k:<12} {d}")?;
                }
            }
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
        serde_json::to_writer_pretty(&mut out, &list)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64K"), Ok(64 << 10));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        for bad in ["", "0", "M", "1.5G", "-1", "99999999999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exit_codes_are_the_documented_numbers() {
        assert_eq!(Exit::Ok as u8, 0);
        assert_eq!(Exit::CheckFailed as u8, 1);
        assert_eq!(Exit::Fatal as u8, 2);
        assert_eq!(Exit::Incomplete as u8, 3);
    }
}
