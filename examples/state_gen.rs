//! Writes synthetic scan states for measuring `triage merge` (issue 24 done-when 5)
//! through the library's own state writer, without scanning anything:
//!
//! ```text
//! cargo run --release --example state_gen -- OUT_DIR [STATES [NIKS_PER_STATE]]
//! TRIAGE_KEY=bench triage merge OUT_DIR/*.state --json
//! ```
//!
//! State `s` holds the people `s * n/2 .. s * n/2 + n` (n = NIKS_PER_STATE, 1,000,000 by
//! default), so neighbours share half their people and 100 states hold 50.5 million
//! distinct NIKs. The key is `TRIAGE_KEY` (`bench` if unset).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use triage::calendar::Date;
use triage::rules::Kind;
use triage::summary::fingerprint::Key;
use triage::summary::state::write_scan;
use triage::summary::Summary;

/// Person `i` (below 10^8) as a NIK of district 317101: every `i` its own NIK, with a
/// birth date and sex spread over the values.
fn nik(i: u64) -> u64 {
    let (serial, j) = (i % 10_000, i / 10_000);
    let female = j % 2 == 1;
    let day = 1 + j % 28 + if female { 40 } else { 0 };
    let month = 1 + (j / 28) % 12;
    let year = (j / 336) % 100;
    let date = day * 10_000 + month * 100 + year;
    317_101 * 10_000_000_000 + date * 10_000 + serial
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let out = PathBuf::from(
        args.first()
            .expect("usage: state_gen OUT_DIR [STATES [NIKS]]"),
    );
    let states: u64 = args.get(1).map_or(Ok(100), |s| s.parse())?;
    let n: u64 = args.get(2).map_or(Ok(1_000_000), |s| s.parse())?;
    let key = Key::new(
        std::env::var("TRIAGE_KEY")
            .unwrap_or("bench".into())
            .as_bytes(),
    )?;
    std::fs::create_dir_all(&out)?;
    for s in 0..states {
        let mut sum = Summary {
            as_of: Some(Date::parse("2025-06-15")?),
            ..Summary::default()
        };
        let nik_stats = &mut sum.stats.kinds[Kind::Nik.index()];
        for i in s * n / 2..s * n / 2 + n {
            nik_stats.unique.insert(nik(i));
        }
        (nik_stats.candidates, nik_stats.valid) = (n, n);
        sum.stats.records.total = n;
        sum.stats.records.with_valid_nik = n;
        let path = out.join(format!("s{s:03}.state"));
        let mut w = BufWriter::new(File::create(&path)?);
        write_scan(&mut sum, &key, &mut |name| name.to_string(), &mut w)?;
        w.flush()?;
        eprintln!("{}", path.display());
    }
    Ok(())
}
