//! The columns that hold no identifier: NAMA, JENKEL (sex, in every form SPEC §5 reads, and
//! sometimes not the NIK's) and ALAMAT (addresses with commas, line breaks and quotes, the
//! hard cases of CSV). Imports the generator and its people, vocabulary, digits and tally.

use crate::synth::digits::push_num;
use crate::synth::people::{Family, Person};
use crate::synth::row::Gen;
use crate::synth::tally::Rec;
use crate::synth::vocab::{CITIES, PLACES, SEX_FEMALE, SEX_MALE, STREETS};

impl Gen<'_> {
    pub(super) fn name(&mut self, per: &Person, buf: &mut Vec<u8>) {
        buf.extend_from_slice(per.first_name().as_bytes());
        if per.has_surname() {
            buf.push(b' ');
            buf.extend_from_slice(per.surname_or("").as_bytes());
        }
        if self.rng.below(100) < 60 {
            buf.make_ascii_uppercase();
        }
    }

    pub(super) fn sex(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let r = self.rng.mille();
        if (25..45).contains(&r) {
            return;
        }
        let female = if r < 25 {
            self.cov.sex_mismatch += 1;
            !per.female
        } else {
            per.female
        };
        let i = self.rng.below(5) as usize;
        let word = if female { SEX_FEMALE[i] } else { SEX_MALE[i] };
        self.cov.sex_values[i + if female { 5 } else { 0 }] += 1;
        let start = buf.len();
        buf.extend_from_slice(word.as_bytes());
        match self.rng.below(4) {
            0 => buf[start..].make_ascii_uppercase(),
            1 => buf[start..].make_ascii_lowercase(),
            _ => {}
        }
        rec.sex = Some(female);
    }

    /// ALAMAT: one of four shapes (upper-case short, long with commas, long across two
    /// lines, a housing estate in quotes).
    pub(super) fn address(&mut self, per: &Person, buf: &mut Vec<u8>) {
        let fam = &per.fam;
        let kind = match self.rng.mille() {
            0..=9 => 2,
            10..=29 => 3,
            30..=379 => 0,
            _ => 1,
        };
        self.cov.addresses[kind] += 1;
        if kind == 3 {
            buf.extend_from_slice(b"Perum \"Griya ");
            buf.extend_from_slice(PLACES[fam.kel as usize].as_bytes());
            buf.extend_from_slice(b"\" Blok C No. ");
            push_num(buf, fam.house as u64, 0);
            buf.extend_from_slice(b", ");
            buf.extend_from_slice(CITIES[fam.city as usize].as_bytes());
            return;
        }
        buf.extend_from_slice(b"Jl. ");
        buf.extend_from_slice(STREETS[fam.street as usize].as_bytes());
        buf.extend_from_slice(b" No. ");
        push_num(buf, fam.house as u64, 0);
        if kind == 0 {
            buf.extend_from_slice(b" RT ");
            push_num(buf, fam.rt as u64, 3);
            buf.extend_from_slice(b" RW ");
            push_num(buf, fam.rw as u64, 3);
            buf.push(b' ');
            buf.extend_from_slice(PLACES[fam.kel as usize].as_bytes());
            buf.make_ascii_uppercase();
        } else {
            buf.extend_from_slice(if kind == 2 { b"\n" } else { b", " });
            self.long_address(fam, buf);
        }
    }

    /// `RT 001/RW 002, Kel. …, Kec. …, City` and sometimes a postal code.
    fn long_address(&mut self, fam: &Family, buf: &mut Vec<u8>) {
        buf.extend_from_slice(b"RT ");
        push_num(buf, fam.rt as u64, 3);
        buf.extend_from_slice(b"/RW ");
        push_num(buf, fam.rw as u64, 3);
        buf.extend_from_slice(b", Kel. ");
        buf.extend_from_slice(PLACES[fam.kel as usize].as_bytes());
        buf.extend_from_slice(b", Kec. ");
        buf.extend_from_slice(PLACES[fam.kec as usize].as_bytes());
        buf.extend_from_slice(b", ");
        buf.extend_from_slice(CITIES[fam.city as usize].as_bytes());
        if self.rng.below(2) == 0 {
            buf.push(b' ');
            push_num(buf, fam.postal as u64, 5);
        }
    }
}
