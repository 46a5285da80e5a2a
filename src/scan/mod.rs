//! The scan: walk the paths, read every file in chunks that end on record boundaries, analyze
//! the chunks on all workers (also the chunks of one large file), and add up the summaries.
//!
//! Determinism: chunk boundaries depend only on the bytes (never on the thread count), and
//! every statistic merges commutatively, so any number of threads gives the same summary.

mod open;
mod panics;

use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::analyze::extras::Extras;
use crate::analyze::{is_header, Analyzer};
use crate::formats::envelope::JsonCutter;
use crate::formats::records::{Cut, KeyRoles, Layout};
use crate::formats::sniff::{sniff, Sniff, SNIFF_BYTES};
use crate::formats::sql::{SqlCutter, SqlState};
use crate::formats::strings::Strings;
use crate::input::archive::Limits;
use crate::input::decode::{Bom, Utf16Reader};
use crate::input::walk::{walk, EntryKind};
use crate::rules::{normalize_field_name, Patterns};
use crate::scan::open::{error_reason, scan_entry, scan_reader};
use crate::summary::{add_file, largest_first, DistinctSet, FileStats, Reason, State, Summary};

/// What a scan needs to know; built from the command line in exactly one place (`cli`).
#[derive(Clone, Debug)]
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    pub threads: usize,
    /// Files this run writes: one that exists as an input makes the walk refuse to start.
    pub exclude: Vec<PathBuf>,
    /// Bytes per chunk handed to a worker.
    pub chunk_size: usize,
    /// A record that grows past this without a boundary is cut here.
    pub max_record: usize,
    /// Bounds on decompression: entry size, ratio, nesting.
    pub limits: Limits,
    /// Per-record work beyond counting: scan date, reference, key, `--records`.
    pub extras: Arc<Extras>,
}

impl ScanConfig {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        ScanConfig {
            paths,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            exclude: Vec::new(),
            chunk_size: 1 << 20,
            max_record: 64 << 20,
            limits: Limits::default(),
            extras: Arc::default(),
        }
    }
}

/// Progress shared with whoever draws it: bytes known and bytes done.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: AtomicU64,
    pub done: AtomicU64,
}

/// Runs a scan. Errors only when a root cannot be read at all; every other problem is an
/// entry in the summary's ledger.
pub fn scan(cfg: &ScanConfig, p: &Patterns, progress: &Progress) -> Result<Summary> {
    let entries = walk(&cfg.paths, &cfg.exclude)?;
    progress.total.store(
        entries
            .iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.size)
            .sum(),
        Ordering::Relaxed,
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.max(1))
        .build()
        .context("starting worker threads")?;
    let slots: Vec<Mutex<Summary>> = (0..pool.current_num_threads())
        .map(|_| Mutex::default())
        .collect();
    let acc = Accumulators(&slots);
    pool.install(|| {
        entries
            .par_iter()
            .with_max_len(1)
            .for_each(|e| scan_entry(e, cfg, p, progress, &acc))
    });
    // Before the ledgers are added up: a walked entry costs as much as a ledger entry.
    drop(entries);
    // Each worker's buffered values are sorted into runs, then the slots are added up (runs
    // are only collected), then every kind's runs are merged once. Both parallel steps take
    // the largest set first, so no thread is left alone with a big one at the end.
    let mut parts: Vec<Summary> = slots
        .into_iter()
        .map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    let sets = parts.iter_mut().flat_map(Summary::sets).collect();
    pool.install(|| largest_first(sets, DistinctSet::seal));
    let mut summary = Summary::default();
    for part in parts {
        summary += part;
    }
    summary.as_of = cfg.extras.today;
    pool.install(|| summary.settle());
    for note in notes(&summary) {
        eprintln!("triage: {note}");
    }
    Ok(summary)
}

/// What the summary's counts do not make plain, for stderr: a scan that read nothing at all
/// (SPEC §2 "Roots"), and files that grew while they were read (their `bytes` are the bytes
/// read, more than the walk saw; the entry's reason says so). Names stay out: a name may
/// hold an identifier, and stderr is not masked.
pub fn notes(s: &Summary) -> Vec<String> {
    let mut out = Vec::new();
    let grew = s
        .files
        .values()
        .filter(|f| f.state == State::Scanned && f.reason.is_some())
        .count();
    if grew > 0 {
        out.push(format!(
            "{grew} file(s) grew while read: their bytes in the ledger are the bytes read"
        ));
    }
    let read = s.count(State::Scanned) + s.count(State::Partial);
    if read == 0 {
        out.push(match s.files.len() {
            0 => "nothing was read: no file was found in the paths given".to_string(),
            n => format!(
                "nothing was read: every entry ({n}) was skipped or failed (see the ledger)"
            ),
        });
    }
    out
}

/// Scans one entry read from `r` as if it were a file called `name` (the name hints at the
/// format), on the current rayon pool: every reader behind one call, for fuzzing and tests
/// that need no file on disk. The ledger names the entry `name`; its `bytes` are 0.
pub fn scan_one(r: &mut dyn Read, name: &str, cfg: &ScanConfig, p: &Patterns) -> Summary {
    let slots = [Mutex::default()];
    let acc = Accumulators(&slots);
    let progress = Progress::default();
    let ctx = Ctx::new(cfg, p, &acc, &progress);
    let at = At::top(name.to_string(), 0, false);
    let (head, eof, err) = read_head(r);
    scan_reader(r, head, eof, err, &at, ctx);
    let [slot] = slots;
    let mut s = slot.into_inner().unwrap_or_else(|e| e.into_inner());
    s.settle();
    s
}

/// One summary per worker thread. A worker only ever locks its own slot, so the lock is never
/// contended; the slots are added up once at the end, in any order.
struct Accumulators<'a>(&'a [Mutex<Summary>]);

impl Accumulators<'_> {
    fn add(&self, s: Summary) {
        self.with(|mine| *mine += s);
    }

    /// Adds one ledger entry, without a summary around it: an empty summary's ledger costs
    /// a tree node of 1.6 KB, made and freed once per file.
    fn add_file(&self, name: &str, f: FileStats) {
        self.with(|mine| add_file(&mut mine.files, name, f));
    }

    /// Works on this worker's own summary. Chunks add straight into it: a summary per
    /// chunk, grown from empty and merged after, cost a tenth of the run in reallocations.
    fn with<R>(&self, f: impl FnOnce(&mut Summary) -> R) -> R {
        let i = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        f(&mut self.0[i].lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Reads up to `want` more bytes into `buf`; `Ok(false)` at end of input. `read_to_end` on
/// a `take` does not zero the spare capacity first, unlike a `resize` + `read`.
pub fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    buf.reserve(want);
    let n = r.take(want as u64).read_to_end(buf)?;
    Ok(n == want)
}

/// The first block of `r`, where sniffing starts: its bytes, whether `r` ended inside it, and
/// the read error that stopped it, if any.
pub fn read_head(r: &mut dyn Read) -> (Vec<u8>, bool, Option<io::Error>) {
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    match fill(r, &mut head, SNIFF_BYTES) {
        Ok(more) => (head, !more, None),
        Err(err) => (head, false, Some(err)),
    }
}

/// Chunk buffers go back here after a worker is done with them: fresh 1 MiB allocations
/// cost page faults that showed up as a fifth of the run time.
#[derive(Default)]
struct BufferPool(Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    fn get(&self) -> Vec<u8> {
        let mut b = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        b.clear();
        b
    }
    fn put(&self, b: Vec<u8>) {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 64 {
            pool.push(b);
        }
    }
}

/// The extension that hints at the text format: of the last member of a `!` path, and below
/// a compression suffix (`export.csv.gz` is a `csv` once decompressed).
fn extension(name: &str) -> String {
    let mut last = name.rsplit('!').next().unwrap_or(name);
    loop {
        let Some((stem, x)) = last.rsplit_once('.') else {
            return String::new();
        };
        let x = x.to_ascii_lowercase();
        if matches!(x.as_str(), "gz" | "gzip" | "bz2" | "xz" | "zst" | "zstd") && stem.contains('.')
        {
            last = stem;
            continue;
        }
        return x;
    }
}

/// Everything a reader below the walk needs, passed down unchanged.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub cfg: &'a ScanConfig,
    pub p: &'a Patterns,
    acc: &'a Accumulators<'a>,
    progress: &'a Progress,
}

impl<'a> Ctx<'a> {
    fn new(
        cfg: &'a ScanConfig,
        p: &'a Patterns,
        acc: &'a Accumulators<'a>,
        progress: &'a Progress,
    ) -> Ctx<'a> {
        Ctx {
            cfg,
            p,
            acc,
            progress,
        }
    }

    /// Adds a ledger entry (and whatever else `s` holds) to this worker's summary.
    pub fn add(&self, s: Summary) {
        self.acc.add(s);
    }

    /// A ledger entry that was not read.
    pub fn entry(&self, at: &At, state: State, reason: Reason) {
        let f = FileStats::new(state, "", at.bytes).with_reason(reason);
        self.acc.add_file(&at.name, f);
    }
}

/// Where one ledger entry's bytes come from.
#[derive(Clone, Debug)]
pub struct At {
    /// Its name in the ledger (`a.zip!b.csv`).
    pub name: String,
    /// Its `bytes` in the ledger: the file's size on disk, or a zip member's size.
    pub bytes: u64,
    /// Containers around it.
    pub depth: usize,
    /// Containers that decoded it, for the format (`gzip `).
    pub via: String,
    /// Whether chunk sizes count as progress (only plain files on disk).
    pub progress: bool,
}

impl At {
    /// An entry outside any container: a walked file or stream.
    fn top(name: String, bytes: u64, progress: bool) -> At {
        At {
            name,
            bytes,
            depth: 0,
            via: String::new(),
            progress,
        }
    }
}

/// A text entry (delimited, JSON, SQL, plain): BOM, format sniffing, then chunks cut on
/// record boundaries, analyzed on every worker. A binary of no known format (or any entry,
/// when `strings`) is read by the strings pass. Returns the bytes counted as progress.
fn scan_text(
    f: &mut dyn Read,
    mut head: Vec<u8>,
    mut eof: bool,
    first_error: Option<io::Error>,
    at: &At,
    ctx: Ctx,
    strings: bool,
) -> u64 {
    let (cfg, p, acc, progress) = (ctx.cfg, ctx.p, ctx.acc, ctx.progress);
    let mut counted = 0u64;
    let mut out = Summary::default();
    let mut read_error: Option<Reason> = first_error.as_ref().map(error_reason);
    let bom = Bom::of(&head);
    // From here on `reader` yields UTF-8 (or single-byte text) without a BOM.
    let rest = io::Cursor::new(head.split_off(bom.byte_len().min(head.len())));
    let mut utf16;
    let mut plain;
    let (mut reader, mut buf): (&mut dyn Read, Vec<u8>) = match bom {
        Bom::Utf16Le | Bom::Utf16Be => {
            utf16 = Utf16Reader::new(rest.chain(f), bom == Bom::Utf16Be);
            let mut b = Vec::new();
            if read_error.is_none() {
                match fill(&mut utf16, &mut b, SNIFF_BYTES) {
                    Ok(more) => eof = !more,
                    Err(err) => read_error = Some(error_reason(&err)),
                }
            }
            (&mut utf16, b)
        }
        _ => {
            plain = f;
            (&mut plain, rest.into_inner())
        }
    };
    let format_hint = match bom {
        Bom::Utf16Le | Bom::Utf16Be => "utf-16 ",
        _ => "",
    };

    let sniffed = if strings {
        Sniff::Strings
    } else {
        sniff(&buf, &extension(&at.name), p, &|cells| is_header(cells, p))
    };
    let mut runs;
    let mut format_name = None;
    let (layout, header_len, header) = match sniffed {
        Sniff::Strings => {
            // The block already read goes through the pass first.
            runs = Strings::new(io::Cursor::new(std::mem::take(&mut buf)).chain(reader));
            reader = &mut runs;
            // After a read error this still passes the bytes read before it.
            match fill(reader, &mut buf, SNIFF_BYTES) {
                Ok(more) => eof = !more,
                Err(err) => {
                    read_error.get_or_insert_with(|| error_reason(&err));
                }
            }
            format_name = Some("strings");
            (Layout::Text, 0, Vec::new())
        }
        Sniff::Skip(r) => {
            let state = if read_error.is_some() && buf.is_empty() {
                State::Failed
            } else {
                State::Skipped
            };
            ctx.entry(at, state, read_error.unwrap_or(r.into()));
            return 0;
        }
        Sniff::Unsupported(r) => {
            ctx.entry(at, State::Failed, Reason::NotReadYet(r));
            return 0;
        }
        Sniff::Read {
            layout,
            header_len,
            header,
        } => (layout, header_len, header),
    };
    for h in &header {
        let norm = normalize_field_name(h.as_bytes());
        if !norm.is_empty() {
            out.fields.entry(norm).or_default().insert(h.clone());
        }
    }
    buf.drain(..header_len.min(buf.len()));
    crate::summary::attribution::sample(&layout, &buf, &header, p, &mut out.shapes);
    let format = format!(
        "{}{format_hint}{}",
        at.via,
        format_name.unwrap_or(layout.format_name())
    );
    let file = FileStats::new(State::Scanned, &format, at.bytes);
    out.files.insert(at.name.clone(), file);

    acc.add(out);
    let pool = BufferPool::default();
    let in_flight = AtomicUsize::new(0);
    let max_in_flight = 2 * rayon::current_num_threads();
    let name = at.name.as_str();
    let layout = &layout;
    let format = format.as_str();
    let mut cutter = Cutter::new(layout, cfg.max_record);
    let x = &*cfg.extras;
    let mut offset = 0u64;
    let mut grow = false;

    rayon::in_place_scope(|scope| {
        loop {
            if !eof && read_error.is_none() {
                // After a search that found no boundary, read as much again as the buffer
                // holds (up to the record limit): searching the whole buffer once per chunk
                // would make a long record quadratic.
                let want = if grow {
                    buf.len().max(cfg.chunk_size)
                } else {
                    cfg.chunk_size
                };
                let want = want.min(cfg.max_record.saturating_sub(buf.len())).max(1);
                match fill(reader, &mut buf, want) {
                    Ok(more) => eof = !more,
                    Err(err) => read_error = Some(error_reason(&err)),
                }
            }
            let done = eof || read_error.is_some();
            let start = cutter.sql_state();
            grow = true;
            let Some(cut) = cutter.next(&mut buf, layout, done, p) else {
                continue;
            };
            let mut rest = pool.get();
            rest.extend_from_slice(&buf[cut..]);
            // A rest longer than a chunk is searched again only with at least as many new
            // bytes, so that each byte is searched a bounded number of times (issue 20,
            // rule 4); a usual rest, part of one record, is shorter.
            grow = rest.len() > cfg.chunk_size;
            buf.truncate(cut);
            let chunk = std::mem::replace(&mut buf, rest);
            let chunk_at = offset;
            offset += chunk.len() as u64;
            if !chunk.is_empty() {
                if at.progress {
                    counted += chunk.len() as u64;
                    progress
                        .done
                        .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                }
                let job = move |chunk: &[u8], s: &mut Summary| match &start {
                    Some(state) => crate::formats::sql::analyze_chunk(
                        s, state, chunk, name, format, p, x, chunk_at,
                    ),
                    None => analyze_chunk(s, layout, chunk, name, format, p, x, chunk_at),
                };
                if in_flight.load(Ordering::Acquire) < max_in_flight {
                    in_flight.fetch_add(1, Ordering::AcqRel);
                    let (in_flight, pool) = (&in_flight, &pool);
                    scope.spawn(move |_| {
                        acc.with(|s| job(&chunk, s));
                        pool.put(chunk);
                        in_flight.fetch_sub(1, Ordering::AcqRel);
                    });
                } else {
                    // Enough queued: this thread works too, which also bounds memory.
                    acc.with(|s| job(&chunk, s));
                    pool.put(chunk);
                }
            }
            if done {
                break;
            }
        }
    });
    let cut_records = cutter.cut_records;
    let cut = (cut_records > 0).then_some(Reason::RecordsCut {
        count: cut_records,
        max_record: cfg.max_record,
    });
    // One entry with every reason, so the ledger does not depend on which was added first.
    if let Some(reason) = Reason::all(read_error.into_iter().chain(cut).collect()) {
        let f = FileStats::new(State::Partial, format, 0).with_reason(reason);
        acc.add_file(name, f);
    }
    counted
}

/// Where a text entry's chunks end: on record boundaries, with the state some formats carry
/// from chunk to chunk (a SQL dump's statement context; a JSON document's place in its
/// structure, whose envelope is blanked as it is cut).
struct Cutter {
    sql: Option<SqlCutter>,
    json: Option<JsonCutter>,
    max_record: usize,
    /// Records cut at `max_record` without a boundary: the entry is `partial`, with a reason.
    cut_records: u64,
}

impl Cutter {
    fn new(layout: &Layout, max_record: usize) -> Cutter {
        Cutter {
            sql: matches!(layout, Layout::Sql).then(SqlCutter::default),
            json: matches!(layout, Layout::JsonTree).then(|| JsonCutter::new(max_record)),
            max_record,
            cut_records: 0,
        }
    }

    /// The SQL statement context a chunk cut now starts in.
    fn sql_state(&self) -> Option<SqlState> {
        self.sql.as_ref().map(|c| c.state.clone())
    }

    /// The end of the next chunk in `buf` (all of it once the input is `done`), or `None`
    /// while no boundary is found and the buffer may still grow.
    fn next(&mut self, buf: &mut [u8], layout: &Layout, done: bool, p: &Patterns) -> Option<usize> {
        if done {
            if let Some(j) = &mut self.json {
                j.finish(buf, p);
            }
            return Some(buf.len());
        }
        if let Some(c) = &mut self.sql {
            return match c.cut(buf, p) {
                Some(b) => Some(b),
                None if buf.len() < self.max_record => None,
                None => {
                    self.cut_records += 1;
                    Some(c.force(buf.len()))
                }
            };
        }
        let found = match &mut self.json {
            Some(j) => j.cut(buf, p),
            None => layout.boundary(buf),
        };
        match found {
            // A buffer grown to the record limit whose last boundary lies in its first half:
            // each new start reads a little more as a record (JSON restarted in an array of
            // arrays takes every line for one) and the rest, searched again for every few
            // bytes taken, made the read quadratic. It is one over-long record instead; data
            // whose records end is never cut so (its search at half the limit found the
            // boundary). Issue 20, rule 4. The envelope cutter keeps its own place, so it
            // never searches a byte twice.
            Some(b) if self.json.is_none() && buf.len() >= self.max_record && b < buf.len() / 2 => {
                self.cut_records += 1;
                Some(buf.len())
            }
            Some(b) => Some(b),
            None if buf.len() < self.max_record => None,
            None => {
                self.cut_records += 1;
                if let Some(j) = &mut self.json {
                    j.force();
                }
                Some(buf.len())
            }
        }
    }
}

/// One chunk, start to end, on one worker, added to that worker's summary `s`; `offset` is
/// where the chunk starts in the file's (decoded) bytes, the key that orders `--records` rows.
#[allow(clippy::too_many_arguments)]
pub fn analyze_chunk(
    s: &mut Summary,
    layout: &Layout,
    chunk: &[u8],
    name: &str,
    format: &str,
    p: &Patterns,
    x: &Extras,
    offset: u64,
) {
    let mut analyzer = Analyzer::with_extras(p, x);
    let mut keys = KeyRoles::default();
    let mut file = FileStats::new(State::Scanned, format, 0);
    let stats = &mut s.stats;
    if layout.named_columns() {
        // Each field goes to the analyzer as it is cut, without collecting the record.
        analyzer.begin();
        layout.for_each_field(chunk, |cut| match cut {
            Cut::Field(role, v) => analyzer.field(v, role, true, stats, &mut file),
            Cut::End => {
                analyzer.end(&[], true, stats, &mut file);
                analyzer.begin();
            }
        });
    } else if let Layout::Delimited { delim, .. } = layout {
        // Without a header: rows are not collected whole (issue 20, rule 4).
        analyzer.delimited_rows(chunk, *delim, stats, &mut file);
    } else {
        layout.for_each_record(chunk, p, &mut keys, |fields, named| {
            analyzer.record(fields, named, stats, &mut file)
        });
    }
    for k in keys.seen {
        let norm = normalize_field_name(&k);
        if !norm.is_empty() {
            s.fields
                .entry(norm)
                .or_default()
                .insert(crate::bytes::text(&k));
        }
    }
    finish_chunk(s, &analyzer, x, name, offset, file);
}

/// The end of every reader's chunk: its `--records` rows (when asked for) and its file entry,
/// added to what earlier chunks of the file left in `s`.
pub(crate) fn finish_chunk(
    s: &mut Summary,
    analyzer: &Analyzer,
    x: &Extras,
    name: &str,
    offset: u64,
    file: FileStats,
) {
    if let Some(spill) = &x.rows {
        s.rows
            .push(spill.chunk(name, offset, file.records, &analyzer.rows.bytes));
    }
    add_file(&mut s.files, name, file);
}

#[cfg(test)]
mod tests {
    #[test]
    fn extension_looks_below_compression_and_archives() {
        assert_eq!(super::extension("a/export.CSV.gz"), "csv");
        assert_eq!(super::extension("a.zip!d/x.tsv.bz2"), "tsv");
        assert_eq!(super::extension("a.zip!d/x.txt"), "txt");
        assert_eq!(super::extension("plain.gz"), "gz");
        assert_eq!(super::extension("noext"), "");
    }
}
