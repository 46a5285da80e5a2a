//! The bytes of a state file, written and read as streams:
//!
//! ```text
//! triage.state/1\n   magic: the format and its version
//! sections           fixed-width records of little-endian u64s, sorted by their first
//! header             JSON (`Header`): the counts, the ledger, where each section is
//! u64 LE             the header's length
//! SHA-256            of every byte before it
//! ```
//!
//! The header comes last so that a merge can write its sections while it counts them, and
//! the trailer is found from the end. A reader checks the checksum in one pass before it
//! trusts anything, then reads each section through a buffer of its own.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom, Take, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use sha2::{Digest, Sha256};

use crate::summary::fingerprint::Key;
use crate::summary::state::header::{Header, Section};
use crate::summary::state::{key_id, SCHEMA};

/// The first bytes of every state file; another version's start with `triage.state/`.
pub const MAGIC: &[u8] = b"triage.state/1\n";

/// The header's length and the checksum.
const TRAILER: u64 = 8 + 32;

/// Bytes gathered before they are hashed and written.
const CHUNK: usize = 1 << 16;

/// Writes a state file to any `Write`, section by section, then the header.
pub struct StateWriter<'w> {
    w: &'w mut dyn Write,
    hash: Sha256,
    buf: Vec<u8>,
    at: u64,
    sections: Vec<Section>,
}

impl<'w> StateWriter<'w> {
    pub fn new(w: &'w mut dyn Write) -> io::Result<StateWriter<'w>> {
        let mut s = StateWriter {
            w,
            hash: Sha256::new(),
            buf: Vec::with_capacity(CHUNK),
            at: 0,
            sections: Vec::new(),
        };
        s.put(MAGIC)?;
        Ok(s)
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(b);
        self.at += b.len() as u64;
        if self.buf.len() >= CHUNK {
            self.drain()?;
        }
        Ok(())
    }

    fn drain(&mut self) -> io::Result<()> {
        self.hash.update(&self.buf);
        self.w.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Starts a section of records of `width` u64s.
    pub fn begin(&mut self, name: &str, width: u64) {
        self.sections.push(Section {
            name: name.to_string(),
            width,
            count: 0,
            offset: self.at,
        });
    }

    /// Appends one record to the section begun last; records come sorted by their first
    /// value, each first value once.
    pub fn record(&mut self, fields: &[u64]) -> io::Result<()> {
        let s = self.sections.last_mut().expect("a section was begun");
        debug_assert_eq!(fields.len() as u64, s.width);
        s.count += 1;
        for v in fields {
            self.put(&v.to_le_bytes())?;
        }
        Ok(())
    }

    /// Writes the header (with the sections' places) and the trailer.
    pub fn finish(mut self, mut header: Header) -> io::Result<()> {
        header.sections = std::mem::take(&mut self.sections);
        let json = serde_json::to_vec(&header).map_err(io::Error::other)?;
        self.put(&json)?;
        self.put(&(json.len() as u64).to_le_bytes())?;
        self.drain()?;
        let sum = self.hash.clone().finalize();
        self.w.write_all(&sum)?;
        self.w.flush()
    }
}

/// A state file checked whole (magic, checksum, version, key): its header, and its
/// sections to read one by one.
#[derive(Debug)]
pub struct StateFile {
    pub path: PathBuf,
    pub header: Header,
}

impl StateFile {
    /// Opens and checks a state file; any doubt is an error that names the file.
    pub fn open(path: &Path, key: &Key) -> Result<StateFile> {
        let shown = path.display();
        let mut f = File::open(path).with_context(|| format!("opening state {shown}"))?;
        let len = f
            .metadata()
            .with_context(|| format!("reading {shown}"))?
            .len();
        check_magic(&mut f, len).with_context(|| format!("state {shown}"))?;
        let hlen = verify(&mut f, len).with_context(|| format!("state {shown}"))?;
        let header = read_header(&mut f, len, hlen).with_context(|| format!("state {shown}"))?;
        if header.schema != SCHEMA {
            bail!("state {shown} is {:?}, not {SCHEMA}", header.schema);
        }
        if header.key_id != key_id(key) {
            bail!(
                "state {shown} was made with another key: give the key it was made with \
                 (--key or TRIAGE_KEY)"
            );
        }
        let end = len - TRAILER - hlen;
        for s in &header.sections {
            let bytes = s.count.checked_mul(s.width * 8);
            let ok = s.width > 0 && bytes.is_some_and(|b| s.offset.saturating_add(b) <= end);
            if !ok || s.offset < MAGIC.len() as u64 {
                bail!("state {shown}: section {:?} lies outside the file", s.name);
            }
        }
        Ok(StateFile {
            path: path.to_path_buf(),
            header,
        })
    }

    /// The records of the section `name`, read through a buffer (none if the state has
    /// no such section).
    pub fn section(&self, name: &str, width: u64) -> Result<SectionReader> {
        let shown = self.path.display();
        let Some(s) = self.header.sections.iter().find(|s| s.name == name) else {
            return Ok(SectionReader::empty(width));
        };
        if s.width != width {
            bail!("state {shown}: section {name:?} has records of the wrong width");
        }
        let mut f = File::open(&self.path).with_context(|| format!("opening state {shown}"))?;
        f.seek(SeekFrom::Start(s.offset))?;
        Ok(SectionReader {
            r: Some(BufReader::with_capacity(
                SECTION_BUFFER,
                f.take(s.count * width * 8),
            )),
            width: width as usize,
            left: s.count,
            last: None,
            name: format!("{shown}: section {name}"),
        })
    }
}

/// A section's buffer: 100 states merged hold 100 of them.
const SECTION_BUFFER: usize = 1 << 16;

fn check_magic(f: &mut File, len: u64) -> Result<()> {
    let mut head = [0u8; MAGIC.len()];
    let n = f.read(&mut head)?;
    if &head[..n] == MAGIC && len >= MAGIC.len() as u64 + TRAILER {
        return Ok(());
    }
    if &head[..n] == MAGIC {
        bail!("is cut short");
    }
    let text = String::from_utf8_lossy(&head[..n]);
    match text.strip_prefix("triage.state/") {
        Some(v) => bail!(
            "is version {:?} of the state format; this triage reads {SCHEMA}",
            v.trim_end()
        ),
        None => bail!("is not a triage state file (written by `triage scan --state`)"),
    }
}

/// Checks the SHA-256 trailer over the whole body; returns the header's length.
fn verify(f: &mut File, len: u64) -> Result<u64> {
    f.seek(SeekFrom::Start(0))?;
    let mut body = Read::by_ref(f).take(len - 32);
    let mut hash = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = body.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hash.update(&buf[..n]);
    }
    let mut sum = [0u8; 32];
    f.seek(SeekFrom::Start(len - 32))?;
    f.read_exact(&mut sum)?;
    if hash.finalize().as_slice() != sum {
        bail!("checksum mismatch: the file is damaged or was changed");
    }
    let mut hlen = [0u8; 8];
    f.seek(SeekFrom::Start(len - TRAILER))?;
    f.read_exact(&mut hlen)?;
    let hlen = u64::from_le_bytes(hlen);
    if hlen > len - TRAILER - MAGIC.len() as u64 {
        bail!("header length out of range");
    }
    Ok(hlen)
}

fn read_header(f: &mut File, len: u64, hlen: u64) -> Result<Header> {
    f.seek(SeekFrom::Start(len - TRAILER - hlen))?;
    let mut json = Vec::new();
    Read::by_ref(f).take(hlen).read_to_end(&mut json)?;
    serde_json::from_slice(&json).context("header unreadable")
}

/// The records of one section, first values strictly increasing (checked as they are read).
pub struct SectionReader {
    r: Option<BufReader<Take<File>>>,
    width: usize,
    left: u64,
    last: Option<u64>,
    name: String,
}

impl SectionReader {
    fn empty(width: u64) -> SectionReader {
        SectionReader {
            r: None,
            width: width as usize,
            left: 0,
            last: None,
            name: String::new(),
        }
    }

    /// The next record (its first `width` values; the rest are 0).
    pub fn read(&mut self) -> io::Result<Option<[u64; 2]>> {
        let Some(r) = self.r.as_mut().filter(|_| self.left > 0) else {
            return Ok(None);
        };
        self.left -= 1;
        let mut rec = [0u64; 2];
        let mut b = [0u8; 8];
        for v in rec.iter_mut().take(self.width) {
            r.read_exact(&mut b)?;
            *v = u64::from_le_bytes(b);
        }
        if self.last.is_some_and(|l| l >= rec[0]) {
            return Err(io::Error::other(format!("{}: not sorted", self.name)));
        }
        self.last = Some(rec[0]);
        Ok(Some(rec))
    }
}
