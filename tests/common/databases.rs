//! Database files written by the tests: a SQLite database (with the bundled SQLite), BSON
//! documents and pg_dump custom-format archives written by hand (the layouts are in
//! `src/formats/bson.rs` and `src/formats/pgdump.rs`).

use std::io::Write;
use std::path::Path;

/// A SQLite database at `path`: the rows split between two tables of the same columns
/// (`peserta` and `peserta_lama`), empty cells NULL.
pub fn sqlite(path: &Path, header: &[String], rows: &[Vec<String>]) {
    let c = rusqlite::Connection::open(path).unwrap();
    let cols: Vec<String> = header.iter().map(|h| format!("\"{h}\" TEXT")).collect();
    let marks = vec!["?"; header.len()].join(", ");
    let half = rows.len() / 2;
    for (table, part) in [("peserta", &rows[..half]), ("peserta_lama", &rows[half..])] {
        c.execute_batch(&format!("CREATE TABLE {table} ({});", cols.join(", ")))
            .unwrap();
        let tx = c.unchecked_transaction().unwrap();
        {
            let mut insert = tx
                .prepare(&format!("INSERT INTO {table} VALUES ({marks})"))
                .unwrap();
            for r in part {
                let values = r.iter().map(|v| (!v.is_empty()).then_some(v.as_str()));
                insert.execute(rusqlite::params_from_iter(values)).unwrap();
            }
        }
        tx.commit().unwrap();
    }
}

/// One BSON string element.
fn string(key: &str, v: &str) -> Vec<u8> {
    let mut e = vec![0x02];
    e.extend_from_slice(key.as_bytes());
    e.push(0);
    e.extend_from_slice(&(v.len() as i32 + 1).to_le_bytes());
    e.extend_from_slice(v.as_bytes());
    e.push(0);
    e
}

/// A BSON document of `elements`.
pub fn document(elements: &[Vec<u8>]) -> Vec<u8> {
    let body = elements.concat();
    let mut d = ((body.len() + 5) as i32).to_le_bytes().to_vec();
    d.extend(body);
    d.push(0);
    d
}

/// `mongodump` output: one document per row, empty cells left out; the columns named in
/// `nested` go into a sub-document (`{"kontak": {"NOHP": …}}`), named by their last key.
pub fn bson(header: &[String], rows: &[Vec<String>], nested: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        let (mut top, mut inner) = (Vec::new(), Vec::new());
        for (h, v) in header.iter().zip(r) {
            if v.is_empty() {
                continue;
            }
            match nested.contains(&h.as_str()) {
                true => inner.push(string(h, v)),
                false => top.push(string(h, v)),
            }
        }
        if !inner.is_empty() {
            let mut e = b"\x03kontak\x00".to_vec();
            e.extend(document(&inner));
            top.push(e);
        }
        out.extend(document(&top));
    }
    out
}

/// A pg_dump integer: a sign byte and four little-endian bytes.
fn int(b: &mut Vec<u8>, n: i64) {
    b.push(u8::from(n < 0));
    b.extend_from_slice(&(n.unsigned_abs() as u32).to_le_bytes());
}

/// A pg_dump string (`None`: the null string).
fn str(b: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            int(b, s.len() as i64);
            b.extend_from_slice(s.as_bytes());
        }
        None => int(b, -1),
    }
}

/// A value as COPY text writes it.
fn copy_text(v: &str) -> String {
    match v {
        "" => "\\N".into(),
        v => v
            .replace('\\', "\\\\")
            .replace('\t', "\\t")
            .replace('\n', "\\n")
            .replace('\r', "\\r"),
    }
}

/// A pg_dump custom archive (version 1.14) of one table `peserta`: a TABLE entry, a TABLE
/// DATA entry whose COPY statement names `header`, and the rows in chunks of `chunk` bytes,
/// compressed with zlib when `zlib`.
pub fn pgdump(header: &[String], rows: &[Vec<String>], zlib: bool, chunk: usize) -> Vec<u8> {
    let text: String = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v| copy_text(v))
                .collect::<Vec<_>>()
                .join("\t")
                + "\n"
        })
        .collect();
    let data = match zlib {
        true => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(6));
            z.write_all(text.as_bytes()).unwrap();
            z.finish().unwrap()
        }
        false => text.into_bytes(),
    };
    let mut b = b"PGDMP\x01\x0e\x00\x04\x08\x01".to_vec();
    int(&mut b, if zlib { 6 } else { 0 });
    for x in [0, 0, 12, 1, 0, 124, 0] {
        int(&mut b, x);
    }
    for s in ["bpjs", "16.2", "16.2"] {
        str(&mut b, Some(s));
    }
    int(&mut b, 2);
    let quoted: Vec<String> = header.iter().map(|h| format!("\"{h}\"")).collect();
    let copy = format!("COPY public.peserta ({}) FROM stdin;\n", quoted.join(", "));
    for (id, desc, copy) in [(1, "TABLE", None), (2, "TABLE DATA", Some(copy.as_str()))] {
        int(&mut b, id);
        int(&mut b, i64::from(copy.is_some()));
        for s in ["1259", "16400", "peserta", desc] {
            str(&mut b, Some(s));
        }
        int(&mut b, 2);
        for s in [
            Some(""),
            Some(""),
            copy,
            Some("public"),
            Some(""),
            Some("heap"),
        ] {
            str(&mut b, s);
        }
        str(&mut b, Some("triage"));
        str(&mut b, Some("false"));
        str(&mut b, None);
        b.push(if copy.is_some() { 1 } else { 3 });
        b.extend_from_slice(&[0; 8]);
    }
    b.push(1);
    int(&mut b, 2);
    for c in data.chunks(chunk) {
        int(&mut b, c.len() as i64);
        b.extend_from_slice(c);
    }
    int(&mut b, 0);
    b
}
