//! The mask of SPEC §7, the one place it is written: every output that shows a value without
//! `--reveal` (the report's names, the `--records` rows, `explain`) goes through [`mask_into`].
//! It uses only the rules' [`Kind`].

use crate::rules::Kind;

/// Hides a value (SPEC §7): NIK, KK, card, NPWP and NIP keep the first 4 and last 2 digits, a
/// phone keeps `+62`, 3 digits and the last 3, an e-mail keeps the first character and the
/// domain.
pub fn mask(kind: Kind, normalized: &str) -> String {
    let mut out = String::with_capacity(normalized.len());
    mask_into(kind, normalized, &mut out);
    out
}

/// [`mask`], appended to `out`: the `--records` rows mask every value of a record into one
/// buffer, without a string per value.
pub fn mask_into(kind: Kind, normalized: &str, out: &mut String) {
    match kind {
        Kind::Nik | Kind::Kk | Kind::BpjsCard | Kind::Npwp | Kind::Nip => {
            stars(normalized, 4, 2, out)
        }
        Kind::Phone => stars(normalized, 6, 3, out),
        Kind::Email => match normalized.split_once('@') {
            Some((local, domain)) => {
                stars(local, 1, 0, out);
                out.push('@');
                out.push_str(domain);
            }
            None => stars(normalized, 1, 0, out),
        },
    }
}

/// `s` with all but its first `head` and last `tail` characters as `*`; all of it when it is
/// no longer than what would be kept (a short value must not show whole).
fn stars(s: &str, head: usize, tail: usize, out: &mut String) {
    let len = s.chars().count();
    if len <= head + tail {
        out.extend(std::iter::repeat_n('*', len));
        return;
    }
    for (i, c) in s.chars().enumerate() {
        out.push(if i < head || i >= len - tail { c } else { '*' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_follow_the_spec() {
        assert_eq!(mask(Kind::Nik, "3171010101900001"), "3171**********01");
        assert_eq!(mask(Kind::Kk, "3171011234567890"), "3171**********90");
        assert_eq!(mask(Kind::BpjsCard, "0001234567890"), "0001*******90");
        assert_eq!(mask(Kind::Phone, "+6281234567890"), "+62812*****890");
        assert_eq!(mask(Kind::Email, "budi@gmail.com"), "b***@gmail.com");
        assert_eq!(mask(Kind::Npwp, "079140885199000"), "0791*********00");
        assert_eq!(mask(Kind::Npwp, "3171014101900001"), "3171**********01");
        assert_eq!(mask(Kind::Nip, "198503122010011002"), "1985************02");
        assert_eq!(mask(Kind::Email, "b@x.id"), "*@x.id");
        assert_eq!(mask(Kind::Email, "no-at"), "n****");
        assert_eq!(mask(Kind::Phone, "+62"), "***");
        assert_eq!(
            mask(Kind::Email, "é@x.id"),
            "*@x.id",
            "characters, not bytes"
        );
    }

    #[test]
    fn masks_append() {
        let mut out = String::from("nik:");
        mask_into(Kind::Nik, "3171010101900001", &mut out);
        assert_eq!(out, "nik:3171**********01");
    }
}
