//! A minimal XML tokenizer for the hot parts of an XLSX workbook (worksheets and the
//! shared-string table): memchr to the next `<`, the tag's name, and its end found past any
//! quoted attribute value. Start, empty and end tags (by local name: `x:c` is `c`), text and
//! CDATA come out borrowed from the block; comments, processing instructions and declarations
//! are passed over. Nothing is checked that the readers do not need (end names, nesting,
//! attribute syntax): a lenient reading of a damaged file, bounded by the block.
//!
//! Text comes out as written: [`push_text`] decodes its entities and line ends.
//!
//! Imports nothing of the crate.

use memchr::{memchr, memchr3, memmem};

/// The longest text one cell or shared string may hold (Excel's limit is 32,767 characters,
/// at most 128 KiB as UTF-8): a longer one is damage or an attack, and is refused, not held.
pub const MAX_TEXT: usize = 4 << 20;

/// One piece of a block's XML.
#[derive(Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    /// A start tag (`empty`: `<name .../>`) with its local name and the bytes of its
    /// attributes.
    Start {
        name: &'a [u8],
        attrs: &'a [u8],
        empty: bool,
    },
    /// An end tag's local name.
    End(&'a [u8]),
    /// Text between tags, as written (entities not decoded).
    Text(&'a [u8]),
    /// The inside of a CDATA section.
    CData(&'a [u8]),
}

/// The tokens of one block, in order.
pub struct Tags<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Tags<'a> {
    pub fn new(b: &'a [u8]) -> Tags<'a> {
        Tags { b, at: 0 }
    }

    /// The bytes not read yet, for a reader that reads some of them itself.
    pub fn rest(&self) -> &'a [u8] {
        &self.b[self.at..]
    }

    /// Moves past `n` bytes of [`Tags::rest`] read elsewhere.
    pub fn advance(&mut self, n: usize) {
        self.at = (self.at + n).min(self.b.len());
    }

    /// The next token; `Ok(None)` at the block's end; an error for a tag, comment or CDATA
    /// section the block ends inside.
    pub fn next_tok(&mut self) -> Result<Option<Tok<'a>>, String> {
        loop {
            let rest = &self.b[self.at..];
            if rest.is_empty() {
                return Ok(None);
            }
            let Some(lt) = find(b'<', rest) else {
                self.at = self.b.len();
                return Ok(Some(Tok::Text(rest)));
            };
            if lt > 0 {
                self.at += lt;
                return Ok(Some(Tok::Text(&rest[..lt])));
            }
            if let Some(t) = self.markup(rest)? {
                return Ok(Some(t));
            }
        }
    }

    /// The tag at the start of `rest` (which starts with `<`), moving past it; `None` for
    /// markup that is no token (a comment, a processing instruction, a declaration).
    fn markup(&mut self, rest: &'a [u8]) -> Result<Option<Tok<'a>>, String> {
        match rest.get(1) {
            Some(b'/') => {
                let end = find(b'>', rest).ok_or("unexpected end inside an end tag")?;
                self.at += end + 1;
                Ok(Some(Tok::End(local(rest[2..end].trim_ascii_end()))))
            }
            Some(b'!') if rest.starts_with(b"<![CDATA[") => {
                let inner = &rest[9..];
                let end = memmem::find(inner, b"]]>").ok_or("unexpected end inside CDATA")?;
                self.at += 9 + end + 3;
                Ok(Some(Tok::CData(&inner[..end])))
            }
            Some(b'!') if rest.starts_with(b"<!--") => {
                let end =
                    memmem::find(&rest[4..], b"-->").ok_or("unexpected end inside a comment")?;
                self.at += 4 + end + 3;
                Ok(None)
            }
            Some(b'?') => {
                let end =
                    memmem::find(rest, b"?>").ok_or("unexpected end inside an instruction")?;
                self.at += end + 2;
                Ok(None)
            }
            Some(b'!') => {
                // A declaration (`<!DOCTYPE …>`): no internal subset in a workbook's parts.
                let end = tag_end(rest)?;
                self.at += end + 1;
                Ok(None)
            }
            _ => {
                let end = tag_end(rest)?;
                self.at += end + 1;
                Ok(Some(start_tag(&rest[1..end])))
            }
        }
    }
}

/// Where the tag at the start of `b` ends (its `>`), past quoted attribute values, which may
/// hold a `>`.
fn tag_end(b: &[u8]) -> Result<usize, String> {
    let mut i = 1;
    loop {
        let at = match b[i..]
            .iter()
            .take(SHORT)
            .position(|&c| matches!(c, b'>' | b'"' | b'\''))
        {
            Some(at) => i + at,
            None => i + memchr3(b'>', b'"', b'\'', &b[i..]).ok_or("unexpected end inside a tag")?,
        };
        let q = b[at];
        if q == b'>' {
            return Ok(at);
        }
        let close = find(q, &b[at + 1..]).ok_or("unexpected end inside an attribute")?;
        i = at + 1 + close + 1;
    }
}

/// How far a plain loop looks for a byte before memchr takes over: the spans between a
/// sheet's tags are mostly this short, where memchr's setup costs more than the search.
const SHORT: usize = 16;

/// The first `c` in `hay`.
#[inline]
fn find(c: u8, hay: &[u8]) -> Option<usize> {
    match hay.iter().take(SHORT).position(|&b| b == c) {
        Some(i) => Some(i),
        None if hay.len() <= SHORT => None,
        None => memchr(c, &hay[SHORT..]).map(|i| i + SHORT),
    }
}

/// A start tag from its inside (between `<` and `>`).
fn start_tag(inner: &[u8]) -> Tok<'_> {
    let (inner, empty) = match inner.strip_suffix(b"/") {
        Some(i) => (i, true),
        None => (inner, false),
    };
    let n = inner
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(inner.len());
    Tok::Start {
        name: local(&inner[..n]),
        attrs: &inner[n..],
        empty,
    }
}

/// A name without its namespace prefix.
fn local(name: &[u8]) -> &[u8] {
    match name.iter().position(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The attributes of a start tag as (local name, value as written) pairs; a malformed one
/// ends them.
pub fn attrs(mut b: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    std::iter::from_fn(move || {
        let eq = find(b'=', b)?;
        let name = local(b[..eq].trim_ascii());
        let rest = b[eq + 1..].trim_ascii_start();
        let q = *rest.first().filter(|q| matches!(q, b'"' | b'\''))?;
        let close = find(q, &rest[1..])?;
        let value = &rest[1..1 + close];
        b = &rest[close + 2..];
        Some((name, value))
    })
}

/// Appends text as XML 1.0 reads it to `out`: the five entities and character references
/// decoded (any other kept as written, as is an `&` without a `;`), `\r\n` and `\r` as `\n`.
pub fn push_text(t: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while let Some(amp) = memchr(b'&', &t[i..]) {
        push_eols(&t[i..i + amp], out);
        let rest = &t[i + amp + 1..];
        // A reference is short: a `;` far away belongs to something else.
        match memchr(b';', &rest[..rest.len().min(12)]) {
            Some(semi) => {
                entity(&rest[..semi], out);
                i += amp + semi + 2;
            }
            None => {
                out.push(b'&');
                i += amp + 1;
            }
        }
    }
    push_eols(&t[i..], out);
}

/// Appends `t` with its line ends as XML 1.0 reads them (`\r\n` and `\r` are `\n`).
pub fn push_eols(t: &[u8], out: &mut Vec<u8>) {
    if memchr(b'\r', t).is_none() {
        out.extend_from_slice(t);
        return;
    }
    let mut i = 0;
    while i < t.len() {
        match t[i] {
            b'\r' => {
                out.push(b'\n');
                if t.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
}

/// An entity reference: the five of XML and character references decoded; any other kept as
/// written (a lenient reading of a damaged file, not a reason to stop).
pub fn entity(r: &[u8], out: &mut Vec<u8>) {
    let decoded = match r {
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"amp" => Some('&'),
        b"apos" => Some('\''),
        b"quot" => Some('"'),
        _ => char_ref(r),
    };
    match decoded {
        Some(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        None => {
            out.push(b'&');
            out.extend_from_slice(r);
            out.push(b';');
        }
    }
}

fn char_ref(r: &[u8]) -> Option<char> {
    let r = std::str::from_utf8(r.strip_prefix(b"#")?).ok()?;
    let n = match r.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => r.parse().ok()?,
    };
    char::from_u32(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(xml: &str) -> Result<Vec<Tok<'_>>, String> {
        let mut t = Tags::new(xml.as_bytes());
        let mut out = Vec::new();
        while let Some(tok) = t.next_tok()? {
            out.push(tok);
        }
        Ok(out)
    }

    #[test]
    fn tags_text_and_cdata_come_out_in_order() {
        let got = all(
            "<?xml version=\"1.0\"?><!-- a <c> --><x:c r=\"A1\" t='s' a=\"1>2\"><v>7</v></x:c >\
             <c/><c\n/><t><![CDATA[<d>]]>&amp;</t>",
        )
        .unwrap();
        let start = |name: &'static str, attrs: &'static str, empty| Tok::Start {
            name: name.as_bytes(),
            attrs: attrs.as_bytes(),
            empty,
        };
        assert_eq!(
            got,
            [
                start("c", " r=\"A1\" t='s' a=\"1>2\"", false),
                start("v", "", false),
                Tok::Text(b"7"),
                Tok::End(b"v"),
                Tok::End(b"c"),
                start("c", "", true),
                start("c", "\n", true),
                start("t", "", false),
                Tok::CData(b"<d>"),
                Tok::Text(b"&amp;"),
                Tok::End(b"t"),
            ]
        );
    }

    #[test]
    fn a_block_that_ends_inside_markup_is_an_error() {
        for cut in [
            "<c r=\"A1",
            "<c r=\"A1\"",
            "</c",
            "<!-- x",
            "<![CDATA[x",
            "<?xml",
        ] {
            assert!(all(cut).is_err(), "{cut}");
        }
        assert_eq!(all("tail").unwrap(), [Tok::Text(b"tail")]);
    }

    #[test]
    fn attributes_in_any_order_quoting_and_prefix() {
        let got: Vec<_> = attrs(b" t = 's'  x:r=\"B2\" s=\"3\" bad").collect();
        let want: [(&[u8], &[u8]); 3] = [(b"t", b"s"), (b"r", b"B2"), (b"s", b"3")];
        assert_eq!(got, want);
        assert_eq!(attrs(b" r=\"A1").count(), 0);
    }

    #[test]
    fn text_is_decoded_like_xml() {
        let mut out = Vec::new();
        push_text(b"a &lt;&#65;&#x42;&bogus; & b;\r\nc\rd", &mut out);
        assert_eq!(out, b"a <AB&bogus; & b;\nc\nd");
    }
}
