//! An entry of a format with a record reader of its own (`formats::records`): the reader
//! walks it on this thread, its packed records are analyzed on every worker by the chunk
//! job, and how the reader stopped becomes the entry's state and reason. A reader that needs
//! a file gets the walked file itself, or the entry spilled to an unlinked temporary file.
//!
//! Imports the record readers, the chunk job, the spill and `summary`.

use std::cell::Cell;

use crate::analyze::shapes::wants_samples;
use crate::formats::packed::{Budget, Packed, Packer, Stop};
use crate::formats::records::{Records, Source};
use crate::input::archive::{spill, too_large};
use crate::scan::chunk::{InFlight, Job, Reader, Sample};
use crate::scan::{Origin, ScanEnv};
use crate::summary::{FileStats, Reason, State};

/// Reads every record of `src`, a `format` entry, handing packed chunks to the workers, then
/// adds its ledger entry.
pub fn scan_records(format: Records, src: Source, at: &Origin, ctx: ScanEnv) {
    let src = match (format.needs_file(), src) {
        (true, Source::Stream(mut r)) => match spill(&[], &mut r) {
            Ok(f) => Source::File(f),
            Err(err) => return unspilled(&err, format, at, ctx),
        },
        (_, src) => src,
    };
    let name = format!("{}{}", at.via, format.name());
    let limit = ctx.cfg.sample.map(Sample::new);
    let job = Job {
        name: &at.name,
        format: &name,
        p: ctx.p,
        opts: &ctx.cfg.record_options,
        sample: wants_samples(ctx.p),
        limit: limit.as_ref(),
    };
    let budget = Budget {
        max_record: ctx.cfg.max_record,
        max_bytes: ctx.cfg.limits.max_entry_bytes,
    };
    let in_flight = InFlight::for_job(&job);
    // Records are packed in order on this thread, so each chunk's offset is deterministic.
    let sent = Cell::new(0u64);
    let (result, records, cut) = rayon::in_place_scope(|scope| {
        let mut send = |chunk: Packed| {
            let offset = sent.get();
            sent.set(offset + chunk.data.len() as u64);
            in_flight.run(scope, move || {
                ctx.acc
                    .with(|s| job.run(s, &Reader::Packed, &chunk.data, offset, chunk.first));
            });
        };
        let mut packer = Packer::new(ctx.cfg.chunk_size, ctx.cfg.max_record, &mut send);
        let result = format.read(src, &budget, &mut packer);
        packer.finish();
        (result, packer.records, packer.cut)
    });
    let mut file = entry(result, records, cut, format, &name, at, ctx);
    if let Some(l) = &limit {
        l.mark(&mut file);
    }
    ctx.acc.add_file(&at.name, file);
}

/// The entry's ledger row: `scanned`, or `partial`/`failed` with the reader's reason (and
/// the values cut at `--max-record`).
fn entry(
    result: Result<(), Stop>,
    records: u64,
    cut: u64,
    format: Records,
    name: &str,
    at: &Origin,
    ctx: ScanEnv,
) -> FileStats {
    let (state, stop) = match result {
        Ok(()) => (State::Scanned, None),
        Err(Stop::Damaged(why)) if records == 0 => (State::Failed, Some(why)),
        Err(Stop::Damaged(why) | Stop::Unread(why)) => (State::Partial, Some(why)),
    };
    let stop = stop.map(|why| Reason::Format {
        format: format.name(),
        why,
    });
    let cut = (cut > 0).then_some(Reason::RecordsCut {
        count: cut,
        max_record: ctx.cfg.max_record,
    });
    let mut file = FileStats::new(state, name, at.bytes);
    if let Some(reason) = Reason::all(stop.into_iter().chain(cut).collect()) {
        if file.state == State::Scanned {
            file.state = State::Partial;
        }
        file = file.with_reason(reason);
    }
    file
}

/// An entry that could not be spilled for a reader that needs a file.
fn unspilled(err: &std::io::Error, format: Records, at: &Origin, ctx: ScanEnv) {
    match too_large(err) {
        Some(reason) => ctx.entry(at, State::Skipped, Reason::TooLarge(reason)),
        None => ctx.entry(
            at,
            State::Failed,
            Reason::Format {
                format: format.name(),
                why: format!("cannot spill to a temporary file: {err}"),
            },
        ),
    }
}
