//! Workbooks calamine must not be given. calamine 0.35 trusts two things in a file that a
//! damaged or hostile one controls: a count it reserves memory for before reading (a failed
//! allocation aborts the whole process, which no `catch_unwind` stops), and sector chains it
//! follows without a step limit (a chain that loops grows memory until the machine runs out).
//! These checks read what calamine would read first and name the problem instead, so the file
//! becomes a `failed` ledger entry and the scan goes on. (XLSX is read by triage's own
//! reader, `xlsx`, which reserves nothing for a count a file declares.)

use std::io::{self, Read, Seek, SeekFrom};

/// The most bytes a header-declared count may make calamine reserve at once: far more than
/// any real workbook asks for, and small enough to be granted on a small machine.
const MAX_RESERVE: u64 = 1 << 30;

/// Why an XLS (a compound file) must not be read: a chain calamine follows loops, or the
/// header declares a table calamine would reserve more than [`MAX_RESERVE`] for. The walk
/// mirrors calamine's reading of the file: the DIFAT and FAT, the directory chain, the mini
/// stream and mini FAT, and the workbook stream. `Ok(None)` means it may be read; any other
/// damage (a sector past the end, a bad signature) calamine reports itself.
pub fn xls_chains<R: Read + Seek>(r: &mut R) -> io::Result<Option<String>> {
    let d = match directory(r)? {
        Opened::Dir(d) => d,
        Opened::Refused(why) => return Ok(Some(why)),
        Opened::Unjudged => return Ok(None),
    };
    let mut file = Sectors {
        r,
        size: d.size,
        len: d.len,
        maxid: d.len / d.size,
    };
    let Some(&(_, root_start, root_len)) = d.entries.first() else {
        return Ok(None);
    };
    let mut mini_fat = Vec::new();
    if d.mini_fat_sectors > 0 {
        if let Walk::Loops = file.chain(root_start, &d.fat, root_len, false)? {
            return Ok(Some("its mini stream chain loops".into()));
        }
        let mini_len = u64::from(d.mini_fat_sectors) * d.size;
        match file.chain(d.mini_fat_start, &d.fat, mini_len, true)? {
            Walk::Loops => return Ok(Some("its mini FAT chain loops".into())),
            Walk::Stops => return Ok(None),
            Walk::Ends(bytes) => mini_fat = words(&bytes).collect(),
        }
    }
    let workbooks = d
        .entries
        .iter()
        .filter(|e| matches!(e.0.as_str(), "Workbook" | "Book" | "WORKBOOK" | "BOOK"));
    for &(_, start, len) in workbooks {
        // A short stream is read from the mini stream in 64-byte sectors; a chain that loops
        // there may add nothing (past the end) and never reach its length.
        let looped = if len < 4096 {
            mini_chain_loops(start, &mini_fat, file.maxid * 8)
        } else {
            matches!(file.chain(start, &d.fat, len, false)?, Walk::Loops)
        };
        if looped {
            return Ok(Some("its workbook stream's chain loops".into()));
        }
    }
    Ok(None)
}

/// What a compound file's directory says it holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Compound {
    /// The names of its streams and storages (`WordDocument`, `Workbook`, `__substg1.0_…`).
    Names(Vec<String>),
    /// Its directory cannot be read safely (a chain loops, a table is too large): why.
    Refused(String),
    /// Damaged in a way calamine reports itself.
    Unjudged,
}

/// The names in a compound file's directory: what kind of document it is (a Word
/// document, an Outlook message, a workbook), read with the same bounds as [`xls_chains`].
pub fn compound_names<R: Read + Seek>(r: &mut R) -> io::Result<Compound> {
    Ok(match directory(r)? {
        Opened::Dir(d) => Compound::Names(d.entries.into_iter().map(|e| e.0).collect()),
        Opened::Refused(why) => Compound::Refused(why),
        Opened::Unjudged => Compound::Unjudged,
    })
}

/// A compound file's directory and what is needed to follow its other chains.
struct Directory {
    size: u64,
    len: u64,
    fat: Vec<u32>,
    /// Each entry's name, first sector and length.
    entries: Vec<(String, u32, u64)>,
    mini_fat_start: u32,
    mini_fat_sectors: u32,
}

enum Opened {
    Dir(Directory),
    Refused(String),
    Unjudged,
}

/// Reads the header, the DIFAT and FAT, and the directory chain, as calamine does, stopping
/// where a count is too large or a chain loops.
fn directory<R: Read + Seek>(r: &mut R) -> io::Result<Opened> {
    let len = r.seek(SeekFrom::End(0))?;
    r.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 512];
    if r.read_exact(&mut head).is_err() {
        return Ok(Opened::Unjudged);
    }
    let u16_at = |i: usize| u16::from_le_bytes([head[i], head[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(head[i..i + 4].try_into().expect("4 bytes"));
    if head[..8] != [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] || u16_at(32) != 6 {
        return Ok(Opened::Unjudged);
    }
    let size: u64 = match u16_at(30) {
        9 => 512,
        12 => 4096,
        _ => return Ok(Opened::Unjudged),
    };
    // calamine reads the DIFAT's length from these bytes (not the header's 72..76) and
    // reserves that many entries, as it does the FAT's.
    for (what, n) in [("DIFAT", u32_at(62)), ("FAT", u32_at(44))] {
        if u64::from(n) * 4 > MAX_RESERVE {
            return Ok(Opened::Refused(format!(
                "header declares a {what} of {n} sectors"
            )));
        }
    }
    let mut file = Sectors {
        r,
        size,
        len,
        maxid: len / size,
    };
    let mut difat: Vec<u32> = words(&head[76..512]).collect();
    let mut id = u32_at(68);
    let mut steps = 0;
    while id < RESERVED {
        steps += 1;
        if u64::from(id) > file.maxid {
            return Ok(Opened::Unjudged);
        }
        if steps > file.maxid + 1 {
            return Ok(Opened::Refused("its DIFAT chain loops".into()));
        }
        difat.extend(words(&file.read(id)?));
        let Some(next) = difat.pop() else {
            return Ok(Opened::Unjudged);
        };
        id = next;
    }
    let mut fat = Vec::new();
    for &id in difat.iter().filter(|&&id| id < DIFSECT) {
        if u64::from(id) > file.maxid {
            return Ok(Opened::Unjudged);
        }
        fat.extend(words(&file.read(id)?));
    }
    let dir = match file.chain(u32_at(48), &fat, u64::MAX, true)? {
        Walk::Loops => return Ok(Opened::Refused("its directory chain loops".into())),
        Walk::Stops => return Ok(Opened::Unjudged),
        Walk::Ends(bytes) => bytes,
    };
    Ok(Opened::Dir(Directory {
        size,
        len,
        fat,
        entries: dir.chunks(128).map(|e| entry(e, size)).collect(),
        mini_fat_start: u32_at(60),
        mini_fat_sectors: u32_at(64),
    }))
}

/// Whether the mini-FAT chain from `start` loops (more steps than `maxid`, calamine's bound
/// on mini sector ids, allows).
fn mini_chain_loops(start: u32, mini_fat: &[u32], maxid: u64) -> bool {
    let (mut id, mut steps) = (start, 0u64);
    while id != ENDOFCHAIN && u64::from(id) <= maxid {
        steps += 1;
        if steps > maxid + 1 {
            return true;
        }
        match mini_fat.get(id as usize) {
            Some(&next) => id = next,
            None => return false,
        }
    }
    false
}

const RESERVED: u32 = 0xFFFF_FFFA;
const DIFSECT: u32 = 0xFFFF_FFFC;
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;

/// A compound file's sectors, read where calamine would find them.
struct Sectors<'a, R> {
    r: &'a mut R,
    size: u64,
    len: u64,
    /// calamine's bound: a sector id above it is an error, not a read.
    maxid: u64,
}

enum Walk {
    /// The chain ends (its bytes, when kept).
    Ends(Vec<u8>),
    /// calamine stops with an error or a panic it reports (an id past the end or the FAT).
    Stops,
    /// More steps than the file has sectors: it loops.
    Loops,
}

impl<R: Read + Seek> Sectors<'_, R> {
    /// Where sector `id` starts (after the 512-byte header, or the first 4096-byte sector)
    /// and how many of its bytes the file holds (fewer at its end).
    fn span(&self, id: u32) -> (u64, u64) {
        let start = (u64::from(id) + 1) * self.size;
        (start, self.size.min(self.len.saturating_sub(start)))
    }

    /// Sector `id`'s bytes ([`Sectors::span`]).
    fn read(&mut self, id: u32) -> io::Result<Vec<u8>> {
        let (start, n) = self.span(id);
        let mut out = vec![0u8; n as usize];
        self.r.seek(SeekFrom::Start(start))?;
        self.r.read_exact(&mut out)?;
        Ok(out)
    }

    /// Follows the chain from `start` until it ends or holds `len` bytes, as calamine's
    /// `get_chain` does.
    fn chain(&mut self, start: u32, fat: &[u32], len: u64, keep: bool) -> io::Result<Walk> {
        let (mut id, mut got, mut steps) = (start, 0u64, 0u64);
        let mut bytes = Vec::new();
        while id != ENDOFCHAIN {
            if u64::from(id) > self.maxid {
                return Ok(Walk::Stops);
            }
            steps += 1;
            if steps > self.maxid + 1 {
                return Ok(Walk::Loops);
            }
            got += self.span(id).1;
            if keep {
                bytes.extend(self.read(id)?);
            }
            if got >= len {
                break;
            }
            match fat.get(id as usize) {
                Some(&next) => id = next,
                None => return Ok(Walk::Stops),
            }
        }
        Ok(Walk::Ends(bytes))
    }
}

fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
}

/// A directory entry as calamine reads it: name, first sector, length.
fn entry(e: &[u8], size: u64) -> (String, u32, u64) {
    let name = encoding_rs::UTF_16LE.decode(&e[..e.len().min(64)]).0;
    let name = name.split('\0').next().unwrap_or("").to_string();
    let word = |i: usize, n: usize| {
        e.get(i..i + n).map_or(0, |b| {
            b.iter().rev().fold(0u64, |a, &x| a << 8 | u64::from(x))
        })
    };
    let len = if size == 512 {
        word(120, 4)
    } else {
        word(120, 8)
    };
    (name, word(116, 4) as u32, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// A compound file of 512-byte sectors: the header, then `sectors`. `fat` is written to
    /// sector 0 (listed in the header's DIFAT); the directory starts at `dir_start`.
    fn cfb(dir_start: u32, fat: &[u32], sectors: &[[u8; 512]]) -> Vec<u8> {
        let mut h = [0u8; 512];
        h[..8].copy_from_slice(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
        h[26] = 3;
        h[30] = 9;
        h[32] = 6;
        h[44] = 1;
        h[48..52].copy_from_slice(&dir_start.to_le_bytes());
        h[60..64].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        h[68..72].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        for (i, c) in h[76..].chunks_exact_mut(4).enumerate() {
            c.copy_from_slice(&(if i == 0 { 0 } else { u32::MAX }).to_le_bytes());
        }
        let mut out = h.to_vec();
        let mut fat_sector = [0xFFu8; 512];
        for (c, v) in fat_sector.chunks_exact_mut(4).zip(fat) {
            c.copy_from_slice(&v.to_le_bytes());
        }
        out.extend_from_slice(&fat_sector);
        for s in sectors {
            out.extend_from_slice(s);
        }
        out
    }

    fn root_dir() -> [u8; 512] {
        let mut d = [0u8; 512];
        for (i, c) in "Root Entry".encode_utf16().enumerate() {
            d[2 * i..2 * i + 2].copy_from_slice(&c.to_le_bytes());
        }
        d[116..120].copy_from_slice(&ENDOFCHAIN.to_le_bytes());
        d
    }

    #[test]
    fn compound_files_whose_chains_loop_are_refused() {
        // FAT: sector 0 is the FAT itself, sector 1 the directory.
        let fine = cfb(1, &[0xFFFF_FFFD, ENDOFCHAIN], &[root_dir()]);
        assert_eq!(xls_chains(&mut Cursor::new(fine)).unwrap(), None);
        // The directory's sector points at itself.
        let looping = cfb(1, &[0xFFFF_FFFD, 1], &[root_dir()]);
        let why = xls_chains(&mut Cursor::new(looping)).unwrap().unwrap();
        assert!(why.contains("directory chain loops"), "{why}");
        // A header that asks for a 16 GiB DIFAT.
        let mut greedy = cfb(1, &[0xFFFF_FFFD, ENDOFCHAIN], &[root_dir()]);
        greedy[62..66].copy_from_slice(&u32::MAX.to_le_bytes());
        let why = xls_chains(&mut Cursor::new(greedy)).unwrap().unwrap();
        assert!(why.contains("DIFAT"), "{why}");
        // The directory's names tell what the file is; a looping chain refuses it.
        let fine = cfb(1, &[0xFFFF_FFFD, ENDOFCHAIN], &[root_dir()]);
        assert_eq!(
            compound_names(&mut Cursor::new(fine)).unwrap(),
            Compound::Names(vec![
                "Root Entry".into(),
                String::new(),
                String::new(),
                String::new()
            ])
        );
        let looping = cfb(1, &[0xFFFF_FFFD, 1], &[root_dir()]);
        assert!(matches!(
            compound_names(&mut Cursor::new(looping)).unwrap(),
            Compound::Refused(why) if why.contains("directory chain loops")
        ));
        // Not a compound file, or cut short: calamine's to judge.
        assert_eq!(
            xls_chains(&mut Cursor::new(b"PK\x03\x04".to_vec())).unwrap(),
            None
        );
    }
}
