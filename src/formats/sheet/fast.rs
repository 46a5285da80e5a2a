//! The shapes nearly every workbook writer gives a cell and a shared string, read in one
//! forward pass over the bytes: `<c r="B7" s="3" t="s"><v>12</v></c>`, `<c r="B7"/>`,
//! `<c t="inlineStr"><is><t>x</t></is></c>`, `<si><t>x</t></si>` (also with `<t
//! xml:space="preserve">`). Each function answers `None` for anything else (another
//! attribute, a prefix, single quotes, a formula, an entity, a `\r`, an `_xHHHH_` escape,
//! CDATA, rich runs, a cut): the caller then reads the same bytes with the general tokenizer
//! ([`tags`](super::tags)), so what is read never depends on which path read it. A try costs
//! at most one look at the bytes up to the value's end, which the general path then reads
//! instead: linear either way.
//!
//! Imports only the tokenizer's bound on a text.

use crate::formats::sheet::tags::MAX_TEXT;

/// What a `<c>` holds besides its attributes.
#[derive(Debug, PartialEq, Eq)]
pub enum Body<'a> {
    /// No value: `<c .../>`, `<c ...></c>`, `<c ...><v/></c>`.
    Empty,
    /// The text of its `<v>`, with nothing to decode.
    V(&'a [u8]),
    /// The text of its `<is>`'s one `<t>`, with nothing to decode.
    Is(&'a [u8]),
}

/// A `<c>` element read whole: its `r`, `t` and `s` attributes as written.
#[derive(Debug, PartialEq, Eq)]
pub struct FastCell<'a> {
    pub r: Option<&'a [u8]>,
    pub t: Option<&'a [u8]>,
    pub s: Option<&'a [u8]>,
    pub body: Body<'a>,
    /// The bytes the element takes.
    pub len: usize,
}

/// The longest attribute value looked at: a cell reference, a style number, a type.
const MAX_ATTR: usize = 32;

/// The `<c>` element at the start of `b` (which starts with `<c`).
pub fn cell(b: &[u8]) -> Option<FastCell<'_>> {
    let mut c = FastCell {
        r: None,
        t: None,
        s: None,
        body: Body::Empty,
        len: 0,
    };
    let mut i = 2;
    loop {
        match *b.get(i)? {
            b' ' => i = c.attr(b, i + 1)?,
            b'>' => break,
            b'/' if b.get(i + 1) == Some(&b'>') => {
                c.len = i + 2;
                return Some(c);
            }
            _ => return None,
        }
    }
    let (body, len) = body(&b[i + 1..])?;
    c.body = body;
    c.len = i + 1 + len;
    Some(c)
}

impl<'a> FastCell<'a> {
    /// Reads `name="value"` at `b[i..]`, `name` one of `r`, `s`, `t` not seen yet; where it
    /// ends.
    fn attr(&mut self, b: &'a [u8], i: usize) -> Option<usize> {
        let slot = match *b.get(i)? {
            b'r' => &mut self.r,
            b's' => &mut self.s,
            b't' => &mut self.t,
            _ => return None,
        };
        if slot.is_some() || b.get(i + 1..i + 3)? != b"=\"" {
            return None;
        }
        let v = &b[i + 3..];
        let len = v[..v.len().min(MAX_ATTR)].iter().position(|&x| x == b'"')?;
        *slot = Some(&v[..len]);
        Some(i + 3 + len + 1)
    }
}

/// A cell's inside and end tag: what it holds and the bytes it takes.
fn body(b: &[u8]) -> Option<(Body<'_>, usize)> {
    if b.starts_with(b"</c>") {
        return Some((Body::Empty, 4));
    }
    if b.starts_with(b"<v/></c>") {
        return Some((Body::Empty, 8));
    }
    if let Some(v) = b.strip_prefix(b"<v>") {
        let n = text(v, false)?;
        let ends = v[n..].starts_with(b"</v></c>");
        return ends.then_some((Body::V(&v[..n]), 3 + n + 8));
    }
    let (t, len) = item(b, b"<is>", b"</is>")?;
    b[len..]
        .starts_with(b"</c>")
        .then_some((Body::Is(t), len + 4))
}

/// The string item at the start of `b` — `open` (`<si>`, `<is>`), one plain `<t>` run, end
/// tag `close` — as the run's text and the bytes the item takes.
pub fn item<'a>(b: &'a [u8], open: &[u8], close: &[u8]) -> Option<(&'a [u8], usize)> {
    let rest = b.strip_prefix(open)?;
    let run = rest
        .strip_prefix(b"<t>")
        .or_else(|| rest.strip_prefix(b"<t xml:space=\"preserve\">"))?;
    let n = text(run, true)?;
    let after = run[n..].strip_prefix(b"</t>")?;
    if !after.starts_with(close) {
        return None;
    }
    Some((&run[..n], b.len() - after.len() + close.len()))
}

/// Bytes that end plain text or may need decoding.
const STOP: [bool; 256] = {
    let mut t = [false; 256];
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b'\r' as usize] = true;
    t[b'_' as usize] = true;
    t
};

/// The length of the plain text at the start of `b`, up to a `<`: `None` when it holds an
/// entity or a `\r` (or, in a `<t>` run, an `_x` escape), passes [`MAX_TEXT`], or never ends.
fn text(b: &[u8], run: bool) -> Option<usize> {
    let mut i = 0;
    loop {
        i += b[i..].iter().position(|&c| STOP[usize::from(c)])?;
        match b[i] {
            b'<' => return (i <= MAX_TEXT).then_some(i),
            b'_' if !(run && b.get(i + 1) == Some(&b'x')) => i += 1,
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(xml: &str) -> Option<FastCell<'_>> {
        cell(xml.as_bytes())
    }

    #[test]
    fn the_common_cell_shapes_are_read_whole() {
        let got = c(r#"<c r="B7" s="3" t="s"><v>123</v></c><c r="B8"/>"#).unwrap();
        assert_eq!(
            (got.r, got.s, got.t),
            (Some(&b"B7"[..]), Some(&b"3"[..]), Some(&b"s"[..]))
        );
        assert_eq!((got.body, got.len), (Body::V(b"123"), 36));
        // `t` before `r`, no `s`, no attribute at all.
        let got = c(r#"<c t="n" r="A1"><v>1.5</v></c>"#).unwrap();
        assert_eq!(
            (got.r, got.t, got.s),
            (Some(&b"A1"[..]), Some(&b"n"[..]), None)
        );
        assert_eq!(c("<c><v>1</v></c>").unwrap().r, None);
        for (xml, len) in [
            (r#"<c r="A1"/>"#, 11),
            ("<c/>", 4),
            (r#"<c r="A1"></c>"#, 14),
            (r#"<c r="A1"><v/></c>"#, 18),
        ] {
            let got = c(xml).unwrap();
            assert_eq!((got.body, got.len), (Body::Empty, len), "{xml}");
        }
        let inline = r#"<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a_b </t></is></c>x"#;
        let got = c(inline).unwrap();
        assert_eq!((got.body, got.len), (Body::Is(b" a_b "), inline.len() - 1));
    }

    #[test]
    fn anything_else_is_left_to_the_general_reader() {
        for xml in [
            r#"<c r="A1" t="s"><v>1</v>"#,
            r#"<c r="A1" t="s"><v>1</v></x:c>"#,
            r#"<c r="A1"><f>B1</f><v>1</v></c>"#,
            r#"<c r="A1"><v>a&amp;b</v></c>"#,
            "<c r=\"A1\"><v>a\r\nb</v></c>",
            r#"<c r="A1"><v><![CDATA[1]]></v></c>"#,
            r#"<c r='A1'><v>1</v></c>"#,
            r#"<c x:r="A1"><v>1</v></c>"#,
            r#"<c r="A1" r="A2"><v>1</v></c>"#,
            r#"<c r="A1" cm="1"><v>1</v></c>"#,
            r#"<c r="A1" ><v>1</v></c>"#,
            r#"<c  r="A1"><v>1</v></c>"#,
            r#"<cx r="A1"/>"#,
            r#"<c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>"#,
            r#"<c r="A1" t="inlineStr"><is><r><t>a</t></r></is></c>"#,
            r#"<c r="A1" t="inlineStr"><is><t>a</t><t>b</t></is></c>"#,
            r#"<c r="A1" t="inlineStr"><is><t>a</t></is><v>1</v></c>"#,
        ] {
            assert_eq!(c(xml), None, "{xml}");
        }
    }

    #[test]
    fn string_items_with_one_plain_run() {
        let si = |xml: &'static str| item(xml.as_bytes(), b"<si>", b"</si>");
        assert_eq!(si("<si><t>Ani</t></si><si>"), Some((&b"Ani"[..], 19)));
        assert_eq!(
            si(r#"<si><t xml:space="preserve"> a </t></si>"#),
            Some((&b" a "[..], 40))
        );
        assert_eq!(si("<si><t></t></si>"), Some((&b""[..], 16)));
        for xml in [
            "<si><t>ti&amp;ga</t></si>",
            "<si><t>a</t><phoneticPr/></si>",
            "<si/>",
            "<si><t>a</t></si",
            "<si><t>a_x0009_</t></si>",
        ] {
            assert_eq!(si(xml), None, "{xml}");
        }
    }
}
