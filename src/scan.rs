//! The scan: walk the paths, read every file in chunks that end on record boundaries, analyze
//! the chunks on all workers (also the chunks of one large file), and add up the summaries.
//!
//! Determinism: chunk boundaries depend only on the bytes (never on the thread count), and
//! every statistic merges commutatively, so any number of threads gives the same summary.

use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::analyze::Analyzer;
use crate::decode::{sniff, Bom, Sniff, Utf16Reader, SNIFF_BYTES};
use crate::extras::Extras;
use crate::patterns::{normalize_field_name, Patterns};
use crate::records::{KeyRoles, Layout};
use crate::summary::{FileStats, State, Summary};
use crate::walk::{walk, Entry, EntryKind};

/// What a scan needs to know; built from the command line in exactly one place (`cli`).
#[derive(Clone, Debug)]
pub struct ScanConfig {
    pub paths: Vec<PathBuf>,
    pub threads: usize,
    /// Files this run writes: never read as input.
    pub exclude: Vec<PathBuf>,
    /// Bytes per chunk handed to a worker.
    pub chunk_size: usize,
    /// A record that grows past this without a boundary is cut here.
    pub max_record: usize,
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
    // Each worker's leftover buffers are sorted in parallel, kind by kind, before the
    // (cheap, run-merging) sum of the slots.
    let mut parts: Vec<Summary> = slots
        .into_iter()
        .map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    pool.install(|| parts.par_iter_mut().for_each(Summary::compact));
    let mut summary = Summary::default();
    for part in parts {
        summary += part;
    }
    pool.install(|| summary.compact());
    Ok(summary)
}

/// One summary per worker thread. A worker only ever locks its own slot, so the lock is never
/// contended; the slots are added up once at the end, in any order.
struct Accumulators<'a>(&'a [Mutex<Summary>]);

impl Accumulators<'_> {
    fn add(&self, s: Summary) {
        let i = rayon::current_thread_index().unwrap_or(0) % self.0.len();
        *self.0[i].lock().unwrap_or_else(|e| e.into_inner()) += s;
    }
}

fn scan_entry(e: &Entry, cfg: &ScanConfig, p: &Patterns, progress: &Progress, acc: &Accumulators) {
    let mut s = Summary::default();
    let fs = match &e.kind {
        EntryKind::Skip(r) => FileStats::new(State::Skipped, "", e.size).with_reason(r.clone()),
        EntryKind::Fail(r) => FileStats::new(State::Failed, "", e.size).with_reason(r.clone()),
        EntryKind::File => match File::open(&e.path) {
            Ok(f) => return scan_file(f, e, cfg, p, progress, acc),
            Err(err) => {
                FileStats::new(State::Failed, "", e.size).with_reason(format!("cannot open: {err}"))
            }
        },
    };
    s.files.insert(e.name.clone(), fs);
    acc.add(s);
}

/// Reads up to `want` more bytes into `buf`; `Ok(false)` at end of input. `read_to_end` on
/// a `take` does not zero the spare capacity first, unlike a `resize` + `read`.
fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    buf.reserve(want);
    let n = r.take(want as u64).read_to_end(buf)?;
    Ok(n == want)
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

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, x)| x.to_ascii_lowercase())
        .unwrap_or_default()
}

fn scan_file(
    mut f: File,
    e: &Entry,
    cfg: &ScanConfig,
    p: &Patterns,
    progress: &Progress,
    acc: &Accumulators,
) {
    let mut out = Summary::default();
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut eof = false;
    let mut read_error: Option<String> = None;
    match fill(&mut f, &mut head, SNIFF_BYTES) {
        Ok(more) => eof = !more,
        Err(err) => read_error = Some(format!("read error: {err}")),
    }
    let bom = Bom::of(&head);
    // From here on `reader` yields UTF-8 (or single-byte text) without a BOM.
    let rest = io::Cursor::new(head.split_off(bom.byte_len().min(head.len())));
    let (mut reader, mut buf): (Box<dyn Read + Send>, Vec<u8>) = match bom {
        Bom::Utf16Le | Bom::Utf16Be => {
            let mut r: Box<dyn Read + Send> =
                Box::new(Utf16Reader::new(rest.chain(f), bom == Bom::Utf16Be));
            let mut b = Vec::new();
            match fill(&mut r, &mut b, SNIFF_BYTES) {
                Ok(more) => eof = !more,
                Err(err) => read_error = Some(format!("read error: {err}")),
            }
            (r, b)
        }
        _ => (Box::new(f), rest.into_inner()),
    };
    let format_hint = match bom {
        Bom::Utf16Le | Bom::Utf16Be => "utf-16 ",
        _ => "",
    };

    let (layout, header_len, header) = match sniff(&buf, &extension(&e.name), p) {
        Sniff::Skip(r) => {
            let state = if read_error.is_some() && buf.is_empty() {
                State::Failed
            } else {
                State::Skipped
            };
            out.files.insert(
                e.name.clone(),
                FileStats::new(state, "", e.size).with_reason(read_error.unwrap_or(r)),
            );
            progress.done.fetch_add(e.size, Ordering::Relaxed);
            acc.add(out);
            return;
        }
        Sniff::Unsupported(r) => {
            out.files.insert(
                e.name.clone(),
                FileStats::new(State::Failed, "", e.size).with_reason(r),
            );
            progress.done.fetch_add(e.size, Ordering::Relaxed);
            acc.add(out);
            return;
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
    crate::attribute::sample(&layout, &buf, &header, p, &mut out.shapes);
    let format = format!("{format_hint}{}", layout.format_name());
    let file = FileStats::new(State::Scanned, &format, e.size);
    out.files.insert(e.name.clone(), file);

    acc.add(out);
    let pool = BufferPool::default();
    let in_flight = AtomicUsize::new(0);
    let max_in_flight = 2 * rayon::current_num_threads();
    let name = e.name.as_str();
    let layout = &layout;
    let format = format.as_str();
    let x = &*cfg.extras;
    let mut offset = 0u64;

    rayon::scope(|scope| {
        loop {
            if !eof && read_error.is_none() {
                match fill(&mut reader, &mut buf, cfg.chunk_size) {
                    Ok(more) => eof = !more,
                    Err(err) => read_error = Some(format!("read error: {err}")),
                }
            }
            let done = eof || read_error.is_some();
            let cut = if done {
                buf.len()
            } else {
                match layout.boundary(&buf) {
                    Some(b) => b,
                    None if buf.len() < cfg.max_record => continue,
                    None => buf.len(),
                }
            };
            let mut rest = pool.get();
            rest.extend_from_slice(&buf[cut..]);
            buf.truncate(cut);
            let chunk = std::mem::replace(&mut buf, rest);
            let at = offset;
            offset += chunk.len() as u64;
            if !chunk.is_empty() {
                progress
                    .done
                    .fetch_add(chunk.len() as u64, Ordering::Relaxed);
                if in_flight.load(Ordering::Acquire) < max_in_flight {
                    in_flight.fetch_add(1, Ordering::AcqRel);
                    let (in_flight, pool) = (&in_flight, &pool);
                    scope.spawn(move |_| {
                        let s = analyze_chunk(layout, &chunk, name, format, p, x, at);
                        pool.put(chunk);
                        acc.add(s);
                        in_flight.fetch_sub(1, Ordering::AcqRel);
                    });
                } else {
                    // Enough queued: this thread works too, which also bounds memory.
                    let s = analyze_chunk(layout, &chunk, name, format, p, x, at);
                    pool.put(chunk);
                    acc.add(s);
                }
            }
            if done {
                break;
            }
        }
    });
    if let Some(err) = read_error {
        let mut s = Summary::default();
        s.files.insert(
            name.to_string(),
            FileStats::new(State::Partial, format, 0).with_reason(err),
        );
        acc.add(s);
    }
}

/// One chunk, start to end, on one worker; `offset` is where the chunk starts in the file's
/// (decoded) bytes, the key that orders `--records` rows.
pub fn analyze_chunk(
    layout: &Layout,
    chunk: &[u8],
    name: &str,
    format: &str,
    p: &Patterns,
    x: &Extras,
    offset: u64,
) -> Summary {
    let mut s = Summary::default();
    let mut analyzer = Analyzer::with_extras(p, x);
    let mut keys = KeyRoles::default();
    let mut file = FileStats::new(State::Scanned, format, 0);
    let stats = &mut s.stats;
    layout.for_each_record(chunk, p, &mut keys, |fields, named| {
        analyzer.record(fields, named, stats, &mut file)
    });
    for k in keys.seen {
        let norm = normalize_field_name(&k);
        if !norm.is_empty() {
            s.fields
                .entry(norm)
                .or_default()
                .insert(String::from_utf8_lossy(&k).into_owned());
        }
    }
    if let Some(spill) = &x.rows {
        s.rows
            .push(spill.chunk(name, offset, file.records, &analyzer.rows.bytes));
    }
    s.files.insert(name.to_string(), file);
    s
}
