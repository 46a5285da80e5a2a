//! THE chunk job: one chunk of any reader (text, SQL dump, sheet rows), read into an
//! [`Analyzer`] on one worker and added to that worker's summary (an entry's first chunk
//! also into attribution's [`ShapeSampler`], through the same reader), and the back-pressure
//! that hands chunks to the workers ([`InFlight`]).
//!
//! Imports the readers (`formats`) it drives, the sinks it feeds (`analyze`), and `summary`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::analyze::options::RecordOptions;
use crate::analyze::shapes::ShapeSampler;
use crate::analyze::Analyzer;
use crate::bytes::text;
use crate::formats::layout::Layout;
use crate::formats::packed::read_packed;
use crate::formats::sheet::SheetColumns;
use crate::formats::sql;
use crate::formats::sql::lexer::SqlState;
use crate::record::{Field, RecordSink};
use crate::rules::{normalize_field_name, Patterns, Role};
use crate::summary::{add_file, FileStats, Reason, State, Summary};

/// How a chunk's bytes are read into records.
pub enum Reader<'a> {
    /// Delimited, JSON, lines: the layout sniffed from the file's first block.
    Text(&'a Layout),
    /// An SQL dump's chunk, from the statement context it starts in.
    Sql(SqlState),
    /// A sheet's packed rows, under its header's columns.
    Sheet(&'a SheetColumns),
    /// Records a format's own reader packed (`formats::records`).
    Packed,
}

/// What every chunk of one entry shares: its ledger name and format, the scan's rules and
/// per-record options, whether its first records are sampled for attribution's value
/// shapes, and the records `--sample` still lets it read.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    pub name: &'a str,
    pub format: &'a str,
    pub p: &'a Patterns,
    pub opts: &'a RecordOptions,
    pub sample: bool,
    pub limit: Option<&'a Sample>,
}

impl Job<'_> {
    /// One chunk, start to end, on one worker, added to that worker's summary `s`; `offset`
    /// is where the chunk starts in the entry's (decoded) bytes, the key that orders its
    /// `--records` rows. The first records of a `first` chunk (a file's or a sheet's) are
    /// also the entry's value sample.
    pub fn run(&self, s: &mut Summary, reader: &Reader, chunk: &[u8], offset: u64, first: bool) {
        let file = self.analyze(s, reader, chunk, offset, first);
        add_file(&mut s.files, self.name, file);
    }

    /// [`Job::run`] but for the ledger: returns the chunk's share of its entry's row, for a
    /// caller that adds it together with the entry's own (one search of the ledger, not two).
    pub fn analyze(
        &self,
        s: &mut Summary,
        reader: &Reader,
        chunk: &[u8],
        offset: u64,
        first: bool,
    ) -> FileStats {
        if self.sample && first {
            let mut sampler = ShapeSampler::default();
            self.read(reader, chunk, &mut sampler);
            sampler.tally(self.p, &mut s.shapes);
        }
        let file = FileStats::new(State::Scanned, self.format, 0);
        let mut a = Analyzer::with_options(self.p, self.opts, &mut s.stats, file);
        match self.limit {
            None => self.read(reader, chunk, &mut a),
            Some(limit) => self.read(reader, chunk, &mut Limited::new(&mut a, limit)),
        }
        let (file, rows, names) = a.into_parts();
        if let Some(spill) = &self.opts.rows {
            s.rows
                .push(spill.chunk(self.name, offset, file.records, &rows.bytes));
        }
        add_names(&mut s.fields, names.iter().map(|n| text(n)));
        file
    }

    /// Reads one chunk's records into `sink`.
    fn read<S: RecordSink>(&self, reader: &Reader, chunk: &[u8], sink: &mut S) {
        match reader {
            Reader::Text(layout) => layout.read(chunk, self.p, sink),
            Reader::Sql(state) => sql::read(chunk, state, self.p, sink),
            Reader::Sheet(columns) => columns.read(chunk, sink),
            Reader::Packed => read_packed(chunk, self.p, sink),
        }
    }
}

/// `--sample N` for one entry: the records it may still read, and whether any record was
/// left out. Its chunks run one after the other, in order ([`InFlight::for_job`]), so the
/// records read are the first N, whatever the thread count.
pub struct Sample {
    n: u64,
    left: AtomicU64,
    cut: AtomicBool,
}

impl Sample {
    pub fn new(n: u64) -> Sample {
        Sample {
            n,
            left: AtomicU64::new(n),
            cut: AtomicBool::new(false),
        }
    }

    /// Every record the sample reads has been read.
    pub fn spent(&self) -> bool {
        self.left.load(Ordering::Relaxed) == 0
    }

    /// The entry holds more than was read.
    pub fn left_unread(&self) {
        self.cut.store(true, Ordering::Relaxed);
    }

    /// The ledger's reason, when the sample left records of the entry unread.
    pub fn reason(&self) -> Option<Reason> {
        self.cut
            .load(Ordering::Relaxed)
            .then_some(Reason::Sampled(self.n))
    }

    /// Makes `file` `partial` when the sample left records unread, its reason last.
    pub fn mark(&self, file: &mut FileStats) {
        let Some(r) = self.reason() else { return };
        if file.state == State::Scanned {
            file.state = State::Partial;
        }
        file.reason = Some(Box::new(match file.reason.take() {
            Some(before) => before.and(r),
            None => r,
        }));
    }
}

/// A sink that hands on the records a [`Sample`] still lets through, counted as the
/// analyzer counts records (one with a non-blank field), and drops the rest.
struct Limited<'s, S> {
    sink: &'s mut S,
    limit: &'s Sample,
    keep: bool,
    nonblank: bool,
}

impl<'s, S: RecordSink> Limited<'s, S> {
    fn new(sink: &'s mut S, limit: &'s Sample) -> Self {
        Limited {
            sink,
            limit,
            keep: false,
            nonblank: false,
        }
    }
}

impl<S: RecordSink> RecordSink for Limited<'_, S> {
    fn begin(&mut self) {
        self.keep = !self.limit.spent();
        self.nonblank = false;
        if self.keep {
            self.sink.begin();
        }
    }

    fn field(&mut self, role: Role, value: &[u8], named: bool) {
        let blank = value.trim_ascii().is_empty();
        self.nonblank |= !blank;
        if self.keep {
            self.sink.field(role, value, named);
        } else if !blank {
            self.limit.left_unread();
        }
    }

    fn unheld(&mut self, fields: &[Field]) {
        if self.keep {
            self.sink.unheld(fields);
        }
    }

    fn end(&mut self, held: &[Field], named: bool) {
        if self.keep {
            self.sink.end(held, named);
            if self.nonblank {
                self.limit.left.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }

    fn name(&mut self, written: &[u8]) {
        self.sink.name(written);
    }
}

/// Field names as written (a header's cells, JSON keys, SQL columns) into the summary's
/// names, under their normalized form: attribution looks the profiles' names up there.
pub fn add_names(
    fields: &mut BTreeMap<String, BTreeSet<String>>,
    written: impl IntoIterator<Item = String>,
) {
    for w in written {
        let norm = normalize_field_name(w.as_bytes());
        if !norm.is_empty() {
            fields.entry(norm).or_default().insert(w);
        }
    }
}

/// Chunks queued for the workers. The reading thread hands a chunk over while fewer than two
/// per worker wait; beyond that it analyzes the chunk itself, which also bounds memory.
pub struct InFlight {
    queued: AtomicUsize,
    max: usize,
}

impl Default for InFlight {
    /// For the current rayon pool.
    fn default() -> InFlight {
        InFlight {
            queued: AtomicUsize::new(0),
            max: 2 * rayon::current_num_threads(),
        }
    }
}

impl InFlight {
    /// For the chunks of `job`: those of a sampled entry are analyzed in order on the reading
    /// thread, so that its first records are the ones read.
    pub fn for_job(job: &Job) -> InFlight {
        match job.limit {
            Some(_) => InFlight {
                queued: AtomicUsize::new(0),
                max: 0,
            },
            None => InFlight::default(),
        }
    }

    /// Runs `job` on another worker of `scope`, or here when enough are queued.
    pub fn run<'s>(&'s self, scope: &rayon::Scope<'s>, job: impl FnOnce() + Send + 's) {
        if self.queued.load(Ordering::Acquire) < self.max {
            self.queued.fetch_add(1, Ordering::AcqRel);
            scope.spawn(move |_| {
                job();
                self.queued.fetch_sub(1, Ordering::AcqRel);
            });
        } else {
            job();
        }
    }
}
