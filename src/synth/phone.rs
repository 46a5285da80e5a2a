//! The NOHP column and phones in remarks: national digits written with prefix `0`, `62` or
//! `+62`, separators and `(0)`, and decoys (prefixes no mobile has, wrong lengths, numbers
//! too short to be a candidate). Imports the generator and its people, digits and tally.

use crate::synth::digits::digits_n;
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;

impl Gen<'_> {
    pub(super) fn phone_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let r = self.rng.mille();
        let mut nat = [0u8; 14];
        if sparse || (50..80).contains(&r) {
            if sparse && r < 500 {
                return;
            }
            // Too short to be a candidate: 8 and 5 or 6 more digits.
            self.cov.phone_short += 1;
            let len = self.rng.range(6, 7) as usize;
            digits_n(per.phone, per.phone_len as usize, &mut nat);
            self.render_phone(buf, &nat[..len], true);
            return;
        }
        if (80..150).contains(&r) {
            return;
        }
        if r < 50 {
            self.bad_phone(per, buf, rec);
            return;
        }
        let len = per.phone_len as usize;
        digits_n(per.phone, len, &mut nat);
        self.render_phone(buf, &nat[..len], true);
        self.t.phone(&nat[..len], true, rec);
    }

    /// A candidate that is no mobile number: a non-mobile `08…` prefix, or a length no
    /// mobile has.
    fn bad_phone(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let mut nat = [0u8; 14];
        let sub = self.rng.below(7) as usize;
        self.cov.phone_bad[sub] += 1;
        let mut own = [0u8; 14];
        digits_n(per.phone, per.phone_len as usize, &mut own);
        let len = match sub {
            0..=3 => 10,
            4 => 13,
            5 => 14,
            _ => 8,
        };
        match sub {
            0 => nat[..3].copy_from_slice(b"800"),
            1 => nat[..3].copy_from_slice(b"804"),
            2 => nat[..3].copy_from_slice(b"809"),
            3 => {
                nat[..2].copy_from_slice(b"84");
                nat[2] = b'0' + self.rng.below(10) as u8;
            }
            _ => nat[..3].copy_from_slice(&own[..3]),
        }
        for d in nat.iter_mut().take(len).skip(3) {
            *d = b'0' + self.rng.below(10) as u8;
        }
        // A 13- or 14-digit national number only after `0`: `62` + 14 digits would be
        // a 16-digit run, a NIK.
        self.render_phone(buf, &nat[..len], sub < 4 || sub == 6);
        self.t.phone(&nat[..len], false, rec);
    }

    /// Writes a phone: prefix `0`, `62` or `+62`, then the national digits in groups of
    /// 3, 4 and the rest, with one kind of separator (or none) and maybe `(0)`.
    pub(super) fn render_phone(&mut self, buf: &mut Vec<u8>, nat: &[u8], allow_62: bool) {
        let prefix = if allow_62 {
            match self.rng.below(100) {
                0..=54 => 0,
                55..=69 => 1,
                _ => 2,
            }
        } else {
            0
        };
        self.cov.phone_prefixes[prefix] += 1;
        buf.extend_from_slice([&b"0"[..], b"62", b"+62"][prefix]);
        let sep = self.phone_separator();
        if prefix > 0 && self.rng.below(100) < 15 {
            self.cov.phone_seps[4] += 1;
            buf.extend_from_slice(self.rng.pick(&[&b"(0)"[..], b" (0)", b"(0) ", b" (0) "]));
        } else if sep != 0 && self.rng.below(100) < if prefix == 0 { 5 } else { 50 } {
            self.cov.phone_seps[5] += 1;
            buf.push(if self.rng.below(2) == 0 { b' ' } else { sep });
        }
        let (a, rest) = nat.split_at(3.min(nat.len()));
        buf.extend_from_slice(a);
        let (b, c) = rest.split_at(4.min(rest.len()));
        for g in [b, c] {
            if !g.is_empty() {
                if sep != 0 {
                    buf.push(sep);
                }
                buf.extend_from_slice(g);
            }
        }
    }

    /// The separator between digit groups, 0 for none.
    fn phone_separator(&mut self) -> u8 {
        let sep = match self.rng.below(100) {
            0..=44 => 0u8,
            45..=69 => b' ',
            70..=89 => b'-',
            _ => b'.',
        };
        self.cov.phone_seps[match sep {
            0 => 0,
            b' ' => 1,
            b'-' => 2,
            _ => 3,
        }] += 1;
        sep
    }
}
