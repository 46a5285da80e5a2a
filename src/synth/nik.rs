//! The NIK and NOKK columns: 16-digit identifiers in every written form SPEC §5 accepts, and
//! decoys that break each rule of SPEC §6 once (region codes that do not exist, impossible
//! dates, serial 0000), spreadsheet-damaged NIKs and empty fields. Imports the generator
//! and its people, digits and tally.

use crate::calendar::is_leap;
use crate::synth::digits::{digits16, push_num, push_sixteen, Parts};
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;

impl Gen<'_> {
    /// NIK field. Returns the NIK when the field holds a valid one.
    pub(super) fn nik_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) -> Option<u64> {
        let mut n = per.nik();
        let r = self.rng.mille();
        let valid_digits = digits16(n.value());
        let decoy = match r {
            _ if sparse => {
                if r < 500 {
                    self.damaged(&valid_digits, buf);
                } else {
                    self.cov.nik_decoys[12] += 1;
                }
                return None;
            }
            50..=64 => {
                self.damaged(&valid_digits, buf);
                return None;
            }
            65..=74 => {
                self.cov.nik_decoys[12] += 1;
                return None;
            }
            _ => self.break_nik(r, per.female, &mut n),
        };
        let value = n.value();
        let form = self.nik_form();
        push_sixteen(buf, &digits16(value), form);
        self.cov.nik_forms[form] += 1;
        match decoy {
            Some(k) => {
                self.cov.nik_decoys[k] += 1;
                let reason = match k {
                    0..=2 => k,
                    3..=9 => 3,
                    _ => 4,
                };
                self.t.nik(value, Err(reason), per, rec);
                None
            }
            None => {
                self.t.nik(value, Ok(()), per, rec);
                Some(value)
            }
        }
    }

    /// Bends `n` into a decoy for draws below 50 (of 1000): which one (province, regency,
    /// district, seven kinds of date, serial), or `None` for a valid NIK.
    fn break_nik(&mut self, r: u64, female: bool, n: &mut Parts) -> Option<usize> {
        match r {
            0..=4 if !self.tb.bad_provinces.is_empty() => {
                n.district = self.rng.pick(&self.tb.bad_provinces) * 10_000 + n.district % 10_000;
                Some(0)
            }
            5..=9 if !self.tb.bad_regencies.is_empty() => {
                n.district = self.rng.pick(&self.tb.bad_regencies) * 100 + n.district % 100;
                Some(1)
            }
            10..=14 if !self.tb.bad_districts.is_empty() => {
                n.district = self.rng.pick(&self.tb.bad_districts);
                Some(2)
            }
            15..=44 => Some(3 + self.break_nik_date(female, n)),
            45..=49 => {
                n.serial = 0;
                Some(10)
            }
            _ => None,
        }
    }

    /// One of seven impossible birth dates; returns which.
    fn break_nik_date(&mut self, female: bool, n: &mut Parts) -> usize {
        let plus = if female { 40 } else { 0 };
        let sub = self.rng.below(7) as usize;
        match sub {
            0 => {
                n.mm = self.rng.pick(&[4, 6, 9, 11]);
                n.dd = 31 + plus;
            }
            1 => {
                n.mm = 2;
                n.dd = 29 + plus;
                if is_leap(n.yy as u16) {
                    n.yy = (n.yy + self.rng.range(1, 3) as u32) % 100;
                }
            }
            2 => n.dd = self.rng.range(32, 40) as u32,
            3 => n.dd = self.rng.range(72, 99) as u32,
            4 => {
                n.mm = if self.rng.below(8) == 0 {
                    0
                } else {
                    self.rng.range(13, 19) as u32
                }
            }
            5 => n.dd = 0,
            _ => {
                n.mm = 2;
                n.dd = 30 + plus;
            }
        }
        sub
    }

    /// Which of the written forms of [`push_sixteen`]: plain digits half the time.
    fn nik_form(&mut self) -> usize {
        match self.rng.below(100) {
            0..=49 => 0,
            50..=59 => 1,
            60..=69 => 2,
            70..=74 => 3,
            75..=79 => 4,
            80..=84 => 5,
            85..=89 => 6,
            90..=94 => 7,
            _ => 8,
        }
    }

    /// `3.17101E+15`: what a spreadsheet leaves of a 16-digit number. At most 7 digits, so
    /// it is no phone either.
    fn damaged(&mut self, d: &[u8; 16], buf: &mut Vec<u8>) {
        self.cov.nik_decoys[11] += 1;
        self.t.damaged_nik();
        buf.push(d[0]);
        let k = self.rng.pick(&[0usize, 4, 5, 5, 5, 5, 6]);
        if k > 0 {
            buf.push(if self.rng.below(5) == 0 { b',' } else { b'.' });
            buf.extend_from_slice(&d[1..1 + k]);
        }
        buf.extend_from_slice(
            self.rng
                .pick(&[&b"E+15"[..], b"E+15", b"E+15", b"e+15", b"E15"]),
        );
    }

    /// NOKK field: the family's KK, a decoy, or nothing.
    pub(super) fn kk_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let r = self.rng.mille();
        if sparse || (60..120).contains(&r) {
            return;
        }
        let mut n = per.fam.kk();
        if r >= 120 {
            let value = n.value();
            push_num(buf, value, 16);
            self.t.kk(value, None, rec);
            return;
        }
        let kind = self.break_kk(&mut n);
        let value = n.value();
        push_num(buf, value, 16);
        self.t.kk(value, Some(kind), rec);
    }

    /// Bends `n` into a KK decoy; returns the reason it breaks.
    fn break_kk(&mut self, n: &mut Parts) -> usize {
        // Half the decoys break the date, which has five ways to fail.
        let mut kind = self.rng.pick(&[0, 1, 2, 3, 3, 3, 3, 4]);
        match kind {
            0 if !self.tb.bad_provinces.is_empty() => {
                n.district = self.rng.pick(&self.tb.bad_provinces) * 10_000 + n.district % 10_000
            }
            1 if !self.tb.bad_regencies.is_empty() => {
                n.district = self.rng.pick(&self.tb.bad_regencies) * 100 + n.district % 100
            }
            2 if !self.tb.bad_districts.is_empty() => {
                n.district = self.rng.pick(&self.tb.bad_districts)
            }
            0..=2 => kind = 4,
            _ => {}
        }
        let cov = match kind {
            0..=2 => kind,
            3 => 3 + self.break_kk_date(n),
            _ => {
                n.serial = 0;
                8
            }
        };
        self.cov.kk_decoys[cov] += 1;
        kind
    }

    /// One of five impossible KK dates; returns which.
    fn break_kk_date(&mut self, n: &mut Parts) -> usize {
        let sub = self.rng.below(5) as usize;
        match sub {
            // A NIK-style woman's day: no +40 on a KK.
            0 => n.dd += 40,
            1 => n.dd = self.rng.range(32, 40) as u32,
            2 => {
                n.mm = self.rng.pick(&[4, 6, 9, 11]);
                n.dd = 31;
            }
            3 => {
                n.mm = 2;
                n.dd = 29;
                if is_leap(n.yy as u16) {
                    n.yy = (n.yy + self.rng.range(1, 3) as u32) % 100;
                }
            }
            _ => n.mm = self.rng.range(13, 19) as u32,
        }
        sub
    }
}
