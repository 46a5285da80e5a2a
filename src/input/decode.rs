//! From bytes on disk to text a record parser can read: the byte-order mark, and UTF-16
//! transcoded to UTF-8. Nothing here judges what the bytes are (that is `formats::sniff`).
//!
//! Text that is not UTF-8 (nor UTF-16 with its mark) is kept byte for byte: every identifier
//! is ASCII, so a Latin-1 or Windows-1252 file is scanned as it is and no record is lost to a
//! decoding error.

use std::io::{self, Read};

/// Byte-order mark at the start of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bom {
    None,
    Utf8,
    Utf16Le,
    Utf16Be,
}

impl Bom {
    pub fn of(b: &[u8]) -> Bom {
        if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
            Bom::Utf8
        } else if b.starts_with(&[0xFF, 0xFE]) {
            Bom::Utf16Le
        } else if b.starts_with(&[0xFE, 0xFF]) {
            Bom::Utf16Be
        } else {
            Bom::None
        }
    }

    /// The BOM's length in bytes.
    pub fn byte_len(self) -> usize {
        match self {
            Bom::None => 0,
            Bom::Utf8 => 3,
            Bom::Utf16Le | Bom::Utf16Be => 2,
        }
    }
}

/// Transcodes a UTF-16 stream (after its BOM) to UTF-8 with encoding_rs (SIMD, and the
/// WHATWG rules: an unpaired surrogate or an odd last byte becomes U+FFFD).
pub struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        let encoding = if big_endian {
            encoding_rs::UTF_16BE
        } else {
            encoding_rs::UTF_16LE
        };
        Utf16Reader {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            raw: vec![0; 64 * 1024],
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            done: false,
        }
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.done {
            let n = self.inner.read(&mut self.raw)?;
            self.eof = n == 0;
            let src = &self.raw[..n];
            // Room for the worst case, so the decoder always takes all of `src`.
            let room = self.decoder.max_utf8_buffer_length(n).unwrap_or(3 * n + 16);
            self.out.resize(room, 0);
            let (_, _, written, _) = self.decoder.decode_to_utf8(src, &mut self.out, self.eof);
            self.out.truncate(written);
            self.done = self.eof;
        }
        Ok(())
    }
}

impl<R: Read> Read for Utf16Reader<R> {
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

    #[test]
    fn utf16_is_transcoded() {
        let text = "NIK,NAMA\n3171010101900001,Bü😀\n";
        for be in [false, true] {
            let mut raw = Vec::new();
            for u in text.encode_utf16() {
                raw.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
            }
            let mut out = String::new();
            Utf16Reader::new(&raw[..], be)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
            // One byte at a time: pairs and surrogate pairs split across reads.
            let mut out = String::new();
            Utf16Reader::new(OneByte(&raw), be)
                .read_to_string(&mut out)
                .unwrap();
            assert_eq!(out, text);
        }
        // An unpaired surrogate and an odd last byte become U+FFFD; nothing is dropped.
        let raw = [0x41, 0x00, 0x00, 0xD8, 0x42, 0x00, 0x43];
        let mut out = String::new();
        Utf16Reader::new(&raw[..], false)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "A\u{FFFD}B\u{FFFD}");
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
