//! The ledger (SPEC §3): one entry per file, stream or archive member, with where it ended
//! ([`State`]) and, when it was not simply read, why ([`Reason`]). Reasons are typed so that
//! every one the scan can give is listed here; their text is the ledger's JSON and text
//! output, word for word.

use std::collections::BTreeSet;
use std::fmt;
use std::ops::AddAssign;

use crate::rules::Kind;

/// Where an entry ended (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Scanned,
    Partial,
    Skipped,
    Failed,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Scanned => "scanned",
            State::Partial => "partial",
            State::Skipped => "skipped",
            State::Failed => "failed",
        }
    }
}

/// Why an entry was not simply read. Error texts from the system or a library are kept as
/// they came; a container's name (`gzip`, `zip`, `xlsx`) is the one its reader gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    // The walk.
    /// A folder that cannot be read.
    CannotReadDirectory(String),
    /// An entry of a folder that cannot be listed.
    CannotList(String),
    /// An entry whose kind and size cannot be read.
    CannotExamine(String),
    /// A symlink below a root: not followed (a root that is one is).
    Symlink,
    /// Below a root, a device, FIFO or socket.
    NotRegular,

    // Opening and reading.
    /// A reader panicked; the entry failed, the scan went on.
    Crashed(String),
    CannotOpen(String),
    CannotSeek(String),
    CannotRead(String),
    /// Reading stopped on an error after some of the entry was read.
    ReadError(String),
    /// A decompression limit, in the words of the guard that enforces it (`too large: …`).
    TooLarge(String),
    /// A container below more containers than the limits allow.
    TooDeep {
        container: &'static str,
        max: usize,
    },
    /// A zip or workbook inside a stream or archive that broke before it was all read.
    DamagedInside {
        container: &'static str,
        error: String,
    },
    /// A compressed stream whose decoder cannot start, or that yields nothing.
    StreamUnreadable {
        container: &'static str,
        error: String,
    },

    // A file whose size moved while it was read.
    /// Fewer bytes read than the open file told; `now`, the size after, when it is not `read`.
    Shrank {
        opened: u64,
        read: u64,
        now: Option<u64>,
    },
    /// More bytes read than the open file told (`now: None`, every byte read: a note on a
    /// `scanned` entry), or more bytes at the end than were read (`partial`).
    Grew {
        opened: u64,
        read: u64,
        now: Option<u64>,
    },
    /// Not read to the end (an archive read in place) and of another size after.
    ChangedSize {
        opened: u64,
        now: u64,
    },

    // What the first bytes say.
    Empty,
    WhiteSpaceOnly,
    /// A summary or truth file triage wrote.
    TriageOutput,
    /// Media or an executable: its format's name.
    Binary(&'static str),
    /// Records in a format triage knows but does not read yet: its name.
    NotReadYet(&'static str),

    // Archives and workbooks.
    EmptyArchive,
    /// A zip whose central directory cannot be read and that could not be reopened.
    ZipUnreadable(String),
    /// A zip whose central directory cannot be read, walked from its local headers: the
    /// directory's error, the members read, and the error that stopped the walk.
    ZipSalvaged {
        why: String,
        members: usize,
        stop: Option<String>,
    },
    /// A member whose header or data cannot be read.
    MemberUnreadable(String),
    /// A password-protected member.
    Encrypted,
    /// An OLE2 compound file whose directory the checks refuse.
    Ole2Unreadable(String),
    /// A workbook that cannot be opened, or that its checks refuse: its format and why.
    BookUnreadable {
        book: &'static str,
        why: String,
    },
    /// A record reader's input damaged, cut short or partly unreadable: its format and why.
    Format {
        format: &'static str,
        why: String,
    },
    /// A sheet that could not be read to its end.
    Sheet {
        name: String,
        error: String,
    },
    /// An archive whose headers cannot be read (a 7z cut short): its name and the error.
    ArchiveUnreadable {
        archive: &'static str,
        error: String,
    },
    /// An archive, message or mailbox read until damage stopped it: its name, the members
    /// read, and the error.
    ArchiveDamaged {
        archive: &'static str,
        members: usize,
        error: String,
    },
    /// An archive whose headers are encrypted: not even its member names can be read.
    EncryptedHeaders(&'static str),
    /// A RAR archive: no reader triage may use (the unRAR source is not free software).
    RarNotRead,
    /// An archive member that is a hard link: its data is another member's.
    HardLink,
    /// An e-mail text in a second form (`multipart/alternative`): the same text again.
    AlternativeText,

    // What the user asked to leave out.
    /// A path left out by `--glob`/`--exclude`.
    Excluded,
    /// `--sample N`: read up to its first N records, not to its end.
    Sampled(u64),

    // Text.
    /// Records longer than `--max-record` cut into pieces.
    RecordsCut {
        count: u64,
        max_record: usize,
    },
    /// Several of the above, in order.
    Several(Vec<Reason>),

    // State files.
    /// A reason as outputs show it (names masked), read back from a scan state, with the
    /// words the verdict counts it under (`verdict::reason_kind`), which the text cannot give
    /// back.
    Shown {
        text: String,
        kind: String,
    },
}

impl Reason {
    /// One reason for all of `reasons`, in order (none when there is none).
    pub fn all(mut reasons: Vec<Reason>) -> Option<Reason> {
        match reasons.len() {
            0 | 1 => reasons.pop(),
            _ => Some(Reason::Several(reasons)),
        }
    }

    /// `self`, then `more`: one reason that says both.
    pub fn and(self, more: Reason) -> Reason {
        let mut all = match self {
            Reason::Several(v) => v,
            r => vec![r],
        };
        match more {
            Reason::Several(v) => all.extend(v),
            r => all.push(r),
        }
        Reason::Several(all)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Reason::*;
        match self {
            CannotReadDirectory(e) => write!(f, "cannot read directory: {e}"),
            CannotList(e) => write!(f, "cannot list an entry: {e}"),
            CannotExamine(e) => write!(f, "cannot examine: {e}"),
            Symlink => f.write_str("symlink (not followed)"),
            NotRegular => f.write_str("not a regular file (device, FIFO or socket)"),
            Crashed(m) => write!(
                f,
                "the reader crashed (a bug in triage or a library it uses): {m}"
            ),
            CannotOpen(e) => write!(f, "cannot open: {e}"),
            CannotSeek(e) => write!(f, "cannot seek: {e}"),
            CannotRead(e) => write!(f, "cannot read: {e}"),
            ReadError(e) => write!(f, "read error: {e}"),
            TooLarge(why) => f.write_str(why),
            TooDeep { container, max } => write!(
                f,
                "{container} nested deeper than {max} containers: not opened"
            ),
            DamagedInside { container, error } => {
                write!(f, "{container} inside damaged ({error}): not opened")
            }
            StreamUnreadable { container, error } => {
                write!(f, "{container} stream unreadable: {error}")
            }
            Shrank { opened, read, now } => size_moved(f, "shrank", *opened, *read, *now),
            Grew { opened, read, now } => size_moved(f, "grew", *opened, *read, *now),
            ChangedSize { opened, now } => write!(
                f,
                "changed size while read: {opened} bytes when opened, {now} at the end"
            ),
            Empty => f.write_str("empty"),
            WhiteSpaceOnly => f.write_str("empty (white space only)"),
            TriageOutput => f.write_str("triage output (summary or truth file)"),
            Binary(name) => write!(f, "binary ({name})"),
            NotReadYet(name) => write!(f, "{name}: not read yet"),
            EmptyArchive => f.write_str("empty archive (no files in it)"),
            ZipUnreadable(e) => write!(f, "zip archive unreadable (truncated or damaged?): {e}"),
            ZipSalvaged { why, members, stop } => {
                write!(
                    f,
                    "zip central directory unreadable (truncated or damaged?): {why}; \
                 {members} member(s) read from their local headers"
                )?;
                match stop {
                    Some(s) => write!(f, ", then: {s}"),
                    None => Ok(()),
                }
            }
            MemberUnreadable(e) => write!(f, "member unreadable: {e}"),
            Encrypted => f.write_str("encrypted (password protected): not read"),
            Ole2Unreadable(why) => write!(f, "OLE2 compound file unreadable: {why}"),
            BookUnreadable { book, why } => write!(f, "{book} unreadable: {why}"),
            Sheet { name, error } => write!(f, "sheet {name}: {error}"),
            Format { format, why } => write!(f, "{format}: {why}"),
            ArchiveUnreadable { archive, error } => {
                write!(f, "{archive} unreadable (truncated or damaged?): {error}")
            }
            ArchiveDamaged {
                archive,
                members,
                error,
            } => write!(
                f,
                "{archive} truncated or damaged after {members} member(s): {error}"
            ),
            EncryptedHeaders(archive) => write!(
                f,
                "{archive}: encrypted headers (password protected): not read"
            ),
            RarNotRead => f.write_str(
                "RAR archive: not read (no licence-compatible RAR reader; extract it with \
                 unrar or 7z and scan the folder)",
            ),
            HardLink => f.write_str("hard link (its data is another member's)"),
            AlternativeText => f.write_str(
                "the message text again in another form (multipart/alternative): not read twice",
            ),
            Excluded => f.write_str("excluded (--glob/--exclude)"),
            Sampled(n) => write!(f, "sampled: its first {n} record(s) read (--sample)"),
            RecordsCut { count, max_record } => write!(
                f,
                "{count} record(s) longer than --max-record ({max_record} bytes) cut into pieces"
            ),
            Shown { text, .. } => f.write_str(text),
            Several(all) => {
                for (i, r) in all.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{r}")?;
                }
                Ok(())
            }
        }
    }
}

fn size_moved(
    f: &mut fmt::Formatter<'_>,
    how: &str,
    opened: u64,
    read: u64,
    now: Option<u64>,
) -> fmt::Result {
    write!(
        f,
        "{how} while read: {opened} bytes when opened, {read} read"
    )?;
    match now {
        Some(n) => write!(f, ", {n} at the end"),
        None => Ok(()),
    }
}

/// One ledger entry: a file (or later, an archive member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStats {
    /// The reader's name for the format, after the containers that decoded it (see
    /// [`intern`]).
    pub format: &'static str,
    pub state: State,
    /// Boxed: most entries have none, and an entry's size is what a large ledger costs.
    pub reason: Option<Box<Reason>>,
    pub bytes: u64,
    pub records: u64,
    pub confirmed: u64,
    pub valid: [u64; Kind::COUNT],
    /// SHA-256 of the entry's bytes (a file's as on disk, a member's as its container gives
    /// them), set only when every one of them was read; boxed like `reason`, most ledgers
    /// being large where they are cheap.
    pub sha256: Option<Box<[u8; 32]>>,
}

impl FileStats {
    pub fn new(state: State, format: &str, bytes: u64) -> Self {
        FileStats {
            format: intern(format),
            state,
            reason: None,
            bytes,
            records: 0,
            confirmed: 0,
            valid: [0; Kind::COUNT],
            sha256: None,
        }
    }

    pub fn with_reason(mut self, reason: Reason) -> Self {
        self.reason = Some(Box::new(reason));
        self
    }
}

/// `name`, stored once for the whole process. Format names are few (a reader's name and the
/// containers around it, `gzip csv`), and every ledger entry and every chunk of a file names
/// one: a string of its own per entry was a tenth of what a ledger entry cost.
fn intern(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<BTreeSet<&'static str>> = std::sync::Mutex::new(BTreeSet::new());
    // The name this thread interned last: a file's entry and its chunks name the same one,
    // and the lock, taken twice per small file by every worker, was contended.
    thread_local! {
        static LAST: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
    }
    if name.is_empty() {
        return "";
    }
    let last = LAST.with(std::cell::Cell::get);
    if last == name {
        return last;
    }
    let known = intern_shared(name, &NAMES);
    LAST.with(|l| l.set(known));
    known
}

/// `name` in the process's set of names, added when new.
fn intern_shared(name: &str, names: &std::sync::Mutex<BTreeSet<&'static str>>) -> &'static str {
    let mut names = names.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&known) = names.get(name) {
        return known;
    }
    // Never freed: at most one per distinct name.
    let new: &'static str = Box::leak(name.into());
    names.insert(new);
    new
}

impl AddAssign for FileStats {
    /// Chunks of one file add up (only the file's own entry carries its bytes); the worse
    /// state wins, with its reason (of one state, the one that has a reason: a `scanned`
    /// file that grew while read says so, whichever share is added first).
    fn add_assign(&mut self, o: Self) {
        if o.state > self.state {
            self.state = o.state;
            self.reason = o.reason;
        } else if o.state == self.state && self.reason.is_none() {
            self.reason = o.reason;
        }
        if self.format.is_empty() {
            self.format = o.format;
        }
        self.bytes += o.bytes;
        self.records += o.records;
        self.confirmed += o.confirmed;
        for (a, b) in self.valid.iter_mut().zip(o.valid) {
            *a += b;
        }
        // Only the share of the thread that read the entry carries it.
        if self.sha256.is_none() {
            self.sha256 = o.sha256;
        }
    }
}

impl serde::Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Reason::*;

    #[test]
    fn reasons_read_as_the_ledger_has_always_written_them() {
        let e = || "boom".to_string();
        let cases: Vec<(Reason, &str)> = vec![
            (Symlink, "symlink (not followed)"),
            (CannotExamine(e()), "cannot examine: boom"),
            (
                Crashed(e()),
                "the reader crashed (a bug in triage or a library it uses): boom",
            ),
            (
                TooDeep {
                    container: "gzip",
                    max: 5,
                },
                "gzip nested deeper than 5 containers: not opened",
            ),
            (
                DamagedInside {
                    container: "zip",
                    error: e(),
                },
                "zip inside damaged (boom): not opened",
            ),
            (TooLarge("too large: 9 bytes".into()), "too large: 9 bytes"),
            (
                Shrank {
                    opened: 100,
                    read: 40,
                    now: None,
                },
                "shrank while read: 100 bytes when opened, 40 read",
            ),
            (
                Grew {
                    opened: 100,
                    read: 100,
                    now: Some(150),
                },
                "grew while read: 100 bytes when opened, 100 read, 150 at the end",
            ),
            (Binary("PNG image"), "binary (PNG image)"),
            (NotReadYet("PDF document"), "PDF document: not read yet"),
            (
                ZipSalvaged {
                    why: e(),
                    members: 2,
                    stop: Some("cut".into()),
                },
                "zip central directory unreadable (truncated or damaged?): boom; \
                 2 member(s) read from their local headers, then: cut",
            ),
            (
                BookUnreadable {
                    book: "xlsx",
                    why: e(),
                },
                "xlsx unreadable: boom",
            ),
            (
                Format {
                    format: "dbf",
                    why: "cut short: 2 of 3 rows".into(),
                },
                "dbf: cut short: 2 of 3 rows",
            ),
            (Excluded, "excluded (--glob/--exclude)"),
            (Sampled(5), "sampled: its first 5 record(s) read (--sample)"),
            (
                RecordsCut {
                    count: 3,
                    max_record: 64,
                },
                "3 record(s) longer than --max-record (64 bytes) cut into pieces",
            ),
        ];
        for (r, want) in cases {
            assert_eq!(r.to_string(), want);
            assert_eq!(serde_json::to_value(&r).unwrap(), want);
        }
    }

    #[test]
    fn several_reasons_join_in_order_flat() {
        assert_eq!(Reason::all(Vec::new()), None);
        assert_eq!(Reason::all(vec![Empty]), Some(Empty));
        let two = Reason::all(vec![ReadError("x".into()), EmptyArchive]).unwrap();
        assert_eq!(
            two.to_string(),
            "read error: x; empty archive (no files in it)"
        );
        let three = Symlink.and(two);
        assert_eq!(
            three,
            Several(vec![Symlink, ReadError("x".into()), EmptyArchive])
        );
        assert_eq!(
            three.to_string(),
            "symlink (not followed); read error: x; empty archive (no files in it)"
        );
    }
}
