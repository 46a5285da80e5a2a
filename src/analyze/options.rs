//! What a scan does per record beyond counting, all optional: the scan date for ages, the
//! `--reference` set, the `--key` for fingerprints and the `--records` spill. Built once by
//! `cli`, read-only during the scan (the spill takes a lock once per chunk, never per record).

use std::fmt;

use crate::calendar::Date;
use crate::summary::fingerprint::{Key, Reference};
use crate::summary::rows::RowSpill;

#[derive(Default)]
pub struct RecordOptions {
    /// The date ages are computed on (children's data, age bands). `None`: no ages.
    pub today: Option<Date>,
    pub reference: Option<Reference>,
    pub key: Option<Key>,
    /// `--records`: rows are written here, chunk by chunk.
    pub rows: Option<RowSpill>,
    /// `--reveal`: raw values in `--records`.
    pub reveal: bool,
}

impl fmt::Debug for RecordOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordOptions")
            .field("today", &self.today)
            .field("reference", &self.reference.as_ref().map(|r| r.len()))
            .field("key", &self.key.is_some())
            .field("rows", &self.rows.is_some())
            .field("reveal", &self.reveal)
            .finish()
    }
}
