//! Opening: what to do with each walked entry, stream, zip member or workbook. A container
//! is opened here (a compressed stream behind the limits guard, a zip archive member by member
//! as `input::zip` hands them back, a workbook to the sheet reader), nested to the depth the
//! limits allow, and anything else goes to the text reader (`scan_text`). A file's size is
//! watched while it is read (SPEC §3), and every entry read as a stream (a
//! file, standard input, an archive member) is hashed as its bytes go by ([`Counted`]).

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::formats::magic::{classify, Magic};
use crate::formats::records::{Records, Source};
use crate::formats::sheet::kind::{ole2_kind, Ole2Kind};
use crate::formats::sheet::{checks, Book};
use crate::formats::sniff::{NotData, SNIFF_BYTES};
use crate::input::archive::{self, spill, too_large, Container, Guard};
use crate::input::mapped::Mapping;
use crate::input::walk::{open_file, open_stream, Entry, EntryKind, Outputs};
use crate::input::zip::{self, workbook_too_large, zip_kind, Body, Member, Special, ZipKind};
use crate::input::{mail, pipe};
use crate::scan::archives::{scan_mail, scan_rar, scan_sevenz, scan_tar};
use crate::scan::book::scan_book;
use crate::scan::inplace::{MappedSource, MappedText};
use crate::scan::panics::Quiet;
use crate::scan::records::scan_records;
use crate::scan::{
    extension, fill, read_head, read_head_of, scan_text, Origin, Progress, ScanEnv, TextSource,
};
use crate::summary::Summary;
use crate::summary::{FileStats, Reason, State};

/// One walked entry. A panic in a reader (ours, or a parser's such as calamine's) fails this
/// entry with the reason instead of ending the scan: every other file is still read. The
/// ledger then tells of the panic, so it is not also printed on stderr ([`Quiet`]). A file
/// found to be one of the `outputs` when opened is noted there.
pub(super) fn scan_entry(e: &Entry, ctx: ScanEnv, progress: &Progress, outputs: &Outputs) {
    let run = std::panic::AssertUnwindSafe(|| read_entry(e, ctx, progress, outputs));
    let quiet = Quiet::new();
    let result = std::panic::catch_unwind(run);
    drop(quiet);
    if let Err(panic) = result {
        let msg = panic
            .downcast_ref::<&str>()
            .map(|m| m.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".into());
        ctx.acc.add_file(
            &e.name,
            FileStats::new(State::Failed, "", 0).with_reason(Reason::Crashed(msg)),
        );
    }
}

fn read_entry(e: &Entry, ctx: ScanEnv, progress: &Progress, outputs: &Outputs) {
    // The size the walk saw: a regular file's is not looked at before it is opened.
    let walked = e.size.unwrap_or(0);
    let (state, bytes, reason) = match &e.kind {
        EntryKind::Symlink => (State::Skipped, walked, Reason::Symlink),
        EntryKind::Special => (State::Skipped, walked, Reason::NotRegular),
        EntryKind::CannotReadDirectory(err) => (
            State::Failed,
            walked,
            Reason::CannotReadDirectory(err.clone()),
        ),
        EntryKind::CannotList(err) => (State::Failed, walked, Reason::CannotList(err.clone())),
        EntryKind::CannotExamine(err) => {
            (State::Failed, walked, Reason::CannotExamine(err.clone()))
        }
        EntryKind::File => match open_file(e) {
            Ok((f, told)) => {
                outputs.check(told, &e.name, &e.path);
                return scan_file(f, told.size, e, ctx, progress);
            }
            Err(err) => (State::Failed, walked, Reason::CannotOpen(err.to_string())),
        },
        EntryKind::Stream => match open_stream(&e.path) {
            Ok(mut f) => return scan_stream(&mut f, e, ctx),
            Err(err) => (State::Failed, 0, Reason::CannotOpen(err.to_string())),
        },
        EntryKind::Stdin => return scan_stream(&mut io::stdin().lock(), e, ctx),
    };
    ctx.acc.add_file(
        &e.name,
        FileStats::new(state, "", bytes).with_reason(reason),
    );
}

/// A walked file, open, that holds `size` bytes as its descriptor told after the open: its
/// ledger `bytes`, and the size a change while it is read is told against (SPEC §3). A change
/// before the open is no change while read: the file is read as it was when opened.
fn scan_file(f: File, size: u64, e: &Entry, ctx: ScanEnv, progress: &Progress) {
    let at = Origin::top(e.name.clone(), size);
    // Progress is the bytes read off the disk: a compressed file moves the bar as it is read.
    let mut f = Counted::new(f, Some(&progress.done));
    let (head, eof, read_error) = file_head(&mut f, size);
    let (read, now) =
        if let Some(format) = read_error.is_none().then(|| in_place(&head, e)).flatten() {
            // A database is opened in place too, by the file's own descriptor: never copied.
            in_place_read(f.inner, &at, ctx, |f| {
                scan_records(format, Source::File(f), &at, ctx)
            })
        } else if read_error.is_none()
            && matches!(
                Container::by_magic(&head),
                Some(Container::Zip | Container::Ole2 | Container::SevenZ)
            )
        {
            // Random access: the archive is read in place.
            in_place_read(f.inner, &at, ctx, |f| open_seekable(f, &at, ctx))
        } else {
            let offered = offer_hash(&f, eof && read_error.is_none(), &at);
            let mut cut_short = false;
            if let Some(head) = scan_compressed_file(&mut f, head, eof, &at, ctx) {
                match mappable(&f, size, (&head, eof), &read_error, ctx) {
                    Some(map) => {
                        let read = f.read;
                        let text = TextSource::Mapped(MappedText::new(&map, read, &mut f));
                        scan_text(text, head, false, None, &at, ctx, false);
                        cut_short = map.cut_short();
                    }
                    None => scan_reader(&mut f, head, eof, read_error, &at, ctx),
                }
            }
            give_hash(&mut f, offered, &at, ctx);
            // The size once read, from the descriptor still open: no second one for a small
            // file; no look at all when its one read ended at the size it had when opened.
            let now = if f.sized && f.read == size {
                Some(size)
            } else {
                f.inner.metadata().ok().map(|m| m.len())
            };
            // A file cut short under its mapping read zeros for its missing bytes: not a
            // count of bytes read, so the size it has now is told against the one it had.
            ((f.eof && !cut_short).then_some(f.read), now)
        };
    if let Some(change) = SizeChange::of(size, read, now) {
        ctx.acc.with(|mine| change.apply(&mut mine.files, &e.name));
    }
    // The bar's total counted the size the walk saw, when it looked.
    progress.done.fetch_add(
        e.size.unwrap_or(size).saturating_sub(f.read),
        Ordering::Relaxed,
    );
}

/// Files of this many chunks and more are read where they lie ([`MappedText`]): for fewer,
/// a mapping's set-up and tear-down cost more than the copies they save (8 MiB at the
/// default chunk size).
const MAP_CHUNKS: u64 = 8;

/// The mapping of a walked file of `size` bytes to be read as text in place: a large file
/// whose first block, `head`, not all of it, is no container. `None`: read it.
fn mappable(
    f: &Counted<File>,
    size: u64,
    (head, eof): (&[u8], bool),
    read_error: &Option<io::Error>,
    ctx: ScanEnv,
) -> Option<Mapping> {
    let large = size >= MAP_CHUNKS.saturating_mul(ctx.cfg.chunk_size as u64);
    let text = !eof && read_error.is_none() && Container::of(head).is_none();
    (large && text)
        .then(|| Mapping::of(&f.inner, size))
        .flatten()
}

/// Reads a file in place from its start with `read` (which takes the file), and returns
/// what [`SizeChange`] needs: no bytes read as a stream, and its size once read.
fn in_place_read(
    mut f: File,
    at: &Origin,
    ctx: ScanEnv,
    read: impl FnOnce(File),
) -> (Option<u64>, Option<u64>) {
    // The same open file, for its size once it has been read.
    let watch = f.try_clone().ok();
    match f.seek(SeekFrom::Start(0)) {
        Ok(_) => read(f),
        Err(err) => ctx.entry(at, State::Failed, Reason::CannotSeek(err.to_string())),
    }
    (None, watch.and_then(|w| w.metadata().ok()).map(|m| m.len()))
}

/// Offers the entry `at` the SHA-256 of `r` when its first block held all of it (`whole`),
/// for its ledger entry to take when it is made; returns the bytes read so far, by which
/// [`give_hash`] tells that nothing was read after.
fn offer_hash<R>(r: &Counted<R>, whole: bool, at: &Origin) -> Option<u64> {
    at.sha256
        .set(whole.then(|| r.sha.clone().finalize().into()));
    whole.then_some(r.read)
}

/// Once the entry `at` was read: its ledger entry gets the SHA-256 of `r`, by a search by
/// name, unless it took the one offered ([`offer_hash`]) and no byte was read after (a file
/// that grew while read). An entry made below `at` (a decompressed stream's, of the same
/// name) took a copy of the offer, and gets it here.
fn give_hash<R>(r: &mut Counted<R>, offered: Option<u64>, at: &Origin, ctx: ScanEnv) {
    let taken = at.sha256.take().is_none() && offered == Some(r.read);
    if !taken {
        let hash = r.whole();
        ctx.acc.with(|mine| set_sha256(mine, &at.name, hash));
    }
}

/// Gives the entry `name` of this thread's summary its SHA-256. The thread that read an
/// entry added the share of it that carries its bytes, so the entry is there when it has
/// one (a tar or zip read from a stream has entries for its members only).
fn set_sha256(mine: &mut Summary, name: &str, hash: Option<[u8; 32]>) {
    if let (Some(h), Some(f)) = (hash, mine.files.get_mut(name)) {
        f.sha256 = Some(Box::new(h));
    }
}

/// The head of a walked file whose open descriptor told `size` bytes, read with one call into
/// room for one byte more. A read of a regular file returns fewer bytes than asked only at
/// its end, so a read of exactly `size` is the whole file: no read that returns nothing, and
/// no look at the size after, is needed. Any other count (a file that grew or shrank since
/// the open) reads on to a whole block as [`read_head_of`] does.
fn file_head(f: &mut Counted<File>, size: u64) -> (Vec<u8>, bool, Option<io::Error>) {
    if size >= SNIFF_BYTES as u64 {
        return read_head_of(f, size);
    }
    let mut head = vec![0; size as usize + 1];
    let n = loop {
        match f.read(&mut head) {
            Ok(n) => break n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return (Vec::new(), false, Some(err)),
        }
    };
    head.truncate(n);
    if n as u64 == size {
        f.eof = true;
        f.sized = true;
        return (head, true, None);
    }
    match fill(f, &mut head, SNIFF_BYTES - n) {
        Ok(more) => (head, !more, None),
        Err(err) => (head, false, Some(err)),
    }
}

/// A record format whose reader needs a file (a SQLite database), read from the walked file
/// itself rather than a spilled copy.
fn in_place(head: &[u8], e: &Entry) -> Option<Records> {
    match classify(head, &extension(&e.name))? {
        Magic::Records(f) if f.needs_file() => Some(f),
        _ => None,
    }
}

/// A root that is a stream (SPEC §2 "Roots"): read to its end like a file of unknown size,
/// whose ledger `bytes` are the bytes read.
fn scan_stream(r: &mut dyn Read, e: &Entry, ctx: ScanEnv) {
    let at = Origin::top(e.name.clone(), 0);
    let mut r = Counted::new(r, None);
    let (head, eof, read_error) = read_head(&mut r);
    scan_reader(&mut r, head, eof, read_error, &at, ctx);
    let hash = r.whole();
    // The entry that carries the bytes was added by this thread, so it is in its summary
    // (a zip read from a stream has entries for its members only).
    ctx.acc.with(|mine| {
        if let Some(f) = mine.files.get_mut(&e.name) {
            f.bytes += r.read;
        }
        set_sha256(mine, &e.name, hash);
    });
}

/// A reader that counts the bytes it hands on (also into `progress`), hashes them, and sees
/// its input end: the entry's SHA-256 costs no pass of its own.
struct Counted<'p, R> {
    inner: R,
    read: u64,
    eof: bool,
    /// The end was seen by a read that stopped at the size the file had when opened
    /// ([`file_head`]), not by a read that returned nothing.
    sized: bool,
    sha: Sha256,
    progress: Option<&'p AtomicU64>,
}

impl<'p, R> Counted<'p, R> {
    fn new(inner: R, progress: Option<&'p AtomicU64>) -> Self {
        Counted {
            inner,
            read: 0,
            eof: false,
            sized: false,
            sha: Sha256::new(),
            progress,
        }
    }

    /// The SHA-256 of every byte of the input, once it has been read to its end; `None`
    /// for an input read only in part (a hash of part would pass for the whole).
    fn whole(&mut self) -> Option<[u8; 32]> {
        let sha = std::mem::take(&mut self.sha);
        self.eof.then(|| sha.finalize().into())
    }
}

impl<R> Counted<'_, R> {
    fn count(&mut self, bytes: &[u8]) {
        self.sha.update(bytes);
        self.read += bytes.len() as u64;
        if let Some(p) = self.progress {
            p.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        }
    }
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count(&buf[..n]);
        self.eof |= n == 0 && !buf.is_empty();
        Ok(n)
    }
}

impl MappedSource for Counted<'_, File> {
    fn consumed(&mut self, bytes: &[u8]) {
        self.count(bytes);
    }

    fn seek_to(&mut self, at: u64) -> io::Result<()> {
        self.inner.seek(SeekFrom::Start(at)).map(drop)
    }
}

/// A file whose size moved while it was read (SPEC §3): the size its open descriptor
/// told, the bytes read when the reader got to the end (not when it stopped early: a binary
/// skipped on its first block, an archive read in place), and the size once done.
#[derive(Debug, PartialEq, Eq)]
enum SizeChange {
    /// Fewer bytes than it held when opened or holds now: what was read counts, the entry is
    /// `partial`, and `bytes` are the bytes read (when known).
    Partial { bytes: Option<u64>, reason: Reason },
    /// More bytes than when opened, all of them read: `scanned`, with the bytes read.
    Grew { bytes: u64, note: Reason },
}

impl SizeChange {
    fn of(opened: u64, read: Option<u64>, now: Option<u64>) -> Option<SizeChange> {
        match read {
            Some(read) if read < opened || now.is_some_and(|n| n > read) => {
                let now = now.filter(|&n| n != read);
                Some(SizeChange::Partial {
                    bytes: Some(read),
                    reason: if read < opened {
                        Reason::Shrank { opened, read, now }
                    } else {
                        Reason::Grew { opened, read, now }
                    },
                })
            }
            Some(read) if read > opened => Some(SizeChange::Grew {
                bytes: read,
                note: Reason::Grew {
                    opened,
                    read,
                    now: None,
                },
            }),
            Some(_) => None,
            None => match now {
                Some(now) if now != opened => Some(SizeChange::Partial {
                    bytes: None,
                    reason: Reason::ChangedSize { opened, now },
                }),
                _ => None,
            },
        }
    }

    /// Applies the change to the file's entry in this thread's ledger, which holds the one
    /// share of the entry that carries its bytes and any `partial` reason: the thread that
    /// reads a file adds them. A file read in place as an archive has no entry of its own
    /// (its members have): a `partial` one is made.
    fn apply(self, files: &mut BTreeMap<String, FileStats>, name: &str) {
        let Some(f) = files.get_mut(name) else {
            if let SizeChange::Partial { bytes, reason } = self {
                let f = FileStats::new(State::Partial, "", bytes.unwrap_or(0)).with_reason(reason);
                files.insert(name.to_string(), f);
            }
            return;
        };
        let (bytes, reason) = match self {
            SizeChange::Grew { bytes, note } => {
                if f.state == State::Scanned && f.reason.is_none() {
                    f.reason = Some(Box::new(note));
                }
                (Some(bytes), None)
            }
            SizeChange::Partial { bytes, reason } => (bytes, Some(reason)),
        };
        if let Some(b) = bytes {
            f.bytes = b;
        }
        if reason.is_some() {
            // Bytes that moved while they were read are not the entry's content.
            f.sha256 = None;
        }
        match (reason, f.state) {
            (Some(r), State::Scanned) => {
                f.state = State::Partial;
                f.reason = Some(Box::new(r));
            }
            (Some(r), State::Partial) => {
                f.reason = Some(Box::new(match f.reason.take() {
                    Some(before) => r.and(*before),
                    None => r,
                }));
            }
            // `skipped` and `failed` say more than the size.
            _ => {}
        }
    }
}

/// Reads one entry from `r`, whose first bytes are `head`: a container is opened, anything
/// else is read as text.
pub(super) fn scan_reader(
    r: &mut dyn Read,
    head: Vec<u8>,
    eof: bool,
    read_error: Option<io::Error>,
    at: &Origin,
    ctx: ScanEnv,
) {
    let Some(kind) = Container::of(&head) else {
        return scan_text(TextSource::Plain(r), head, eof, read_error, at, ctx, false);
    };
    if at.depth >= ctx.cfg.limits.max_depth {
        ctx.entry(
            at,
            State::Skipped,
            Reason::TooDeep {
                container: kind.name(),
                max: ctx.cfg.limits.max_depth,
            },
        );
        return;
    }
    match kind {
        Container::Tar => {
            scan_tar(r, head, read_error, at, ctx, scan_member);
            return;
        }
        Container::Mail | Container::Mbox => {
            let k = if kind == Container::Mail {
                mail::Kind::Message
            } else {
                mail::Kind::Mbox
            };
            scan_mail(r, head, read_error, k, at, ctx, scan_member);
            return;
        }
        Container::Rar => {
            scan_rar(at, ctx);
            return;
        }
        _ => {}
    }
    if !kind.is_stream() {
        // A zip, 7z or workbook inside a stream or an archive needs to seek: spilled to a
        // temporary file (`r` is guarded, so its size is bounded).
        let spilled = match read_error {
            Some(err) => Err(err),
            None => spill(&head, r),
        };
        match spilled {
            Ok(f) => open_seekable(f, at, ctx),
            Err(err) => match too_large(&err) {
                Some(reason) => ctx.entry(at, State::Skipped, Reason::TooLarge(reason)),
                None => ctx.entry(
                    at,
                    State::Failed,
                    Reason::DamagedInside {
                        container: kind.name(),
                        error: err.to_string(),
                    },
                ),
            },
        }
        return;
    }
    let input = io::Cursor::new(head).chain(r);
    let (mut dec, consumed) = match archive::decoder(kind, input) {
        Ok(d) => d,
        Err(err) => {
            ctx.entry(at, State::Failed, stream_unreadable(kind, &err));
            return;
        }
    };
    read_stream(&mut dec, consumed, kind, at, ctx)
}

/// A file that is a compressed stream (not all in `head`, so there is more to do than
/// sniffing), read as [`scan_reader`] reads one but decompressed on a thread of its own,
/// which reads the file there (issue 26: a `.csv.gz` uses both cores). A file that is no
/// such stream has its `head` handed back, for [`scan_reader`].
fn scan_compressed_file<R: Read + Send>(
    f: &mut R,
    head: Vec<u8>,
    eof: bool,
    at: &Origin,
    ctx: ScanEnv,
) -> Option<Vec<u8>> {
    let kind = Container::by_magic(&head).filter(|k| k.is_stream());
    let Some(kind) = kind.filter(|_| !eof && at.depth < ctx.cfg.limits.max_depth) else {
        return Some(head);
    };
    let input = io::Cursor::new(head).chain(f);
    // A decoder that cannot be made fails the first read: the same ledger entry.
    let make = move || archive::decoder(kind, input);
    pipe::decompressed(make, |dec, consumed| {
        read_stream(dec, consumed, kind, at, ctx)
    });
    None
}

/// Reads the decompressed stream `dec` (of a `kind` container at `at`) behind the limits
/// guard; `consumed` counts the compressed bytes its decoder consumed.
fn read_stream(
    dec: &mut dyn Read,
    consumed: Arc<AtomicU64>,
    kind: Container,
    at: &Origin,
    ctx: ScanEnv,
) {
    let mut guard = Guard::stream(dec, consumed, &ctx.cfg.limits);
    // The first read is large enough for the ratio check to judge a bomb before any record
    // is counted: one that trips it here is skipped, not partly read.
    let probe = (ctx.cfg.limits.ratio_floor as usize).max(SNIFF_BYTES);
    let mut inner_head = Vec::new();
    let (mut eof, mut err) = (false, None);
    match fill(&mut guard, &mut inner_head, probe) {
        Ok(more) => eof = !more,
        Err(e) => err = Some(e),
    }
    if let Some(reason) = err.as_ref().and_then(too_large) {
        ctx.entry(at, State::Skipped, Reason::TooLarge(reason));
        return;
    }
    if inner_head.is_empty() {
        if let Some(e) = err {
            ctx.entry(at, State::Failed, stream_unreadable(kind, &e));
            return;
        }
    }
    let inner = Origin {
        depth: at.depth + 1,
        via: format!("{}{} ", at.via, kind.name()),
        ..at.clone()
    };
    scan_reader(&mut guard, inner_head, eof, err, &inner, ctx);
}

fn stream_unreadable(kind: Container, err: &io::Error) -> Reason {
    Reason::StreamUnreadable {
        container: kind.name(),
        error: err.to_string(),
    }
}

/// The ledger reason for a read error: a guard's limit says so itself.
pub(super) fn error_reason(err: &io::Error) -> Reason {
    match too_large(err) {
        Some(r) => Reason::TooLarge(r),
        None => Reason::ReadError(err.to_string()),
    }
}

impl From<NotData> for Reason {
    fn from(n: NotData) -> Reason {
        match n {
            NotData::Empty => Reason::Empty,
            NotData::WhiteSpaceOnly => Reason::WhiteSpaceOnly,
            NotData::TriageOutput => Reason::TriageOutput,
            NotData::Binary(name) => Reason::Binary(name),
        }
    }
}

/// Reads `r` by the strings pass whatever its first bytes are: a container whose kind is
/// not known (an OLE2 file that is no Office document triage names).
fn scan_strings(r: &mut dyn Read, at: &Origin, ctx: ScanEnv) {
    let (head, eof, err) = read_head(r);
    scan_text(TextSource::Plain(r), head, eof, err, at, ctx, true)
}

/// Opens a zip archive or a workbook held in `f` and reads what it holds.
fn open_seekable(mut f: File, at: &Origin, ctx: ScanEnv) {
    let mut magic = [0u8; 8];
    let ole2 = f.read_exact(&mut magic).is_ok()
        && Container::of(&magic) == Some(Container::Ole2)
        && f.seek(SeekFrom::Start(0)).is_ok();
    if ole2 {
        return open_ole2(BufReader::new(f), at, ctx);
    }
    if Container::of(&magic) == Some(Container::SevenZ) {
        return scan_sevenz(f, at, ctx, scan_member);
    }
    if let Err(e) = f.seek(SeekFrom::Start(0)) {
        return ctx.entry(at, State::Failed, Reason::CannotSeek(e.to_string()));
    }
    match zip::open(f) {
        Ok(z) => open_zip(z, at, ctx),
        Err(zip::Broken {
            why,
            again: Some(f),
        }) => salvage_zip(f, &why, at, ctx),
        Err(zip::Broken { why, again: None }) => {
            ctx.entry(at, State::Failed, Reason::ZipUnreadable(why))
        }
    }
}

/// An OLE2 compound file: an XLS workbook to the sheet reader, an unknown kind to the strings
/// pass, anything else a ledger entry that names it.
fn open_ole2(mut r: BufReader<File>, at: &Origin, ctx: ScanEnv) {
    match ole2_kind(&mut r) {
        Ok(Ole2Kind::Xls) => {}
        Ok(Ole2Kind::NotRead(name)) => {
            return ctx.entry(at, State::Failed, Reason::NotReadYet(name))
        }
        Ok(Ole2Kind::NotData(name)) => return ctx.entry(at, State::Skipped, Reason::Binary(name)),
        Ok(Ole2Kind::Refused(why)) => {
            return ctx.entry(at, State::Failed, Reason::Ole2Unreadable(why))
        }
        Ok(Ole2Kind::Unknown) => {
            return match r.seek(SeekFrom::Start(0)) {
                Ok(_) => scan_strings(&mut r, at, ctx),
                Err(e) => ctx.entry(at, State::Failed, Reason::CannotSeek(e.to_string())),
            };
        }
        Err(e) => return ctx.entry(at, State::Failed, Reason::CannotRead(e.to_string())),
    }
    match checks::xls_chains(&mut r) {
        Ok(Some(why)) => {
            return ctx.entry(
                at,
                State::Failed,
                Reason::BookUnreadable { book: "xls", why },
            )
        }
        Err(e) => return ctx.entry(at, State::Failed, Reason::CannotRead(e.to_string())),
        Ok(None) => {}
    }
    if let Err(e) = r.seek(SeekFrom::Start(0)) {
        return ctx.entry(at, State::Failed, Reason::CannotSeek(e.to_string()));
    }
    scan_book(Book::Xls, r, at, ctx)
}

/// A zip opened by its directory: an archive's members, or a workbook to the sheet reader
/// once the checks let it through.
fn open_zip(mut z: zip::Archive, at: &Origin, ctx: ScanEnv) {
    let book = match zip_kind(&mut z) {
        ZipKind::Archive => return scan_zip(z, at, ctx),
        ZipKind::Document(name) => return ctx.entry(at, State::Failed, Reason::NotReadYet(name)),
        ZipKind::Docx => return open_document(z, Records::Docx, at, ctx),
        ZipKind::Odt => return open_document(z, Records::Odt, at, ctx),
        ZipKind::Xlsx => Book::Xlsx,
        ZipKind::Xlsb => Book::Xlsb,
        ZipKind::Ods => Book::Ods,
    };
    if let Some(reason) = workbook_too_large(&mut z, &ctx.cfg.limits) {
        return ctx.entry(at, State::Skipped, Reason::TooLarge(reason));
    }
    let mut r = z.into_inner();
    if let Err(e) = r.seek(SeekFrom::Start(0)) {
        return ctx.entry(at, State::Failed, Reason::CannotSeek(e.to_string()));
    }
    scan_book(book, r, at, ctx)
}

/// A DOCX or ODT document: to its record reader, with the file it is in, once its parts'
/// declared sizes pass the limits (as a workbook's).
fn open_document(mut z: zip::Archive, format: Records, at: &Origin, ctx: ScanEnv) {
    if let Some(reason) = workbook_too_large(&mut z, &ctx.cfg.limits) {
        return ctx.entry(at, State::Skipped, Reason::TooLarge(reason));
    }
    let mut f = z.into_inner().into_inner();
    if let Err(e) = f.seek(SeekFrom::Start(0)) {
        return ctx.entry(at, State::Failed, Reason::CannotSeek(e.to_string()));
    }
    scan_records(format, Source::File(f), at, ctx)
}

/// Every member of a zip archive is an entry of its own (`archive.zip!dir/member.csv`); the
/// archive is an entry only when it has no member.
fn scan_zip(mut z: zip::Archive, at: &Origin, ctx: ScanEnv) {
    let members = zip::members(&mut z, &ctx.cfg.limits, &mut |m| scan_member(m, at, ctx));
    if members == 0 {
        ctx.entry(at, State::Skipped, Reason::EmptyArchive);
    }
}

/// A zip without a readable central directory (a download cut short): its members are read
/// from their local headers, in order, until the damage. The archive itself is an entry too,
/// `partial` (or `failed` when no member could be read), saying what happened.
fn salvage_zip(f: File, why: &str, at: &Origin, ctx: ScanEnv) {
    let salvaged = zip::salvage(f, &ctx.cfg.limits, &mut |m| scan_member(m, at, ctx));
    let zip::Salvaged { members, stop } = match salvaged {
        Ok(s) => s,
        Err(e) => return ctx.entry(at, State::Failed, Reason::CannotSeek(e.to_string())),
    };
    let reason = Reason::ZipSalvaged {
        why: why.to_string(),
        members,
        stop,
    };
    let state = if members > 0 {
        State::Partial
    } else {
        State::Failed
    };
    ctx.entry(at, state, reason);
}

/// One member an archive handed back, as an entry below it (`a.zip!b.csv`), hashed as its
/// bytes come out of the archive (its content, decompressed).
fn scan_member(m: Member, archive: &Origin, ctx: ScanEnv) {
    let at = Origin {
        name: format!("{}!{}", archive.name, m.name),
        bytes: m.size,
        depth: archive.depth + 1,
        via: String::new(),
        sha256: Cell::new(None),
    };
    match m.body {
        Body::Bytes(r) => {
            let mut r = Counted::new(r, None);
            let (head, eof, err) = read_head(&mut r);
            let offered = offer_hash(&r, eof && err.is_none(), &at);
            scan_reader(&mut r, head, eof, err, &at, ctx);
            give_hash(&mut r, offered, &at, ctx);
        }
        Body::Encrypted => ctx.entry(&at, State::Failed, Reason::Encrypted),
        Body::TooLarge(reason) => ctx.entry(&at, State::Skipped, Reason::TooLarge(reason)),
        Body::Unreadable(e) => ctx.entry(&at, State::Failed, Reason::MemberUnreadable(e)),
        Body::Special(s) => ctx.entry(&at, State::Skipped, special(s)),
    }
}

/// Why a member that is no file is not read.
fn special(s: Special) -> Reason {
    match s {
        Special::Symlink => Reason::Symlink,
        Special::HardLink => Reason::HardLink,
        Special::Device => Reason::NotRegular,
        Special::Alternative => Reason::AlternativeText,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::walk::walk;
    use crate::scan::{notes, Accumulators, ScanConfig};
    use crate::summary::Summary;
    use std::sync::Mutex;

    #[test]
    fn a_head_read_at_the_size_told_ends_there_and_one_that_grew_reads_on() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.txt");
        std::fs::write(&p, "abcdef").unwrap();
        for (told, sized) in [(6, true), (3, false), (9, false)] {
            let mut f = Counted::new(File::open(&p).unwrap(), None);
            let (head, eof, err) = file_head(&mut f, told);
            assert_eq!(head, b"abcdef", "{told}");
            assert_eq!(
                (eof, err.is_none(), f.eof, f.sized),
                (true, true, true, sized)
            );
        }
    }

    /// The hash offered when a head held every byte: taken by the entry made, and replaced
    /// by the hash of every byte when more were read after (a file that grew).
    #[test]
    fn an_offered_hash_is_taken_or_replaced_by_the_whole_ones() {
        let cfg = ScanConfig::new(Vec::new());
        for (more, want) in [(false, &b"abc"[..]), (true, b"abcdef")] {
            let slots = [Mutex::default()];
            let acc = Accumulators(&slots);
            let ctx = ScanEnv::new(&cfg, crate::testing::pats(), &acc);
            let at = Origin::top("a.txt".into(), 3);
            let bytes = if more { &b"abcdef"[..] } else { b"abc" };
            let mut r = Counted::new(bytes, None);
            r.read_exact(&mut [0; 3]).unwrap();
            let offered = offer_hash(&r, true, &at);
            ctx.entry(&at, State::Skipped, Reason::Empty);
            assert!(at.sha256.get().is_none(), "the entry took the offer");
            r.read_to_end(&mut Vec::new()).unwrap();
            give_hash(&mut r, offered, &at, ctx);
            let s = slots[0].lock().unwrap();
            let got = s.files["a.txt"].sha256.as_deref().copied();
            assert_eq!(got, Some(Sha256::digest(want).into()), "{more}");
        }
    }

    /// An entry's reason as the ledger writes it ("" for none).
    fn said(r: &Option<Box<Reason>>) -> String {
        r.as_ref().map(|r| r.to_string()).unwrap_or_default()
    }

    const HEAD: &str = "nama,nik\n";
    const ROWS: &str = "Budi,3171010101900001\nAni,3171014101900002\n";

    /// A file of `ROWS` in a folder, walked as it is now, then changed by `change`: before it
    /// is opened (`opened` false) or after (`true`), before a byte of it is read. With the
    /// size its descriptor told.
    fn changed(opened: bool, change: impl Fn(&std::path::Path)) -> (u64, Summary) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("t.csv");
        std::fs::write(&path, format!("{HEAD}{}", ROWS.repeat(100))).unwrap();
        let e = walk(&[d.path().to_path_buf()], &Outputs::default())
            .unwrap()
            .remove(0);
        assert_eq!(e.size, None, "the walk does not look at a file's size");
        if !opened {
            change(&path);
        }
        let (f, told) = open_file(&e).unwrap();
        let size = told.size;
        if opened {
            change(&path);
        }
        let cfg = ScanConfig::new(Vec::new());
        let slots = [Mutex::default()];
        let acc = Accumulators(&slots);
        let progress = Progress::default();
        let ctx = ScanEnv::new(&cfg, crate::testing::pats(), &acc);
        scan_file(f, size, &e, ctx, &progress);
        let [slot] = slots;
        // A whole small file's entry waits in the worker's tail until the ledger is read.
        let mut s = slot.into_inner().unwrap();
        s.flush_tail();
        (size, s)
    }

    fn cut_to_10_rows(p: &std::path::Path) {
        let cut = (HEAD.len() + 10 * ROWS.len()) as u64;
        let f = std::fs::OpenOptions::new().write(true).open(p).unwrap();
        f.set_len(cut).unwrap();
    }

    fn append_5_times_the_rows(p: &std::path::Path) {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(p).unwrap();
        f.write_all(ROWS.repeat(5).as_bytes()).unwrap();
    }

    /// An output the walk did not find among the inputs (a file system that lists other
    /// inodes than `stat` tells) is found when the input is opened.
    #[test]
    fn an_output_is_found_when_its_input_is_opened() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.csv"), ROWS).unwrap();
        let e = walk(&[d.path().to_path_buf()], &Outputs::default())
            .unwrap()
            .remove(0);
        let outputs = Outputs::new(&[d.path().join("a.csv")]);
        let cfg = ScanConfig::new(Vec::new());
        let slots = [Mutex::default()];
        let (p, progress) = (crate::testing::pats(), Progress::default());
        let acc = Accumulators(&slots);
        read_entry(&e, ScanEnv::new(&cfg, p, &acc), &progress, &outputs);
        let err = outputs.refuse().unwrap_err();
        assert!(err.to_string().contains("refusing to overwrite"), "{err}");
    }

    #[test]
    fn rule3_a_file_changed_before_it_is_opened_is_read_as_it_is_then() {
        // Cut, or appended to, between the walk and the open: no change while read (the
        // walk did not look at its size), so `scanned`, with every byte and row it holds
        // when opened, and its hash.
        let cut = (HEAD.len() + 10 * ROWS.len()) as u64;
        let grown = (HEAD.len() + 105 * ROWS.len()) as u64;
        for (s, bytes, records) in [
            (changed(false, cut_to_10_rows).1, cut, 20),
            (changed(false, append_5_times_the_rows).1, grown, 210),
        ] {
            let f = &s.files["t.csv"];
            assert_eq!(f.state, State::Scanned, "{f:?}");
            assert_eq!(
                (f.bytes, f.records, f.reason.is_none()),
                (bytes, records, true)
            );
            assert!(f.sha256.is_some());
            assert!(notes(&s).is_empty(), "{:?}", notes(&s));
        }
    }

    #[test]
    fn rule3_shrunk_file_is_partial() {
        // Cut to 10 rows between the open and the read: the rows read count, the entry says
        // both sizes and is `partial` (exit 3), with the bytes read.
        let cut = (HEAD.len() + 10 * ROWS.len()) as u64;
        let (size, s) = changed(true, cut_to_10_rows);
        let f = &s.files["t.csv"];
        assert_eq!(f.state, State::Partial, "{f:?}");
        assert_eq!(
            said(&f.reason),
            format!("shrank while read: {size} bytes when opened, {cut} read")
        );
        assert_eq!((f.bytes, f.records, f.valid[0]), (cut, 20, 20));
        assert_eq!(f.sha256, None, "its bytes moved while read");
        assert!(s.incomplete());
    }

    #[test]
    fn rule3_grown_file_reports_the_bytes_read() {
        // Appended to between the open and the read, and read to its new end: `scanned`,
        // every row counted, and the bytes read, not the size when opened.
        let more = ROWS.repeat(5);
        let (size, s) = changed(true, append_5_times_the_rows);
        let f = &s.files["t.csv"];
        assert_eq!(f.state, State::Scanned, "{f:?}");
        assert_eq!(f.bytes, size + more.len() as u64);
        assert_eq!(f.records, 210);
        assert!(said(&f.reason).starts_with("grew while read"));
        assert!(!s.incomplete());
        assert_eq!(notes(&s).len(), 1, "{:?}", notes(&s));
    }

    #[test]
    fn counted_hashes_and_counts_the_bytes_it_hands_on() {
        // The bar moves by the bytes taken from the input (a compressed file's own bytes),
        // and the hash is given only once the input has ended.
        let done = AtomicU64::new(0);
        let mut r = Counted::new(&b"abc"[..], Some(&done));
        let mut two = [0u8; 2];
        r.read_exact(&mut two).unwrap();
        assert_eq!(done.load(Ordering::Relaxed), 2);
        assert_eq!(r.whole(), None, "not read to its end");
        let mut r = Counted::new(&b"abc"[..], Some(&done));
        std::io::copy(&mut r, &mut std::io::sink()).unwrap();
        assert_eq!(done.load(Ordering::Relaxed), 5);
        let want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(
            r.whole()
                .map(|h| crate::summary::fingerprint::hex(&h))
                .as_deref(),
            Some(want)
        );
    }

    #[test]
    fn rule3_every_size_change() {
        // (partial, bytes, reason): the entry's state, its bytes and what the ledger says.
        let partial = |bytes, reason: &str| Some((true, bytes, reason.to_string()));
        let of = |opened, read, now| {
            SizeChange::of(opened, read, now).map(|c| match c {
                SizeChange::Partial { bytes, reason } => (true, bytes, reason.to_string()),
                SizeChange::Grew { bytes, note } => (false, Some(bytes), note.to_string()),
            })
        };
        // Read to the end: fewer bytes than when opened, or than the file holds after.
        assert_eq!(of(100, Some(100), Some(100)), None);
        assert_eq!(of(100, Some(100), None), None);
        assert_eq!(
            of(100, Some(40), Some(40)),
            partial(
                Some(40),
                "shrank while read: 100 bytes when opened, 40 read"
            )
        );
        assert_eq!(
            of(100, Some(100), Some(150)),
            partial(
                Some(100),
                "grew while read: 100 bytes when opened, 100 read, 150 at the end"
            )
        );
        assert_eq!(
            of(100, Some(120), Some(120)),
            Some((
                false,
                Some(120),
                "grew while read: 100 bytes when opened, 120 read".into()
            ))
        );
        // Not read to the end (an archive read in place, a binary skipped on its first
        // block): only the size after counts.
        assert_eq!(of(100, None, Some(100)), None);
        assert_eq!(
            of(100, None, Some(90)),
            partial(
                None,
                "changed size while read: 100 bytes when opened, 90 at the end"
            )
        );
        // An archive has no entry of its own: a `partial` one is made; a `partial` entry
        // keeps its other reasons; `skipped` and `failed` say more than the size.
        let mut files = BTreeMap::new();
        SizeChange::of(100, None, Some(90))
            .unwrap()
            .apply(&mut files, "a.zip");
        assert_eq!(files["a.zip"].state, State::Partial);
        files.insert(
            "b.csv".into(),
            FileStats::new(State::Partial, "csv", 100).with_reason(Reason::ReadError("x".into())),
        );
        SizeChange::of(100, Some(40), Some(40))
            .unwrap()
            .apply(&mut files, "b.csv");
        assert_eq!(
            said(&files["b.csv"].reason),
            "shrank while read: 100 bytes when opened, 40 read; read error: x"
        );
        files.insert(
            "c.png".into(),
            FileStats::new(State::Skipped, "", 100).with_reason(Reason::Binary("PNG image")),
        );
        SizeChange::of(100, None, Some(90))
            .unwrap()
            .apply(&mut files, "c.png");
        assert_eq!(files["c.png"].state, State::Skipped);
    }
}
