//! Tar archives member by member (SPEC §3), streamed: ustar, GNU (long names, sparse files),
//! pax (long names, sizes) and old v7 headers, read by the `tar` crate from any reader (a
//! file, or the inside of a gzip, bzip2, xz or zstd stream). Members are handed back one by
//! one like a zip's ([`Member`]), their bytes behind a [`Guard`]; what a member is, is the
//! caller's to decide. Nothing is written to disk.
//!
//! Folders and pax global headers are no member (as a zip's folders); links and devices are
//! handed back as [`Body::Special`], so the ledger still has an entry for each. A header
//! extension (pax, GNU long name, sparse map) may take at most [`HEADER_BUDGET`] bytes: the
//! crate holds it in memory. How a tar is known is `input::shapes`'s. Imports only
//! `input::archive` and `input::zip`.

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use crate::input::archive::{Guard, Limits};
use crate::input::zip::{Body, Member, Names, Special};

/// The most bytes read between two members' data: the header, its extensions (pax records,
/// GNU long names, sparse maps) and the padding. Extensions are read whole into memory.
pub const HEADER_BUDGET: u64 = 1 << 20;

/// What a walk read: the members it handed back, and the error that stopped it, if any.
#[derive(Debug)]
pub struct Walked {
    pub members: usize,
    pub stop: Option<io::Error>,
}

/// Hands every member of the tar archive read from `r` but its folders to `each`, in order,
/// until the end of the archive or the damage that stops it.
pub fn members(r: &mut dyn Read, limits: &Limits, each: &mut dyn FnMut(Member)) -> Walked {
    let budget = Rc::new(Cell::new(Some(HEADER_BUDGET)));
    let mut archive = ::tar::Archive::new(Budgeted {
        inner: r,
        left: budget.clone(),
    });
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(e) => {
            return Walked {
                members: 0,
                stop: Some(e),
            }
        }
    };
    let mut names = Names::default();
    let mut members = 0usize;
    for entry in entries {
        // The entry is handed out: its data is not a header's.
        budget.set(None);
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                return Walked {
                    members,
                    stop: Some(e),
                }
            }
        };
        if let Some(member) = hand(&mut entry, &mut names, limits, each) {
            members += member;
        }
        // What the caller left unread is read here, before the next header's budget starts.
        if let Err(e) = io::copy(&mut entry, &mut io::sink()) {
            return Walked {
                members,
                stop: Some(e),
            };
        }
        budget.set(Some(HEADER_BUDGET));
    }
    Walked {
        members,
        stop: None,
    }
}

/// Hands one entry to `each` as a member; `None` for what is no member (a folder, a pax
/// global header, a volume label).
fn hand<R: Read>(
    entry: &mut ::tar::Entry<R>,
    names: &mut Names,
    limits: &Limits,
    each: &mut dyn FnMut(Member),
) -> Option<usize> {
    let kind = entry.header().entry_type();
    if kind.is_dir() || kind.is_pax_global_extensions() || kind.as_byte() == b'V' {
        return None;
    }
    let name = names.unique(&member_name(&entry.path_bytes()));
    // The size the data expands to (a sparse file's holes included), and the bytes it takes.
    let size = entry.size();
    let stored = entry.header().entry_size().unwrap_or(size);
    let special = if kind.is_symlink() {
        Some(Special::Symlink)
    } else if kind.is_hard_link() {
        Some(Special::HardLink)
    } else if kind.is_character_special() || kind.is_block_special() || kind.is_fifo() {
        Some(Special::Device)
    } else {
        None
    };
    if let Some(s) = special {
        each(Member {
            name,
            size,
            body: Body::Special(s),
        });
        return Some(1);
    }
    if let Some(why) = limits.declared_too_large(size, stored) {
        each(Member {
            name,
            size,
            body: Body::TooLarge(why),
        });
        return Some(1);
    }
    let mut g = Guard::member(Whole::new(entry, size), size, stored, limits);
    each(Member {
        name,
        size,
        body: Body::Bytes(&mut g),
    });
    Some(1)
}

/// A member's name as the archive gives it, without a leading `./` (`tar -C dir .`); an
/// empty name is `#`.
fn member_name(raw: &[u8]) -> String {
    let mut name = String::from_utf8_lossy(raw).into_owned();
    while let Some(rest) = name.strip_prefix("./") {
        name = rest.to_string();
    }
    if name.is_empty() {
        name.push('#');
    }
    name
}

/// Reads through while a header's budget lasts (`None`: no budget, a member's data).
struct Budgeted<'r> {
    inner: &'r mut dyn Read,
    left: Rc<Cell<Option<u64>>>,
}

impl Read for Budgeted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(left) = self.left.get() else {
            return self.inner.read(buf);
        };
        if left == 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a header extension over {HEADER_BUDGET} bytes (pax or GNU long name)"),
            ));
        }
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left.set(Some(left - n as u64));
        Ok(n)
    }
}

/// A member's data that must hold its declared size: the archive ending first (a truncated
/// download) is an error, not a short member.
struct Whole<R> {
    inner: R,
    size: u64,
    read: u64,
}

impl<R: Read> Whole<R> {
    fn new(inner: R, size: u64) -> Self {
        Whole {
            inner,
            size,
            read: 0,
        }
    }
}

impl<R: Read> Read for Whole<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if n == 0 && !buf.is_empty() && self.read < self.size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "tar member cut short: {} of {} bytes (truncated archive?)",
                    self.read, self.size
                ),
            ));
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::shapes::is_tar;

    /// A tar of `(name, data)` members in `format`; a name ending in `/` is a folder.
    pub(crate) fn tar_of(members: &[(&str, &[u8])], gnu: bool) -> Vec<u8> {
        let mut b = ::tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = if gnu {
                ::tar::Header::new_gnu()
            } else {
                ::tar::Header::new_ustar()
            };
            h.set_mode(0o644);
            if name.ends_with('/') {
                h.set_entry_type(::tar::EntryType::Directory);
                h.set_size(0);
                b.append_data(&mut h, name, io::empty()).unwrap();
            } else {
                h.set_size(data.len() as u64);
                b.append_data(&mut h, name, *data).unwrap();
            }
        }
        b.into_inner().unwrap()
    }

    fn seen(m: Member) -> (String, String) {
        let what = match m.body {
            Body::Bytes(r) => {
                let mut s = Vec::new();
                match r.read_to_end(&mut s) {
                    Ok(_) => String::from_utf8_lossy(&s).into_owned(),
                    Err(e) => format!("error after {}: {e}", s.len()),
                }
            }
            Body::Special(s) => format!("{s:?}"),
            Body::TooLarge(why) => why,
            Body::Encrypted => "encrypted".into(),
            Body::Unreadable(e) => e,
        };
        (m.name, what)
    }

    fn walk(bytes: &[u8], limits: &Limits) -> (Vec<(String, String)>, Walked) {
        let mut got = Vec::new();
        let w = members(&mut &bytes[..], limits, &mut |m| got.push(seen(m)));
        (got, w)
    }

    #[test]
    fn members_in_order_without_folders_with_long_names() {
        let long = format!("{}/a.csv", "d".repeat(150));
        for gnu in [false, true] {
            let t = tar_of(&[("d/", b""), ("./d/a.csv", b"x,y\n"), (&long, b"z")], gnu);
            assert!(is_tar(&t));
            let (got, w) = walk(&t, &Limits::default());
            assert!(w.stop.is_none(), "{w:?}");
            assert_eq!(w.members, 2);
            assert_eq!(got[0], ("d/a.csv".into(), "x,y\n".into()));
            assert_eq!(got[1], (long.clone(), "z".into()));
        }
    }

    #[test]
    fn links_are_members_without_bytes() {
        let mut b = ::tar::Builder::new(Vec::new());
        let mut h = ::tar::Header::new_ustar();
        h.set_entry_type(::tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "l.csv", "a.csv").unwrap();
        let t = b.into_inner().unwrap();
        let (got, w) = walk(&t, &Limits::default());
        assert_eq!((w.members, got[0].1.as_str()), (1, "Symlink"));
    }

    #[test]
    fn a_cut_archive_says_so() {
        let t = tar_of(&[("a.csv", &[b'a'; 3000]), ("b.csv", b"b")], false);
        let (got, w) = walk(&t[..1500], &Limits::default());
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("cut short: 988 of 3000"), "{got:?}");
        assert!(w.stop.is_some());
        // A bad checksum in the second header stops the walk after the first member.
        let mut bad = t.clone();
        bad[512 * 7 + 100] ^= 1;
        let (got, w) = walk(&bad, &Limits::default());
        assert_eq!(got.len(), 1);
        assert!(w.stop.unwrap().to_string().contains("checksum"));
    }

    #[test]
    fn declared_sizes_and_huge_extensions_are_refused() {
        let t = tar_of(&[("a.csv", &[b'a'; 5000])], false);
        let small = Limits {
            max_entry_bytes: 1000,
            ..Limits::default()
        };
        let (got, _) = walk(&t, &small);
        assert!(got[0].1.starts_with("too large: 5000 bytes"), "{got:?}");
        // A pax header of 2 MiB is not held.
        let mut b = ::tar::Builder::new(Vec::new());
        let big = "x".repeat(2 << 20);
        b.append_pax_extensions([("comment", big.as_bytes())])
            .unwrap();
        let mut h = ::tar::Header::new_ustar();
        h.set_size(1);
        b.append_data(&mut h, "a.csv", &b"a"[..]).unwrap();
        let (got, w) = walk(&b.into_inner().unwrap(), &Limits::default());
        assert!(got.is_empty());
        assert!(w.stop.unwrap().to_string().contains("header extension"));
    }

    #[test]
    fn v7_headers_by_their_checksum() {
        let mut h = tar_of(&[("data.csv", b"nik,nama\n")], false);
        // Without the magic, the checksum alone tells.
        h[257..265].copy_from_slice(&[0; 8]);
        let sum: u32 = h[..512]
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(x)
                }
            })
            .sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\x00 ").as_bytes());
        assert!(is_tar(&h));
        assert_eq!(walk(&h, &Limits::default()).0[0].1, "nik,nama\n");
        h[0] ^= 1;
        assert!(!is_tar(&h));
        assert!(!is_tar(b"ustar is a word\n"));
    }
}
