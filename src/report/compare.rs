//! The output of `triage compare` (schema `triage.compare/1`): [`CompareReport`], typed
//! once from a [`Comparison`], written by one exporter per format — [`CompareJson`] (its
//! `Serialize` is the JSON text) and [`CompareText`].

use std::io::{self, Write};

use serde::Serialize;

use crate::report::model::Pairs;
use crate::rules::{Kind, Patterns};
use crate::summary::state::compare::{Comparison, Overlap};

pub const COMPARE_SCHEMA: &str = "triage.compare/1";

/// The comparison of two states: distinct identifiers per kind (NIKs as `people`), and
/// people per province.
#[derive(Serialize)]
pub struct CompareReport {
    pub schema: &'static str,
    pub identifiers: Pairs<Row>,
    pub provinces: Pairs<ProvinceRow>,
}

/// One kind's (or province's) overlap: counts, and the share of each side the other holds.
#[derive(Serialize)]
pub struct Row {
    pub a: u64,
    pub b: u64,
    pub both: u64,
    pub only_a: u64,
    pub only_b: u64,
    /// `both / a`: how much of A is in B.
    pub share_of_a: f64,
    /// `both / b`: how much of B is in A.
    pub share_of_b: f64,
}

#[derive(Serialize)]
pub struct ProvinceRow {
    pub name: String,
    #[serde(flatten)]
    pub people: Row,
}

/// The name a kind has in a comparison: distinct NIKs are people.
fn label(kind: Kind) -> &'static str {
    match kind {
        Kind::Nik => "people",
        k => k.name(),
    }
}

fn row(o: &Overlap) -> Row {
    Row {
        a: o.a,
        b: o.b,
        both: o.both,
        only_a: o.only_a(),
        only_b: o.only_b(),
        share_of_a: share(o.both, o.a),
        share_of_b: share(o.both, o.b),
    }
}

/// A share to 4 decimal places (0 of nothing).
fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        (a as f64 / b as f64 * 10_000.0).round() / 10_000.0
    }
}

impl CompareReport {
    pub fn new(c: &Comparison, p: &Patterns) -> CompareReport {
        CompareReport {
            schema: COMPARE_SCHEMA,
            identifiers: Pairs(
                c.kinds
                    .iter()
                    .map(|(k, o)| (label(*k).to_string(), row(o)))
                    .collect(),
            ),
            provinces: Pairs(
                c.provinces
                    .iter()
                    .map(|(&code, o)| {
                        let code = format!("{code:02}");
                        let name = p.regions.name(&code).map_or("", |r| r.name.as_str());
                        let r = ProvinceRow {
                            name: name.to_string(),
                            people: row(o),
                        };
                        (code, r)
                    })
                    .collect(),
            ),
        }
    }
}

/// Writes a [`CompareReport`] in one format.
pub trait CompareExporter {
    fn export(&self, r: &CompareReport, w: &mut dyn Write) -> io::Result<()>;
}

/// `--format json`: one object, pretty-printed.
pub struct CompareJson;

impl CompareExporter for CompareJson {
    fn export(&self, r: &CompareReport, w: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, r).map_err(io::Error::from)?;
        writeln!(w)
    }
}

/// `--format text`: a table of kinds, then people by province.
pub struct CompareText;

impl CompareExporter for CompareText {
    fn export(&self, r: &CompareReport, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "triage compare")?;
        writeln!(w, "==============")?;
        header(w, "kind")?;
        for (name, row) in r.identifiers.iter() {
            line(w, name, row)?;
        }
        if !r.provinces.is_empty() {
            writeln!(w, "\npeople by province")?;
            header(w, "province")?;
            for (code, p) in r.provinces.iter() {
                let name: String = format!("{code} {}", p.name).chars().take(24).collect();
                line(w, &name, &p.people)?;
            }
        }
        Ok(())
    }
}

fn header(w: &mut dyn Write, first: &str) -> io::Result<()> {
    writeln!(
        w,
        "{first:<24} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7}",
        "A", "B", "both", "only A", "only B", "of A", "of B"
    )
}

fn line(w: &mut dyn Write, name: &str, r: &Row) -> io::Result<()> {
    writeln!(
        w,
        "{name:<24} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7}",
        r.a,
        r.b,
        r.both,
        r.only_a,
        r.only_b,
        pct(r.share_of_a),
        pct(r.share_of_b)
    )
}

fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    fn sample() -> Comparison {
        let o = |a, b, both| Overlap { a, b, both };
        Comparison {
            kinds: vec![(Kind::Nik, o(10, 20, 3)), (Kind::Email, o(0, 5, 0))],
            provinces: [(31, o(10, 20, 3))].into_iter().collect(),
        }
    }

    #[test]
    fn json_names_people_and_shares() {
        let r = CompareReport::new(&sample(), pats());
        let mut out = Vec::new();
        CompareJson.export(&r, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["schema"], COMPARE_SCHEMA);
        let p = &v["identifiers"]["people"];
        assert_eq!(
            (p["only_a"].as_u64(), p["only_b"].as_u64()),
            (Some(7), Some(17))
        );
        assert_eq!(
            (p["share_of_a"].as_f64(), p["share_of_b"].as_f64()),
            (Some(0.3), Some(0.15))
        );
        assert_eq!(v["identifiers"]["email"]["share_of_a"], 0.0);
        assert!(v["provinces"]["31"]["name"]
            .as_str()
            .unwrap()
            .contains("Jakarta"));
        assert_eq!(v["provinces"]["31"]["both"], 3);
    }

    #[test]
    fn text_is_a_table() {
        let r = CompareReport::new(&sample(), pats());
        let mut out = Vec::new();
        CompareText.export(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let people = text.lines().find(|l| l.starts_with("people")).unwrap();
        let cells: Vec<&str> = people.split_whitespace().collect();
        assert_eq!(
            cells,
            ["people", "10", "20", "3", "7", "17", "30.0%", "15.0%"]
        );
        assert!(text.contains("people by province"), "{text}");
        assert!(text.lines().any(|l| l.starts_with("31 Daerah")), "{text}");
    }
}
