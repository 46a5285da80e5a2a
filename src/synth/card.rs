//! The BPJS card columns PSNOKA and NOKA: 13-digit cards, cards that lost their leading
//! zeros in a spreadsheet (restored by the scanner), and the all-zero decoy. Imports the
//! generator and its columns, people, digits and tally.

use crate::synth::columns::{Fields, NOKA, PSNOKA};
use crate::synth::digits::push_num;
use crate::synth::people::{card_number, Person};
use crate::synth::row::Gen;
use crate::synth::tally::Rec;

impl Gen<'_> {
    pub(super) fn card_fields(
        &mut self,
        per: &Person,
        sparse: bool,
        f: &mut Fields,
        rec: &mut Rec,
    ) {
        // PSNOKA: the participant's card.
        let r = self.rng.mille();
        if !sparse && !(20..100).contains(&r) {
            if r < 20 {
                self.zeros_card(&mut f[PSNOKA], rec);
            } else {
                let short = r < 220;
                self.card_value(per.card, short, &mut f[PSNOKA], rec);
            }
        }
        // NOKA: mostly the same card again, sometimes another one.
        let r = self.rng.mille();
        let short = self.rng.below(100) < 15;
        if sparse || (10..380).contains(&r) {
            return;
        }
        if r < 10 {
            self.zeros_card(&mut f[NOKA], rec);
        } else if r < 480 {
            let other = card_number(&mut self.rng);
            self.card_value(other, short, &mut f[NOKA], rec);
        } else {
            self.card_value(per.card, short, &mut f[NOKA], rec);
        }
    }

    fn zeros_card(&mut self, buf: &mut Vec<u8>, rec: &mut Rec) {
        self.cov.card_zeros += 1;
        buf.extend_from_slice(b"0000000000000");
        self.t.zeros_card(rec);
    }

    /// A card in a card field: 13 digits, or without its leading zeros when `short`.
    fn card_value(&mut self, card: u64, short: bool, buf: &mut Vec<u8>, rec: &mut Rec) {
        let restored = short && card < 1_000_000_000_000;
        if restored {
            push_num(buf, card, 0);
            self.cov.card_restored[buf.len() - 10] += 1;
        } else {
            push_num(buf, card, 13);
        }
        self.t.card(card, restored, rec);
    }
}
