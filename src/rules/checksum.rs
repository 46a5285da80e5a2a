//! Check digits (SPEC §5): the Luhn (mod 10) check an old-format NPWP carries. Imports nothing.

/// Whether `digits` (ASCII) end in a valid Luhn check digit: from the right, every second
/// digit doubled (less 9 when over 9), the sum a multiple of 10. A leading `0` changes
/// nothing, so the check over a 16-digit NPWP's first 10 digits (which start with `0`) is the
/// check over the 9 that follow it.
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &b) in digits.iter().rev().enumerate() {
        if !b.is_ascii_digit() {
            return false;
        }
        let d = u32::from(b - b'0');
        sum += match i % 2 {
            0 => d,
            _ if d * 2 > 9 => d * 2 - 9,
            _ => d * 2,
        };
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

/// SPEC §5's NPWP check digit: a 15-digit NPWP by the Luhn check over its first 9 digits, a
/// 16-digit one starting with `0` over its first 10. `None` for any other length or a
/// 16-digit NPWP not starting with `0` (a NIK since 2024: the NIK rules decide).
pub fn npwp_check_digit(digits: &[u8]) -> Option<bool> {
    match digits {
        d if d.len() == 15 => Some(luhn(&d[..9])),
        [b'0', ..] if digits.len() == 16 => Some(luhn(&digits[..10])),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_known_values() {
        // The textbook number and its neighbours: only the right check digit passes.
        assert!(luhn(b"79927398713"));
        for wrong in b"0123456789".iter().filter(|&&d| d != b'3') {
            let mut v = b"7992739871".to_vec();
            v.push(*wrong);
            assert!(!luhn(&v), "{}", String::from_utf8_lossy(&v));
        }
        assert!(!luhn(b""));
        assert!(!luhn(b"12a4"));
    }

    #[test]
    fn npwp_check_digit_by_length() {
        // 01.234.567.8-…: Luhn over 012345678 fails; over 012345674 it holds.
        assert_eq!(npwp_check_digit(b"012345674123000"), Some(true));
        assert_eq!(npwp_check_digit(b"012345678123000"), Some(false));
        // The 16-digit form of the same number: a leading 0 before the 15.
        assert_eq!(npwp_check_digit(b"0012345674123000"), Some(true));
        assert_eq!(npwp_check_digit(b"0012345678123000"), Some(false));
        // Not a check-digit NPWP.
        assert_eq!(npwp_check_digit(b"3171010101900001"), None);
        assert_eq!(npwp_check_digit(b"01234567412300"), None);
    }
}
