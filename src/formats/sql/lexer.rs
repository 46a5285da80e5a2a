//! The SQL lexer: reads a dump's statements from a [`SqlState`] and emits one record per
//! `INSERT` tuple or `COPY` row, or (for the cutter and the sniffer) only notes where records
//! and statements end. Imports the sink's vocabulary, the rules and `bytes`.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use memchr::memchr;

use crate::bytes::{find2, find_any};
use crate::record::Field;
use crate::rules::{Patterns, Role};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Mode {
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
    pub(super) mode: Mode,
    /// The current statement's columns; `None` when the dump does not name them.
    pub(super) columns: Option<Arc<Columns>>,
    /// Columns of every table created so far, by lower-case table name.
    tables: Arc<HashMap<Vec<u8>, Arc<Columns>>>,
    /// The statement delimiter (`DELIMITER ;;` in MySQL dumps of triggers); `;` when empty.
    delimiter: Option<Arc<[u8]>>,
    /// PostgreSQL with `standard_conforming_strings = on`: `\` in a string is a character.
    no_backslash: bool,
}

/// The columns a statement or a table names: their roles, and (only for a lexer asked for
/// names, [`Lexer::want_names`]) their names as written.
#[derive(Debug, Default)]
pub(super) struct Columns {
    roles: Vec<Role>,
    names: Vec<Vec<u8>>,
}

/// What the lexer hands each record to: its fields, whether the dump names its columns, and
/// (for a lexer asked for names) each field's column name as written, empty when the column
/// has none. Returns whether more records are wanted: when not, the lexer stops.
pub(super) type Emit<'e, 'a> = dyn FnMut(&[Field<'a>], bool, &[&[u8]]) -> bool + 'e;

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

pub(super) struct Lexer<'a, 'x> {
    b: &'a [u8],
    i: usize,
    st: SqlState,
    /// For the columns' roles; `None` for a reader that hands names on (roles are `Other`).
    p: Option<&'x Patterns>,
    /// Column names as written, for attribution.
    names: Option<&'x mut BTreeSet<Vec<u8>>>,
    /// The last position between records, and the state there.
    pub(super) safe: usize,
    pub(super) safe_state: SqlState,
    dirty: bool,
    fields: Vec<Field<'a>>,
    /// Whether records are wanted (a worker), or only where they end (the cutter).
    pub(super) emit: bool,
    /// `INSERT … VALUES`, `COPY … FROM stdin` and `CREATE TABLE` statements understood.
    pub(super) data_statements: usize,
    /// Whether each record is handed over with its fields' column names (for a sink that
    /// wants names: attribution's sample).
    pub(super) want_names: bool,
    /// The column of each of `fields`, kept only when [`Lexer::want_names`].
    cols: Vec<usize>,
}

fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

impl<'a, 'x> Lexer<'a, 'x> {
    pub(super) fn new(
        b: &'a [u8],
        st: SqlState,
        p: &'x Patterns,
        names: Option<&'x mut BTreeSet<Vec<u8>>>,
    ) -> Self {
        Lexer::with(b, st, Some(p), names)
    }

    /// A lexer that hands each record's column names on (`want_names`) and leaves the roles
    /// to whoever reads the names: no patterns, every field's role is `Other`.
    pub(super) fn naming(b: &'a [u8], st: SqlState) -> Self {
        let mut lx = Lexer::with(b, st, None, None);
        lx.want_names = true;
        lx
    }

    fn with(
        b: &'a [u8],
        st: SqlState,
        p: Option<&'x Patterns>,
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
            want_names: false,
            cols: Vec::new(),
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
    pub(super) fn run(&mut self, at_end: bool, emit: &mut Emit<'_, 'a>) {
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
        let names = match self.want_names {
            true => cols.iter().map(|c| c.to_vec()).collect(),
            false => Vec::new(),
        };
        Arc::new(Columns {
            roles: cols
                .iter()
                .map(|c| self.p.map_or(Role::Other, |p| p.role_of(c)))
                .collect(),
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
    fn values(&mut self, at_end: bool, emit: &mut Emit<'_, 'a>) -> Option<bool> {
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

    /// Adds the value of column `col` to the record (and its column, when names are wanted).
    #[inline]
    fn push_field(&mut self, col: usize, value: Cow<'a, [u8]>) {
        let role = self.role(col);
        if self.want_names {
            self.cols.push(col);
        }
        self.fields.push(Field { role, value });
    }

    /// Starts a record: no fields yet.
    #[inline]
    fn clear_fields(&mut self) {
        self.fields.clear();
        if self.want_names {
            self.cols.clear();
        }
    }

    /// Hands the record read to `emit`; when no more are wanted, the rest of the input is
    /// skipped (the lexer stands at its end).
    #[inline]
    fn hand_over(&mut self, named: bool, emit: &mut Emit<'_, 'a>) {
        let more = if self.want_names {
            self.hand_over_named(named, emit)
        } else {
            emit(&self.fields, named, &[])
        };
        if !more {
            self.i = self.b.len();
        }
    }

    /// [`Lexer::hand_over`] with each field's column name. Out of line: only a sample of
    /// records is read this way.
    #[cold]
    #[inline(never)]
    fn hand_over_named(&self, named: bool, emit: &mut Emit<'_, 'a>) -> bool {
        let names: Vec<&[u8]> = match &self.st.columns {
            Some(c) => self
                .cols
                .iter()
                .map(|&col| c.names.get(col).map_or(&[][..], Vec::as_slice))
                .collect(),
            None => Vec::new(),
        };
        emit(&self.fields, named, &names)
    }

    /// One `( … )` tuple at `i`: a record.
    fn tuple(&mut self, at_end: bool, emit: &mut Emit<'_, 'a>) -> Option<()> {
        let b = self.b;
        let open = self.i;
        self.i += 1;
        self.clear_fields();
        let named = self.st.columns.is_some();
        if !self.st.no_backslash {
            if self.plain_tuple() {
                self.hand_over(named, emit);
                return Some(());
            }
            self.i = open + 1;
            self.clear_fields();
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
            self.hand_over(named, emit);
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
    fn copy_row(&mut self, at_end: bool, emit: &mut Emit<'_, 'a>) -> Option<bool> {
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
        self.clear_fields();
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
        self.hand_over(self.st.columns.is_some(), emit);
        Some(true)
    }
}

/// PostgreSQL COPY text-format escapes.
pub(super) fn copy_unescape(v: &[u8]) -> Vec<u8> {
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
