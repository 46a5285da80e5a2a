//! The EMAIL column and addresses in remarks: a person's usual address (`budi.santoso@…`)
//! in lower, title or upper case, and decoys of broken syntax. Imports the generator and
//! its people, vocabulary, digits and tally.

use crate::synth::digits::push_num;
use crate::synth::people::Person;
use crate::synth::row::Gen;
use crate::synth::tally::Rec;
use crate::synth::vocab::DOMAINS;

impl Gen<'_> {
    pub(super) fn email_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let r = self.rng.mille();
        if sparse || (40..250).contains(&r) {
            return;
        }
        if r < 40 {
            self.bad_email(per, buf);
            self.t.email(buf, None, rec);
            return;
        }
        let case = match self.rng.below(100) {
            0..=84 => 0,
            85..=94 => 1,
            _ => 2,
        };
        self.cov.email_case[case] += 1;
        let start = buf.len();
        email_address(buf, per);
        match case {
            1 => title_case(&mut buf[start..]),
            2 => buf[start..].make_ascii_uppercase(),
            _ => {}
        }
        self.count_email(per, &buf[start..], rec);
    }

    /// Counts `addr`, the person's usual address, as a valid e-mail of its domain's class.
    pub(super) fn count_email(&mut self, per: &Person, addr: &[u8], rec: &mut Rec) {
        let class = self.tb.domain_class[per.mail_domain as usize];
        self.t.email(addr, Some(class), rec);
    }

    /// An address that breaks the syntax one way: `..`, a leading dot, a domain starting
    /// with `-`, a one-letter or a non-letter top-level domain.
    fn bad_email(&mut self, per: &Person, buf: &mut Vec<u8>) {
        let domain = DOMAINS[per.mail_domain as usize].0.as_bytes();
        let sub = self.rng.below(5) as usize;
        self.cov.email_bad[sub] += 1;
        let first = per.first_name().as_bytes();
        let label = &domain[..domain.iter().position(|&b| b == b'.').unwrap()];
        match sub {
            0 => {
                lower_into(buf, first);
                buf.extend_from_slice(b"..");
                lower_into(buf, per.surname_or("x").as_bytes());
                buf.push(b'@');
                buf.extend_from_slice(domain);
            }
            1 => {
                buf.push(b'.');
                lower_into(buf, first);
                buf.push(b'@');
                buf.extend_from_slice(domain);
            }
            2 => {
                lower_into(buf, first);
                buf.extend_from_slice(b"@-");
                buf.extend_from_slice(domain);
            }
            3 => {
                lower_into(buf, first);
                buf.push(b'@');
                buf.extend_from_slice(label);
                buf.extend_from_slice(b".c");
            }
            _ => {
                lower_into(buf, first);
                buf.push(b'@');
                buf.extend_from_slice(label);
                buf.extend_from_slice(b".c0m");
            }
        }
    }
}

fn lower_into(buf: &mut Vec<u8>, s: &[u8]) {
    buf.extend(s.iter().map(u8::to_ascii_lowercase));
}

/// A person's usual address, lower case: `budi.santoso@gmail.com` and the like.
pub(super) fn email_address(buf: &mut Vec<u8>, per: &Person) {
    let first = per.first_name().as_bytes();
    let last = per.surname_or("").as_bytes();
    let style = if per.has_surname() { per.mail_style } else { 5 };
    match style {
        0 | 3 => {
            lower_into(buf, first);
            buf.push(b'.');
            lower_into(buf, last);
            if style == 3 {
                push_num(buf, per.mail_num as u64 % 100, 2);
            }
        }
        1 => {
            lower_into(buf, first);
            lower_into(buf, last);
        }
        2 => {
            lower_into(buf, first);
            buf.push(b'_');
            lower_into(buf, last);
        }
        4 => {
            buf.push(first[0].to_ascii_lowercase());
            lower_into(buf, last);
        }
        _ => {
            lower_into(buf, first);
            push_num(buf, per.mail_num as u64, 0);
        }
    }
    buf.push(b'@');
    buf.extend_from_slice(DOMAINS[per.mail_domain as usize].0.as_bytes());
}

/// `budi.santoso@gmail.com` → `Budi.Santoso@Gmail.Com`.
fn title_case(s: &mut [u8]) {
    let mut start = true;
    for b in s {
        if start {
            b.make_ascii_uppercase();
        }
        start = matches!(*b, b'.' | b'_' | b'@');
    }
}
