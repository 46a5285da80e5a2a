//! A large walked file read where it lies ([`Mapping`]): its chunks are slices of the mapping,
//! handed to the workers without a copy, cut by the same windows [`super::read_chunks`] reads
//! through `read` (so the same chunks: the summary does not depend on how the bytes came).
//! The copy out of the page cache that a `read` makes was 4–5% of a large CSV's or JSON
//! Lines' scan.
//!
//! Every byte still goes through the file's reader in order ([`MappedSource::consumed`]), so
//! the custody hash, the byte count and the progress bar see what they saw before. The
//! mapping's last window goes the copying way: that reader sees the end of the file, or the
//! bytes it grew by since it was opened.

use std::io::{self, Read};

use crate::formats::layout::Layout;
use crate::input::mapped::Mapping;

use super::{window, ChunkBuf, Cutter, ScanConfig};

/// The reader of a mapped file (the hashing, counting reader of `open`): told of every byte
/// taken from the mapping, and read itself past the mapping's end.
pub(super) trait MappedSource: Read {
    fn consumed(&mut self, bytes: &[u8]);
    /// Moves the file's own offset to `at` (it lags while bytes come from the mapping).
    fn seek_to(&mut self, at: u64) -> io::Result<()>;
}

/// A mapped file's text, read from the mapping up to `pos`.
pub(super) struct MappedText<'r> {
    map: &'r Mapping,
    /// Bytes of the file taken so far: hashed and counted by `file`.
    pos: usize,
    /// Where reading from the mapping began: bytes before it were read by `read` before the
    /// file was mapped, and may not be the mapping's (a file written to in between).
    from: usize,
    file: &'r mut dyn MappedSource,
    /// `file` was moved past the mapping, where it reads on.
    past: bool,
    /// The mapping's pages before this are given back ([`Mapping::release`]).
    released: usize,
}

/// Pages copied out of the mapping are given back in steps of this many bytes: a system
/// call per step, not per read.
const RELEASE_STEP: usize = 8 << 20;

impl<'r> MappedText<'r> {
    /// `map` of the file behind `file`, whose first `read` bytes `file` has read already.
    pub(super) fn new(map: &'r Mapping, read: u64, file: &'r mut dyn MappedSource) -> Self {
        let pos = usize::try_from(read).unwrap_or(usize::MAX);
        MappedText {
            map,
            pos,
            from: pos,
            file,
            past: false,
            released: 0,
        }
    }

    /// The mapping, for the workers to give back each chunk's pages once read.
    pub(super) fn mapping(&self) -> &'r Mapping {
        self.map
    }

    /// Whether the last `held` bytes taken (a chunk buffer's) are the mapping's own.
    pub(super) fn holds(&self, held: usize) -> bool {
        self.pos
            .checked_sub(held)
            .is_some_and(|start| start >= self.from)
    }

    /// The next `n` bytes of the mapping, taken; an error once a read past the file's end
    /// (it was cut short while mapped) met zeros.
    fn take(&mut self, n: usize) -> io::Result<()> {
        let end = self.pos + n;
        self.file.consumed(&self.map.bytes()[self.pos..end]);
        self.pos = end;
        if self.map.cut_short() {
            return Err(io::Error::other("the file was cut short while it was read"));
        }
        Ok(())
    }
}

impl Read for MappedText<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let bytes = self.map.bytes();
        if self.pos < bytes.len() {
            let n = buf.len().min(bytes.len() - self.pos);
            buf[..n].copy_from_slice(&bytes[self.pos..self.pos + n]);
            self.take(n)?;
            if self.pos - self.released >= RELEASE_STEP || self.pos == bytes.len() {
                self.map.release(&bytes[self.released..self.pos]);
                self.released = self.pos;
            }
            return Ok(n);
        }
        if !self.past {
            self.file.seek_to(bytes.len() as u64)?;
            self.past = true;
        }
        self.file.read(buf)
    }
}

/// Cuts chunks out of the mapping, each handed to `send` in place, for as long as a window
/// ends inside it: the windows `read_chunks` reads ([`window`]), so the boundaries are the
/// ones a copy gets. `buf` holds the bytes taken and not yet cut, on entry and on
/// return; returns `read_chunks`' `grow`.
pub(super) fn cut_in_place<'r>(
    m: &mut MappedText<'r>,
    buf: &mut ChunkBuf,
    cutter: &mut Cutter,
    layout: &Layout,
    cfg: &ScanConfig,
    mut grow: bool,
    send: &mut dyn FnMut(&'r [u8]),
) -> bool {
    let bytes: &'r [u8] = m.map.bytes();
    let mut start = m.pos - buf.len;
    loop {
        let want = window(cfg, m.pos - start, grow);
        if want >= bytes.len() - m.pos || m.take(want).is_err() {
            // The last window, or a file cut short (whose next read says so).
            break;
        }
        grow = true;
        let Some(cut) = cutter.next_in_place(&bytes[start..m.pos], layout) else {
            continue;
        };
        grow = m.pos - (start + cut) > cfg.chunk_size;
        if cut > 0 {
            send(&bytes[start..start + cut]);
        }
        start += cut;
    }
    buf.set(&bytes[start..m.pos]);
    // The chunks sent give their pages back when read; what is copied from here on, later.
    m.released = start;
    grow
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// What the file's reader was told: every byte taken, in order.
    #[derive(Default)]
    struct Told(Vec<u8>);

    impl Read for Told {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Ok(0)
        }
    }

    impl MappedSource for Told {
        fn consumed(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
        fn seek_to(&mut self, _: u64) -> io::Result<()> {
            Ok(())
        }
    }

    fn mapped(bytes: &[u8]) -> (tempfile::NamedTempFile, Mapping) {
        let t = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(t.path(), bytes).unwrap();
        let m = Mapping::of(&std::fs::File::open(t.path()).unwrap(), bytes.len() as u64);
        (t, m.unwrap())
    }

    #[test]
    fn reading_a_mapping_tells_the_file_of_every_byte_after_those_it_read() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 253) as u8).collect();
        let (_t, map) = mapped(&data);
        let mut told = Told(data[..100].to_vec());
        let mut text = MappedText::new(&map, 100, &mut told);
        let mut got = Vec::new();
        text.read_to_end(&mut got).unwrap();
        assert_eq!(got, &data[100..]);
        assert!(text.holds(got.len()) && !text.holds(got.len() + 1));
        assert_eq!(told.0, data);
    }

    #[test]
    fn a_mapped_file_cut_short_is_a_read_error_not_zeros() {
        let (t, map) = mapped(&vec![b'x'; 1 << 20]);
        let mut told = Told::default();
        let mut text = MappedText::new(&map, 0, &mut told);
        let mut buf = vec![0; 4096];
        assert_eq!(text.read(&mut buf).unwrap(), 4096);
        crate::testing::cut_file(t.path(), 4096);
        let mut rest = Vec::new();
        let err = text.read_to_end(&mut rest).unwrap_err();
        assert!(err.to_string().contains("cut short"), "{err}");
    }
}
