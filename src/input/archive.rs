//! Compressed streams and containers (SPEC §3): a container is known by its first bytes
//! ([`Container`]); gzip (also multi-member), bzip2, xz and zstd streams are read through a
//! decoder (zip archives member by member in `input::zip`), nested containers to a bounded
//! depth. Every decompressed byte passes a [`Guard`] that enforces the [`Limits`], so a bomb is
//! `skipped: too large` after a few megabytes of work instead of being followed.
//!
//! What becomes a ledger entry is the scan's to say (a compressed stream is reported under the
//! compressed file's own path, `export.csv.gz`); this reads bytes and names the limit reached.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::input::shapes::{is_tar, mail_kind, MailKind};

/// Bounds on what decompression may produce; the scan's configuration holds one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Decompressed bytes one entry (a stream or a zip member) may hold.
    pub max_entry_bytes: u64,
    /// Decompressed bytes per compressed byte above which an entry is a bomb, once it is
    /// larger than `ratio_floor` (small files of one repeated byte are harmless).
    pub max_ratio: u64,
    pub ratio_floor: u64,
    /// Containers inside containers (a gzip stream counts as one level, like a zip).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_entry_bytes: 64 << 30,
            max_ratio: 100,
            ratio_floor: 4 << 20,
            max_depth: 5,
        }
    }
}

impl Limits {
    /// Why a declared (zip directory) size is too large, if it is.
    pub fn declared_too_large(&self, size: u64, compressed: u64) -> Option<String> {
        if size > self.max_entry_bytes {
            return Some(format!(
                "too large: {size} bytes after decompression (limit {})",
                self.max_entry_bytes
            ));
        }
        if size > self.ratio_floor && size / compressed.max(1) > self.max_ratio {
            return Some(format!(
                "too large: {size} bytes from {compressed} compressed (ratio over {}; a zip bomb?)",
                self.max_ratio
            ));
        }
        None
    }
}

/// The error a [`Guard`] returns when a limit is reached; `io::Error::other` carries it.
#[derive(Debug)]
pub struct TooLarge(pub String);

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TooLarge {}

/// `Some(reason)` when `e` is a [`Guard`]'s limit.
pub fn too_large(e: &io::Error) -> Option<String> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TooLarge>())
        .map(|t| t.0.clone())
}

/// Counts the compressed bytes a decoder consumes (exactly: `consume` is what it used).
pub struct CountingBufRead<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: BufRead> CountingBufRead<R> {
    pub fn new(inner: R) -> (Self, Arc<AtomicU64>) {
        let count = Arc::new(AtomicU64::new(0));
        (
            CountingBufRead {
                inner,
                count: count.clone(),
            },
            count,
        )
    }
}

impl<R: BufRead> Read for CountingBufRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountingBufRead<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        self.inner.consume(n)
    }
}

/// Passes decompressed bytes through while they stay within the limits: the entry's maximum
/// size, its declared size (a zip member that grows past its header is damaged), and the
/// ratio to the compressed bytes consumed so far.
pub struct Guard<R> {
    inner: R,
    limits: Limits,
    out: u64,
    /// Compressed bytes consumed, when known as it happens (streams).
    consumed: Option<Arc<AtomicU64>>,
    /// The size a zip directory declared, and the member's compressed size.
    declared: Option<(u64, u64)>,
    /// The limit or damage that stopped it, and whether it is a limit (too large).
    tripped: Option<(String, bool)>,
}

impl<R: Read> Guard<R> {
    pub fn stream(inner: R, consumed: Arc<AtomicU64>, limits: &Limits) -> Self {
        Guard {
            inner,
            limits: limits.clone(),
            out: 0,
            consumed: Some(consumed),
            declared: None,
            tripped: None,
        }
    }

    pub fn member(inner: R, size: u64, compressed: u64, limits: &Limits) -> Self {
        Guard {
            inner,
            limits: limits.clone(),
            out: 0,
            consumed: None,
            declared: Some((size, compressed)),
            tripped: None,
        }
    }

    /// Decompressed bytes passed so far.
    pub fn produced(&self) -> u64 {
        self.out
    }

    /// What stops the entry, if anything: a limit (`true`) or damage (`false`).
    fn check(&self) -> Option<(String, bool)> {
        let l = &self.limits;
        if self.out > l.max_entry_bytes {
            return Some((
                format!(
                    "too large: more than {} bytes after decompression",
                    l.max_entry_bytes
                ),
                true,
            ));
        }
        if let Some((size, _)) = self.declared {
            if self.out > size {
                return Some((
                    format!(
                        "damaged: the member holds more than the {size} bytes its header declares"
                    ),
                    false,
                ));
            }
        }
        if let Some(c) = &self.consumed {
            let c = c.load(Ordering::Relaxed).max(1);
            if self.out >= l.ratio_floor && self.out / c > l.max_ratio {
                return Some((
                    format!(
                        "too large: {} bytes from {c} compressed (ratio over {}; a compression bomb?)",
                        self.out, l.max_ratio
                    ),
                    true,
                ));
            }
        }
        None
    }
}

impl<R: Read> Guard<R> {
    /// The most bytes this entry may pass: its declared size, or the entry limit.
    fn cap(&self) -> u64 {
        match self.declared {
            Some((size, _)) => size.min(self.limits.max_entry_bytes),
            None => self.limits.max_entry_bytes,
        }
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(t) = &self.tripped {
            return Err(stop_error(t));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        // Up to the cap the bytes pass (what came before the limit counts); one byte past it
        // trips the guard.
        let room = self.cap().saturating_sub(self.out);
        let want = if room == 0 {
            1
        } else {
            buf.len().min(usize::try_from(room).unwrap_or(usize::MAX))
        };
        let n = self.inner.read(&mut buf[..want])?;
        self.out += n as u64;
        if let Some(t) = self.check() {
            let e = stop_error(&t);
            self.tripped = Some(t);
            return Err(e);
        }
        Ok(n)
    }
}

/// A limit is a [`TooLarge`] (the entry is skipped when nothing of it was counted yet); damage
/// is an ordinary read error (the entry is partial).
fn stop_error(t: &(String, bool)) -> io::Error {
    if t.1 {
        io::Error::other(TooLarge(t.0.clone()))
    } else {
        io::Error::new(io::ErrorKind::InvalidData, t.0.clone())
    }
}

/// A container recognised by its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    /// Zip archive, or a workbook that is one (XLSX, XLSB, ODS): decided once it is open.
    Zip,
    /// OLE2 compound file: an XLS workbook, or a Word, Outlook or PowerPoint file (decided
    /// by its directory, `formats::sheet::kind`).
    Ole2,
    /// Tar archive (ustar, GNU, pax, or v7 by its checksum): streamed, `input::tar`.
    Tar,
    /// 7-zip archive: read from a file, `input::sevenz`.
    SevenZ,
    /// RAR archive (v4 or v5): not read (no licence-compatible reader).
    Rar,
    /// One e-mail message (RFC 5322 headers first): `input::mail`.
    Mail,
    /// An mbox mailbox (messages after `From ` lines): `input::mail`.
    Mbox,
}

impl Container {
    pub fn of(head: &[u8]) -> Option<Container> {
        match Container::signed(head) {
            Some(c) => c,
            None => Container::unmagic(head),
        }
    }

    /// A container known by its first bytes alone (every one but tar and mail), as
    /// [`Container::of`] tells it: without its look at the structure, which a small file's
    /// scan asked for three times.
    pub fn by_magic(head: &[u8]) -> Option<Container> {
        Container::signed(head).flatten()
    }

    /// What the first bytes say: nothing (`None`), or a container or, for a signature that
    /// text can also start with, none after all (`Some(None)`).
    fn signed(head: &[u8]) -> Option<Option<Container>> {
        let table: &[(&[u8], Container)] = &[
            (b"\x1f\x8b", Container::Gzip),
            (b"BZh", Container::Bzip2),
            (b"\xfd7zXZ\x00", Container::Xz),
            (b"\x28\xb5\x2f\xfd", Container::Zstd),
            (b"PK\x03\x04", Container::Zip),
            (b"PK\x05\x06", Container::Zip),
            (b"PK\x07\x08", Container::Zip),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Container::Ole2),
            (b"7z\xbc\xaf\x27\x1c", Container::SevenZ),
            (b"Rar!\x1a\x07\x00", Container::Rar),
            (b"Rar!\x1a\x07\x01\x00", Container::Rar),
        ];
        let c = table.iter().find(|(m, _)| head.starts_with(m))?.1;
        // "BZh" is also how some text starts: a bzip2 header goes on with a block size digit.
        if c == Container::Bzip2 && !matches!(head.get(3), Some(b'1'..=b'9')) {
            return Some(None);
        }
        Some(Some(c))
    }

    /// A container known by its structure rather than by its first bytes: a tar header, or
    /// e-mail headers.
    fn unmagic(head: &[u8]) -> Option<Container> {
        if is_tar(head) {
            return Some(Container::Tar);
        }
        mail_kind(head).map(|k| match k {
            MailKind::Message => Container::Mail,
            MailKind::Mbox => Container::Mbox,
        })
    }

    /// The prefix of the entry's format (`gzip csv`).
    pub fn name(self) -> &'static str {
        match self {
            Container::Gzip => "gzip",
            Container::Bzip2 => "bzip2",
            Container::Xz => "xz",
            Container::Zstd => "zstd",
            Container::Zip => "zip",
            Container::Ole2 => "ole2",
            Container::Tar => "tar",
            Container::SevenZ => "7z",
            Container::Rar => "rar",
            Container::Mail => "e-mail",
            Container::Mbox => "mbox",
        }
    }

    pub fn is_stream(self) -> bool {
        matches!(
            self,
            Container::Gzip | Container::Bzip2 | Container::Xz | Container::Zstd
        )
    }
}

/// A decoder for a compressed stream, reading `input` (which starts at the magic bytes);
/// the counter follows the compressed bytes it consumes.
pub fn decoder<'r, R: Read + 'r>(
    kind: Container,
    input: R,
) -> io::Result<(Box<dyn Read + 'r>, Arc<AtomicU64>)> {
    // A small input buffer keeps the consumed count (and so the ratio) close to the truth.
    let (counted, count) = CountingBufRead::new(BufReader::with_capacity(16 << 10, input));
    let r: Box<dyn Read + 'r> = match kind {
        Container::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(counted)),
        Container::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(counted)),
        Container::Xz => Box::new(lzma_rust2::XzReader::new(counted, true)),
        Container::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(counted)?),
        Container::Zip
        | Container::Ole2
        | Container::Tar
        | Container::SevenZ
        | Container::Rar
        | Container::Mail
        | Container::Mbox => {
            return Err(io::Error::other("not a stream container"));
        }
    };
    Ok((r, count))
}

/// Copies `head` and the rest of `r` into an unnamed temporary file (a nested zip or workbook
/// needs to seek). The file is unlinked at once where the platform allows, so nothing is left
/// behind; `r` is expected to be guarded, which bounds the size.
pub fn spill(head: &[u8], r: &mut dyn Read) -> io::Result<File> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir();
    let mut last = None;
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!("triage-spill-{}-{n}", std::process::id()));
        let mut opts = std::fs::OpenOptions::new();
        opts.read(true).write(true).create_new(true);
        // Decompressed members hold raw identifiers: no other user may open the file in the
        // moment before it is unlinked.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        match opts.open(&path) {
            Ok(mut f) => {
                // Unlinked at once: the open handle keeps the data, and nothing is left behind
                // if the scan dies. (Where an open file cannot be removed, this fails and the
                // file stays in the temporary directory.)
                let _ = std::fs::remove_file(&path);
                f.write_all(head)?;
                io::copy(r, &mut f)?;
                f.seek(SeekFrom::Start(0))?;
                return Ok(f);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no temporary file")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::gzip;

    fn read_all(kind: Container, data: &[u8], limits: &Limits) -> (Vec<u8>, Option<String>) {
        let (dec, count) = decoder(kind, data).unwrap();
        let mut g = Guard::stream(dec, count, limits);
        let mut out = Vec::new();
        let err = g.read_to_end(&mut out).err();
        (
            out,
            err.map(|e| too_large(&e).unwrap_or_else(|| e.to_string())),
        )
    }

    #[test]
    fn multi_member_gzip_and_other_streams() {
        let mut two = gzip(b"a,b\n");
        two.extend(gzip(b"c,d\n"));
        assert_eq!(Container::of(&two), Some(Container::Gzip));
        let (out, err) = read_all(Container::Gzip, &two, &Limits::default());
        assert_eq!((out.as_slice(), err), (&b"a,b\nc,d\n"[..], None));

        let z = zstd::encode_all(&b"zstd text\n"[..], 3).unwrap();
        assert_eq!(Container::of(&z), Some(Container::Zstd));
        assert_eq!(Container::by_magic(&z), Some(Container::Zstd));
        // Mail is known by its structure: by its first bytes alone it is no container.
        let mail = b"From: a@example.org\nMessage-ID: <1@x>\n\nhi\n";
        assert_eq!(Container::of(mail), Some(Container::Mail));
        assert_eq!(Container::by_magic(mail), None);
        assert_eq!(Container::by_magic(b"BZhello"), None);
        assert_eq!(
            read_all(Container::Zstd, &z, &Limits::default()).0,
            b"zstd text\n"
        );

        let mut bz = Vec::new();
        bzip2::read::BzEncoder::new(&b"bzip2 text\n"[..], bzip2::Compression::fast())
            .read_to_end(&mut bz)
            .unwrap();
        assert_eq!(Container::of(&bz), Some(Container::Bzip2));
        assert_eq!(
            read_all(Container::Bzip2, &bz, &Limits::default()).0,
            b"bzip2 text\n"
        );
        assert_eq!(Container::of(b"BZhello"), None);
    }

    #[test]
    fn truncated_gzip_keeps_what_came_before() {
        let data: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let gz = gzip(&data);
        let (out, err) = read_all(Container::Gzip, &gz[..gz.len() / 2], &Limits::default());
        assert!(err.is_some());
        assert!(!out.is_empty() && data.starts_with(&out));
    }

    #[test]
    fn ratio_and_size_limits_trip() {
        let zeros = vec![b'a'; 64 << 20];
        let gz = gzip(&zeros);
        let (out, err) = read_all(Container::Gzip, &gz, &Limits::default());
        assert!(err.unwrap().starts_with("too large"));
        assert!(out.len() < 8 << 20, "stopped early: {}", out.len());
        let small = Limits {
            max_entry_bytes: 1000,
            ..Limits::default()
        };
        let (_, err) = read_all(Container::Gzip, &gzip(&[b'x'; 5000]), &small);
        assert!(err.unwrap().starts_with("too large"));
        // Small files of one repeated byte are fine.
        let (out, err) = read_all(Container::Gzip, &gzip(&[b' '; 100_000]), &Limits::default());
        assert_eq!((out.len(), err), (100_000, None));
        let l = Limits::default();
        assert!(l.declared_too_large(1 << 30, 1 << 20).is_some());
        assert!(l.declared_too_large(100 << 20, 5 << 20).is_none());
        assert!(l.declared_too_large(1 << 20, 10).is_none());
    }

    #[test]
    fn member_guard_stops_past_the_declared_size() {
        let mut g = Guard::member(&[1u8; 100][..], 50, 10, &Limits::default());
        let mut out = Vec::new();
        let e = g.read_to_end(&mut out).unwrap_err();
        assert!(too_large(&e).is_none(), "damage, not a limit");
        assert!(e.to_string().starts_with("damaged"), "{e}");
        assert_eq!(out.len(), 50, "the declared bytes pass");
        let mut g = Guard::member(&[1u8; 50][..], 50, 10, &Limits::default());
        let mut out = Vec::new();
        g.read_to_end(&mut out).unwrap();
        assert_eq!(out.len(), 50);
    }

    #[test]
    fn spill_round_trips() {
        let mut f = spill(b"head ", &mut &b"tail"[..]).unwrap();
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        assert_eq!(s, "head tail");
    }
}
