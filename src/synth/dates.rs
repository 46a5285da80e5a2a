//! Calendar facts the generator needs: a date as the scanner compares it, and the days of a
//! month. Imports nothing.

/// A date as the scanner compares it: day, month, last two year digits.
pub(super) type Triple = (u8, u8, u8);

pub(super) fn real_days(month: u8, year: u16) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        _ => 28,
    }
}
