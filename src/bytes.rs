//! Bytes of records and names, below every stage.
//!
//! [`find2`] and [`find_any`] search the short stretches between a record's delimiters and
//! quotes. A CSV field, a JSON string or an SQL value ends within a few bytes, so these skip
//! `memchr`'s set-up (a call through a pointer, alignment work): one 16-byte SSE2 compare
//! usually finds the end. SSE2 is part of the x86-64 baseline; other targets loop.
//!
//! [`text`] makes a display string of a name (a header cell, a key, a column); [`hand_out`]
//! is the `Read::read` of the readers that transcode (UTF-16, the strings pass); [`read_up_to`]
//! fills a fixed-size block of a record reader (a DBF row, a BSON length, a DICOM tag), and
//! [`fill_up_to`] a block of the decompressing thread, which keeps the bytes before an error.

/// The first `a` or `b` in `hay`, and whether it is `a`: the caller need not read the
/// byte again to know which ended the stretch.
#[inline]
pub fn find2(a: u8, b: u8, hay: &[u8]) -> Option<(usize, bool)> {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= hay.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned load reads
        // hay[i..i + 16], in bounds by the loop condition.
        let (ma, mb) = unsafe {
            let x = _mm_loadu_si128(hay.as_ptr().add(i) as *const __m128i);
            (
                _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(a as i8))) as u32,
                _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8))) as u32,
            )
        };
        let m = ma | mb;
        if m != 0 {
            let k = m.trailing_zeros();
            return Some((i + k as usize, (ma >> k) & 1 == 1));
        }
        i += 16;
    }
    hay[i..]
        .iter()
        .position(|&c| c == a || c == b)
        .map(|k| (i + k, hay[i + k] == a))
}

/// The first byte of `hay` that is one of `set`. For the few bytes that matter in a stretch
/// of SQL (quotes, parentheses, comment starts), where `memchr3` took three needles at most
/// and a second pass over the same bytes for the rest.
#[inline]
pub fn find_any<const N: usize>(set: [u8; N], hay: &[u8]) -> Option<usize> {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= hay.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86-64 baseline; the unaligned load reads
        // hay[i..i + 16], in bounds by the loop condition.
        let m = unsafe {
            let x = _mm_loadu_si128(hay.as_ptr().add(i) as *const __m128i);
            let mut hit = _mm_setzero_si128();
            for b in set {
                hit = _mm_or_si128(hit, _mm_cmpeq_epi8(x, _mm_set1_epi8(b as i8)));
            }
            _mm_movemask_epi8(hit) as u32
        };
        if m != 0 {
            return Some(i + m.trailing_zeros() as usize);
        }
        i += 16;
    }
    hay[i..].iter().position(|c| set.contains(c)).map(|k| i + k)
}

/// Text of a name (a header cell, a key, a column): UTF-8 when it is, Windows-1252 when it is
/// not (the single-byte code page of Indonesian Windows exports), so no name turns into
/// replacement characters.
pub fn text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(b)
            .0
            .into_owned(),
    }
}

/// Copies into `buf` what a transcoding reader has produced and not yet handed out
/// (`out[*pos..]`) and moves `pos` past it: the `Read::read` of the UTF-16 decoder and of the
/// strings pass, once their `fill` has produced more.
pub fn hand_out(out: &[u8], pos: &mut usize, buf: &mut [u8]) -> usize {
    let n = buf.len().min(out.len() - *pos);
    buf[..n].copy_from_slice(&out[*pos..*pos + n]);
    *pos += n;
    n
}

/// Reads until `buf` is full or the input ends: how many bytes there were (a short count is
/// an input cut short, which the caller names).
pub fn read_up_to(r: &mut dyn std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    match fill_up_to(r, buf) {
        (got, None) => Ok(got),
        (_, Some(e)) => Err(e),
    }
}

/// [`read_up_to`] that also tells how many bytes came before an error, for a reader that
/// hands those on before the error.
pub fn fill_up_to(r: &mut dyn std::io::Read, buf: &mut [u8]) -> (usize, Option<std::io::Error>) {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (got, Some(e)),
        }
    }
    (got, None)
}

/// `v` without the ASCII white space around it. Nearly every field value has none: two
/// compares spare it the trimming loops.
#[inline(always)]
pub fn trim_blank(v: &[u8]) -> &[u8] {
    match v {
        [first, .., last] if *first > b' ' && *last > b' ' => v,
        _ => v.trim_ascii(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_reads_utf8_then_windows_1252() {
        assert_eq!(text("Tgl_Láhir".as_bytes()), "Tgl_Láhir");
        assert_eq!(text(b"Tgl_L\xe1hir"), "Tgl_Láhir");
    }

    #[test]
    fn find2_finds_the_first_of_two() {
        for len in 0..70 {
            for at in 0..=len {
                let mut v = vec![b'x'; len];
                if at < len {
                    v[at] = if at % 2 == 0 { b',' } else { b'\n' };
                }
                let want = if at < len { Some(at) } else { None };
                let want = want.map(|k| (k, v[k] == b','));
                assert_eq!(find2(b',', b'\n', &v), want, "{len} {at}");
            }
        }
    }

    #[test]
    fn find_any_finds_the_first_of_a_set() {
        let set = *b"'\"()#/-";
        for len in 0..70 {
            for at in 0..=len {
                for &b in set.iter().chain(b"x") {
                    let mut v = vec![b'x'; len];
                    if at < len {
                        v[at] = b;
                        // A later member of the set must not hide the first.
                        if at + 1 < len {
                            v[at + 1] = b'(';
                        }
                    }
                    let want = v.iter().position(|c| set.contains(c));
                    assert_eq!(find_any(set, &v), want, "{len} {at} {b}");
                }
            }
        }
    }
}
