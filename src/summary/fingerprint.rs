//! Fingerprints and reference matching (SPEC §2 `--key`, `--reference`).
//!
//! A fingerprint is HMAC-SHA256 of an identifier's normalized value (NIK, KK and card: the
//! digits; phone: `+62` and the digits; e-mail: lower case) under the responder's key, in lower
//! case hex. Never a plain hash: there are only about 10^11 plausible NIKs, so an unkeyed hash
//! is reversed by brute force in hours. The data owner computes the same value with any HMAC
//! tool (`printf %s 3171014101900001 | openssl dgst -sha256 -hmac KEY`), so both sides can
//! compare lists without handing over raw identifiers.

use std::fmt;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context, Result};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The responder's secret key, pre-keyed: each fingerprint clones the keyed state.
#[derive(Clone)]
pub struct Key(Hmac<Sha256>);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(..)")
    }
}

impl Key {
    pub fn new(secret: &[u8]) -> Result<Key> {
        if secret.is_empty() {
            bail!("the fingerprint key is empty");
        }
        Ok(Key(
            Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length")
        ))
    }

    /// HMAC-SHA256 of a normalized value.
    #[inline]
    pub fn fingerprint(&self, normalized: &[u8]) -> [u8; 32] {
        let mut m = self.0.clone();
        m.update(normalized);
        m.finalize().into_bytes().into()
    }
}

/// Lower-case hex of a fingerprint, appended to `out`.
pub fn push_hex(fp: &[u8; 32], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for b in fp {
        out.push(HEX[(b >> 4) as usize]);
        out.push(HEX[(b & 15) as usize]);
    }
}

pub fn hex(fp: &[u8; 32]) -> String {
    let mut v = Vec::with_capacity(64);
    push_hex(fp, &mut v);
    String::from_utf8(v).expect("hex is ASCII")
}

/// 64 hex digits (either case) back into 32 bytes.
pub fn parse_hex(s: &[u8]) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = nib(pair[0])? << 4 | nib(pair[1])?;
    }
    Some(out)
}

/// The 16 ASCII digits of a NIK held as a number.
#[inline]
pub fn nik_digits(mut v: u64) -> [u8; 16] {
    let mut d = [b'0'; 16];
    for i in (0..16).rev() {
        d[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    d
}

/// The identifiers a data owner knows: raw NIKs and fingerprints, sorted for binary search.
#[derive(Clone, Debug, Default)]
pub struct Reference {
    niks: Vec<u64>,
    fingerprints: Vec<[u8; 32]>,
    /// Lines that are neither a NIK (16 digits, separators allowed) nor a fingerprint.
    pub unusable: u64,
}

impl Reference {
    /// Reads a reference file: one identifier per line, raw or as a 64-digit hex fingerprint;
    /// blank lines and lines starting with `#` are ignored.
    pub fn load(path: &Path) -> Result<Reference> {
        let bytes =
            fs::read(path).with_context(|| format!("reading reference {}", path.display()))?;
        Ok(Reference::parse(&bytes))
    }

    pub fn parse(text: &[u8]) -> Reference {
        let mut r = Reference::default();
        for line in text.split(|&b| b == b'\n') {
            let t = line.trim_ascii();
            // A spreadsheet export may quote the value or keep a BOM.
            let t = t.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(t);
            let t = t.strip_prefix(b"\"").unwrap_or(t);
            let t = t.strip_suffix(b"\"").unwrap_or(t).trim_ascii();
            if t.is_empty() || t[0] == b'#' {
                continue;
            }
            if let Some(fp) = parse_hex(t) {
                r.fingerprints.push(fp);
                continue;
            }
            let digits: Vec<u8> = t
                .iter()
                .copied()
                .filter(|c| !matches!(c, b' ' | b'.' | b'-' | b'\''))
                .collect();
            if digits.len() == 16 && digits.iter().all(u8::is_ascii_digit) {
                r.niks
                    .push(digits.iter().fold(0u64, |a, &d| a * 10 + (d - b'0') as u64));
            } else {
                r.unusable += 1;
            }
        }
        r.niks.sort_unstable();
        r.niks.dedup();
        r.fingerprints.sort_unstable();
        r.fingerprints.dedup();
        r
    }

    /// Distinct usable entries.
    pub fn len(&self) -> usize {
        self.niks.len() + self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn has_fingerprints(&self) -> bool {
        !self.fingerprints.is_empty()
    }

    /// Whether a valid NIK (as a number) is in the reference, raw or by its fingerprint.
    #[inline]
    pub fn contains_nik(&self, nik: u64, key: Option<&Key>) -> bool {
        if self.niks.binary_search(&nik).is_ok() {
            return true;
        }
        match key {
            Some(k) if !self.fingerprints.is_empty() => self
                .fingerprints
                .binary_search(&k.fingerprint(&nik_digits(nik)))
                .is_ok(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_hmac_sha256() {
        // RFC 4231 test case 2.
        let k = Key::new(b"Jefe").unwrap();
        assert_eq!(
            hex(&k.fingerprint(b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(Key::new(b"").is_err());
    }

    #[test]
    fn reference_reads_raw_niks_and_fingerprints() {
        let k = Key::new(b"secret").unwrap();
        let fp = hex(&k.fingerprint(b"3171010101900002"));
        let text = format!(
            "# owner list\n3171-0101-0190-0001\r\n\n{}\nnot an id\n\"3171 0101 0190 0003\"\n",
            fp.to_uppercase()
        );
        let r = Reference::parse(text.as_bytes());
        assert_eq!((r.len(), r.unusable), (3, 1));
        assert!(r.has_fingerprints());
        assert!(r.contains_nik(3171010101900001, None));
        assert!(r.contains_nik(3171010101900003, None));
        assert!(!r.contains_nik(3171010101900002, None), "needs the key");
        assert!(r.contains_nik(3171010101900002, Some(&k)));
        assert!(!r.contains_nik(3171010101900004, Some(&k)));
        assert_eq!(&nik_digits(317101010190001), b"0317101010190001");
    }
}
