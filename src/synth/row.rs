//! The generator: its state (randomness, tables, people, tally, coverage) and one row, field
//! by field. Each field's writer lives in the file of its concern (`nik.rs`, `card.rs`,
//! `phone.rs`, `email.rs`, `birth.rs`, `plain.rs`, `remark.rs`, `npwp.rs`, `nip.rs`) as an `impl Gen` block;
//! they import this file, never the reverse. The order of the calls below is the order of
//! the random draws: changing it changes every sample.

use anyhow::Result;

use crate::rules::Patterns;
use crate::synth::columns::{
    Fields, ALAMAT, EMAIL, FLAG, JENKEL, KDHUBKEL, KDKANTOR, KETERANGAN, NAMA, NIK, NIP, NOHP,
    NOKK, NPWP, TGLLHR,
};
use crate::synth::coverage::Coverage;
use crate::synth::digits::push_num;
use crate::synth::people::People;
use crate::synth::rng::Rng;
use crate::synth::tables::Tables;
use crate::synth::tally::{Rec, Tally};
use crate::synth::vocab::KANTOR;

pub(super) struct Gen<'p> {
    pub(super) rng: Rng,
    pub(super) tb: Tables<'p>,
    people: People,
    pub(super) t: Tally<'p>,
    pub(super) cov: Coverage,
}

impl<'p> Gen<'p> {
    pub(super) fn new(p: &'p Patterns, seed: u64) -> Result<Self> {
        Ok(Gen {
            rng: Rng::new(seed),
            tb: Tables::new(p)?,
            people: People::new(),
            t: Tally::new(p),
            cov: Coverage::default(),
        })
    }

    /// Fills `f` with the next row and counts what it holds.
    pub(super) fn row(&mut self, f: &mut Fields) {
        for v in f.iter_mut() {
            v.clear();
        }
        let mut rec = Rec::default();
        let (per, duplicate) = self.people.next(&mut self.rng, &self.tb);
        if duplicate {
            self.cov.duplicates += 1;
        }
        // A sparse row holds no candidate at all.
        let sparse = self.rng.mille() < 10;
        if sparse {
            self.cov.sparse += 1;
        }

        self.card_fields(&per, sparse, f, &mut rec);
        self.name(&per, &mut f[NAMA]);
        self.sex(&per, &mut f[JENKEL], &mut rec);
        self.birth_date(&per, &mut f[TGLLHR], &mut rec);
        self.phone_field(&per, sparse, &mut f[NOHP], &mut rec);
        let nik = self.nik_field(&per, sparse, &mut f[NIK], &mut rec);
        self.kk_field(&per, sparse, &mut f[NOKK], &mut rec);
        self.npwp_field(&per, sparse, &mut f[NPWP], &mut rec);
        self.email_field(&per, sparse, &mut f[EMAIL], &mut rec);
        push_num(&mut f[KDHUBKEL], per.hub as u64, 1);
        f[KDKANTOR].extend_from_slice(KANTOR[per.fam.kantor as usize].as_bytes());
        f[FLAG].push(if per.hub == 1 { b'0' } else { b'1' });
        self.address(&per, &mut f[ALAMAT]);
        self.remark(&per, sparse, nik, &mut f[KETERANGAN], &mut rec);
        self.nip_field(&per, sparse, &mut f[NIP], &mut rec);
        self.t.record(&rec);
    }
}
