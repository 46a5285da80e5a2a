//! Zip archives member by member (SPEC §3). The walk hands each member back to its caller,
//! with its bytes behind a [`Guard`] or with why it cannot be read; what a member is and what
//! becomes of it is the caller's to decide. A zip whose central directory cannot be read (a
//! download cut short) is walked from its local headers instead, up to the damage.
//!
//! Also what a zip holds, from its member names ([`zip_kind`]): an archive, a workbook or a
//! document, and whether a workbook's members are too large to hand to a spreadsheet reader.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use zip::ZipArchive;

use crate::input::archive::{Guard, Limits};

/// One member of an archive, as the walk hands it back.
pub struct Member<'a> {
    /// Its name inside the archive, unique within it: a second member of one name is
    /// `dir/a.csv (2)`; a member whose header cannot be read is `#3`, by its index.
    pub name: String,
    /// The size its header declares (0 when the header cannot be read).
    pub size: u64,
    pub body: Body<'a>,
}

/// What the walk could do with a member.
pub enum Body<'a> {
    /// Its bytes, decompressed behind a guard that enforces the limits.
    Bytes(&'a mut dyn Read),
    /// Password protected: not read.
    Encrypted,
    /// Larger than the limits allow, by what its header declares: why.
    TooLarge(String),
    /// Its header or its data cannot be read: the error.
    Unreadable(String),
    /// Not a file (a tar's links and devices): no bytes of its own.
    Special(Special),
}

/// What a member that is no file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    Symlink,
    /// Its data is another member's.
    HardLink,
    /// A character or block device, or a FIFO.
    Device,
    /// An e-mail's text in another form (`multipart/alternative`): the same text again.
    Alternative,
}

/// A zip archive whose central directory cannot be read: the error, and the file again (it
/// could be reopened) for [`salvage`].
pub struct Broken {
    pub why: String,
    pub again: Option<File>,
}

/// A zip archive in a file, opened by its central directory.
pub type Archive = ZipArchive<BufReader<File>>;

/// Opens the zip archive in `f` by its central directory.
pub fn open(f: File) -> Result<Archive, Broken> {
    let again = f.try_clone();
    ZipArchive::new(BufReader::new(f)).map_err(|e| Broken {
        why: e.to_string(),
        again: again.ok(),
    })
}

/// Hands every member of `z` but its folders to `each`, in the directory's order; returns how
/// many it handed.
pub fn members<R: Read + Seek>(
    z: &mut ZipArchive<R>,
    limits: &Limits,
    each: &mut dyn FnMut(Member),
) -> usize {
    let mut handed = 0usize;
    let mut names = Names::default();
    for i in 0..z.len() {
        let raw = z.by_index_raw(i).map(|m| {
            (
                m.name().to_string(),
                m.is_dir(),
                m.size(),
                m.compressed_size(),
                m.encrypted(),
            )
        });
        let (name, is_dir, size, compressed, encrypted) = match raw {
            Ok(x) => x,
            Err(e) => {
                handed += 1;
                let name = names.unique(&format!("#{i}"));
                each(Member {
                    name,
                    size: 0,
                    body: Body::Unreadable(e.to_string()),
                });
                continue;
            }
        };
        if is_dir {
            continue;
        }
        handed += 1;
        let name = names.unique(&name);
        if let Some(body) = unread(encrypted, size, compressed, limits) {
            each(Member { name, size, body });
            continue;
        }
        match z.by_index(i) {
            Ok(member) => {
                let mut g = Guard::member(member, size, compressed, limits);
                let body = Body::Bytes(&mut g);
                each(Member { name, size, body });
            }
            Err(e) => {
                let body = Body::Unreadable(e.to_string());
                each(Member { name, size, body });
            }
        }
    }
    handed
}

/// Why a member is not read, by its header: encrypted, or declared too large.
fn unread<'a>(encrypted: bool, size: u64, compressed: u64, limits: &Limits) -> Option<Body<'a>> {
    if encrypted {
        return Some(Body::Encrypted);
    }
    limits
        .declared_too_large(size, compressed)
        .map(Body::TooLarge)
}

/// What [`salvage`] read: the members it handed back, and the error that stopped it.
#[derive(Debug, PartialEq, Eq)]
pub struct Salvaged {
    pub members: usize,
    pub stop: Option<String>,
}

/// Walks a zip from its local headers, from the start of `r`, in order, until the end or the
/// damage, handing every member but its folders to `each`. Errors only when `r` cannot be
/// rewound to its start.
pub fn salvage<R: Read + Seek>(
    mut r: R,
    limits: &Limits,
    each: &mut dyn FnMut(Member),
) -> io::Result<Salvaged> {
    r.seek(SeekFrom::Start(0))?;
    let mut r = BufReader::new(r);
    let mut names = Names::default();
    let mut members = 0usize;
    let stop = loop {
        let member = match zip::read::read_zipfile_from_stream(&mut r) {
            Ok(Some(m)) => m,
            Ok(None) => break None,
            Err(e) => break Some(e.to_string()),
        };
        if member.is_dir() {
            continue;
        }
        members += 1;
        let (size, compressed) = (member.size(), member.compressed_size());
        let name = names.unique(member.name());
        match unread(member.encrypted(), size, compressed, limits) {
            Some(body) => each(Member { name, size, body }),
            None => {
                let mut g = Guard::member(member, size, compressed, limits);
                let body = Body::Bytes(&mut g);
                each(Member { name, size, body });
            }
        }
    };
    Ok(Salvaged { members, stop })
}

/// The member names handed back so far: two members of one name stay two entries.
#[derive(Default)]
pub struct Names(HashSet<String>);

impl Names {
    pub fn unique(&mut self, member: &str) -> String {
        let mut name = member.to_string();
        let mut n = 1;
        while !self.0.insert(name.clone()) {
            n += 1;
            name = format!("{member} ({n})");
        }
        name
    }
}

/// What a zip archive holds, decided from its member names and its `mimetype` member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZipKind {
    Archive,
    Xlsx,
    Xlsb,
    Ods,
    /// A document (PPTX, EPUB, …) triage does not read yet: its name.
    Document(&'static str),
    /// A Word document (DOCX).
    Docx,
    /// An OpenDocument text (ODT).
    Odt,
}

pub fn zip_kind<R: Read + Seek>(z: &mut zip::ZipArchive<R>) -> ZipKind {
    let mime = mimetype(z);
    let has = |n: &str| z.index_for_name(n).is_some();
    if has("xl/workbook.xml") {
        return ZipKind::Xlsx;
    }
    if has("xl/workbook.bin") {
        return ZipKind::Xlsb;
    }
    // OpenDocument and EPUB name their kind in a `mimetype` member; a text document is no
    // spreadsheet, though it has a `content.xml` too.
    if let Some(kind) = mime.as_deref().and_then(mimetype_kind) {
        return kind;
    }
    if has("content.xml") && has("mimetype") {
        return ZipKind::Ods;
    }
    if has("[Content_Types].xml") {
        let under = |dir: &str| z.file_names().any(|n| n.starts_with(dir));
        if has("word/document.xml") {
            return ZipKind::Docx;
        }
        for (dir, name) in [
            ("word/", "Word document (DOCX)"),
            ("ppt/", "PowerPoint presentation (PPTX)"),
            ("visio/", "Visio drawing (VSDX)"),
        ] {
            if under(dir) {
                return ZipKind::Document(name);
            }
        }
    }
    ZipKind::Archive
}

/// The first line of the `mimetype` member, when there is one and it reads.
fn mimetype<R: Read + Seek>(z: &mut zip::ZipArchive<R>) -> Option<String> {
    let m = z.by_name("mimetype").ok()?;
    let mut b = Vec::new();
    m.take(256).read_to_end(&mut b).ok()?;
    let t = String::from_utf8(b).ok()?;
    Some(t.lines().next().unwrap_or("").trim().to_string())
}

fn mimetype_kind(t: &str) -> Option<ZipKind> {
    let od = "application/vnd.oasis.opendocument.";
    Some(match t.strip_prefix(od) {
        Some("spreadsheet" | "spreadsheet-template") => ZipKind::Ods,
        Some("text" | "text-template" | "text-master" | "text-web") => ZipKind::Odt,
        Some("presentation" | "presentation-template") => {
            ZipKind::Document("OpenDocument presentation (ODP)")
        }
        Some("graphics" | "graphics-template") => ZipKind::Document("OpenDocument drawing (ODG)"),
        Some(_) => ZipKind::Document("OpenDocument file"),
        None if t == "application/epub+zip" => ZipKind::Document("EPUB e-book"),
        None => return None,
    })
}

/// Why a workbook's members are too large to hand to the spreadsheet reader, if they are
/// (it decompresses them itself, so they are checked against the directory first).
pub fn workbook_too_large<R: Read + Seek>(
    z: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Option<String> {
    let mut total = 0u64;
    for i in 0..z.len() {
        let Ok(m) = z.by_index_raw(i) else { continue };
        total = total.saturating_add(m.size());
        if let Some(r) = limits.declared_too_large(m.size(), m.compressed_size()) {
            return Some(format!("{} ({})", r, m.name()));
        }
    }
    if total > limits.max_entry_bytes {
        return Some(format!(
            "too large: {total} bytes after decompression (limit {})",
            limits.max_entry_bytes
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    type Part<'a> = (&'a str, &'a [u8]);

    /// A zip of `parts`; a name ending in `/` is a folder.
    fn zip_of(parts: &[Part]) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (name, data) in parts {
            if name.ends_with('/') {
                z.add_directory(*name, options).unwrap();
                continue;
            }
            z.start_file(*name, options).unwrap();
            z.write_all(data).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn kind_of(parts: &[Part]) -> ZipKind {
        let bytes = zip_of(parts);
        zip_kind(&mut ZipArchive::new(io::Cursor::new(bytes)).unwrap())
    }

    /// A member as handed back: its name, size, and its bytes or why it was not read.
    fn seen(m: Member) -> (String, u64, String) {
        let what = match m.body {
            Body::Bytes(r) => {
                let mut s = String::new();
                r.read_to_string(&mut s).unwrap();
                s
            }
            Body::Encrypted => "encrypted".into(),
            Body::TooLarge(why) => why,
            Body::Unreadable(e) => format!("unreadable: {e}"),
            Body::Special(s) => format!("{s:?}"),
        };
        (m.name, m.size, what)
    }

    #[test]
    fn members_are_handed_back_in_order_without_folders() {
        let bytes = zip_of(&[("d/", b""), ("d/a.csv", b"x,y\n"), ("b.txt", b"z")]);
        let want = vec![
            ("d/a.csv".to_string(), 4, "x,y\n".to_string()),
            ("b.txt".to_string(), 1, "z".to_string()),
        ];
        let mut z = ZipArchive::new(io::Cursor::new(bytes.clone())).unwrap();
        let mut got = Vec::new();
        let n = members(&mut z, &Limits::default(), &mut |m| got.push(seen(m)));
        assert_eq!((n, &got), (2, &want));
        // From the local headers, the same; an archive cut short stops at the damage.
        let mut got = Vec::new();
        let all = salvage(io::Cursor::new(&bytes), &Limits::default(), &mut |m| {
            got.push(seen(m))
        });
        let none = Salvaged {
            members: 2,
            stop: None,
        };
        assert_eq!((all.unwrap(), &got), (none, &want));
        let big = zip_of(&[("a.csv", &[b'a'; 1000]), ("b.csv", &[b'b'; 1000])]);
        let mut got = Vec::new();
        let cut = salvage(
            io::Cursor::new(&big[..big.len() / 2]),
            &Limits::default(),
            &mut |m| got.push(seen(m).0),
        )
        .unwrap();
        assert!(cut.stop.is_some(), "{cut:?}");
        assert!(got.len() <= 2 && got.iter().all(|n| n.ends_with(".csv")));
    }

    #[test]
    fn a_member_over_the_limits_is_not_read() {
        let bytes = zip_of(&[("a.csv", &[b'a'; 5000]), ("b.csv", b"b")]);
        let limits = Limits {
            max_entry_bytes: 1000,
            ..Limits::default()
        };
        let mut z = ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        let mut got = Vec::new();
        members(&mut z, &limits, &mut |m| got.push(seen(m)));
        assert!(got[0].2.starts_with("too large: 5000 bytes"), "{got:?}");
        assert_eq!(got[1], ("b.csv".into(), 1, "b".into()));
    }

    #[test]
    fn two_members_of_one_name_stay_two() {
        let mut names = Names::default();
        assert_eq!(names.unique("d/a.csv"), "d/a.csv");
        assert_eq!(names.unique("d/a.csv"), "d/a.csv (2)");
        assert_eq!(names.unique("d/a.csv"), "d/a.csv (3)");
        assert_eq!(names.unique("#4"), "#4");
    }

    #[test]
    fn zip_documents_are_named_by_their_parts() {
        let od = |t: &str| format!("application/vnd.oasis.opendocument.{t}");
        let ods = od("spreadsheet");
        let odt = od("text");
        let odp = od("presentation");
        let cases: [(&[Part], ZipKind); 9] = [
            (&[("xl/workbook.xml", b"")], ZipKind::Xlsx),
            (&[("xl/workbook.bin", b"")], ZipKind::Xlsb),
            (
                &[("mimetype", ods.as_bytes()), ("content.xml", b"")],
                ZipKind::Ods,
            ),
            (
                &[("mimetype", odt.as_bytes()), ("content.xml", b"")],
                ZipKind::Odt,
            ),
            (
                &[("mimetype", odp.as_bytes()), ("content.xml", b"")],
                ZipKind::Document("OpenDocument presentation (ODP)"),
            ),
            (
                &[
                    ("mimetype", b"application/epub+zip\n"),
                    ("OEBPS/a.xhtml", b""),
                ],
                ZipKind::Document("EPUB e-book"),
            ),
            (
                &[("[Content_Types].xml", b""), ("word/document.xml", b"")],
                ZipKind::Docx,
            ),
            (
                &[("[Content_Types].xml", b""), ("ppt/presentation.xml", b"")],
                ZipKind::Document("PowerPoint presentation (PPTX)"),
            ),
            // A folder named word/ in an ordinary archive does not make it a document.
            (&[("word/list.csv", b"nik\n")], ZipKind::Archive),
        ];
        for (members, want) in cases {
            assert_eq!(kind_of(members), want, "{:?}", members[0]);
        }
    }
}
