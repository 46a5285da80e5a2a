//! The scan: walk the paths, read every file in chunks that end on record boundaries, analyze
//! the chunks on all workers (also the chunks of one large file), and add up the summaries.
//!
//! Determinism: chunk boundaries depend only on the bytes (never on the thread count), and
//! every statistic merges commutatively, so any number of threads gives the same summary.
//!
//! `open` decides what each walked file, stream, archive member or workbook is and hands it
//! to a reader: a text entry is decoded, sniffed and cut here (`scan_text`), a workbook's
//! sheets are read in `book`, a format with a record reader of its own in `records`. Every chunk, whatever its reader, goes through the one chunk
//! job of `chunk` (reader → [`crate::analyze::Analyzer`] → the worker's summary) behind one
//! back-pressure; an entry's first chunk (or a sheet's) is also read into attribution's value
//! sample there. Imports `input`, `formats`, `analyze`, `summary` and the rules.

mod archives;
mod book;
mod chunk;
mod inplace;
mod open;
mod panics;
mod records;
pub mod shard;

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::btree_map::Entry as Slot;
use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::analyze::is_header;
use crate::analyze::options::RecordOptions;
use crate::analyze::shapes::wants_samples;
use crate::formats::json::envelope::JsonCutter;
use crate::formats::layout::Layout;
use crate::formats::records::Source;
use crate::formats::sniff::{sniff, Sniff, SNIFF_BYTES};
use crate::formats::sql::cutter::SqlCutter;
use crate::formats::sql::lexer::SqlState;
use crate::formats::strings::Strings;
use crate::input::archive::Limits;
use crate::input::decode::{Bom, Utf16Reader};
use crate::input::select::{relative, Select};
use crate::input::walk::{measure, walk, Entry, EntryKind, Outputs};
use crate::rules::Patterns;
pub use crate::scan::book::scan_book;
use crate::scan::chunk::{add_names, InFlight, Job, Reader, Sample};
use crate::scan::inplace::{cut_in_place, MappedText};
use crate::scan::open::{error_reason, scan_entry, scan_reader};
use crate::scan::records::scan_records;
use crate::scan::shard::{select, Shard, Share};
use crate::summary::{add_file, FileStats, Reason, State, Summary};

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
    pub record_options: Arc<RecordOptions>,
    /// `--shard I/N`: scan only this shard's share of the walked entries.
    pub shard: Option<Shard>,
    /// `--glob`/`--exclude`: the walked entries read; the others are `skipped: excluded`.
    pub select: Select,
    /// `--sample N`: read only the first N records of each entry.
    pub sample: Option<u64>,
    /// Every file's size before any is read, for a progress bar's total: a stat per file,
    /// which the walk otherwise does without ([`Entry::size`]).
    pub sizes_first: bool,
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
            record_options: Arc::default(),
            shard: None,
            select: Select::default(),
            sample: None,
            sizes_first: false,
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
/// entry in the summary's ledger. What the summary does not make plain is in [`notes`].
pub fn scan(cfg: &ScanConfig, p: &Patterns, progress: &Progress) -> Result<Summary> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads.max(1))
        .build()
        .context("starting worker threads")?;
    // The walk lists folders on the workers too: no file is read before it ends.
    let outputs = Outputs::new(&cfg.exclude);
    let mut entries = pool.install(|| walk(&cfg.paths, &outputs))?;
    let mut shard_note = None;
    if let Some(shard) = cfg.shard {
        // The share is taken of every walked entry, before --glob/--exclude, so the shards'
        // ledgers (excluded entries included) add up to the one scan's; balanced by size.
        pool.install(|| measure(&mut entries, &outputs));
        let share;
        (entries, share) = select(entries, shard);
        shard_note = Some(note_of_shard(shard, share));
    }
    let (mut entries, mut excluded) = selected(entries, cfg);
    // An excluded entry's ledger row carries its bytes.
    pool.install(|| measure(&mut excluded, &outputs));
    if cfg.sizes_first {
        pool.install(|| measure(&mut entries, &outputs));
    }
    progress.total.store(
        entries
            .iter()
            .filter(|e| e.kind == EntryKind::File)
            .filter_map(|e| e.size)
            .sum(),
        Ordering::Relaxed,
    );
    let slots: Vec<Mutex<Summary>> = (0..pool.current_num_threads())
        .map(|_| Mutex::default())
        .collect();
    let acc = Accumulators(&slots);
    for e in excluded {
        let bytes = e.size.unwrap_or(0);
        let f = FileStats::new(State::Skipped, "", bytes).with_reason(Reason::Excluded);
        acc.add_file(&e.name, f);
    }
    // Each walked entry is freed by the worker that scanned it, as soon as it is done: freed
    // all at once after the scan, on one core, they cost a small file a fortieth of its scan;
    // and they are gone before the ledgers are added up (one costs as much as a ledger entry).
    pool.install(|| {
        entries
            .into_par_iter()
            .with_max_len(1)
            .for_each(|e| scan_entry(&e, ScanEnv::new(cfg, p, &acc), progress, &outputs))
    });
    // An output the walk could not tell from the inputs by the listed inodes.
    outputs.refuse()?;
    // The slots are added up (the sets' runs and buffers are only collected); the end of
    // the scan counts every kind's values at once (`Summary::settle`), the largest set first.
    let mut parts: Vec<Summary> = slots
        .into_iter()
        .map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    let files = one_ledger(&mut parts);
    let mut summary = Summary::default();
    for part in parts {
        summary += part;
    }
    summary.files = files;
    summary.as_of = cfg.record_options.today;
    summary.sampled = cfg.sample;
    pool.install(|| summary.settle());
    summary.shard_note = shard_note;
    Ok(summary)
}

/// The workers' ledgers, taken out of `parts` and added up in ordered passes: a worker's
/// ledger holds about its share of the names, and adding one to another by a search per name
/// (`Summary`'s `+=`) cost a small file a twentieth of its scan, all of it on one core. Pairs
/// are added in rounds, so each entry is moved once per round, log2 of the thread count.
fn one_ledger(parts: &mut [Summary]) -> BTreeMap<String, FileStats> {
    let mut ledgers: Vec<_> = parts.iter_mut().map(Summary::take_files).collect();
    while ledgers.len() > 1 {
        let mut next = Vec::with_capacity(ledgers.len().div_ceil(2));
        let mut pairs = ledgers.into_iter();
        while let Some(mut a) = pairs.next() {
            if let Some(b) = pairs.next() {
                add_ledger(&mut a, b);
            }
            next.push(a);
        }
        ledgers = next;
    }
    ledgers.pop().unwrap_or_default()
}

/// Adds the ledger `other` to `mine`: a name in both (a file whose chunks ran on two workers)
/// is added up in one ordered pass over both, then the rest of `other` is merged in by
/// [`BTreeMap::append`], which moves every entry once and leaves the nodes full.
fn add_ledger(mine: &mut BTreeMap<String, FileStats>, mut other: BTreeMap<String, FileStats>) {
    let mut both = Vec::new();
    let mut theirs = other.iter_mut().peekable();
    for (name, f) in mine.iter_mut() {
        while theirs.next_if(|(n, _)| *n < name).is_some() {}
        if let Some((_, g)) = theirs.next_if(|(n, _)| *n == name) {
            *f += std::mem::replace(g, FileStats::new(State::Scanned, "", 0));
            both.push(name.clone());
        }
    }
    for name in both {
        other.remove(&name);
    }
    mine.append(&mut other);
}

/// The walked entries `--glob`/`--exclude` keep, and those they leave out (each matched by
/// its path relative to its root; standard input is always read).
fn selected(entries: Vec<Entry>, cfg: &ScanConfig) -> (Vec<Entry>, Vec<Entry>) {
    if cfg.select.keeps_all() {
        return (entries, Vec::new());
    }
    entries
        .into_iter()
        .partition(|e| relative(&e.path, &cfg.paths).is_none_or(|rel| cfg.select.keeps(&rel)))
}

/// What the summary's counts do not make plain, for stderr: a scan that read nothing at all
/// (SPEC §2 "Roots"), and files that grew while they were read (their `bytes` are the bytes
/// read, more than the walk saw; the entry's reason says so). Names stay out: a name may
/// hold an identifier, and stderr is not masked.
pub fn notes(s: &Summary) -> Vec<String> {
    let mut out: Vec<String> = s.shard_note.iter().cloned().collect();
    let grew = s
        .entries()
        .filter(|f| f.state == State::Scanned && f.reason.is_some())
        .count();
    if grew > 0 {
        out.push(format!(
            "{grew} file(s) grew while read: their bytes in the ledger are the bytes read"
        ));
    }
    let totals = s.totals();
    let read = totals.scanned + totals.partial;
    if read == 0 {
        match s.entry_count() {
            // A shard that took no entry said so in its own note.
            0 if s.shard_note.is_some() => {}
            0 => out.push("nothing was read: no file was found in the paths given".to_string()),
            n => out.push(format!(
                "nothing was read: every entry ({n}) was skipped or failed (see the ledger)"
            )),
        }
    }
    out
}

/// What a shard took of the walk, for stderr (a batch job's log): counts only, no names.
fn note_of_shard(shard: Shard, s: Share) -> String {
    format!(
        "shard {}/{}: {} of {} entries, {} of {} bytes",
        shard.index, shard.count, s.entries, s.all_entries, s.bytes, s.all_bytes
    )
}

/// Scans one entry read from `r` as if it were a file called `name` (the name hints at the
/// format), on the current rayon pool: every reader behind one call, for fuzzing and tests
/// that need no file on disk. The ledger names the entry `name`; its `bytes` are 0.
pub fn scan_one(r: &mut dyn Read, name: &str, cfg: &ScanConfig, p: &Patterns) -> Summary {
    let slots = [Mutex::default()];
    let acc = Accumulators(&slots);
    let ctx = ScanEnv::new(cfg, p, &acc);
    let at = Origin::top(name.to_string(), 0);
    let (head, eof, err) = read_head(r);
    scan_reader(r, head, eof, err, &at, ctx);
    let [slot] = slots;
    let mut s = slot.into_inner().unwrap_or_else(|e| e.into_inner());
    s.flush_tail();
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

    /// Works on this worker's own summary, its whole ledger in `files`
    /// ([`Summary::flush_tail`]). Chunks add straight into it: a summary per chunk, grown
    /// from empty and merged after, cost a tenth of the run in reallocations.
    fn with<R>(&self, f: impl FnOnce(&mut Summary) -> R) -> R {
        self.with_tail(|mine| {
            mine.flush_tail();
            f(mine)
        })
    }

    /// [`Accumulators::with`] for work that touches the ledger only by
    /// [`Summary::add_entry`]: the worker's newest entries stay in its tail. Only the entries
    /// read whole ([`read_whole`]) go there: any other may be looked up in `files` by name
    /// (its hash, a size that moved), and any code that reads `files` gets the summary
    /// from [`Accumulators::with`].
    fn with_tail<R>(&self, f: impl FnOnce(&mut Summary) -> R) -> R {
        let i = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        f(&mut self.0[i].lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Reads up to `want` more bytes into `buf`; `Ok(false)` at end of input. The spare capacity
/// is zeroed before the read (see [`ChunkBuf`], which the chunks of a large entry use instead).
pub fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    buf.reserve(want);
    let n = r.take(want as u64).read_to_end(buf)?;
    Ok(n == want)
}

/// The first block of `r`, where sniffing starts: its bytes, whether `r` ended inside it, and
/// the read error that stopped it, if any.
pub fn read_head(r: &mut dyn Read) -> (Vec<u8>, bool, Option<io::Error>) {
    read_head_of(r, SNIFF_BYTES as u64)
}

/// [`read_head`] of a file the walk saw hold `size` bytes. A read into spare room zeroes all
/// of it first, and a whole block of zeroes cost a 30-byte file more than the rest of its
/// reading: room for `size` bytes and one more (which tells the end from a file that grew)
/// is read first, and only a file that grew since the walk reads on to a whole block.
pub fn read_head_of(r: &mut dyn Read, size: u64) -> (Vec<u8>, bool, Option<io::Error>) {
    let want = size.saturating_add(1).min(SNIFF_BYTES as u64) as usize;
    let mut head = Vec::with_capacity(want);
    let read = fill(r, &mut head, want).and_then(|more| {
        if more && want < SNIFF_BYTES {
            fill(r, &mut head, SNIFF_BYTES - want)
        } else {
            Ok(more)
        }
    });
    match read {
        Ok(more) => (head, !more, None),
        Err(err) => (head, false, Some(err)),
    }
}

/// Chunk buffers go back here after a worker is done with them: fresh 1 MiB allocations
/// cost page faults that showed up as a fifth of the run time.
#[derive(Default)]
struct BufferPool(Mutex<Vec<ChunkBuf>>);

impl BufferPool {
    fn get(&self) -> ChunkBuf {
        let mut b = self
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default();
        b.len = 0;
        b
    }
    fn put(&self, b: ChunkBuf) {
        let mut pool = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if pool.len() < 64 {
            pool.push(b);
        }
    }
}

/// A chunk's bytes (`bytes[..len]`) in room that stays initialized from one use of the buffer
/// to the next. Reading into a `Vec`'s spare capacity zeroes it first whenever the reader
/// only implements `read` (every wrapper of ours: the counting and hashing reader, the
/// decoders), one store per byte read; here room is zeroed once, when the buffer first grows.
#[derive(Default)]
struct ChunkBuf {
    bytes: Vec<u8>,
    len: usize,
}

impl ChunkBuf {
    /// A buffer holding `v`, all of it.
    fn holding(v: Vec<u8>) -> ChunkBuf {
        ChunkBuf {
            len: v.len(),
            bytes: v,
        }
    }

    fn content(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    fn content_mut(&mut self) -> &mut [u8] {
        &mut self.bytes[..self.len]
    }

    /// Replaces the content with a copy of `from`.
    fn set(&mut self, from: &[u8]) {
        if self.bytes.len() < from.len() {
            self.bytes.resize(from.len(), 0);
        }
        self.bytes[..from.len()].copy_from_slice(from);
        self.len = from.len();
    }

    /// Reads up to `want` more bytes from `r`; `Ok(false)` at end of input. Bytes read before
    /// an error are kept.
    fn fill(&mut self, r: &mut dyn Read, want: usize) -> io::Result<bool> {
        let end = self.len.saturating_add(want);
        // Reserved at once (not zeroed), so the room's steps below move no bytes.
        self.bytes.reserve(end.saturating_sub(self.bytes.len()));
        while self.len < end {
            if self.len == self.bytes.len() {
                // Room grows by as much as it holds, not by all that is wanted at once: a
                // file of a few kilobytes does not zero a whole chunk's room.
                let room = self.bytes.len().max(8 << 10);
                self.bytes.resize(self.len.saturating_add(room).min(end), 0);
            }
            let stop = self.bytes.len().min(end);
            match r.read(&mut self.bytes[self.len..stop]) {
                Ok(0) => return Ok(false),
                Ok(n) => self.len += n.min(stop - self.len),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

/// The extension that hints at the text format: of the last member of a `!` path, and below
/// a compression suffix (`export.csv.gz` is a `csv` once decompressed); lower case, and
/// borrowed from `name` when it is already (every file pays for this, twice: a `String`
/// each time was a thirtieth of a small file's cost).
///
/// Read backwards from the end, a byte at a time, to the first `.` (or `!`): an extension is
/// a few bytes, where two searches of the whole name cost more than the rest of this.
fn extension(name: &str) -> Cow<'_, str> {
    let b = name.as_bytes();
    // The last `.` before `end` in the last member, if any.
    let dot_before = |end: usize| {
        b[..end]
            .iter()
            .rposition(|&c| c == b'.' || c == b'!')
            .filter(|&i| b[i] == b'.')
    };
    let (mut end, Some(mut dot)) = (b.len(), dot_before(b.len())) else {
        return Cow::Borrowed("");
    };
    loop {
        // `.` and `!` are ASCII: a byte position next to one is a char boundary.
        let x = &name[dot + 1..end];
        let compressed = ["gz", "gzip", "bz2", "xz", "zst", "zstd"]
            .iter()
            .any(|c| x.eq_ignore_ascii_case(c));
        if compressed {
            if let Some(inner) = dot_before(dot) {
                (end, dot) = (dot, inner);
                continue;
            }
        }
        return if x.bytes().any(|c| c.is_ascii_uppercase()) {
            Cow::Owned(x.to_ascii_lowercase())
        } else {
            Cow::Borrowed(x)
        };
    }
}

/// Everything a reader below the walk needs, passed down unchanged.
#[derive(Clone, Copy)]
pub struct ScanEnv<'a> {
    pub cfg: &'a ScanConfig,
    pub p: &'a Patterns,
    acc: &'a Accumulators<'a>,
}

impl<'a> ScanEnv<'a> {
    fn new(cfg: &'a ScanConfig, p: &'a Patterns, acc: &'a Accumulators<'a>) -> ScanEnv<'a> {
        ScanEnv { cfg, p, acc }
    }

    /// Adds a ledger entry (and whatever else `s` holds) to this worker's summary.
    pub fn add(&self, s: Summary) {
        self.acc.add(s);
    }

    /// A ledger entry that was not read.
    pub fn entry(&self, at: &Origin, state: State, reason: Reason) {
        let mut f = FileStats::new(state, "", at.bytes).with_reason(reason);
        f.sha256 = at.sha256.take().map(Box::new);
        self.acc.add_file(&at.name, f);
    }
}

/// Where one ledger entry's bytes come from: its name in the ledger, its size, and the
/// containers around it (an entry's origin, carried from the walk down to its chunks).
#[derive(Clone, Debug)]
pub struct Origin {
    /// Its name in the ledger (`a.zip!b.csv`).
    pub name: String,
    /// Its `bytes` in the ledger: the file's size on disk, or a zip member's size.
    pub bytes: u64,
    /// Containers around it.
    pub depth: usize,
    /// Containers that decoded it, for the format (`gzip `).
    pub via: String,
    /// Its SHA-256 when every byte of it was read before its reader started (a small file's
    /// first block): the ledger entry takes it when it is made, so that no search by name
    /// is made after for it (`open::give_hash`).
    pub sha256: Cell<Option<[u8; 32]>>,
}

impl Origin {
    /// An entry outside any container: a walked file or stream.
    fn top(name: String, bytes: u64) -> Origin {
        Origin {
            name,
            bytes,
            depth: 0,
            via: String::new(),
            sha256: Cell::new(None),
        }
    }
}

/// A text entry (delimited, JSON, SQL, plain): BOM, format sniffing, then chunks cut on
/// record boundaries, analyzed on every worker. A binary of no known format (or any entry,
/// when `strings`) is read by the strings pass.
fn scan_text(
    f: TextSource,
    head: Vec<u8>,
    eof: bool,
    first_error: Option<io::Error>,
    at: &Origin,
    ctx: ScanEnv,
    strings: bool,
) {
    let (mut input, utf16) = TextInput::decode(f, head, eof, first_error);
    let Some((layout, header_len, header, strings_name)) = sniffed(&mut input, at, ctx, strings)
    else {
        return;
    };
    let name = strings_name.unwrap_or(layout.format_name());
    // A walked file's format is its reader's name: no `format!` per file.
    let format = if at.via.is_empty() && utf16.is_empty() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{}{utf16}{name}", at.via))
    };
    input.buf.drain(..header_len.min(input.buf.len()));
    // Straight into this worker's summary: a summary per entry, made and added up, cost as
    // much as the rest of a small file's ledger row.
    let mut file = FileStats::new(State::Scanned, &format, at.bytes);
    file.sha256 = at.sha256.take().map(Box::new);
    let limit = ctx.cfg.sample.map(Sample::new);
    let job = Job {
        name: &at.name,
        format: &format,
        p: ctx.p,
        opts: &ctx.cfg.record_options,
        sample: wants_samples(ctx.p)
            && matches!(
                layout,
                Layout::Delimited { named: true, .. } | Layout::JsonLines | Layout::Sql
            ),
        limit: limit.as_ref(),
    };
    let cut_records = if input.eof || input.read_error.is_some() {
        read_whole(&mut input, &layout, job, (file, header), at, ctx);
        0
    } else {
        ctx.acc.with(|mine| {
            add_names(&mut mine.fields, header);
            // Nearly always a new name: one search of the ledger, not a failed one and another.
            match mine.files.entry(at.name.clone()) {
                Slot::Occupied(e) => *e.into_mut() += file,
                Slot::Vacant(e) => {
                    e.insert(file);
                }
            }
        });
        read_chunks(&mut input, &layout, job, ctx)
    };
    let cut = (cut_records > 0).then_some(Reason::RecordsCut {
        count: cut_records,
        max_record: ctx.cfg.max_record,
    });
    let sampled = limit.as_ref().and_then(Sample::reason);
    // One entry with every reason, so the ledger does not depend on which was added first.
    let reasons = input.read_error.into_iter().chain(cut).chain(sampled);
    if let Some(reason) = Reason::all(reasons.collect()) {
        let f = FileStats::new(State::Partial, &format, 0).with_reason(reason);
        ctx.acc.add_file(&at.name, f);
    }
}

/// A text entry being read: the decoded bytes read so far, and the rest behind `reader`.
struct TextInput<'r> {
    reader: TextSource<'r>,
    buf: Vec<u8>,
    eof: bool,
    /// The first read error, as the ledger says it: the bytes before it are still read.
    read_error: Option<Reason>,
}

impl<'r> TextInput<'r> {
    /// From here on `reader` yields UTF-8 (or single-byte text) without a BOM. Also returns
    /// what the format's name says of the decoding (`utf-16 `).
    fn decode(
        f: TextSource<'r>,
        mut head: Vec<u8>,
        eof: bool,
        first_error: Option<io::Error>,
    ) -> (TextInput<'r>, &'static str) {
        let bom = Bom::of(&head);
        // In place: a split at 0 (no BOM, nearly every file) made a second buffer.
        head.drain(..bom.byte_len().min(head.len()));
        let rest = io::Cursor::new(head);
        let read_error = first_error.as_ref().map(error_reason);
        match bom {
            Bom::Utf16Le | Bom::Utf16Be => {
                let mut input = TextInput {
                    reader: TextSource::Wrapped(Box::new(Utf16Reader::new(
                        rest.chain(f),
                        bom == Bom::Utf16Be,
                    ))),
                    buf: Vec::new(),
                    eof,
                    read_error,
                };
                if input.read_error.is_none() {
                    input.fill(SNIFF_BYTES);
                }
                (input, "utf-16 ")
            }
            _ => {
                let input = TextInput {
                    reader: f,
                    buf: rest.into_inner(),
                    eof,
                    read_error,
                };
                (input, "")
            }
        }
    }

    /// Reads up to `want` more bytes into `buf`; a read error ends the input.
    fn fill(&mut self, want: usize) {
        match fill(&mut self.reader, &mut self.buf, want) {
            Ok(more) => self.eof = !more,
            Err(err) => self.read_error = Some(error_reason(&err)),
        }
    }

    /// [`TextInput::fill`] into a chunk buffer.
    fn fill_chunk(&mut self, buf: &mut ChunkBuf, want: usize) {
        match buf.fill(&mut self.reader, want) {
            Ok(more) => self.eof = !more,
            Err(err) => self.read_error = Some(error_reason(&err)),
        }
    }

    /// Reads everything from here, the block already read first, through the strings pass.
    fn strings(&mut self) {
        let reader = self.reader.detach();
        let read = io::Cursor::new(std::mem::take(&mut self.buf)).chain(reader);
        self.reader = TextSource::Wrapped(Box::new(Strings::new(read)));
        // After a read error this still passes the bytes read before it.
        match fill(&mut self.reader, &mut self.buf, SNIFF_BYTES) {
            Ok(more) => self.eof = !more,
            Err(err) => {
                self.read_error.get_or_insert_with(|| error_reason(&err));
            }
        }
    }
}

/// Where a text entry's bytes come from: the entry's own reader, a large file's mapping
/// (whose chunks are cut in place), or a reader around either (a decoder, the strings pass).
/// Only the last is boxed: a box per file was one of a small file's allocations.
enum TextSource<'r> {
    Plain(&'r mut dyn Read),
    Mapped(MappedText<'r>),
    Wrapped(Box<dyn Read + 'r>),
}

impl<'r> TextSource<'r> {
    /// The source, leaving one that reads nothing in its place.
    fn detach(&mut self) -> TextSource<'r> {
        std::mem::replace(self, TextSource::Wrapped(Box::new(io::empty())))
    }
}

impl Read for TextSource<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            TextSource::Plain(r) => r.read(buf),
            TextSource::Mapped(m) => m.read(buf),
            TextSource::Wrapped(r) => r.read(buf),
        }
    }
}

/// How a text entry is read, from its first block: its layout, the header's length and
/// names, and `strings` when it goes through the strings pass. `None` when it is not read
/// (its ledger entry is made here).
fn sniffed(
    input: &mut TextInput,
    at: &Origin,
    ctx: ScanEnv,
    strings: bool,
) -> Option<(Layout, usize, Vec<String>, Option<&'static str>)> {
    let sniffed = if strings {
        Sniff::Strings
    } else {
        sniff(&input.buf, &extension(&at.name), ctx.p, &|cells| {
            is_header(cells, ctx.p)
        })
    };
    match sniffed {
        Sniff::Strings => {
            input.strings();
            Some((Layout::Text, 0, Vec::new(), Some("strings")))
        }
        Sniff::Skip(r) => {
            let state = if input.read_error.is_some() && input.buf.is_empty() {
                State::Failed
            } else {
                State::Skipped
            };
            ctx.entry(at, state, input.read_error.take().unwrap_or(r.into()));
            None
        }
        Sniff::Unsupported(r) => {
            ctx.entry(at, State::Failed, Reason::NotReadYet(r));
            None
        }
        Sniff::Records(format) => {
            let reader = input.reader.detach();
            let read = io::Cursor::new(std::mem::take(&mut input.buf)).chain(reader);
            scan_records(format, Source::Stream(Box::new(read)), at, ctx);
            None
        }
        Sniff::Read {
            layout,
            header_len,
            header,
        } => Some((layout, header_len, header, None)),
    }
}

/// A text entry whose every byte is in `input.buf` (a small file, or the bytes before a read
/// error): one chunk, as [`read_chunks`] would cut it, analyzed here on this worker, its share
/// of the ledger row added to the entry's own `file` before the row goes in. A chunk handed to
/// the pool and a second search of the ledger for its share were a fifth of a small file's
/// cost. `header` holds the field names the header gave.
fn read_whole(
    input: &mut TextInput,
    layout: &Layout,
    job: Job,
    (mut file, header): (FileStats, Vec<String>),
    at: &Origin,
    ctx: ScanEnv,
) {
    let mut cutter = Cutter::new(layout, ctx.cfg.max_record);
    let reader = match cutter.sql_state() {
        Some(state) => Reader::Sql(state),
        None => Reader::Text(layout),
    };
    let end = cutter.next(&mut input.buf, layout, true, ctx.p);
    let chunk = &input.buf[..end.unwrap_or(input.buf.len())];
    ctx.acc.with_tail(|mine| {
        add_names(&mut mine.fields, header);
        if !chunk.is_empty() {
            // A reader that panics still leaves the entry's row, as when it was added first.
            let run = std::panic::AssertUnwindSafe(|| job.analyze(mine, &reader, chunk, 0, true));
            match std::panic::catch_unwind(run) {
                Ok(share) => file += share,
                Err(panic) => {
                    mine.add_entry(&at.name, file);
                    std::panic::resume_unwind(panic);
                }
            }
        }
        mine.add_entry(&at.name, file);
    });
}

/// Cuts a text entry into chunks on record boundaries and hands them to the workers, until
/// its end or the last record `--sample` reads. Returns the records cut at `--max-record`.
fn read_chunks<'r>(input: &mut TextInput<'r>, layout: &Layout, job: Job, ctx: ScanEnv) -> u64 {
    let cfg = ctx.cfg;
    let pool = BufferPool::default();
    let in_flight = InFlight::for_job(&job);
    let mut cutter = Cutter::new(layout, cfg.max_record);
    let (mut offset, mut grow) = (0u64, false);
    let mut buf = ChunkBuf::holding(std::mem::take(&mut input.buf));
    rayon::in_place_scope(|scope| loop {
        if !input.eof && input.read_error.is_none() {
            let want = window(cfg, buf.len, grow);
            input.fill_chunk(&mut buf, want);
        }
        let done = input.eof || input.read_error.is_some();
        let start = cutter.sql_state();
        grow = true;
        let Some(cut) = cutter.next(buf.content_mut(), layout, done, ctx.p) else {
            continue;
        };
        let mut rest = pool.get();
        rest.set(&buf.content()[cut..]);
        // A rest longer than a chunk is searched again only with at least as many new bytes,
        // so that each byte is searched a bounded number of times (linear time on any record); a
        // usual rest, part of one record, is shorter.
        grow = rest.len > cfg.chunk_size;
        buf.len = cut;
        let chunk = std::mem::replace(&mut buf, rest);
        let chunk_at = offset;
        offset += chunk.len as u64;
        if chunk.len > 0 {
            let reader = match start {
                Some(state) => Reader::Sql(state),
                None => Reader::Text(layout),
            };
            let pool = &pool;
            in_flight.run(scope, move || {
                ctx.acc
                    .with(|s| job.run(s, &reader, chunk.content(), chunk_at, chunk_at == 0));
                pool.put(chunk);
            });
        }
        if done {
            break;
        }
        if let Some(limit) = job.limit.filter(|l| l.spent()) {
            // Sampled chunks run here, one by one: the sample is read, the rest is not.
            limit.left_unread();
            break;
        }
        let TextSource::Mapped(m) = &mut input.reader else {
            continue;
        };
        if cutter.in_place() && job.limit.is_none() && m.holds(buf.len) {
            let map = m.mapping();
            let mut send = |chunk: &'r [u8]| {
                let chunk_at = offset;
                offset += chunk.len() as u64;
                in_flight.run(scope, move || {
                    ctx.acc.with(|s| {
                        job.run(s, &Reader::Text(layout), chunk, chunk_at, chunk_at == 0)
                    });
                    map.release(chunk);
                });
            };
            grow = cut_in_place(m, &mut buf, &mut cutter, layout, cfg, grow, &mut send);
        }
    });
    cutter.cut_records
}

/// How many bytes to read next onto the `held` bytes not yet cut: a chunk's size, or, after
/// a search that found no boundary (`grow`), as much again as is held (searching the whole
/// buffer once per chunk would make a long record quadratic); never past the record limit.
/// A file read in place takes the same windows ([`cut_in_place`]), so the same chunks.
fn window(cfg: &ScanConfig, held: usize, grow: bool) -> usize {
    let want = if grow {
        held.max(cfg.chunk_size)
    } else {
        cfg.chunk_size
    };
    want.min(cfg.max_record.saturating_sub(held)).max(1)
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
        self.settle(found, buf.len())
    }

    /// Whether chunks may be cut from bytes that are not ours to change (a mapped file):
    /// no JSON envelope to blank, no SQL statement context to carry.
    fn in_place(&self) -> bool {
        self.sql.is_none() && self.json.is_none()
    }

    /// [`Cutter::next`] before the input's end, for a cutter that works [`Cutter::in_place`].
    fn next_in_place(&mut self, buf: &[u8], layout: &Layout) -> Option<usize> {
        debug_assert!(self.in_place());
        self.settle(layout.boundary(buf), buf.len())
    }

    /// The chunk's end from the boundary `found` in a buffer of `len` bytes, or `None` to
    /// read more; a buffer at the record limit is cut.
    fn settle(&mut self, found: Option<usize>, len: usize) -> Option<usize> {
        match found {
            // A buffer grown to the record limit whose last boundary lies in its first half:
            // each new start reads a little more as a record (JSON restarted in an array of
            // arrays takes every line for one) and the rest, searched again for every few
            // bytes taken, made the read quadratic. It is one over-long record instead; data
            // whose records end is never cut so (its search at half the limit found the
            // boundary): linear time on any record. The envelope cutter keeps its own place, so it
            // never searches a byte twice.
            Some(b) if self.json.is_none() && len >= self.max_record && b < len / 2 => {
                self.cut_records += 1;
                Some(len)
            }
            Some(b) => Some(b),
            None if len < self.max_record => None,
            None => {
                self.cut_records += 1;
                if let Some(j) = &mut self.json {
                    j.force();
                }
                Some(len)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_workers_ledgers_add_up_as_their_entries_do() {
        use crate::summary::{add_file, FileStats, State, Summary};
        use std::collections::BTreeMap;
        for workers in [1, 2, 3, 5] {
            let mut parts: Vec<Summary> = (0..workers).map(|_| Summary::default()).collect();
            let mut want = BTreeMap::new();
            for i in 0..300u64 {
                let name = format!("d/{:03}", i * 7 % 300);
                // Some names in two or three ledgers, as chunks of one file on many workers.
                for share in 0..1 + i % 3 {
                    let mut f = FileStats::new(State::Scanned, "csv", i * (share + 1));
                    f.records = share + 1;
                    if share == 2 {
                        f.state = State::Partial;
                    }
                    let w = (i + share * 2) as usize % workers;
                    add_file(&mut parts[w].files, &name, f.clone());
                    add_file(&mut want, &name, f);
                }
            }
            assert_eq!(super::one_ledger(&mut parts), want, "{workers} workers");
            assert!(parts.iter().all(|p| p.files.is_empty()));
        }
    }

    #[test]
    fn extension_looks_below_compression_and_archives() {
        assert_eq!(super::extension("a/export.CSV.gz"), "csv");
        assert_eq!(super::extension("a.zip!d/x.tsv.bz2"), "tsv");
        assert_eq!(super::extension("a.zip!d/x.txt"), "txt");
        assert_eq!(super::extension("plain.gz"), "gz");
        assert_eq!(super::extension("noext"), "");
        assert_eq!(super::extension("a.b/c.TxT"), "txt");
        assert_eq!(super::extension("a.GZ"), "gz");
        assert_eq!(super::extension("x.Csv.GZ"), "csv");
        assert_eq!(super::extension("é.tar.XZ"), "tar");
        assert_eq!(super::extension("a.zip!b"), "");
        assert_eq!(super::extension("ktp.é"), "é");
        // A `.` before the last `!` is the container's, not the member's.
        assert_eq!(super::extension("a.zip!b.gz"), "gz");
        assert_eq!(super::extension("a.zip!b.x!c"), "");
        assert_eq!(super::extension("a.tar!b.json.XZ"), "json");
        assert_eq!(super::extension("a.gz"), "gz");
        assert_eq!(super::extension("d/.gz"), "gz");
        assert_eq!(super::extension(""), "");
        assert_eq!(super::extension("x.csv.gz.gz"), "csv");
        assert!(matches!(
            super::extension("d/x.csv"),
            std::borrow::Cow::Borrowed("csv")
        ));
    }

    /// The two searches `extension` made before it read backwards, as the reference.
    fn extension_by_search(name: &str) -> String {
        let mut last = match memchr::memrchr(b'!', name.as_bytes()) {
            Some(bang) => &name[bang + 1..],
            None => name,
        };
        loop {
            let Some(dot) = memchr::memrchr(b'.', last.as_bytes()) else {
                return String::new();
            };
            let (stem, x) = (&last[..dot], &last[dot + 1..]);
            let compressed = ["gz", "gzip", "bz2", "xz", "zst", "zstd"]
                .iter()
                .any(|c| x.eq_ignore_ascii_case(c));
            if compressed && stem.contains('.') {
                last = stem;
                continue;
            }
            return x.to_ascii_lowercase();
        }
    }

    #[test]
    fn extension_read_backwards_matches_the_searches() {
        // Every name of up to six bytes from the bytes that matter, and some longer ones.
        let parts = ["", ".", "!", "a", "gz", "Csv", "ZST", "é", "/"];
        let mut names = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = names
                .iter()
                .flat_map(|n| parts.iter().map(move |p| format!("{n}{p}")))
                .collect();
            names.extend(longer);
        }
        for name in names {
            assert_eq!(
                super::extension(&name),
                extension_by_search(&name),
                "{name:?}"
            );
        }
    }

    #[test]
    fn a_head_read_to_the_walked_size_still_reads_a_grown_file_to_a_block() {
        use crate::formats::sniff::SNIFF_BYTES;
        let data = vec![b'x'; SNIFF_BYTES + 10];
        for (len, size, head_len, eof) in [
            (30, 30, 30, true),
            (0, 0, 0, true),
            // Grew since the walk: the head is the whole block, as without a size.
            (SNIFF_BYTES + 10, 30, SNIFF_BYTES, false),
            (100, 30, 100, true),
        ] {
            let (head, at_end, err) = super::read_head_of(&mut &data[..len], size);
            assert_eq!(
                (head.len(), at_end),
                (head_len, eof),
                "{len} bytes, walked {size}"
            );
            assert!(head.iter().all(|&b| b == b'x') && err.is_none());
        }
    }

    /// Hands out at most 3 bytes a read, then fails once `fail_at` bytes are out.
    struct Trickle<'a> {
        data: &'a [u8],
        out: usize,
        fail_at: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.out >= self.fail_at {
                return Err(std::io::Error::other("bad sector"));
            }
            let n = buf.len().min(3).min(self.data.len() - self.out);
            buf[..n].copy_from_slice(&self.data[self.out..self.out + n]);
            self.out += n;
            Ok(n)
        }
    }

    #[test]
    fn a_chunk_buffer_reads_what_is_wanted_keeps_its_room_and_the_bytes_before_an_error() {
        let data: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
        let mut r = Trickle {
            data: &data,
            out: 0,
            fail_at: usize::MAX,
        };
        let mut buf = super::ChunkBuf::holding(b"head".to_vec());
        assert!(buf.fill(&mut r, 20_000).unwrap());
        assert_eq!(buf.content(), [&b"head"[..], &data[..20_000]].concat());
        // Reused with stale bytes in its room: only what is read counts.
        buf.set(b"xy");
        assert!(!buf.fill(&mut r, 40_000).unwrap());
        assert_eq!(buf.content(), [&b"xy"[..], &data[20_000..]].concat());
        let mut r = Trickle {
            data: &data,
            out: 0,
            fail_at: 10,
        };
        buf.len = 0;
        assert!(buf.fill(&mut r, 100).is_err());
        assert_eq!(buf.content(), &data[..12]);
    }
}
