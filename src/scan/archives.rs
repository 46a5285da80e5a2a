//! Tar and 7-zip archives, e-mail messages and mailboxes, and RAR archives (not read): each
//! member an entry of its own (`dump.tar.gz!dir/a.csv`, `a.7z!b.csv`, `mail.eml!pasien.csv`,
//! `box.mbox!3/body.txt`) read like a zip's by the [`ScanMember`] that `open` passes in (so
//! the two files do not import each other), nested containers to the depth the limits allow.
//! The archive itself is an entry only when it is empty, damaged or not read, saying why.
//! Imports `input`, `summary` and the scan's `Origin` and `ScanEnv`.

use std::fs::File;
use std::io::{self, Read};

use crate::input::archive::too_large;
use crate::input::mail::{self, Kind};
use crate::input::sevenz::{self, Refused};
use crate::input::tar;
use crate::input::zip::{Body, Member};
use crate::scan::{Origin, ScanEnv};
use crate::summary::{Reason, State};

/// Reads one member as an entry below its archive (`open::scan_member`).
pub(super) type ScanMember = fn(Member, &Origin, ScanEnv);

/// A tar archive read from `r`, whose first bytes are `head`: streamed member by member.
pub(super) fn scan_tar(
    r: &mut dyn Read,
    head: Vec<u8>,
    read_error: Option<io::Error>,
    at: &Origin,
    ctx: ScanEnv,
    scan_member: ScanMember,
) {
    let mut input = io::Cursor::new(head).chain(Rest::new(r, read_error));
    let walked = tar::members(&mut input, &ctx.cfg.limits, &mut |m| {
        scan_member(m, at, ctx)
    });
    settle(at, ctx, "tar archive", walked.members, walked.stop);
}

/// A 7-zip archive in `f`: its declared sizes checked, then its blocks decoded in order.
pub(super) fn scan_sevenz(f: File, at: &Origin, ctx: ScanEnv, scan_member: ScanMember) {
    let mut z = match sevenz::open(f) {
        Ok(z) => z,
        Err(Refused::EncryptedHeaders) => {
            return ctx.entry(at, State::Failed, Reason::EncryptedHeaders("7-zip archive"))
        }
        Err(Refused::Unreadable(error)) => {
            let reason = Reason::ArchiveUnreadable {
                archive: "7-zip archive",
                error,
            };
            return ctx.entry(at, State::Failed, reason);
        }
    };
    if let Some(why) = z.too_large(&ctx.cfg.limits) {
        return ctx.entry(at, State::Skipped, Reason::TooLarge(why));
    }
    let walked = z.members(&ctx.cfg.limits, &mut |m| scan_member(m, at, ctx));
    let stop = walked.stop.map(io::Error::other);
    settle(at, ctx, "7-zip archive", walked.members, stop);
}

/// An e-mail message or an mbox read from `r`: every part an entry, its `bytes` the decoded
/// bytes read (a part declares no size).
pub(super) fn scan_mail(
    r: &mut dyn Read,
    head: Vec<u8>,
    read_error: Option<io::Error>,
    kind: Kind,
    at: &Origin,
    ctx: ScanEnv,
    scan_member: ScanMember,
) {
    let mut input = io::Cursor::new(head).chain(Rest::new(r, read_error));
    let walked = mail::members(&mut input, kind, &ctx.cfg.limits, &mut |m| {
        scan_part(m, at, ctx, scan_member)
    });
    let what = match kind {
        Kind::Message => "e-mail message",
        Kind::Mbox => "mbox mailbox",
    };
    let stop = walked.stop.map(io::Error::other);
    settle(at, ctx, what, walked.members, stop);
}

/// One part of a message, as an entry whose `bytes` are what its reader read of it.
fn scan_part(m: Member, at: &Origin, ctx: ScanEnv, scan_member: ScanMember) {
    let Body::Bytes(r) = m.body else {
        return scan_member(m, at, ctx);
    };
    let name = format!("{}!{}", at.name, m.name);
    let mut counted = Counting { inner: r, read: 0 };
    let member = Member {
        name: m.name,
        size: m.size,
        body: Body::Bytes(&mut counted),
    };
    scan_member(member, at, ctx);
    let read = counted.read;
    ctx.acc.with(|mine| {
        if let Some(f) = mine.files.get_mut(&name) {
            f.bytes = read;
        }
    });
}

/// A RAR archive: not read, and the reason says what to do instead.
pub(super) fn scan_rar(at: &Origin, ctx: ScanEnv) {
    ctx.entry(at, State::Failed, Reason::RarNotRead);
}

/// The archive's own entry: none when its members were all read; `skipped` when it has
/// none; `partial` (or `failed`, or `skipped` for a limit, when no member was read) when
/// something stopped it.
fn settle(
    at: &Origin,
    ctx: ScanEnv,
    archive: &'static str,
    members: usize,
    stop: Option<io::Error>,
) {
    let Some(err) = stop else {
        if members == 0 {
            ctx.entry(at, State::Skipped, Reason::EmptyArchive);
        }
        return;
    };
    let (state, reason) = match too_large(&err) {
        Some(why) => (State::Skipped, Reason::TooLarge(why)),
        None => (
            State::Failed,
            Reason::ArchiveDamaged {
                archive,
                members,
                error: err.to_string(),
            },
        ),
    };
    let state = if members > 0 { State::Partial } else { state };
    ctx.entry(at, state, reason);
}

/// The rest of an entry after its first block: the reader, or the error that cut the block.
struct Rest<'r> {
    inner: &'r mut dyn Read,
    error: Option<io::Error>,
    failed: bool,
}

impl<'r> Rest<'r> {
    fn new(inner: &'r mut dyn Read, error: Option<io::Error>) -> Self {
        let failed = error.is_some();
        Rest {
            inner,
            error,
            failed,
        }
    }
}

impl Read for Rest<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.failed {
            return Ok(0);
        }
        self.inner.read(buf)
    }
}

/// Counts the bytes read through it.
struct Counting<'r> {
    inner: &'r mut dyn Read,
    read: u64,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        Ok(n)
    }
}
