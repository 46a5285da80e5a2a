//! The Luhn check written for the tests on its own, apart from `rules::checksum`, so that a
//! test's NPWPs and its expected verdicts do not come from the code under test.

/// The Luhn check over `digits`: every second digit from the right doubled (less 9).
pub fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            match i % 2 {
                0 => d,
                _ if d > 4 => 2 * d - 9,
                _ => 2 * d,
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The digit that makes `head` followed by it pass [`luhn`].
pub fn check_digit(head: &str) -> u32 {
    (0..10)
        .find(|d| luhn(&format!("{head}{d}")))
        .expect("one digit makes the check hold")
}
