//! DICOM headers (PS3.10 files and DICOMDIRs), as a radiology leak is made of: the data set's
//! elements are walked one by one from the stream and every element with a string VR is
//! handed over, named by its keyword (a small table of the patient, study and directory
//! keywords; any other tag as `(gggg,eeee)`), also inside sequences. One record per file; in
//! a DICOMDIR one record per directory record (SPEC §3, §4). The walk stops at the top-level
//! Pixel Data element (7FE0,0010): image bytes are never read.
//!
//! A small parser of PS3.5's data-set encoding rather than the dicom-rs crates: it reads from
//! a stream, never allocates a declared length (a value is read as it arrives, and string
//! values are capped at [`MAX_VALUE`]), nests sequences on an explicit stack of bounded depth,
//! and so is linear and bounded on any input. It reads files with or without the 128-byte
//! preamble and `DICM`, implicit and explicit VR little endian, deflated explicit VR and
//! explicit VR big endian; encapsulated (compressed) pixel data is a top-level Pixel Data
//! element too, so it is never read either. Values are handed over as bytes; the character
//! set (0008,0005) is not applied. Imports the packer and flate2.

use crate::bytes::read_up_to;
use std::io::{self, Cursor, Read};

use flate2::read::DeflateDecoder;

use crate::formats::packed::{Budget, Packer, Stop};

const PIXEL_DATA: u32 = 0x7FE0_0010;
const ITEM: u32 = 0xFFFE_E000;
const ITEM_END: u32 = 0xFFFE_E00D;
const SEQUENCE_END: u32 = 0xFFFE_E0DD;
/// A DICOMDIR's Directory Record Sequence: each item is a record of its own.
const DIRECTORY_RECORDS: u32 = 0x0004_1220;
const TRANSFER_SYNTAX: u32 = 0x0002_0010;
const UNDEFINED: u32 = u32::MAX;

/// Sequences nested deeper than this are damage (real headers nest two or three).
const MAX_DEPTH: usize = 32;
/// The longest string value read; the rest of a longer one is stepped over and counted cut.
pub const MAX_VALUE: usize = 1 << 20;
/// The most string bytes one record may hand over: a header is kilobytes.
const MAX_TEXT: usize = 8 << 20;

/// The VRs whose values are text.
const STRING_VRS: &[&[u8; 2]] = &[
    b"AE", b"AS", b"CS", b"DA", b"DS", b"DT", b"IS", b"LO", b"LT", b"PN", b"SH", b"ST", b"TM",
    b"UC", b"UI", b"UR", b"UT",
];
/// Explicit VRs with a 2-byte reserved field and a 4-byte length.
const LONG_VRS: &[&[u8; 2]] = &[
    b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT", b"UV",
];
/// Every VR of PS3.5 (an explicit VR outside this list is damage).
const ALL_VRS: &[&[u8; 2]] = &[
    b"AE", b"AS", b"AT", b"CS", b"DA", b"DS", b"DT", b"FD", b"FL", b"IS", b"LO", b"LT", b"OB",
    b"OD", b"OF", b"OL", b"OV", b"OW", b"PN", b"SH", b"SL", b"SQ", b"SS", b"ST", b"SV", b"TM",
    b"UC", b"UI", b"UL", b"UN", b"UR", b"US", b"UT", b"UV",
];
/// Text VRs that hold one value, backslashes included; the others split on `\`.
const SINGLE_VALUED: &[&[u8; 2]] = &[b"LT", b"ST", b"UT", b"UR"];

/// (tag, keyword, VR): the tags named by keyword, and their VR for implicit-VR files.
#[rustfmt::skip]
const KEYWORDS: &[(u32, &str, &[u8; 2])] = &[
    (0x0002_0002, "MediaStorageSOPClassUID", b"UI"),
    (0x0002_0003, "MediaStorageSOPInstanceUID", b"UI"),
    (0x0002_0010, "TransferSyntaxUID", b"UI"),
    (0x0002_0012, "ImplementationClassUID", b"UI"),
    (0x0002_0013, "ImplementationVersionName", b"SH"),
    (0x0002_0016, "SourceApplicationEntityTitle", b"AE"),
    (0x0004_1130, "FileSetID", b"CS"),
    (0x0004_1220, "DirectoryRecordSequence", b"SQ"),
    (0x0004_1430, "DirectoryRecordType", b"CS"),
    (0x0004_1500, "ReferencedFileID", b"CS"),
    (0x0004_1510, "ReferencedSOPClassUIDInFile", b"UI"),
    (0x0004_1511, "ReferencedSOPInstanceUIDInFile", b"UI"),
    (0x0008_0005, "SpecificCharacterSet", b"CS"),
    (0x0008_0008, "ImageType", b"CS"),
    (0x0008_0016, "SOPClassUID", b"UI"),
    (0x0008_0018, "SOPInstanceUID", b"UI"),
    (0x0008_0020, "StudyDate", b"DA"),
    (0x0008_0021, "SeriesDate", b"DA"),
    (0x0008_0022, "AcquisitionDate", b"DA"),
    (0x0008_0023, "ContentDate", b"DA"),
    (0x0008_0030, "StudyTime", b"TM"),
    (0x0008_0050, "AccessionNumber", b"SH"),
    (0x0008_0060, "Modality", b"CS"),
    (0x0008_0070, "Manufacturer", b"LO"),
    (0x0008_0080, "InstitutionName", b"LO"),
    (0x0008_0081, "InstitutionAddress", b"ST"),
    (0x0008_0090, "ReferringPhysicianName", b"PN"),
    (0x0008_0092, "ReferringPhysicianAddress", b"ST"),
    (0x0008_0094, "ReferringPhysicianTelephoneNumbers", b"SH"),
    (0x0008_1010, "StationName", b"SH"),
    (0x0008_1030, "StudyDescription", b"LO"),
    (0x0008_103E, "SeriesDescription", b"LO"),
    (0x0008_1040, "InstitutionalDepartmentName", b"LO"),
    (0x0008_1048, "PhysiciansOfRecord", b"PN"),
    (0x0008_1050, "PerformingPhysicianName", b"PN"),
    (0x0008_1060, "NameOfPhysiciansReadingStudy", b"PN"),
    (0x0008_1070, "OperatorsName", b"PN"),
    (0x0008_1110, "ReferencedStudySequence", b"SQ"),
    (0x0008_1140, "ReferencedImageSequence", b"SQ"),
    (0x0008_1150, "ReferencedSOPClassUID", b"UI"),
    (0x0008_1155, "ReferencedSOPInstanceUID", b"UI"),
    (0x0010_0010, "PatientName", b"PN"),
    (0x0010_0020, "PatientID", b"LO"),
    (0x0010_0021, "IssuerOfPatientID", b"LO"),
    (0x0010_0022, "TypeOfPatientID", b"CS"),
    (0x0010_0030, "PatientBirthDate", b"DA"),
    (0x0010_0032, "PatientBirthTime", b"TM"),
    (0x0010_0040, "PatientSex", b"CS"),
    (0x0010_0050, "PatientInsurancePlanCodeSequence", b"SQ"),
    (0x0010_1000, "OtherPatientIDs", b"LO"),
    (0x0010_1001, "OtherPatientNames", b"PN"),
    (0x0010_1002, "OtherPatientIDsSequence", b"SQ"),
    (0x0010_1005, "PatientBirthName", b"PN"),
    (0x0010_1010, "PatientAge", b"AS"),
    (0x0010_1020, "PatientSize", b"DS"),
    (0x0010_1030, "PatientWeight", b"DS"),
    (0x0010_1040, "PatientAddress", b"LO"),
    (0x0010_1050, "InsurancePlanIdentification", b"LO"),
    (0x0010_1060, "PatientMotherBirthName", b"PN"),
    (0x0010_2154, "PatientTelephoneNumbers", b"SH"),
    (0x0010_2155, "PatientTelecomInformation", b"LT"),
    (0x0010_2160, "EthnicGroup", b"SH"),
    (0x0010_2180, "Occupation", b"SH"),
    (0x0010_21B0, "AdditionalPatientHistory", b"LT"),
    (0x0010_4000, "PatientComments", b"LT"),
    (0x0018_0015, "BodyPartExamined", b"CS"),
    (0x0020_000D, "StudyInstanceUID", b"UI"),
    (0x0020_000E, "SeriesInstanceUID", b"UI"),
    (0x0020_0010, "StudyID", b"SH"),
    (0x0020_0011, "SeriesNumber", b"IS"),
    (0x0020_0013, "InstanceNumber", b"IS"),
    (0x0028_0002, "SamplesPerPixel", b"US"),
    (0x0028_0004, "PhotometricInterpretation", b"CS"),
    (0x0028_0010, "Rows", b"US"),
    (0x0028_0011, "Columns", b"US"),
    (0x0028_0100, "BitsAllocated", b"US"),
    (0x0032_1032, "RequestingPhysician", b"PN"),
    (0x0032_1060, "RequestedProcedureDescription", b"LO"),
    (0x0038_0010, "AdmissionID", b"LO"),
    (0x0040_0244, "PerformedProcedureStepStartDate", b"DA"),
    (0x0088_0200, "IconImageSequence", b"SQ"),
    (0x7FE0_0010, "PixelData", b"OW"),
];

fn keyword(tag: u32) -> Option<(&'static str, &'static [u8; 2])> {
    KEYWORDS
        .binary_search_by_key(&tag, |k| k.0)
        .ok()
        .map(|i| (KEYWORDS[i].1, KEYWORDS[i].2))
}

/// Reads one DICOM file's header from `r` into `out`.
pub fn read(r: &mut dyn Read, budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let mut head = [0u8; 132];
    let n = read_up_to(r, &mut head).map_err(|e| damaged("preamble", &e))?;
    let input: Box<dyn Read + '_> = if n == 132 && &head[128..] == b"DICM" {
        Box::new(r)
    } else {
        Box::new(Cursor::new(head[..n].to_vec()).chain(r))
    };
    let mut walk = Walk::new(input, (MAX_VALUE).min(budget.max_record.saturating_add(1)));
    let syntax = walk.meta(out)?;
    walk.data_set(syntax.as_deref(), budget)?;
    walk.elements(out)
}

/// How the data set after the file meta group is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Encoding {
    explicit: bool,
    little: bool,
}

const META: Encoding = Encoding {
    explicit: true,
    little: true,
};

/// A sequence or an item being walked: where it ends (`None`: at its delimiter).
#[derive(Debug)]
enum Frame {
    Sequence {
        end: Option<u64>,
        /// Encapsulated fragments (an undefined-length OB/OW): items are stepped over.
        fragments: bool,
        /// The encoding outside, restored at its end (an undefined-length UN is implicit VR).
        outer: Encoding,
        directory: bool,
    },
    Item {
        end: Option<u64>,
        /// A DICOMDIR's directory record: a record of its own.
        record: bool,
    },
}

impl Frame {
    fn end(&self) -> Option<u64> {
        match self {
            Frame::Sequence { end, .. } | Frame::Item { end, .. } => *end,
        }
    }
}

/// One element's header.
struct Element {
    tag: u32,
    vr: Option<[u8; 2]>,
    len: u32,
}

/// The walk over one file's elements.
struct Walk<'r> {
    input: Box<dyn Read + 'r>,
    /// Bytes consumed since the input was last replaced (the data set's offsets).
    at: u64,
    enc: Encoding,
    stack: Vec<Frame>,
    value: Vec<u8>,
    max_value: usize,
    /// String bytes handed over in the current record.
    text: usize,
}

impl<'r> Walk<'r> {
    fn new(input: Box<dyn Read + 'r>, max_value: usize) -> Self {
        Walk {
            input,
            at: 0,
            enc: META,
            stack: Vec::new(),
            value: Vec::new(),
            max_value,
            text: 0,
        }
    }

    /// The file meta group (0002,xxxx), always explicit VR little endian: its string elements
    /// are handed over; its Transfer Syntax UID is returned. Stops before the first element
    /// of another group, which is left unread.
    fn meta(&mut self, out: &mut Packer) -> Result<Option<Vec<u8>>, Stop> {
        let mut syntax = None;
        loop {
            let mut first = [0u8; 2];
            let n = read_up_to(&mut self.input, &mut first).map_err(|e| damaged("meta", &e))?;
            if n < 2 || u16::from_le_bytes(first) != 0x0002 {
                self.unread(first[..n].to_vec());
                return Ok(syntax);
            }
            self.unread(first.to_vec());
            let Some(e) = self.header()? else {
                return Ok(syntax);
            };
            if e.tag == TRANSFER_SYNTAX {
                self.string_value(e.len)?;
                syntax = Some(trim(&self.value).to_vec());
                self.emit(&e, out)?;
            } else {
                self.element(e, out)?;
            }
        }
    }

    /// Sets the data set's encoding from the transfer syntax (or, without one, from whether
    /// its first element has an explicit VR), inflating a deflated data set.
    fn data_set(&mut self, syntax: Option<&[u8]>, budget: &Budget) -> Result<(), Stop> {
        let mut first = [0u8; 6];
        let n = read_up_to(&mut self.input, &mut first).map_err(|e| damaged("data set", &e))?;
        let looks_explicit = n == 6 && ALL_VRS.contains(&&[first[4], first[5]]);
        self.unread(first[..n].to_vec());
        self.at = 0;
        self.enc = match syntax {
            Some(b"1.2.840.10008.1.2") => Encoding {
                explicit: false,
                little: true,
            },
            Some(b"1.2.840.10008.1.2.2") => Encoding {
                explicit: true,
                little: false,
            },
            Some(_) => META,
            None => Encoding {
                explicit: looks_explicit,
                little: true,
            },
        };
        if syntax == Some(b"1.2.840.10008.1.2.1.99") {
            let raw = std::mem::replace(&mut self.input, Box::new(io::empty()));
            self.input = Box::new(DeflateDecoder::new(raw).take(budget.max_bytes));
        }
        Ok(())
    }

    /// Every element up to the top-level Pixel Data element or the end of the input.
    fn elements(&mut self, out: &mut Packer) -> Result<(), Stop> {
        loop {
            self.close_ended(out)?;
            let Some(e) = self.header()? else {
                return match self.stack.is_empty() {
                    true => Ok(()),
                    false => Err(self.cut("inside a sequence")),
                };
            };
            if e.tag == PIXEL_DATA && self.stack.is_empty() {
                return Ok(());
            }
            match e.tag {
                ITEM => self.item(e.len, out)?,
                ITEM_END => self.close(false, out)?,
                SEQUENCE_END => self.close(true, out)?,
                _ => self.element(e, out)?,
            }
        }
    }

    /// Pops every frame whose defined length ends here.
    fn close_ended(&mut self, out: &mut Packer) -> Result<(), Stop> {
        while let Some(end) = self.stack.last().and_then(Frame::end) {
            if self.at < end {
                return Ok(());
            }
            if self.at > end {
                return Err(self.bad("an element runs past the end of its sequence or item"));
            }
            self.pop(out);
        }
        Ok(())
    }

    fn pop(&mut self, out: &mut Packer) {
        match self.stack.pop() {
            Some(Frame::Sequence { outer, .. }) => self.enc = outer,
            Some(Frame::Item { record: true, .. }) => {
                out.end();
                self.text = 0;
            }
            _ => {}
        }
    }

    /// An item delimiter (`sequence` false) or a sequence delimiter: the undefined-length
    /// frame it ends.
    fn close(&mut self, sequence: bool, out: &mut Packer) -> Result<(), Stop> {
        match self.stack.last() {
            Some(Frame::Item { end: None, .. }) if !sequence => self.pop(out),
            Some(Frame::Sequence { end: None, .. }) if sequence => self.pop(out),
            _ => return Err(self.bad("a delimiter outside its sequence or item")),
        }
        Ok(())
    }

    /// An item: of a sequence, a frame; of encapsulated fragments, stepped over.
    fn item(&mut self, len: u32, out: &mut Packer) -> Result<(), Stop> {
        let (fragments, directory) = match self.stack.last() {
            Some(Frame::Sequence {
                fragments,
                directory,
                ..
            }) => (*fragments, *directory),
            _ => return Err(self.bad("an item outside a sequence")),
        };
        if fragments {
            return self.skip(len);
        }
        let record = directory && self.stack.len() == 1;
        if record {
            out.end();
            self.text = 0;
        }
        self.push(Frame::Item {
            end: self.end_of(len)?,
            record,
        })
    }

    /// A data element: a sequence opens a frame, a string is handed over, anything else is
    /// stepped over.
    fn element(&mut self, e: Element, out: &mut Packer) -> Result<(), Stop> {
        if matches!(self.stack.last(), Some(Frame::Sequence { .. })) {
            return Err(self.bad("an element in a sequence outside an item"));
        }
        let vr = e.vr.or_else(|| keyword(e.tag).map(|k| *k.1));
        let undefined = e.len == UNDEFINED;
        match vr.as_ref() {
            Some(b"SQ") => self.sequence(&e, false, self.enc),
            Some(b"UN") | None if undefined => {
                // PS3.5 §6.2.2: an undefined-length UN is a sequence in implicit VR.
                let inner = Encoding {
                    explicit: false,
                    little: true,
                };
                self.sequence(&e, false, inner)
            }
            Some(b"OB" | b"OW") if undefined => self.sequence(&e, true, self.enc),
            _ if undefined => {
                Err(self.bad("an undefined length on an element that is no sequence"))
            }
            Some(vr) if STRING_VRS.contains(&vr) => {
                self.string_value(e.len)?;
                self.emit(&e, out)
            }
            None if e.tag & 0xFFFF != 0 && e.len as usize <= MAX_VALUE => {
                // An implicit-VR tag not in the table: text when it reads as text.
                self.string_value(e.len)?;
                match self
                    .value
                    .iter()
                    .all(|&b| b >= 0x20 || b"\t\r\n\0".contains(&b))
                {
                    true => self.emit(&e, out),
                    false => Ok(()),
                }
            }
            _ => self.skip(e.len),
        }
    }

    fn sequence(&mut self, e: &Element, fragments: bool, inner: Encoding) -> Result<(), Stop> {
        let end = self.end_of(e.len)?;
        let outer = self.enc;
        self.enc = inner;
        self.push(Frame::Sequence {
            end,
            fragments,
            outer,
            directory: e.tag == DIRECTORY_RECORDS,
        })
    }

    fn push(&mut self, f: Frame) -> Result<(), Stop> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.bad("sequences nested too deep"));
        }
        self.stack.push(f);
        Ok(())
    }

    /// Where a frame of `len` bytes starting here ends; it must lie within its parent.
    fn end_of(&self, len: u32) -> Result<Option<u64>, Stop> {
        if len == UNDEFINED {
            return Ok(None);
        }
        let end = self.at + u64::from(len);
        match self.stack.iter().rev().find_map(Frame::end) {
            Some(parent) if end > parent => {
                Err(self.bad("a sequence or item runs past the end of its parent"))
            }
            _ => Ok(Some(end)),
        }
    }

    /// The string value just read (`self.value`), one field per value, to `out`.
    fn emit(&mut self, e: &Element, out: &mut Packer) -> Result<(), Stop> {
        self.text += self.value.len();
        if self.text > MAX_TEXT {
            return Err(self.bad("a header holding over 8 MiB of text"));
        }
        let vr = e.vr.or_else(|| keyword(e.tag).map(|k| *k.1));
        let single = vr.is_some_and(|vr| SINGLE_VALUED.contains(&&vr));
        let named;
        let name = match keyword(e.tag) {
            Some((k, _)) => k,
            None => {
                named = format!("({:04X},{:04X})", e.tag >> 16, e.tag & 0xFFFF);
                named.as_str()
            }
        };
        let values = self.value.split(|&b| b == b'\\' && !single);
        for v in values.map(trim).filter(|v| !v.is_empty()) {
            out.field(name.as_bytes(), v);
        }
        Ok(())
    }

    /// Reads an element's header; `None` at a clean end of the input.
    fn header(&mut self) -> Result<Option<Element>, Stop> {
        let mut b = [0u8; 8];
        match self.fill(&mut b[..4])? {
            0 => return Ok(None),
            4 => {}
            _ => return Err(self.cut("in an element's tag")),
        }
        let tag = (u32::from(self.u16(&b[0..2])) << 16) | u32::from(self.u16(&b[2..4]));
        if tag >> 16 == 0xFFFE || !self.enc.explicit {
            self.exact(&mut b[4..8], "in an element's length")?;
            let len = self.u32(&b[4..8]);
            return Ok(Some(Element { tag, vr: None, len }));
        }
        self.exact(&mut b[4..8], "in an element's VR")?;
        let vr = [b[4], b[5]];
        if !ALL_VRS.contains(&&vr) {
            return Err(self.bad(&format!(
                "no VR at ({:04X},{:04X}) where explicit VR was expected",
                tag >> 16,
                tag & 0xFFFF
            )));
        }
        let len = if LONG_VRS.contains(&&vr) {
            self.exact(&mut b[4..8], "in an element's length")?;
            self.u32(&b[4..8])
        } else {
            u32::from(self.u16(&b[6..8]))
        };
        Ok(Some(Element {
            tag,
            vr: Some(vr),
            len,
        }))
    }

    /// Reads a string value of `len` bytes into `self.value`, at most `max_value` of them
    /// (the rest stepped over and the value counted as cut): read as it arrives, so a
    /// declared length is never allocated.
    fn string_value(&mut self, len: u32) -> Result<(), Stop> {
        self.value.clear();
        let keep = (len as usize).min(self.max_value) as u64;
        let got = (&mut self.input)
            .take(keep)
            .read_to_end(&mut self.value)
            .map_err(|e| damaged("a value", &e))?;
        self.at += got as u64;
        if (got as u64) < keep {
            return Err(self.cut("in a value"));
        }
        self.skip(len - keep as u32)
    }

    /// Steps over `len` bytes without keeping them.
    fn skip(&mut self, len: u32) -> Result<(), Stop> {
        let got = io::copy(&mut (&mut self.input).take(u64::from(len)), &mut io::sink())
            .map_err(|e| damaged("a value", &e))?;
        self.at += got;
        if got < u64::from(len) {
            return Err(self.cut("in a value"));
        }
        Ok(())
    }

    fn fill(&mut self, b: &mut [u8]) -> Result<usize, Stop> {
        let n = read_up_to(&mut self.input, b).map_err(|e| damaged("an element", &e))?;
        self.at += n as u64;
        Ok(n)
    }

    fn exact(&mut self, b: &mut [u8], what: &str) -> Result<(), Stop> {
        match self.fill(b)? == b.len() {
            true => Ok(()),
            false => Err(self.cut(what)),
        }
    }

    /// Puts bytes already read back in front of the input.
    fn unread(&mut self, bytes: Vec<u8>) {
        self.at -= bytes.len().min(self.at as usize) as u64;
        let rest = std::mem::replace(&mut self.input, Box::new(io::empty()));
        self.input = Box::new(Cursor::new(bytes).chain(rest));
    }

    fn u16(&self, b: &[u8]) -> u16 {
        match self.enc.little {
            true => u16::from_le_bytes([b[0], b[1]]),
            false => u16::from_be_bytes([b[0], b[1]]),
        }
    }

    fn u32(&self, b: &[u8]) -> u32 {
        let b = [b[0], b[1], b[2], b[3]];
        match self.enc.little {
            true => u32::from_le_bytes(b),
            false => u32::from_be_bytes(b),
        }
    }

    fn cut(&self, what: &str) -> Stop {
        Stop::Damaged(format!(
            "cut short {what} at byte {} of the data set",
            self.at
        ))
    }

    fn bad(&self, what: &str) -> Stop {
        Stop::Damaged(format!("{what} at byte {} of the data set", self.at))
    }
}

/// A value without its padding (DICOM pads to even lengths with a space or a NUL).
fn trim(v: &[u8]) -> &[u8] {
    let end = v
        .iter()
        .rposition(|&b| b != 0 && b != b' ')
        .map_or(0, |i| i + 1);
    v[..end].trim_ascii()
}

fn damaged(what: &str, e: &io::Error) -> Stop {
    Stop::Damaged(format!("read error in {what}: {e}"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::formats::packed::testing::{run, unpack};

    /// An explicit VR little endian element (short form).
    fn el(tag: u32, vr: &[u8; 2], v: &[u8]) -> Vec<u8> {
        let mut b = ((tag >> 16) as u16).to_le_bytes().to_vec();
        b.extend_from_slice(&(tag as u16).to_le_bytes());
        b.extend_from_slice(vr);
        if LONG_VRS.contains(&vr) {
            b.extend_from_slice(&[0, 0]);
            b.extend_from_slice(&(v.len() as u32).to_le_bytes());
        } else {
            b.extend_from_slice(&(v.len() as u16).to_le_bytes());
        }
        b.extend_from_slice(v);
        b
    }

    /// The fields each record holds, as `name=value`.
    fn fields(b: &[u8]) -> (Vec<Vec<String>>, Result<(), Stop>) {
        let (chunks, result) = run(1 << 30, |budget, p| read(&mut &b[..], budget, p));
        (unpack(&chunks), result)
    }

    fn file(data: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 128];
        b.extend_from_slice(b"DICM");
        b.extend(el(TRANSFER_SYNTAX, b"UI", b"1.2.840.10008.1.2.1\0"));
        b.extend_from_slice(data);
        b
    }

    #[test]
    fn keywords_are_sorted_for_the_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn strings_are_named_split_and_trimmed_and_binaries_left_out() {
        let mut seq = el(0x0010_1002, b"SQ", &[]);
        let item = [
            el(0x0010_0020, b"LO", b"3171014101900001"),
            el(0x0010_0021, b"LO", b"DUKCAPIL"),
        ]
        .concat();
        let mut wrapped = vec![0xFE, 0xFF, 0x00, 0xE0];
        wrapped.extend_from_slice(&(item.len() as u32).to_le_bytes());
        wrapped.extend(item);
        seq.truncate(seq.len() - 4);
        seq.extend_from_slice(&(wrapped.len() as u32).to_le_bytes());
        seq.extend(wrapped);
        let data = [
            el(0x0010_0010, b"PN", b"SANTOSO^BUDI"),
            el(0x0010_2154, b"SH", b"0812\\0813 "),
            el(0x0028_0010, b"US", &[0, 2]),
            el(0x0011_1001, b"LT", b"a\\b"),
            seq,
            el(0x7FE0_0010, b"OW", &[1, 2, 3, 4]),
            el(0x0010_0020, b"LO", b"after the pixels"),
        ]
        .concat();
        let (rows, result) = fields(&file(&data));
        assert_eq!(result, Ok(()));
        assert_eq!(
            rows,
            [[
                "TransferSyntaxUID=1.2.840.10008.1.2.1",
                "PatientName=SANTOSO^BUDI",
                "PatientTelephoneNumbers=0812",
                "PatientTelephoneNumbers=0813",
                "(0011,1001)=a\\b",
                "PatientID=3171014101900001",
                "IssuerOfPatientID=DUKCAPIL",
            ]]
        );
    }

    #[test]
    fn every_cut_ends_in_a_reason_or_the_records_before_it() {
        let data = [
            el(0x0010_0010, b"PN", b"SANTOSO^BUDI"),
            el(0x0010_0020, b"LO", b"3171014101900001"),
        ]
        .concat();
        let b = file(&data);
        for cut in 0..b.len() {
            let (_, result) = fields(&b[..cut]);
            // Whole up to the meta group's or the first element's end.
            if cut > 132 && ![160, 180, b.len()].contains(&cut) {
                assert!(matches!(result, Err(Stop::Damaged(_))), "{cut}");
            }
        }
        // A declared length past the input is read as far as the input goes, not allocated.
        let mut huge = file(&[]);
        huge.extend_from_slice(b"\x10\x00\x00\x40UT\x00\x00\xfe\xff\xff\xffabc");
        let (_, result) = fields(&huge);
        assert!(matches!(result, Err(Stop::Damaged(w)) if w.starts_with("cut short in a value")));
    }

    #[test]
    fn a_deflated_data_set_is_inflated() {
        use std::io::Write;
        let data = el(0x0010_0020, b"LO", b"3171014101900001");
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&data).unwrap();
        let mut b = vec![0u8; 128];
        b.extend_from_slice(b"DICM");
        b.extend(el(TRANSFER_SYNTAX, b"UI", b"1.2.840.10008.1.2.1.99\0"));
        b.extend(z.finish().unwrap());
        let (rows, result) = fields(&b);
        assert_eq!(result, Ok(()));
        assert_eq!(rows[0][1], "PatientID=3171014101900001");
    }

    #[test]
    fn hostile_nesting_and_delimiters_are_damage() {
        let open = b"\x08\x00\x40\x11SQ\x00\x00\xff\xff\xff\xff\xfe\xff\x00\xe0\xff\xff\xff\xff";
        let (_, deep) = fields(&file(&open.repeat(100)));
        assert!(
            matches!(deep, Err(Stop::Damaged(w)) if w.starts_with("sequences nested too deep"))
        );
        let (_, stray) = fields(&file(b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"));
        assert!(matches!(stray, Err(Stop::Damaged(w)) if w.starts_with("a delimiter outside")));
        let (_, novr) = fields(&file(b"\x10\x00\x10\x00zz\x02\x00ab"));
        assert!(matches!(novr, Err(Stop::Damaged(w)) if w.starts_with("no VR at (0010,0010)")));
    }
}
