//! The KETERANGAN column: usually empty or a plain remark, sometimes an identifier behind
//! its keyword (`No KK: …`, `NIK …`, `HP: …`, `email: …`, `NPWP 07.914.088.5-199.000`) or
//! a NIK with dashes and no keyword, which the scanner must find in free text; and decimal
//! numbers whose fractions hold a phone's or a NIK's digits (`265.0851963938609`), which are
//! no identifier at all (SPEC §5 boundaries). Imports the generator and its people,
//! vocabulary, digits, the e-mail and NPWP writers and the tally.

use crate::synth::digits::{digits16, digits_n, push_num, push_sixteen};
use crate::synth::email::email_address;
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;
use crate::synth::vocab::REMARKS;

impl Gen<'_> {
    /// KETERANGAN: usually empty or a remark; sometimes an identifier behind its keyword.
    /// `nik` is the row's valid NIK, if it has one: only that one is repeated here.
    pub(super) fn remark(
        &mut self,
        per: &Person,
        sparse: bool,
        nik: Option<u64>,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let mut kind = match self.rng.mille() {
            0..=24 => 2,
            25..=49 => 3,
            50..=69 => 4,
            70..=84 => 5,
            85..=99 => 6,
            100..=299 => 1,
            300..=329 => 7,
            330..=349 => 8,
            350..=369 => 9,
            _ => 0,
        };
        if sparse && kind > 1 && kind != 7 {
            kind = 1;
        }
        if matches!(kind, 4 | 8) && nik.is_none() {
            kind = 1;
        }
        self.cov.remarks[kind] += 1;
        match kind {
            0 => {}
            1 => buf.extend_from_slice(self.rng.pick(REMARKS).as_bytes()),
            2 => self.remark_kk(per, buf, rec),
            3 => self.remark_card(per, buf, rec),
            4 => self.remark_nik(per, nik.expect("checked above"), buf, rec),
            5 => self.remark_phone(per, buf, rec),
            7 => self.remark_decimal(per, buf),
            8 => self.remark_dashed_nik(per, nik.expect("checked above"), buf, rec),
            9 => self.remark_npwp(buf, rec),
            _ => {
                buf.extend_from_slice(b"email: ");
                let start = buf.len();
                email_address(buf, per);
                self.count_email(per, &buf[start..], rec);
            }
        }
    }

    fn remark_kk(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let value = per.fam.kk().value();
        let d = digits16(value);
        match self.rng.below(4) {
            0 => {
                buf.extend_from_slice(b"KK ");
                buf.extend_from_slice(&d);
            }
            1 => {
                buf.extend_from_slice(b"No KK: ");
                buf.extend_from_slice(&d);
            }
            2 => {
                buf.extend_from_slice(b"kartu keluarga ");
                push_sixteen(buf, &d, 2);
            }
            _ => {
                buf.extend_from_slice(b"No. KK ");
                push_sixteen(buf, &d, 2);
            }
        }
        self.t.kk(value, None, rec);
    }

    fn remark_card(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let kw = self.rng.pick(&[
            &b"No kartu BPJS: "[..],
            b"KIS ",
            b"noka: ",
            b"BPJS ",
            b"Kartu ",
        ]);
        buf.extend_from_slice(kw);
        push_num(buf, per.card, 13);
        self.t.card(per.card, false, rec);
    }

    fn remark_nik(&mut self, per: &Person, value: u64, buf: &mut Vec<u8>, rec: &mut Rec) {
        let d = digits16(value);
        match self.rng.below(3) {
            0 => {
                buf.extend_from_slice(b"NIK: ");
                push_sixteen(buf, &d, 2);
            }
            1 => {
                buf.extend_from_slice(b"NIK ");
                buf.extend_from_slice(&d);
            }
            _ => {
                buf.extend_from_slice(b"No KTP: ");
                buf.extend_from_slice(&d);
            }
        }
        self.t.nik(value, Ok(()), per, rec);
    }

    /// A measurement whose fraction holds the person's phone (after `0` or `62`) or NIK:
    /// no candidate of any kind, since none starts right after a `.` between digits.
    fn remark_decimal(&mut self, per: &Person, buf: &mut Vec<u8>) {
        let words = [
            &b"Hasil lab: "[..],
            b"Kadar ",
            b"Gula darah ",
            b"Kolesterol: ",
        ];
        buf.extend_from_slice(self.rng.pick(&words));
        push_num(buf, self.rng.below(1000), 1);
        buf.push(b'.');
        let sub = self.rng.below(3) as usize;
        self.cov.decimals[sub] += 1;
        match sub {
            2 => buf.extend_from_slice(&digits16(per.nik().value())),
            _ => {
                buf.extend_from_slice([&b"0"[..], b"62"][sub]);
                let mut nat = [0u8; 14];
                let len = per.phone_len as usize;
                buf.extend_from_slice(digits_n(per.phone, len, &mut nat));
            }
        }
    }

    /// The row's NIK in four groups of four joined by `-`, with no keyword: a NIK
    /// (`3204-0815-0690-0001`), no phone inside it.
    fn remark_dashed_nik(&mut self, per: &Person, value: u64, buf: &mut Vec<u8>, rec: &mut Rec) {
        buf.extend_from_slice(self.rng.pick(&[&b"Dicek "[..], b"Sesuai data ", b"ref "]));
        push_sixteen(buf, &digits16(value), 4);
        self.t.nik(value, Ok(()), per, rec);
    }

    fn remark_phone(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        buf.extend_from_slice(self.rng.pick(&[&b"Hubungi "[..], b"HP: ", b"telp. "]));
        let len = per.phone_len as usize;
        let mut nat = [0u8; 14];
        digits_n(per.phone, len, &mut nat);
        self.render_phone(buf, &nat[..len], true);
        self.t.phone(&nat[..len], true, rec);
    }
}
