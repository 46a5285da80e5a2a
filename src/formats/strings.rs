//! The strings pass (SPEC §3): a binary file of no known format is read as the runs of
//! printable bytes in it, as `strings` finds them, one line (so one record) per run. Runs of
//! UTF-16LE (or, one byte on, UTF-16BE) text of the same characters are found too: Windows
//! programs store their text that way.
//!
//! Printable is ASCII 0x20–0x7E and tab; a run is at least [`MIN_RUN`] of them. The reader
//! is a state machine over each byte, so its cost is linear and its memory constant: a run
//! is passed on as it is found, never held whole (a file may be gigabytes of one run).

use std::io::{self, Read};

/// The shortest run that is passed on, as `strings` has it.
pub const MIN_RUN: usize = 4;

const fn printable_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        t[b] = true;
        b += 1;
    }
    t[b'\t' as usize] = true;
    t
}

static PRINTABLE: [bool; 256] = printable_table();

fn printable(b: u8) -> bool {
    PRINTABLE[usize::from(b)]
}

/// One run being found: its first bytes are held until it is long enough, then the run
/// streams out.
#[derive(Default)]
struct Run {
    len: usize,
    head: [u8; MIN_RUN - 1],
}

impl Run {
    fn push(&mut self, c: u8, out: &mut Vec<u8>) {
        if self.len < MIN_RUN - 1 {
            self.head[self.len] = c;
        } else {
            if self.len == MIN_RUN - 1 {
                out.extend_from_slice(&self.head);
            }
            out.push(c);
        }
        self.len += 1;
    }

    fn end(&mut self, out: &mut Vec<u8>) {
        if self.len >= MIN_RUN {
            out.push(b'\n');
        }
        self.len = 0;
    }
}

/// Runs of two-byte characters whose second byte is 0: a character is pending until its 0
/// comes.
#[derive(Default)]
struct WideRun {
    run: Run,
    pending: Option<u8>,
}

impl WideRun {
    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        match self.pending.take() {
            Some(c) if b == 0 => self.run.push(c, out),
            Some(_) => {
                self.run.end(out);
                self.pending = printable(b).then_some(b);
            }
            None if printable(b) => self.pending = Some(b),
            None => self.run.end(out),
        }
    }
}

/// Reads the printable runs of `inner`, each followed by a line feed.
///
/// At most one of the two runs is ever being passed on: a one-byte run of four needs four
/// printable bytes in a row, which ends any two-byte run, and a two-byte run needs 0 bytes,
/// which end any one-byte run. So their bytes never interleave.
pub struct Strings<R> {
    inner: R,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    narrow: Run,
    wide: WideRun,
    done: bool,
}

impl<R: Read> Strings<R> {
    pub fn new(inner: R) -> Self {
        Strings {
            inner,
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            out_pos: 0,
            narrow: Run::default(),
            wide: WideRun::default(),
            done: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.done {
            let n = match self.inner.read(&mut self.raw) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.done = true;
                self.narrow.end(&mut self.out);
                self.wide.pending = None;
                self.wide.run.end(&mut self.out);
                break;
            }
            self.scan(n);
        }
        Ok(())
    }
}

impl<R> Strings<R> {
    /// Runs the state machine over the first `n` bytes of `raw`. Two stretches are taken
    /// whole, as they are most of a file: the rest of a one-byte run that is being passed on
    /// (the two-byte run is then over, see [`Strings`]), and bytes that are not printable
    /// while no run is under way.
    fn scan(&mut self, n: usize) {
        let raw = &self.raw[..n];
        let mut i = 0;
        while i < n {
            let b = raw[i];
            if self.narrow.len >= MIN_RUN && printable(b) {
                let end = raw[i..]
                    .iter()
                    .position(|&c| !printable(c))
                    .map_or(n, |k| i + k);
                self.out.extend_from_slice(&raw[i..end]);
                self.narrow.len += end - i;
                self.wide.pending = Some(raw[end - 1]);
                i = end;
                continue;
            }
            let idle =
                self.narrow.len == 0 && self.wide.pending.is_none() && self.wide.run.len == 0;
            if idle && !printable(b) {
                i = raw[i..]
                    .iter()
                    .position(|&c| printable(c))
                    .map_or(n, |k| i + k);
                continue;
            }
            if printable(b) {
                self.narrow.push(b, &mut self.out);
            } else {
                self.narrow.end(&mut self.out);
            }
            self.wide.byte(b, &mut self.out);
            i += 1;
        }
    }
}

impl<R: Read> Read for Strings<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos >= self.out.len() {
            self.fill()?;
        }
        Ok(crate::bytes::hand_out(&self.out, &mut self.out_pos, buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(b: &[u8]) -> String {
        let mut out = String::new();
        Strings::new(b).read_to_string(&mut out).unwrap();
        out
    }

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn runs_of_four_or_more_one_per_line() {
        assert_eq!(
            strings(b"\x00\x01abc\x00abcd\x02NIK\t3171014101900001\xff\x00x"),
            "abcd\nNIK\t3171014101900001\n"
        );
        assert_eq!(strings(b""), "");
        assert_eq!(strings(b"abcd"), "abcd\n");
        assert_eq!(strings(b"line one\r\nline two\n"), "line one\nline two\n");
    }

    #[test]
    fn utf16_runs_are_found_too() {
        let mut b = vec![0x00, 0xff];
        b.extend(utf16le("nik 3171014101900001"));
        b.extend([0x00, 0x00, 0x07]);
        b.extend(b"ascii run\x00");
        assert_eq!(strings(&b), "nik 3171014101900001\nascii run\n");
        // Big-endian, one byte on; a short wide run is dropped.
        let mut be: Vec<u8> = vec![0x01];
        be.extend("hp 081234567890".encode_utf16().flat_map(u16::to_be_bytes));
        be.extend([0x00, 0x01]);
        be.extend(utf16le("ab"));
        assert_eq!(strings(&be), "hp 081234567890\n");
    }

    #[test]
    fn byte_at_a_time_gives_the_same_runs() {
        let mut b = Vec::new();
        for i in 0..500u32 {
            b.extend(format!("row {i} nik 31710141019{i:05}").as_bytes());
            b.extend([0, (i % 7) as u8, 0x90]);
            b.extend(utf16le(&format!("wide{i}")));
            b.push(0x05);
        }
        let whole = strings(&b);
        let mut one = Strings::new(OneByte(&b));
        let mut out = String::new();
        one.read_to_string(&mut out).unwrap();
        assert_eq!(out, whole);
        assert_eq!(whole.lines().count(), 1000);
    }

    #[test]
    fn a_long_run_streams_without_being_held() {
        let mut r = Strings::new(io::repeat(b'7').take(10 << 20));
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0;
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            total += n;
            assert!(r.out.capacity() <= 1 << 17, "{}", r.out.capacity());
        }
        assert_eq!(total, (10 << 20) + 1);
    }

    /// The state machine one byte at a time, without the stretches taken whole.
    fn reference(b: &[u8]) -> Vec<u8> {
        let (mut narrow, mut wide, mut out) = (Run::default(), WideRun::default(), Vec::new());
        for &c in b {
            if printable(c) {
                narrow.push(c, &mut out);
            } else {
                narrow.end(&mut out);
            }
            wide.byte(c, &mut out);
        }
        narrow.end(&mut out);
        wide.run.end(&mut out);
        out
    }

    #[test]
    fn the_stretches_taken_whole_change_nothing() {
        let mut x = 11u64;
        // Bytes drawn mostly from printables, NUL and a few others, so that runs of both
        // kinds start and end everywhere, also across the 64 KiB blocks.
        let alphabet = b"abcXYZ0189 \t\x00\x00\x00\x01\n\xff";
        for len in [0, 1, 5, 1000, 200_000] {
            let b: Vec<u8> = (0..len)
                .map(|_| alphabet[crate::testing::xorshift(&mut x) as usize % alphabet.len()])
                .collect();
            let mut got = Vec::new();
            Strings::new(&b[..]).read_to_end(&mut got).unwrap();
            assert_eq!(got, reference(&b), "len {len}");
        }
    }

    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
}
