//! The NPWP and NIP a person draws once (a duplicate row writes them the same way): what
//! each is built to be, its digits, and the NPWP's Luhn check digit, computed here
//! independently of the scanner's `rules::checksum`. `npwp.rs` and `nip.rs` write them.
//! Imports the synth randomness and digits.

use crate::synth::digits::digits_n;
use crate::synth::rng::Rng;

/// A person's NPWP, as drawn once for them (a duplicate row writes it the same way).
#[derive(Clone, Copy, Default)]
pub(super) struct Npwp {
    /// The 15 digits, check digit included (right, or wrong when `bad`); 0 for none.
    pub(super) value: u64,
    /// 0 dotted, 1 plain 15 digits, 2 plain 16 digits `0…`, 3 the person's NIK.
    pub(super) form: u8,
    /// A wrong check digit (forms 0–2), or a NIK form with serial 0000 (form 3).
    pub(super) bad: bool,
}

/// Four in ten heads of a family and one in ten spouses have an NPWP; one in ten is bad.
pub(super) fn draw_npwp(rng: &mut Rng, hub: u8) -> Npwp {
    let share = match hub {
        1 => 40,
        2 => 10,
        _ => 0,
    };
    if rng.below(100) >= share {
        return Npwp::default();
    }
    let bad = rng.below(100) < 10;
    let form = match rng.below(100) {
        0..=39 => 0,
        40..=59 => 1,
        60..=79 => 2,
        _ => 3,
    };
    Npwp {
        value: npwp_number(rng, bad),
        form,
        bad,
    }
}

/// 15 digits `TT NNNNNN C KKK CCC`: kind, number, Luhn check digit over the first eight
/// (a wrong one when `bad`), tax office, branch (`000` for a head office, half of them).
pub(super) fn npwp_number(rng: &mut Rng, bad: bool) -> u64 {
    let mut d = [0u8; 15];
    for x in d.iter_mut() {
        *x = b'0' + rng.below(10) as u8;
    }
    if rng.below(5) == 0 {
        d[5..7].copy_from_slice(b"08");
    }
    if rng.below(2) == 0 {
        d[12..].copy_from_slice(b"000");
    }
    let check = luhn_digit(&d[..8]);
    d[8] = if bad {
        b'0' + (check + 1 + rng.below(9) as u8) % 10
    } else {
        b'0' + check
    };
    d.iter().fold(0, |v, &b| v * 10 + u64::from(b - b'0'))
}

/// The Luhn check digit of `head` (ASCII digits): the digit that, appended, makes the sum
/// of the digits with every second one from the right doubled (less 9 over 9) a multiple
/// of 10.
pub(super) fn luhn_digit(head: &[u8]) -> u8 {
    let sum: u32 = head
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let twice = 2 * d;
                twice - if twice > 9 { 9 } else { 0 }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// `12.345.678.9-123.456`.
pub(super) fn push_dotted(buf: &mut Vec<u8>, v: u64) {
    let mut d = [0u8; 15];
    digits_n(v, 15, &mut d);
    for (i, &b) in d.iter().enumerate() {
        match i {
            2 | 5 | 8 | 12 => buf.push(b'.'),
            9 => buf.push(b'-'),
            _ => {}
        }
        buf.push(b);
    }
}

/// What a person's NIP is built to be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum NipKind {
    #[default]
    None,
    /// Valid, the person's birth date and sex.
    Agrees,
    /// Valid, another birth date (the day next to it).
    OtherDate,
    /// Valid, the other sex.
    OtherSex,
    /// Invalid for the reason `tally::NIP_REASONS[reason]`, broken the `sub`-th way.
    Broken { reason: u8, sub: u8 },
}

/// A person's NIP, as drawn once for them.
#[derive(Clone, Copy, Default)]
pub(super) struct Nip {
    pub(super) kind: NipKind,
    /// Appointment `YYYYMM`, 18 to 35 years after birth (never after 2023).
    pub(super) appointed: u32,
    pub(super) serial: u16,
    pub(super) spaced: bool,
}

/// One in five people born in 2000 or before is a civil servant.
pub(super) fn draw_nip(rng: &mut Rng, year: u16) -> Nip {
    if year > 2000 || rng.below(100) >= 20 {
        return Nip::default();
    }
    let kind = match rng.below(100) {
        0..=67 => NipKind::Agrees,
        68..=75 => NipKind::OtherDate,
        76..=83 => NipKind::OtherSex,
        r => NipKind::Broken {
            reason: ((r - 84) / 4) as u8,
            sub: rng.below(4) as u8,
        },
    };
    let y = (u64::from(year) + rng.range(18, 35)).min(2023);
    Nip {
        kind,
        appointed: (y * 100 + rng.range(1, 12)) as u32,
        serial: rng.range(1, 999) as u16,
        spaced: rng.below(100) < 30,
    }
}
