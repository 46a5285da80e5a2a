//! The one place raw flags become settings: [`Config::from_args`] validates every scan flag,
//! reads the baseline and the reference list, checks every output path and builds the
//! [`ScanConfig`] and its [`RecordOptions`], all before anything is scanned — a typo fails in a
//! second, not after an hour's scan.

use std::fs;
use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::analyze::options::RecordOptions;
use crate::calendar::Date;
use crate::cli::args::{Format, ScanArgs};
use crate::input::select::Select;
use crate::report::names::shown;
use crate::rules::Patterns;
use crate::scan::shard::{Shard, MAX_SHARDS};
use crate::scan::ScanConfig;
use crate::summary::custody::Custody;
use crate::summary::fingerprint::{Key, Reference};
use crate::summary::rows::RowSpill;

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
    /// `--update-expect FILE` and the baseline already there, if any.
    pub update_expect: Option<(PathBuf, Option<Value>)>,
    /// `--state FILE` (a key is given: checked here).
    pub state: Option<PathBuf>,
    /// `-q`: no progress, no notes on stderr (errors still).
    pub quiet: bool,
    /// The chain of custody, but for its start (taken when the scan starts).
    pub custody: Custody,
}

/// The patterns of `--patterns DIR`, or the built-in ones.
pub fn load_patterns(dir: &Option<PathBuf>) -> Result<Patterns> {
    match dir {
        Some(d) => Patterns::from_dir(d),
        None => Patterns::builtin(),
    }
}

/// The most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

impl Config {
    /// Validates in the order the checks were written (the first failure is the message).
    pub fn from_args(a: ScanArgs) -> Result<Config> {
        if a.paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
            bail!("`-` (standard input) can be given only once");
        }
        check_outputs(&a)?;
        if a.state.is_some() && a.key.is_none() {
            bail!("--state needs a key (--key or TRIAGE_KEY): a state holds keyed fingerprints");
        }
        let mut scan = ScanConfig::new(a.paths.clone());
        limits(&a, &mut scan)?;
        scan.shard = a.shard.as_deref().map(parse_shard).transpose()?;
        scan.select = Select::new(&a.globs, &a.excludes)?;
        scan.sample = a.sample;
        let expect = match &a.expect {
            Some(path) => Some((path.clone(), read_baseline(path)?)),
            None => None,
        };
        let update_expect = match &a.update_expect {
            Some(path) => Some((path.clone(), read_old_baseline(path, &a.paths)?)),
            None => None,
        };
        for out in [
            &a.out.output,
            &a.records,
            &a.out.html,
            &a.update_expect,
            &a.state,
        ]
        .into_iter()
        .flatten()
        {
            scan.exclude.push(out.clone());
        }
        let baseline = expect.as_ref().map(|(_, v)| v);
        let baseline = baseline.or(update_expect.as_ref().and_then(|(_, old)| old.as_ref()));
        scan.record_options = Arc::new(record_options(&a, baseline)?);
        let progress = !a.no_progress && !a.quiet && io::stderr().is_terminal();
        // The bar's total is every file's size, known before the first is read.
        scan.sizes_first = progress;
        Ok(Config {
            format: a.out.format(),
            expect,
            reveal: a.reveal,
            progress,
            quiet: a.quiet,
            custody: custody(&a),
            patterns: load_patterns(&a.patterns)?,
            scan,
            output: a.out.output,
            records: a.records,
            html: a.out.html,
            update_expect,
            state: a.state,
        })
    }
}

/// The roots as given (not canonicalized: what the user named) and the case label.
fn custody(a: &ScanArgs) -> Custody {
    Custody {
        started: None,
        roots: a
            .paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        case: a.case.clone(),
    }
}

/// `--threads` and the reading limits.
fn limits(a: &ScanArgs, scan: &mut ScanConfig) -> Result<()> {
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
    Ok(())
}

/// `--shard I/N`: 0-based I below N, N from 1 to [`MAX_SHARDS`].
fn parse_shard(s: &str) -> Result<Shard> {
    let bad = || {
        anyhow::anyhow!(
            "--shard {s:?}: expected I/N, shard I (0-based) of N, with I < N and 1 <= N <= \
             {MAX_SHARDS} (e.g. 0/8)"
        )
    };
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let index: u32 = i.trim().parse().map_err(|_| bad())?;
    let count: u32 = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || count > MAX_SHARDS || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// The `--expect` baseline, refused unless it can be compared with.
fn read_baseline(path: &Path) -> Result<Value> {
    let text =
        fs::read_to_string(path).with_context(|| format!("reading baseline {}", path.display()))?;
    let v: Value = serde_json::from_str(&text)
        .with_context(|| format!("baseline {} is not JSON", path.display()))?;
    if let Err(why) = crate::report::check_baseline(&v) {
        bail!(
            "baseline {} cannot be compared with: {why} (write one with \
             `triage scan ... --json -o FILE`)",
            path.display()
        );
    }
    Ok(v)
}

/// The baseline `--update-expect` replaces, if there is one. A file there that is not a
/// summary is refused rather than overwritten (a mistyped path must not destroy a file), and
/// so is a baseline inside a scanned folder: the next scan would read it as one more entry
/// and never match it.
fn read_old_baseline(path: &Path, roots: &[PathBuf]) -> Result<Option<Value>> {
    if let Some(root) = scanned_folder_holding(path, roots) {
        bail!(
            "refusing to write --update-expect {} inside the scanned folder {}: the next scan \
             would read the baseline as one of its entries (write it outside the scanned paths)",
            path.display(),
            root.display()
        );
    }
    let text = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if v["schema"] != crate::report::SCHEMA {
        bail!(
            "refusing to replace {}: it is not a triage summary (no \"schema\": \"{}\")",
            path.display(),
            crate::report::SCHEMA
        );
    }
    Ok(Some(v))
}

/// The scanned folder (a root, through links) that would hold a file written at `path`.
fn scanned_folder_holding<'r>(path: &Path, roots: &'r [PathBuf]) -> Option<&'r PathBuf> {
    let parent = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let folder = fs::canonicalize(parent).ok()?;
    roots
        .iter()
        .find(|root| fs::canonicalize(root).is_ok_and(|r| r.is_dir() && folder.starts_with(&r)))
}

/// What the scan does per record beyond counting: the key, the reference list, the date ages
/// are computed on and the `--records` spill.
fn record_options(a: &ScanArgs, baseline: Option<&Value>) -> Result<RecordOptions> {
    let key = match a.key.as_deref() {
        Some(k) => Some(Key::new(k.as_bytes()).context("--key / TRIAGE_KEY")?),
        None => None,
    };
    let reference = match &a.reference {
        Some(path) => Some(load_reference(path, key.is_some(), a.reveal, a.quiet)?),
        None => None,
    };
    // A baseline carries the date its ages were computed on: comparing with it rescans
    // as of that date, so the baseline does not age.
    let baseline_date = baseline.and_then(|v| v["impact"]["as_of"].as_str());
    let today = match a.as_of.as_deref().or(baseline_date) {
        Some(d) => Date::parse(d).context("--as-of")?,
        None => Date::today(),
    };
    let rows = match &a.records {
        Some(path) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            Some(RowSpill::new_in(&dir)?)
        }
        None => None,
    };
    Ok(RecordOptions {
        today: Some(today),
        reference,
        key,
        rows,
        reveal: a.reveal,
    })
}

/// The `--reference` list; fingerprints need the key they were made with.
fn load_reference(path: &Path, have_key: bool, reveal: bool, quiet: bool) -> Result<Reference> {
    let r = Reference::load(path)?;
    if r.has_fingerprints() && !have_key {
        bail!(
            "{} holds fingerprints: give the key they were made with (--key or TRIAGE_KEY)",
            path.display()
        );
    }
    if r.unusable > 0 && !quiet {
        let p = Patterns::builtin().ok();
        eprintln!(
            "triage: {}: {} line(s) are neither a 16-digit NIK nor a 64-digit hex fingerprint; ignored",
            shown(&path.display().to_string(), reveal, p.as_ref()),
            r.unusable
        );
    }
    Ok(r)
}

/// SPEC §2 "Outputs": every file the scan will write, checked before anything is read
/// (see [`crate::outputs::check`]); the roots, the baseline and the reference list are
/// inputs no output may be.
fn check_outputs(a: &ScanArgs) -> Result<()> {
    let outputs: Vec<(&str, &Path)> = [
        ("-o", &a.out.output),
        ("--html", &a.out.html),
        ("--records", &a.records),
        ("--update-expect", &a.update_expect),
        ("--state", &a.state),
    ]
    .into_iter()
    .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
    .collect();
    let inputs: Vec<&Path> = a
        .paths
        .iter()
        .chain(&a.expect)
        .chain(&a.reference)
        .map(PathBuf::as_path)
        .collect();
    crate::outputs::check(&outputs, &inputs)
}
