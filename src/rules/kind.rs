//! The identifier kinds of SPEC §5 and the reasons a candidate of each kind is invalid: the
//! vocabulary that detection, validation, the counters and the reports share. Imports nothing.

use std::fmt;

/// An identifier kind, in the order the summaries list them (SPEC §7): the five of SPEC v1,
/// then NPWP and NIP. The order in which overlapping spans are decided (SPEC §5: NIP, NIK or
/// KK, NPWP, card, phone, e-mail) is the detector's (`analyze::detect`), not this one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Nik,
    Kk,
    BpjsCard,
    Phone,
    Email,
    Npwp,
    Nip,
}

impl Kind {
    /// How many kinds there are: the length of every per-kind array.
    pub const COUNT: usize = 7;

    pub const ALL: [Kind; Kind::COUNT] = [
        Kind::Nik,
        Kind::Kk,
        Kind::BpjsCard,
        Kind::Phone,
        Kind::Email,
        Kind::Npwp,
        Kind::Nip,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Nik => "nik",
            Kind::Kk => "kk",
            Kind::BpjsCard => "bpjs_card",
            Kind::Phone => "phone",
            Kind::Email => "email",
            Kind::Npwp => "npwp",
            Kind::Nip => "nip",
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The first SPEC §5 rule a candidate fails. [`Display`](fmt::Display) writes the name the
/// summaries use (`identifiers.<kind>.invalid.<name>`, `triage explain`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InvalidReason {
    /// NIK or KK: the province code (digits 1–2) is in no edition of the region table.
    Province,
    /// NIK or KK: the regency code (digits 1–4) is in no edition.
    Regency,
    /// NIK or KK: the district code (digits 1–6) is in no edition.
    District,
    /// NIK: digits 7–12 are no birth date, with or without the 40 added for women.
    BirthDate,
    /// KK: digits 7–12 are no issue date (no 40 added); written `date`.
    IssueDate,
    /// NIK or KK: the serial (digits 13–16) is `0000`.
    Serial,
    /// BPJS card: all thirteen digits are zero.
    Zeros,
    /// Phone: the national number is no Indonesian mobile number (`patterns/identifiers.toml`).
    NotMobile,
    /// E-mail: the address breaks SPEC §5's syntax.
    Syntax,
    /// NPWP of 15 digits, or of 16 starting with `0`: the Luhn check digit fails.
    CheckDigit,
    /// NIP: digits 1–8 are no real date `YYYYMMDD` of 1900 or later; written `birth_date`.
    /// Not the NIK's [`InvalidReason::BirthDate`]: the rule differs and so does its slot.
    NipBirthDate,
    /// NIP: digits 9–14 are no month `YYYYMM` at least 15 years after the birth year and
    /// not after the scan date.
    Appointment,
    /// NIP: digit 15 is neither `1` (male) nor `2` (female).
    Sex,
    /// NIP: the serial (digits 16–18) is `000`; written `serial`.
    NipSerial,
    /// E-mail: the domain is under a name reserved for tests, examples and local or hidden
    /// networks (`.example`, `.invalid`, `.local`, `.localhost`, `.onion`, `.test`).
    Reserved,
}

impl InvalidReason {
    /// The most reasons a kind has: the length of a kind's `invalid` counters.
    pub const MOST: usize = 6;

    /// The reasons of each kind, in the order SPEC §5 checks them: the order of the
    /// summaries' `invalid` objects and of a kind's counters ([`InvalidReason::slot`]).
    pub fn of(kind: Kind) -> &'static [InvalidReason] {
        use InvalidReason::*;
        match kind {
            Kind::Nik => &[Province, Regency, District, BirthDate, Serial],
            Kind::Kk => &[Province, Regency, District, IssueDate, Serial],
            Kind::BpjsCard => &[Zeros],
            Kind::Phone => &[NotMobile],
            Kind::Email => &[Syntax, Reserved],
            // A 16-digit NPWP not starting with 0 fails as a NIK does, in the NIK's slots;
            // the check digit (the other NPWPs) comes after them.
            Kind::Npwp => &[Province, Regency, District, BirthDate, Serial, CheckDigit],
            Kind::Nip => &[NipBirthDate, Appointment, Sex, NipSerial],
        }
    }

    /// Where this reason stands in its kind's list ([`InvalidReason::of`]): the index of
    /// its counter, found without a search.
    #[inline]
    pub fn slot(self) -> usize {
        use InvalidReason::*;
        match self {
            Province | Zeros | NotMobile | Syntax => 0,
            Regency | Reserved => 1,
            District => 2,
            BirthDate | IssueDate => 3,
            Serial => 4,
            CheckDigit => 5,
            NipBirthDate => 0,
            Appointment => 1,
            Sex => 2,
            NipSerial => 3,
        }
    }

    /// The name the summaries use.
    pub fn name(self) -> &'static str {
        use InvalidReason::*;
        match self {
            Province => "province",
            Regency => "regency",
            District => "district",
            BirthDate => "birth_date",
            IssueDate => "date",
            Serial => "serial",
            Zeros => "zeros",
            NotMobile => "not_mobile",
            Syntax => "syntax",
            CheckDigit => "check_digit",
            NipBirthDate => "birth_date",
            Appointment => "appointment",
            Sex => "sex",
            NipSerial => "serial",
            Reserved => "reserved",
        }
    }
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_counts_in_its_own_slot() {
        for kind in Kind::ALL {
            for (i, r) in InvalidReason::of(kind).iter().enumerate() {
                assert_eq!(r.slot(), i, "{kind:?} {r}");
            }
        }
    }

    #[test]
    fn reasons_read_as_the_summaries_write_them() {
        let names = |k| {
            InvalidReason::of(k)
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(Kind::Nik),
            ["province", "regency", "district", "birth_date", "serial"]
        );
        assert_eq!(
            names(Kind::Kk),
            ["province", "regency", "district", "date", "serial"]
        );
        assert_eq!(names(Kind::BpjsCard), ["zeros"]);
        assert_eq!(names(Kind::Phone), ["not_mobile"]);
        assert_eq!(names(Kind::Email), ["syntax", "reserved"]);
        assert_eq!(
            names(Kind::Npwp),
            [
                "province",
                "regency",
                "district",
                "birth_date",
                "serial",
                "check_digit"
            ]
        );
        assert_eq!(
            names(Kind::Nip),
            ["birth_date", "appointment", "sex", "serial"]
        );
    }

    #[test]
    fn every_kinds_reasons_fit_its_counters() {
        for kind in Kind::ALL {
            assert!(
                InvalidReason::of(kind).len() <= InvalidReason::MOST,
                "{kind:?}"
            );
        }
    }

    #[test]
    fn kinds_round_trip_by_name() {
        for (i, k) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(Kind::from_name(k.name()), Some(k));
            assert_eq!(k.index(), i);
        }
        assert_eq!(Kind::from_name("npwp"), Some(Kind::Npwp));
        assert_eq!(Kind::from_name("nip"), Some(Kind::Nip));
        assert_eq!(Kind::from_name("ktp"), None);
    }
}
