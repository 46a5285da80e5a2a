//! Input: bytes off the disk and out of containers, knowing nothing of formats, analysis or
//! the scan. `walk` lists the entries; `archive` opens compressed streams behind the limits
//! guard; `zip` hands an archive's members back one by one; `decode` takes off a byte-order
//! mark and transcodes UTF-16. Imports nothing from the crate but the rules.

pub mod archive;
pub mod decode;
pub mod walk;
pub mod zip;
