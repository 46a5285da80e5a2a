//! A large file read where it lies (a read-only `mmap`), not copied in by `read`: the copy
//! out of the page cache was 4–5% of a large CSV's or JSON Lines' scan (issue 26), the
//! largest cost left that the scan itself did not need.
//!
//! A mapping has one hazard a `read` does not: a file cut short while it is mapped (another
//! program truncating it) raises SIGBUS on a page past its new end, which would end the
//! process. The handler installed here maps zeros over the rest of that mapping and marks it
//! [`Mapping::cut_short`], so the faulting read goes on, reads zeros, and the caller tells
//! the entry's ledger row what happened. A SIGBUS anywhere else goes to the handler that was
//! there before (the standard library's, for a stack overflow) or to the default action.
//!
//! Linux only (elsewhere [`Mapping::of`] is always `None` and files are read as before).

use std::fs::File;

/// A file's bytes `0..len` mapped read-only, registered with the SIGBUS handler while it
/// lives.
pub struct Mapping {
    ptr: *mut u8,
    len: usize,
    slot: usize,
}

// SAFETY: the mapping is read-only and owned by this value until it is dropped; sharing it
// between threads shares a `&[u8]`.
unsafe impl Send for Mapping {}
unsafe impl Sync for Mapping {}

impl Mapping {
    /// `file`'s first `len` bytes, mapped; `None` when they cannot be (an empty file, a
    /// platform without the handler, every registry slot taken, a failed `mmap`): the
    /// caller reads the file instead.
    pub fn of(file: &File, len: u64) -> Option<Mapping> {
        #[cfg(target_os = "linux")]
        {
            linux::map(file, len)
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = (file, len);
            None
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: `ptr..ptr+len` is mapped readable for as long as `self` lives; a page the
        // file no longer backs reads as zeros once the handler has run (module doc).
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }

    /// Gives back the pages under `part` (a slice of [`Mapping::bytes`]) once read: a mapped
    /// page counts in the process's resident memory as long as it stays mapped, and a whole
    /// file's would (2 GB for a 2 GB file; the page cache keeps them either way). A page
    /// shared with a part still being read is read again from the page cache: the same bytes.
    pub fn release(&self, part: &[u8]) {
        #[cfg(target_os = "linux")]
        linux::release(self, part);
        #[cfg(not(target_os = "linux"))]
        let _ = part;
    }

    /// Whether a read past the file's end (it was cut short while mapped) met zeros here.
    pub fn cut_short(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            linux::faulted(self.slot)
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        linux::unmap(self);
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::os::fd::AsRawFd;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::OnceLock;

    use super::Mapping;

    /// Mappings the handler knows; a file mapped when all are taken is read instead. Two
    /// workers each reading one large file need two; the rest is room.
    const SLOTS: usize = 64;

    /// One registered mapping. `start` is 0 while the slot is free or being filled, so the
    /// handler never sees a slot half written.
    struct Slot {
        taken: AtomicBool,
        start: AtomicUsize,
        len: AtomicUsize,
        faulted: AtomicBool,
    }

    #[allow(clippy::declare_interior_mutable_const)]
    const FREE: Slot = Slot {
        taken: AtomicBool::new(false),
        start: AtomicUsize::new(0),
        len: AtomicUsize::new(0),
        faulted: AtomicBool::new(false),
    };
    static SLOT: [Slot; SLOTS] = [FREE; SLOTS];
    static PAGE: AtomicUsize = AtomicUsize::new(4096);

    /// The SIGBUS action before ours, once ours is installed (`None`: installing failed).
    struct Previous(libc::sigaction);
    // SAFETY: a `sigaction` is plain data (a handler address, flags, a mask), written once.
    unsafe impl Sync for Previous {}
    unsafe impl Send for Previous {}
    static PREVIOUS: OnceLock<Option<Previous>> = OnceLock::new();

    pub(super) fn map(file: &File, len: u64) -> Option<Mapping> {
        let len = usize::try_from(len).ok().filter(|&l| l > 0)?;
        PREVIOUS.get_or_init(install).as_ref()?;
        let slot = SLOT.iter().position(|s| {
            s.taken
                .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        })?;
        // SAFETY: a fresh read-only private mapping of an open descriptor; the kernel picks
        // the address.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        let s = &SLOT[slot];
        if ptr == libc::MAP_FAILED {
            s.taken.store(false, Ordering::Release);
            return None;
        }
        // SAFETY: advice on the range just mapped; read ahead, drop pages behind.
        unsafe { libc::madvise(ptr, len, libc::MADV_SEQUENTIAL) };
        s.faulted.store(false, Ordering::Relaxed);
        s.len.store(len, Ordering::Relaxed);
        s.start.store(ptr as usize, Ordering::Release);
        Some(Mapping {
            ptr: ptr.cast(),
            len,
            slot,
        })
    }

    /// Pages are given back in whole aligned blocks of this many bytes: a fault maps more
    /// than its page (the kernel's fault-around, and a page-cache folio as large as 2 MiB
    /// whole), so a release of smaller pieces left the neighbours of a fault near a chunk's
    /// edge mapped again, never to be given back: with 64 KiB blocks (the fault-around) the
    /// resident memory still grew by 2% of a 2 GB file on Linux 6.18; with 2 MiB it stays
    /// at about 12 MB.
    const BLOCK: usize = 2 << 20;

    pub(super) fn release(m: &Mapping, part: &[u8]) {
        let page = PAGE.load(Ordering::Relaxed);
        let block = page.max(BLOCK);
        let base = m.ptr as usize;
        let from = part.as_ptr() as usize;
        debug_assert!(from >= base && from + part.len() <= base + m.len);
        // The mapping starts on a page, not necessarily on a block: clipped to it.
        let start = (from & !(block - 1)).max(base);
        let end = (from + part.len())
            .next_multiple_of(block)
            .min(base + m.len.next_multiple_of(page));
        if end > start {
            // SAFETY: whole pages of this mapping; dropped from the page tables only, so a
            // later read maps them again from the file (or the zeros the handler put there).
            unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED) };
        }
    }

    pub(super) fn faulted(slot: usize) -> bool {
        SLOT[slot].faulted.load(Ordering::Acquire)
    }

    pub(super) fn unmap(m: &mut Mapping) {
        let s = &SLOT[m.slot];
        s.start.store(0, Ordering::Release);
        // SAFETY: the range this value mapped; nothing borrows it any more (`&mut self`).
        unsafe { libc::munmap(m.ptr.cast(), m.len) };
        s.taken.store(false, Ordering::Release);
    }

    /// Installs [`on_sigbus`], keeping the action it replaces.
    fn install() -> Option<Previous> {
        // SAFETY: sysconf and sigaction with a zeroed action filled in field by field.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page > 0 {
                PAGE.store(page as usize, Ordering::Relaxed);
            }
            let mut ours: libc::sigaction = std::mem::zeroed();
            ours.sa_sigaction = on_sigbus as *const () as usize;
            ours.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut ours.sa_mask);
            let mut previous: libc::sigaction = std::mem::zeroed();
            (libc::sigaction(libc::SIGBUS, &ours, &mut previous) == 0).then_some(Previous(previous))
        }
    }

    /// A SIGBUS in a registered mapping: zeros mapped over it from the faulting page to its
    /// end, the slot marked, and the faulting load runs again. Anything else is handed on.
    /// Only atomics and `mmap`/`sigaction` system calls here (a signal handler).
    extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
        // SAFETY: the kernel passes a valid siginfo for an SA_SIGINFO handler.
        let addr = unsafe { (*info).si_addr() } as usize;
        for s in &SLOT {
            let start = s.start.load(Ordering::Acquire);
            let len = s.len.load(Ordering::Acquire);
            if start == 0 || addr < start || addr - start >= len {
                continue;
            }
            let page = addr & !(PAGE.load(Ordering::Relaxed) - 1);
            // SAFETY: replaces pages inside a mapping this module made and still owns.
            let zeros = unsafe {
                libc::mmap(
                    page as *mut libc::c_void,
                    start + len - page,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if zeros != libc::MAP_FAILED {
                s.faulted.store(true, Ordering::Release);
                return;
            }
        }
        hand_on(sig, info, uctx);
    }

    /// The action before ours: its handler is called; the default (or an ignore, which
    /// would fault forever) is restored and the faulting load, run again, takes it.
    fn hand_on(sig: libc::c_int, info: *mut libc::siginfo_t, uctx: *mut libc::c_void) {
        let previous = PREVIOUS.get().and_then(|p| p.as_ref());
        let handler = previous.map_or(libc::SIG_DFL, |p| p.0.sa_sigaction);
        if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
            // SAFETY: a zeroed action is SIG_DFL with no flags and an empty mask.
            unsafe {
                let dfl: libc::sigaction = std::mem::zeroed();
                libc::sigaction(sig, &dfl, std::ptr::null_mut());
            }
            return;
        }
        let siginfo = previous.is_some_and(|p| p.0.sa_flags & libc::SA_SIGINFO != 0);
        // SAFETY: the handler the process had installed, called as it asked to be.
        unsafe {
            if siginfo {
                let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                    std::mem::transmute(handler);
                f(sig, info, uctx);
            } else {
                let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
                f(sig);
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_of(bytes: &[u8]) -> (tempfile::NamedTempFile, File) {
        let mut t = tempfile::NamedTempFile::new().unwrap();
        t.write_all(bytes).unwrap();
        t.flush().unwrap();
        let f = File::open(t.path()).unwrap();
        (t, f)
    }

    #[test]
    fn a_mapping_holds_the_files_bytes() {
        let want: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let (_t, f) = file_of(&want);
        let m = Mapping::of(&f, want.len() as u64).unwrap();
        assert_eq!(m.bytes(), &want[..]);
        assert!(!m.cut_short());
        m.release(&m.bytes()[5000..70_000]);
        m.release(m.bytes());
        assert_eq!(m.bytes(), &want[..], "released pages read again");
        assert!(Mapping::of(&f, 0).is_none(), "nothing to map");
    }

    /// The hazard of a mapping: the file cut short under it. Without the handler the read
    /// past the new end ends the test process with SIGBUS.
    #[test]
    fn a_file_cut_short_while_mapped_reads_zeros_past_its_end_and_says_so() {
        let want = vec![b'7'; 1 << 20];
        let (t, f) = file_of(&want);
        let m = Mapping::of(&f, want.len() as u64).unwrap();
        assert_eq!(m.bytes()[10], b'7');
        crate::testing::cut_file(t.path(), 8192);
        let past: u64 = m.bytes()[64 << 10..].iter().map(|&b| b as u64).sum();
        assert_eq!(past, 0);
        assert!(m.cut_short());
        assert_eq!(m.bytes()[100], b'7', "the bytes still there are still read");
        drop(m);
        // The slot, freed, is taken again clean.
        let (_t2, f2) = file_of(b"abc");
        let m2 = Mapping::of(&f2, 3).unwrap();
        assert_eq!(m2.bytes(), b"abc");
        assert!(!m2.cut_short());
    }
}
