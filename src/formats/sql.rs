//! SQL dumps (SPEC §3, §4): MySQL/MariaDB `INSERT INTO t [(cols)] VALUES (…),(…);` and
//! PostgreSQL `COPY t (cols) FROM stdin;` blocks. One record per tuple or COPY row, its fields
//! named by column (from the statement, or from the table's `CREATE TABLE`). Other statements
//! hold no records.
//!
//! A dump is read in chunks like any text file, but where a chunk may be cut depends on what
//! came before (inside a `VALUES` list, inside a `COPY` block, which table's columns). The
//! reading thread runs the `Lexer` over every byte in order ([`SqlCutter`]), cuts only
//! between tuples, rows or statements, and hands each chunk the [`SqlState`] it starts in; a
//! worker runs the same lexer from that state and emits the records. Cuts depend on the bytes
//! alone, so the summary does not depend on the thread count.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use memchr::memchr;

use crate::bytes::{find2, find_any};
use crate::record::{Field, RecordSink};
use crate::rules::{normalize_field_name, Patterns, Role};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Mode {
    /// Between statements.
    #[default]
    Top,
    /// Inside the tuple list of an `INSERT … VALUES`, between tuples.
    Values,
    /// Inside the rows of a `COPY … FROM stdin` block, at the start of a line.
    Copy,
}

/// Where the lexer stands between two records: what a chunk starts in.
#[derive(Clone, Debug, Default)]
pub struct SqlState {
    mode: Mode,
    /// The current statement's columns; `None` when the dump does not name them.
    columns: Option<Arc<Columns>>,
    /// Columns of every table created so far, by lower-case table name.
    tables: Arc<HashMap<Vec<u8>, Arc<Columns>>>,
    /// The statement delimiter (`DELIMITER ;;` in MySQL dumps of triggers); `;` when empty.
    delimiter: Option<Arc<[u8]>>,
    /// PostgreSQL with `standard_conforming_strings = on`: `\` in a string is a character.
    no_backslash: bool,
}

/// The columns a statement or a table names: their roles, and (only while sampling for
/// attribution, see [`sample`]) their normalized names.
#[derive(Debug, Default)]
struct Columns {
    roles: Vec<Role>,
    names: Vec<String>,
}

/// Keywords that start a `CREATE TABLE` definition which is not a column.
const NOT_COLUMNS: &[&str] = &[
    "PRIMARY",
    "KEY",
    "UNIQUE",
    "INDEX",
    "CONSTRAINT",
    "FOREIGN",
    "FULLTEXT",
    "SPATIAL",
    "CHECK",
    "LIKE",
    "EXCLUDE",
    "PERIOD",
];

/// Keywords that start a statement: after a `VALUES` list they end it even without `;`.
const STATEMENT_STARTS: &[&str] = &[
    "INSERT", "REPLACE", "GO", "CREATE", "COPY", "DELETE", "UPDATE", "DROP", "SET", "ALTER",
    "LOCK", "UNLOCK", "COMMIT", "BEGIN", "USE", "SELECT", "TRUNCATE",
];

struct Lexer<'a, 'x> {
    b: &'a [u8],
    i: usize,
    st: SqlState,
    p: &'x Patterns,
    /// Column names as written, for attribution.
    names: Option<&'x mut BTreeSet<Vec<u8>>>,
    /// The last position between records, and the state there.
    safe: usize,
    safe_state: SqlState,
    dirty: bool,
    fields: Vec<Field<'a>>,
    /// Whether records are wanted (a worker), or only where they end (the cutter).
    emit: bool,
    /// `INSERT … VALUES`, `COPY … FROM stdin` and `CREATE TABLE` statements understood.
    data_statements: usize,
    /// Set while sampling for attribution ([`sample`]).
    sample: Option<Sampling>,
}

/// Every named value of a dump's first records, by column name.
struct Sampling {
    kept: Vec<(String, Vec<u8>)>,
    /// Records that may still add to it.
    left: usize,
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl<'a, 'x> Lexer<'a, 'x> {
    fn new(
        b: &'a [u8],
        st: SqlState,
        p: &'x Patterns,
        names: Option<&'x mut BTreeSet<Vec<u8>>>,
    ) -> Self {
        Lexer {
            b,
            i: 0,
            safe_state: st.clone(),
            st,
            p,
            names,
            safe: 0,
            dirty: false,
            fields: Vec::new(),
            emit: true,
            data_statements: 0,
            sample: None,
        }
    }

    fn mark_safe(&mut self) {
        self.safe = self.i;
        if self.dirty {
            self.safe_state = self.st.clone();
            self.dirty = false;
        }
    }

    fn delimiter(&self) -> &[u8] {
        self.st.delimiter.as_deref().unwrap_or(b";")
    }

    fn at_delimiter(&self) -> bool {
        self.b[self.i..].starts_with(self.delimiter())
    }

    /// Runs to the end of the input. `emit` gets every record; `at_end` says the input is
    /// all there is (a worker's chunk, or the end of the dump), so a last row without its
    /// line break or a tuple cut short still counts.
    fn run(&mut self, at_end: bool, emit: &mut dyn FnMut(&[Field<'a>], bool)) {
        loop {
            self.mark_safe();
            let ok = match self.st.mode {
                Mode::Top => self.top(),
                Mode::Values => self.values(at_end, emit),
                Mode::Copy => self.copy_row(at_end, emit),
            };
            match ok {
                Some(true) => {}
                // End of input, or a statement that goes on past it.
                Some(false) | None => return,
            }
        }
    }

    /// Skips white space and comments; `None` inside an unterminated comment. Inlined for
    /// the usual case, a value, comma or parenthesis right here (nearly every call inside a
    /// tuple): a call per value and separator was a tenth of a dump's lexing.
    #[inline]
    fn skip_ws(&mut self) -> Option<()> {
        match self.b.get(self.i) {
            Some(c) if !c.is_ascii_whitespace() && !matches!(c, b'-' | b'#' | b'/') => Some(()),
            _ => self.skip_ws_slow(),
        }
    }

    #[inline(never)]
    fn skip_ws_slow(&mut self) -> Option<()> {
        let b = self.b;
        loop {
            while self.i < b.len() && b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            let rest = &b[self.i..];
            if rest.starts_with(b"--") || rest.starts_with(b"#") {
                let nl = memchr(b'\n', rest)?;
                self.i += nl + 1;
            } else if rest.starts_with(b"/*") {
                let end = memchr::memmem::find(&rest[2..], b"*/")?;
                self.i += 2 + end + 2;
            } else {
                return Some(());
            }
        }
    }

    /// A bare word at `i` (letters, digits, `_`), possibly empty.
    fn word(&mut self) -> &'a [u8] {
        let b = self.b;
        let start = self.i;
        while self.i < b.len() && (b[self.i].is_ascii_alphanumeric() || b[self.i] == b'_') {
            self.i += 1;
        }
        &b[start..self.i]
    }

    /// One statement between statements. `Some(true)`: go on; `Some(false)`: end of input;
    /// `None`: the statement goes past the end of the input.
    fn top(&mut self) -> Option<bool> {
        self.skip_ws()?;
        let b = self.b;
        if self.i >= b.len() {
            return Some(false);
        }
        if self.at_delimiter() {
            self.i += self.delimiter().len();
            return Some(true);
        }
        if b[self.i] == b'\\' {
            // A psql meta-command (`\connect db`): one line.
            let nl = memchr(b'\n', &b[self.i..])?;
            self.i += nl + 1;
            return Some(true);
        }
        let start = self.i;
        let kw = self.word();
        if kw.eq_ignore_ascii_case(b"GO") {
            // SQL Server's batch separator: a line of its own.
            return Some(true);
        }
        if kw.eq_ignore_ascii_case(b"INSERT") || kw.eq_ignore_ascii_case(b"REPLACE") {
            self.insert()?;
        } else if kw.eq_ignore_ascii_case(b"COPY") {
            self.copy_statement()?;
        } else if kw.eq_ignore_ascii_case(b"CREATE") {
            self.create()?;
        } else if kw.eq_ignore_ascii_case(b"DELIMITER") {
            let nl = memchr(b'\n', &b[self.i..])?;
            let d = b[self.i..self.i + nl].trim_ascii();
            if !d.is_empty() {
                self.st.delimiter = (d != b";").then(|| Arc::from(d));
                self.dirty = true;
            }
            self.i += nl + 1;
        } else if kw.eq_ignore_ascii_case(b"SET") {
            let end = self.skip_statement()?;
            let text = b[start..end].to_ascii_lowercase();
            if memchr::memmem::find(&text, b"standard_conforming_strings").is_some() {
                let on = memchr::memmem::find(&text, b"on").is_some()
                    && memchr::memmem::find(&text, b"off").is_none();
                self.st.no_backslash = on;
                self.dirty = true;
            }
        } else {
            if kw.is_empty() {
                self.i += 1;
            }
            self.skip_statement()?;
        }
        Some(true)
    }

    /// Skips to just past the statement's delimiter, outside strings, quoted names, comments
    /// and dollar quotes; returns the position of the delimiter.
    fn skip_statement(&mut self) -> Option<usize> {
        let b = self.b;
        let d0 = self.delimiter()[0];
        loop {
            let c = *b.get(self.i)?;
            if c == d0 && self.at_delimiter() {
                let at = self.i;
                self.i += self.delimiter().len();
                return Some(at);
            }
            match c {
                b'\'' | b'"' | b'`' => {
                    self.i += 1;
                    self.skip_quoted(c)?;
                }
                b'-' if b.get(self.i + 1) == Some(&b'-') => {
                    self.i += memchr(b'\n', &b[self.i..])? + 1;
                }
                b'/' if b.get(self.i + 1) == Some(&b'*') => {
                    self.i += 2 + memchr::memmem::find(&b[self.i + 2..], b"*/")? + 2;
                }
                b'$' => {
                    // `$tag$ … $tag$` (PostgreSQL function bodies).
                    let rest = &b[self.i + 1..];
                    let n = rest
                        .iter()
                        .take_while(|&&x| is_ident_byte(x) && x != b'$')
                        .count();
                    let prev_ident = self.i > 0 && is_ident_byte(b[self.i - 1]);
                    if !prev_ident && rest.get(n) == Some(&b'$') {
                        let tag = &b[self.i..self.i + n + 2];
                        let body = self.i + tag.len();
                        let end = memchr::memmem::find(&b[body..], tag)?;
                        self.i = body + end + tag.len();
                    } else {
                        self.i += 1;
                    }
                }
                _ => self.i += 1,
            }
        }
    }

    /// Skips a quoted string or name whose opening quote is just before `i`. Inlined for
    /// the usual one, ended by the first quote.
    #[inline(always)]
    fn skip_quoted(&mut self, q: u8) -> Option<()> {
        let escapes = q != b'`' && !self.st.no_backslash;
        let (b, start) = (self.b, self.i);
        let (k, quote) = find2(q, if escapes { b'\\' } else { q }, &b[start..])?;
        let at = start + k;
        if quote && b.get(at + 1) != Some(&q) {
            self.i = at + 1;
            return Some(());
        }
        self.skip_quoted_slow(q, escapes)
    }

    #[inline(never)]
    fn skip_quoted_slow(&mut self, q: u8, escapes: bool) -> Option<()> {
        let b = self.b;
        loop {
            let rest = &b[self.i..];
            let (k, _) = find2(q, if escapes { b'\\' } else { q }, rest)?;
            let at = self.i + k;
            if b[at] == b'\\' {
                if at + 1 >= b.len() {
                    return None;
                }
                self.i = at + 2;
                continue;
            }
            if b.get(at + 1) == Some(&q) {
                self.i = at + 2;
                continue;
            }
            if at + 1 >= b.len() {
                // The closing quote is the last byte: whether `''` follows is unknown.
                self.i = at + 1;
                return Some(());
            }
            self.i = at + 1;
            return Some(());
        }
    }

    /// A name, quoted (`` ` ``, `"`, `[]`) or bare; `None` at the end of input.
    fn ident(&mut self) -> Option<Cow<'a, [u8]>> {
        let b = self.b;
        let c = *b.get(self.i)?;
        let close = match c {
            b'`' | b'"' => c,
            b'[' => b']',
            _ => {
                let start = self.i;
                while self.i < b.len() && is_ident_byte(b[self.i]) {
                    self.i += 1;
                }
                if self.i == b.len() {
                    return None;
                }
                return Some(Cow::Borrowed(&b[start..self.i]));
            }
        };
        let start = self.i + 1;
        let mut i = start;
        let mut owned: Option<Vec<u8>> = None;
        loop {
            let k = memchr(close, &b[i..])?;
            let at = i + k;
            if close != b']' && b.get(at + 1) == Some(&close) {
                owned
                    .get_or_insert_with(Vec::new)
                    .extend_from_slice(&b[i..=at]);
                i = at + 2;
                continue;
            }
            self.i = at + 1;
            return Some(match owned {
                Some(mut o) => {
                    o.extend_from_slice(&b[i..at]);
                    Cow::Owned(o)
                }
                None => Cow::Borrowed(&b[start..at]),
            });
        }
    }

    /// A table name, `schema.table` allowed: the last part, lower case.
    fn table_name(&mut self) -> Option<Vec<u8>> {
        let mut name = self.ident()?.to_ascii_lowercase();
        loop {
            if self.b.get(self.i) == Some(&b'.') {
                self.i += 1;
                name = self.ident()?.to_ascii_lowercase();
            } else {
                return Some(name);
            }
        }
    }

    /// `(a, b, c)` at `i`.
    fn column_list(&mut self) -> Option<Vec<Cow<'a, [u8]>>> {
        self.i += 1;
        let mut cols = Vec::new();
        loop {
            self.skip_ws()?;
            match *self.b.get(self.i)? {
                b')' => {
                    self.i += 1;
                    return Some(cols);
                }
                b',' => self.i += 1,
                _ => {
                    let before = self.i;
                    let id = self.ident()?;
                    if self.i == before {
                        // Not a name: give up on the list at its end.
                        let end = memchr(b')', &self.b[self.i..])?;
                        self.i += end + 1;
                        return Some(cols);
                    }
                    cols.push(id);
                }
            }
        }
    }

    fn roles(&mut self, cols: &[Cow<'a, [u8]>]) -> Arc<Columns> {
        if let Some(names) = self.names.as_deref_mut() {
            for c in cols {
                if !names.contains(c.as_ref()) {
                    names.insert(c.to_vec());
                }
            }
        }
        let names = match self.sample {
            Some(_) => cols.iter().map(|c| normalize_field_name(c)).collect(),
            None => Vec::new(),
        };
        Arc::new(Columns {
            roles: cols.iter().map(|c| self.p.role_of(c)).collect(),
            names,
        })
    }

    fn insert(&mut self) -> Option<()> {
        let mut table = None;
        loop {
            self.skip_ws()?;
            let save = self.i;
            let w = self.word();
            let known = [
                &b"INTO"[..],
                b"IGNORE",
                b"LOW_PRIORITY",
                b"DELAYED",
                b"HIGH_PRIORITY",
            ];
            if !w.is_empty() && known.iter().any(|k| w.eq_ignore_ascii_case(k)) {
                if self.i >= self.b.len() {
                    return None;
                }
                continue;
            }
            self.i = save;
            if table.is_none() {
                table = Some(self.table_name()?);
                continue;
            }
            break;
        }
        let mut columns = None;
        if self.b.get(self.i) == Some(&b'(') {
            let cols = self.column_list()?;
            columns = Some(self.roles(&cols));
            self.skip_ws()?;
        }
        let w = self.word();
        if self.i >= self.b.len() {
            return None;
        }
        if w.eq_ignore_ascii_case(b"VALUES") || w.eq_ignore_ascii_case(b"VALUE") {
            let columns = columns.or_else(|| table.and_then(|t| self.st.tables.get(&t).cloned()));
            self.st.mode = Mode::Values;
            self.st.columns = columns;
            self.dirty = true;
            self.data_statements += 1;
        } else {
            // `INSERT … SELECT`, `INSERT … SET`: no tuples.
            self.skip_statement()?;
        }
        Some(())
    }

    fn copy_statement(&mut self) -> Option<()> {
        self.skip_ws()?;
        let table = self.table_name()?;
        self.skip_ws()?;
        let mut columns = None;
        if self.b.get(self.i) == Some(&b'(') {
            let cols = self.column_list()?;
            columns = Some(self.roles(&cols));
        }
        let start = self.i;
        let end = self.skip_statement()?;
        let text = self.b[start..end].to_ascii_lowercase();
        if memchr::memmem::find(&text, b"stdin").is_some() {
            // The rows start on the next line.
            let nl = memchr(b'\n', &self.b[self.i..])?;
            self.i += nl + 1;
            self.st.mode = Mode::Copy;
            self.st.columns = columns.or_else(|| self.st.tables.get(&table).cloned());
            self.dirty = true;
            self.data_statements += 1;
        }
        Some(())
    }

    fn create(&mut self) -> Option<()> {
        let mut is_table = false;
        for _ in 0..6 {
            self.skip_ws()?;
            let w = self.word();
            if w.eq_ignore_ascii_case(b"TABLE") {
                is_table = true;
                break;
            }
            let skip = [
                &b"OR"[..],
                b"REPLACE",
                b"TEMPORARY",
                b"TEMP",
                b"GLOBAL",
                b"LOCAL",
                b"UNLOGGED",
            ];
            if w.is_empty() || !skip.iter().any(|k| w.eq_ignore_ascii_case(k)) {
                break;
            }
        }
        if !is_table {
            self.skip_statement()?;
            return Some(());
        }
        self.skip_ws()?;
        let save = self.i;
        let w = self.word();
        if w.eq_ignore_ascii_case(b"IF") {
            self.skip_ws()?;
            self.word(); // NOT
            self.skip_ws()?;
            self.word(); // EXISTS
            self.skip_ws()?;
        } else {
            self.i = save;
        }
        let table = self.table_name()?;
        self.skip_ws()?;
        if self.b.get(self.i) == Some(&b'(') {
            self.i += 1;
            let cols = self.definitions()?;
            let roles = self.roles(&cols);
            Arc::make_mut(&mut self.st.tables).insert(table, roles);
            self.dirty = true;
            self.data_statements += 1;
        }
        self.skip_statement()?;
        Some(())
    }

    /// The column names of a `CREATE TABLE`'s definitions; `i` is just inside `(`.
    fn definitions(&mut self) -> Option<Vec<Cow<'a, [u8]>>> {
        let mut cols = Vec::new();
        loop {
            self.skip_ws()?;
            let c = *self.b.get(self.i)?;
            if c == b')' {
                self.i += 1;
                return Some(cols);
            }
            if c == b',' {
                self.i += 1;
                continue;
            }
            let quoted = matches!(c, b'`' | b'"' | b'[');
            let before = self.i;
            let id = self.ident()?;
            let keyword = !quoted
                && NOT_COLUMNS
                    .iter()
                    .any(|k| id.eq_ignore_ascii_case(k.as_bytes()));
            if self.i > before && !id.is_empty() && !keyword {
                cols.push(id);
            }
            // The rest of the definition, up to a `,` or `)` at this depth.
            let mut depth = 0usize;
            loop {
                let c = *self.b.get(self.i)?;
                match c {
                    b'\'' | b'"' | b'`' => {
                        self.i += 1;
                        self.skip_quoted(c)?;
                    }
                    b'(' => {
                        depth += 1;
                        self.i += 1;
                    }
                    b')' if depth == 0 => break,
                    b')' => {
                        depth -= 1;
                        self.i += 1;
                    }
                    b',' if depth == 0 => break,
                    _ => self.i += 1,
                }
            }
        }
    }

    /// Between tuples of a `VALUES` list.
    fn values(&mut self, at_end: bool, emit: &mut dyn FnMut(&[Field<'a>], bool)) -> Option<bool> {
        self.skip_ws()?;
        let c = match self.b.get(self.i) {
            Some(c) => *c,
            None => return Some(false),
        };
        if c == b',' {
            self.i += 1;
            return Some(true);
        }
        if c == b'(' {
            if !self.emit && self.skip_tuple_fast()? {
                return Some(true);
            }
            self.tuple(at_end, emit)?;
            return Some(true);
        }
        if self.at_delimiter() {
            self.i += self.delimiter().len();
        } else if !self.starts_statement()? {
            // `ON DUPLICATE KEY UPDATE …` or anything else after the tuples.
            self.skip_statement()?;
        }
        self.st.mode = Mode::Top;
        self.st.columns = None;
        self.dirty = true;
        Some(true)
    }

    /// Whether the word at `i` starts a new statement (dumps that end `INSERT`s without `;`,
    /// like SQL Server's with `GO` between batches): then the tuples ended here.
    fn starts_statement(&mut self) -> Option<bool> {
        let b = self.b;
        let n = b[self.i..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        if self.i + n >= b.len() {
            return None;
        }
        let w = &b[self.i..self.i + n];
        Some(
            STATEMENT_STARTS
                .iter()
                .any(|k| w.eq_ignore_ascii_case(k.as_bytes())),
        )
    }

    /// The cutter's way past a tuple at `i`: only quotes and parentheses matter, no value is
    /// built. `Some(false)` when a comment or an `E'…'` string needs the full parse.
    fn skip_tuple_fast(&mut self) -> Option<bool> {
        let b = self.b;
        let start = self.i;
        let mut i = self.i + 1;
        let mut depth = 0usize;
        loop {
            // One pass over the bytes between strings finds what ends them and what would
            // need the full parse.
            let at = i + find_any(*b"'\"()#/-", &b[i..])?;
            match b[at] {
                b'(' => {
                    depth += 1;
                    i = at + 1;
                }
                b')' if depth == 0 => {
                    self.i = at + 1;
                    return Some(true);
                }
                b')' => {
                    depth -= 1;
                    i = at + 1;
                }
                b'#' => {
                    self.i = start;
                    return Some(false);
                }
                c @ (b'/' | b'-') => {
                    // `/*` or `--` starts a comment; a `-` alone is a minus sign.
                    let next = *b.get(at + 1)?;
                    if next == if c == b'/' { b'*' } else { b'-' } {
                        self.i = start;
                        return Some(false);
                    }
                    i = at + 1;
                }
                mut q => {
                    let mut at = at;
                    loop {
                        if self.st.no_backslash && at > 0 && matches!(b[at - 1], b'E' | b'e') {
                            self.i = start;
                            return Some(false);
                        }
                        self.i = at + 1;
                        self.skip_quoted(q)?;
                        i = self.i;
                        // The next value's opening quote right after the comma (most values
                        // of a dump) needs no search.
                        match (b.get(i), b.get(i + 1)) {
                            (Some(b','), Some(&n @ (b'\'' | b'"'))) => (q, at) = (n, i + 1),
                            _ => break,
                        }
                    }
                }
            }
        }
    }

    fn role(&self, col: usize) -> Role {
        match &self.st.columns {
            None => Role::Unnamed,
            Some(c) => c.roles.get(col).copied().unwrap_or(Role::Other),
        }
    }

    /// Adds the value of column `col` to the record (and to the sample, while sampling).
    #[inline]
    fn push_field(&mut self, col: usize, value: Cow<'a, [u8]>) {
        let role = self.role(col);
        if self.sample.is_some() {
            self.keep_sample(col, &value);
        }
        self.fields.push(Field { role, value });
    }

    /// While sampling, keeps `v` under the name of column `col`. Out of line: the workers'
    /// loop over values only tests whether a sample is being taken.
    #[cold]
    #[inline(never)]
    fn keep_sample(&mut self, col: usize, v: &[u8]) {
        if let (Some(s), Some(c)) = (&mut self.sample, &self.st.columns) {
            if s.left > 0 {
                if let Some(name) = c.names.get(col) {
                    s.kept.push((name.clone(), v.to_vec()));
                }
            }
        }
    }

    /// While sampling, one record fewer may add to the sample; after the last, the rest of
    /// the block is only cut, not read.
    fn sampled_record(&mut self) {
        if let Some(s) = &mut self.sample {
            s.left = s.left.saturating_sub(1);
            if s.left == 0 {
                self.emit = false;
            }
        }
    }

    /// One `( … )` tuple at `i`: a record.
    fn tuple(&mut self, at_end: bool, emit: &mut dyn FnMut(&[Field<'a>], bool)) -> Option<()> {
        let b = self.b;
        let open = self.i;
        self.i += 1;
        self.fields.clear();
        let named = self.st.columns.is_some();
        if self.sample.is_none() && !self.st.no_backslash {
            if self.plain_tuple() {
                emit(&self.fields, named);
                return Some(());
            }
            self.i = open + 1;
            self.fields.clear();
        }
        let mut col = 0usize;
        let complete = loop {
            if self.skip_ws().is_none() {
                break false;
            }
            let Some(&c) = b.get(self.i) else {
                break false;
            };
            match c {
                b')' => {
                    self.i += 1;
                    break true;
                }
                b',' => {
                    self.i += 1;
                    col += 1;
                    continue;
                }
                _ => {}
            }
            // One value.
            let Some(v) = self.value() else {
                break false;
            };
            if let Some(v) = v {
                self.push_field(col, v);
            }
            // Usually the `,` or `)` after the value comes at once; else skip what stands
            // between (`COLLATE x`, blanks, comments).
            match b.get(self.i) {
                Some(b',') => {
                    self.i += 1;
                    col += 1;
                }
                Some(b')') => {
                    self.i += 1;
                    break true;
                }
                _ => {
                    if self.rest_of_value().is_none() {
                        break false;
                    }
                }
            }
        };
        if complete || at_end {
            emit(&self.fields, named);
            self.sampled_record();
        }
        complete.then_some(())
    }

    /// The tuple after `(` at `i` as mysqldump writes nearly all of them: `'…'` strings
    /// without escapes or doubled quotes, plain numbers and `NULL`, each followed at once by
    /// `,` (and perhaps spaces) or `)`. Its fields are pushed and `i` set past the `)`; false
    /// for anything else, which [`Lexer::tuple`] then reads again from the start. What it
    /// reads, it reads as the full parse does.
    #[inline(always)]
    fn plain_tuple(&mut self) -> bool {
        let b = self.b;
        let mut i = self.i;
        let mut col = 0usize;
        loop {
            let Some(&c) = b.get(i) else { return false };
            let end = if c == b'\'' {
                let Some((k, true)) = find2(b'\'', b'\\', &b[i + 1..]) else {
                    return false;
                };
                // A doubled quote (`''`) is then neither `,` nor `)` below.
                let at = i + 1 + k;
                self.push_field(col, Cow::Borrowed(&b[i + 1..at]));
                at + 1
            } else if c == b'N' && b.get(i..i + 4) == Some(b"NULL") {
                i + 4
            } else if c.is_ascii_digit() || c == b'-' {
                let mut e = i + 1;
                while b.get(e).is_some_and(|d| d.is_ascii_digit() || *d == b'.') {
                    e += 1;
                }
                self.push_field(col, Cow::Borrowed(&b[i..e]));
                e
            } else {
                return false;
            };
            match b.get(end) {
                Some(b',') => {
                    i = end + 1;
                    while b.get(i) == Some(&b' ') {
                        i += 1;
                    }
                    col += 1;
                }
                Some(b')') => {
                    self.i = end + 1;
                    return true;
                }
                _ => return false,
            }
        }
    }

    /// A value at `i`: `Some(None)` for `NULL`; `None` at the end of input.
    fn value(&mut self) -> Option<Option<Cow<'a, [u8]>>> {
        let b = self.b;
        let c = *b.get(self.i)?;
        if c == b'\'' || c == b'"' {
            self.i += 1;
            return self.string(c, !self.st.no_backslash).map(Some);
        }
        // A prefix before a string: `_utf8mb4'…'`, `N'…'`, `E'…'` (escapes), `X'…'`.
        let start = self.i;
        while self.i < b.len() && (b[self.i].is_ascii_alphanumeric() || b[self.i] == b'_') {
            self.i += 1;
        }
        if self.i > start && b.get(self.i) == Some(&b'\'') {
            let e = b[start..self.i].eq_ignore_ascii_case(b"E");
            self.i += 1;
            return self.string(b'\'', e || !self.st.no_backslash).map(Some);
        }
        // A bare token: a number, NULL, a function call.
        let mut depth = 0usize;
        loop {
            let c = *b.get(self.i)?;
            match c {
                b'\'' | b'"' => {
                    self.i += 1;
                    self.skip_quoted(c)?;
                }
                b'(' => {
                    depth += 1;
                    self.i += 1;
                }
                b')' if depth > 0 => {
                    depth -= 1;
                    self.i += 1;
                }
                b',' | b')' if depth == 0 => break,
                // A comment ends the token (its `)` or `,` is none of the tuple's); inside a
                // call's parentheses it is skipped.
                b'#' | b'-' | b'/'
                    if c == b'#'
                        || b.get(self.i + 1) == Some(&if c == b'/' { b'*' } else { c }) =>
                {
                    if depth == 0 {
                        break;
                    }
                    self.skip_ws_slow()?;
                }
                _ => self.i += 1,
            }
        }
        let t = b[start..self.i].trim_ascii();
        if t.is_empty() || t.eq_ignore_ascii_case(b"NULL") {
            return Some(None);
        }
        Some(Some(Cow::Borrowed(t)))
    }

    /// Skips what follows a value up to the `,` or `)` that ends it.
    fn rest_of_value(&mut self) -> Option<()> {
        let b = self.b;
        loop {
            self.skip_ws()?;
            let c = *b.get(self.i)?;
            match c {
                b',' | b')' => return Some(()),
                b'\'' | b'"' => {
                    self.i += 1;
                    self.skip_quoted(c)?;
                }
                _ => self.i += 1,
            }
        }
    }

    /// A string whose opening quote is just before `i`, unescaped. Inlined for the usual
    /// string, one without escapes or doubled quotes: it is the bytes up to the quote.
    #[inline(always)]
    fn string(&mut self, q: u8, escapes: bool) -> Option<Cow<'a, [u8]>> {
        let (b, start) = (self.b, self.i);
        let (k, quote) = find2(q, if escapes { b'\\' } else { q }, &b[start..])?;
        let at = start + k;
        if quote && b.get(at + 1) != Some(&q) {
            self.i = at + 1;
            return Some(Cow::Borrowed(&b[start..at]));
        }
        self.string_slow(q, escapes)
    }

    #[inline(never)]
    fn string_slow(&mut self, q: u8, escapes: bool) -> Option<Cow<'a, [u8]>> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let mut owned: Option<Vec<u8>> = None;
        loop {
            let (k, quote) = find2(q, if escapes { b'\\' } else { q }, &b[i..])?;
            let at = i + k;
            if quote {
                if b.get(at + 1) == Some(&q) {
                    let o = owned.get_or_insert_with(Vec::new);
                    o.extend_from_slice(&b[i..=at]);
                    i = at + 2;
                    continue;
                }
                self.i = at + 1;
                return Some(match owned {
                    Some(mut o) => {
                        o.extend_from_slice(&b[i..at]);
                        Cow::Owned(o)
                    }
                    None => Cow::Borrowed(&b[start..at]),
                });
            }
            let esc = *b.get(at + 1)?;
            let o = owned.get_or_insert_with(Vec::new);
            o.extend_from_slice(&b[i..at]);
            match esc {
                b'n' => o.push(b'\n'),
                b'r' => o.push(b'\r'),
                b't' => o.push(b'\t'),
                b'0' => o.push(0),
                b'b' => o.push(8),
                b'Z' => o.push(26),
                // MySQL keeps the backslash of `\%` and `\_` (LIKE patterns).
                b'%' | b'_' => o.extend_from_slice(&[b'\\', esc]),
                other => o.push(other),
            }
            i = at + 2;
        }
    }

    /// One line of a `COPY` block: a record, or `\.` which ends the block.
    fn copy_row(&mut self, at_end: bool, emit: &mut dyn FnMut(&[Field<'a>], bool)) -> Option<bool> {
        let b = self.b;
        if self.i >= b.len() {
            return Some(false);
        }
        let (line, next) = match memchr(b'\n', &b[self.i..]) {
            Some(k) => (&b[self.i..self.i + k], self.i + k + 1),
            None if at_end => (&b[self.i..], b.len()),
            None => return None,
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        self.i = next;
        if line == b"\\." {
            self.st.mode = Mode::Top;
            self.st.columns = None;
            self.dirty = true;
            return Some(true);
        }
        if !self.emit {
            return Some(true);
        }
        self.fields.clear();
        // Fields end at every tab (an escaped one too, as PostgreSQL writes none); one search
        // for tabs and backslashes together finds the ends and which fields need unescaping.
        let (mut col, mut start, mut from, mut escaped) = (0, 0, 0, false);
        loop {
            let end = match find2(b'\t', b'\\', &line[from..]) {
                Some((k, false)) => {
                    escaped = true;
                    from += k + 1;
                    continue;
                }
                Some((k, true)) => from + k,
                None => line.len(),
            };
            let v = &line[start..end];
            if !v.is_empty() && v != b"\\N" {
                let value = if escaped {
                    Cow::Owned(copy_unescape(v))
                } else {
                    Cow::Borrowed(v)
                };
                self.push_field(col, value);
            }
            if end == line.len() {
                break;
            }
            (col, start, from, escaped) = (col + 1, end + 1, end + 1, false);
        }
        emit(&self.fields, self.st.columns.is_some());
        self.sampled_record();
        Some(true)
    }
}

/// PostgreSQL COPY text-format escapes.
fn copy_unescape(v: &[u8]) -> Vec<u8> {
    let mut o = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        let c = v[i];
        if c != b'\\' || i + 1 >= v.len() {
            o.push(c);
            i += 1;
            continue;
        }
        let e = v[i + 1];
        i += 2;
        match e {
            b'b' => o.push(8),
            b'f' => o.push(12),
            b'n' => o.push(b'\n'),
            b'r' => o.push(b'\r'),
            b't' => o.push(b'\t'),
            b'v' => o.push(11),
            b'0'..=b'7' => {
                let mut n = (e - b'0') as u32;
                let mut k = 0;
                while k < 2 && i < v.len() && (b'0'..=b'7').contains(&v[i]) {
                    n = n * 8 + (v[i] - b'0') as u32;
                    i += 1;
                    k += 1;
                }
                o.push(n as u8);
            }
            b'x' => {
                let mut n = 0u32;
                let mut k = 0;
                while k < 2 && i < v.len() && v[i].is_ascii_hexdigit() {
                    n = n * 16 + (v[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    k += 1;
                }
                o.push(n as u8);
            }
            other => o.push(other),
        }
    }
    o
}

/// The reading thread's side: where to cut the next chunk, and the state it starts in.
#[derive(Debug, Default)]
pub struct SqlCutter {
    /// The state at the start of the bytes not yet cut.
    pub state: SqlState,
}

impl SqlCutter {
    /// The end of the last complete record or statement in `buf` (which starts at
    /// `self.state`); the state there becomes the next chunk's.
    pub fn cut(&mut self, buf: &[u8], p: &Patterns) -> Option<usize> {
        let mut lx = Lexer::new(buf, self.state.clone(), p, None);
        lx.emit = false;
        lx.run(false, &mut |_, _| {});
        if lx.safe == 0 {
            return None;
        }
        let (safe, state) = (lx.safe, lx.safe_state);
        self.state = state;
        Some(safe)
    }

    /// A cut at `len` without a boundary (a statement longer than the record limit): the
    /// next chunk starts between statements.
    pub fn force(&mut self, len: usize) -> usize {
        self.state.mode = Mode::Top;
        self.state.columns = None;
        len
    }
}

/// Whether a first block is an SQL dump: its first statement is SQL, and it holds a dump's
/// banner, or the file is called `.sql`, or the lexer understands an `INSERT … VALUES`,
/// `COPY … FROM stdin` or `CREATE TABLE` in it (prose that says "insert into" is not a dump).
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
    let w: Vec<u8> = rest
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let sql_start = matches!(
        w.as_slice(),
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
        .get(w.len())
        .is_some_and(|c| c.is_ascii_whitespace() || *c == b'`');
    // A one-line statement (`SET NAMES utf8;`) ends on its line; a shell's `set -e` does not.
    let multi_line = matches!(
        w.as_slice(),
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
    lx.run(false, &mut |_, _| {});
    lx.data_statements > 0
}

/// The named values of the first `records` records at the start of a dump, each under its
/// column's normalized name: what attribution checks the source profiles' value shapes on.
pub fn sample(first: &[u8], p: &Patterns, records: usize) -> Vec<(String, Vec<u8>)> {
    let mut lx = Lexer::new(first, SqlState::default(), p, None);
    lx.sample = Some(Sampling {
        kept: Vec::new(),
        left: records,
    });
    // The block may end inside a statement: only whole tuples count.
    lx.run(false, &mut |_, _| {});
    lx.sample.map(|s| s.kept).unwrap_or_default()
}

/// Reads every record of a chunk that starts in `state` into `sink`, and then the column
/// names its statements name.
pub fn read<S: RecordSink>(chunk: &[u8], state: &SqlState, p: &Patterns, sink: &mut S) {
    let mut names = BTreeSet::new();
    let mut lx = Lexer::new(chunk, state.clone(), p, Some(&mut names));
    lx.run(true, &mut |fields, named| sink.record(fields, named));
    drop(lx);
    for n in &names {
        sink.name(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        lx.run(true, f);
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
