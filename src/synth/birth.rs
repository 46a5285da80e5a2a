//! The TGLLHR column: a birth date in one of eleven written forms (ISO with or without a
//! time, day-first with `-`, `/` or `.`, month words in English or Indonesian, eight bare
//! digits either way round), and decoy dates that match neither reading of the NIK.
//! Imports the generator and its people, calendar, vocabulary, digits and tally.

use crate::calendar::days_in_month;
use crate::synth::dates::Triple;
use crate::synth::digits::push_num;
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;
use crate::synth::vocab::{AUGUST_ID, MONTHS_EN, MONTHS_ID, MON_EN, MON_ID};

impl Gen<'_> {
    pub(super) fn birth_date(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let r = self.rng.mille();
        if (25..50).contains(&r) {
            return;
        }
        let form = self.date_form();
        self.cov.date_forms[form] += 1;
        let own: Triple = (per.day, per.month, per.yy());
        if r >= 50 {
            self.render_date(buf, form, per.day, per.month, per.year);
            rec.birth = Some(readings(buf, form, own));
            return;
        }
        // A different real date, neither of whose readings is the NIK's date.
        self.cov.date_mismatch += 1;
        let start = buf.len();
        loop {
            let (d, m, y) = if self.rng.below(2) == 0 {
                let y = self.rng.range(1940, 2023) as u16;
                (per.day.min(days_in_month(y, per.month)), per.month, y)
            } else {
                let y = self.rng.range(1940, 2023) as u16;
                let m = self.rng.range(1, 12) as u8;
                (self.rng.range(1, days_in_month(y, m) as u64) as u8, m, y)
            };
            buf.truncate(start);
            self.render_date(buf, form, d, m, y);
            let rd = readings(buf, form, (d, m, (y % 100) as u8));
            if !rd.iter().flatten().any(|&x| x == own) {
                rec.birth = Some(rd);
                return;
            }
        }
    }

    /// Which of the forms [`Gen::render_date`] writes.
    fn date_form(&mut self) -> usize {
        match self.rng.below(100) {
            0..=29 => 0,
            30..=39 => 1,
            40..=51 => 2,
            52..=63 => 3,
            64..=68 => 4,
            69..=76 => 5,
            77..=81 => 6,
            82..=86 => 7,
            87..=91 => 8,
            92..=95 => 9,
            _ => 10,
        }
    }

    fn render_date(&mut self, buf: &mut Vec<u8>, form: usize, d: u8, m: u8, y: u16) {
        let (d, m, y) = (d as u64, m as u64, y as u64);
        match form {
            0 | 1 => {
                push_num(buf, y, 4);
                buf.push(b'-');
                push_num(buf, m, 2);
                buf.push(b'-');
                push_num(buf, d, 2);
                if form == 1 {
                    self.time_of_day(buf);
                }
            }
            2..=4 => {
                let sep = [b'-', b'/', b'.'][form - 2];
                push_num(buf, d, 2);
                buf.push(sep);
                push_num(buf, m, 2);
                buf.push(sep);
                push_num(buf, y, 4);
            }
            5 | 6 => {
                push_num(buf, d, 2);
                buf.push(b'-');
                self.month_word(buf, m as usize, true);
                buf.push(b'-');
                if form == 5 {
                    push_num(buf, y % 100, 2);
                } else {
                    push_num(buf, y, 4);
                }
            }
            7 | 8 => {
                push_num(buf, d, if form == 7 { 1 } else { 2 });
                buf.push(b' ');
                self.month_word(buf, m as usize, false);
                buf.push(b' ');
                push_num(buf, y, 4);
            }
            9 => {
                push_num(buf, d, 2);
                push_num(buf, m, 2);
                push_num(buf, y, 4);
            }
            _ => {
                push_num(buf, y, 4);
                push_num(buf, m, 2);
                push_num(buf, d, 2);
            }
        }
    }

    /// ` hh:mm:ss` after an ISO date, mostly midnight as a database export writes it.
    fn time_of_day(&mut self, buf: &mut Vec<u8>) {
        let (hh, mi, ss) = if self.rng.below(100) < 80 {
            (0, 0, 0)
        } else {
            (self.rng.below(24), self.rng.below(60), self.rng.below(60))
        };
        buf.push(b' ');
        push_num(buf, hh, 2);
        buf.push(b':');
        push_num(buf, mi, 2);
        buf.push(b':');
        push_num(buf, ss, 2);
    }

    /// A month name or abbreviation, English or Indonesian, in upper, lower, title or
    /// mixed case. `abbrev_mostly` favours abbreviations (`DD-MON-YY`).
    fn month_word(&mut self, buf: &mut Vec<u8>, m: usize, abbrev_mostly: bool) {
        let set = match (abbrev_mostly, self.rng.below(10)) {
            (true, 0) => 0,
            (true, 1) => 2,
            (true, 2..=5) => 1,
            (true, _) => 3,
            (false, 0..=2) => 0,
            (false, 3..=4) => 1,
            (false, 5..=7) => 2,
            (false, _) => 3,
        };
        self.cov.month_sets[set] += 1;
        let word = match set {
            0 => MONTHS_EN[m - 1],
            1 => MON_EN[m - 1],
            2 => MONTHS_ID[m - 1],
            _ if m == 8 => self.rng.pick(&AUGUST_ID),
            _ => MON_ID[m - 1],
        };
        let start = buf.len();
        buf.extend_from_slice(word.as_bytes());
        match self.rng.below(10) {
            0..=3 => buf[start..].make_ascii_uppercase(),
            4..=5 => buf[start..].make_ascii_lowercase(),
            6..=8 => {}
            _ => {
                let bits = self.rng.next_u64();
                for (i, b) in buf[start..].iter_mut().enumerate() {
                    if bits >> (i % 64) & 1 == 1 {
                        b.make_ascii_uppercase();
                    } else {
                        b.make_ascii_lowercase();
                    }
                }
            }
        }
    }
}

/// The (day, month, yy) readings of a written date: one, or two for 8 digits (DDMMYYYY and
/// YYYYMMDD), whatever the intended form, taken as raw digits.
fn readings(buf: &[u8], form: usize, intended: Triple) -> [Option<Triple>; 2] {
    if form == 9 || form == 10 {
        let s = &buf[buf.len() - 8..];
        let two = |i: usize| (s[i] - b'0') * 10 + (s[i + 1] - b'0');
        [
            Some((two(0), two(2), two(6))),
            Some((two(6), two(4), two(2))),
        ]
    } else {
        [Some(intended), None]
    }
}
