//! A compressed stream decompressed on a thread of its own, so that inflating overlaps the
//! work on what it yields (issue 26: a `.csv.gz` keeps both cores busy). The thread that
//! reads the entry still reads the compressed bytes (and so hashes and counts them, as
//! `scan::open` wraps its input); it hands them over in blocks of [`BLOCK`] bytes, the helper
//! thread decompresses them and hands back blocks of [`BLOCK`] decompressed bytes, at most
//! [`DEPTH`] waiting each way: memory stays bounded whatever the stream holds.
//!
//! What the reader sees is what it would see from the decoder itself: the same bytes, then
//! the decoder's error (or the input's, passed through it) where the stream stops, and the
//! compressed bytes consumed (for the ratio guard) as the decoder counted them at the end of
//! each block, so the guard's verdict does not depend on how far ahead the helper ran. A
//! panic on the helper thread is carried over and resumed on the reader's, where it ends as
//! it would have. The helper never outlives [`decompressed`]: it is scoped, and ends as soon
//! as the reader stops taking blocks.
//!
//! Imports nothing of the crate.

use std::any::Any;
use std::io::{self, Read};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::Arc;

/// Bytes handed over at once, each way.
pub const BLOCK: usize = 256 << 10;
/// Blocks that may wait each way.
const DEPTH: usize = 4;
/// The helper thread's name (`scan::panics` keeps its panics quiet as a worker's).
pub const THREAD_NAME: &str = "triage-decompress";

/// A decoder, and its count of the compressed bytes it consumed.
pub type Decoder = (Box<dyn Read>, Arc<AtomicU64>);

/// Compressed bytes on their way to the helper: a block, or the input's read error.
type In = io::Result<Vec<u8>>;

/// What the helper hands back.
enum Out {
    /// A block (its first `len` bytes), and the compressed bytes consumed once it was made.
    Bytes(Vec<u8>, usize, u64),
    /// The decoder's error: the stream ends here.
    Failed(io::Error),
    /// The decoder panicked: resumed on the reader's thread.
    Panicked(Box<dyn Any + Send>),
}

/// Runs `body` on a reader of the stream whose first bytes are `head` and the rest `input`,
/// decompressed on a helper thread by the decoder `make` builds over them; `body` also gets
/// the count of compressed bytes consumed. A helper that cannot be started is a read error.
pub fn decompressed<T>(
    head: Vec<u8>,
    input: &mut dyn Read,
    make: impl FnOnce(Feed) -> io::Result<Decoder> + Send,
    body: impl FnOnce(&mut dyn Read, Arc<AtomicU64>) -> T,
) -> T {
    let consumed = Arc::new(AtomicU64::new(0));
    std::thread::scope(|s| {
        let (in_tx, in_rx) = sync_channel(DEPTH);
        let (out_tx, out_rx) = sync_channel(DEPTH);
        let (back_tx, back_rx) = sync_channel(DEPTH);
        let feed = Feed {
            rx: in_rx,
            block: Vec::new(),
            at: 0,
        };
        let spawned = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn_scoped(s, move || help(feed, make, &out_tx, &back_rx));
        if let Err(e) = spawned {
            let e = io::Error::other(format!("no thread to decompress on: {e}"));
            return body(&mut Failing(Some(e)), consumed.clone());
        }
        let mut pipe = Pipe {
            input,
            held: (!head.is_empty()).then_some(Ok(head)),
            error: None,
            to: Some(in_tx),
            from: out_rx,
            back: back_tx,
            block: Vec::new(),
            len: 0,
            at: 0,
            consumed: consumed.clone(),
        };
        body(&mut pipe, consumed.clone())
        // Dropping the pipe closes both channels: a helper still at work stops at its next
        // hand-over, and the scope waits for it.
    })
}

/// The helper thread: decompresses what comes in until the stream ends, the decoder fails or
/// the reader is gone.
fn help(
    feed: Feed,
    make: impl FnOnce(Feed) -> io::Result<Decoder>,
    out: &SyncSender<Out>,
    back: &Receiver<Vec<u8>>,
) {
    let run = AssertUnwindSafe(|| decompress(feed, make, out, back));
    let last = match catch_unwind(run) {
        Ok(None) => return,
        Ok(Some(e)) => Out::Failed(e),
        Err(panic) => Out::Panicked(panic),
    };
    let _ = out.send(last);
}

/// Hands the decoder's output over block by block: `None` once the stream ended (or the
/// reader is gone), else the decoder's error.
fn decompress(
    feed: Feed,
    make: impl FnOnce(Feed) -> io::Result<Decoder>,
    out: &SyncSender<Out>,
    back: &Receiver<Vec<u8>>,
) -> Option<io::Error> {
    let (mut dec, count) = match make(feed) {
        Ok(d) => d,
        Err(e) => return Some(e),
    };
    loop {
        let mut block = back.try_recv().unwrap_or_else(|_| vec![0; BLOCK]);
        let (len, failed) = fill(&mut dec, &mut block);
        let consumed = count.load(Ordering::Relaxed);
        if len > 0 && out.send(Out::Bytes(block, len, consumed)).is_err() {
            return None;
        }
        if failed.is_some() || len < BLOCK {
            // At the end, closing the channel says so.
            return failed;
        }
    }
}

/// Fills `block` from `r`: the bytes read, fewer only at the end or at an error.
fn fill(r: &mut dyn Read, block: &mut [u8]) -> (usize, Option<io::Error>) {
    let mut len = 0;
    while len < block.len() {
        match r.read(&mut block[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (len, Some(e)),
        }
    }
    (len, None)
}

/// The helper's input: the compressed blocks the reader sends, ending where it stops
/// sending (or with the input's error).
pub struct Feed {
    rx: Receiver<In>,
    block: Vec<u8>,
    at: usize,
}

impl Read for Feed {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.block.len() {
            match self.rx.recv() {
                Ok(Ok(block)) => (self.block, self.at) = (block, 0),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.block.len() - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// The reader's end: sends the compressed input on as the helper takes it, and reads the
/// decompressed blocks that come back.
struct Pipe<'a> {
    input: &'a mut dyn Read,
    /// What goes to the helper next: first the bytes read before the stream was known to
    /// be one, later a block it had no room for.
    held: Option<In>,
    /// The input's error, sent after the bytes read before it.
    error: Option<io::Error>,
    /// `None` once the input's end (or error) was sent.
    to: Option<SyncSender<In>>,
    from: Receiver<Out>,
    /// Blocks read, for the helper to fill again.
    back: SyncSender<Vec<u8>>,
    block: Vec<u8>,
    len: usize,
    at: usize,
    consumed: Arc<AtomicU64>,
}

impl Pipe<'_> {
    /// The next thing the helper hands back (`None`: the stream ended), sending it input
    /// meanwhile whenever it has room for more.
    fn next(&mut self) -> Option<Out> {
        loop {
            match self.from.try_recv() {
                Ok(out) => return Some(out),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            if !self.send_input() {
                // The helper has all the input it can take, or all there is: wait for it.
                return self.from.recv().ok();
            }
        }
    }

    /// Sends the helper one more block of input if it has room; whether it did. The last
    /// thing sent is the input's end (an empty block) or its error.
    fn send_input(&mut self) -> bool {
        if self.to.is_none() {
            return false;
        }
        let next = match self.held.take() {
            Some(next) => next,
            None => self.read_input(),
        };
        let last = !matches!(&next, Ok(b) if !b.is_empty());
        let Some(to) = &self.to else {
            return false;
        };
        match to.try_send(next) {
            Ok(()) => {
                if last {
                    self.to = None;
                }
                true
            }
            Err(TrySendError::Full(next)) => {
                self.held = Some(next);
                false
            }
            Err(TrySendError::Disconnected(_)) => {
                self.to = None;
                false
            }
        }
    }

    /// The next block of the compressed input, empty at its end. Bytes read before an error
    /// go first, the error after them.
    fn read_input(&mut self) -> In {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut block = Vec::with_capacity(BLOCK);
        match (&mut *self.input)
            .take(BLOCK as u64)
            .read_to_end(&mut block)
        {
            Ok(_) => Ok(block),
            Err(e) if block.is_empty() => Err(e),
            Err(e) => {
                self.error = Some(e);
                Ok(block)
            }
        }
    }
}

impl Read for Pipe<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.len {
            match self.next() {
                None => return Ok(0),
                Some(Out::Bytes(block, len, consumed)) => {
                    let done = std::mem::replace(&mut self.block, block);
                    if done.len() == BLOCK {
                        let _ = self.back.try_send(done);
                    }
                    (self.len, self.at) = (len, 0);
                    self.consumed.store(consumed, Ordering::Relaxed);
                }
                Some(Out::Failed(e)) => return Err(e),
                Some(Out::Panicked(panic)) => resume_unwind(panic),
            }
        }
        let n = buf.len().min(self.len - self.at);
        buf[..n].copy_from_slice(&self.block[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A reader whose first read fails, then ends.
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.0.take().map_or(Ok(0), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::archive::{decoder, Container};
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    /// Bytes that compress about 3:1, as a CSV does.
    fn text(len: usize) -> Vec<u8> {
        let mut x = 1u64;
        (0..len)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                b"0123456789,\n"[(x >> 60) as usize % 12]
            })
            .collect()
    }

    /// `compressed` read through the pipe as a scan reads it: its first `head` bytes read
    /// before. What came out, the error that ended it, and the compressed bytes counted.
    fn through_pipe(compressed: &[u8], head: usize) -> (Vec<u8>, Option<String>, u64) {
        let (first, mut rest) = compressed.split_at(head);
        let make = |feed| decoder(Container::Gzip, feed);
        decompressed(first.to_vec(), &mut rest, make, |r, consumed| {
            let mut out = Vec::new();
            let err = r.read_to_end(&mut out).err().map(|e| e.to_string());
            (out, err, consumed.load(Ordering::Relaxed))
        })
    }

    /// The same read straight from the decoder, on this thread.
    fn here(compressed: &[u8]) -> (Vec<u8>, Option<String>) {
        let (mut dec, _) = decoder(Container::Gzip, compressed).unwrap();
        let mut out = Vec::new();
        let err = dec.read_to_end(&mut out).err().map(|e| e.to_string());
        (out, err)
    }

    #[test]
    fn the_stream_comes_through_whole_and_counted() {
        let data = text(3 * BLOCK + 12_345);
        let gz = gzip(&data);
        for head in [0, 10, gz.len() / 2] {
            let (out, err, consumed) = through_pipe(&gz, head);
            assert_eq!(err, None);
            assert!(
                out == data,
                "head {head}: {} bytes of {}",
                out.len(),
                data.len()
            );
            assert_eq!(consumed, gz.len() as u64);
        }
    }

    #[test]
    fn a_damaged_stream_ends_with_the_decoders_error() {
        let data = text(2 * BLOCK);
        let gz = gzip(&data);
        // Cut short: every byte before the cut, then the error, as the decoder gives them.
        let cut = &gz[..gz.len() * 2 / 3];
        let (out, err, _) = through_pipe(cut, 100);
        let (want, want_err) = here(cut);
        assert!(err.is_some());
        assert_eq!((out.len(), err), (want.len(), want_err));
        assert!(data.starts_with(&out));
        // Not gzip at all: the decoder's own error, nothing before it.
        let (out, err, _) = through_pipe(b"\x1f\x8bnot a gzip stream at all", 2);
        assert!(out.is_empty() && err.is_some());
    }

    /// Reads `data`, then fails.
    struct Breaks<'a>(&'a [u8]);

    impl Read for Breaks<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.0.read(buf)? {
                0 => Err(io::Error::other("the disk broke")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn the_inputs_error_comes_through_the_decoder() {
        let gz = gzip(&text(4 * BLOCK));
        let mut input = Breaks(&gz[1000..gz.len() / 2]);
        let make = |feed| decoder(Container::Gzip, feed);
        let (out, err) = decompressed(gz[..1000].to_vec(), &mut input, make, |r, _| {
            let mut out = Vec::new();
            (out.len(), r.read_to_end(&mut out).map(|_| out.len()))
        });
        assert_eq!(out, 0);
        assert_eq!(err.unwrap_err().to_string(), "the disk broke");
    }

    #[test]
    fn a_reader_that_stops_early_ends_the_helper() {
        // Far more than the channels hold: the helper must not wait for a reader gone.
        let gz = gzip(&text(40 * BLOCK));
        let make = |feed| decoder(Container::Gzip, feed);
        let first = decompressed(Vec::new(), &mut &gz[..], make, |r, _| {
            let mut b = [0u8; 10];
            r.read_exact(&mut b).unwrap();
            b
        });
        assert_eq!(&first[..], &text(10)[..]);
    }

    /// Panics on its first read.
    struct Panics;

    impl Read for Panics {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            panic!("the decoder panicked")
        }
    }

    #[test]
    fn a_panic_on_the_helper_is_resumed_on_the_reader() {
        let make = |_feed| Ok((Box::new(Panics) as Box<dyn Read>, Arc::default()));
        let got = catch_unwind(AssertUnwindSafe(|| {
            decompressed(b"x".to_vec(), &mut &b"yz"[..], make, |r, _| {
                r.read_to_end(&mut Vec::new())
            })
        }));
        let panic = got.unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"the decoder panicked"));
    }
}
