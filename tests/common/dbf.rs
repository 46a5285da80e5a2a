//! dBase III tables written by hand (the format is a header, 32-byte field descriptors and
//! fixed-width rows), for the DBF reader's tests.

/// A dBase III table of character fields named `header`, one row per `rows` entry; each
/// column as wide as its longest value (at least 1; over 254 as FoxPro writes them).
pub fn dbf(header: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .max()
                .unwrap_or(0)
                .clamp(1, 65_535)
        })
        .collect();
    let header_len = 32 + 32 * header.len() + 1;
    let record_len = 1 + widths.iter().sum::<usize>();
    let mut b = vec![0x03, 126, 1, 1];
    b.extend_from_slice(&(rows.len() as u32).to_le_bytes());
    b.extend_from_slice(&(header_len as u16).to_le_bytes());
    b.extend_from_slice(&(record_len as u16).to_le_bytes());
    b.resize(32, 0);
    for (name, &width) in header.iter().zip(&widths) {
        let mut d = [0u8; 32];
        let name = &name.as_bytes()[..name.len().min(10)];
        d[..name.len()].copy_from_slice(name);
        d[11] = b'C';
        // FoxPro's long character fields: the high byte of the width in the next byte.
        d[16] = width as u8;
        d[17] = (width >> 8) as u8;
        b.extend_from_slice(&d);
    }
    b.push(0x0d);
    for row in rows {
        b.push(b' ');
        for (v, &width) in row.iter().zip(&widths) {
            let mut cell = v.as_bytes().to_vec();
            cell.resize(width, b' ');
            b.extend_from_slice(&cell);
        }
    }
    b.push(0x1a);
    b
}
