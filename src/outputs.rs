//! Every file triage writes (SPEC §2 "Outputs"): `-o`, `--html`, `--records`, `synth`'s files.
//!
//! An output describes a leak, and it may sit beside the evidence or in a shared folder, so
//! writing one must never harm anything:
//!
//! - [`check`] runs before anything is read and refuses (exit 2) a symlink at an output path,
//!   an existing output owned by another user, a folder or an input at an output path, two
//!   outputs on one path, and an output folder that is missing or not writable: a typo fails
//!   in a second, not after an hour's scan.
//! - [`write`] writes to an owner-only temporary file created with `O_EXCL|O_NOFOLLOW` in the
//!   target's folder, flushes and fsyncs it, then renames it into place: a full disk, a
//!   failed write or a second run at the same time never leaves a truncated output and never
//!   destroys the previous one. The temporary file is removed on error, and on `SIGINT`,
//!   `SIGTERM`, `SIGHUP` and `SIGXFSZ` too (see [`cleanup`]).
//!
//! Streams are the exception: an existing device, FIFO or socket (`/dev/null`, a named pipe)
//! and the standard streams named as `/dev/stdout`, `/dev/stderr` or `/dev/fd/N` (`>(…)`) are
//! written in place, since there is no previous file to keep and renaming over them would
//! replace the device itself. A link named anything else is refused, whatever it points to.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tempfile::NamedTempFile;

/// Checks every output of a command before it reads anything. `outputs` are `(flag, path)`,
/// the flag naming the output in messages; `inputs` are the paths it reads (roots, baseline,
/// reference list): none of them may be an output.
pub fn check(outputs: &[(&str, &Path)], inputs: &[&Path]) -> Result<()> {
    let mut planned: Vec<(PathBuf, &str, &Path)> = Vec::new();
    for &(flag, path) in outputs {
        let Some(target) = check_one(flag, path)? else {
            continue;
        };
        if let Some((_, other_flag, other)) = planned.iter().find(|(t, ..)| *t == target) {
            bail!(
                "refusing to write {flag} {} and {other_flag} {}: two outputs on one path",
                path.display(),
                other.display()
            );
        }
        for input in inputs {
            if same_file(input, &target) {
                bail!(
                    "refusing to overwrite {}: it is the scanned input {} (write the output \
                     outside the scanned paths)",
                    path.display(),
                    input.display()
                );
            }
        }
        planned.push((target, flag, path));
    }
    Ok(())
}

/// One output's checks; its canonical path (canonical folder and its name), or `None` for
/// a stream written in place.
fn check_one(flag: &str, path: &Path) -> Result<Option<PathBuf>> {
    if is_stream(path) {
        return Ok(None);
    }
    let shown = path.display();
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => bail!(
            "refusing to write {flag} {shown}: it is a symbolic link, and outputs never \
             follow links (name the file itself)"
        ),
        Ok(m) if m.is_dir() => bail!("refusing to write {flag} {shown}: it is a folder"),
        Ok(m) if m.is_file() => {
            if let Some(uid) = other_owner(&m) {
                bail!(
                    "refusing to overwrite {flag} {shown}: it is owned by another user \
                     (uid {uid})"
                );
            }
        }
        Ok(_) => return Ok(None),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => bail!("cannot examine {flag} {shown}: {e}"),
    }
    let Some(name) = path.file_name() else {
        bail!("{flag} {shown} does not name a file");
    };
    let dir = folder(path);
    let canonical = fs::canonicalize(&dir).with_context(|| {
        format!(
            "cannot write {flag} {shown}: its folder {} cannot be reached",
            dir.display()
        )
    })?;
    // The probe is made and removed exactly as the output's temporary file will be.
    drop(TempOutput::new(&dir).with_context(|| {
        format!(
            "cannot write {flag} {shown}: its folder {} is not writable",
            dir.display()
        )
    })?);
    Ok(Some(canonical.join(name)))
}

/// Whether an input and a planned output (canonical) are one file: by identity when the
/// input exists, by canonical path otherwise.
fn same_file(input: &Path, target: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (fs::metadata(input), fs::metadata(target)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    fs::canonicalize(input).is_ok_and(|c| c == target)
}

#[cfg(unix)]
fn other_owner(m: &fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    (m.uid() != me).then_some(m.uid())
}

#[cfg(not(unix))]
fn other_owner(_: &fs::Metadata) -> Option<u32> {
    None
}

/// The folder an output goes in (`.` for a bare file name).
fn folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A stream written in place: a standard stream by name, or an existing device, FIFO or
/// socket that is not a link.
fn is_stream(path: &Path) -> bool {
    let named = path == Path::new("/dev/stdout")
        || path == Path::new("/dev/stderr")
        || ["/dev/fd/", "/proc/self/fd/"].iter().any(|dir| {
            path.parent() == Some(Path::new(dir.trim_end_matches('/')))
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
    named
        || fs::symlink_metadata(path)
            .is_ok_and(|m| !m.file_type().is_symlink() && !m.is_file() && !m.is_dir())
}

/// Writes one output whole (see the module's documentation): `body` writes the content.
pub fn write(path: &Path, body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let shown = path.display();
    if is_stream(path) {
        let f = OpenOptions::new()
            .append(true)
            .open(path)
            .with_context(|| format!("opening {shown}"))?;
        let mut w = BufWriter::new(f);
        return body(&mut w)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing {shown}"));
    }
    let dir = folder(path);
    let tmp = TempOutput::new(&dir)
        .with_context(|| format!("creating a temporary file for {shown} in {}", dir.display()))?;
    fill(tmp.file.as_file(), body).with_context(|| format!("writing {shown}"))?;
    tmp.persist(path)
        .with_context(|| format!("moving the finished {shown} into place"))?;
    // The rename is durable once the folder is synced; an error here loses nothing written.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Writes the content, flushed and on disk before it may be renamed into place.
fn fill(f: &File, body: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 16, EarlyWriteback::new(f));
    body(&mut w)?;
    w.flush()?;
    drop(w);
    f.sync_all()
}

/// A file written from its start that asks the kernel to begin writing each finished
/// [`WRITEBACK_STEP`] to disk at once, without waiting for it: the `fsync` that ends an
/// output then waits for the last step alone, not for the whole file (80 MB of `files`
/// rows in a dump of small files took 30 ms to sync, a twentieth of the scan).
struct EarlyWriteback<'f> {
    file: &'f File,
    written: u64,
    started: u64,
}

/// Bytes written before the kernel is asked to start writing them back.
const WRITEBACK_STEP: u64 = 8 << 20;

impl<'f> EarlyWriteback<'f> {
    fn new(file: &'f File) -> Self {
        EarlyWriteback {
            file,
            written: 0,
            started: 0,
        }
    }

    /// Starts the writeback of what was written since the last start, once a step is due.
    fn start_writeback(&mut self) {
        let due = self.written - self.started;
        if due < WRITEBACK_STEP {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: a plain system call on a descriptor this struct borrows open; it reads
            // no memory of ours. Only a hint: its error changes nothing (the fsync decides).
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    self.started as libc::off64_t,
                    due as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
        }
        self.started = self.written;
    }
}

impl Write for EarlyWriteback<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut file = self.file;
        let n = file.write(buf)?;
        self.written += n as u64;
        self.start_writeback();
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut file = self.file;
        file.flush()
    }
}

/// An owner-only temporary file in an output's folder, removed unless persisted (also when a
/// signal ends the process, see [`cleanup`]).
struct TempOutput {
    file: NamedTempFile,
    _registered: cleanup::Registered,
}

impl TempOutput {
    fn new(dir: &Path) -> io::Result<TempOutput> {
        let file = tempfile::Builder::new()
            .prefix(".triage-")
            .suffix(".tmp")
            .make_in(dir, |p| {
                let mut o = OpenOptions::new();
                o.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    o.mode(0o600)
                        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
                }
                o.open(p)
            })?;
        let registered = cleanup::register(file.path());
        // The umask may only narrow 0600; set it exactly, whatever the umask.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.as_file()
                .set_permissions(fs::Permissions::from_mode(0o600))?;
        }
        Ok(TempOutput {
            file,
            _registered: registered,
        })
    }

    /// Renames the file to `path`; on error it is removed. The rename replaces whatever
    /// name is at `path` (a link planted since [`check`] included) and never follows it.
    fn persist(self, path: &Path) -> io::Result<()> {
        let TempOutput { file, _registered } = self;
        file.persist(path).map(drop).map_err(|e| e.error)
    }
}

/// Removal of the temporary files on a signal that ends the process: the names are kept
/// where an async-signal-safe handler can read them, and the handler unlinks them and
/// re-raises the signal with its default action (so the exit status is the signal's).
#[cfg(unix)]
mod cleanup {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::ptr::null_mut;
    use std::sync::atomic::{AtomicPtr, Ordering};
    use std::sync::Once;

    /// More temporary files than one command ever has at once (an output, or a probe).
    const SLOTS: usize = 16;
    static PENDING: [AtomicPtr<libc::c_char>; SLOTS] =
        [const { AtomicPtr::new(null_mut()) }; SLOTS];
    static INSTALL: Once = Once::new();
    const SIGNALS: [libc::c_int; 4] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGXFSZ];

    /// A registered temporary file, unregistered when dropped.
    pub struct Registered(Option<usize>);

    impl Drop for Registered {
        fn drop(&mut self) {
            if let Some(i) = self.0 {
                // The name is leaked, not freed: a handler on another thread may be reading
                // it. A command makes a handful of temporary files.
                PENDING[i].store(null_mut(), Ordering::SeqCst);
            }
        }
    }

    pub fn register(path: &Path) -> Registered {
        INSTALL.call_once(install);
        let Ok(c) = CString::new(path.as_os_str().as_bytes()) else {
            return Registered(None);
        };
        let raw = c.into_raw();
        for (i, slot) in PENDING.iter().enumerate() {
            if slot
                .compare_exchange(null_mut(), raw, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Registered(Some(i));
            }
        }
        // SAFETY: `raw` came from `into_raw` above and was never shared.
        drop(unsafe { CString::from_raw(raw) });
        Registered(None)
    }

    extern "C" fn on_signal(sig: libc::c_int) {
        for slot in &PENDING {
            let p = slot.load(Ordering::SeqCst);
            if !p.is_null() {
                // SAFETY: a NUL-terminated name that is never freed; unlink and the calls
                // below are async-signal-safe.
                unsafe { libc::unlink(p) };
            }
        }
        // SAFETY: restoring the default action and re-raising ends the process as the
        // signal would have (it is delivered once this handler returns).
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
    }

    fn install() {
        for sig in SIGNALS {
            // SAFETY: plain sigaction calls on zeroed structures; a signal that is ignored
            // (nohup, `trap '' XFSZ`) stays ignored, so a write past a size limit fails
            // with an error instead.
            unsafe {
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, std::ptr::null(), &mut old) != 0
                    || old.sa_sigaction == libc::SIG_IGN
                {
                    continue;
                }
                let mut new: libc::sigaction = std::mem::zeroed();
                new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                libc::sigemptyset(&mut new.sa_mask);
                libc::sigaction(sig, &new, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(not(unix))]
mod cleanup {
    pub struct Registered;
    pub fn register(_: &std::path::Path) -> Registered {
        Registered
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(outputs: &[(&str, &Path)], inputs: &[&Path]) -> String {
        format!("{:#}", check(outputs, inputs).unwrap_err())
    }

    #[test]
    fn write_replaces_whole_and_leaves_no_temporary_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("o.json");
        fs::write(&p, "old").unwrap();
        let keep = d.path().join("old-link");
        fs::hard_link(&p, &keep).unwrap();
        write(&p, |w: &mut dyn Write| w.write_all(b"new")).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert_eq!(
            fs::read(&keep).unwrap(),
            b"old",
            "renamed, not written in place"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A failing writer keeps the previous file and leaves nothing behind.
        let e = write(&p, |w: &mut dyn Write| {
            w.write_all(b"partial")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(format!("{e:#}").contains("disk full"), "{e:#}");
        assert_eq!(fs::read(&p).unwrap(), b"new");
        let mut names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["o.json", "old-link"]);
    }

    #[cfg(unix)]
    #[test]
    fn checks_refuse_what_would_harm() {
        let d = tempfile::tempdir().unwrap();
        let victim = d.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        let link = d.path().join("link.json");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(err(&[("-o", &link)], &[]).contains("symbolic link"));
        assert!(err(&[("-o", d.path())], &[]).contains("folder"));
        let a = d.path().join("a.json");
        let same = d.path().join(".").join("a.json");
        assert!(err(&[("-o", &a), ("--html", &same)], &[]).contains("two outputs on one path"));
        assert!(err(&[("-o", &victim)], &[&victim]).contains("scanned input"));
        let missing = d.path().join("no/such/dir/x.json");
        assert!(err(&[("-o", &missing)], &[]).contains("cannot be reached"));
        assert!(check(&[("-o", &a), ("--html", &victim)], &[&link]).is_err());
        check(&[("-o", &a), ("--html", Path::new("/dev/null"))], &[]).unwrap();
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2, "probes removed");
        // /dev/null is written in place, never replaced.
        write(Path::new("/dev/null"), |w: &mut dyn Write| {
            w.write_all(b"x")
        })
        .unwrap();
        use std::os::unix::fs::FileTypeExt;
        assert!(fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device());
    }
}
