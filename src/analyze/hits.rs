//! Per record, for `--records`: the findings of the record being analyzed ([`RecordHits`]),
//! and its row formatted into the chunk's buffer ([`RowBuf`]), masked unless `--reveal`. The
//! chunk's rows then go to the spill (`summary::rows`) and, after the scan, to FILE
//! (`report::records`). Uses the mask and CSV quoting below every stage, and the fingerprint
//! key of `summary`.

use crate::escape::write_csv_field;
use crate::mask::mask_into;
use crate::rules::Kind;
use crate::summary::fingerprint::{push_hex, Key};

/// One finding of a record, its normalized value in [`RecordHits::arena`].
#[derive(Clone, Copy, Debug)]
struct Hit {
    kind: Kind,
    valid: bool,
    start: u32,
    end: u32,
}

/// The findings of the record being analyzed (scratch, reused).
#[derive(Default)]
pub struct RecordHits {
    arena: Vec<u8>,
    hits: Vec<Hit>,
}

impl RecordHits {
    pub fn clear(&mut self) {
        self.arena.clear();
        self.hits.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    pub fn any_valid(&self) -> bool {
        self.hits.iter().any(|h| h.valid)
    }

    /// Adds a finding; `parts` are concatenated to its normalized value.
    pub fn push(&mut self, kind: Kind, valid: bool, parts: &[&[u8]]) {
        let start = self.arena.len() as u32;
        for p in parts {
            self.arena.extend_from_slice(p);
        }
        if kind == Kind::Email {
            self.arena[start as usize..].make_ascii_lowercase();
        }
        self.hits.push(Hit {
            kind,
            valid,
            start,
            end: self.arena.len() as u32,
        });
    }

    fn value(&self, h: &Hit) -> &[u8] {
        &self.arena[h.start as usize..h.end as usize]
    }
}

/// A record's tier in `--records`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    Confirmed,
    Valid,
    Candidate,
}

impl Tier {
    pub fn name(self) -> &'static str {
        match self {
            Tier::Confirmed => "confirmed",
            Tier::Valid => "valid",
            Tier::Candidate => "candidate",
        }
    }
}

/// One chunk's rows: each is `u32 record-in-chunk`, `u32 length`, then the row from `tier` on.
#[derive(Default)]
pub struct RowBuf {
    pub bytes: Vec<u8>,
    scratch: Vec<u8>,
    masked: String,
}

impl RowBuf {
    /// Formats one record's row.
    pub fn push(
        &mut self,
        record_in_chunk: u64,
        tier: Tier,
        hits: &RecordHits,
        key: Option<&Key>,
        reveal: bool,
    ) {
        let (s, masked) = (&mut self.scratch, &mut self.masked);
        s.clear();
        s.extend_from_slice(tier.name().as_bytes());
        s.push(b',');
        let mut first = true;
        for k in Kind::ALL {
            if hits.hits.iter().any(|h| h.kind == k) {
                if !first {
                    s.push(b';');
                }
                first = false;
                s.extend_from_slice(k.name().as_bytes());
            }
        }
        for want_valid in [true, false] {
            s.push(b',');
            let mut field = Vec::new();
            for h in hits.hits.iter().filter(|h| h.valid == want_valid) {
                if !field.is_empty() {
                    field.push(b' ');
                }
                field.extend_from_slice(h.kind.name().as_bytes());
                field.push(b':');
                if reveal {
                    field.extend_from_slice(hits.value(h));
                } else {
                    // Values are ASCII (the detector's), so the lossy read never replaces.
                    masked.clear();
                    mask_into(h.kind, &String::from_utf8_lossy(hits.value(h)), masked);
                    field.extend_from_slice(masked.as_bytes());
                }
            }
            write_csv_field(&field, s);
        }
        s.push(b',');
        if let Some(key) = key {
            let mut first = true;
            for h in hits.hits.iter().filter(|h| h.valid) {
                if !first {
                    s.push(b' ');
                }
                first = false;
                s.extend_from_slice(h.kind.name().as_bytes());
                s.push(b':');
                push_hex(&key.fingerprint(hits.value(h)), s);
            }
        }
        s.push(b'\n');
        self.bytes
            .extend_from_slice(&(record_in_chunk as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&(s.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_lists_kinds_masked_values_and_fingerprints() {
        let key = Key::new(b"k").unwrap();
        let mut hits = RecordHits::default();
        hits.push(Kind::Nik, true, &[b"3171010101900001"]);
        hits.push(Kind::Email, false, &[b"A,B", b"@x"]);
        assert!(hits.any_valid());
        let mut b = RowBuf::default();
        b.push(7, Tier::Valid, &hits, Some(&key), false);
        assert_eq!(b.bytes[..4], 7u32.to_le_bytes());
        let len = u32::from_le_bytes(b.bytes[4..8].try_into().unwrap()) as usize;
        let row = std::str::from_utf8(&b.bytes[8..]).unwrap();
        assert_eq!(row.len(), len);
        assert!(
            row.starts_with("valid,nik;email,nik:3171**********01,email:a**@x,nik:"),
            "{row}"
        );
        assert!(row.ends_with('\n'));
        let mut revealed = RowBuf::default();
        revealed.push(1, Tier::Candidate, &hits, None, true);
        let row = std::str::from_utf8(&revealed.bytes[8..]).unwrap();
        assert_eq!(
            row,
            "candidate,nik;email,nik:3171010101900001,\"email:a,b@x\",\n"
        );
    }
}
