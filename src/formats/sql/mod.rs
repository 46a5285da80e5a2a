//! SQL dumps (SPEC §3, §4): MySQL/MariaDB `INSERT INTO t [(cols)] VALUES (…),(…);` and
//! PostgreSQL `COPY t (cols) FROM stdin;` blocks. One record per tuple or COPY row, its fields
//! named by column (from the statement, or from the table's `CREATE TABLE`). Other statements
//! hold no records.
//!
//! A dump is read in chunks like any text file, but where a chunk may be cut depends on what
//! came before (inside a `VALUES` list, inside a `COPY` block, which table's columns). The
//! reading thread runs the `Lexer` over every byte in order ([`cutter::SqlCutter`]), cuts only
//! between tuples, rows or statements, and hands each chunk the [`SqlState`] it starts in; a
//! worker runs the same lexer from that state and emits the records. Cuts depend on the bytes
//! alone, so the summary does not depend on the thread count.
//!
//! [`lexer`] reads statements and tuples, [`cutter`] finds where chunks may end; this module
//! sniffs a dump and reads a chunk into a [`RecordSink`]. Imports the sink's vocabulary and
//! the rules.

pub mod cutter;
pub mod lexer;

use std::collections::BTreeSet;

use memchr::memchr;

use crate::formats::sql::lexer::{Lexer, SqlState};
use crate::record::{Field, RecordSink};
use crate::rules::Patterns;

/// The letters `rest` starts with, upper-cased into `upper` when they fit, and how many there
/// are. On the stack: every file is asked whether it is SQL, and a `Vec` per file was a tenth
/// of a small file's sniff. A word longer than any keyword is none of them (empty).
fn first_word<'u>(rest: &[u8], upper: &'u mut [u8; 9]) -> (&'u [u8], usize) {
    let word = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    match rest.get(..word).filter(|w| w.len() <= upper.len()) {
        Some(w) => {
            let up = &mut upper[..w.len()];
            up.copy_from_slice(w);
            up.make_ascii_uppercase();
            (up, word)
        }
        None => (b"", word),
    }
}

/// Whether a file whose first block is `first` is a SQL dump: a dump tool's banner in a
/// leading comment says so; otherwise a statement keyword must start it (after comments), and
/// the file be called `.sql` or the lexer understand an `INSERT … VALUES`, `COPY … FROM stdin`
/// or `CREATE TABLE` in it (prose that says "insert into" is not a dump).
pub fn looks_like_sql(first: &[u8], ext: &str, p: &Patterns) -> bool {
    if first.starts_with(b"#!") {
        // A script: `#` lines are comments in MySQL, but not this one.
        return false;
    }
    let mut i = 0;
    let mut banner = false;
    loop {
        while i < first.len() && first[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &first[i..];
        if rest.starts_with(b"--") || rest.starts_with(b"#") {
            let line = &rest[..memchr(b'\n', rest).unwrap_or(rest.len())];
            let l = line.to_ascii_lowercase();
            for m in [
                &b"mysql dump"[..],
                b"mariadb dump",
                b"postgresql database dump",
                b"phpmyadmin sql dump",
                b"sql dump",
            ] {
                if memchr::memmem::find(&l, m).is_some() {
                    banner = true;
                }
            }
            match memchr(b'\n', rest) {
                Some(k) => i += k + 1,
                None => return false,
            }
        } else if rest.starts_with(b"/*") {
            match memchr::memmem::find(rest, b"*/") {
                Some(k) => i += k + 2,
                None => return false,
            }
        } else if rest.starts_with(b";") {
            i += 1;
        } else {
            break;
        }
    }
    let rest = &first[i..];
    let mut upper = [0u8; 9];
    let (w, word) = first_word(rest, &mut upper);
    let sql_start = matches!(
        w,
        b"INSERT"
            | b"REPLACE"
            | b"CREATE"
            | b"DROP"
            | b"SET"
            | b"USE"
            | b"LOCK"
            | b"UNLOCK"
            | b"COPY"
            | b"ALTER"
            | b"BEGIN"
            | b"START"
            | b"SELECT"
            | b"COMMENT"
            | b"DELIMITER"
            | b"TRUNCATE"
            | b"GRANT"
    ) && rest
        .get(word)
        .is_some_and(|c| c.is_ascii_whitespace() || *c == b'`');
    // A one-line statement (`SET NAMES utf8;`) ends on its line; a shell's `set -e` does not.
    let multi_line = matches!(
        w,
        b"INSERT" | b"REPLACE" | b"CREATE" | b"COPY" | b"ALTER" | b"SELECT" | b"DELIMITER"
    );
    let line = &rest[..memchr(b'\n', rest).unwrap_or(rest.len())];
    let sql_start = sql_start && (multi_line || memchr(b';', line).is_some());
    if !sql_start && !banner {
        return false;
    }
    if banner || ext == "sql" {
        return true;
    }
    let mut lx = Lexer::new(first, SqlState::default(), p, None);
    lx.emit = false;
    lx.run(false, &mut |_, _, _| true);
    lx.data_statements > 0
}

/// Reads every record of a chunk that starts in `state` into `sink`, and then the column
/// names its statements name.
pub fn read<S: RecordSink>(chunk: &[u8], state: &SqlState, p: &Patterns, sink: &mut S) {
    let mut names = BTreeSet::new();
    let mut lx = Lexer::new(chunk, state.clone(), p, Some(&mut names));
    lx.want_names = S::WANTS_NAMES;
    lx.run(true, &mut |fields, named, columns| {
        for (name, f) in columns.iter().zip(fields) {
            sink.named_value(name, &f.value);
        }
        sink.record(fields, named);
        !sink.full()
    });
    drop(lx);
    for n in &names {
        sink.name(n);
    }
}

/// Where [`SqlPieces`] hands each record: its fields' column names, and the fields.
pub type NamedRecord<'r> = dyn FnMut(&[&[u8]], &[Field]) + 'r;

/// SQL text that a reader of its own hands over in pieces as it inflates it (a pg_dump
/// archive's table data): the lexer's records, each field with its column name, for a
/// packer, whose reader gives the roles (so no patterns are needed here).
pub struct SqlPieces {
    state: SqlState,
}

impl SqlPieces {
    /// Text that starts after `statement` (`COPY t (cols) FROM stdin;`: rows named by its
    /// columns), or between statements.
    pub fn new(statement: Option<&[u8]>) -> SqlPieces {
        let mut pieces = SqlPieces {
            state: SqlState::default(),
        };
        if let Some(s) = statement {
            let mut s = s.to_vec();
            // The rows start on the line after the statement.
            if !s.ends_with(b"\n") {
                s.push(b'\n');
            }
            pieces.read(&s, false, &mut |_, _| {});
        }
        pieces
    }

    /// Reads the records in `text`: all of it when `at_end`, else up to the last place
    /// between records. Each record goes to `record` as its fields' column names (empty when
    /// the statement names none) and the fields. Returns the bytes read.
    pub fn read(&mut self, text: &[u8], at_end: bool, record: &mut NamedRecord) -> usize {
        let mut lx = Lexer::naming(text, self.state.clone());
        lx.run(at_end, &mut |fields, _, names| {
            record(names, fields);
            true
        });
        let read = if at_end { text.len() } else { lx.safe };
        self.state = lx.safe_state;
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::sql::cutter::SqlCutter;
    use crate::formats::sql::lexer::copy_unescape;
    use crate::testing::pats;
    use crate::testing::xorshift;

    /// Parses every record of a chunk that starts in `state`.
    fn for_each_record<'a>(
        chunk: &'a [u8],
        state: &SqlState,
        p: &Patterns,
        f: &mut dyn FnMut(&[Field<'a>], bool),
    ) {
        let mut lx = Lexer::new(chunk, state.clone(), p, None);
        lx.run(true, &mut |fields, named, _| {
            f(fields, named);
            true
        });
    }

    /// Random numbers below `n` from a xorshift generator seeded with `seed`.
    fn below(seed: u64) -> impl FnMut(usize) -> usize {
        let mut x = seed;
        move |n| (xorshift(&mut x) % n as u64) as usize
    }

    /// Every record as `role=value` strings.
    fn records(dump: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_record(
            dump.as_bytes(),
            &SqlState::default(),
            pats(),
            &mut |fields, named| {
                let cells: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{:?}={}", f.role, String::from_utf8_lossy(&f.value)))
                    .collect();
                out.push(format!(
                    "{}{}",
                    if named { "" } else { "~" },
                    cells.join("|")
                ));
            },
        );
        out
    }

    /// The records of `dump` when it is cut into chunks of at most `size` bytes by the
    /// cutter, each parsed from the state the cutter gave it.
    fn records_chunked(dump: &str, size: usize) -> Vec<String> {
        let b = dump.as_bytes();
        let mut cutter = SqlCutter::default();
        let mut out = Vec::new();
        let mut pos = 0;
        let mut end = size.min(b.len());
        while pos < b.len() {
            let start = cutter.state.clone();
            let done = end >= b.len();
            let cut = if done {
                b.len() - pos
            } else {
                match cutter.cut(&b[pos..end], pats()) {
                    Some(c) => c,
                    None => {
                        end = (end + size).min(b.len());
                        continue;
                    }
                }
            };
            let chunk = &b[pos..pos + cut];
            for_each_record(chunk, &start, pats(), &mut |fields, named| {
                let cells: Vec<String> = fields
                    .iter()
                    .map(|f| format!("{:?}={}", f.role, String::from_utf8_lossy(&f.value)))
                    .collect();
                out.push(format!(
                    "{}{}",
                    if named { "" } else { "~" },
                    cells.join("|")
                ));
            });
            pos += cut;
            end = (pos + size).min(b.len());
        }
        out
    }

    const MYSQL: &str = r#"-- MySQL dump 10.13  Distrib 8.0.36
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
DROP TABLE IF EXISTS `peserta`;
CREATE TABLE `peserta` (
  `id` int NOT NULL AUTO_INCREMENT,
  `nik` varchar(16) DEFAULT NULL COMMENT 'no, ktp (16)',
  `nama` varchar(50),
  `tgl_lahir` date,
  PRIMARY KEY (`id`),
  KEY `idx_nik` (`nik`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
LOCK TABLES `peserta` WRITE;
/*!40000 ALTER TABLE `peserta` DISABLE KEYS */;
INSERT INTO `peserta` VALUES (1,'3171010101900001','O\'Brien; \"x\"','1990-01-01'),(2,'3171014101900002','a''b\\','1990-01-01'),
(3,NULL,'multi
line',NULL);
# a comment
INSERT INTO peserta (nama, nik) VALUES ('Budi (x)', '3171010101900003') /* c */, ( _utf8mb4'Ani' /* ) */, 0x41 );
/*!40000 ALTER TABLE `peserta` ENABLE KEYS */;
UNLOCK TABLES;
"#;

    #[test]
    fn mysql_tuples_columns_escapes_and_nulls() {
        let r = records(MYSQL);
        assert_eq!(
            r,
            vec![
                "Other=1|Nik=3171010101900001|Other=O'Brien; \"x\"|BirthDate=1990-01-01",
                "Other=2|Nik=3171014101900002|Other=a'b\\|BirthDate=1990-01-01",
                "Other=3|Other=multi\nline",
                "Other=Budi (x)|Nik=3171010101900003",
                "Other=Ani|Nik=0x41",
            ]
        );
    }

    #[test]
    fn every_chunking_gives_the_same_records() {
        let want = records(MYSQL);
        for size in [1, 2, 3, 7, 16, 40, 100, 1000] {
            assert_eq!(records_chunked(MYSQL, size), want, "chunks of {size}");
        }
        let want = records(POSTGRES);
        for size in [1, 5, 33, 100, 10_000] {
            assert_eq!(records_chunked(POSTGRES, size), want, "chunks of {size}");
        }
    }

    #[test]
    fn comments_after_bare_values_are_not_values() {
        let dump = "CREATE TABLE t (nik text, hp text);\n\
            INSERT INTO t VALUES (1 -- ),(\n, 'x'), (CONCAT(2 /* ) */, 3) # ,\n, 'y');\n";
        assert_eq!(
            records(dump),
            vec!["Nik=1|Phone=x", "Nik=CONCAT(2 /* ) */, 3)|Phone=y"]
        );
    }

    #[test]
    fn plain_tuples_read_as_the_full_parse_reads_them() {
        // A blank after `(` sends a tuple to the full parse: each random tuple is read both
        // ways, including values the plain reading must hand back (escapes, doubled quotes,
        // lowercase null, hex, exponents) after it pushed some fields.
        const VALUES: &[&str] = &[
            "'3171010101900001'",
            "''",
            "'a b, c)'",
            "'O\\'Brien'",
            "'a''b'",
            "'x\\\\'",
            "0",
            "-12",
            "3.5",
            "-",
            "NULL",
            "null",
            "NULLX",
            "0x41",
            "1e5",
            "_utf8mb4'Ani'",
            "\"dq\"",
        ];
        let mut next = below(0x853c_49e6_748f_ea9bu64);
        for _ in 0..2_000 {
            let vals: Vec<&str> = (0..1 + next(5))
                .map(|_| VALUES[next(VALUES.len())])
                .collect();
            let sep = [",", ", ", ",  "][next(3)];
            let dump = |open: &str| {
                format!(
                    "CREATE TABLE t (nik text, hp text, tgl text, nama text, x text);\n\
                     INSERT INTO t VALUES {open}{});\n",
                    vals.join(sep)
                )
            };
            let (plain, full) = (records(&dump("(")), records(&dump("( ")));
            assert_eq!(plain, full, "{}", dump("("));
        }
    }

    #[test]
    fn random_tuples_cut_anywhere_read_the_same() {
        // What the cutter's fast tuple skip must get right: nested parentheses, minus
        // signs, and quotes, parentheses and comment marks inside strings and comments.
        const VALUES: &[&str] = &[
            "1",
            "-2",
            "NULL",
            "'3171010101900001'",
            "'a''b'",
            "'O\\'Brien (x)'",
            "'-- not a comment'",
            "'# nor this'",
            "'/* nor */'",
            "'x\\\\'",
            "CONCAT('a', (1 - 2))",
            "_utf8mb4'Ani'",
            "'(' /* ) */",
            "'a' -- ),(\n",
            "'b' # ),(\n",
            "\"dq)\"",
        ];
        let mut next = below(0x2545_f491_4f6c_dd1du64);
        for _ in 0..200 {
            let mut dump = String::from("CREATE TABLE t (nik text, hp text, tgl text);\n");
            for _ in 0..1 + next(3) {
                let tuples: Vec<String> = (0..1 + next(4))
                    .map(|_| {
                        let vals: Vec<&str> = (0..1 + next(4))
                            .map(|_| VALUES[next(VALUES.len())])
                            .collect();
                        format!("({})", vals.join([",", ", "][next(2)]))
                    })
                    .collect();
                dump += &format!("INSERT INTO t VALUES {};\n", tuples.join(",\n"));
            }
            let want = records(&dump);
            for size in [1, 5, 13, 64] {
                assert_eq!(
                    records_chunked(&dump, size),
                    want,
                    "chunks of {size}: {dump}"
                );
            }
        }
    }

    const POSTGRES: &str = "--\n-- PostgreSQL database dump\n--\n\
SET standard_conforming_strings = on;\n\
CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN; INSERT INTO x VALUES (1); END; $fn$ LANGUAGE plpgsql;\n\
CREATE TABLE public.peserta (\n    nik character varying(16),\n    \"No HP\" text,\n    tgllahir date\n);\n\
INSERT INTO public.peserta VALUES ('3171010101900001', 'C:\\path', '1990-01-01');\n\
COPY public.peserta (nik, \"No HP\", tgllahir) FROM stdin;\n\
3171010101900001\t0812\\t3456\t1990-01-01\n\
\\N\t\\\\x\t\\N\n\
\\.\n\
\\connect other\n\
COPY public.peserta FROM stdin;\n\
3171010101900002\t\\101\\x42\t2000-02-02\n\
\\.\n";

    #[test]
    fn postgres_copy_blocks_and_conforming_strings() {
        let r = records(POSTGRES);
        assert_eq!(
            r,
            vec![
                "Nik=3171010101900001|Phone=C:\\path|BirthDate=1990-01-01",
                "Nik=3171010101900001|Phone=0812\t3456|BirthDate=1990-01-01",
                "Phone=\\x",
                "Nik=3171010101900002|Phone=AB|BirthDate=2000-02-02",
            ]
        );
    }

    #[test]
    fn unknown_columns_are_unnamed_and_odd_statements_hold_no_records() {
        let r = records(
            "INSERT INTO t VALUES ('a',1);\nINSERT INTO t SELECT * FROM u;\n\
             DELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END ;;\n\
             DELIMITER ;\nINSERT IGNORE INTO `t` (`nik`) VALUES ('1') ON DUPLICATE KEY UPDATE nik='2';\n",
        );
        assert_eq!(r, vec!["~Unnamed=a|Unnamed=1", "Nik=1"]);
    }

    #[test]
    fn truncated_dumps_do_not_panic_and_keep_what_came_before() {
        for cut in 0..MYSQL.len() {
            let _ = records(&MYSQL[..cut]);
        }
        let r = records(&MYSQL[..MYSQL.find("(2,").unwrap() + 10]);
        assert_eq!(r.len(), 2, "{r:?}");
        for cut in 0..POSTGRES.len() {
            let _ = records(&POSTGRES[..cut]);
        }
    }

    #[test]
    fn sniffing() {
        let p = pats();
        assert!(looks_like_sql(MYSQL.as_bytes(), "txt", p));
        assert!(looks_like_sql(POSTGRES.as_bytes(), "dat", p));
        assert!(looks_like_sql(b"insert into t values (1);", "txt", p));
        assert!(!looks_like_sql(b"set the table, please\n", "txt", p));
        assert!(looks_like_sql(b"SET NAMES utf8;\n", "sql", p));
        assert!(!looks_like_sql(b"nik,nama\n1,2\n", "sql", p));
        assert!(!looks_like_sql(b"-- just a note\nhello\n", "txt", p));
        let script = b"#!/bin/sh\n# x\nset -e\necho 'insert into t'\n";
        assert!(!looks_like_sql(script, "sh", p));
        let shell = b"# notes\nset -e\ninsert into t values (1);\n";
        assert!(!looks_like_sql(shell, "txt", p));
        // Prose that mentions SQL is not a dump.
        let prose = b"Select the rows; then insert into the table whatever you like.\n";
        assert!(!looks_like_sql(prose, "txt", p));
    }

    #[test]
    fn sql_server_batches_without_semicolons() {
        let r = records(
            "INSERT [dbo].[peserta] ([nik], [nama]) VALUES (N'3171010101900001', N'Budi')\nGO\n\
             INSERT [dbo].[peserta] ([nik], [nama]) VALUES (N'3171010101900002', N'Ani')\n\
             INSERT [dbo].[peserta] ([nik]) VALUES (N'3171010101900003')\nGO\n",
        );
        assert_eq!(
            r,
            vec![
                "Nik=3171010101900001|Other=Budi",
                "Nik=3171010101900002|Other=Ani",
                "Nik=3171010101900003",
            ]
        );
    }

    #[test]
    fn copy_rows_split_like_a_plain_split_on_tabs() {
        // Tabs, backslashes (escaping a tab, a backslash, the line's end), `\N` and empty
        // fields, in random lines: each row must read as splitting on every tab and
        // unescaping the fields that hold a backslash.
        const PIECES: &[&str] = &["a", "08", "\t", "\\", "\\N", "\\\\", "\\\t", " ", "x\\"];
        let mut next = below(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..2_000 {
            let line: String = (0..next(12)).map(|_| PIECES[next(PIECES.len())]).collect();
            let dump = format!("COPY t (a, b, c, d) FROM stdin;\n{line}\n\\.\n");
            let want: Vec<String> = line
                .split('\t')
                .filter(|v| !v.is_empty() && *v != "\\N")
                .map(|v| {
                    let v = if v.contains('\\') {
                        copy_unescape(v.as_bytes())
                    } else {
                        v.as_bytes().to_vec()
                    };
                    // No column name here means anything: every role is `Other`.
                    format!("Other={}", String::from_utf8_lossy(&v))
                })
                .collect();
            let got = records(&dump);
            assert_eq!(got, vec![want.join("|")], "{line:?}");
        }
    }

    #[test]
    fn copy_escapes() {
        assert_eq!(copy_unescape(b"a\\tb\\\\c\\101\\x41\\"), b"a\tb\\cAA\\");
    }
}
