//! The NIP column (SPEC §5): a civil servant's 18 digits `YYYYMMDD YYYYMM G NNN` (birth
//! date, appointment month, sex 1/2, serial), plain or in groups 8-6-1-3 with spaces. Most
//! agree with the person's NIK on birth date and sex, so the record is confirmed by NIP
//! (SPEC §6 rule 4); some are valid but disagree; some break each NIP rule once. Imports the
//! generator and its people, the drawn NIPs (`official.rs`), calendar, digits and tally.

use crate::calendar::days_in_month;
use crate::synth::digits::push_num;
use crate::synth::official::NipKind;
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;

/// The parts of an 18-digit NIP, kept apart so a decoy can bend one.
struct Parts {
    year: u16,
    month: u8,
    day: u8,
    appointed: u32,
    sex: u8,
    serial: u16,
}

impl Parts {
    fn value(&self) -> u64 {
        let birth = u64::from(self.year) * 10_000 + u64::from(self.month) * 100;
        ((birth + u64::from(self.day)) * 1_000_000 + u64::from(self.appointed)) * 10_000
            + u64::from(self.sex) * 1000
            + u64::from(self.serial)
    }
}

/// The NIP of `per`, bent as its kind says.
fn nip_parts(per: &Person) -> Parts {
    let n = per.nip;
    let mut p = Parts {
        year: per.year,
        month: per.month,
        day: per.day,
        appointed: n.appointed,
        sex: if per.female { 2 } else { 1 },
        serial: n.serial,
    };
    match n.kind {
        NipKind::OtherDate if per.day < days_in_month(per.year, per.month) => p.day += 1,
        NipKind::OtherDate => p.day -= 1,
        NipKind::OtherSex => p.sex = 3 - p.sex,
        NipKind::Broken { reason, sub } => broken(&mut p, reason, sub),
        NipKind::None | NipKind::Agrees => {}
    }
    p
}

/// Breaks one rule of `p` (the `reason`-th of `tally::NIP_REASONS`), the rules before it kept.
fn broken(p: &mut Parts, reason: u8, sub: u8) {
    let birth = u32::from(p.year);
    match (reason, sub) {
        // birth_date
        (0, 0) => p.month = 13,
        (0, 1) => p.day = 0,
        (0, 2) => (p.month, p.day) = (4, 31),
        (0, _) => p.year = 1800 + p.year % 100,
        // appointment: month 13 or 00, too young, in the future
        (1, 0) => p.appointed = p.appointed / 100 * 100 + 13,
        (1, 1) => p.appointed = p.appointed / 100 * 100,
        (1, 2) => p.appointed = (birth + 10) * 100 + p.appointed % 100,
        (1, _) => p.appointed = 2091 * 100 + p.appointed % 100,
        // sex
        (2, s) => p.sex = [0, 3, 5, 9][usize::from(s)],
        _ => p.serial = 0,
    }
}

impl Gen<'_> {
    /// NIP field: the person's NIP, plain or spaced, or nothing.
    pub(super) fn nip_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let n = per.nip;
        if n.kind == NipKind::None || sparse {
            return;
        }
        let p = nip_parts(per);
        let v = p.value();
        if n.spaced {
            let mut d = Vec::with_capacity(18);
            push_num(&mut d, v, 18);
            for (i, g) in [&d[..8], &d[8..14], &d[14..15], &d[15..]]
                .iter()
                .enumerate()
            {
                if i > 0 {
                    buf.push(b' ');
                }
                buf.extend_from_slice(g);
            }
        } else {
            push_num(buf, v, 18);
        }
        self.cov.nip_spaced[usize::from(n.spaced)] += 1;
        let verdict = match n.kind {
            NipKind::Broken { reason, sub } => {
                self.cov.nip_broken[usize::from(reason)] += 1;
                self.cov.nip_ways[usize::from(sub)] += 1;
                Err(usize::from(reason))
            }
            k => {
                let i = match k {
                    NipKind::Agrees => 0,
                    NipKind::OtherDate => 1,
                    _ => 2,
                };
                self.cov.nip_valid[i] += 1;
                Ok(((p.day, p.month, (p.year % 100) as u8), p.sex == 2))
            }
        };
        self.t.nip(v, verdict, rec);
    }
}
