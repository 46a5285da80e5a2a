//! `triage compare A B`: the overlap of two states, written as text or JSON.

use std::io::{self, Write};

use anyhow::{Context, Result};

use crate::cli::args::{CompareArgs, CompareFormat};
use crate::cli::config::load_patterns;
use crate::cli::merge::state_key;
use crate::cli::Exit;
use crate::report::compare::{CompareExporter, CompareJson, CompareReport, CompareText};
use crate::summary::state::compare::compare;

pub fn run_compare(a: CompareArgs) -> Result<Exit> {
    let key = state_key(a.key.as_deref())?;
    if let Some(out) = &a.output {
        crate::outputs::check(&[("-o", out)], &[&a.a, &a.b])?;
    }
    let p = load_patterns(&a.patterns)?;
    let c = compare(&a.a, &a.b, &key)?;
    let report = CompareReport::new(&c, &p);
    let exporter: &dyn CompareExporter = match a.format {
        CompareFormat::Text => &CompareText,
        CompareFormat::Json => &CompareJson,
    };
    match &a.output {
        Some(path) => crate::outputs::write(path, |w| exporter.export(&report, w))?,
        None => {
            let mut sink = io::BufWriter::new(io::stdout().lock());
            exporter
                .export(&report, &mut sink)
                .and_then(|()| sink.flush())
                .context("writing the comparison")?;
        }
    }
    Ok(Exit::Ok)
}
