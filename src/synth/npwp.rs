//! The NPWP column and NPWPs in remarks (SPEC §5): the dotted 15-digit form
//! `XX.XXX.XXX.X-XXX.XXX`, the plain 15 digits, the 16-digit `0…` form and the 16-digit
//! NIK form of 2024, with decoys (a wrong check digit, a NIK-form NPWP with serial 0000).
//! A fifth of the numbers hold `08` where a phone could start (`07.914.088.5-199.000`): a
//! scanner that reads pieces of an NPWP as a phone gets them wrong. Imports the generator
//! and its people, digits, the drawn NPWPs (`official.rs`) and the tally.

use crate::synth::digits::push_num;
use crate::synth::official::{npwp_number, push_dotted};
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;

impl Gen<'_> {
    /// NPWP field: the person's NPWP in its form, or nothing.
    pub(super) fn npwp_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let n = per.npwp;
        if n.value == 0 || sparse {
            return;
        }
        self.cov.npwp_forms[n.form as usize] += 1;
        match n.form {
            0 => push_dotted(buf, n.value),
            1 => push_num(buf, n.value, 15),
            2 => push_num(buf, n.value, 16),
            _ => {
                let mut nik = per.nik();
                if n.bad {
                    nik.serial = 0;
                }
                push_num(buf, nik.value(), 16);
                self.t.npwp_nik(nik.value(), n.bad, rec);
                return;
            }
        }
        self.t.npwp(n.value, !n.bad, rec);
    }

    /// An old-form NPWP in free text: someone's (not the row's), dotted, behind a word.
    pub(super) fn remark_npwp(&mut self, buf: &mut Vec<u8>, rec: &mut Rec) {
        let bad = self.rng.below(100) < 10;
        let v = npwp_number(&mut self.rng, bad);
        let words = [&b"NPWP "[..], b"NPWP: ", b"npwp usaha ", b"Pemotong pajak "];
        buf.extend_from_slice(self.rng.pick(&words));
        push_dotted(buf, v);
        self.t.npwp(v, !bad, rec);
    }
}
