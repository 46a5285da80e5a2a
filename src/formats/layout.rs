//! How the records of one text file are laid out, decided once from its first block by the
//! sniffer: where a chunk may end, and which reader reads it. Imports the readers.

use memchr::memrchr;

use crate::formats::csv::{self, csv_boundary, Columns};
use crate::formats::json::{self, json_boundary, Values};
use crate::formats::text;
use crate::record::RecordSink;
use crate::rules::Patterns;

/// How the records of one file are laid out, decided once from its first block.
#[derive(Clone, Debug)]
pub enum Layout {
    /// CSV/TSV/`;`/`|`. `columns` holds the header's roles and names; empty without a header.
    Delimited {
        delim: u8,
        columns: Columns,
        named: bool,
    },
    /// One JSON value per line.
    JsonLines,
    /// JSON values one after another (`array`: inside one top-level array).
    JsonStream { array: bool },
    /// JSON decided by structure: values one after another, or the records of an enveloped
    /// document, as [`crate::formats::json::envelope::JsonCutter`] cuts and blanks them.
    JsonTree,
    /// One record per line.
    Text,
    /// An SQL dump: one record per `INSERT` tuple or `COPY` row (read by `formats::sql`).
    Sql,
}

impl Layout {
    pub fn format_name(&self) -> &'static str {
        match self {
            Layout::Delimited { delim: b'\t', .. } => "tsv",
            Layout::Delimited { delim: b',', .. } => "csv",
            Layout::Delimited { .. } => "delimited",
            Layout::JsonLines => "jsonl",
            Layout::JsonStream { .. } | Layout::JsonTree => "json",
            Layout::Text => "text",
            Layout::Sql => "sql",
        }
    }

    /// The end of the last complete record in `buf`, which starts on a record boundary.
    pub fn boundary(&self, buf: &[u8]) -> Option<usize> {
        match self {
            Layout::Delimited { .. } => csv_boundary(buf),
            Layout::JsonLines | Layout::Text => memrchr(b'\n', buf).map(|i| i + 1),
            Layout::JsonStream { array } => json_boundary(buf, *array),
            // Where an envelope may be cut depends on what came before: `scan` uses
            // `envelope::JsonCutter`. The end of a top-level value is only a guess.
            Layout::JsonTree => json_boundary(buf, false),
            // Where a dump may be cut depends on what came before: `scan` uses
            // `sql::SqlCutter`, which carries that state. A line end is only a guess.
            Layout::Sql => memrchr(b'\n', buf).map(|i| i + 1),
        }
    }

    /// Reads the records of one chunk into `sink`. Not for `Sql`: where a dump's chunk starts
    /// depends on what came before it, so its chunks are read from the lexer state they
    /// start in, by the SQL reader.
    pub fn read<S: RecordSink>(&self, chunk: &[u8], p: &Patterns, sink: &mut S) {
        match self {
            Layout::Sql => unreachable!("SQL chunks are read from the state they start in"),
            Layout::Delimited {
                delim,
                columns,
                named,
            } => csv::read(chunk, *delim, columns, *named, sink),
            Layout::Text => text::read(chunk, sink),
            Layout::JsonLines => json::read(chunk, Values::Lines, p, sink),
            Layout::JsonStream { .. } => {
                json::read(chunk, Values::Stream { brackets: true }, p, sink)
            }
            Layout::JsonTree => json::read(chunk, Values::Stream { brackets: false }, p, sink),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Field;
    use crate::rules::Role;

    #[test]
    fn json_values_skip_bulk_actions_and_blanks() {
        let p = crate::testing::pats();
        /// Records with and without field names.
        #[derive(Default)]
        struct Count(usize, usize);
        impl RecordSink for Count {
            fn begin(&mut self) {}
            fn field(&mut self, _: Role, _: &[u8], _: bool) {}
            fn unheld(&mut self, _: &[Field]) {}
            fn end(&mut self, _: &[Field], named: bool) {
                if named {
                    self.0 += 1
                } else {
                    self.1 += 1
                }
            }
            fn name(&mut self, _: &[u8]) {}
        }
        let count = |layout: Layout, chunk: &[u8]| {
            let mut n = Count::default();
            layout.read(chunk, p, &mut n);
            (n.0, n.1)
        };
        let bulk = b"{\"index\":{\"_id\":\"1\"}}\n{\"nik\":\"1\"}\n{\"delete\":{}}\n";
        assert_eq!(count(Layout::JsonLines, bulk), (1, 0));
        assert_eq!(count(Layout::JsonTree, bulk), (1, 0));
        // Blanked envelope bytes and commas between elements; an array element is a value.
        let blanked = b"          {\"nik\":\"1\"},[\"0812\"] ,{\"x\":tru}\n  ";
        assert_eq!(count(Layout::JsonTree, blanked), (2, 1));
    }
}
