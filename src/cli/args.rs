//! The command line as clap reads it: subcommands, flags and their value parsers. Nothing
//! here is validated beyond what clap checks; `cli::config` turns [`ScanArgs`] into a
//! `Config`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::rules::Kind;

/// `--version`: the crate's version and the git commit it was built from (build.rs; `unknown`
/// outside a git checkout).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("TRIAGE_COMMIT"),
    ")"
);

/// Judge a leaked Indonesian dataset fast, without spreading it further.
///
/// triage finds NIK, KK, BPJS card numbers, phone numbers and e-mail addresses, validates them
/// against the real rules, corroborates them inside each record and summarizes what it found.
/// Values are masked in every output unless --reveal is given.
#[derive(Debug, Parser)]
#[command(name = "triage", version = VERSION, max_term_width = 100)]
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
    /// Print the shell completion script for SHELL (source it, or install it where the
    /// shell looks for completions).
    Completions(CompletionsArgs),
    /// Print the man page (roff) of triage, or of one of its commands.
    Man(ManArgs),
    /// The summary of several scan states together (`scan --state`), as one scan of all
    /// their inputs.
    Merge(MergeArgs),
    /// Identifiers two scan states share, and those only one holds.
    Compare(CompareArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Csv,
    /// One self-contained HTML page (no network, no scripts): the report to hand on.
    Html,
    /// Markdown for a CI step summary ($GITHUB_STEP_SUMMARY) or a merge-request note.
    Md,
}

/// Where and how a summary is written: the flags `scan` and `merge` share.
#[derive(Debug, clap::Args)]
pub struct Outputs {
    /// Summary format on stdout (or --output).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Write the summary to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the HTML report to FILE (whatever --format is).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
}

impl Outputs {
    /// The summary's format, `--json` settled.
    pub fn format(&self) -> Format {
        if self.json {
            Format::Json
        } else {
            self.format
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// Files and directories to scan (recursively; symlinks below them are not followed);
    /// `-` reads standard input.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub out: Outputs,
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
    /// The date ages are computed on, YYYY-MM-DD (default: today in UTC, or with --expect the
    /// baseline's `impact.as_of`).
    #[arg(long, env = "TRIAGE_AS_OF", value_name = "DATE")]
    pub as_of: Option<String>,
    /// Largest record read whole; a longer one is cut here (bytes; 64M, 1.5G, 512MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64M")]
    pub max_record: u64,
    /// Largest decompressed size of one archive member or compressed stream; a larger one is
    /// `skipped: too large` (bytes; 64M, 1.5G, 512MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64G")]
    pub max_entry_size: u64,
    /// Decompressed bytes per compressed byte above which an entry past 4 MiB is a bomb and
    /// is skipped.
    #[arg(long, value_name = "N", default_value_t = 100)]
    pub max_ratio: u64,
    /// How many archives or compressed streams deep to open (a gzip in a zip is 2).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub max_depth: usize,
    /// Scan only shard I (0-based) of N: a deterministic share of the walked entries,
    /// balanced by bytes, so N runs over the same paths cover every entry exactly once.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Write the summary (outside `run`) to FILE as the new --expect baseline, after printing
    /// its differences from the baseline already there; the scan's exit code is unchanged.
    #[arg(long, value_name = "FILE", conflicts_with = "expect")]
    pub update_expect: Option<PathBuf>,
    /// Also write the scan's mergeable state to FILE (`triage merge`, `triage compare`);
    /// needs a key.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A case label for the chain of custody (the summary's `custody.case`).
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// No progress bar and no notes on stderr, only errors (exit codes are unchanged).
    #[arg(short, long)]
    pub quiet: bool,
    /// Read only entries whose path below its root matches GLOB (repeatable; `*` also
    /// matches `/`, `**` any folders); the others are `skipped: excluded` in the ledger.
    #[arg(long = "glob", value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Leave out entries (or whole folders) whose path below its root matches GLOB
    /// (repeatable); they are `skipped: excluded` in the ledger.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,
    /// Read only the first N records of each entry, for a first look at a huge dump; the
    /// summary says it is sampled, entries not read to their end are `partial`, and the scan
    /// exits 3 (never complete).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample: Option<u64>,
}

/// A byte count: `4096`, `64K`, `1.5G`, `64MiB`, `2 GB`. Every unit is binary (`M`, `MB` and
/// `MiB` are all 2^20), as K, M and G always were here: a limit is a memory size.
fn parse_size(s: &str) -> Result<u64, String> {
    const SIZES: parse_size::Config = parse_size::Config::new().with_binary();
    let v = SIZES
        .parse_size(s.trim())
        .map_err(|e| format!("{s:?} is not a size ({e}; e.g. 4096, 64K, 1.5G, 64MiB)"))?;
    if v == 0 {
        return Err("a size must be at least 1 byte".into());
    }
    Ok(v)
}

/// A `--kind` value: a kind's name as the summaries write it (`bpjs_card`), any case, `-` for
/// `_` (`bpjs-card`). Read over [`Kind::ALL`], so every kind the scanner knows is accepted.
fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::from_name(&s.to_ascii_lowercase().replace('-', "_"))
        .ok_or_else(|| format!("no such kind (kinds: {})", kind_names()))
}

fn kind_names() -> String {
    Kind::ALL.map(Kind::name).join(", ")
}

fn kind_help() -> String {
    format!(
        "Read every value as this kind, and explain only identifiers of it (a KK looks like a \
         NIK): {}",
        kind_names()
    )
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Values to decode.
    #[arg(required = true, value_name = "VALUE")]
    pub values: Vec<String>,
    #[arg(long, value_name = "KIND", value_parser = parse_kind, help = kind_help())]
    pub kind: Option<Kind>,
    /// One JSON object per value, one per line: `{"value", "identifiers": [...]}`.
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

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// A command's own page (`triage man scan` is triage-scan(1)); triage(1) without it.
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// State files written by `triage scan --state` (or `triage merge --state`).
    #[arg(required = true, value_name = "STATE")]
    pub states: Vec<PathBuf>,
    #[command(flatten)]
    pub out: Outputs,
    /// Also write the merged state to FILE (merges can be merged again).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// The key the states were made with.
    #[arg(long, env = "TRIAGE_KEY", value_name = "KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Use the pattern files in DIR instead of the built-in ones (those of the scans).
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The first state (A).
    #[arg(value_name = "A")]
    pub a: PathBuf,
    /// The second state (B).
    #[arg(value_name = "B")]
    pub b: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CompareFormat::Text)]
    pub format: CompareFormat,
    /// Write the comparison to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The key both states were made with.
    #[arg(long, env = "TRIAGE_KEY", value_name = "KEY", hide_env_values = true)]
    pub key: Option<String>,
    /// Use the pattern files in DIR instead of the built-in ones (province names).
    #[arg(long, value_name = "DIR")]
    pub patterns: Option<PathBuf>,
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
        assert_eq!(parse_size("1.5G"), Ok(3 << 29));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("2 MB"), Ok(2 << 20));
        for bad in ["", "0", "M", "-1", "1.5X", "99999999999999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_are_read_by_their_summary_names() {
        for k in Kind::ALL {
            assert_eq!(parse_kind(k.name()), Ok(k));
            assert_eq!(parse_kind(&k.name().to_uppercase()), Ok(k));
        }
        assert_eq!(parse_kind("bpjs-card"), Ok(Kind::BpjsCard));
        let err = parse_kind("passport").unwrap_err();
        assert!(err.contains("bpjs_card"), "{err}");
    }
}
