//! The packer between a record reader and the workers: a reader of a format read record by
//! record (`formats::records`) hands each record's fields, named as its format names them, to
//! a [`Packer`] on the reading thread; each packed chunk goes to a worker, which reads it back
//! into a [`RecordSink`] with [`read_packed`], as a sheet's packed rows are. A reader says how
//! its input ended with a [`Stop`] and respects a [`Budget`]. Imports `record` and `rules`.

use std::collections::{HashMap, HashSet};

use crate::record::{Field, RecordSink};
use crate::rules::{Patterns, Role};

/// What a reader may hold or produce, from the scan's limits.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// The longest value a record may carry; a longer one is cut (`--max-record`).
    pub max_record: usize,
    /// The most bytes a reader may inflate from its input (blocks it decompresses itself).
    pub max_bytes: u64,
}

/// Why a reader stopped before its input's end; `why` names what went wrong, and the
/// ledger writes it after the format's name.
#[derive(Debug, PartialEq, Eq)]
pub enum Stop {
    /// Damaged or cut short from here: the records before count, the entry is `partial`
    /// (`failed` when there were none).
    Damaged(String),
    /// Read to the end, but part of it holds no records triage can read (a PDF page that is
    /// only an image): `partial` however many records there were, so the scan is incomplete.
    Unread(String),
}

/// A chunk of packed records for a worker: per record a `u8` (1 when its fields are named)
/// and a `u32` field count, then per field a `u32` name length, the name, a `u32` value
/// length and the value. `first`: the entry's first chunk (attribution samples it).
pub struct Packed {
    pub data: Vec<u8>,
    pub first: bool,
}

/// Packs a reader's records into chunks of about `chunk_size` bytes and hands each full one
/// to `send`. A value longer than the budget's `max_record` is cut there and counted.
pub struct Packer<'s> {
    data: Vec<u8>,
    chunk_size: usize,
    max_value: usize,
    first: bool,
    /// Where the current record's field count is, while one is open.
    open: Option<usize>,
    fields: u32,
    send: &'s mut dyn FnMut(Packed),
    /// Records packed so far.
    pub records: u64,
    /// Values cut at `max_value`.
    pub cut: u64,
}

impl<'s> Packer<'s> {
    pub fn new(chunk_size: usize, max_value: usize, send: &'s mut dyn FnMut(Packed)) -> Self {
        Packer {
            data: Vec::new(),
            chunk_size,
            max_value,
            first: true,
            open: None,
            fields: 0,
            send,
            records: 0,
            cut: 0,
        }
    }

    /// A record starts; `named`: whether its format names its fields.
    pub fn begin(&mut self, named: bool) {
        if self.open.is_some() {
            self.end();
        }
        self.data.push(u8::from(named));
        self.open = Some(self.data.len());
        self.data.extend_from_slice(&0u32.to_le_bytes());
        self.fields = 0;
    }

    /// One field of the current record (`name` empty for an unnamed one).
    pub fn field(&mut self, name: &[u8], value: &[u8]) {
        if self.open.is_none() {
            self.begin(!name.is_empty());
        }
        let value = if value.len() > self.max_value {
            self.cut += 1;
            &value[..self.max_value]
        } else {
            value
        };
        let name = &name[..name.len().min(self.max_value)];
        for part in [name, value] {
            self.data
                .extend_from_slice(&(part.len() as u32).to_le_bytes());
            self.data.extend_from_slice(part);
        }
        self.fields += 1;
    }

    /// The current record ends; a full chunk goes to the workers.
    pub fn end(&mut self) {
        let Some(at) = self.open.take() else {
            return;
        };
        self.data[at..at + 4].copy_from_slice(&self.fields.to_le_bytes());
        self.records += 1;
        if self.data.len() >= self.chunk_size {
            self.flush();
        }
    }

    /// Hands what is packed to the workers; call once the reader is done.
    pub fn finish(&mut self) {
        self.end();
        if !self.data.is_empty() {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let data = std::mem::take(&mut self.data);
        let first = std::mem::replace(&mut self.first, false);
        (self.send)(Packed { data, first });
    }
}

/// Reads a [`Packed`] chunk's records into `sink`: each field's role from its name (once per
/// distinct name in the chunk), each name handed to the sink once.
pub fn read_packed<S: RecordSink>(data: &[u8], p: &Patterns, sink: &mut S) {
    let mut roles: HashMap<&[u8], Role> = HashMap::new();
    let mut named_once: HashSet<&[u8]> = HashSet::new();
    let mut fields: Vec<Field> = Vec::new();
    let mut cursor = Cursor { data, at: 0 };
    while let Some((named, count)) = cursor.record() {
        if sink.full() {
            break;
        }
        fields.clear();
        for _ in 0..count {
            let (Some(name), Some(value)) = (cursor.part(), cursor.part()) else {
                break;
            };
            let role = match named {
                true => *roles.entry(name).or_insert_with(|| p.role_of(name)),
                false => Role::Unnamed,
            };
            if named && named_once.insert(name) {
                sink.name(name);
            }
            if S::WANTS_NAMES && named {
                sink.named_value(name, value);
            }
            fields.push(Field::borrowed(role, value));
        }
        sink.record(&fields, named);
    }
}

/// A walk over packed bytes; a chunk cut short ends the walk.
struct Cursor<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn u32(&mut self) -> Option<usize> {
        let b = self.data.get(self.at..self.at + 4)?;
        self.at += 4;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn record(&mut self) -> Option<(bool, usize)> {
        let named = *self.data.get(self.at)? == 1;
        self.at += 1;
        Some((named, self.u32()?))
    }

    fn part(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()?;
        let part = self.data.get(self.at..self.at + len)?;
        self.at += len;
        Some(part)
    }
}

/// Digits kept after a floating-point number's decimal point: fewer than any identifier has,
/// so the fraction of a measurement is never read as one.
const MAX_FRACTION: usize = 9;

/// A floating-point value as a reader hands it over: an integral one as an integer (as
/// sheets write numbers), another as its shortest decimal with at most [`MAX_FRACTION`]
/// digits after the point (cut, not rounded).
pub fn write_real(f: f64, out: &mut Vec<u8>) {
    use std::io::Write;
    let start = out.len();
    let _ = match f.is_finite() && f.fract() == 0.0 && f.abs() < 1e18 {
        true => write!(out, "{}", f as i64),
        false => write!(out, "{f}"),
    };
    if let Some(dot) = out[start..].iter().position(|&b| b == b'.') {
        out.truncate((start + dot + 1 + MAX_FRACTION).min(out.len()));
    }
}

/// The record readers' test harness: a reader run as the scan runs it, and its packed
/// records read back.
#[cfg(test)]
pub(crate) mod testing {
    use super::{Budget, Packed, Packer, Stop};

    /// Runs a record reader as the scan does (chunks and values up to 1 MiB; `max_bytes` it
    /// may inflate): the chunks it packed and how it stopped.
    pub fn run(
        max_bytes: u64,
        read: impl FnOnce(&Budget, &mut Packer) -> Result<(), Stop>,
    ) -> (Vec<Packed>, Result<(), Stop>) {
        let mut chunks = Vec::new();
        let mut send = |c: Packed| chunks.push(c);
        let mut p = Packer::new(1 << 20, 1 << 20, &mut send);
        let budget = Budget {
            max_record: 1 << 20,
            max_bytes,
        };
        let result = read(&budget, &mut p);
        p.finish();
        drop(p);
        (chunks, result)
    }

    /// Packed records as `name=value` strings, a list per record.
    pub fn unpack(chunks: &[Packed]) -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        for c in chunks {
            let (d, mut at) = (&c.data, 0);
            let u32_at = |at: usize| u32::from_le_bytes(d[at..at + 4].try_into().unwrap()) as usize;
            while at < d.len() {
                let n = u32_at(at + 1);
                at += 5;
                let mut row = Vec::new();
                for _ in 0..n {
                    let mut part = || {
                        let len = u32_at(at);
                        let s = String::from_utf8_lossy(&d[at + 4..at + 4 + len]).into_owned();
                        at += 4 + len;
                        s
                    };
                    let name = part();
                    row.push(format!("{name}={}", part()));
                }
                rows.push(row);
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that writes each record as `name=value;…` (roles as `Debug`).
    #[derive(Default)]
    struct Seen(Vec<String>, Vec<String>);

    impl RecordSink for Seen {
        fn begin(&mut self) {}
        fn field(&mut self, _: Role, _: &[u8], _: bool) {}
        fn unheld(&mut self, _: &[Field]) {}
        fn end(&mut self, _: &[Field], _: bool) {}
        fn record(&mut self, fields: &[Field], named: bool) {
            let f: Vec<String> = fields
                .iter()
                .map(|f| format!("{:?}={}", f.role, String::from_utf8_lossy(&f.value)))
                .collect();
            self.0.push(format!("{named}:{}", f.join(";")));
        }
        fn name(&mut self, written: &[u8]) {
            self.1.push(String::from_utf8_lossy(written).into_owned());
        }
    }

    fn pack(chunk_size: usize, max_value: usize, f: impl FnOnce(&mut Packer)) -> Vec<Packed> {
        let mut out = Vec::new();
        let mut send = |c: Packed| out.push(c);
        let mut packer = Packer::new(chunk_size, max_value, &mut send);
        f(&mut packer);
        packer.finish();
        out
    }

    #[test]
    fn records_come_back_with_roles_names_and_chunks() {
        let chunks = pack(40, 64, |p| {
            for i in 0..3 {
                p.begin(true);
                p.field(b"NIK", b"3171010101900001");
                p.field(b"nama", format!("Budi {i}").as_bytes());
                p.end();
            }
            p.begin(false);
            p.field(b"", b"a line");
            p.end();
        });
        assert!(chunks.len() > 1, "a chunk per ~40 bytes");
        assert!(chunks[0].first && chunks[1..].iter().all(|c| !c.first));
        let mut seen = Seen::default();
        for c in &chunks {
            read_packed(&c.data, crate::testing::pats(), &mut seen);
        }
        assert_eq!(seen.0.len(), 4);
        assert_eq!(seen.0[0], "true:Nik=3171010101900001;Other=Budi 0");
        assert_eq!(seen.0[3], "false:Unnamed=a line");
        // Each name once per chunk.
        assert_eq!(
            seen.1.iter().filter(|n| *n == "NIK").count(),
            chunks.len() - 1
        );
    }

    #[test]
    fn long_values_are_cut_and_counted() {
        let mut cut = 0;
        let chunks = {
            let mut out = Vec::new();
            let mut send = |c: Packed| out.push(c);
            let mut p = Packer::new(1 << 20, 4, &mut send);
            p.field(b"x", b"123456789");
            p.finish();
            cut += p.cut;
            out
        };
        let mut seen = Seen::default();
        read_packed(&chunks[0].data, crate::testing::pats(), &mut seen);
        assert_eq!((seen.0[0].as_str(), cut), ("true:Other=1234", 1));
    }

    #[test]
    fn reals_are_integers_or_short_fractions() {
        let real = |f: f64| {
            let mut out = Vec::new();
            write_real(f, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(real(3171014101900201.0), "3171014101900201");
        assert_eq!(real(-2.5), "-2.5");
        assert_eq!(real(0.3171014101900201), "0.317101410");
        assert_eq!(real(-6.208763412345), "-6.208763412");
        assert_eq!(real(f64::NAN), "NaN");
    }

    #[test]
    fn a_cut_chunk_ends_the_walk_without_a_panic() {
        let chunks = pack(1 << 20, 64, |p| {
            p.field(b"nik", b"3171010101900001");
            p.end();
        });
        let data = &chunks[0].data;
        for cut in 0..data.len() {
            read_packed(&data[..cut], crate::testing::pats(), &mut Seen::default());
        }
    }
}
