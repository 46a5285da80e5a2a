//! The vocabulary between readers and whoever consumes their records: a [`Field`] (a value
//! and the role its name gives it) and the [`RecordSink`] a reader pushes records into.
//!
//! Readers (`formats/`) are generic over the sink, the way ripgrep's searcher pushes matches
//! into a caller's `Sink` and never knows the printer: a reader knows nothing of analysis,
//! attribution or the scan, and the analyzer's per-field call stays inlined into the parser's
//! loop (a `dyn` sink would cost a call per field). Imports nothing above `rules`.

use std::borrow::Cow;

use crate::rules::Role;

/// One field of a record: its role (from its name) and its value.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub role: Role,
    pub value: Cow<'a, [u8]>,
}

impl<'a> Field<'a> {
    pub fn borrowed(role: Role, value: &'a [u8]) -> Self {
        Field {
            role,
            value: Cow::Borrowed(value),
        }
    }
}

/// A sink's plan for the values of one named column (see [`RecordSink::column`]): a value
/// shorter than `short` only tells whether its record is blank
/// ([`RecordSink::short_field`]); a longer one goes to `take`, with the column's `role`.
pub struct Column<S> {
    pub short: usize,
    pub role: Role,
    pub take: fn(&mut S, &[u8], Role),
}

// By hand: derived, they would ask `S: Clone`, which a plan of function pointers needs not.
impl<S> Clone for Column<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for Column<S> {}

impl<S: RecordSink> Column<S> {
    /// A value of this plan's column into `sink`, with `role` (the column's, or a finer one
    /// the reader knows): a short value only marks its record not blank.
    #[inline(always)]
    pub fn give(&self, sink: &mut S, value: &[u8], role: Role) {
        if value.len() < self.short {
            return sink.short_field(value);
        }
        (self.take)(sink, value, role)
    }
}

/// What a reader pushes its records into. A record is [`RecordSink::begin`], its fields one
/// by one ([`RecordSink::field`]), then [`RecordSink::end`]; a reader that had to collect the
/// record first (a nested JSON document, which may turn out broken and be read as text)
/// hands it whole with [`RecordSink::record`] (a flat JSON Lines object, read where it lies,
/// goes field by field). `named` says whether the format names its fields (a header, keys,
/// columns): a field of an unnamed record has [`Role::Unnamed`].
pub trait RecordSink {
    /// A record starts.
    fn begin(&mut self);

    /// One field of the current record.
    fn field(&mut self, role: Role, value: &[u8], named: bool);

    /// Fields of the current record that the reader stops holding before its end: a record
    /// of millions of fields is handed over in parts, so the reader's memory stays bounded.
    /// Only for records without field names, whose fields [`RecordSink::end`] would get.
    fn unheld(&mut self, fields: &[Field]);

    /// The current record ends. `held` are its fields (those not handed to
    /// [`RecordSink::unheld`]) when the format does not name them; otherwise they may be
    /// empty, the fields having gone by one by one.
    fn end(&mut self, held: &[Field], named: bool);

    /// What the sink does with the values of a named column of `role`, chosen once per column
    /// by a reader that has one role per column (a CSV header): then a field's length is its
    /// one test, and its value goes straight to the work its role needs, with no role to
    /// look up or dispatch on. The default sends every value to [`RecordSink::field`].
    #[inline]
    fn column(&self, role: Role) -> Column<Self>
    where
        Self: Sized,
    {
        Column {
            short: 0,
            role,
            take: |sink, value, role| sink.field(role, value, true),
        }
    }

    /// A value shorter than its column's `short` (see [`RecordSink::column`]; never called
    /// by the default plan).
    #[inline]
    fn short_field(&mut self, value: &[u8]) {
        self.field(Role::Other, value, true);
    }

    /// A whole record at once.
    #[inline]
    fn record(&mut self, fields: &[Field], named: bool) {
        self.begin();
        for f in fields {
            self.field(f.role, &f.value, named);
        }
        self.end(fields, named);
    }

    /// A field name the input gives, as written (a header cell, a JSON key, an SQL column):
    /// attribution reads the names a file uses. Each name at least once per chunk.
    fn name(&mut self, written: &[u8]);

    /// Whether the sink wants each named field's name beside its value
    /// ([`RecordSink::named_value`]), as attribution's value sample does. A constant, so that
    /// for a sink that does not (the analyzer) the readers' extra work compiles away.
    const WANTS_NAMES: bool = false;

    /// The value of a named field under its name as written, before its [`RecordSink::field`];
    /// called only when [`RecordSink::WANTS_NAMES`].
    #[inline]
    fn named_value(&mut self, _name: &[u8], _value: &[u8]) {}

    /// Whether the sink takes no more records: a reader may stop before the chunk's end (a
    /// sample of the first records). Always false for the analyzer, so the test compiles away.
    #[inline]
    fn full(&self) -> bool {
        false
    }
}
