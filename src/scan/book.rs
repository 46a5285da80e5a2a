//! A workbook as one ledger entry: its sheets read in order on this thread
//! ([`read_book`]), their packed rows analyzed on every worker by the chunk job.
//!
//! Imports the sheet reader, the chunk job and `summary`.

use std::cell::Cell;
use std::io::{Read, Seek};

use crate::analyze::is_header;
use crate::analyze::shapes::wants_samples;
use crate::formats::sheet::{read_book, Book, BookProblem, BookRead, RowChunk, SheetReading};
use crate::scan::chunk::{add_names, InFlight, Job, Reader, Sample};
use crate::scan::{Origin, ScanEnv};
use crate::summary::{FileStats, Reason, State, Summary};

/// Reads every sheet of a workbook, handing packed rows to the workers.
pub fn scan_book<R: Read + Seek>(book: Book, r: R, at: &Origin, ctx: ScanEnv) {
    let format = format!("{}{}", at.via, book.name());
    let limit = ctx.cfg.sample.map(Sample::new);
    let job = Job {
        name: &at.name,
        format: &format,
        p: ctx.p,
        opts: &ctx.cfg.record_options,
        sample: wants_samples(ctx.p),
        limit: limit.as_ref(),
    };
    let in_flight = InFlight::for_job(&job);
    // Sheets are read in order on this thread, so the running byte count is deterministic.
    let sent = Cell::new(0u64);
    let read = rayon::in_place_scope(|scope| {
        let mut send = |chunk: RowChunk| {
            let offset = sent.get();
            sent.set(offset + chunk.size() as u64);
            in_flight.run(scope, move || {
                let reader = Reader::Sheet(&chunk.columns);
                // An XLSX chunk's rows are read from its XML here, on the worker, in pieces
                // (numbered within the chunk's bytes, so the offsets stay in order).
                chunk.each_piece(&mut |rows, piece| {
                    let first = chunk.first && piece == 0;
                    ctx.acc
                        .with(|s| job.run(s, &reader, rows, offset + piece, first))
                });
            });
        };
        let how = SheetReading {
            p: ctx.p,
            is_header: &|cells| is_header(cells, ctx.p),
            chunk_size: ctx.cfg.chunk_size,
        };
        read_book(book, r, how, &mut send)
    });
    ctx.add(book_entry(read, limit.as_ref(), &format, at));
}

/// The workbook's ledger entry and its header names.
fn book_entry(mut read: BookRead, limit: Option<&Sample>, format: &str, at: &Origin) -> Summary {
    let mut s = Summary::default();
    let mut file = FileStats::new(State::Scanned, format, at.bytes);
    if let Some(reason) = read.take_problem() {
        file.state = if read.opened {
            State::Partial
        } else {
            State::Failed
        };
        file.reason = Some(Box::new(match reason {
            BookProblem::Unreadable { book, why } => Reason::BookUnreadable { book, why },
            BookProblem::Sheet { name, error } => Reason::Sheet { name, error },
        }));
    }
    if let Some(l) = limit {
        l.mark(&mut file);
    }
    s.files.insert(at.name.clone(), file);
    add_names(&mut s.fields, read.header);
    s
}
