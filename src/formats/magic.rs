//! Binary formats known by their first bytes (SPEC §3, robustness rule 1): what cannot hold
//! records of people (media, executables) is `skipped`; what holds records in a format triage
//! does not read yet is `failed: <format>: not read yet`, so the scan is incomplete rather
//! than a false all-clear. Anything else with NUL bytes goes to the strings pass.
//!
//! Zip, gzip, bzip2, xz, zstd, OLE2, tar, 7z, RAR and e-mail are opened before this
//! (`archive::Container`); the kinds of document they hold are named in `archive::zip_kind`
//! and `workbook`.
//!
//! A magic made only of printable bytes could start a text file too, so it counts only when
//! the first block also holds a NUL byte (`Guard::Nul`), or a check of the structure behind
//! it passes (DBF, BSON, pg_dump).

/// What a binary file's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Magic {
    /// Media or an executable: no records of people; `skipped: binary (<name>)`.
    NotData(&'static str),
    /// Records in a format not read yet: `failed: <name>: not read yet`.
    NotRead(&'static str),
    /// Records its own reader reads (`formats::records`).
    Records(Records),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Guard {
    /// The bytes alone are enough (they are not text).
    None,
    /// Printable bytes: the first block must also hold a NUL byte.
    Nul,
}

use crate::formats::records::Records;
use Guard::{None as Plain, Nul};
use Magic::{NotData, NotRead};

/// (offset, bytes, guard, what): the fixed signatures.
const TABLE: &[(usize, &[u8], Guard, Magic)] = &[
    // Media.
    (0, b"\x89PNG", Plain, NotData("PNG image")),
    (0, b"\xff\xd8\xff", Plain, NotData("JPEG image")),
    (0, b"GIF87a", Nul, NotData("GIF image")),
    (0, b"GIF89a", Nul, NotData("GIF image")),
    (0, b"II*\x00", Plain, NotData("TIFF image")),
    (0, b"MM\x00*", Plain, NotData("TIFF image")),
    (0, b"8BPS\x00", Plain, NotData("Photoshop image")),
    (
        0,
        b"\x1a\x45\xdf\xa3",
        Plain,
        NotData("Matroska/WebM video"),
    ),
    (0, b"OggS\x00", Plain, NotData("Ogg audio/video")),
    (0, b"fLaC", Nul, NotData("FLAC audio")),
    (0, b"\x00\x00\x01\xba", Plain, NotData("MPEG video")),
    (0, b"\x00\x00\x01\xb3", Plain, NotData("MPEG video")),
    (4, b"ftyp", Nul, NotData("MP4/QuickTime/HEIF media")),
    // Executables and libraries.
    (0, b"\x7fELF", Plain, NotData("ELF executable")),
    (0, b"\xfe\xed\xfa\xce", Plain, NotData("Mach-O executable")),
    (0, b"\xfe\xed\xfa\xcf", Plain, NotData("Mach-O executable")),
    (0, b"\xce\xfa\xed\xfe", Plain, NotData("Mach-O executable")),
    (0, b"\xcf\xfa\xed\xfe", Plain, NotData("Mach-O executable")),
    (
        0,
        b"\xca\xfe\xba\xbe",
        Plain,
        NotData("Java class or Mach-O executable"),
    ),
    (0, b"\x00asm", Plain, NotData("WebAssembly module")),
    (0, b"dex\n0", Nul, NotData("Android executable (dex)")),
    (
        0,
        b"!<arch>\n",
        Nul,
        NotData("ar archive (library or Debian package)"),
    ),
    // Databases and data files.
    (
        0,
        b"SQLite format 3\x00",
        Plain,
        Magic::Records(Records::Sqlite),
    ),
    (
        4,
        b"Standard Jet DB\x00",
        Plain,
        NotRead("Microsoft Access database (.mdb)"),
    ),
    (
        4,
        b"Standard ACE DB\x00",
        Plain,
        NotRead("Microsoft Access database (.accdb)"),
    ),
    (
        0,
        &crate::formats::bson::ARCHIVE_MAGIC,
        Nul,
        Magic::Records(Records::Bson),
    ),
    (0, b"PAR1", Nul, NotRead("Apache Parquet file")),
    (0, b"Obj\x01", Plain, NotRead("Apache Avro file")),
    (0, b"ARROW1", Nul, NotRead("Apache Arrow/Feather file")),
    (0, b"\x89HDF\r\n\x1a\n", Plain, NotRead("HDF5 file")),
    (0, b"<stata_dta>", Plain, NotRead("Stata data file (.dta)")),
    (
        12,
        b"\xc2\xea\x81\x60\xb3\x14\x11\xcf\xbd\x92\x08\x00\x09\xc7\x31\x8c",
        Plain,
        NotRead("SAS data set (sas7bdat)"),
    ),
    (
        0,
        b"TAPE",
        Nul,
        NotRead("Microsoft Tape Format backup (SQL Server .bak)"),
    ),
    (0, b"!BDN", Nul, NotRead("Outlook data file (.pst/.ost)")),
    (0, b"%PDF-", Plain, Magic::Records(Records::Pdf)),
    (128, b"DICM", Nul, Magic::Records(Records::Dicom)),
    // Archives, compressed streams and disk images not opened.
    (
        0,
        b"MSCF\x00\x00\x00\x00",
        Plain,
        NotRead("Microsoft Cabinet archive"),
    ),
    (0, b"\x1f\x9d", Plain, NotRead("compress (.Z) stream")),
    (0, b"\x04\x22\x4d\x18", Plain, NotRead("LZ4 stream")),
    (0, b"LZIP\x01", Plain, NotRead("lzip stream")),
    (0, b"\x89LZO\x00", Plain, NotRead("lzop stream")),
    (0x8001, b"CD001", Nul, NotRead("ISO 9660 disk image")),
    (0, b"KDMV", Nul, NotRead("VMware disk image (VMDK)")),
    (0, b"vhdxfile", Nul, NotRead("Hyper-V disk image (VHDX)")),
    (0, b"conectix", Nul, NotRead("Virtual PC disk image (VHD)")),
    (0, b"QFI\xfb", Plain, NotRead("QEMU disk image (qcow2)")),
    (
        0,
        b"EVF\x09\x0d\x0a\xff\x00",
        Plain,
        NotRead("EnCase evidence file (E01)"),
    ),
    // Encrypted: read only with a key triage does not have.
    (0, b"Salted__", Nul, NotRead("OpenSSL-encrypted file")),
    (
        0,
        b"\x03\xd9\xa2\x9a\x67\xfb\x4b\xb5",
        Plain,
        NotRead("KeePass database (encrypted)"),
    ),
];

/// The first two bytes of the signatures at offset 0, one bit for each pair (every
/// signature is at least two bytes long): one byte alone left half of a text file's first
/// letters to the whole table (`v` starts `vhdxfile`).
const LEADS: [u64; 1024] = leads();

const fn leads() -> [u64; 1024] {
    let mut out = [0u64; 1024];
    let mut i = 0;
    while i < TABLE.len() {
        let m = TABLE[i].1;
        assert!(m.len() >= 2, "a signature of one byte");
        if TABLE[i].0 == 0 {
            let pair = ((m[0] as usize) << 8) | m[1] as usize;
            out[pair / 64] |= 1 << (pair % 64);
        }
        i += 1;
    }
    out
}

/// Whether a signature at offset 0 starts with `b`'s first two bytes.
fn may_lead(b: &[u8]) -> bool {
    let [x, y, ..] = *b else {
        return false;
    };
    let pair = (usize::from(x) << 8) | usize::from(y);
    LEADS[pair / 64] & (1 << (pair % 64)) != 0
}

/// The indexes of the signatures not at offset 0, in table order, and how many there are.
const FURTHER: ([usize; TABLE.len()], usize) = further();

const fn further() -> ([usize; TABLE.len()], usize) {
    let mut out = [0; TABLE.len()];
    let (mut i, mut n) = (0, 0);
    while i < TABLE.len() {
        if TABLE[i].0 != 0 {
            out[n] = i;
            n += 1;
        }
        i += 1;
    }
    (out, n)
}

/// What `b` (a file's first block, BOM removed) is, when its first bytes say so.
pub fn classify(b: &[u8], ext: &str) -> Option<Magic> {
    let nul = memchr::memchr(0, b).is_some();
    // The first byte alone first: nearly every signature fails there, without a call into
    // memcmp (the table's compares were a tenth of a small file's cost). A first byte no
    // signature at the start begins with (any letter of a text file but a few) leaves only
    // the signatures further in to try, in the table's order.
    let matches = |&&(at, m, guard, _): &&(usize, &[u8], Guard, Magic)| {
        b.get(at) == m.first() && b.get(at..at + m.len()) == Some(m) && (guard == Plain || nul)
    };
    let fixed = if may_lead(b) {
        TABLE.iter().find(matches)
    } else {
        FURTHER.0[..FURTHER.1]
            .iter()
            .map(|&i| &TABLE[i])
            .find(matches)
    };
    if let Some((_, _, _, what)) = fixed {
        return Some(*what);
    }
    if !nul {
        // Every check below but HL7's is of a format whose headers hold NUL bytes.
        return crate::formats::hl7::is_hl7(b).then_some(Magic::Records(Records::Hl7));
    }
    let checks: [(Check, Magic); 8] = [
        (is_windows_executable, NotData("Windows executable")),
        (is_riff_media, NotData("RIFF audio/video/image")),
        (is_pg_dump, Magic::Records(Records::PgDump)),
        (is_oracle_export, NotRead("Oracle export dump (exp)")),
        (is_dbf, Magic::Records(Records::Dbf)),
        (is_bson, Magic::Records(Records::Bson)),
        (is_dicom_without_preamble, Magic::Records(Records::Dicom)),
        (is_old_xls, NotRead("Excel 2.x–4.0 worksheet (BIFF2–4)")),
    ];
    checks.iter().find(|(check, _)| check(b, ext)).map(|c| c.1)
}

/// A worksheet of Excel 2.x to 4.0 (BIFF2–4): one stream of records, not a compound file,
/// so calamine (which reads BIFF5–8 inside OLE2) does not read it. Its first record is a BOF
/// (0x0009, 0x0209 or 0x0409) of the length its version gives, naming a sheet kind (globals,
/// worksheet, chart, macro sheet or BIFF4 workbook).
fn is_old_xls(b: &[u8], _: &str) -> bool {
    let (Some(id), Some(len), Some(kind)) = (u16_le(b, 0), u16_le(b, 2), u16_le(b, 6)) else {
        return false;
    };
    let len_ok = match id {
        0x0009 => len == 4,
        0x0209 | 0x0409 => len == 6,
        _ => false,
    };
    len_ok && matches!(kind, 0x0005 | 0x0006 | 0x0010 | 0x0020 | 0x0040 | 0x0100)
}

/// A check of the structure behind a signature: the first block and the extension.
type Check = fn(&[u8], &str) -> bool;

fn u16_le(b: &[u8], at: usize) -> Option<usize> {
    let x = b.get(at..at + 2)?;
    Some(usize::from(u16::from_le_bytes([x[0], x[1]])))
}

fn i32_le(b: &[u8], at: usize) -> Option<i64> {
    let x = b.get(at..at + 4)?;
    Some(i64::from(i32::from_le_bytes([x[0], x[1], x[2], x[3]])))
}

/// `MZ`, then (when the block holds it) the `PE\0\0` its header points to.
fn is_windows_executable(b: &[u8], _: &str) -> bool {
    if !b.starts_with(b"MZ") || b.len() < 64 {
        return false;
    }
    match i32_le(b, 0x3c).and_then(|at| usize::try_from(at).ok()) {
        Some(at) if at + 4 <= b.len() => &b[at..at + 4] == b"PE\x00\x00",
        // A DOS program, or a header past the first block.
        _ => true,
    }
}

/// WAVE, AVI and WebP are RIFF files: `RIFF`, a length, then the form type.
fn is_riff_media(b: &[u8], _: &str) -> bool {
    b.starts_with(b"RIFF")
        && matches!(
            b.get(8..12),
            Some(b"WAVE" | b"AVI " | b"WEBP" | b"RMID" | b"CDXA")
        )
}

/// `PGDMP`, then archive version 1.x (the major version byte is 1 in every pg_dump).
fn is_pg_dump(b: &[u8], _: &str) -> bool {
    b.starts_with(b"PGDMP") && b.get(5) == Some(&1)
}

/// Oracle's classic `exp` writes a control byte or two, then `EXPORT:V` and its version.
fn is_oracle_export(b: &[u8], _: &str) -> bool {
    b.first().is_some_and(|&c| c < 0x20)
        && memchr::memmem::find(&b[..b.len().min(16)], b"EXPORT:V").is_some()
}

/// A dBase III/IV/V, FoxPro or Visual FoxPro table: a version byte, a date, then field
/// descriptors ending in 0x0D whose lengths add up (with the deletion flag) to the record
/// length the header declares — or, named `.dbf`, that do not (a damaged table, which the
/// reader then names).
fn is_dbf(b: &[u8], ext: &str) -> bool {
    let versions = [
        0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8b, 0x8e, 0xcb, 0xf5, 0xfb,
    ];
    if b.len() < 65 || !versions.contains(&b[0]) {
        return false;
    }
    let (month, day) = (b[2], b[3]);
    if !((1..=12).contains(&month) && (1..=31).contains(&day) || (month, day) == (0, 0)) {
        return false;
    }
    let (Some(header_len), Some(record_len)) = (u16_le(b, 8), u16_le(b, 10)) else {
        return false;
    };
    let end = header_len.min(b.len());
    let (mut at, mut sum, mut fields) = (32, 1usize, 0);
    while at < end && b[at] != 0x0d {
        let Some(d) = b.get(at..at + 32) else {
            return false;
        };
        let name_len = d[..11].iter().position(|&c| c == 0).unwrap_or(11);
        let name_ok = name_len > 0 && d[..name_len].iter().all(|c| c.is_ascii_graphic());
        if !name_ok || !b"CNFLDMBGPYTIV@O+0WQ".contains(&d[11]) {
            return false;
        }
        // Clipper and FoxPro keep a long character field's high length byte in the
        // decimal-count byte.
        let len = if d[11] == b'C' {
            usize::from(d[16]) | usize::from(d[17]) << 8
        } else {
            usize::from(d[16])
        };
        sum += len;
        fields += 1;
        at += 32;
    }
    fields > 0
        && at < end
        && b[at] == 0x0d
        && header_len > at
        && (sum == record_len || ext == "dbf")
}

/// A DICOM file without its 128-byte preamble and `DICM` (older writers, and data sets as
/// stored by some archives): a first element in group 0002 (file meta) or 0008 (identifying)
/// with an explicit VR and a length that fits; or, named `.dcm`, a first tag in those groups
/// (implicit VR, whose header has no VR to check).
fn is_dicom_without_preamble(b: &[u8], ext: &str) -> bool {
    let (Some(group), Some(element)) = (u16_le(b, 0), u16_le(b, 2)) else {
        return false;
    };
    if group != 0x0002 && group != 0x0008 {
        return false;
    }
    let explicit = b.get(4..6).is_some_and(|vr| {
        vr.iter().all(u8::is_ascii_uppercase)
            && [
                &b"UL"[..],
                b"OB",
                b"UI",
                b"CS",
                b"SH",
                b"LO",
                b"DA",
                b"TM",
                b"AE",
                b"SQ",
            ]
            .contains(&vr)
    });
    let fits = u16_le(b, 6).is_some_and(|len| len <= 1024);
    (explicit && fits && element <= 0x0100) || (ext == "dcm" && element <= 0x0100)
}

/// The largest document MongoDB stores, with room for a dump's own framing.
const BSON_MAX: i64 = 16 * 1024 * 1024 + 16 * 1024;

/// A sequence of BSON documents (`mongodump`): the first document's length fits, its
/// elements have valid types, names and sizes, and it ends with its NUL byte where the length
/// says; the next one's length is plausible too. Without a `.bson` extension the first
/// document must lie whole in the block and hold an element.
fn is_bson(b: &[u8], ext: &str) -> bool {
    let Some(len) = i32_le(b, 0) else {
        return false;
    };
    if !(5..=BSON_MAX).contains(&len) {
        return false;
    }
    let len = len as usize;
    let whole = len <= b.len();
    if !whole && ext != "bson" {
        return false;
    }
    let Some(elements) = bson_elements(&b[..len.min(b.len())], len) else {
        return false;
    };
    if elements == 0 && ext != "bson" {
        return false;
    }
    match i32_le(b, len) {
        Some(next) if whole => (5..=BSON_MAX).contains(&next),
        _ => true,
    }
}

/// Walks the elements of one document of `len` bytes (of which `b` holds the first part):
/// their count, or `None` when one is not BSON. Nested documents are stepped over by their
/// length, so the walk is linear and never recursive.
fn bson_elements(b: &[u8], len: usize) -> Option<usize> {
    let mut at = 4;
    let mut n = 0;
    while at < b.len() {
        let t = b[at];
        if t == 0 {
            return (at == len - 1).then_some(n);
        }
        let name_end = at + 1 + memchr::memchr(0, &b[at + 1..])?;
        let name = std::str::from_utf8(&b[at + 1..name_end]).ok()?;
        if name.chars().any(char::is_control) {
            return None;
        }
        let v = name_end + 1;
        let size = match bson_value_size(t, b, v) {
            Some(s) => s,
            // Past the end of the block: what was seen is BSON.
            None if v + 4 > b.len() && len > b.len() => return Some(n + 1),
            None => return None,
        };
        n += 1;
        at = v.checked_add(size)?;
        if at >= len {
            return None;
        }
    }
    // The document goes on past the block.
    (len > b.len()).then_some(n)
}

/// The size of a value of type `t` at `v`; `None` for an unknown type or an impossible size.
fn bson_value_size(t: u8, b: &[u8], v: usize) -> Option<usize> {
    let length = |at: usize, min: i64| -> Option<usize> {
        let n = i32_le(b, at)?;
        (min..=BSON_MAX).contains(&n).then_some(n as usize)
    };
    Some(match t {
        0x01 | 0x09 | 0x11 | 0x12 => 8,
        0x02 | 0x0d | 0x0e => 4 + length(v, 1)?,
        0x03 | 0x04 => length(v, 5)?,
        0x05 => 5 + length(v, 0)?,
        0x06 | 0x0a | 0x7f | 0xff => 0,
        0x07 => 12,
        0x08 => {
            if b.get(v).is_some_and(|&x| x > 1) {
                return None;
            }
            1
        }
        0x0b => {
            let first = memchr::memchr(0, b.get(v..)?)? + 1;
            first + memchr::memchr(0, b.get(v + first..)?)? + 1
        }
        0x0c => 4 + length(v, 1)? + 12,
        0x0f => length(v, 14)?,
        0x10 => 4,
        0x13 => 16,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first table match, tried in full: what the first-byte shortcut must give.
    fn by_whole_table(b: &[u8]) -> Option<Magic> {
        let nul = b.contains(&0);
        TABLE
            .iter()
            .find(|(at, m, guard, _)| {
                b.get(*at..*at + m.len()) == Some(*m) && (*guard == Plain || nul)
            })
            .map(|e| e.3)
    }

    #[test]
    fn the_first_byte_shortcut_finds_what_the_whole_table_finds() {
        let mut heads: Vec<Vec<u8>> = vec![
            b"visit 1 ok\n".to_vec(),
            b"vhdxfile".to_vec(),
            b"v".to_vec(),
            b"\x1f".to_vec(),
            b"\x1f\x9d".to_vec(),
        ];
        for (at, m, _, _) in TABLE {
            for nul in [false, true] {
                let mut h = vec![b'v'; *at];
                h.extend_from_slice(m);
                h.extend_from_slice(if nul { b"\x00x" } else { b"xy" });
                heads.push(h);
            }
        }
        for h in &heads {
            let want = by_whole_table(h);
            if want.is_some() {
                assert_eq!(classify(h, ""), want, "{h:?}");
            } else {
                // Not in the table: whatever the checks behind it say, never a table entry.
                assert!(
                    classify(h, "")
                        .is_none_or(|m| !TABLE.iter().any(|e| e.3 == m) || h.contains(&0)),
                    "{h:?}"
                );
            }
        }
    }

    fn with_nul(head: &[u8]) -> Vec<u8> {
        let mut v = head.to_vec();
        v.extend_from_slice(&[0, 1, 2, 3]);
        v
    }

    #[test]
    fn media_and_executables_are_not_data() {
        for (head, name) in [
            (&b"\x89PNG\r\n\x1a\nrest"[..], "PNG image"),
            (b"\xff\xd8\xff\xe0", "JPEG image"),
            (b"\x7fELF\x02\x01", "ELF executable"),
            (b"\xcf\xfa\xed\xfe\x07", "Mach-O executable"),
            (b"\x00asm\x01\x00", "WebAssembly module"),
        ] {
            assert_eq!(classify(head, ""), Some(NotData(name)), "{name}");
        }
        assert_eq!(
            classify(&with_nul(b"GIF89a\x01\x00"), "gif"),
            Some(NotData("GIF image"))
        );
        let mut wav = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
        wav.extend_from_slice(&[0; 8]);
        assert_eq!(classify(&wav, ""), Some(NotData("RIFF audio/video/image")));
        let mut mp4 = b"\x00\x00\x00\x20ftypisom".to_vec();
        mp4.extend_from_slice(&[0; 8]);
        assert_eq!(
            classify(&mp4, "mp4"),
            Some(NotData("MP4/QuickTime/HEIF media"))
        );
    }

    #[test]
    fn old_excel_worksheets_are_named_by_their_bof() {
        let old = Some(NotRead("Excel 2.x–4.0 worksheet (BIFF2–4)"));
        // BIFF2: BOF, version 2, worksheet; then a LABEL record.
        let biff2 =
            b"\x09\x00\x04\x00\x02\x00\x10\x00\x04\x02\x0b\x00\x00\x00\x00\x00\x00\x00\x03NIK";
        assert_eq!(classify(biff2, "xls"), old);
        let biff4 = b"\x09\x04\x06\x00\x00\x00\x10\x00\x00\x00\x00\x00";
        assert_eq!(classify(biff4, "xls"), old);
        // A BOF of the wrong length, or of no sheet kind, is something else.
        assert_eq!(classify(b"\x09\x04\x08\x00\x00\x00\x10\x00\x00", ""), None);
        assert_eq!(classify(b"\x09\x00\x04\x00\x02\x00\x77\x00\x00", ""), None);
    }

    #[test]
    fn a_windows_executable_needs_its_pe_header() {
        let mut pe = vec![0u8; 256];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x80;
        pe[0x80..0x84].copy_from_slice(b"PE\x00\x00");
        assert_eq!(classify(&pe, "exe"), Some(NotData("Windows executable")));
        pe[0x80] = b'X';
        assert_eq!(classify(&pe, "exe"), None);
        // Text that starts with "MZ" is text.
        assert_eq!(classify(b"MZ Hospital,nik,hp\nBudi,1,2\n", "csv"), None);
    }

    #[test]
    fn printable_magics_need_a_nul_byte() {
        assert_eq!(classify(b"GIF89a is a format\n", "txt"), None);
        assert_eq!(classify(b"PAR1,nik\n", "csv"), None);
        assert_eq!(
            classify(&with_nul(b"PAR1\x15\x04"), ""),
            Some(NotRead("Apache Parquet file"))
        );
        assert_eq!(
            classify(&with_nul(b"Salted__\x8a"), "enc"),
            Some(NotRead("OpenSSL-encrypted file"))
        );
    }

    #[test]
    fn pdf_sqlite_access_and_archives_are_not_read_yet() {
        assert_eq!(
            classify(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "pdf"),
            Some(Magic::Records(Records::Pdf))
        );
        assert_eq!(
            classify(b"SQLite format 3\x00\x10\x00", "db"),
            Some(Magic::Records(Records::Sqlite))
        );
        let mut mdb = b"\x00\x01\x00\x00Standard Jet DB\x00".to_vec();
        mdb.extend_from_slice(&[0; 16]);
        assert_eq!(
            classify(&mdb, "mdb"),
            Some(NotRead("Microsoft Access database (.mdb)"))
        );
        mdb[4..19].copy_from_slice(b"Standard ACE DB");
        assert_eq!(
            classify(&mdb, "accdb"),
            Some(NotRead("Microsoft Access database (.accdb)"))
        );
    }

    #[test]
    fn dicom_is_dicm_at_128() {
        let mut dcm = vec![0u8; 128];
        dcm.extend_from_slice(b"DICM\x02\x00\x00\x00UL");
        let want = Some(Magic::Records(Records::Dicom));
        assert_eq!(classify(&dcm, "dcm"), want);
        dcm[128] = b'X';
        assert_eq!(classify(&dcm, "img"), None);
        // Without the preamble: a first explicit-VR element of group 0002 or 0008, or `.dcm`.
        let meta = b"\x02\x00\x10\x00UI\x14\x001.2.840.10008.1.2.1\x00";
        assert_eq!(classify(meta, ""), want);
        let implicit = b"\x08\x00\x05\x00\x0a\x00\x00\x00ISO_IR 100";
        assert_eq!(classify(implicit, "dcm"), want);
        assert_eq!(classify(implicit, "bin"), None);
        assert_eq!(classify(b"\x02\x00\x10\x00ZZ\x14\x00", ""), None);
    }

    #[test]
    fn pg_dump_needs_its_version_byte() {
        assert_eq!(
            classify(b"PGDMP\x01\x0e\x00\x04\x08\x01\x01", "dump"),
            Some(Magic::Records(Records::PgDump))
        );
        assert_eq!(classify(b"PGDMP is a word\x00", "txt"), None);
    }

    /// A DBF header with fields `(name, type, length)`; `record_len` as declared.
    pub(crate) fn dbf(fields: &[(&str, u8, u8)], record_len: u16) -> Vec<u8> {
        let header_len = 32 + 32 * fields.len() + 1;
        let mut h = vec![0u8; 32];
        h[0] = 0x03;
        h[1..4].copy_from_slice(&[124, 5, 17]);
        h[4..8].copy_from_slice(&1u32.to_le_bytes());
        h[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
        h[10..12].copy_from_slice(&record_len.to_le_bytes());
        for (name, t, len) in fields {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name.as_bytes());
            d[11] = *t;
            d[16] = *len;
            h.extend_from_slice(&d);
        }
        h.push(0x0d);
        h.extend_from_slice(b" 3171014101900001Budi      \x1a");
        h
    }

    #[test]
    fn dbf_by_its_descriptors() {
        let fields = [("NIK", b'C', 16), ("NAMA", b'C', 10)];
        assert_eq!(
            classify(&dbf(&fields, 27), "dbf"),
            Some(Magic::Records(Records::Dbf))
        );
        // The record length does not add up: a DBF only by its extension (the reader then
        // says what is wrong); a type byte unknown: not a DBF.
        assert_eq!(classify(&dbf(&fields, 30), "dat"), None);
        assert_eq!(
            classify(&dbf(&fields, 30), "dbf"),
            Some(Magic::Records(Records::Dbf))
        );
        assert_eq!(classify(&dbf(&[("NIK", b'Z', 16)], 17), "dbf"), None);
    }

    /// A BSON document of string elements.
    pub(crate) fn bson(pairs: &[(&str, &str)]) -> Vec<u8> {
        let mut body = Vec::new();
        for (k, v) in pairs {
            body.push(0x02);
            body.extend_from_slice(k.as_bytes());
            body.push(0);
            body.extend_from_slice(&(v.len() as i32 + 1).to_le_bytes());
            body.extend_from_slice(v.as_bytes());
            body.push(0);
        }
        let mut d = ((body.len() + 5) as i32).to_le_bytes().to_vec();
        d.extend(body);
        d.push(0);
        d
    }

    #[test]
    fn bson_by_its_structure() {
        let mut dump = bson(&[("nik", "3171014101900001"), ("nama", "Budi")]);
        dump.extend(bson(&[("nik", "3171014101900002")]));
        let want = Some(Magic::Records(Records::Bson));
        assert_eq!(classify(&dump, "bson"), want);
        assert_eq!(classify(&dump, ""), want, "by structure, not by extension");
        // A length that does not end on the document's NUL, a bad type, a bad next length.
        let mut off = dump.clone();
        off[0] += 1;
        assert_eq!(classify(&off, "bson"), None);
        let mut bad_type = dump.clone();
        bad_type[4] = 0x42;
        assert_eq!(classify(&bad_type, "bson"), None);
        let first = bson(&[("nik", "1")]);
        let mut bad_next = first.clone();
        bad_next.extend_from_slice(&[0xff, 0xff, 0xff, 0x7f, 0]);
        assert_eq!(classify(&bad_next, ""), None);
        // Long enough to pass the block: accepted with the extension only.
        let big = bson(&[("photo", &"A".repeat(70_000))]);
        assert_eq!(classify(&big[..65_536], "bson"), want);
        assert_eq!(classify(&big[..65_536], ""), None);
        // An empty document alone is too little to go on without the extension.
        assert_eq!(classify(b"\x05\x00\x00\x00\x00", ""), None);
    }

    #[test]
    fn every_signature_is_found_at_its_offset() {
        for (at, m, _, what) in TABLE {
            let mut b = vec![0x01u8; *at];
            b.extend_from_slice(m);
            b.extend_from_slice(&[0, 0, 0, 0]);
            assert_eq!(classify(&b, ""), Some(*what), "{what:?}");
            // One byte off, it is no longer that format.
            let mut off = b.clone();
            off[*at] ^= 0x40;
            assert_ne!(classify(&off, ""), Some(*what), "{what:?}");
        }
        assert_eq!(
            classify(b"\x03\x03iEXPORT:V11.02.00\nDSYSTEM\n\x00", "dmp"),
            Some(NotRead("Oracle export dump (exp)"))
        );
    }

    #[test]
    fn random_bytes_are_rarely_a_format() {
        let mut x = 7u64;
        let mut hits = 0;
        for _ in 0..2000 {
            let b: Vec<u8> = (0..4096)
                .map(|_| crate::testing::xorshift(&mut x) as u8)
                .collect();
            hits += usize::from(classify(&b, "").is_some());
        }
        // Only signatures of one or two bytes (JPEG's three, `\x1f\x9d`) may match by chance.
        assert!(hits < 5, "{hits}");
    }
}
