//! Which forms and decoys the field writers used, counted as they write: the unit tests
//! check that every one appears in a small sample. Nothing of it reaches the output.
//! Imports nothing.

/// Which forms and decoys were written: the unit tests check that every one appears.
#[derive(Default, Debug)]
pub(super) struct Coverage {
    pub(super) nik_forms: [u64; 9],
    /// province, regency, district, birth_date ×7 (30-day month, 29 Feb, day 32–40,
    /// day > 71, month, day 00, 30 Feb), serial, damaged, empty.
    pub(super) nik_decoys: [u64; 13],
    /// province, regency, district, date ×5, serial.
    pub(super) kk_decoys: [u64; 9],
    pub(super) date_forms: [u64; 11],
    pub(super) month_sets: [u64; 4],
    pub(super) date_mismatch: u64,
    pub(super) sex_values: [u64; 10],
    pub(super) sex_mismatch: u64,
    /// prefix `0`, `62`, `+62`
    pub(super) phone_prefixes: [u64; 3],
    /// none, space, `-`, `.`, `(0)`, after the prefix
    pub(super) phone_seps: [u64; 6],
    /// 0800, 0804, 0809, 084x, 13 national digits, 14, 8
    pub(super) phone_bad: [u64; 7],
    pub(super) phone_short: u64,
    pub(super) email_bad: [u64; 5],
    pub(super) email_case: [u64; 3],
    /// 10, 11, 12 digits
    pub(super) card_restored: [u64; 3],
    pub(super) card_zeros: u64,
    /// empty, remark, KK, card, NIK, phone, e-mail, decimal, dashed NIK, NPWP
    pub(super) remarks: [u64; 10],
    /// decimal fractions holding `0` + a phone, `62` + a phone, a NIK
    pub(super) decimals: [u64; 3],
    /// NPWP field: dotted, 15 digits, 16 digits `0…`, NIK form
    pub(super) npwp_forms: [u64; 4],
    /// valid NIPs: agreeing with the NIK, another date, the other sex
    pub(super) nip_valid: [u64; 3],
    /// invalid NIPs by reason, and by which of the four ways of its reason is used
    pub(super) nip_broken: [u64; 4],
    pub(super) nip_ways: [u64; 4],
    /// NIPs plain, spaced
    pub(super) nip_spaced: [u64; 2],
    /// plain, commas, newline, quotes
    pub(super) addresses: [u64; 4],
    pub(super) sparse: u64,
    pub(super) duplicates: u64,
}
