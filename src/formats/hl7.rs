//! HL7 v2 messages (ER7, the pipe-and-hat encoding): a message starts with an `MSH` segment,
//! whose 4th byte is the field separator and whose next bytes are the component, repetition,
//! escape and subcomponent characters; segments end at CR, LF or CRLF; MLLP framing
//! (`0x0B` … `0x1C 0x0D`) and batch segments (`FHS`, `BHS`, `BTS`, `FTS`) are tolerated, and
//! so is a raw line break inside a field's text (a line that starts no segment continues the
//! one before, joined by a space). One
//! record per message (SPEC §3, §4), streamed segment by segment, so a batch file of any size
//! holds one segment in memory.
//!
//! Every field repetition is a field named `SEG-n` (`PID-5`, `OBX-5`), escapes decoded. The
//! fields that carry a person's identifiers are read by their data type so the field-name
//! synonyms of `patterns/fields.toml` give them their role:
//! - identifiers (CX: PID-2, PID-3, PID-4, NK1-33, MRG-1): the ID (component 1), named by its
//!   identifier type code (component 5) through [`ID_TYPES`]: `PID-3.nik`, `PID-3.bpjs`,
//!   `PID-3.kk`, another code as written (`PID-3.MR`), none as `PID-3`;
//! - dates of birth and death (TS: PID-7, PID-29, NK1-16): the date, the first 8 digits of
//!   `YYYYMMDD[HHMM[SS…]]` (a birth-date field reads 8 digits as `YYYYMMDD`, SPEC §6);
//! - telephones (XTN: PID-13, PID-14, NK1-5, NK1-6): the number (component 1), the e-mail
//!   (4), the unformatted number (12), and country, area and local number (5, 6, 7) joined;
//! - sex (PID-8, NK1-15): the code (component 1).
//!
//! Imports the packer.

use std::io::{BufRead, BufReader, Read, Write};

use crate::formats::packed::{Budget, Packer, Stop};

/// The longest segment kept; the rest of a longer one is stepped over and counted as cut.
const MAX_SEGMENT: usize = 4 << 20;

/// Identifier type codes (CX component 5; HL7 table 0203 and local codes seen in Indonesian
/// hospital systems and SATUSEHAT bridges) and the name they give the ID: `NNIDN` is table
/// 0203's national person identifier for Indonesia (`NN` + ISO 3166 alpha-3), `NI` its
/// national unique individual identifier; `NIK`/`KTP` local names of the same number;
/// `BPJS`/`JKN`/`KIS`/`NOKA` the BPJS Kesehatan card; `KK`/`NKK` the family card.
pub const ID_TYPES: &[(&[u8], &str)] = &[
    (b"NNIDN", "nik"),
    (b"NI", "nik"),
    (b"NIK", "nik"),
    (b"KTP", "nik"),
    (b"BPJS", "bpjs"),
    (b"JKN", "bpjs"),
    (b"KIS", "bpjs"),
    (b"NOKA", "bpjs"),
    (b"KK", "kk"),
    (b"NKK", "kk"),
];

/// How a field is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Id,
    Time,
    Phone,
    Code,
}

/// (segment, field number, kind): the fields read by their data type.
const KINDS: &[(&[u8; 3], usize, Kind)] = &[
    (b"PID", 2, Kind::Id),
    (b"PID", 3, Kind::Id),
    (b"PID", 4, Kind::Id),
    (b"PID", 7, Kind::Time),
    (b"PID", 8, Kind::Code),
    (b"PID", 13, Kind::Phone),
    (b"PID", 14, Kind::Phone),
    (b"PID", 29, Kind::Time),
    (b"NK1", 5, Kind::Phone),
    (b"NK1", 6, Kind::Phone),
    (b"NK1", 15, Kind::Code),
    (b"NK1", 16, Kind::Time),
    (b"NK1", 33, Kind::Id),
    (b"MRG", 1, Kind::Id),
];

/// A message's separators, from its MSH segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Delims {
    field: u8,
    component: u8,
    repetition: u8,
    escape: Option<u8>,
    subcomponent: u8,
}

impl Delims {
    /// From `MSH|^~\&|…`: the separator, then 2 to 5 encoding characters up to the next one.
    fn of(msh: &[u8]) -> Option<Delims> {
        let field = *msh.get(3)?;
        let rest = &msh[4..];
        let enc = &rest[..rest.iter().position(|&b| b == field).unwrap_or(rest.len())];
        let ok = |b: &u8| !b.is_ascii_alphanumeric() && !b.is_ascii_whitespace() && *b != field;
        if field.is_ascii_alphanumeric() || !(2..=5).contains(&enc.len()) || !enc.iter().all(ok) {
            return None;
        }
        Some(Delims {
            field,
            component: enc[0],
            repetition: enc[1],
            escape: enc.get(2).copied(),
            subcomponent: enc.get(3).copied().unwrap_or(b'&'),
        })
    }
}

/// Whether `b` (a first block) starts an HL7 v2 file: `MSH`, `FHS` or `BHS` after an optional
/// MLLP start byte, then a separator and encoding characters.
pub fn is_hl7(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"\x0b").unwrap_or(b);
    (b.starts_with(b"MSH") || b.starts_with(b"FHS") || b.starts_with(b"BHS"))
        && Delims::of(b).is_some()
}

/// Reads every message of an HL7 v2 file from `r` into `out`.
pub fn read(r: &mut dyn Read, budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let mut input = BufReader::with_capacity(64 << 10, r);
    let max = MAX_SEGMENT.min(budget.max_record.max(64));
    let mut seg = Vec::new();
    let mut walk = Walk {
        message: None,
        scratch: Scratch::default(),
    };
    // The segment read last, handled once the next line shows it is complete.
    let (mut pending, mut pending_line, mut separator) = (Vec::new(), 0u64, b'|');
    let mut line = 0u64;
    while next_segment(&mut input, &mut seg, max, out)? {
        line += 1;
        let s = seg.strip_prefix(b"\x0b").unwrap_or(&seg);
        if s.trim_ascii().is_empty() {
            continue;
        }
        if !pending.is_empty() && !starts_segment(s, separator) {
            // A raw line break inside a field's text (ER7 would escape it, many systems do
            // not): the segment goes on.
            let room = max.saturating_sub(pending.len() + 1);
            pending.push(b' ');
            pending.extend_from_slice(&s[..s.len().min(room)]);
            continue;
        }
        if !pending.is_empty() {
            walk.segment(&pending, pending_line, out)?;
        }
        pending.clear();
        pending.extend_from_slice(s);
        pending_line = line;
        if s.starts_with(b"MSH") && s.len() > 3 {
            separator = s[3];
        }
    }
    if !pending.is_empty() {
        walk.segment(&pending, pending_line, out)?;
    }
    out.end();
    Ok(())
}

/// The message being read and the buffers reused for its fields.
struct Walk {
    message: Option<Delims>,
    scratch: Scratch,
}

impl Walk {
    /// One whole segment, from line `line`: a message's start, batch framing, or a segment
    /// of the message being read.
    fn segment(&mut self, s: &[u8], line: u64, out: &mut Packer) -> Result<(), Stop> {
        let id = &s[..s.len().min(3)];
        if id == b"MSH" {
            out.end();
            let d = Delims::of(s).ok_or_else(|| {
                no_segment(line, "an MSH segment without its encoding characters")
            })?;
            self.message = Some(d);
            segment(s, &d, out, &mut self.scratch);
        } else if matches!(id, b"FHS" | b"BHS" | b"BTS" | b"FTS") {
            // Batch framing: no person in it, and no message goes on past it.
            out.end();
            self.message = None;
        } else {
            match self.message {
                Some(d) if starts_segment(s, d.field) => segment(s, &d, out, &mut self.scratch),
                Some(_) => return Err(no_segment(line, "not an HL7 segment")),
                None => {
                    return Err(no_segment(
                        line,
                        "a segment outside a message (no MSH before it)",
                    ))
                }
            }
        }
        Ok(())
    }
}

fn no_segment(line: u64, what: &str) -> Stop {
    Stop::Damaged(format!("line {line}: {what}"))
}

/// Whether a line starts a segment: a segment ID (three capitals or digits) and the field
/// separator or the line's end.
fn starts_segment(s: &[u8], separator: u8) -> bool {
    s.len() >= 3
        && s[..3]
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && s.get(3).is_none_or(|&b| b == separator)
}

/// Reads the next segment into `seg` (without its terminator): `false` at the end of the
/// input. A segment ends at CR, LF or MLLP's end byte `0x1C`; past `max` bytes the rest is
/// stepped over and counted cut.
fn next_segment(
    input: &mut BufReader<&mut dyn Read>,
    seg: &mut Vec<u8>,
    max: usize,
    out: &mut Packer,
) -> Result<bool, Stop> {
    seg.clear();
    let mut any = false;
    let mut cut = false;
    loop {
        let buf = match input.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Stop::Damaged(format!("read error: {e}"))),
        };
        if buf.is_empty() {
            return Ok(any);
        }
        any = true;
        let end = memchr::memchr3(b'\r', b'\n', 0x1c, buf);
        let take = end.unwrap_or(buf.len());
        let room = max.saturating_sub(seg.len());
        if take > room && !cut {
            cut = true;
            out.cut += 1;
        }
        seg.extend_from_slice(&buf[..take.min(room)]);
        input.consume(end.map_or(take, |e| e + 1));
        if end.is_some() {
            return Ok(true);
        }
    }
}

/// Buffers reused across fields: the field's name and a decoded value.
#[derive(Default)]
struct Scratch {
    name: Vec<u8>,
    value: Vec<u8>,
}

/// One segment's fields into `out`.
fn segment(s: &[u8], d: &Delims, out: &mut Packer, scratch: &mut Scratch) {
    let id: [u8; 3] = [s[0], s[1], s[2]];
    let msh = &id == b"MSH";
    let mut fields = s.split(|&b| b == d.field).skip(1);
    if msh {
        // MSH-1 is the separator itself and MSH-2 the encoding characters: no data.
        fields.next();
    }
    let first = if msh { 3 } else { 1 };
    for (i, f) in fields.enumerate() {
        if f.is_empty() {
            continue;
        }
        let n = first + i;
        let kind = KINDS.iter().find(|k| k.0 == &id && k.1 == n).map(|k| k.2);
        for rep in f.split(|&b| b == d.repetition) {
            scratch.name.clear();
            scratch.name.extend_from_slice(&id);
            let _ = write!(scratch.name, "-{n}");
            repetition(rep, kind, d, out, scratch);
        }
    }
}

/// One repetition of a field, read by its kind.
fn repetition(rep: &[u8], kind: Option<Kind>, d: &Delims, out: &mut Packer, s: &mut Scratch) {
    let comp = |i: usize| rep.split(|&b| b == d.component).nth(i).unwrap_or_default();
    match kind {
        None => put(&s.name, rep, d, out, &mut s.value),
        Some(Kind::Code) => put(&s.name, comp(0), d, out, &mut s.value),
        Some(Kind::Time) => {
            let t = comp(0);
            let digits = t.iter().take_while(|b| b.is_ascii_digit()).count();
            let date = if digits >= 8 { &t[..8] } else { t };
            put(&s.name, date, d, out, &mut s.value);
        }
        Some(Kind::Id) => {
            let code = comp(4)
                .split(|&b| b == d.subcomponent)
                .next()
                .unwrap_or_default();
            if !code.is_empty() {
                let canon = ID_TYPES.iter().find(|t| t.0.eq_ignore_ascii_case(code));
                s.name.push(b'.');
                s.name
                    .extend_from_slice(canon.map_or(code, |t| t.1.as_bytes()));
            }
            put(&s.name, comp(0), d, out, &mut s.value);
        }
        Some(Kind::Phone) => {
            for i in [0, 3, 11] {
                put(&s.name, comp(i), d, out, &mut s.value);
            }
            if !comp(6).is_empty() {
                let plus: &[u8] = if comp(4).is_empty() { b"" } else { b"+" };
                let joined = [plus, comp(4), comp(5), comp(6)].concat();
                put(&s.name, &joined, d, out, &mut s.value);
            }
        }
    }
}

/// A value, escapes decoded, unless empty.
fn put(name: &[u8], v: &[u8], d: &Delims, out: &mut Packer, buf: &mut Vec<u8>) {
    let v = unescape(v, d, buf).trim_ascii();
    if !v.is_empty() && v != b"\"\"" {
        out.field(name, v);
    }
}

/// `v` with HL7's escapes of the separators (`\F\`, `\S\`, `\T\`, `\R\`, `\E\`) decoded;
/// other escapes are kept as written.
fn unescape<'v>(v: &'v [u8], d: &Delims, buf: &'v mut Vec<u8>) -> &'v [u8] {
    let Some(e) = d.escape else {
        return v;
    };
    if !v.contains(&e) {
        return v;
    }
    buf.clear();
    let mut i = 0;
    while i < v.len() {
        let decoded = match (v[i] == e, v.get(i + 1), v.get(i + 2)) {
            (true, Some(&c), Some(&close)) if close == e => match c {
                b'F' => Some(d.field),
                b'S' => Some(d.component),
                b'T' => Some(d.subcomponent),
                b'R' => Some(d.repetition),
                b'E' => Some(e),
                _ => None,
            },
            _ => None,
        };
        match decoded {
            Some(b) => {
                buf.push(b);
                i += 3;
            }
            None => {
                buf.push(v[i]);
                i += 1;
            }
        }
    }
    buf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::packed::testing::{run, unpack};

    fn messages(b: &[u8]) -> (Vec<Vec<String>>, Result<(), Stop>) {
        let (chunks, result) = run(1 << 30, |budget, p| read(&mut &b[..], budget, p));
        (unpack(&chunks), result)
    }

    const ADT: &[u8] = b"\x0bMSH|^~\\&|SIMRS|RS|||20240101||ADT^A04|7|P|2.5\r\n\
        PID|1||3171014101900001^^^DUKCAPIL&2.16&ISO^NNIDN~0001234567890^^^^BPJS~42^^^^MR~9||\
        SANTOSO^BUDI||199001011230+0700|F|||Jl. A\\F\\B||^PRN^CP^^62^812^34567890~0812 1111 2222^^^a@b.id\r\
        NK1|1|SANTOSO^SITI|MTH||081299998888\x1c\r\
        MSH|#~\\&|X\nPID|1||3171014101900002^^^^KTP\n";

    #[test]
    fn messages_are_records_with_fields_named_by_segment_and_type() {
        let (rows, result) = messages(ADT);
        assert_eq!(result, Ok(()));
        assert_eq!(rows.len(), 2);
        let want = [
            "MSH-3=SIMRS",
            "MSH-4=RS",
            "MSH-7=20240101",
            "MSH-9=ADT^A04",
            "MSH-10=7",
            "MSH-11=P",
            "MSH-12=2.5",
            "PID-1=1",
            "PID-3.nik=3171014101900001",
            "PID-3.bpjs=0001234567890",
            "PID-3.MR=42",
            "PID-3=9",
            "PID-5=SANTOSO^BUDI",
            "PID-7=19900101",
            "PID-8=F",
            "PID-11=Jl. A|B",
            "PID-13=+6281234567890",
            "PID-13=0812 1111 2222",
            "PID-13=a@b.id",
            "NK1-1=1",
            "NK1-2=SANTOSO^SITI",
            "NK1-3=MTH",
            "NK1-5=081299998888",
        ];
        assert_eq!(rows[0], want);
        // Another message's own separators: `#` for components.
        assert_eq!(
            rows[1],
            ["MSH-3=X", "PID-1=1", "PID-3=3171014101900002^^^^KTP"]
        );
    }

    #[test]
    fn detection_needs_the_encoding_characters() {
        assert!(is_hl7(b"MSH|^~\\&|A|B\r"));
        assert!(is_hl7(b"\x0bMSH|^~\\&|A"));
        assert!(is_hl7(b"FHS|^~\\&|A"));
        assert!(!is_hl7(b"MSH|nik|nama\n"));
        assert!(!is_hl7(b"MSHA|^~\\&|"));
        assert!(!is_hl7(b"PID|1|x"));
    }

    #[test]
    fn every_cut_ends_in_the_messages_before_it_or_a_reason() {
        for cut in 0..ADT.len() {
            let _ = messages(&ADT[..cut]);
        }
        // A raw line break in a field's text continues its segment.
        let (rows, result) = messages(b"MSH|^~\\&|A\rPID|1|||x\nRT 01|y\rPID|2\r");
        assert_eq!(result, Ok(()));
        assert_eq!(
            rows[0][1..],
            ["PID-1=1", "PID-4=x RT 01", "PID-5=y", "PID-1=2"]
        );
        let (rows, result) = messages(b"MSH|^~\\&|A\rPID|1\rMSH|nope\rPID|2\r");
        assert_eq!(rows.len(), 1);
        let why = "line 3: an MSH segment without its encoding characters";
        assert_eq!(result, Err(Stop::Damaged(why.into())));
        let (_, result) = messages(b"PID|1\r");
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.contains("outside a message")));
    }
}
