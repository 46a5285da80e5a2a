//! E-mail messages (RFC 5322, MIME) and mbox mailboxes, part by part (SPEC §3), streamed line
//! by line: memory holds one line (at most [`MAX_LINE`] bytes) and a few headers, never a
//! message, so a mailbox of any size is read in bounded memory.
//!
//! Every leaf part of a message is handed back like an archive member ([`Member`]), its
//! bytes decoded (base64, quoted-printable) behind a [`Guard`]: an attachment under its file
//! name (`pasien.csv`), the message text as `body.txt` (`body.html`), a forwarded message as
//! `message.eml`, anything else as `part-N`. In an mbox the names start with the message's
//! number, from 1: `3/pasien.csv`. The headers themselves are not handed back. Of a
//! `multipart/alternative`, only the first form is read; the others are handed back as
//! [`Special::Alternative`] (the same text again). Imports only `input::archive`,
//! `input::shapes` (how a message is known) and `input::zip`.

use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::input::archive::{Guard, Limits};
pub use crate::input::shapes::MailKind as Kind;
use crate::input::shapes::{field_name, MAX_HEADER_LINES};
use crate::input::zip::{Body, Member, Names, Special};

/// The longest line held; a longer one is read in pieces (none of which is a boundary).
pub const MAX_LINE: usize = 64 << 10;
/// Multiparts inside multiparts read as such; deeper, a multipart is one part.
const MAX_NEST: usize = 16;

/// What a walk read: the parts it handed back, and the damage it found, if any.
#[derive(Debug)]
pub struct Walked {
    pub members: usize,
    pub stop: Option<String>,
}

/// Hands every leaf part of the message or mailbox read from `r` to `each`, in order.
pub fn members(
    r: &mut dyn Read,
    kind: Kind,
    limits: &Limits,
    each: &mut dyn FnMut(Member),
) -> Walked {
    let consumed = Arc::new(AtomicU64::new(0));
    let mut p = Parser {
        lines: Lines::new(r, consumed.clone()),
        bounds: Vec::new(),
        held: None,
        names: Names::default(),
        prefix: String::new(),
        index: 0,
        mbox: kind == Kind::Mbox,
        damage: None,
        handed: 0,
        consumed,
        limits: limits.clone(),
    };
    if p.mbox {
        p.mailbox(each);
    } else {
        let h = p.headers();
        p.entity(&h, 0, each);
    }
    let stop = match p.lines.error.take() {
        Some(e) => Some(e.to_string()),
        None => p.damage,
    };
    Walked {
        members: p.handed,
        stop,
    }
}

/// What ends a part: a boundary of the multipart at `level` of the stack (the closing one
/// when `closing`), or the next message of a mailbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Term {
    Boundary { level: usize, closing: bool },
    NextMessage,
}

/// One step of the input: a line (in `Lines::line`), a terminator, or the end (`End(None)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Line,
    End(Option<Term>),
}

struct Parser<'r> {
    lines: Lines<'r>,
    /// The boundaries of the multiparts around the current part, outermost first.
    bounds: Vec<Vec<u8>>,
    /// A terminator met where it could not be acted on (inside headers).
    held: Option<Option<Term>>,
    names: Names,
    /// `N/` for the Nth message of a mailbox.
    prefix: String,
    /// Leaf parts of the current message so far (`part-N`).
    index: usize,
    mbox: bool,
    damage: Option<String>,
    handed: usize,
    consumed: Arc<AtomicU64>,
    limits: Limits,
}

impl Parser<'_> {
    /// The next line, or what ends the current part.
    fn step(&mut self) -> Step {
        if let Some(t) = self.held.take() {
            return Step::End(t);
        }
        if !self.lines.next() {
            return Step::End(None);
        }
        match self.terminator() {
            Some(t) => Step::End(Some(t)),
            None => Step::Line,
        }
    }

    fn terminator(&self) -> Option<Term> {
        let l = &self.lines;
        if !l.start {
            return None;
        }
        let line = l.trimmed();
        if self.mbox && l.after_blank && line.starts_with(b"From ") {
            return Some(Term::NextMessage);
        }
        let rest = line.strip_prefix(b"--")?;
        // Innermost first: a part ends at its own multipart's boundary before an outer one.
        self.bounds.iter().enumerate().rev().find_map(|(level, b)| {
            let after = rest.strip_prefix(b.as_slice())?;
            let (closing, tail) = match after.strip_prefix(b"--") {
                Some(t) => (true, t),
                None => (false, after),
            };
            tail.iter()
                .all(|c| matches!(c, b' ' | b'\t'))
                .then_some(Term::Boundary { level, closing })
        })
    }

    fn note_damage(&mut self, why: String) {
        self.damage.get_or_insert(why);
    }

    /// The messages of a mailbox, after its first `From ` line.
    fn mailbox(&mut self, each: &mut dyn FnMut(Member)) {
        self.lines.next();
        let mut n = 0usize;
        loop {
            n += 1;
            self.prefix = format!("{n}/");
            self.index = 0;
            let h = self.headers();
            match self.entity(&h, 0, each) {
                Some(Term::NextMessage) => continue,
                _ => return,
            }
        }
    }

    /// A part's or message's header fields, up to the blank line (unfolded; only those that
    /// say what its body is are kept).
    fn headers(&mut self) -> Headers {
        let mut h = Headers::default();
        let mut last: Option<String> = None;
        for _ in 0..MAX_HEADER_LINES {
            match self.step() {
                Step::End(t) => {
                    self.held = Some(t);
                    return h;
                }
                Step::Line => {}
            }
            let line = self.lines.trimmed();
            if line.is_empty() {
                return h;
            }
            if matches!(line[0], b' ' | b'\t') {
                if let Some(name) = &last {
                    h.extend(name, line);
                }
                continue;
            }
            last = field_name(line);
            if let Some(name) = &last {
                let value = &line[name.len() + 1..];
                h.extend(name, value);
            }
        }
        h
    }

    /// One entity (a message's body or a part) whose headers are `h`; what ended it.
    fn entity(&mut self, h: &Headers, nest: usize, each: &mut dyn FnMut(Member)) -> Option<Term> {
        match h.boundary() {
            Some(b) if nest < MAX_NEST => self.multipart(h, b, nest, each),
            _ => self.leaf(h, each),
        }
    }

    fn multipart(
        &mut self,
        h: &Headers,
        boundary: Vec<u8>,
        nest: usize,
        each: &mut dyn FnMut(Member),
    ) -> Option<Term> {
        self.bounds.push(boundary);
        let level = self.bounds.len() - 1;
        let alternative = h.mime_type() == "multipart/alternative";
        let mut first = true;
        // The preamble, up to the first boundary.
        let mut t = self.skip();
        loop {
            match t {
                Some(Term::Boundary { level: l, closing }) if l == level => {
                    if closing {
                        self.bounds.pop();
                        // The epilogue, up to what ends the parent.
                        return self.skip();
                    }
                    let part = self.headers();
                    t = if alternative && !first {
                        self.alternative(&part, each)
                    } else {
                        self.entity(&part, nest + 1, each)
                    };
                    first = false;
                }
                other => {
                    self.note_damage(format!(
                        "e-mail message: {} ends without its closing boundary (truncated?)",
                        h.mime_type()
                    ));
                    self.bounds.pop();
                    return other;
                }
            }
        }
    }

    /// Lines up to the next terminator, unread.
    fn skip(&mut self) -> Option<Term> {
        loop {
            if let Step::End(t) = self.step() {
                return t;
            }
        }
    }

    /// A second form of the same text: handed back without its bytes.
    fn alternative(&mut self, h: &Headers, each: &mut dyn FnMut(Member)) -> Option<Term> {
        self.index += 1;
        let name = self
            .names
            .unique(&format!("{}{}", self.prefix, h.name(self.index)));
        self.handed += 1;
        each(Member {
            name,
            size: 0,
            body: Body::Special(Special::Alternative),
        });
        self.skip()
    }

    /// A part with a body: handed back decoded, then read to its end.
    fn leaf(&mut self, h: &Headers, each: &mut dyn FnMut(Member)) -> Option<Term> {
        self.index += 1;
        let name = self
            .names
            .unique(&format!("{}{}", self.prefix, h.name(self.index)));
        self.handed += 1;
        let (consumed, limits) = (self.consumed.clone(), self.limits.clone());
        let mut part = PartReader::new(self, h.encoding());
        {
            let mut g = Guard::stream(&mut part, consumed, &limits);
            each(Member {
                name,
                size: 0,
                body: Body::Bytes(&mut g),
            });
        }
        part.finish()
    }
}

/// The header fields that say what a body is.
#[derive(Default, Debug)]
struct Headers {
    content_type: String,
    encoding: String,
    disposition: String,
}

impl Headers {
    fn extend(&mut self, name: &str, value: &[u8]) {
        let field = match name {
            "content-type" => &mut self.content_type,
            "content-transfer-encoding" => &mut self.encoding,
            "content-disposition" => &mut self.disposition,
            _ => return,
        };
        // A hostile header folded a million times stays small.
        if field.len() < 4096 {
            field.push_str(String::from_utf8_lossy(value).trim());
            field.push(' ');
        }
    }

    /// `type/subtype`, lowercased; `text/plain` when none is given.
    fn mime_type(&self) -> String {
        let t = self.content_type.split(';').next().unwrap_or("").trim();
        if t.is_empty() {
            "text/plain".into()
        } else {
            t.to_ascii_lowercase()
        }
    }

    fn boundary(&self) -> Option<Vec<u8>> {
        if !self.mime_type().starts_with("multipart/") {
            return None;
        }
        let b = param(&self.content_type, "boundary")?;
        (!b.is_empty() && b.len() <= 200).then(|| b.into_bytes())
    }

    fn encoding(&self) -> Encoding {
        match self.encoding.trim().to_ascii_lowercase().as_str() {
            "base64" => Encoding::Base64,
            "quoted-printable" => Encoding::QuotedPrintable,
            _ => Encoding::Plain,
        }
    }

    /// The part's name: its file name, or what its type says.
    fn name(&self, index: usize) -> String {
        let file =
            param(&self.disposition, "filename").or_else(|| param(&self.content_type, "name"));
        if let Some(f) = file
            .map(|f| decode_words(&f))
            .filter(|f| !f.trim().is_empty())
        {
            return f;
        }
        let attachment = self
            .disposition
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("attachment");
        match self.mime_type().as_str() {
            "text/plain" if !attachment => "body.txt".into(),
            "text/html" if !attachment => "body.html".into(),
            "message/rfc822" => "message.eml".into(),
            _ => format!("part-{index}"),
        }
    }
}

/// A parameter of a header value (`name="a b.csv"`, `name=x`, or RFC 2231
/// `name*=UTF-8''a%20b.csv`), as given.
fn param(value: &str, key: &str) -> Option<String> {
    for p in split_params(value).into_iter().skip(1) {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim();
        if k == key {
            return Some(v.trim_matches('"').to_string());
        }
        if k == format!("{key}*") {
            let encoded = v.splitn(3, '\'').nth(2).unwrap_or(v);
            return Some(percent_decode(encoded));
        }
    }
    None
}

/// `value` split on the semicolons outside quotes.
fn split_params(value: &str) -> Vec<&str> {
    let (mut out, mut start, mut quoted) = (Vec::new(), 0, false);
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&value[start..]);
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1..i + 3).and_then(hex2)) {
            (b'%', Some(x)) => {
                out.push(x);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex2(h: &[u8]) -> Option<u8> {
    let s = std::str::from_utf8(h).ok()?;
    u8::from_str_radix(s, 16).ok()
}

/// RFC 2047 encoded words (`=?UTF-8?B?…?=`, `=?UTF-8?Q?…?=`) decoded; anything else as is.
fn decode_words(s: &str) -> String {
    let t = s.trim();
    let Some(inner) = t.strip_prefix("=?").and_then(|x| x.strip_suffix("?=")) else {
        return s.to_string();
    };
    let mut it = inner.splitn(3, '?');
    let (_charset, enc, text) = match (it.next(), it.next(), it.next()) {
        (Some(c), Some(e), Some(t)) => (c, e, t),
        _ => return s.to_string(),
    };
    let bytes = if enc.eq_ignore_ascii_case("b") {
        let mut d = Base64::default();
        let mut out = Vec::new();
        d.feed(text.as_bytes(), &mut out);
        out
    } else {
        let mut out = Vec::new();
        qp_line(text.replace('_', " ").as_bytes(), &mut out);
        out
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Encoding {
    Plain,
    Base64,
    QuotedPrintable,
}

/// A leaf part's body, decoded, up to the terminator that ends it.
struct PartReader<'p, 'r> {
    p: &'p mut Parser<'r>,
    encoding: Encoding,
    out: Vec<u8>,
    at: usize,
    b64: Base64,
    end: Option<Option<Term>>,
    /// Damage found in the encoding, said once.
    bad: Option<String>,
}

impl<'p, 'r> PartReader<'p, 'r> {
    fn new(p: &'p mut Parser<'r>, encoding: Encoding) -> Self {
        PartReader {
            p,
            encoding,
            out: Vec::new(),
            at: 0,
            b64: Base64::default(),
            end: None,
            bad: None,
        }
    }

    /// Decodes the next line into `out`; false at the part's end.
    fn pull(&mut self) -> bool {
        if self.end.is_some() {
            return false;
        }
        if let Step::End(t) = self.p.step() {
            self.end = Some(t);
            return false;
        }
        self.out.clear();
        self.at = 0;
        let l = &self.p.lines;
        let raw = l.unescaped(self.p.mbox);
        match self.encoding {
            Encoding::Plain => self.out.extend_from_slice(raw),
            Encoding::QuotedPrintable => {
                let line = raw.strip_suffix(b"\n").unwrap_or(raw);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                qp_line(line, &mut self.out);
                if !line.ends_with(b"=") && l.complete() {
                    self.out.push(b'\n');
                }
            }
            Encoding::Base64 => {
                if !self.b64.feed(raw, &mut self.out) && self.bad.is_none() {
                    self.bad = Some("e-mail attachment: invalid base64 (damaged?)".into());
                }
            }
        }
        true
    }

    /// Reads the rest of the part unread; what ended it.
    fn finish(mut self) -> Option<Term> {
        while self.end.is_none() {
            if let Step::End(t) = self.p.step() {
                self.end = Some(t);
            }
        }
        self.end.flatten()
    }
}

impl Read for PartReader<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at >= self.out.len() {
            if let Some(why) = self.bad.take() {
                self.out.clear();
                return Err(io::Error::new(io::ErrorKind::InvalidData, why));
            }
            if !self.pull() {
                return match self.p.lines.error.as_ref() {
                    Some(e) => Err(io::Error::new(e.kind(), e.to_string())),
                    None => Ok(0),
                };
            }
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// One quoted-printable line (without its line break): `=XX` decoded, a final `=` dropped.
fn qp_line(line: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'=' {
            if let Some(x) = line.get(i + 1..i + 3).and_then(hex2) {
                out.push(x);
                i += 3;
                continue;
            }
            if i + 1 == line.len() {
                return;
            }
        }
        out.push(line[i]);
        i += 1;
    }
}

/// A base64 decoder fed line by line: up to three characters carried to the next line.
#[derive(Default)]
struct Base64 {
    carry: [u8; 4],
    n: usize,
}

impl Base64 {
    /// Decodes `text` into `out`; false when it held a character that is not base64.
    fn feed(&mut self, text: &[u8], out: &mut Vec<u8>) -> bool {
        let mut ok = true;
        for &c in text {
            let v = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                b'=' => {
                    self.flush(out);
                    continue;
                }
                b' ' | b'\t' | b'\r' | b'\n' => continue,
                _ => {
                    ok = false;
                    continue;
                }
            };
            self.carry[self.n] = v;
            self.n += 1;
            if self.n == 4 {
                let x = self.carry.iter().fold(0u32, |a, &d| a << 6 | u32::from(d));
                out.extend_from_slice(&x.to_be_bytes()[1..]);
                self.n = 0;
            }
        }
        ok
    }

    /// The bytes of an incomplete group, at padding.
    fn flush(&mut self, out: &mut Vec<u8>) {
        if self.n >= 2 {
            let mut x = 0u32;
            for i in 0..4 {
                x = x << 6 | u32::from(if i < self.n { self.carry[i] } else { 0 });
            }
            out.extend_from_slice(&x.to_be_bytes()[1..self.n]);
        }
        self.n = 0;
    }
}

/// The input line by line, each at most [`MAX_LINE`] bytes.
struct Lines<'r> {
    r: BufReader<&'r mut dyn Read>,
    line: Vec<u8>,
    /// Whether `line` starts a line (not a later piece of a long one).
    start: bool,
    /// Whether the line before `line` was blank (an mbox `From ` line follows one).
    after_blank: bool,
    ended_line: bool,
    error: Option<io::Error>,
    consumed: Arc<AtomicU64>,
}

impl<'r> Lines<'r> {
    fn new(r: &'r mut dyn Read, consumed: Arc<AtomicU64>) -> Self {
        Lines {
            r: BufReader::with_capacity(64 << 10, r),
            line: Vec::new(),
            start: true,
            after_blank: true,
            ended_line: true,
            error: None,
            consumed,
        }
    }

    /// Reads the next line (or piece); false at the end of the input or on an error.
    fn next(&mut self) -> bool {
        if self.error.is_some() {
            return false;
        }
        let blank = self.start && self.ended_line && self.trimmed().is_empty();
        self.after_blank = blank;
        self.start = self.ended_line;
        self.line.clear();
        let read = (&mut self.r)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut self.line);
        match read {
            Ok(0) => false,
            Ok(n) => {
                self.consumed.fetch_add(n as u64, Ordering::Relaxed);
                self.ended_line = self.line.ends_with(b"\n");
                true
            }
            Err(e) => {
                self.error = Some(e);
                false
            }
        }
    }

    /// Whether the line ends here (not cut at [`MAX_LINE`]).
    fn complete(&self) -> bool {
        self.ended_line
    }

    /// The line without its line break.
    fn trimmed(&self) -> &[u8] {
        let l = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        l.strip_suffix(b"\r").unwrap_or(l)
    }

    /// The line as it was before an mbox escaped it (`>From ` is `From `, `>>From ` is
    /// `>From `), line break included.
    fn unescaped(&self, mbox: bool) -> &[u8] {
        let l = &self.line[..];
        if mbox && self.start {
            let gt = l.iter().take_while(|&&c| c == b'>').count();
            if gt > 0 && l[gt..].starts_with(b"From ") {
                return &l[1..];
            }
        }
        l
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::shapes::mail_kind as kind;

    fn walk(mail: &str) -> (Vec<(String, String)>, Walked) {
        let k = kind(mail.as_bytes()).expect("mail");
        let mut got = Vec::new();
        let w = members(&mut mail.as_bytes(), k, &Limits::default(), &mut |m| {
            let what = match m.body {
                Body::Bytes(r) => {
                    let mut s = Vec::new();
                    match r.read_to_end(&mut s) {
                        Ok(_) => String::from_utf8_lossy(&s).into_owned(),
                        Err(e) => format!("error: {e}"),
                    }
                }
                Body::Special(s) => format!("{s:?}"),
                _ => "other".into(),
            };
            got.push((m.name, what));
        });
        (got, w)
    }

    const MIXED: &str = "From: a@example.com\r\nTo: b@example.com\r\nSubject: data\r\n\
        MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n\
        preamble\r\n--XX\r\nContent-Type: multipart/alternative; boundary=YY\r\n\r\n\
        --YY\r\nContent-Type: text/plain\r\n\r\nhello\r\n--YY\r\nContent-Type: text/html\r\n\r\n\
        <p>hello</p>\r\n--YY--\r\n--XX\r\nContent-Type: text/csv; name=x.csv\r\n\
        Content-Disposition: attachment;\r\n filename=\"pasien data.csv\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nbmlrLG5h\r\nbWEK\r\n--XX\r\n\
        Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\
        Content-Disposition: attachment; filename*=UTF-8''catatan%20%C3%A9.txt\r\n\r\n\
        caf=C3=A9 =\r\nau lait\r\n--XX--\r\nepilogue\r\n";

    #[test]
    fn parts_are_members_decoded() {
        let (got, w) = walk(MIXED);
        assert!(w.stop.is_none(), "{w:?}");
        let want = [
            ("body.txt", "hello\r\n"),
            ("body.html", "Alternative"),
            ("pasien data.csv", "nik,nama\n"),
            ("catatan é.txt", "café au lait\n"),
        ];
        let got: Vec<(&str, &str)> = got.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        assert_eq!(got, want);
        assert_eq!(w.members, 4);
    }

    #[test]
    fn a_mailbox_numbers_its_messages() {
        let one = "From: a@example.com\nMessage-ID: <1@x>\n\nline one\n>From here\n";
        let mbox = format!("From a@example.com Sat Jan  1 00:00:00 2024\n{one}\nFrom b@x Sat Jan  1 00:00:01 2024\n{one}");
        assert_eq!(kind(mbox.as_bytes()), Some(Kind::Mbox));
        let (got, _) = walk(&mbox);
        let names: Vec<_> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(names, ["1/body.txt", "2/body.txt"]);
        assert_eq!(got[0].1, "line one\nFrom here\n\n");
    }

    #[test]
    fn damage_is_said() {
        let cut = &MIXED[..MIXED.find("--XX--").unwrap()];
        let (got, w) = walk(cut);
        assert_eq!(got.len(), 4);
        assert!(w.stop.unwrap().contains("multipart/mixed ends without"));
        let bad = MIXED.replace("bWEK", "b*EK");
        let (got, _) = walk(&bad);
        assert!(got[2].1.contains("invalid base64"), "{got:?}");
    }

    #[test]
    fn what_is_mail_and_what_is_not() {
        assert_eq!(kind(MIXED.as_bytes()), Some(Kind::Message));
        assert_eq!(kind(b"nik,nama\n1,2\n"), None);
        assert_eq!(
            kind(b"Subject: x\nDate: y\n\nbody"),
            None,
            "no field only mail has"
        );
        assert_eq!(kind(b"From: a\nTo: b\n"), None, "no end of headers");
        assert_eq!(kind(b"From here to there\nwe went\n"), None);
        assert_eq!(kind(b"Host: x\nFrom: y\nnot a header\n\n"), None);
    }
}
