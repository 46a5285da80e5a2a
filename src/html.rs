//! The HTML report (`--format html`, `--html FILE`).

use std::io::{self, Write};

use serde_json::Value;

use crate::patterns::Patterns;

pub fn write_html<W: Write>(w: &mut W, _v: &Value, _p: &Patterns) -> io::Result<()> {
    writeln!(w, "<!doctype html>")
}
