//! A date as the scanner compares it. The days of a month come from `crate::calendar`.

/// A date as the scanner compares it: day, month, last two year digits.
pub(super) type Triple = (u8, u8, u8);
