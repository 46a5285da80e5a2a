//! The sample's columns: their names in file order, and the index of each for the row
//! builder. Imports nothing.

/// The sample's columns, in order.
#[rustfmt::skip]
pub const COLUMNS: [&str; NCOLS] = [
    "PSNOKA", "NAMA", "JENKEL", "TGLLHR", "NOHP", "NIK", "NOKK", "NPWP", "EMAIL", "NOKA",
    "KDHUBKEL", "KDKANTOR", "FLAGTANGGUNGAN", "ALAMAT", "KETERANGAN", "NIP",
];

pub(super) const NCOLS: usize = 16;
pub(super) const PSNOKA: usize = 0;
pub(super) const NAMA: usize = 1;
pub(super) const JENKEL: usize = 2;
pub(super) const TGLLHR: usize = 3;
pub(super) const NOHP: usize = 4;
pub(super) const NIK: usize = 5;
pub(super) const NOKK: usize = 6;
pub(super) const NPWP: usize = 7;
pub(super) const EMAIL: usize = 8;
pub(super) const NOKA: usize = 9;
pub(super) const KDHUBKEL: usize = 10;
pub(super) const KDKANTOR: usize = 11;
pub(super) const FLAG: usize = 12;
pub(super) const ALAMAT: usize = 13;
pub(super) const KETERANGAN: usize = 14;
pub(super) const NIP: usize = 15;

/// One row's field values, in column order, reused from row to row.
pub(super) type Fields = [Vec<u8>; NCOLS];
