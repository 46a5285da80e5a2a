//! Chain of custody (SPEC §7 `custody`): when the scan started, the roots as the user named
//! them, and the case label the responder gave. Added up like the rest of a summary, so the
//! merge of the states of several shards holds the custody of one scan over all of them.

use std::collections::BTreeSet;
use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Custody {
    /// The scan's start in whole seconds since 1970-01-01 UTC; of merged scans, the earliest.
    /// The one timestamp outside `run`: `--expect` ignores it.
    pub started: Option<i64>,
    /// The roots as given on the command line, not canonicalized; a set, so shards of one
    /// scan, each given the same roots, merge to the same list in any order.
    pub roots: BTreeSet<String>,
    /// `--case ID`.
    pub case: Option<String>,
}

impl AddAssign for Custody {
    fn add_assign(&mut self, o: Custody) {
        self.started = earliest(self.started, o.started);
        self.roots.extend(o.roots);
        // Shards of one case carry one label; of two different ones the smaller is kept, so
        // the merge does not depend on its order.
        self.case = match (self.case.take(), o.case) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custody(started: Option<i64>, roots: &[&str], case: Option<&str>) -> Custody {
        Custody {
            started,
            roots: roots.iter().map(|r| r.to_string()).collect(),
            case: case.map(str::to_string),
        }
    }

    #[test]
    fn merges_keep_the_earliest_start_and_every_root_in_any_order() {
        let a = custody(Some(200), &["dump/", "b.csv"], Some("CASE-2"));
        let b = custody(Some(100), &["b.csv", "a.zip"], None);
        let c = custody(None, &[], Some("CASE-1"));
        let mut ab = a.clone();
        ab += b.clone();
        ab += c.clone();
        let mut ba = c;
        ba += b;
        ba += a;
        assert_eq!(ab, ba);
        assert_eq!(ab.started, Some(100));
        assert_eq!(
            ab.roots.iter().map(String::as_str).collect::<Vec<_>>(),
            ["a.zip", "b.csv", "dump/"]
        );
        assert_eq!(ab.case.as_deref(), Some("CASE-1"));
    }

    #[test]
    fn a_custody_round_trips_through_serde() {
        let a = custody(Some(1_765_000_000), &["x"], Some("K"));
        let text = serde_json::to_string(&a).unwrap();
        assert_eq!(serde_json::from_str::<Custody>(&text).unwrap(), a);
    }
}
