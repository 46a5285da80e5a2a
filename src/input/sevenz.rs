//! 7-zip archives member by member (SPEC §3), read by `sevenz-rust2` from a file (a 7z needs
//! to seek: one inside a stream or an archive is spilled first, as a zip is). Each block is
//! decoded once, its members handed back in order like a zip's ([`Member`]), their bytes
//! behind a [`Guard`]; a solid block is streamed member by member, never held whole.
//!
//! Before anything is decoded the archive's declared sizes are checked against the
//! [`Limits`] (the sum of every member against the archive's own size, for the ratio), and a
//! block encrypted with AES hands its members back as [`Body::Encrypted`]. Imports only
//! `input::archive` and `input::zip`.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use sevenz_rust2::{Archive, ArchiveEntry, BlockDecoder, EncoderMethod, Password};

use crate::input::archive::{Guard, Limits};
use crate::input::zip::{Body, Member, Names};

/// A 7z archive opened by its headers, with its file for the blocks.
pub struct SevenZ {
    archive: Archive,
    source: BufReader<File>,
    len: u64,
}

/// Why a 7z archive cannot be opened.
#[derive(Debug)]
pub enum Refused {
    /// Its headers are encrypted: not even the member names can be read.
    EncryptedHeaders,
    /// Its headers cannot be read (cut short, damaged, a method not supported): why.
    Unreadable(String),
}

/// Opens the 7z archive in `f` by its headers.
pub fn open(f: File) -> Result<SevenZ, Refused> {
    let len = f
        .metadata()
        .map_err(|e| Refused::Unreadable(e.to_string()))?
        .len();
    let mut source = BufReader::new(f);
    start_header_fits(&mut source, len).map_err(Refused::Unreadable)?;
    match Archive::read_with_memory_limit(&mut source, &Password::empty(), DECODER_MEMORY_KB) {
        Ok(archive) => Ok(SevenZ {
            archive,
            source,
            len,
        }),
        Err(e) if is_encryption(&e) => Err(Refused::EncryptedHeaders),
        Err(e) => Err(Refused::Unreadable(e.to_string())),
    }
}

/// The most bytes a 7z's header may take: the reader holds it whole.
const MAX_HEADER: u64 = 64 << 20;

/// Checks the start header before the reader trusts it: it allocates the next header's
/// declared size at once, so a size past the end of the file (or past [`MAX_HEADER`]) would
/// abort the process instead of failing this entry.
fn start_header_fits(r: &mut BufReader<File>, len: u64) -> Result<(), String> {
    let mut h = [0u8; 32];
    r.read_exact(&mut h).map_err(|e| e.to_string())?;
    r.seek(SeekFrom::Start(0)).map_err(|e| e.to_string())?;
    let u64_at = |at: usize| u64::from_le_bytes(h[at..at + 8].try_into().expect("8 bytes"));
    let stored_crc = u32::from_le_bytes(h[8..12].try_into().expect("4 bytes"));
    if stored_crc == 0 {
        // No start header (an archive being written): the reader looks for the header itself.
        return Ok(());
    }
    let mut crc = flate2::Crc::new();
    crc.update(&h[12..32]);
    if crc.sum() != stored_crc {
        return Err("start header checksum mismatch".into());
    }
    let (offset, size) = (u64_at(12), u64_at(20));
    let end = offset.checked_add(size).and_then(|x| x.checked_add(32));
    match end {
        Some(end) if end <= len && size <= MAX_HEADER => Ok(()),
        _ => Err(format!(
            "its header ({size} bytes at {offset}) lies past the end of the file ({len} bytes)"
        )),
    }
}

/// The memory one decoder may take, in KiB: the decoded header (bounded by what it really
/// decodes to) and each block's dictionary or model. 7-Zip's largest dictionary is 1.5 GiB
/// and its ultra preset's 64 MiB; an archive declaring more than this is refused before
/// anything is allocated. sevenz-rust2 (0.25) also bounds every count a header declares by
/// the header's own size, so a crafted header is an error, not an allocation that aborts the
/// process.
const DECODER_MEMORY_KB: usize = 1 << 20;

/// Whether the error is a password that was needed (or AES, where it is not built in).
fn is_encryption(e: &sevenz_rust2::Error) -> bool {
    match e {
        sevenz_rust2::Error::PasswordRequired | sevenz_rust2::Error::MaybeBadPassword(_) => true,
        sevenz_rust2::Error::UnsupportedCompressionMethod(m) => m.contains("AES"),
        _ => false,
    }
}

/// What a walk read: the members it handed back, and the error that stopped it, if any.
#[derive(Debug)]
pub struct Walked {
    pub members: usize,
    pub stop: Option<String>,
}

impl SevenZ {
    /// Why the whole archive is too large by what it declares, if it is: its members add up
    /// to more than the ratio allows from the archive's own size.
    pub fn too_large(&self, limits: &Limits) -> Option<String> {
        let total = self
            .archive
            .files
            .iter()
            .fold(0u64, |a, f| a.saturating_add(f.size));
        let ratio = total / self.len.max(1);
        (total > limits.ratio_floor && ratio > limits.max_ratio).then(|| {
            format!(
                "too large: {total} bytes declared from {} compressed (ratio over {}; a \
                 compression bomb?)",
                self.len, limits.max_ratio
            )
        })
    }

    /// Hands every member but its folders to `each`: block by block, in order, then the
    /// members without data.
    pub fn members(&mut self, limits: &Limits, each: &mut dyn FnMut(Member)) -> Walked {
        let mut names = Names::default();
        let mut handed = 0usize;
        for block in 0..self.archive.blocks.len() {
            let stop = if encrypted(&self.archive, block) {
                self.hand_encrypted(block, &mut names, each, &mut handed);
                None
            } else {
                self.decode(block, limits, &mut names, each, &mut handed)
            };
            if stop.is_some() {
                return Walked {
                    members: handed,
                    stop,
                };
            }
        }
        for (i, f) in self.archive.files.iter().enumerate() {
            if self.archive.stream_map.file_block_index[i].is_none() && is_member(f) {
                handed += 1;
                let body = Body::Bytes(&mut io::empty());
                each(Member {
                    name: names.unique(f.name()),
                    size: 0,
                    body,
                });
            }
        }
        Walked {
            members: handed,
            stop: None,
        }
    }

    /// The members of an encrypted block, each `Encrypted`.
    fn hand_encrypted(
        &self,
        block: usize,
        names: &mut Names,
        each: &mut dyn FnMut(Member),
        handed: &mut usize,
    ) {
        let files = &self.archive.files;
        let map = &self.archive.stream_map.file_block_index;
        for (i, f) in files.iter().enumerate() {
            if map[i] == Some(block) && is_member(f) {
                *handed += 1;
                each(Member {
                    name: names.unique(f.name()),
                    size: f.size,
                    body: Body::Encrypted,
                });
            }
        }
    }

    /// Decodes one block, handing its members to `each`; the error that stopped it.
    fn decode(
        &mut self,
        block: usize,
        limits: &Limits,
        names: &mut Names,
        each: &mut dyn FnMut(Member),
        handed: &mut usize,
    ) -> Option<String> {
        let password = Password::empty();
        let decoder = BlockDecoder::new_with_memory_limit(
            1,
            DECODER_MEMORY_KB,
            block,
            &self.archive,
            &password,
            &mut self.source,
        );
        let result = decoder.for_each_entries(&mut |f: &ArchiveEntry, r: &mut dyn Read| {
            if !is_member(f) {
                return Ok(true);
            }
            *handed += 1;
            let name = names.unique(f.name());
            // The ratio is the whole archive's (a solid block's members share their bytes).
            match limits.declared_too_large(f.size, f.size) {
                Some(why) => each(Member {
                    name,
                    size: f.size,
                    body: Body::TooLarge(why),
                }),
                _ => {
                    let mut g = Guard::member(&mut *r, f.size, f.size, limits);
                    let body = Body::Bytes(&mut g);
                    each(Member {
                        name,
                        size: f.size,
                        body,
                    });
                }
            }
            // A solid block goes on where this member ends: what the caller left is read.
            io::copy(r, &mut io::sink())?;
            Ok(true)
        });
        result.err().map(|e| e.to_string())
    }
}

/// A file with a name, not a folder or an anti-item (a deletion mark of an update).
fn is_member(f: &ArchiveEntry) -> bool {
    !f.is_directory() && !f.is_anti_item()
}

fn encrypted(a: &Archive, block: usize) -> bool {
    a.blocks[block]
        .coders
        .iter()
        .any(|c| c.encoder_method_id() == EncoderMethod::ID_AES256_SHA256)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A 7z of `(name, data)` members, solid or not, in a temporary file.
    fn sevenz_of(members: &[(&str, &[u8])], solid: bool) -> File {
        let mut w = sevenz_rust2::ArchiveWriter::new(io::Cursor::new(Vec::new())).unwrap();
        let entries: Vec<_> = members
            .iter()
            .map(|(n, d)| (ArchiveEntry::new_file(n), *d))
            .collect();
        if solid {
            let (es, rs): (Vec<_>, Vec<_>) = entries.into_iter().unzip();
            w.push_archive_entries(es, rs.into_iter().map(|d| d.into()).collect())
                .unwrap();
        } else {
            for (e, d) in entries {
                w.push_archive_entry(e, Some(d)).unwrap();
            }
        }
        let bytes = w.finish().unwrap().into_inner();
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&bytes).unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        f
    }

    fn walk(f: File, limits: &Limits) -> (Vec<(String, String)>, Walked) {
        let mut z = open(f).unwrap();
        let mut got = Vec::new();
        let w = z.members(limits, &mut |m| {
            let what = match m.body {
                Body::Bytes(r) => {
                    let mut s = String::new();
                    r.read_to_string(&mut s).unwrap();
                    s
                }
                Body::TooLarge(why) => why,
                Body::Encrypted => "encrypted".into(),
                _ => "other".into(),
            };
            got.push((m.name, what))
        });
        (got, w)
    }

    #[test]
    fn members_of_solid_and_plain_archives() {
        for solid in [false, true] {
            let f = sevenz_of(&[("d/a.csv", b"x,y\n"), ("b.txt", b"z")], solid);
            let (got, w) = walk(f, &Limits::default());
            assert!(w.stop.is_none(), "{w:?}");
            let want = [("d/a.csv", "x,y\n"), ("b.txt", "z")].map(|(a, b)| (a.into(), b.into()));
            assert_eq!(got, want);
        }
    }

    #[test]
    fn a_member_left_unread_does_not_shift_the_next() {
        let f = sevenz_of(&[("a.csv", &[b'a'; 10_000]), ("b.txt", b"z")], true);
        let mut z = open(f).unwrap();
        let mut last = String::new();
        z.members(&Limits::default(), &mut |m| {
            if let Body::Bytes(r) = m.body {
                last.clear();
                let mut one = [0u8; 1];
                r.read_exact(&mut one).unwrap();
                last.push(one[0] as char);
            }
        });
        assert_eq!(last, "z");
    }

    #[test]
    fn cut_and_over_the_limits() {
        let f = sevenz_of(&[("a.csv", &[b'a'; 5000])], false);
        let small = Limits {
            max_entry_bytes: 1000,
            ..Limits::default()
        };
        let (got, _) = walk(f.try_clone().unwrap(), &small);
        assert!(got[0].1.starts_with("too large: 5000"), "{got:?}");
        // A bomb by its declared sizes: the whole archive.
        let z = open(sevenz_of(&[("z.csv", &vec![b'0'; 8 << 20])], false)).unwrap();
        assert!(z.too_large(&Limits::default()).is_some());
        // Cut short: the headers at the end are gone.
        let mut bytes = Vec::new();
        let mut f = f;
        f.seek(SeekFrom::Start(0)).unwrap();
        f.read_to_end(&mut bytes).unwrap();
        let mut cut = tempfile::tempfile().unwrap();
        cut.write_all(&bytes[..bytes.len() - 10]).unwrap();
        cut.seek(SeekFrom::Start(0)).unwrap();
        let why = match open(cut) {
            Err(Refused::Unreadable(why)) => why,
            other => panic!("opened: {}", other.is_ok()),
        };
        assert!(why.contains("past the end of the file"), "{why}");
        // A header size no file holds fails the entry; it is not allocated.
        let mut huge = bytes.clone();
        huge[20..28].copy_from_slice(&(1u64 << 40).to_le_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&huge[12..32]);
        huge[8..12].copy_from_slice(&crc.sum().to_le_bytes());
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&huge).unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        assert!(matches!(open(f), Err(Refused::Unreadable(_))));
        // A header that declares 2^34 files: refused, not allocated (the process lives on).
        let mut hdr = b"\x01\x05\xff".to_vec();
        hdr.extend_from_slice(&(1u64 << 34).to_le_bytes());
        hdr.push(0);
        let mut crc = flate2::Crc::new();
        crc.update(&hdr);
        let mut start = [0u64.to_le_bytes(), (hdr.len() as u64).to_le_bytes()].concat();
        start.extend_from_slice(&crc.sum().to_le_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&start);
        let mut crafted = b"7z\xbc\xaf\x27\x1c\x00\x04".to_vec();
        crafted.extend_from_slice(&crc.sum().to_le_bytes());
        crafted.extend(start);
        crafted.extend(hdr);
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&crafted).unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        match open(f) {
            Err(Refused::Unreadable(why)) => assert!(why.contains("num files"), "{why}"),
            other => panic!("opened: {}", other.is_ok()),
        }
    }
}
