//! `triage merge`, and the scan's side of states: with a key, the scan's ledger is sealed
//! (names masked, keyed by masked path and path fingerprint, the order a merge can
//! reproduce) before it is rendered, and `--state FILE` is written.

use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::args::MergeArgs;
use crate::cli::config::load_patterns;
use crate::cli::{write_report, Config, Exit};
use crate::report::names::NameMasker;
use crate::report::{Report, RunInfo};
use crate::summary::fingerprint::Key;
use crate::summary::state::{merge::merge, seal_files, write_scan};
use crate::summary::Summary;

/// A settled scan given a key: its ledger sealed unless `--reveal`, then `--state`.
pub fn seal_and_save(cfg: &Config, key: &Key, s: &mut Summary) -> Result<()> {
    let mut masker = NameMasker::new(&cfg.patterns);
    let mut mask = |n: &str| masker.mask(n).into_owned();
    if !cfg.reveal {
        s.sealed = Some(seal_files(&std::mem::take(&mut s.files), key, &mut mask));
    }
    if let Some(path) = &cfg.state {
        crate::outputs::write(path, |w| write_scan(s, key, &mut mask, w))?;
    }
    Ok(())
}

/// The key of `--key` or `TRIAGE_KEY`, which reading a state needs.
pub fn state_key(key: Option<&str>) -> Result<Key> {
    let k = key.context("reading a state needs the key it was made with (--key or TRIAGE_KEY)")?;
    Key::new(k.as_bytes()).context("--key / TRIAGE_KEY")
}

pub fn run_merge(a: MergeArgs) -> Result<Exit> {
    let start = Instant::now();
    let key = state_key(a.key.as_deref())?;
    let outputs: Vec<(&str, &std::path::Path)> = [
        ("-o", &a.out.output),
        ("--html", &a.out.html),
        ("--state", &a.state),
    ]
    .into_iter()
    .filter_map(|(flag, p)| Some((flag, p.as_deref()?)))
    .collect();
    let inputs: Vec<&std::path::Path> = a.states.iter().map(|p| p.as_path()).collect();
    crate::outputs::check(&outputs, &inputs)?;
    let p = load_patterns(&a.patterns)?;
    let summary = match &a.state {
        Some(path) => {
            let mut merged = None;
            crate::outputs::write(path, |w| {
                merged = Some(
                    merge(&a.states, &key, Some(w))
                        .map_err(|e| std::io::Error::other(format!("{e:#}")))?,
                );
                Ok(())
            })?;
            merged.expect("written")
        }
        None => merge(&a.states, &key, None)?,
    };
    let run = RunInfo {
        threads: 1,
        elapsed_s: start.elapsed().as_secs_f64(),
    };
    let report = Report::new(&summary, &p, &run);
    let (html, output) = (a.out.html.as_deref(), a.out.output.as_deref());
    write_report(html, a.out.format(), output, &p, &report)?;
    Ok(if summary.incomplete() {
        Exit::Incomplete
    } else {
        Exit::Ok
    })
}
