//! A compressed stream decompressed on a thread of its own, so that inflating overlaps the
//! work on what it yields (issue 26: a `.csv.gz` keeps both cores busy). The helper thread
//! runs the decoder, which reads its input there exactly as it would here (so the input's
//! hashing and counting, and where it stops, are the same), and hands back blocks of
//! [`BLOCK`] decompressed bytes, at most [`DEPTH`] waiting: memory stays bounded whatever the
//! stream holds.
//!
//! What the reader sees is what it would see from the decoder itself: the same bytes, then
//! the decoder's error (or the input's, passed through it) where the stream stops, and the
//! compressed bytes consumed (for the ratio guard) as the decoder counted them at the end of
//! each block, so the guard's verdict does not depend on how far ahead the helper ran. A
//! panic on the helper thread is carried over and resumed on the reader's, where it ends as
//! it would have. The helper never outlives [`decompressed`]: it is scoped, and ends as soon
//! as the reader stops taking blocks.
//!
//! Imports the loose `bytes` (its read loop).

use std::any::Any;
use std::io::{self, Read};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

use crate::bytes::fill_up_to;

/// Decompressed bytes handed over at once.
pub const BLOCK: usize = 256 << 10;
/// Blocks that may wait, each way (full ones to the reader, read ones back to the helper).
const DEPTH: usize = 4;
/// The helper thread's name (`scan::panics` keeps its panics quiet as a worker's).
pub const THREAD_NAME: &str = "triage-decompress";

/// A decoder, and its count of the compressed bytes it consumed.
pub type Decoder<'r> = (Box<dyn Read + 'r>, Arc<AtomicU64>);

/// What the helper hands back.
enum Out {
    /// A block (its first `len` bytes), and the compressed bytes consumed once it was made.
    Bytes(Vec<u8>, usize, u64),
    /// The decoder's error: the stream ends here.
    Failed(io::Error),
    /// The decoder panicked: resumed on the reader's thread.
    Panicked(Box<dyn Any + Send>),
}

/// Runs `body` on a reader of the stream that the decoder `make` builds is decompressing on a
/// helper thread; `body` also gets the count of compressed bytes consumed. A decoder that
/// cannot be made, or a helper that cannot be started, is the stream's first read's error.
pub fn decompressed<'r, T>(
    make: impl FnOnce() -> io::Result<Decoder<'r>> + Send + 'r,
    body: impl FnOnce(&mut dyn Read, Arc<AtomicU64>) -> T,
) -> T {
    let consumed = Arc::new(AtomicU64::new(0));
    std::thread::scope(|s| {
        let (out_tx, out_rx) = sync_channel(DEPTH);
        let (back_tx, back_rx) = sync_channel(DEPTH);
        let spawned = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn_scoped(s, move || help(make, &out_tx, &back_rx));
        if let Err(e) = spawned {
            let e = io::Error::other(format!("no thread to decompress on: {e}"));
            return body(&mut Failing(Some(e)), consumed.clone());
        }
        let mut pipe = Pipe {
            from: out_rx,
            back: back_tx,
            block: Vec::new(),
            len: 0,
            at: 0,
            consumed: consumed.clone(),
        };
        // Dropping the pipe closes its channels: a helper still at work stops at its next
        // hand-over, and the scope waits for it.
        body(&mut pipe, consumed.clone())
    })
}

/// The helper thread: decompresses until the stream ends, the decoder fails or the reader
/// is gone.
fn help<'r>(
    make: impl FnOnce() -> io::Result<Decoder<'r>>,
    out: &SyncSender<Out>,
    back: &Receiver<Vec<u8>>,
) {
    let run = AssertUnwindSafe(|| decompress(make, out, back));
    let last = match catch_unwind(run) {
        Ok(None) => return,
        Ok(Some(e)) => Out::Failed(e),
        Err(panic) => Out::Panicked(panic),
    };
    let _ = out.send(last);
}

/// Hands the decoder's output over block by block: `None` once the stream ended (or the
/// reader is gone), else the decoder's error.
fn decompress<'r>(
    make: impl FnOnce() -> io::Result<Decoder<'r>>,
    out: &SyncSender<Out>,
    back: &Receiver<Vec<u8>>,
) -> Option<io::Error> {
    let (mut dec, count) = match make() {
        Ok(d) => d,
        Err(e) => return Some(e),
    };
    loop {
        let mut block = back.try_recv().unwrap_or_else(|_| vec![0; BLOCK]);
        let (len, failed) = fill_up_to(&mut dec, &mut block);
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

/// The reader's end: the decompressed blocks as they come.
struct Pipe {
    from: Receiver<Out>,
    /// Blocks read, for the helper to fill again.
    back: SyncSender<Vec<u8>>,
    block: Vec<u8>,
    len: usize,
    at: usize,
    consumed: Arc<AtomicU64>,
}

impl Read for Pipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.len {
            match self.from.recv() {
                // The helper ended the stream.
                Err(_) => return Ok(0),
                Ok(Out::Bytes(block, len, consumed)) => {
                    let done = std::mem::replace(&mut self.block, block);
                    if done.len() == BLOCK {
                        let _ = self.back.try_send(done);
                    }
                    (self.len, self.at) = (len, 0);
                    self.consumed.store(consumed, Ordering::Relaxed);
                }
                Ok(Out::Failed(e)) => return Err(e),
                Ok(Out::Panicked(panic)) => resume_unwind(panic),
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
    use crate::testing::gzip;

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

    /// `input` decompressed through the pipe and read to its end: what came out, the error
    /// that ended it, and the compressed bytes counted.
    fn through_pipe(input: impl Read + Send) -> (Vec<u8>, Option<String>, u64) {
        let make = move || decoder(Container::Gzip, input);
        decompressed(make, |r, consumed| {
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
        let (out, err, consumed) = through_pipe(&gz[..]);
        assert_eq!(err, None);
        assert!(out == data, "{} bytes of {}", out.len(), data.len());
        assert_eq!(consumed, gz.len() as u64);
    }

    #[test]
    fn a_damaged_stream_ends_with_the_decoders_error() {
        let data = text(2 * BLOCK);
        let gz = gzip(&data);
        // Cut short: every byte before the cut, then the error, as the decoder gives them.
        let cut = &gz[..gz.len() * 2 / 3];
        let (out, err, _) = through_pipe(cut);
        let (want, want_err) = here(cut);
        assert!(err.is_some());
        assert_eq!((out.len(), err), (want.len(), want_err));
        assert!(data.starts_with(&out));
        // Not gzip at all: the decoder's own error, nothing before it.
        let (out, err, _) = through_pipe(&b"\x1f\x8bnot a gzip stream at all"[..]);
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
        let (out, err, _) = through_pipe(Breaks(&gz[..gz.len() / 2]));
        assert!(!out.is_empty());
        assert_eq!(err.as_deref(), Some("the disk broke"));
    }

    #[test]
    fn a_reader_that_stops_early_ends_the_helper() {
        // Far more than the channel holds: the helper must not wait for a reader gone.
        let gz = gzip(&text(40 * BLOCK));
        let make = || decoder(Container::Gzip, &gz[..]);
        let first = decompressed(make, |r, _| {
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
        let make = || Ok((Box::new(Panics) as Box<dyn Read>, Arc::default()));
        let got = catch_unwind(AssertUnwindSafe(|| {
            decompressed(make, |r, _| r.read_to_end(&mut Vec::new()))
        }));
        let panic = got.unwrap_err();
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"the decoder panicked"));
    }
}
