//! Formats read record by record by a reader of their own rather than cut as text (a DBF
//! table today; database files, DICOM headers, HL7 messages and documents join here): which
//! they are, and which reader reads each. A reader walks its input on the reading thread into
//! a `formats::packed::Packer`; it never sees the scan, the limits' types or the ledger: it
//! gets a [`Source`] and a `Budget`, and says how its input ended (a `Stop`). Imports the
//! readers and the packer.

use std::fs::File;
use std::io::Read;

use crate::formats::bson;
use crate::formats::dbf;
use crate::formats::dicom;
use crate::formats::document::{self, Kind};
use crate::formats::hl7;
use crate::formats::packed::{Budget, Packer, Stop};
use crate::formats::pdf;
use crate::formats::pgdump;
use crate::formats::sqlite;

/// A format with a record reader of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Records {
    /// dBase III/IV/V, FoxPro and Visual FoxPro tables.
    Dbf,
    /// SQLite databases.
    Sqlite,
    /// MongoDB dumps: `.bson` files and `mongodump --archive` files.
    Bson,
    /// pg_dump custom-format archives (`pg_dump -Fc`).
    PgDump,
    /// DICOM headers (PS3.10 files, DICOMDIRs), read up to the pixel data.
    Dicom,
    /// HL7 v2 messages (ER7), MLLP framing and batches tolerated.
    Hl7,
    /// PDF documents: the text layer, one record per line.
    Pdf,
    /// Word documents (Office Open XML): paragraphs and table rows.
    Docx,
    /// OpenDocument text: paragraphs, headings and table rows.
    Odt,
}

impl Records {
    /// Every format, for the fuzz target and the tests that go through them all.
    pub const ALL: &'static [Records] = &[
        Records::Dbf,
        Records::Sqlite,
        Records::Bson,
        Records::PgDump,
        Records::Dicom,
        Records::Hl7,
        Records::Pdf,
        Records::Docx,
        Records::Odt,
    ];

    /// The format's name in the ledger (`files[].format`).
    pub fn name(self) -> &'static str {
        match self {
            Records::Dbf => "dbf",
            Records::Sqlite => "sqlite",
            Records::Bson => "bson",
            Records::PgDump => "pg_dump",
            Records::Dicom => "dicom",
            Records::Hl7 => "hl7",
            Records::Pdf => "pdf",
            Records::Docx => "docx",
            Records::Odt => "odt",
        }
    }

    /// Whether the reader needs a file it can seek: an input that is a stream or an archive
    /// member is then spilled to an unlinked temporary file first (as a workbook is).
    pub fn needs_file(self) -> bool {
        match self {
            Records::Dbf => false,
            Records::Sqlite => true,
            Records::Bson => false,
            Records::PgDump => false,
            Records::Dicom => false,
            Records::Hl7 => false,
            // lopdf reads a document whole, from memory.
            Records::Pdf => false,
            // A zip archive, read by its directory.
            Records::Docx | Records::Odt => true,
        }
    }

    /// Reads every record of `src` into `out`.
    pub fn read(self, src: Source, budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
        match self {
            Records::Dbf => dbf::read(&mut src.into_read(), budget, out),
            Records::Sqlite => sqlite::read(&src.into_file()?, budget, out),
            Records::Bson => bson::read(&mut src.into_read(), budget, out),
            Records::PgDump => pgdump::read(&mut src.into_read(), budget, out),
            Records::Dicom => dicom::read(&mut src.into_read(), budget, out),
            Records::Hl7 => hl7::read(&mut src.into_read(), budget, out),
            Records::Pdf => pdf::read(&mut src.into_read(), budget, out),
            Records::Docx => document::read(Kind::Docx, src.into_file()?, budget, out),
            Records::Odt => document::read(Kind::Odt, src.into_file()?, budget, out),
        }
    }
}

/// What a record reader reads: a stream, or a file when [`Records::needs_file`].
pub enum Source<'r> {
    Stream(Box<dyn Read + 'r>),
    File(File),
}

impl<'r> Source<'r> {
    /// Either, read from its start.
    pub fn into_read(self) -> Box<dyn Read + 'r> {
        match self {
            Source::Stream(r) => r,
            Source::File(f) => Box::new(f),
        }
    }

    /// The file of a reader that [`Records::needs_file`]: the scan spills a stream first.
    pub fn into_file(self) -> Result<File, Stop> {
        match self {
            Source::File(f) => Ok(f),
            Source::Stream(_) => Err(Stop::Damaged("a stream where a file was needed".into())),
        }
    }
}
