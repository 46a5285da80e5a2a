//! Where a dump's chunks may be cut: the reading thread runs the lexer over every byte in
//! order and cuts only between tuples, rows or statements. Imports the lexer and the rules.

use crate::formats::sql::lexer::{Lexer, Mode, SqlState};
use crate::rules::Patterns;

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
        lx.run(false, &mut |_, _, _| true);
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
