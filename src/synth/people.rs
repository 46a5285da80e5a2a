//! The people behind the rows: families (a KK, an address, a surname) and their members
//! (birth date, sex, serial, card, phone, e-mail, NPWP, NIP), and a ring of recent people that
//! duplicate rows repeat. Every draw comes from the one [`Rng`] in a fixed order: moving a
//! draw changes every byte after it. Imports the synth vocabulary, tables, calendar,
//! digits, randomness and the NPWP and NIP draws (`official.rs`).

use crate::calendar::days_in_month;
use crate::synth::digits::Parts;
use crate::synth::official::{draw_nip, draw_npwp, Nip, Npwp};
use crate::synth::rng::Rng;
use crate::synth::tables::Tables;
use crate::synth::vocab::{
    CITIES, FEMALE_NAMES, KANTOR, MALE_NAMES, MOBILE_PREFIXES, NO_SURNAME, OTHER_PREFIXES, PLACES,
    SAFE_DIGITS, STREETS, SURNAMES,
};

#[derive(Clone, Copy, Default)]
pub(super) struct Family {
    pub(super) district: u32,
    pub(super) kk_day: u8,
    pub(super) kk_month: u8,
    pub(super) kk_yy: u8,
    pub(super) kk_serial: u16,
    pub(super) surname: u16,
    pub(super) street: u8,
    pub(super) house: u8,
    pub(super) rt: u8,
    pub(super) rw: u8,
    pub(super) kel: u8,
    pub(super) kec: u8,
    pub(super) city: u8,
    pub(super) postal: u32,
    pub(super) kantor: u8,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Person {
    pub(super) fam: Family,
    /// KDHUBKEL: 1 head, 2 spouse, 3 child.
    pub(super) hub: u8,
    pub(super) first: u8,
    pub(super) female: bool,
    pub(super) day: u8,
    pub(super) month: u8,
    pub(super) year: u16,
    pub(super) serial: u16,
    /// Card number; below 10^12 it may be written without its leading zeros.
    pub(super) card: u64,
    /// National phone digits (`8…`) as a number, and how many there are.
    pub(super) phone: u64,
    pub(super) phone_len: u8,
    pub(super) mail_style: u8,
    pub(super) mail_num: u16,
    pub(super) mail_domain: u8,
    pub(super) npwp: Npwp,
    pub(super) nip: Nip,
}

impl Family {
    /// The family's KK, the same for every member.
    pub(super) fn kk(&self) -> Parts {
        Parts {
            district: self.district,
            dd: self.kk_day as u32,
            mm: self.kk_month as u32,
            yy: self.kk_yy as u32,
            serial: self.kk_serial as u32,
        }
    }
}

impl Person {
    pub(super) fn yy(&self) -> u8 {
        (self.year % 100) as u8
    }

    /// The person's NIK: a woman's birth day has 40 added.
    pub(super) fn nik(&self) -> Parts {
        let plus = if self.female { 40 } else { 0 };
        Parts {
            district: self.fam.district,
            dd: self.day as u32 + plus,
            mm: self.month as u32,
            yy: self.yy() as u32,
            serial: self.serial as u32,
        }
    }

    pub(super) fn first_name(&self) -> &'static str {
        if self.female {
            FEMALE_NAMES[self.first as usize % FEMALE_NAMES.len()]
        } else {
            MALE_NAMES[self.first as usize % MALE_NAMES.len()]
        }
    }

    pub(super) fn has_surname(&self) -> bool {
        self.fam.surname != NO_SURNAME
    }

    pub(super) fn surname_or(&self, default: &'static str) -> &'static str {
        if self.has_surname() {
            SURNAMES[self.fam.surname as usize]
        } else {
            default
        }
    }
}

/// How many recent people a duplicate row may repeat.
const RING: usize = 1024;

/// The family being filled and the people seen lately.
pub(super) struct People {
    /// Recent people, for duplicate rows.
    ring: Vec<Person>,
    ring_next: usize,
    fam: Family,
    fam_members: u8,
    head_female: bool,
    head_year: u16,
}

impl People {
    pub(super) fn new() -> Self {
        People {
            ring: Vec::with_capacity(RING),
            ring_next: 0,
            fam: Family::default(),
            fam_members: 0,
            head_female: false,
            head_year: 1970,
        }
    }

    /// The next row's person, and whether it is a duplicate: one row in twenty repeats a
    /// recent person.
    pub(super) fn next(&mut self, rng: &mut Rng, tb: &Tables) -> (Person, bool) {
        if !self.ring.is_empty() && rng.mille() < 50 {
            return (self.ring[rng.below(self.ring.len() as u64) as usize], true);
        }
        let p = self.new_person(rng, tb);
        if self.ring.len() < RING {
            self.ring.push(p);
        } else {
            self.ring[self.ring_next] = p;
            self.ring_next = (self.ring_next + 1) % RING;
        }
        (p, false)
    }

    /// A member of the current family (up to six), or the head of a new one.
    fn new_person(&mut self, rng: &mut Rng, tb: &Tables) -> Person {
        let join = self.fam_members > 0 && self.fam_members < 6 && rng.below(100) < 30;
        if !join {
            self.fam = new_family(rng, tb);
            self.fam_members = 0;
        }
        let hub = match self.fam_members {
            0 => 1,
            1 => 2,
            _ => 3,
        };
        self.fam_members += 1;
        let (female, year) = self.sex_and_year(rng, hub);
        let month = rng.range(1, 12) as u8;
        let day = rng.range(1, days_in_month(year, month) as u64) as u8;
        let names = if female { FEMALE_NAMES } else { MALE_NAMES };
        let first = rng.below(names.len() as u64) as u8;
        let serial = serial(rng);
        let card = card_number(rng);
        let (phone, phone_len) = phone_number(rng);
        let (mail_domain, mail_style, mail_num) = mail(rng, tb, year);
        let npwp = draw_npwp(rng, hub);
        let nip = draw_nip(rng, year);
        Person {
            fam: self.fam,
            hub,
            first,
            female,
            day,
            month,
            year,
            serial,
            card,
            phone,
            phone_len,
            mail_style,
            mail_num,
            mail_domain,
            npwp,
            nip,
        }
    }

    /// A spouse has the other sex than the head; a child is born 18 to 45 years after the head.
    fn sex_and_year(&mut self, rng: &mut Rng, hub: u8) -> (bool, u16) {
        let female = match hub {
            1 => rng.below(100) < 15,
            2 => !self.head_female,
            _ => rng.below(2) == 0,
        };
        let year = match hub {
            1 | 2 => rng.range(1940, 1995) as u16,
            _ => {
                let lo = (self.head_year + 18).min(2023);
                let hi = (self.head_year + 45).min(2023);
                rng.range(lo as u64, hi as u64) as u16
            }
        };
        if hub == 1 {
            self.head_female = female;
            self.head_year = year;
        }
        (female, year)
    }
}

fn new_family(rng: &mut Rng, tb: &Tables) -> Family {
    let district = if !tb.old_papua.is_empty() && rng.mille() < 30 {
        rng.pick(&tb.old_papua)
    } else {
        rng.pick(&tb.districts)
    };
    let year = rng.range(2000, 2023) as u16;
    let month = rng.range(1, 12) as u8;
    let day = rng.range(1, days_in_month(year, month) as u64) as u8;
    let kk_serial = serial(rng);
    let surname = if rng.below(100) < 15 {
        NO_SURNAME
    } else {
        rng.below(SURNAMES.len() as u64) as u16
    };
    Family {
        district,
        kk_day: day,
        kk_month: month,
        kk_yy: (year % 100) as u8,
        kk_serial,
        surname,
        street: rng.below(STREETS.len() as u64) as u8,
        house: rng.range(1, 250) as u8,
        rt: rng.range(1, 20) as u8,
        rw: rng.range(1, 15) as u8,
        kel: rng.below(PLACES.len() as u64) as u8,
        kec: rng.below(PLACES.len() as u64) as u8,
        city: rng.below(CITIES.len() as u64) as u8,
        postal: rng.range(10_000, 99_999) as u32,
        kantor: rng.below(KANTOR.len() as u64) as u8,
    }
}

/// The last four digits of a NIK or KK: mostly small, as in real registers.
fn serial(rng: &mut Rng) -> u16 {
    if rng.below(4) == 0 {
        rng.range(1, 9999) as u16
    } else {
        rng.range(1, 400) as u16
    }
}

/// A BPJS card number of 10 to 13 digits (the rest of 13 are leading zeros).
pub(super) fn card_number(rng: &mut Rng) -> u64 {
    let r = rng.below(100);
    let len = match r {
        0..=69 => 10,
        70..=81 => 11,
        82..=89 => 12,
        _ => 13,
    };
    let first = rng.pick(&SAFE_DIGITS) as u64;
    let rest = 10u64.pow(len - 1);
    first * rest + rng.below(rest)
}

/// National phone digits after an operator's or an unowned valid prefix, and their count.
fn phone_number(rng: &mut Rng) -> (u64, u8) {
    let prefix = if rng.below(100) < 6 {
        rng.pick(OTHER_PREFIXES)
    } else {
        rng.pick(MOBILE_PREFIXES)
    };
    let phone_len = match rng.below(100) {
        0..=2 => 9,
        3..=22 => 10,
        23..=67 => 11,
        _ => 12,
    };
    let rest = 10u64.pow(phone_len - 3);
    (prefix as u64 * rest + rng.below(rest), phone_len as u8)
}

/// The e-mail's domain (by weight), local-part style and number.
fn mail(rng: &mut Rng, tb: &Tables, year: u16) -> (u8, u8, u16) {
    let r = rng.below(*tb.domain_cum.last().unwrap() as u64) as u32;
    let domain = tb.domain_cum.iter().position(|&c| r < c).unwrap() as u8;
    let style = rng.below(6) as u8;
    let num = if rng.below(2) == 0 {
        year % 100
    } else {
        rng.range(1, 9999) as u16
    };
    (domain, style, num)
}
