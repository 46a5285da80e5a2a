//! The first records of an SQL dump, sampled for the source profiles' value shapes
//! (`analyze::shapes`) by the SQL lexer's own sampling mode, on the dump's first block. Text
//! files are sampled by the chunk job instead. Imports the SQL reader and the tallies.

use std::collections::BTreeMap;

use crate::analyze::shapes::{tally_pairs, wants_samples, SAMPLE_RECORDS};
use crate::formats::layout::Layout;
use crate::formats::sql;
use crate::rules::Patterns;

/// Samples the first records of an SQL dump (`buf`) for the profiles' value shapes.
pub fn sample(
    layout: &Layout,
    buf: &[u8],
    p: &Patterns,
    out: &mut BTreeMap<(String, usize), [u64; 2]>,
) {
    if wants_samples(p) && matches!(layout, Layout::Sql) {
        tally_pairs(&sql::sample(buf, p, SAMPLE_RECORDS), p, out);
    }
}
