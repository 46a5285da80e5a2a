//! `--format csv`: one row per ledger entry with its counts, for an entry that is not
//! `scanned` its reason, and its SHA-256 when it was read whole. No cell can start a formula ([`crate::escape::csv_cell`]).

use std::io::{self, Write};

use crate::escape::csv_cell;
use crate::report::{Exporter, Report};
use crate::rules::Kind;

pub struct Csv;

impl Exporter for Csv {
    fn export(&self, r: &Report, w: &mut dyn Write) -> io::Result<()> {
        let mut out = csv::Writer::from_writer(w);
        let mut header = vec!["path", "format", "state", "bytes", "records", "confirmed"];
        header.extend(Kind::ALL.iter().map(|k| k.name()));
        header.extend(["reason", "sha256"]);
        out.write_record(&header)?;
        for f in r.files.rows() {
            let mut row = vec![
                f.path.to_string(),
                f.format.to_string(),
                f.state.to_string(),
                f.bytes.to_string(),
                f.records.to_string(),
                f.confirmed.to_string(),
            ];
            row.extend(Kind::ALL.iter().map(|&k| f.valid.get(k).to_string()));
            row.push(f.reason.to_string());
            row.push(f.sha256.as_deref().unwrap_or_default().to_string());
            out.write_record(row.iter().map(|c| csv_cell(c).into_owned()))?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::{report_of, sample};
    use crate::testing::pats;

    #[test]
    fn a_row_per_entry_with_its_reason() {
        let s = sample();
        let r = report_of(&s, pats());
        let mut out = Vec::new();
        Csv.export(&r, &mut out).unwrap();
        let csv = String::from_utf8(out).unwrap();
        assert_eq!(
            csv,
            format!(
                "path,format,state,bytes,records,confirmed,nik,kk,bpjs_card,phone,email,npwp,nip,\
                 reason,sha256\n\
                 a.csv,csv,scanned,7,2,0,0,0,0,0,0,0,0,,\n\
                 x.csv,csv,failed,5,0,0,0,0,0,0,0,0,0,read error: boom\\x1B,{}\n",
                "ab".repeat(32)
            )
        );
    }
}
