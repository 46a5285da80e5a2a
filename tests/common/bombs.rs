//! Zip and gzip bombs built by hand (shared by `bomb.rs` and `hostile.rs`): one MiB deflated
//! once and repeated, so a gigabyte of output costs a millisecond to make.

use flate2::{Compress, Compression, Crc, FlushCompress};

const MIB: usize = 1 << 20;

/// A raw deflate stream of `mib` MiB of `byte`, and its CRC-32: one MiB compressed once and
/// repeated (a full flush makes each copy stand alone), then a final empty block.
pub fn deflate_bomb(mib: usize, byte: u8) -> (Vec<u8>, u32) {
    let block = vec![byte; MIB];
    let mut c = Compress::new(Compression::best(), false);
    let mut one = Vec::with_capacity(64 << 10);
    c.compress_vec(&block, &mut one, FlushCompress::Full)
        .expect("deflate");
    assert!(
        c.total_in() as usize == MIB,
        "one call compresses the block"
    );
    let mut out = Vec::with_capacity(one.len() * mib + 2);
    let mut crc_one = Crc::new();
    crc_one.update(&block);
    let mut crc = Crc::new();
    for _ in 0..mib {
        out.extend_from_slice(&one);
        crc.combine(&crc_one);
    }
    out.extend_from_slice(&[0x03, 0x00]); // final fixed-Huffman block, end of block only
    (out, crc.sum())
}

/// A zip of one deflated member whose header declares `declared` bytes.
pub fn zip_one(name: &str, data: &[u8], crc: u32, declared: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let common = |v: &mut Vec<u8>| {
        v.extend_from_slice(&20u16.to_le_bytes()); // version needed
        v.extend_from_slice(&0u16.to_le_bytes()); // flags
        v.extend_from_slice(&8u16.to_le_bytes()); // deflate
        v.extend_from_slice(&[0, 0, 0x21, 0]); // 1980-01-01
        v.extend_from_slice(&crc.to_le_bytes());
        v.extend_from_slice(&(data.len() as u32).to_le_bytes());
        v.extend_from_slice(&declared.to_le_bytes());
        v.extend_from_slice(&(name.len() as u16).to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
    };
    out.extend_from_slice(b"PK\x03\x04");
    common(&mut out);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let cd_offset = out.len() as u32;
    let mut central = Vec::new();
    central.extend_from_slice(b"PK\x01\x02");
    central.extend_from_slice(&20u16.to_le_bytes());
    common(&mut central);
    central.extend_from_slice(&[0; 10]); // comment length, disk, attributes
    central.extend_from_slice(&0u32.to_le_bytes()); // local header offset
    central.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

pub fn gzip_of(deflate: &[u8], crc: u32, len: u32) -> Vec<u8> {
    let mut out = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff".to_vec();
    out.extend_from_slice(deflate);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out
}
