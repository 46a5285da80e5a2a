//! Containers known by their structure rather than by a magic at their first byte: a tar
//! header (the `ustar` magic at 257, or a v7 header by its checksum) and e-mail headers (a
//! message, or an mbox's `From ` line first). `archive::Container` asks here; the readers
//! (`tar`, `mail`) read what is found. Imports nothing from the crate.

/// The most header lines of a message looked at.
pub const MAX_HEADER_LINES: usize = 1000;

/// Whether `head` starts with a tar header: the `ustar` magic at 257 in a block holding a
/// NUL byte (a ustar, GNU or pax archive), or a v7 header whose checksum matches.
pub fn is_tar(head: &[u8]) -> bool {
    let ustar = head.get(257..262) == Some(b"ustar") && memchr::memchr(0, head).is_some();
    ustar || is_tar_v7(head)
}

/// A tar header without the `ustar` magic (the v7 format): a name, octal fields, and a
/// checksum that matches the header's bytes.
fn is_tar_v7(b: &[u8]) -> bool {
    let Some(h) = b.get(..512) else {
        return false;
    };
    if h[0] == 0 {
        return false;
    }
    let Some(stored) = octal(&h[148..156]) else {
        return false;
    };
    if octal(&h[124..136]).is_none() || octal(&h[100..108]).is_none() {
        return false;
    }
    // The checksum is the sum of the header's bytes with its own field read as spaces; old
    // tars summed signed bytes.
    let field = 8 * u64::from(b' ');
    let unsigned: u64 = h.iter().map(|&x| u64::from(x)).sum::<u64>()
        - h[148..156].iter().map(|&x| u64::from(x)).sum::<u64>()
        + field;
    let signed: i64 = h.iter().map(|&x| i64::from(x as i8)).sum::<i64>()
        - h[148..156].iter().map(|&x| i64::from(x as i8)).sum::<i64>()
        + field as i64;
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// An octal number field: digits, padded with spaces or NUL bytes; at least one digit.
fn octal(f: &[u8]) -> Option<u64> {
    let t = f.trim_ascii_start();
    let digits = t.iter().take_while(|c| (b'0'..=b'7').contains(c)).count();
    if digits == 0 || !t[digits..].iter().all(|&c| c == 0 || c == b' ') {
        return None;
    }
    Some(
        t[..digits]
            .iter()
            .fold(0u64, |a, &c| a.saturating_mul(8) + u64::from(c - b'0')),
    )
}

/// What the first bytes of a mail file are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailKind {
    /// One message: RFC 5322 header fields, then a blank line.
    Message,
    /// An mbox: a `From ` line, then a message's headers.
    Mbox,
}

/// Whether `head` starts a message or a mailbox: header fields up to a blank line, at least
/// two of them known to mail and one that only mail has (`From:`, `Received:`,
/// `MIME-Version:`, `Message-ID:`, …).
pub fn mail_kind(head: &[u8]) -> Option<MailKind> {
    if let Some(rest) = head.strip_prefix(b"From ") {
        let eol = memchr::memchr(b'\n', rest)?;
        let first = &rest[..eol];
        let words = first
            .split(|&c| c == b' ')
            .filter(|w| !w.is_empty())
            .count();
        return (eol < 1000 && words >= 2 && headers_look_like_mail(&rest[eol + 1..]))
            .then_some(MailKind::Mbox);
    }
    headers_look_like_mail(head).then_some(MailKind::Message)
}

fn headers_look_like_mail(b: &[u8]) -> bool {
    const KNOWN: [&str; 14] = [
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "received",
        "return-path",
        "delivered-to",
        "reply-to",
        "sender",
        "x-mailer",
    ];
    const ONLY_MAIL: [&str; 6] = [
        "from",
        "received",
        "mime-version",
        "message-id",
        "return-path",
        "delivered-to",
    ];
    // Nearly every head is no mail, and says so in its first line: told with two searches,
    // not a walk of its bytes one by one (twice per small file, a tenth of its sniffing).
    let Some(eol) = memchr::memchr(b'\n', b) else {
        return false;
    };
    let first = &b[..eol];
    if field_name_bytes(first.strip_suffix(b"\r").unwrap_or(first)).is_none() {
        return false;
    }
    let (mut known, mut only_mail) = (0, false);
    let lines = b.split_inclusive(|&c| c == b'\n');
    for (i, line) in lines.take(MAX_HEADER_LINES).enumerate() {
        // A last line the block cuts is not a line yet.
        let Some(line) = line.strip_suffix(b"\n") else {
            return false;
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            return i > 0 && known >= 2 && only_mail;
        }
        if i > 0 && matches!(line[0], b' ' | b'\t') {
            continue;
        }
        let Some(name) = field_name(line) else {
            return false;
        };
        known += usize::from(KNOWN.contains(&name.as_str()));
        only_mail |= ONLY_MAIL.contains(&name.as_str());
    }
    false
}

/// A header line's field name, lowercased, when the line is `name: value`.
pub fn field_name(line: &[u8]) -> Option<String> {
    field_name_bytes(line).map(|name| String::from_utf8_lossy(name).to_ascii_lowercase())
}

/// [`field_name`] as it is written.
fn field_name_bytes(line: &[u8]) -> Option<&[u8]> {
    let colon = memchr::memchr(b':', line)?;
    let name = &line[..colon];
    let ok = (1..=76).contains(&name.len())
        && name
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    ok.then_some(name)
}
