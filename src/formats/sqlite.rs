//! SQLite databases (mobile apps, desktop tools): one record per row of every table, fields
//! named by column (SPEC §3, §4). Read with the bundled SQLite (`rusqlite`), opened read-only
//! and never modified: `mode=ro&immutable=1` makes SQLite take no lock and create no `-wal`,
//! `-shm` or journal file beside the evidence, even for a WAL database.
//!
//! The database is opened through the descriptor of the file triage already holds
//! (`/proc/self/fd/N`), by a VFS that is the system's own with one change: it takes that path
//! as it is. The stock VFS resolves symbolic links, which turns `/proc/self/fd/N` into the
//! file's name — and an unlinked spill file (a database from an archive or a stream) has none.
//! So a walked file is read in place and a spilled one through its open handle, alike.
//!
//! Values: TEXT as stored, INTEGER in decimal, REAL as its shortest decimal (an integral one
//! as an integer, a fraction cut to 9 digits: `packed::write_real`), a BLOB only when it is
//! UTF-8 text; NULL and other BLOBs are left out. Rows are stepped one at a time, never collected. A hostile file is
//! bounded: no statement but reads (`query_only`), no value over [`MAX_VALUE`], and a budget
//! of VM steps proportional to the file's size. Imports the packer.

use std::ffi::{c_char, c_int, c_void, CStr};
use std::fs::File;
use std::sync::OnceLock;

use rusqlite::types::ValueRef;
use rusqlite::{ffi, Connection, OpenFlags};

use crate::formats::packed::{write_real, Budget, Packer, Stop};

/// The longest value SQLite may hand back (`SQLITE_LIMIT_LENGTH`): a larger one fails its
/// table instead of being held in memory.
const MAX_VALUE: c_int = 64 << 20;

/// VM steps a database may take per byte of file (checked every [`STEP_GRAIN`] steps), plus a
/// floor: a full scan costs a few steps per byte, a crafted schema (generated columns that
/// loop over huge strings) is stopped.
const STEPS_PER_BYTE: u64 = 64;
const STEP_FLOOR: u64 = 1 << 24;
const STEP_GRAIN: c_int = 1000;

/// The name of the VFS that opens `/proc/self/fd/N` as given.
const VFS: &CStr = c"triage-fd";

/// Reads every row of every table of the database in `file` into `out`.
pub fn read(file: &File, _budget: &Budget, out: &mut Packer) -> Result<(), Stop> {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let conn = open(file)?;
    let steps = Box::new(StepBudget {
        left: STEP_FLOOR.saturating_add(size.saturating_mul(STEPS_PER_BYTE) / STEP_GRAIN as u64),
    });
    let steps_ptr = &*steps as *const StepBudget as *mut c_void;
    // SAFETY: the handler's argument outlives the connection's use below; it is removed
    // before `steps` is dropped.
    unsafe { ffi::sqlite3_progress_handler(conn.handle(), STEP_GRAIN, Some(step), steps_ptr) };
    let result = read_tables(&conn, out);
    unsafe { ffi::sqlite3_progress_handler(conn.handle(), 0, None, std::ptr::null_mut()) };
    drop(steps);
    result
}

/// Opens `file` read-only through its descriptor, with the limits set.
fn open(file: &File) -> Result<Connection, Stop> {
    use std::os::fd::AsRawFd;
    if !register_vfs() {
        return Err(Stop::Damaged(
            "cannot open a database by its descriptor".into(),
        ));
    }
    let uri = format!(
        "file:/proc/self/fd/{}?mode=ro&immutable=1&vfs={}",
        file.as_raw_fd(),
        VFS.to_str().unwrap_or_default()
    );
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(uri, flags).map_err(damaged)?;
    // SAFETY: a valid connection handle; sqlite3_limit only sets a number.
    unsafe { ffi::sqlite3_limit(conn.handle(), ffi::SQLITE_LIMIT_LENGTH, MAX_VALUE) };
    conn.busy_timeout(std::time::Duration::ZERO)
        .map_err(damaged)?;
    for (pragma, on) in [
        ("query_only", true),
        ("trusted_schema", false),
        ("cell_size_check", true),
    ] {
        conn.pragma_update(None, pragma, on).map_err(damaged)?;
    }
    Ok(conn)
}

/// Every table's rows; a table that fails is noted and the others are still read.
fn read_tables(conn: &Connection, out: &mut Packer) -> Result<(), Stop> {
    let tables = tables(conn)?;
    let mut failed: Vec<String> = Vec::new();
    for t in &tables {
        if let Err(e) = read_table(conn, t, out) {
            failed.push(format!("table {}: {e}", printable(t)));
        }
    }
    match failed.len() {
        0 => Ok(()),
        n => Err(Stop::Damaged(format!(
            "{n} of {} tables not read to the end: {}",
            tables.len(),
            failed.join("; ")
        ))),
    }
}

/// The tables that hold rows: not SQLite's own (`sqlite_%`), not virtual tables (their rows
/// are in shadow tables, read as tables of their own).
fn tables(conn: &Connection) -> Result<Vec<String>, Stop> {
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
             ESCAPE '\\' AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL%' ORDER BY rowid",
        )
        .map_err(damaged)?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(damaged)?;
    names.collect::<Result<_, _>>().map_err(damaged)
}

/// One table's rows, stepped one at a time.
fn read_table(conn: &Connection, table: &str, out: &mut Packer) -> rusqlite::Result<()> {
    let sql = format!("SELECT * FROM \"{}\"", table.replace('"', "\"\""));
    let mut stmt = conn.prepare(&sql)?;
    let names: Vec<Vec<u8>> = stmt
        .column_names()
        .iter()
        .map(|n| n.as_bytes().to_vec())
        .collect();
    let mut rows = stmt.query([])?;
    let mut text = Vec::new();
    while let Some(row) = rows.next()? {
        out.begin(true);
        for (i, name) in names.iter().enumerate() {
            if let Some(v) = value(row.get_ref(i)?, &mut text) {
                out.field(name, v);
            }
        }
        out.end();
    }
    Ok(())
}

/// A value as text, or `None` for NULL and a BLOB that is not text.
fn value<'v>(v: ValueRef<'v>, text: &'v mut Vec<u8>) -> Option<&'v [u8]> {
    use std::io::Write;
    text.clear();
    match v {
        ValueRef::Null => return None,
        ValueRef::Text(t) => return Some(t),
        ValueRef::Blob(b) => return is_text(b).then_some(b),
        ValueRef::Integer(i) => write!(text, "{i}").ok()?,
        ValueRef::Real(f) => write_real(f, text),
    }
    Some(text)
}

/// A BLOB that holds text: UTF-8 without control characters other than white space.
fn is_text(b: &[u8]) -> bool {
    std::str::from_utf8(b).is_ok_and(|s| {
        s.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
    })
}

/// A table's name for the ledger: control characters dropped, cut at 64 characters.
fn printable(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

fn damaged(e: rusqlite::Error) -> Stop {
    Stop::Damaged(e.to_string())
}

/// VM steps left (in grains of [`STEP_GRAIN`]).
struct StepBudget {
    left: u64,
}

/// SQLite's progress handler: a non-zero return interrupts the statement.
unsafe extern "C" fn step(arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the `StepBudget` `read` keeps alive while the handler is set; only
    // this connection's thread calls it.
    let budget = unsafe { &mut *(arg as *mut StepBudget) };
    match budget.left.checked_sub(1) {
        Some(left) => {
            budget.left = left;
            0
        }
        None => 1,
    }
}

/// Registers [`VFS`] once: the default VFS with `xFullPathname` taking the path as given.
/// False when there is no default VFS to copy.
fn register_vfs() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    // SAFETY: sqlite3_vfs_find initializes SQLite and returns the registered default VFS,
    // which lives as long as the process; the copy is leaked, so it does too.
    *OK.get_or_init(|| unsafe {
        let base = ffi::sqlite3_vfs_find(std::ptr::null());
        if base.is_null() {
            return false;
        }
        let mut vfs = *base;
        vfs.zName = VFS.as_ptr();
        vfs.pNext = std::ptr::null_mut();
        vfs.xFullPathname = Some(path_as_given);
        let vfs = Box::leak(Box::new(vfs));
        let Some(set) = vfs.xSetSystemCall else {
            return false;
        };
        let open = std::mem::transmute::<OpenCall, unsafe extern "C" fn()>(open_following_fd);
        set(vfs, c"open".as_ptr(), Some(open)) == ffi::SQLITE_OK
            && ffi::sqlite3_vfs_register(vfs, 0) == ffi::SQLITE_OK
    })
}

/// The unix VFS's `open` system call.
type OpenCall = unsafe extern "C" fn(*const c_char, c_int, c_int) -> c_int;

/// `open` as SQLite calls it, except that `/proc/self/fd/N` is followed: SQLite always asks
/// for `O_NOFOLLOW`, and that path is a link to the open file. The unix VFSes share their
/// system calls, so this stands for every SQLite open in the process; only that path changes.
unsafe extern "C" fn open_following_fd(path: *const c_char, flags: c_int, mode: c_int) -> c_int {
    // SAFETY: SQLite passes a NUL-terminated path.
    let by_fd = unsafe { CStr::from_ptr(path) }
        .to_bytes()
        .starts_with(b"/proc/self/fd/");
    let flags = if by_fd {
        flags & !libc::O_NOFOLLOW
    } else {
        flags
    };
    // SAFETY: the arguments SQLite gave, as its own `open` passes them.
    unsafe { libc::open(path, flags, mode as libc::c_uint) }
}

/// `xFullPathname` that copies the (absolute) path: `/proc/self/fd/N` stays a path to the
/// open file, deleted or not.
unsafe extern "C" fn path_as_given(
    _: *mut ffi::sqlite3_vfs,
    path: *const c_char,
    n_out: c_int,
    out: *mut c_char,
) -> c_int {
    // SAFETY: SQLite passes a NUL-terminated path and an output buffer of `n_out` bytes.
    unsafe {
        let len = CStr::from_ptr(path).to_bytes_with_nul().len();
        if *path != b'/' as c_char || len > usize::try_from(n_out).unwrap_or(0) {
            return ffi::SQLITE_CANTOPEN;
        }
        std::ptr::copy_nonoverlapping(path, out, len);
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::formats::packed::testing::run;

    /// A database made by `sql` in a temporary file.
    fn db(sql: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("t.sqlite");
        let c = Connection::open(&path).unwrap();
        c.execute_batch(sql).unwrap();
        drop(c);
        (d, path)
    }

    /// The records of `file` as `name=value;…` strings, and how the reader stopped.
    fn rows(file: &File) -> (Vec<String>, Result<(), Stop>) {
        let (chunks, result) = run(1 << 30, |budget, p| read(file, budget, p));
        let rows = chunks.iter().flat_map(|c| as_text(&c.data)).collect();
        (rows, result)
    }

    /// A packed chunk's records as `name=value;…` strings.
    pub(crate) fn as_text(data: &[u8]) -> Vec<String> {
        let mut seen = Seen::default();
        crate::formats::packed::read_packed(data, crate::testing::pats(), &mut seen);
        seen.0
    }

    /// A sink that writes each record as `name=value;…`.
    #[derive(Default)]
    struct Seen(Vec<String>, Vec<u8>);

    impl crate::record::RecordSink for Seen {
        const WANTS_NAMES: bool = true;
        fn begin(&mut self) {}
        fn field(&mut self, _: crate::rules::Role, _: &[u8], _: bool) {}
        fn unheld(&mut self, _: &[crate::record::Field]) {}
        fn end(&mut self, _: &[crate::record::Field], _: bool) {}
        fn named_value(&mut self, name: &[u8], value: &[u8]) {
            self.1.extend_from_slice(name);
            self.1.push(b'=');
            self.1.extend_from_slice(value);
            self.1.push(b';');
        }
        fn record(&mut self, _: &[crate::record::Field], _: bool) {
            self.0.push(String::from_utf8_lossy(&self.1).into_owned());
            self.1.clear();
        }
        fn name(&mut self, _: &[u8]) {}
    }

    #[test]
    fn every_row_of_every_table_named_by_column() {
        let (_d, path) = db("CREATE TABLE p (nik TEXT, n INTEGER, r REAL, b BLOB, z);\n\
             INSERT INTO p VALUES ('3171010101900001', 42, 1.5, x'414243', NULL);\n\
             INSERT INTO p VALUES ('x', -7, 3171010101900001.0, x'00ff', 2.0);\n\
             CREATE TABLE k (kk TEXT PRIMARY KEY, hp TEXT) WITHOUT ROWID;\n\
             INSERT INTO k VALUES ('3171010101900002', '081234567890');\n\
             CREATE INDEX i ON p (nik);");
        let (rows, result) = rows(&File::open(&path).unwrap());
        assert_eq!(result, Ok(()));
        assert_eq!(
            rows,
            vec![
                "nik=3171010101900001;n=42;r=1.5;b=ABC;",
                "nik=x;n=-7;r=3171010101900001;z=2;",
                "kk=3171010101900002;hp=081234567890;",
            ]
        );
    }

    #[test]
    fn an_unlinked_file_is_read_through_its_descriptor_and_left_as_it_was() {
        let (d, path) = db("PRAGMA journal_mode=WAL; CREATE TABLE t (nik TEXT);\n\
             INSERT INTO t VALUES ('3171010101900001');");
        let before = std::fs::read(&path).unwrap();
        let f = File::open(&path).unwrap();
        let (got, result) = rows(&f);
        assert_eq!((got.len(), result), (1, Ok(())));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no -wal, -shm or journal beside it");
        std::fs::remove_file(&path).unwrap();
        let (got, result) = rows(&f);
        assert_eq!((got.len(), result), (1, Ok(())));
    }

    #[test]
    fn damaged_databases_say_what_sqlite_says() {
        let (_d, path) = db("CREATE TABLE t (nik TEXT);\n\
             WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 2000)\n\
             INSERT INTO t SELECT printf('%016d', v) FROM n;");
        let bytes = std::fs::read(&path).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, b: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, b).unwrap();
            File::open(p).unwrap()
        };
        // Not a database at all (SQLCipher's encrypted pages look like this).
        let (_, r) = rows(&write("enc", &[0x5a; 8192]));
        assert!(matches!(r, Err(Stop::Damaged(w)) if w.contains("not a database")));
        // Cut short: the rows on the pages before the cut, then the error.
        let (got, r) = rows(&write("cut", &bytes[..bytes.len() / 2]));
        assert!(got.len() < 2000, "{}", got.len());
        assert!(matches!(r, Err(Stop::Damaged(_))), "{r:?}");
        // Every cut and a scribbled page end in a reason, never a panic.
        for cut in (0..bytes.len()).step_by(997) {
            let _ = rows(&write("c", &bytes[..cut]));
        }
        let mut scribbled = bytes.clone();
        for b in &mut scribbled[4096..6000] {
            *b = 0xa5;
        }
        let _ = rows(&write("s", &scribbled));
    }
}
