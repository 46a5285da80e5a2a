//! Archives and compressed streams built in memory by the tests.

use std::io::Write;

/// A gzip stream of `data` at compression `level`.
pub fn gzip(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// A zip (deflated members unless `stored`) of `members`; a name ending in `/` is a folder.
pub fn zip(members: &[(&str, &[u8])], stored: bool) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in members {
        if name.ends_with('/') {
            z.add_directory(name.trim_end_matches('/'), opts).unwrap();
        } else {
            z.start_file(*name, opts).unwrap();
            z.write_all(data).unwrap();
        }
    }
    z.finish().unwrap().into_inner()
}

/// A bzip2 stream of `data`.
pub fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// An xz stream of `data` (preset 3).
pub fn xz(data: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(3)).unwrap();
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

/// A zstd frame of `data` (level 3).
pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}
