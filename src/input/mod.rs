//! Input: bytes off the disk and out of containers, knowing nothing of formats, analysis or
//! the scan. `walk` lists the entries; `archive` opens compressed streams behind the limits
//! guard (`pipe` decompresses a large one on a thread of its own); `zip`, `tar`, `sevenz`
//! and `mail` hand an archive's (or a message's) members back one by one (`shapes` knows a
//! tar or a message by its headers); `decode` takes off a byte-order mark and transcodes
//! UTF-16; `select` is `--glob`/`--exclude` on the walk; `mapped` maps a large file to be read
//! where it lies.
//! Imports nothing from the crate but the rules.

pub mod archive;
pub mod decode;
pub mod mail;
pub mod mapped;
pub mod pipe;
pub mod select;
pub mod sevenz;
pub mod shapes;
pub mod tar;
pub mod walk;
pub mod zip;
