//! Where the tests find the crate and its committed fixtures.

use std::path::PathBuf;

/// The crate's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The committed fixtures, `fixtures/`.
pub fn fixtures() -> PathBuf {
    root().join("fixtures")
}
