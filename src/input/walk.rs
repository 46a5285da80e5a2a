//! The entries of a scan: every file below the given paths, in a deterministic order, without
//! following symlinks below them. Whatever cannot be listed becomes an entry too, so the
//! ledger adds up.
//!
//! The paths themselves are what the user named (SPEC §2 "Roots"): a symlink among them is
//! followed, as `find -H` does, and one that is not a regular file (a FIFO, `/dev/stdin`, a
//! process substitution) is read as a stream, as is `-`, standard input.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

/// What a walked path turned out to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    File,
    /// A root that is not a regular file (a FIFO, a device, a pipe as `/dev/fd/N`): read
    /// as a stream to its end.
    Stream,
    /// `-`: standard input, read as a stream.
    Stdin,
    /// A symlink below a root: not followed (`skipped`).
    Symlink,
    /// Below a root, a device, FIFO or socket: not read (`skipped`).
    Special,
    /// A folder that cannot be read (`failed`): the error.
    CannotReadDirectory(String),
    /// An entry of a folder that cannot be listed (`failed`): the error.
    CannotList(String),
    /// An entry that cannot be examined (`failed`): the error.
    CannotExamine(String),
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its name in the ledger: relative to the PATH given (SPEC §3).
    pub name: String,
    /// Its size as the walk saw it. `None` for a regular file below a root: the walk does
    /// not look at one (a stat per file was a fifth of a small-file scan's system calls), its
    /// open descriptor tells its size when it is read, and [`measure`] looks when a size is
    /// needed before (shards, excluded entries, a progress bar's total).
    pub size: Option<u64>,
    pub kind: EntryKind,
    /// Named by the user: opened through a symlink, as the walk examined it.
    pub root: bool,
}

/// Lists every entry below `roots`. A root that cannot be examined at all is an error, and
/// so is one of the `outputs` (files this run will write) that already exists as one of the
/// entries, by any path or link: writing it would destroy an input.
pub fn walk(roots: &[PathBuf], outputs: &Outputs) -> Result<Vec<Entry>> {
    let mut out = Vec::new();
    let prefix_roots = roots.len() > 1;
    for root in roots {
        if root.as_os_str() == "-" {
            out.push(Entry {
                path: root.clone(),
                name: "-".into(),
                size: Some(0),
                kind: EntryKind::Stdin,
                root: true,
            });
            continue;
        }
        let meta = root_metadata(root)?;
        let base = if prefix_roots {
            display_name(root.as_os_str())
                .trim_end_matches('/')
                .to_string()
        } else {
            String::new()
        };
        if meta.is_dir() {
            fs::read_dir(root)
                .with_context(|| format!("cannot read directory {}", root.display()))?;
            visit(root, &base, outputs, 0, &mut out);
        } else {
            let name = if prefix_roots {
                base
            } else {
                root.file_name()
                    .map(display_name)
                    .unwrap_or_else(|| display_name(root.as_os_str()))
            };
            let mut e = entry(root.clone(), name, &meta, outputs);
            e.root = true;
            if !meta.is_file() {
                e.kind = EntryKind::Stream;
            }
            out.push(e);
        }
    }
    outputs.refuse()?;
    // Held for the whole scan: not with the spare room of its last doubling.
    out.shrink_to_fit();
    Ok(out)
}

/// What a root is, through a symlink: one that cannot be followed (dangling, a loop) is an
/// unreadable root, like a missing one.
fn root_metadata(root: &Path) -> Result<fs::Metadata> {
    fs::metadata(root).with_context(|| match fs::symlink_metadata(root) {
        Ok(m) if m.file_type().is_symlink() => {
            format!(
                "cannot read {}: a symlink that cannot be followed",
                root.display()
            )
        }
        _ => format!("cannot read {}", root.display()),
    })
}

/// A file's identity: device and inode (the same file by any path or hard link).
type FileId = (u64, u64);
type Protected = (FileId, PathBuf);

#[cfg(unix)]
fn file_id(m: &fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &fs::Metadata) -> Option<FileId> {
    None
}

/// The outputs of this run that exist already, and an input found to be one of them (its
/// name, and the message). The walk finds one by the inode the listing tells; where a file
/// system lists other inodes than `stat` tells (FUSE without `use_ino`, overlayfs over
/// several file systems without `xino`), the look every input gets anyway finds it (the
/// open's, or [`measure`]'s), and the scan is refused at its end, before anything is written.
#[derive(Default)]
pub struct Outputs {
    protect: Vec<Protected>,
    clash: Mutex<Option<(String, String)>>,
}

impl Outputs {
    /// The files of `paths` that exist.
    pub fn new(paths: &[PathBuf]) -> Outputs {
        let protect = paths
            .iter()
            .filter_map(|p| Some((file_id(&fs::metadata(p).ok()?)?, p.clone())))
            .collect();
        Outputs {
            protect,
            clash: Mutex::new(None),
        }
    }

    /// Notes the regular file `told`, the input `name` at `path`, when it is one of the
    /// outputs. Of several, on any thread, the one first by name is told.
    #[inline]
    pub fn check(&self, told: Told, name: &str, path: &Path) {
        if !self.protect.is_empty() {
            self.note(told, name, path);
        }
    }

    fn note(&self, told: Told, name: &str, path: &Path) {
        let Some((_, out)) = told
            .id
            .and_then(|id| self.protect.iter().find(|(p, _)| *p == id))
        else {
            return;
        };
        let msg = format!(
            "refusing to overwrite {}: it is the scanned input {} (write the output outside \
             the scanned paths)",
            out.display(),
            path.display()
        );
        let mut clash = self.clash.lock().unwrap_or_else(|e| e.into_inner());
        if clash
            .as_ref()
            .is_none_or(|(first, _)| name < first.as_str())
        {
            *clash = Some((name.to_string(), msg));
        }
    }

    /// The error for an output found among the inputs, when one was.
    pub fn refuse(&self) -> Result<()> {
        let clash = self.clash.lock().unwrap_or_else(|e| e.into_inner());
        match clash.as_ref() {
            Some((_, msg)) => bail!("{msg}"),
            None => Ok(()),
        }
    }

    /// Whether a listed file may be one of the outputs: its inode, as the listing tells it,
    /// is one of theirs. Only then is it looked at, for its device too ([`entry`]).
    #[cfg(unix)]
    fn may_be(&self, item: &fs::DirEntry) -> bool {
        let ino = std::os::unix::fs::DirEntryExt::ino(item);
        self.protect.iter().any(|((_, i), _)| *i == ino)
    }

    #[cfg(not(unix))]
    fn may_be(&self, _: &fs::DirEntry) -> bool {
        !self.protect.is_empty()
    }
}

/// A file name as the ledger shows it: bytes that are not UTF-8 are written `\xFF`, so two
/// names that differ only there stay two entries (a lossy `�` would merge them).
pub fn display_name(name: &OsStr) -> String {
    let mut out = String::new();
    push_display_name(name, &mut out);
    out
}

/// [`display_name`], appended to `out`.
fn push_display_name(name: &OsStr, out: &mut String) {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(name);
    #[cfg(not(unix))]
    let lossy = name.to_string_lossy();
    #[cfg(not(unix))]
    let bytes = lossy.as_bytes();
    if let Ok(name) = std::str::from_utf8(bytes) {
        out.push_str(name);
        return;
    }
    out.reserve(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
}

/// Opens a walked file for reading, with what the open file tells of it (its size). The walk
/// saw a regular file, but it may have changed since: one that was removed fails with a clear
/// reason, and one replaced by a FIFO, a device or a symlink is not opened (a FIFO would
/// block the scan for ever).
pub fn open_regular(path: &Path) -> io::Result<(File, Told)> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(
        &mut opts,
        libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY,
    );
    let f = opts.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => {
            io::Error::new(e.kind(), format!("removed during the scan ({e})"))
        }
        _ if e.raw_os_error() == Some(libc_eloop()) => io::Error::new(
            e.kind(),
            "replaced by a symlink during the scan: not followed",
        ),
        _ => e,
    })?;
    regular(f)
}

/// Gives every entry whose size the walk did not look at ([`Entry::size`]) the size `lstat`
/// tells, on the current rayon pool: when sizes are needed before the files are read. One
/// that cannot be looked at keeps `None` (it is gone, and fails when it is opened). Each is
/// checked against the `outputs` too.
pub fn measure(entries: &mut [Entry], outputs: &Outputs) {
    entries
        .par_iter_mut()
        .filter(|e| e.size.is_none())
        .for_each(|e| {
            let meta = fs::symlink_metadata(&e.path).ok();
            if let Some(m) = meta.as_ref().filter(|m| m.is_file()) {
                outputs.check(Told::of(m), &e.name, &e.path);
            }
            e.size = meta.map(|m| m.len());
        });
}

/// What a regular file tells of itself when looked at: its size and its identity.
#[derive(Clone, Copy, Debug)]
pub struct Told {
    pub size: u64,
    id: Option<FileId>,
}

impl Told {
    fn of(m: &fs::Metadata) -> Told {
        Told {
            size: m.len(),
            id: file_id(m),
        }
    }
}

/// `f` with what it tells of itself, when it is a regular file.
fn regular(f: File) -> io::Result<(File, Told)> {
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(
            "no longer a regular file (replaced during the scan): not read",
        ));
    }
    Ok((f, Told::of(&meta)))
}

/// Opens a walked entry: as [`open_regular`], except that a root named through a symlink
/// is followed (SPEC §2).
pub fn open_file(e: &Entry) -> io::Result<(File, Told)> {
    if !e.root {
        return open_regular(&e.path);
    }
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NONBLOCK | libc::O_NOCTTY);
    regular(opts.open(&e.path)?)
}

/// Opens a root that is a stream. A FIFO waits here for its writer: the user named it.
pub fn open_stream(path: &Path) -> io::Result<File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut opts, libc::O_NOCTTY);
    let f = opts.open(path)?;
    if f.metadata()?.is_dir() {
        return Err(io::Error::other(
            "replaced by a folder during the scan: not read",
        ));
    }
    Ok(f)
}

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}

#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
}

/// `base/name`, the name as the ledger shows it ([`display_name`]): made once per walked
/// entry, so without the formatting machinery (a tenth of the walk's cost per entry went to
/// `format!`), and straight from the listed name rather than from a copy of it.
fn join(base: &str, name: &OsStr) -> String {
    let mut joined = String::with_capacity(base.len() + 1 + name.len());
    if !base.is_empty() {
        joined.push_str(base);
        joined.push('/');
    }
    push_display_name(name, &mut joined);
    joined
}

/// Folders less deep than this have their entries walked on every worker (the thread that
/// lists a folder also examines every name in it, and a dump of small files spends its walk
/// there); deeper ones by the thread that got to them. Each parallel level joins its parts
/// once, so an entry is moved a bounded number of times at any depth.
const PARALLEL_DEPTH: usize = 2;

/// An entry listed in a folder: its ledger name (the folder's, `/`, its own), where it is,
/// and what it is.
type Child = (String, PathBuf, io::Result<Listed>);

/// What a listed entry is, as far as the walk needs to know.
enum Listed {
    Folder,
    /// A regular file, by the type the listing gives (no stat): its size is told when it is
    /// opened.
    File,
    /// Anything else (a symlink, a device, ...), or a file that may be one of this run's
    /// outputs: as `lstat` tells. These are rare, and their ledger rows carry their size.
    /// Boxed: a folder's children are sorted, and moved, at a fourth of the size.
    Examined(Box<fs::Metadata>),
}

fn visit(dir: &Path, base: &str, exclude: &Outputs, depth: usize, out: &mut Vec<Entry>) {
    let Some(children) = list(dir, base, exclude, out) else {
        return;
    };
    let folders = children.iter().filter(|c| is_dir(c)).count();
    if depth < PARALLEL_DEPTH && folders > 1 {
        let parts: Vec<Vec<Entry>> = children
            .into_par_iter()
            .fold(Vec::new, |mut part, c| {
                visit_child(c, exclude, depth, &mut part);
                part
            })
            .collect();
        out.extend(parts.into_iter().flatten());
    } else {
        for c in children {
            visit_child(c, exclude, depth, out);
        }
    }
}

fn is_dir(c: &Child) -> bool {
    matches!(c.2, Ok(Listed::Folder))
}

/// What `item` is: its type from the listing (`d_type`; std looks with `lstat` itself when
/// the file system does not tell), and only a file that is not a folder or a regular file,
/// or that may be an output, is looked at, through the open folder.
fn examine(item: &fs::DirEntry, outputs: &Outputs) -> io::Result<Listed> {
    let t = item.file_type()?;
    if t.is_dir() {
        Ok(Listed::Folder)
    } else if t.is_file() && !outputs.may_be(item) {
        Ok(Listed::File)
    } else {
        // A folder by `lstat` though not by the listing (it changed between the two) is one.
        item.metadata().map(|m| match m.is_dir() {
            true => Listed::Folder,
            false => Listed::Examined(Box::new(m)),
        })
    }
}

/// The entries of `dir`, sorted by name; `None` when it cannot be read (its entry is made).
/// Each is examined while listed ([`examine`]): through the open folder, a name is not looked
/// up again along the whole path; and the folder is closed again before its subfolders are
/// visited, so a deep tree holds no more than one folder open per thread.
fn list(dir: &Path, base: &str, outputs: &Outputs, out: &mut Vec<Entry>) -> Option<Vec<Child>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.push(Entry {
                path: dir.to_path_buf(),
                name: if base.is_empty() {
                    ".".into()
                } else {
                    base.to_string()
                },
                size: Some(0),
                kind: EntryKind::CannotReadDirectory(e.to_string()),
                root: false,
            });
            return None;
        }
    };
    let mut children: Vec<Child> = Vec::new();
    for item in rd {
        match item {
            Ok(item) => {
                let name = item.file_name();
                // Joined to the folder's name as it is listed: the names of one folder
                // share that prefix, so they sort as their own parts do.
                children.push((
                    join(base, &name),
                    child_path(dir, &name),
                    examine(&item, outputs),
                ))
            }
            Err(e) => out.push(Entry {
                path: dir.to_path_buf(),
                name: join(base, OsStr::new("?")),
                size: Some(0),
                kind: EntryKind::CannotList(e.to_string()),
                root: false,
            }),
        }
    }
    children.sort_unstable_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Some(children)
}

/// `dir/name` for a name listed in `dir` (one component, no `/`): as `Path::join` makes it,
/// without its general checks (a sixth of the walk's cost per entry).
fn child_path(dir: &Path, name: &OsStr) -> PathBuf {
    let dir = dir.as_os_str();
    let mut path = std::ffi::OsString::with_capacity(dir.len() + 1 + name.len());
    path.push(dir);
    let last = dir.as_encoded_bytes().last();
    if last.is_some_and(|&b| !std::path::is_separator(char::from(b))) {
        path.push(std::path::MAIN_SEPARATOR_STR);
    }
    path.push(name);
    PathBuf::from(path)
}

fn visit_child(c: Child, exclude: &Outputs, depth: usize, out: &mut Vec<Entry>) {
    let (name, path, listed) = c;
    match listed {
        Ok(Listed::Folder) => visit(&path, &name, exclude, depth + 1, out),
        Ok(Listed::Examined(meta)) => out.push(entry(path, name, &meta, exclude)),
        Ok(Listed::File) => out.push(Entry {
            path,
            name,
            size: None,
            kind: EntryKind::File,
            root: false,
        }),
        Err(e) => out.push(Entry {
            path,
            name,
            size: Some(0),
            kind: EntryKind::CannotExamine(e.to_string()),
            root: false,
        }),
    }
}

fn entry(path: PathBuf, name: String, meta: &fs::Metadata, outputs: &Outputs) -> Entry {
    let kind = if meta.file_type().is_symlink() {
        EntryKind::Symlink
    } else if !meta.is_file() {
        EntryKind::Special
    } else {
        outputs.check(Told::of(meta), &name, &path);
        EntryKind::File
    };
    Entry {
        path,
        name,
        size: Some(meta.len()),
        kind,
        root: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_fifo_swapped_in_after_the_walk_is_not_opened() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f.csv");
        let c = std::ffi::CString::new(p.to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Without O_NONBLOCK this open would wait for a writer for ever.
        let err = open_regular(&p).unwrap_err();
        assert!(
            err.to_string().contains("no longer a regular file"),
            "{err}"
        );
        std::os::unix::fs::symlink(d.path().join("x"), d.path().join("l")).unwrap();
        fs::write(d.path().join("x"), "x").unwrap();
        let err = open_regular(&d.path().join("l")).unwrap_err();
        assert!(err.to_string().contains("symlink"), "{err}");
        let err = open_regular(&d.path().join("gone")).unwrap_err();
        assert!(err.to_string().contains("removed during the scan"), "{err}");
        assert!(open_regular(&d.path().join("x")).is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn names_keep_bytes_that_are_not_utf8_apart() {
        use std::os::unix::ffi::OsStrExt;
        assert_eq!(
            display_name(OsStr::from_bytes(b"a\xffb.csv")),
            "a\\xFFb.csv"
        );
        assert_eq!(display_name(OsStr::from_bytes("é.csv".as_bytes())), "é.csv");
        assert_ne!(
            display_name(OsStr::from_bytes(b"\xfe")),
            display_name(OsStr::from_bytes(b"\xff"))
        );
    }

    #[test]
    fn a_childs_path_is_the_folders_joined() {
        for dir in ["a", "a/", "/", "", "./x/y", "/x//"] {
            let dir = Path::new(dir);
            assert_eq!(child_path(dir, OsStr::new("f.csv")), dir.join("f.csv"));
        }
    }

    #[test]
    fn folders_walked_on_many_threads_keep_the_one_order() {
        let d = tempfile::tempdir().unwrap();
        let mut want = Vec::new();
        for a in ["b", "a", "c"] {
            for b in ["y", "x"] {
                for f in ["2.txt", "1.txt"] {
                    let dir = d.path().join(a).join(b).join("z");
                    fs::create_dir_all(&dir).unwrap();
                    fs::write(dir.join(f), "x").unwrap();
                    want.push(format!("{a}/{b}/z/{f}"));
                }
            }
            fs::write(d.path().join(a).join("0.txt"), "x").unwrap();
            want.push(format!("{a}/0.txt"));
        }
        want.sort();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let roots = [d.path().to_path_buf()];
        let es = pool.install(|| walk(&roots, &Outputs::default())).unwrap();
        let names: Vec<_> = es.iter().map(|e| e.name.clone()).collect();
        assert_eq!(names, want);
        // Of two outputs that are inputs, the one first by name is told, on any thread.
        let outputs = [d.path().join("c/x/z/1.txt"), d.path().join("a/y/z/2.txt")];
        let err = pool
            .install(|| walk(&roots, &Outputs::new(&outputs)))
            .unwrap_err();
        assert!(err.to_string().contains("a/y/z/2.txt"), "{err}");
    }

    #[test]
    fn sorted_relative_and_no_symlinks() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("sub")).unwrap();
        fs::write(d.path().join("b.csv"), "x").unwrap();
        fs::write(d.path().join("sub/a.txt"), "y").unwrap();
        fs::write(d.path().join("a.txt"), "z").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.path().join("sub"), d.path().join("loop")).unwrap();
        let es = walk(&[d.path().to_path_buf()], &Outputs::default()).unwrap();
        let names: Vec<_> = es.iter().map(|e| e.name.as_str()).collect();
        #[cfg(unix)]
        assert_eq!(names, vec!["a.txt", "b.csv", "loop", "sub/a.txt"]);
        #[cfg(unix)]
        assert_eq!(es[2].kind, EntryKind::Symlink);
        let one = walk(&[d.path().join("sub/a.txt")], &Outputs::default()).unwrap();
        assert_eq!(one[0].name, "a.txt");
        assert!(walk(&[d.path().join("missing")], &Outputs::default()).is_err());
        // An output that exists as an input, by any path, is refused; a new one is fine.
        let err = walk(
            &[d.path().to_path_buf()],
            &Outputs::new(&[d.path().join("sub/../b.csv")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("refusing to overwrite"), "{err}");
        assert!(walk(
            &[d.path().to_path_buf()],
            &Outputs::new(&[d.path().join("new.json")])
        )
        .is_ok());
    }

    /// The walk looks at no regular file's size below a root (the open descriptor tells it),
    /// but at a root's, a symlink's and a special file's, whose rows carry it; [`measure`]
    /// looks when asked.
    #[cfg(unix)]
    #[test]
    fn only_what_is_no_regular_file_is_looked_at() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("a.csv"), "abc").unwrap();
        std::os::unix::fs::symlink("a.csv", d.path().join("l")).unwrap();
        let c = std::ffi::CString::new(d.path().join("p").to_str().unwrap()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let mut es = walk(&[d.path().to_path_buf()], &Outputs::default()).unwrap();
        let got: Vec<_> = es.iter().map(|e| (e.name.as_str(), e.size)).collect();
        assert_eq!(got, [("a.csv", None), ("l", Some(5)), ("p", Some(0))]);
        measure(&mut es, &Outputs::default());
        assert_eq!(es[0].size, Some(3));
        // An output found by the look, as the walk would have.
        es[0].size = None;
        let outputs = Outputs::new(&[d.path().join("a.csv")]);
        measure(&mut es, &outputs);
        assert!(outputs.refuse().is_err());
        let root = walk(&[d.path().join("a.csv")], &Outputs::default()).unwrap();
        assert_eq!(root[0].size, Some(3));
    }

    /// An output that is an input by another name (a hard link) is refused: the listing's
    /// inode finds it without a look at every file.
    #[cfg(unix)]
    #[test]
    fn an_output_linked_to_an_input_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("in");
        fs::create_dir(&input).unwrap();
        fs::write(input.join("a.csv"), "x").unwrap();
        fs::write(input.join("b.csv"), "y").unwrap();
        fs::hard_link(input.join("b.csv"), d.path().join("out.json")).unwrap();
        let err = walk(
            std::slice::from_ref(&input),
            &Outputs::new(&[d.path().join("out.json")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("in/b.csv"), "{err}");
        // Another file outside the input is fine.
        fs::write(d.path().join("other.json"), "{}").unwrap();
        let es = walk(&[input], &Outputs::new(&[d.path().join("other.json")])).unwrap();
        assert_eq!(es.len(), 2);
    }
}
