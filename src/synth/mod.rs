//! `triage synth`: a reproducible synthetic sample shaped like the leaked BPJS Kesehatan
//! participant table, and `truth.json`, the counts a correct `triage scan` of it must report.
//!
//! Every value comes from a small hand-written PRNG (splitmix64), so the same seed, row count
//! and format give byte-identical files on every platform and version, as long as the region
//! table in `patterns/` is unchanged. The counts are tallied from what was generated: each
//! value is built knowing what it is (valid, or the first rule it breaks). No detector runs
//! over the output; debug builds check each generated identifier with [`crate::analyze::validate`].
//!
//! The sample holds every form SPEC §5/§6 accepts (NIK spacing and `'` prefixes, cards that
//! lost their leading zeros, phone prefixes and separators, every date form, every sex value)
//! and a share of decoys of every kind (each invalid reason, Excel-damaged NIKs, mismatched
//! birth dates and sexes, non-mobile and too-short phones, malformed e-mails). The columns
//! that hold no identifier never hold anything shaped like one.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};

#[cfg(debug_assertions)]
use crate::analyze::validate;
use crate::rules::Patterns;

/// The sample's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum SynthFormat {
    /// Comma-separated with a header line; quoted fields may hold commas and line breaks.
    Csv,
    /// One JSON object per line; every value is a string.
    Jsonl,
}

impl SynthFormat {
    /// The sample's file name in the output directory.
    pub fn file_name(self) -> &'static str {
        match self {
            SynthFormat::Csv => "bpjs_sample.csv",
            SynthFormat::Jsonl => "bpjs_sample.jsonl",
        }
    }
}

impl std::str::FromStr for SynthFormat {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "csv" => Ok(SynthFormat::Csv),
            "jsonl" | "ndjson" => Ok(SynthFormat::Jsonl),
            other => bail!("unknown sample format {other:?} (csv or jsonl)"),
        }
    }
}

/// What to generate and where.
#[derive(Clone, Debug)]
pub struct SynthOptions {
    pub rows: u64,
    pub seed: u64,
    /// Output directory; created if needed.
    pub out: PathBuf,
    pub format: SynthFormat,
}

/// What [`write()`] wrote.
#[derive(Clone, Debug)]
pub struct SynthReport {
    /// `DIR/bpjs_sample.csv` or `DIR/bpjs_sample.jsonl`.
    pub sample: PathBuf,
    /// `DIR/truth.json`.
    pub truth: PathBuf,
    /// Size of the sample file in bytes.
    pub bytes: u64,
}

/// The first key of `truth.json`; the scanner skips files that start with it.
pub const TRUTH_SCHEMA: &str = "triage.truth/1";

/// The sample's columns, in order.
#[rustfmt::skip]
pub const COLUMNS: [&str; NCOLS] = [
    "PSNOKA", "NAMA", "JENKEL", "TGLLHR", "NOHP", "NIK", "NOKK", "NPWP", "EMAIL", "NOKA",
    "KDHUBKEL", "KDKANTOR", "FLAGTANGGUNGAN", "ALAMAT", "KETERANGAN",
];

const NCOLS: usize = 15;
const PSNOKA: usize = 0;
const NAMA: usize = 1;
const JENKEL: usize = 2;
const TGLLHR: usize = 3;
const NOHP: usize = 4;
const NIK: usize = 5;
const NOKK: usize = 6;
const NPWP: usize = 7;
const EMAIL: usize = 8;
const NOKA: usize = 9;
const KDHUBKEL: usize = 10;
const KDKANTOR: usize = 11;
const FLAG: usize = 12;
const ALAMAT: usize = 13;
const KETERANGAN: usize = 14;

/// Writes `DIR/bpjs_sample.{csv,jsonl}` and `DIR/truth.json`.
pub fn write(opts: &SynthOptions, p: &Patterns) -> Result<SynthReport> {
    fs::create_dir_all(&opts.out).with_context(|| format!("creating {}", opts.out.display()))?;
    let sample = opts.out.join(opts.format.file_name());
    let truth = opts.out.join("truth.json");
    crate::outputs::check(&[("synth", &sample), ("synth", &truth)], &[])?;
    let mut generated = None;
    crate::outputs::write(&sample, |mut w| {
        generated =
            Some(generate(opts.rows, opts.seed, opts.format, p, &mut w).map_err(io::Error::other)?);
        Ok(())
    })?;
    let generated = generated.context("the sample was written")?;

    let mut text = serde_json::to_string_pretty(&generated.truth)?;
    text.push('\n');
    crate::outputs::write(&truth, |w| w.write_all(text.as_bytes()))?;
    Ok(SynthReport {
        sample,
        truth,
        bytes: generated.bytes,
    })
}

/// The sample written to `w`, its truth and which forms it used.
#[allow(dead_code)]
struct Generated {
    truth: Value,
    bytes: u64,
    coverage: Coverage,
}

const CHUNK: usize = 1 << 20;

fn generate<W: Write>(
    rows: u64,
    seed: u64,
    format: SynthFormat,
    p: &Patterns,
    w: &mut W,
) -> Result<Generated> {
    let mut g = Gen::new(p, seed)?;
    let mut fields: [Vec<u8>; NCOLS] = std::array::from_fn(|_| Vec::with_capacity(64));
    let mut line = Vec::with_capacity(CHUNK + 4096);
    let mut bytes = 0u64;
    if format == SynthFormat::Csv {
        line.extend_from_slice(COLUMNS.join(",").as_bytes());
        line.push(b'\n');
        w.write_all(&line)?;
        bytes += line.len() as u64;
    }
    // Rows gather in `line` and reach the writer in chunks of about 1 MiB, which BufWriter
    // passes straight through instead of copying a second time.
    line.clear();
    for _ in 0..rows {
        g.row(&mut fields);
        match format {
            SynthFormat::Csv => {
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    crate::record::write_csv_field(f, &mut line);
                }
                line.push(b'\n');
            }
            SynthFormat::Jsonl => {
                line.push(b'{');
                for (i, f) in fields.iter().enumerate() {
                    if i > 0 {
                        line.push(b',');
                    }
                    json_string(&mut line, COLUMNS[i].as_bytes());
                    line.push(b':');
                    json_string(&mut line, f);
                }
                line.extend_from_slice(b"}\n");
            }
        }
        if line.len() >= CHUNK {
            w.write_all(&line)?;
            bytes += line.len() as u64;
            line.clear();
        }
    }
    w.write_all(&line)?;
    bytes += line.len() as u64;
    Ok(Generated {
        truth: g.t.to_json(rows, seed),
        bytes,
        coverage: g.cov,
    })
}

fn json_string(out: &mut Vec<u8>, f: &[u8]) {
    out.push(b'"');
    for &b in f {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(b >> 4) as usize]);
                out.push(HEX[(b & 15) as usize]);
            }
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

// ---------------------------------------------------------------------------------------
// Randomness

/// splitmix64: tiny, fast, and fixed forever, so a seed means the same sample everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // "triagesy": keeps seed 0 away from the all-zero state's first outputs.
        Rng(seed ^ 0x7472_6961_6765_7379)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything that matters here).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// A draw in `0..1000`: the decoy tables below are in per mille.
    fn mille(&mut self) -> u64 {
        self.below(1000)
    }

    fn pick<T: Copy>(&mut self, s: &[T]) -> T {
        s[self.below(s.len() as u64) as usize]
    }
}

// ---------------------------------------------------------------------------------------
// Vocabulary. Names and addresses are letters, spaces and short numbers only, and never
// hold a keyword of SPEC §5 (NIK, KTP, KK, kartu, BPJS, noka, KIS) as a word.

#[rustfmt::skip]
const MALE_NAMES: &[&str] = &[
    "Budi", "Agus", "Andi", "Ahmad", "Muhammad", "Joko", "Slamet", "Hendra", "Rudi", "Dedi",
    "Eko", "Bambang", "Yusuf", "Rizky", "Fajar", "Dimas", "Arief", "Hadi", "Wahyu", "Irfan",
    "Bayu", "Teguh", "Imam", "Sutrisno", "Made", "Ketut", "Putu", "Yohanes", "Stefanus",
    "Daniel", "Bagus", "Gilang",
];
#[rustfmt::skip]
const FEMALE_NAMES: &[&str] = &[
    "Siti", "Sri", "Dewi", "Ayu", "Rina", "Wati", "Nur", "Ratna", "Fitri", "Indah",
    "Lestari", "Yuni", "Sari", "Endang", "Nurul", "Dian", "Putri", "Maria", "Novita",
    "Wulan", "Rahma", "Intan", "Ani", "Eka", "Lina", "Yanti", "Mega", "Citra", "Ningsih",
    "Aisyah", "Annisa", "Melati",
];
#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama",
    "Nugroho", "Susanto", "Gunawan", "Siregar", "Nasution", "Simanjuntak", "Harahap",
    "Lubis", "Sitompul", "Pangaribuan", "Hutapea", "Wibowo", "Purnomo", "Rahman", "Hakim",
    "Halim", "Tanjung", "Sinaga", "Manurung", "Tambunan", "Putra", "Firmansyah",
    "Syahputra", "Permana", "Kusuma", "Ramadhan", "Maulana", "Situmorang", "Wahyudi",
];
const NO_SURNAME: u16 = u16::MAX;
#[rustfmt::skip]
const STREETS: &[&str] = &[
    "Merdeka", "Sudirman", "Diponegoro", "Gatot Subroto", "Ahmad Yani", "Pahlawan",
    "Pemuda", "Veteran", "Imam Bonjol", "Hasanuddin", "Gajah Mada", "Hayam Wuruk",
    "Thamrin", "Cendrawasih", "Anggrek", "Melati", "Mawar", "Kenanga", "Flamboyan",
    "Sisingamangaraja",
];
#[rustfmt::skip]
const PLACES: &[&str] = &[
    "Gambir", "Menteng", "Cempaka Putih", "Sukajadi", "Cibeunying", "Tegalsari",
    "Lowokwaru", "Kauman", "Sukamaju", "Tanjung Priok", "Kebayoran Baru", "Pasar Minggu",
    "Ciputat", "Tembalang", "Banyumanik", "Rungkut", "Wonokromo", "Medan Baru",
    "Panakkukang", "Denpasar Barat", "Abepura", "Mimika Baru",
];
#[rustfmt::skip]
const CITIES: &[&str] = &[
    "Jakarta Pusat", "Jakarta Selatan", "Bandung", "Surabaya", "Medan", "Makassar",
    "Semarang", "Denpasar", "Yogyakarta", "Palembang", "Jayapura", "Merauke", "Manokwari",
    "Sorong", "Pontianak", "Balikpapan", "Manado", "Kupang", "Padang", "Malang",
];
#[rustfmt::skip]
const REMARKS: &[&str] = &[
    "Aktif",
    "Peserta PBI",
    "Pindah faskes",
    "Non aktif",
    "Menunggak iuran",
    "PPU",
    "PBPU",
    "Mutasi data",
    "Data ganda",
    "Perubahan alamat, menunggu verifikasi",
    "Faskes Puskesmas Gambir",
    "Kelas 3",
    "Kelas 1, PPU swasta",
];
#[rustfmt::skip]
const KANTOR: &[&str] = &[
    "0101", "0201", "0301", "0401", "0501", "0601", "0701", "0801", "0901", "1001", "1101",
    "1201", "1301", "1401", "1501", "1601", "1701", "1801",
];

/// Month words by set: English names, English abbreviations, Indonesian names, Indonesian
/// abbreviations (August has three).
#[rustfmt::skip]
const MONTHS_EN: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];
#[rustfmt::skip]
const MON_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
#[rustfmt::skip]
const MONTHS_ID: [&str; 12] = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
];
#[rustfmt::skip]
const MON_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des",
];
const AUGUST_ID: [&str; 3] = ["Agt", "Agu", "Ags"];

const SEX_MALE: [&str; 5] = ["L", "Laki-laki", "Pria", "M", "Male"];
const SEX_FEMALE: [&str; 5] = ["P", "Perempuan", "Wanita", "F", "Female"];

/// Mobile prefixes of the named operators, and valid prefixes no operator owns (`other`).
#[rustfmt::skip]
const MOBILE_PREFIXES: &[u16] = &[
    811, 812, 813, 821, 822, 823, 851, 852, 853, 814, 815, 816, 855, 856, 857, 858, 895,
    896, 897, 898, 899, 817, 818, 819, 859, 877, 878, 879, 831, 832, 833, 838, 881, 882,
    883, 884, 885, 886, 887, 888, 889,
];
const OTHER_PREFIXES: &[u16] = &[810, 820, 827, 828, 836, 868, 890];

/// E-mail domains with weights; classes come from the patterns.
#[rustfmt::skip]
const DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 40), ("yahoo.com", 12), ("yahoo.co.id", 6),
    ("ymail.com", 2), ("hotmail.com", 3), ("outlook.com", 3),
    ("icloud.com", 2), ("kemkes.go.id", 2), ("jakarta.go.id", 1),
    ("tni.mil.id", 1), ("sukamaju.desa.id", 1), ("ui.ac.id", 2),
    ("ugm.ac.id", 2), ("sman1-bandung.sch.id", 1), ("telkom.co.id", 2),
    ("rsud-merauke.or.id", 1), ("mail.com", 2), ("perusahaan.com", 1),
    ("kantor.net", 1),
];

/// Digits that start no phone (`0…`, `62…`) and no other identifier: for NPWP and card bodies.
const SAFE_DIGITS: [u8; 7] = [1, 2, 3, 4, 5, 7, 9];

const NIK_REASONS: [&str; 5] = ["province", "regency", "district", "birth_date", "serial"];
const KK_REASONS: [&str; 5] = ["province", "regency", "district", "date", "serial"];

// ---------------------------------------------------------------------------------------
// People

#[derive(Clone, Copy, Default)]
struct Family {
    district: u32,
    kk_day: u8,
    kk_month: u8,
    kk_yy: u8,
    kk_serial: u16,
    surname: u16,
    street: u8,
    house: u8,
    rt: u8,
    rw: u8,
    kel: u8,
    kec: u8,
    city: u8,
    postal: u32,
    kantor: u8,
}

#[derive(Clone, Copy, Default)]
struct Person {
    fam: Family,
    /// KDHUBKEL: 1 head, 2 spouse, 3 child.
    hub: u8,
    first: u8,
    female: bool,
    day: u8,
    month: u8,
    year: u16,
    serial: u16,
    /// Card number; below 10^12 it may be written without its leading zeros.
    card: u64,
    /// National phone digits (`8…`) as a number, and how many there are.
    phone: u64,
    phone_len: u8,
    mail_style: u8,
    mail_num: u16,
    mail_domain: u8,
    /// 15 digits, or 0 for none.
    npwp: u64,
}

impl Person {
    fn yy(&self) -> u8 {
        (self.year % 100) as u8
    }
}

/// A date as the scanner compares it: day, month, last two year digits.
type Triple = (u8, u8, u8);

// ---------------------------------------------------------------------------------------
// Distinct-value sets

/// A fast hasher for the distinct-value sets: only their sizes reach the output, so the
/// hash function cannot change a byte of it. (SipHash was a third of the run time.)
#[derive(Default, Clone, Copy)]
struct FastHash(u64);

impl Hasher for FastHash {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517C_C1B7_2722_0A95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

type FastSet<T> = HashSet<T, BuildHasherDefault<FastHash>>;

/// How many distinct values: numeric kinds keep every valid occurrence and count at the end,
/// much faster than a hash set at a million rows (8 bytes an occurrence).
fn distinct(values: &[u64]) -> u64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.dedup();
    v.len() as u64
}
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHash>>;

// ---------------------------------------------------------------------------------------
// Tally: the truth, from what was generated

#[derive(Default)]
struct Count {
    candidates: u64,
    valid: u64,
    invalid: [u64; 5],
}

struct Tally<'p> {
    records: u64,
    with_candidates: u64,
    with_valid_nik: u64,
    confirmed: u64,
    by_birth_date: u64,
    by_card: u64,
    nik: Count,
    damaged: u64,
    female: u64,
    male: u64,
    provinces: [u64; 100],
    bd_agree: u64,
    bd_disagree: u64,
    sex_agree: u64,
    sex_disagree: u64,
    kk: Count,
    card: Count,
    restored: u64,
    phone: Count,
    email: Count,
    operators: FastMap<&'p str, u64>,
    classes: FastMap<&'p str, u64>,
    nik_vals: Vec<u64>,
    kk_vals: Vec<u64>,
    card_vals: Vec<u64>,
    phone_vals: Vec<u64>,
    email_set: FastSet<Vec<u8>>,
}

impl Tally<'_> {
    fn new() -> Self {
        Tally {
            records: 0,
            with_candidates: 0,
            with_valid_nik: 0,
            confirmed: 0,
            by_birth_date: 0,
            by_card: 0,
            nik: Count::default(),
            damaged: 0,
            female: 0,
            male: 0,
            provinces: [0; 100],
            bd_agree: 0,
            bd_disagree: 0,
            sex_agree: 0,
            sex_disagree: 0,
            kk: Count::default(),
            card: Count::default(),
            restored: 0,
            phone: Count::default(),
            email: Count::default(),
            operators: FastMap::default(),
            classes: FastMap::default(),
            nik_vals: Vec::new(),
            kk_vals: Vec::new(),
            card_vals: Vec::new(),
            phone_vals: Vec::new(),
            email_set: FastSet::default(),
        }
    }

    fn to_json(&self, rows: u64, seed: u64) -> Value {
        fn reasons(c: &Count, names: &[&str]) -> Value {
            let mut m = Map::new();
            for (i, n) in names.iter().enumerate() {
                m.insert(n.to_string(), json!(c.invalid[i]));
            }
            Value::Object(m)
        }
        fn nonzero(map: &FastMap<&str, u64>) -> Value {
            let sorted: BTreeMap<&str, u64> = map
                .iter()
                .filter(|(_, &n)| n > 0)
                .map(|(&k, &n)| (k, n))
                .collect();
            let mut m = Map::new();
            for (k, n) in sorted {
                m.insert(k.to_string(), json!(n));
            }
            Value::Object(m)
        }
        let mut provinces = Map::new();
        for (code, &n) in self.provinces.iter().enumerate() {
            if n > 0 {
                provinces.insert(format!("{code:02}"), json!(n));
            }
        }
        json!({
            "schema": TRUTH_SCHEMA,
            "rows": rows,
            "seed": seed,
            "ledger": {"entries": 2, "scanned": 1, "skipped": 1, "partial": 0, "failed": 0},
            "records": {
                "total": self.records,
                "with_candidates": self.with_candidates,
                "with_valid_nik": self.with_valid_nik,
                "confirmed": self.confirmed,
                "confirmed_by": {
                    "birth_date": self.by_birth_date,
                    "bpjs_card": self.by_card,
                    "reference": 0,
                },
            },
            "identifiers": {
                "nik": {
                    "candidates": self.nik.candidates,
                    "valid": self.nik.valid,
                    "unique": distinct(&self.nik_vals),
                    "invalid": reasons(&self.nik, &NIK_REASONS),
                    "damaged": self.damaged,
                    "female": self.female,
                    "male": self.male,
                    "provinces": Value::Object(provinces),
                    "birth_date_agree": self.bd_agree,
                    "birth_date_disagree": self.bd_disagree,
                    "sex_agree": self.sex_agree,
                    "sex_disagree": self.sex_disagree,
                },
                "kk": {
                    "candidates": self.kk.candidates,
                    "valid": self.kk.valid,
                    "unique": distinct(&self.kk_vals),
                    "invalid": reasons(&self.kk, &KK_REASONS),
                },
                "bpjs_card": {
                    "candidates": self.card.candidates,
                    "valid": self.card.valid,
                    "unique": distinct(&self.card_vals),
                    "invalid": reasons(&self.card, &["zeros"]),
                    "restored": self.restored,
                },
                "phone": {
                    "candidates": self.phone.candidates,
                    "valid": self.phone.valid,
                    "unique": distinct(&self.phone_vals),
                    "invalid": reasons(&self.phone, &["not_mobile"]),
                    "operators": nonzero(&self.operators),
                },
                "email": {
                    "candidates": self.email.candidates,
                    "valid": self.email.valid,
                    "unique": self.email_set.len(),
                    "invalid": reasons(&self.email, &["syntax"]),
                    "domain_classes": nonzero(&self.classes),
                },
            },
        })
    }
}

/// What one record holds, for the record-level counts.
#[derive(Default)]
struct Rec {
    any: bool,
    /// The record's valid NIK (all its valid NIKs are the same one): date and sex.
    nik: Option<(Triple, bool)>,
    card: bool,
    /// Readings of TGLLHR (two for 8 digits), when it holds a date.
    birth: Option<[Option<Triple>; 2]>,
    /// JENKEL read: female?
    sex: Option<bool>,
}

/// Which forms and decoys were written: the unit tests check that every one appears.
#[derive(Default, Debug)]
struct Coverage {
    nik_forms: [u64; 9],
    /// province, regency, district, birth_date ×7 (30-day month, 29 Feb, day 32–40,
    /// day > 71, month, day 00, 30 Feb), serial, damaged, empty.
    nik_decoys: [u64; 13],
    /// province, regency, district, date ×5, serial.
    kk_decoys: [u64; 9],
    date_forms: [u64; 11],
    month_sets: [u64; 4],
    date_mismatch: u64,
    sex_values: [u64; 10],
    sex_mismatch: u64,
    /// prefix `0`, `62`, `+62`
    phone_prefixes: [u64; 3],
    /// none, space, `-`, `.`, `(0)`, after the prefix
    phone_seps: [u64; 6],
    /// 0800, 0804, 0809, 084x, 13 national digits, 14, 8
    phone_bad: [u64; 7],
    phone_short: u64,
    email_bad: [u64; 5],
    email_case: [u64; 3],
    /// 10, 11, 12 digits
    card_restored: [u64; 3],
    card_zeros: u64,
    /// empty, remark, KK, card, NIK, phone, e-mail
    remarks: [u64; 7],
    /// plain, commas, newline, quotes
    addresses: [u64; 4],
    sparse: u64,
    duplicates: u64,
}

// ---------------------------------------------------------------------------------------
// Region tables derived once from the patterns

struct Tables<'p> {
    districts: Vec<u32>,
    /// Papua districts of the pre-2022 codes (91xxxx/92xxxx) missing from the newest edition.
    old_papua: Vec<u32>,
    /// Two-digit codes that are no province (and do not start a phone: not 0x, 6x, 8x).
    bad_provinces: Vec<u32>,
    /// `PPRR` of a real province and no regency.
    bad_regencies: Vec<u32>,
    /// `PPRRDD` of a real regency and no district.
    bad_districts: Vec<u32>,
    /// Cumulative domain weights and the class of each domain.
    domain_cum: Vec<u32>,
    domain_class: Vec<&'p str>,
}

impl<'p> Tables<'p> {
    fn new(p: &'p Patterns) -> Result<Self> {
        let r = &p.regions;
        let districts = r.district_codes();
        if districts.is_empty() {
            bail!("the region table holds no district");
        }
        let old_papua = districts
            .iter()
            .copied()
            .filter(|&d| matches!(d / 10_000, 91 | 92))
            .filter(|&d| {
                r.name(&format!("{d:06}"))
                    .is_some_and(|n| !n.editions.contains("2025"))
            })
            .collect();
        let bad_provinces = (10..100)
            .filter(|&pp| !r.has_province(pp) && !matches!(pp / 10, 6 | 8))
            .collect();
        let mut provinces: Vec<u32> = districts.iter().map(|d| d / 10_000).collect();
        provinces.dedup();
        let mut bad_regencies = Vec::new();
        for &pp in &provinces {
            for rr in 1..100 {
                if !r.has_regency(pp * 100 + rr) {
                    bad_regencies.push(pp * 100 + rr);
                }
            }
        }
        let mut regencies: Vec<u32> = districts.iter().map(|d| d / 100).collect();
        regencies.dedup();
        let mut bad_districts = Vec::new();
        for &reg in regencies.iter().filter(|&&reg| r.has_regency(reg)) {
            let mut n = 0;
            for dd in (1..100).rev() {
                if n < 3 && !r.has_district(reg * 100 + dd) {
                    bad_districts.push(reg * 100 + dd);
                    n += 1;
                }
            }
        }
        let mut domain_cum = Vec::new();
        let mut total = 0;
        for (_, w) in DOMAINS {
            total += w;
            domain_cum.push(total);
        }
        let domain_class = DOMAINS.iter().map(|(d, _)| p.domain_class(d)).collect();
        Ok(Tables {
            districts,
            old_papua,
            bad_provinces,
            bad_regencies,
            bad_districts,
            domain_cum,
            domain_class,
        })
    }
}

// ---------------------------------------------------------------------------------------
// The generator

const RING: usize = 1024;

struct Gen<'p> {
    #[cfg_attr(not(debug_assertions), allow(dead_code))]
    p: &'p Patterns,
    rng: Rng,
    tb: Tables<'p>,
    /// Recent people, for duplicate rows.
    ring: Vec<Person>,
    ring_next: usize,
    fam: Family,
    fam_members: u8,
    head_female: bool,
    head_year: u16,
    t: Tally<'p>,
    cov: Coverage,
    scratch: Vec<u8>,
}

impl<'p> Gen<'p> {
    fn new(p: &'p Patterns, seed: u64) -> Result<Self> {
        Ok(Gen {
            p,
            rng: Rng::new(seed),
            tb: Tables::new(p)?,
            ring: Vec::with_capacity(RING),
            ring_next: 0,
            fam: Family::default(),
            fam_members: 0,
            head_female: false,
            head_year: 1970,
            t: Tally::new(),
            cov: Coverage::default(),
            scratch: Vec::with_capacity(128),
        })
    }

    // --- people ---------------------------------------------------------------------

    fn serial(&mut self) -> u16 {
        if self.rng.below(4) == 0 {
            self.rng.range(1, 9999) as u16
        } else {
            self.rng.range(1, 400) as u16
        }
    }

    fn new_family(&mut self) -> Family {
        let district = if !self.tb.old_papua.is_empty() && self.rng.mille() < 30 {
            self.rng.pick(&self.tb.old_papua)
        } else {
            self.rng.pick(&self.tb.districts)
        };
        let year = self.rng.range(2000, 2023) as u16;
        let month = self.rng.range(1, 12) as u8;
        let day = self.rng.range(1, real_days(month, year) as u64) as u8;
        let kk_serial = self.serial();
        let surname = if self.rng.below(100) < 15 {
            NO_SURNAME
        } else {
            self.rng.below(SURNAMES.len() as u64) as u16
        };
        Family {
            district,
            kk_day: day,
            kk_month: month,
            kk_yy: (year % 100) as u8,
            kk_serial,
            surname,
            street: self.rng.below(STREETS.len() as u64) as u8,
            house: self.rng.range(1, 250) as u8,
            rt: self.rng.range(1, 20) as u8,
            rw: self.rng.range(1, 15) as u8,
            kel: self.rng.below(PLACES.len() as u64) as u8,
            kec: self.rng.below(PLACES.len() as u64) as u8,
            city: self.rng.below(CITIES.len() as u64) as u8,
            postal: self.rng.range(10_000, 99_999) as u32,
            kantor: self.rng.below(KANTOR.len() as u64) as u8,
        }
    }

    fn card_number(&mut self) -> u64 {
        let r = self.rng.below(100);
        let len = match r {
            0..=69 => 10,
            70..=81 => 11,
            82..=89 => 12,
            _ => 13,
        };
        let first = self.rng.pick(&SAFE_DIGITS) as u64;
        let rest = 10u64.pow(len - 1);
        first * rest + self.rng.below(rest)
    }

    fn new_person(&mut self) -> Person {
        let join = self.fam_members > 0 && self.fam_members < 6 && self.rng.below(100) < 30;
        if !join {
            self.fam = self.new_family();
            self.fam_members = 0;
        }
        let hub = match self.fam_members {
            0 => 1,
            1 => 2,
            _ => 3,
        };
        self.fam_members += 1;
        let female = match hub {
            1 => self.rng.below(100) < 15,
            2 => !self.head_female,
            _ => self.rng.below(2) == 0,
        };
        let year = match hub {
            1 | 2 => self.rng.range(1940, 1995) as u16,
            _ => {
                let lo = (self.head_year + 18).min(2023);
                let hi = (self.head_year + 45).min(2023);
                self.rng.range(lo as u64, hi as u64) as u16
            }
        };
        if hub == 1 {
            self.head_female = female;
            self.head_year = year;
        }
        let month = self.rng.range(1, 12) as u8;
        let day = self.rng.range(1, real_days(month, year) as u64) as u8;
        let names = if female { FEMALE_NAMES } else { MALE_NAMES };
        let first = self.rng.below(names.len() as u64) as u8;
        let serial = self.serial();
        let card = self.card_number();
        let prefix = if self.rng.below(100) < 6 {
            self.rng.pick(OTHER_PREFIXES)
        } else {
            self.rng.pick(MOBILE_PREFIXES)
        };
        let phone_len = match self.rng.below(100) {
            0..=2 => 9,
            3..=22 => 10,
            23..=67 => 11,
            _ => 12,
        };
        let rest = 10u64.pow(phone_len - 3);
        let phone = prefix as u64 * rest + self.rng.below(rest);
        let r = self.rng.below(*self.tb.domain_cum.last().unwrap() as u64) as u32;
        let mail_domain = self.tb.domain_cum.iter().position(|&c| r < c).unwrap() as u8;
        let mail_style = self.rng.below(6) as u8;
        let mail_num = if self.rng.below(2) == 0 {
            year % 100
        } else {
            self.rng.range(1, 9999) as u16
        };
        let npwp = if hub == 1 && self.rng.below(100) < 40 {
            (0..15).fold(0u64, |acc, _| acc * 10 + self.rng.pick(&SAFE_DIGITS) as u64)
        } else {
            0
        };
        Person {
            fam: self.fam,
            hub,
            first,
            female,
            day,
            month,
            year,
            serial,
            card,
            phone,
            phone_len: phone_len as u8,
            mail_style,
            mail_num,
            mail_domain,
            npwp,
        }
    }

    // --- one row --------------------------------------------------------------------

    fn row(&mut self, f: &mut [Vec<u8>; NCOLS]) {
        for v in f.iter_mut() {
            v.clear();
        }
        let mut rec = Rec::default();
        let per = if !self.ring.is_empty() && self.rng.mille() < 50 {
            self.cov.duplicates += 1;
            self.ring[self.rng.below(self.ring.len() as u64) as usize]
        } else {
            let p = self.new_person();
            if self.ring.len() < RING {
                self.ring.push(p);
            } else {
                self.ring[self.ring_next] = p;
                self.ring_next = (self.ring_next + 1) % RING;
            }
            p
        };
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
        if per.npwp != 0 {
            npwp(&mut f[NPWP], per.npwp);
        }
        self.email_field(&per, sparse, &mut f[EMAIL], &mut rec);
        push_num(&mut f[KDHUBKEL], per.hub as u64, 1);
        f[KDKANTOR].extend_from_slice(KANTOR[per.fam.kantor as usize].as_bytes());
        f[FLAG].push(if per.hub == 1 { b'0' } else { b'1' });
        self.address(&per, &mut f[ALAMAT]);
        self.remark(&per, sparse, nik, &mut f[KETERANGAN], &mut rec);

        // Record-level counts (SPEC §6).
        let t = &mut self.t;
        t.records += 1;
        if rec.any {
            t.with_candidates += 1;
        }
        if let Some((date, female)) = rec.nik {
            t.with_valid_nik += 1;
            let by_birth = rec
                .birth
                .is_some_and(|r| r.iter().flatten().any(|&x| x == date));
            if rec.birth.is_some() {
                if by_birth {
                    t.bd_agree += 1;
                } else {
                    t.bd_disagree += 1;
                }
            }
            if let Some(s) = rec.sex {
                if s == female {
                    t.sex_agree += 1;
                } else {
                    t.sex_disagree += 1;
                }
            }
            if by_birth {
                t.by_birth_date += 1;
            }
            if rec.card {
                t.by_card += 1;
            }
            if by_birth || rec.card {
                t.confirmed += 1;
            }
        }
    }

    // --- NIK ------------------------------------------------------------------------

    /// NIK field. Returns the NIK when the field holds a valid one.
    fn nik_field(
        &mut self,
        per: &Person,
        sparse: bool,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) -> Option<u64> {
        let plus = if per.female { 40 } else { 0 };
        let mut district = per.fam.district;
        let (mut dd, mut mm, mut yy) = (per.day as u32 + plus, per.month as u32, per.yy() as u32);
        let mut serial = per.serial as u32;
        let r = self.rng.mille();
        let valid_digits = digits16(sixteen(district, dd, mm, yy, serial));
        let decoy: Option<usize> = match r {
            _ if sparse => {
                if r < 500 {
                    self.damaged(&valid_digits, buf);
                } else {
                    self.cov.nik_decoys[12] += 1;
                }
                return None;
            }
            0..=4 if !self.tb.bad_provinces.is_empty() => {
                district = self.rng.pick(&self.tb.bad_provinces) * 10_000 + district % 10_000;
                Some(0)
            }
            5..=9 if !self.tb.bad_regencies.is_empty() => {
                district = self.rng.pick(&self.tb.bad_regencies) * 100 + district % 100;
                Some(1)
            }
            10..=14 if !self.tb.bad_districts.is_empty() => {
                district = self.rng.pick(&self.tb.bad_districts);
                Some(2)
            }
            15..=44 => {
                let sub = self.rng.below(7) as usize;
                match sub {
                    0 => {
                        mm = self.rng.pick(&[4, 6, 9, 11]);
                        dd = 31 + plus;
                    }
                    1 => {
                        mm = 2;
                        dd = 29 + plus;
                        if yy % 4 == 0 {
                            yy = (yy + self.rng.range(1, 3) as u32) % 100;
                        }
                    }
                    2 => dd = self.rng.range(32, 40) as u32,
                    3 => dd = self.rng.range(72, 99) as u32,
                    4 => {
                        mm = if self.rng.below(8) == 0 {
                            0
                        } else {
                            self.rng.range(13, 19) as u32
                        }
                    }
                    5 => dd = 0,
                    _ => {
                        mm = 2;
                        dd = 30 + plus;
                    }
                }
                Some(3 + sub)
            }
            45..=49 => {
                serial = 0;
                Some(10)
            }
            50..=64 => {
                self.damaged(&valid_digits, buf);
                return None;
            }
            65..=74 => {
                self.cov.nik_decoys[12] += 1;
                return None;
            }
            _ => None,
        };
        let value = sixteen(district, dd, mm, yy, serial);
        let d = digits16(value);
        let form = self.nik_form();
        push_sixteen(buf, &d, form);
        self.cov.nik_forms[form] += 1;
        match decoy {
            Some(k) => {
                self.cov.nik_decoys[k] += 1;
                let reason = match k {
                    0..=2 => k,
                    3..=9 => 3,
                    _ => 4,
                };
                self.count_nik(value, Err(reason), per, rec);
                None
            }
            None => {
                self.count_nik(value, Ok(()), per, rec);
                Some(value)
            }
        }
    }

    fn nik_form(&mut self) -> usize {
        match self.rng.below(100) {
            0..=49 => 0,
            50..=59 => 1,
            60..=69 => 2,
            70..=74 => 3,
            75..=79 => 4,
            80..=84 => 5,
            85..=89 => 6,
            90..=94 => 7,
            _ => 8,
        }
    }

    /// `3.17101E+15`: what a spreadsheet leaves of a 16-digit number. At most 7 digits, so
    /// it is no phone either.
    fn damaged(&mut self, d: &[u8; 16], buf: &mut Vec<u8>) {
        self.cov.nik_decoys[11] += 1;
        self.t.damaged += 1;
        buf.push(d[0]);
        let k = self.rng.pick(&[0usize, 4, 5, 5, 5, 5, 6]);
        if k > 0 {
            buf.push(if self.rng.below(5) == 0 { b',' } else { b'.' });
            buf.extend_from_slice(&d[1..1 + k]);
        }
        buf.extend_from_slice(
            self.rng
                .pick(&[&b"E+15"[..], b"E+15", b"E+15", b"e+15", b"E15"]),
        );
    }

    fn count_nik(&mut self, value: u64, verdict: Result<(), usize>, per: &Person, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        {
            let got = validate::nik(&digits16(value), self.p);
            let want = verdict.err().map(|k| NIK_REASONS[k]);
            debug_assert_eq!(got.reason(), want, "generated NIK {value:016}");
        }
        rec.any = true;
        let t = &mut self.t;
        t.nik.candidates += 1;
        match verdict {
            Ok(()) => {
                t.nik.valid += 1;
                t.nik_vals.push(value);
                if per.female {
                    t.female += 1;
                } else {
                    t.male += 1;
                }
                t.provinces[(value / 100_000_000_000_000) as usize] += 1;
                rec.nik = Some(((per.day, per.month, per.yy()), per.female));
            }
            Err(k) => t.nik.invalid[k] += 1,
        }
    }

    // --- KK -------------------------------------------------------------------------

    fn family_kk(fam: &Family) -> u64 {
        sixteen(
            fam.district,
            fam.kk_day as u32,
            fam.kk_month as u32,
            fam.kk_yy as u32,
            fam.kk_serial as u32,
        )
    }

    fn kk_field(&mut self, per: &Person, sparse: bool, buf: &mut Vec<u8>, rec: &mut Rec) {
        let fam = &per.fam;
        let r = self.rng.mille();
        if sparse || (60..120).contains(&r) {
            return;
        }
        if r >= 120 {
            let value = Self::family_kk(fam);
            push_num(buf, value, 16);
            self.count_kk(value, None, rec);
            return;
        }
        let mut district = fam.district;
        let (mut dd, mut mm, mut yy, mut serial) = (
            fam.kk_day as u32,
            fam.kk_month as u32,
            fam.kk_yy as u32,
            fam.kk_serial as u32,
        );
        // Half the decoys break the date, which has five ways to fail.
        let mut kind = self.rng.pick(&[0, 1, 2, 3, 3, 3, 3, 4]);
        match kind {
            0 if !self.tb.bad_provinces.is_empty() => {
                district = self.rng.pick(&self.tb.bad_provinces) * 10_000 + district % 10_000
            }
            1 if !self.tb.bad_regencies.is_empty() => {
                district = self.rng.pick(&self.tb.bad_regencies) * 100 + district % 100
            }
            2 if !self.tb.bad_districts.is_empty() => {
                district = self.rng.pick(&self.tb.bad_districts)
            }
            0..=2 => kind = 4,
            _ => {}
        }
        let cov;
        match kind {
            0..=2 => cov = kind,
            3 => {
                let sub = self.rng.below(5) as usize;
                match sub {
                    // A NIK-style woman's day: no +40 on a KK.
                    0 => dd += 40,
                    1 => dd = self.rng.range(32, 40) as u32,
                    2 => {
                        mm = self.rng.pick(&[4, 6, 9, 11]);
                        dd = 31;
                    }
                    3 => {
                        mm = 2;
                        dd = 29;
                        if yy % 4 == 0 {
                            yy = (yy + self.rng.range(1, 3) as u32) % 100;
                        }
                    }
                    _ => mm = self.rng.range(13, 19) as u32,
                }
                cov = 3 + sub;
            }
            _ => {
                serial = 0;
                cov = 8;
            }
        }
        self.cov.kk_decoys[cov] += 1;
        let value = sixteen(district, dd, mm, yy, serial);
        push_num(buf, value, 16);
        self.count_kk(value, Some(kind), rec);
    }

    fn count_kk(&mut self, value: u64, reason: Option<usize>, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        {
            let got = validate::kk(&digits16(value), self.p);
            debug_assert_eq!(
                got.reason(),
                reason.map(|k| KK_REASONS[k]),
                "KK {value:016}"
            );
        }
        rec.any = true;
        self.t.kk.candidates += 1;
        match reason {
            None => {
                self.t.kk.valid += 1;
                self.t.kk_vals.push(value);
            }
            Some(k) => self.t.kk.invalid[k] += 1,
        }
    }

    // --- BPJS card ------------------------------------------------------------------

    fn card_fields(&mut self, per: &Person, sparse: bool, f: &mut [Vec<u8>; NCOLS], rec: &mut Rec) {
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
            let other = self.card_number();
            self.card_value(other, short, &mut f[NOKA], rec);
        } else {
            self.card_value(per.card, short, &mut f[NOKA], rec);
        }
    }

    fn zeros_card(&mut self, buf: &mut Vec<u8>, rec: &mut Rec) {
        self.cov.card_zeros += 1;
        buf.extend_from_slice(b"0000000000000");
        rec.any = true;
        self.t.card.candidates += 1;
        self.t.card.invalid[0] += 1;
    }

    /// A card in a card field: 13 digits, or without its leading zeros when `short`.
    fn card_value(&mut self, card: u64, short: bool, buf: &mut Vec<u8>, rec: &mut Rec) {
        let restored = short && card < 1_000_000_000_000;
        if restored {
            push_num(buf, card, 0);
            self.cov.card_restored[buf.len() - 10] += 1;
            self.t.restored += 1;
        } else {
            push_num(buf, card, 13);
        }
        self.count_card(card, rec);
    }

    fn count_card(&mut self, card: u64, rec: &mut Rec) {
        debug_assert!(card != 0 && card >= 1_000_000_000);
        rec.any = true;
        rec.card = true;
        self.t.card.candidates += 1;
        self.t.card.valid += 1;
        self.t.card_vals.push(card);
    }

    // --- phone ----------------------------------------------------------------------

    fn phone_field(&mut self, per: &Person, sparse: bool, buf: &mut Vec<u8>, rec: &mut Rec) {
        let r = self.rng.mille();
        let mut nat = [0u8; 14];
        if sparse || (50..80).contains(&r) {
            if sparse && r < 500 {
                return;
            }
            // Too short to be a candidate: 8 and 5 or 6 more digits.
            self.cov.phone_short += 1;
            let len = self.rng.range(6, 7) as usize;
            digits_n(per.phone, per.phone_len as usize, &mut nat);
            self.render_phone(buf, &nat[..len], true);
            return;
        }
        if (80..150).contains(&r) {
            return;
        }
        if r < 50 {
            let sub = self.rng.below(7) as usize;
            self.cov.phone_bad[sub] += 1;
            let mut own = [0u8; 14];
            digits_n(per.phone, per.phone_len as usize, &mut own);
            let len = match sub {
                0..=3 => 10,
                4 => 13,
                5 => 14,
                _ => 8,
            };
            match sub {
                0 => nat[..3].copy_from_slice(b"800"),
                1 => nat[..3].copy_from_slice(b"804"),
                2 => nat[..3].copy_from_slice(b"809"),
                3 => {
                    nat[..2].copy_from_slice(b"84");
                    nat[2] = b'0' + self.rng.below(10) as u8;
                }
                _ => nat[..3].copy_from_slice(&own[..3]),
            }
            for d in nat.iter_mut().take(len).skip(3) {
                *d = b'0' + self.rng.below(10) as u8;
            }
            // A 13- or 14-digit national number only after `0`: `62` + 14 digits would be
            // a 16-digit run, a NIK.
            self.render_phone(buf, &nat[..len], sub < 4 || sub == 6);
            self.count_phone(&nat[..len], false, rec);
            return;
        }
        let len = per.phone_len as usize;
        digits_n(per.phone, len, &mut nat);
        self.render_phone(buf, &nat[..len], true);
        self.count_phone(&nat[..len], true, rec);
    }

    /// Writes a phone: prefix `0`, `62` or `+62`, then the national digits in groups of
    /// 3, 4 and the rest, with one kind of separator (or none) and maybe `(0)`.
    fn render_phone(&mut self, buf: &mut Vec<u8>, nat: &[u8], allow_62: bool) {
        let prefix = if allow_62 {
            match self.rng.below(100) {
                0..=54 => 0,
                55..=69 => 1,
                _ => 2,
            }
        } else {
            0
        };
        self.cov.phone_prefixes[prefix] += 1;
        buf.extend_from_slice([&b"0"[..], b"62", b"+62"][prefix]);
        let sep = match self.rng.below(100) {
            0..=44 => 0u8,
            45..=69 => b' ',
            70..=89 => b'-',
            _ => b'.',
        };
        self.cov.phone_seps[match sep {
            0 => 0,
            b' ' => 1,
            b'-' => 2,
            _ => 3,
        }] += 1;
        if prefix > 0 && self.rng.below(100) < 15 {
            self.cov.phone_seps[4] += 1;
            buf.extend_from_slice(self.rng.pick(&[&b"(0)"[..], b" (0)", b"(0) ", b" (0) "]));
        } else if sep != 0 && self.rng.below(100) < if prefix == 0 { 5 } else { 50 } {
            self.cov.phone_seps[5] += 1;
            buf.push(if self.rng.below(2) == 0 { b' ' } else { sep });
        }
        let (a, rest) = nat.split_at(3.min(nat.len()));
        buf.extend_from_slice(a);
        let (b, c) = rest.split_at(4.min(rest.len()));
        for g in [b, c] {
            if !g.is_empty() {
                if sep != 0 {
                    buf.push(sep);
                }
                buf.extend_from_slice(g);
            }
        }
    }

    fn count_phone(&mut self, nat: &[u8], valid: bool, rec: &mut Rec) {
        let s = std::str::from_utf8(nat).expect("digits");
        #[cfg(debug_assertions)]
        debug_assert_eq!(
            validate::phone(s.as_bytes(), self.p).is_valid(),
            valid,
            "generated phone national {s}"
        );
        rec.any = true;
        self.t.phone.candidates += 1;
        if valid {
            self.t.phone.valid += 1;
            // The leading 1 keeps numbers of different lengths apart.
            self.t
                .phone_vals
                .push(nat.iter().fold(1u64, |a, &d| a * 10 + (d - b'0') as u64));
            *self.t.operators.entry(self.p.operator(s)).or_insert(0) += 1;
        } else {
            self.t.phone.invalid[0] += 1;
        }
    }

    // --- e-mail ---------------------------------------------------------------------

    fn email_field(&mut self, per: &Person, sparse: bool, buf: &mut Vec<u8>, rec: &mut Rec) {
        let r = self.rng.mille();
        if sparse || (40..250).contains(&r) {
            return;
        }
        let domain = DOMAINS[per.mail_domain as usize].0.as_bytes();
        if r < 40 {
            let sub = self.rng.below(5) as usize;
            self.cov.email_bad[sub] += 1;
            let first = first_name(per).as_bytes();
            match sub {
                0 => {
                    lower_into(buf, first);
                    buf.extend_from_slice(b"..");
                    lower_into(buf, surname_or(per, "x").as_bytes());
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
                    buf.extend_from_slice(
                        &domain[..domain.iter().position(|&b| b == b'.').unwrap()],
                    );
                    buf.extend_from_slice(b".c");
                }
                _ => {
                    lower_into(buf, first);
                    buf.push(b'@');
                    buf.extend_from_slice(
                        &domain[..domain.iter().position(|&b| b == b'.').unwrap()],
                    );
                    buf.extend_from_slice(b".c0m");
                }
            }
            self.count_email(buf, None, rec);
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
        let class = self.tb.domain_class[per.mail_domain as usize];
        let mut addr = std::mem::take(&mut self.scratch);
        addr.clear();
        addr.extend_from_slice(&buf[start..]);
        self.count_email(&addr, Some(class), rec);
        self.scratch = addr;
    }

    fn count_email(&mut self, addr: &[u8], class: Option<&'p str>, rec: &mut Rec) {
        #[cfg(debug_assertions)]
        {
            let s = String::from_utf8_lossy(addr);
            debug_assert_eq!(
                validate::email(addr, self.p).reason(),
                if class.is_some() {
                    None
                } else {
                    Some("syntax")
                },
                "generated e-mail {s}"
            );
        }
        rec.any = true;
        self.t.email.candidates += 1;
        match class {
            Some(c) => {
                self.t.email.valid += 1;
                let mut lower = [0u8; 128];
                let n = addr.len().min(128);
                for (o, b) in lower.iter_mut().zip(addr) {
                    *o = b.to_ascii_lowercase();
                }
                if !self.t.email_set.contains(&lower[..n]) {
                    self.t.email_set.insert(lower[..n].to_vec());
                }
                *self.t.classes.entry(c).or_insert(0) += 1;
            }
            None => self.t.email.invalid[0] += 1,
        }
    }

    // --- birth date and sex ---------------------------------------------------------

    fn birth_date(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let r = self.rng.mille();
        if (25..50).contains(&r) {
            return;
        }
        let form = match self.rng.below(100) {
            0..=29 => 0,
            30..=39 => 1,
            40..=51 => 2,
            52..=63 => 3,
            64..=68 => 4,
            69..=76 => 5,
            77..=81 => 6,
            82..=86 => 7,
            87..=91 => 8,
            92..=95 => 9,
            _ => 10,
        };
        self.cov.date_forms[form] += 1;
        let own: Triple = (per.day, per.month, per.yy());
        if r >= 50 {
            self.render_date(buf, form, per.day, per.month, per.year);
            rec.birth = Some(readings(buf, form, own));
            return;
        }
        // A different real date, neither of whose readings is the NIK's date.
        self.cov.date_mismatch += 1;
        let start = buf.len();
        loop {
            let (d, m, y) = if self.rng.below(2) == 0 {
                let y = self.rng.range(1940, 2023) as u16;
                (per.day.min(real_days(per.month, y)), per.month, y)
            } else {
                let y = self.rng.range(1940, 2023) as u16;
                let m = self.rng.range(1, 12) as u8;
                (self.rng.range(1, real_days(m, y) as u64) as u8, m, y)
            };
            buf.truncate(start);
            self.render_date(buf, form, d, m, y);
            let rd = readings(buf, form, (d, m, (y % 100) as u8));
            if !rd.iter().flatten().any(|&x| x == own) {
                rec.birth = Some(rd);
                return;
            }
        }
    }

    fn render_date(&mut self, buf: &mut Vec<u8>, form: usize, d: u8, m: u8, y: u16) {
        let (d, m, y) = (d as u64, m as u64, y as u64);
        match form {
            0 | 1 => {
                push_num(buf, y, 4);
                buf.push(b'-');
                push_num(buf, m, 2);
                buf.push(b'-');
                push_num(buf, d, 2);
                if form == 1 {
                    let (hh, mi, ss) = if self.rng.below(100) < 80 {
                        (0, 0, 0)
                    } else {
                        (self.rng.below(24), self.rng.below(60), self.rng.below(60))
                    };
                    buf.push(b' ');
                    push_num(buf, hh, 2);
                    buf.push(b':');
                    push_num(buf, mi, 2);
                    buf.push(b':');
                    push_num(buf, ss, 2);
                }
            }
            2..=4 => {
                let sep = [b'-', b'/', b'.'][form - 2];
                push_num(buf, d, 2);
                buf.push(sep);
                push_num(buf, m, 2);
                buf.push(sep);
                push_num(buf, y, 4);
            }
            5 | 6 => {
                push_num(buf, d, 2);
                buf.push(b'-');
                self.month_word(buf, m as usize, true);
                buf.push(b'-');
                if form == 5 {
                    push_num(buf, y % 100, 2);
                } else {
                    push_num(buf, y, 4);
                }
            }
            7 | 8 => {
                push_num(buf, d, if form == 7 { 1 } else { 2 });
                buf.push(b' ');
                self.month_word(buf, m as usize, false);
                buf.push(b' ');
                push_num(buf, y, 4);
            }
            9 => {
                push_num(buf, d, 2);
                push_num(buf, m, 2);
                push_num(buf, y, 4);
            }
            _ => {
                push_num(buf, y, 4);
                push_num(buf, m, 2);
                push_num(buf, d, 2);
            }
        }
    }

    /// A month name or abbreviation, English or Indonesian, in upper, lower, title or
    /// mixed case. `abbrev_mostly` favours abbreviations (`DD-MON-YY`).
    fn month_word(&mut self, buf: &mut Vec<u8>, m: usize, abbrev_mostly: bool) {
        let set = match (abbrev_mostly, self.rng.below(10)) {
            (true, 0) => 0,
            (true, 1) => 2,
            (true, 2..=5) => 1,
            (true, _) => 3,
            (false, 0..=2) => 0,
            (false, 3..=4) => 1,
            (false, 5..=7) => 2,
            (false, _) => 3,
        };
        self.cov.month_sets[set] += 1;
        let word = match set {
            0 => MONTHS_EN[m - 1],
            1 => MON_EN[m - 1],
            2 => MONTHS_ID[m - 1],
            _ if m == 8 => self.rng.pick(&AUGUST_ID),
            _ => MON_ID[m - 1],
        };
        let start = buf.len();
        buf.extend_from_slice(word.as_bytes());
        match self.rng.below(10) {
            0..=3 => buf[start..].make_ascii_uppercase(),
            4..=5 => buf[start..].make_ascii_lowercase(),
            6..=8 => {}
            _ => {
                let bits = self.rng.next_u64();
                for (i, b) in buf[start..].iter_mut().enumerate() {
                    if bits >> (i % 64) & 1 == 1 {
                        b.make_ascii_uppercase();
                    } else {
                        b.make_ascii_lowercase();
                    }
                }
            }
        }
    }

    fn sex(&mut self, per: &Person, buf: &mut Vec<u8>, rec: &mut Rec) {
        let r = self.rng.mille();
        if (25..45).contains(&r) {
            return;
        }
        let female = if r < 25 {
            self.cov.sex_mismatch += 1;
            !per.female
        } else {
            per.female
        };
        let i = self.rng.below(5) as usize;
        let word = if female { SEX_FEMALE[i] } else { SEX_MALE[i] };
        self.cov.sex_values[i + if female { 5 } else { 0 }] += 1;
        let start = buf.len();
        buf.extend_from_slice(word.as_bytes());
        match self.rng.below(4) {
            0 => buf[start..].make_ascii_uppercase(),
            1 => buf[start..].make_ascii_lowercase(),
            _ => {}
        }
        rec.sex = Some(female);
    }

    // --- ordinary columns -----------------------------------------------------------

    fn name(&mut self, per: &Person, buf: &mut Vec<u8>) {
        buf.extend_from_slice(first_name(per).as_bytes());
        if per.fam.surname != NO_SURNAME {
            buf.push(b' ');
            buf.extend_from_slice(SURNAMES[per.fam.surname as usize].as_bytes());
        }
        if self.rng.below(100) < 60 {
            buf.make_ascii_uppercase();
        }
    }

    fn address(&mut self, per: &Person, buf: &mut Vec<u8>) {
        let fam = &per.fam;
        let street = STREETS[fam.street as usize].as_bytes();
        let kind = match self.rng.mille() {
            0..=9 => 2,
            10..=29 => 3,
            30..=379 => 0,
            _ => 1,
        };
        self.cov.addresses[kind] += 1;
        if kind == 3 {
            buf.extend_from_slice(b"Perum \"Griya ");
            buf.extend_from_slice(PLACES[fam.kel as usize].as_bytes());
            buf.extend_from_slice(b"\" Blok C No. ");
            push_num(buf, fam.house as u64, 0);
            buf.extend_from_slice(b", ");
            buf.extend_from_slice(CITIES[fam.city as usize].as_bytes());
            return;
        }
        buf.extend_from_slice(b"Jl. ");
        buf.extend_from_slice(street);
        buf.extend_from_slice(b" No. ");
        push_num(buf, fam.house as u64, 0);
        match kind {
            0 => {
                buf.extend_from_slice(b" RT ");
                push_num(buf, fam.rt as u64, 3);
                buf.extend_from_slice(b" RW ");
                push_num(buf, fam.rw as u64, 3);
                buf.push(b' ');
                buf.extend_from_slice(PLACES[fam.kel as usize].as_bytes());
                buf.make_ascii_uppercase();
            }
            _ => {
                buf.extend_from_slice(if kind == 2 { b"\n" } else { b", " });
                buf.extend_from_slice(b"RT ");
                push_num(buf, fam.rt as u64, 3);
                buf.extend_from_slice(b"/RW ");
                push_num(buf, fam.rw as u64, 3);
                buf.extend_from_slice(b", Kel. ");
                buf.extend_from_slice(PLACES[fam.kel as usize].as_bytes());
                buf.extend_from_slice(b", Kec. ");
                buf.extend_from_slice(PLACES[fam.kec as usize].as_bytes());
                buf.extend_from_slice(b", ");
                buf.extend_from_slice(CITIES[fam.city as usize].as_bytes());
                if self.rng.below(2) == 0 {
                    buf.push(b' ');
                    push_num(buf, fam.postal as u64, 5);
                }
            }
        }
    }

    /// KETERANGAN: usually empty or a remark; sometimes an identifier behind its keyword.
    fn remark(
        &mut self,
        per: &Person,
        sparse: bool,
        nik: Option<u64>,
        buf: &mut Vec<u8>,
        rec: &mut Rec,
    ) {
        let r = self.rng.mille();
        let mut kind = match r {
            0..=24 => 2,
            25..=49 => 3,
            50..=69 => 4,
            70..=84 => 5,
            85..=99 => 6,
            100..=299 => 1,
            _ => 0,
        };
        if sparse && kind > 1 {
            kind = 1;
        }
        if kind == 4 && nik.is_none() {
            kind = 1;
        }
        self.cov.remarks[kind] += 1;
        match kind {
            0 => {}
            1 => buf.extend_from_slice(self.rng.pick(REMARKS).as_bytes()),
            2 => {
                let value = Self::family_kk(&per.fam);
                let d = digits16(value);
                match self.rng.below(4) {
                    0 => {
                        buf.extend_from_slice(b"KK ");
                        buf.extend_from_slice(&d);
                    }
                    1 => {
                        buf.extend_from_slice(b"No KK: ");
                        buf.extend_from_slice(&d);
                    }
                    2 => {
                        buf.extend_from_slice(b"kartu keluarga ");
                        push_sixteen(buf, &d, 2);
                    }
                    _ => {
                        buf.extend_from_slice(b"No. KK ");
                        push_sixteen(buf, &d, 2);
                    }
                }
                self.count_kk(value, None, rec);
            }
            3 => {
                let kw = self.rng.pick(&[
                    &b"No kartu BPJS: "[..],
                    b"KIS ",
                    b"noka: ",
                    b"BPJS ",
                    b"Kartu ",
                ]);
                buf.extend_from_slice(kw);
                push_num(buf, per.card, 13);
                self.count_card(per.card, rec);
            }
            4 => {
                let value = nik.expect("checked above");
                let d = digits16(value);
                match self.rng.below(3) {
                    0 => {
                        buf.extend_from_slice(b"NIK: ");
                        push_sixteen(buf, &d, 2);
                    }
                    1 => {
                        buf.extend_from_slice(b"NIK ");
                        buf.extend_from_slice(&d);
                    }
                    _ => {
                        buf.extend_from_slice(b"No KTP: ");
                        buf.extend_from_slice(&d);
                    }
                }
                self.count_nik(value, Ok(()), per, rec);
            }
            5 => {
                buf.extend_from_slice(self.rng.pick(&[&b"Hubungi "[..], b"HP: ", b"telp. "]));
                let len = per.phone_len as usize;
                let mut nat = [0u8; 14];
                digits_n(per.phone, len, &mut nat);
                self.render_phone(buf, &nat[..len], true);
                self.count_phone(&nat[..len], true, rec);
            }
            _ => {
                buf.extend_from_slice(b"email: ");
                let start = buf.len();
                email_address(buf, per);
                let class = self.tb.domain_class[per.mail_domain as usize];
                let mut addr = std::mem::take(&mut self.scratch);
                addr.clear();
                addr.extend_from_slice(&buf[start..]);
                self.count_email(&addr, Some(class), rec);
                self.scratch = addr;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers

fn real_days(month: u8, year: u16) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        _ => 28,
    }
}

/// `PPRRDD ddmmyy ssss` as a number.
fn sixteen(district: u32, dd: u32, mm: u32, yy: u32, serial: u32) -> u64 {
    district as u64 * 10_000_000_000
        + dd as u64 * 100_000_000
        + mm as u64 * 1_000_000
        + yy as u64 * 10_000
        + serial as u64
}

fn digits16(v: u64) -> [u8; 16] {
    let mut d = [0u8; 16];
    digits_n(v, 16, &mut d);
    d
}

/// Writes `v` as `n` zero-padded digits into `out[..n]`.
fn digits_n(mut v: u64, n: usize, out: &mut [u8]) -> &[u8] {
    for i in (0..n).rev() {
        out[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    &out[..n]
}

/// `v` in decimal, zero-padded to at least `width` digits.
fn push_num(buf: &mut Vec<u8>, mut v: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for _ in tmp.len() - i..width {
        buf.push(b'0');
    }
    buf.extend_from_slice(&tmp[i..]);
}

fn grouped(buf: &mut Vec<u8>, d: &[u8], groups: &[usize], sep: u8) {
    let mut i = 0;
    for (k, &g) in groups.iter().enumerate() {
        if k > 0 {
            buf.push(sep);
        }
        buf.extend_from_slice(&d[i..i + g]);
        i += g;
    }
}

/// The forms of a 16-digit number in a NIK field; each leaves 16 digits once spaces, dots,
/// hyphens and one leading `'` are removed.
fn push_sixteen(buf: &mut Vec<u8>, d: &[u8; 16], form: usize) {
    const FOUR: &[usize] = &[4, 4, 4, 4];
    match form {
        0 => buf.extend_from_slice(d),
        1 => {
            buf.push(b'\'');
            buf.extend_from_slice(d);
        }
        2 => grouped(buf, d, FOUR, b' '),
        3 => grouped(buf, d, FOUR, b'.'),
        4 => grouped(buf, d, FOUR, b'-'),
        5 => {
            buf.push(b'\'');
            grouped(buf, d, FOUR, b'-');
        }
        6 => {
            buf.push(b'\'');
            grouped(buf, d, FOUR, b' ');
        }
        // The official layout PP.RR.DD.DDMMYY.SSSS.
        7 => grouped(buf, d, &[2, 2, 2, 6, 4], b'.'),
        _ => grouped(buf, d, &[6, 6, 4], b'-'),
    }
}

/// NPWP `12.345.678.9-123.456`, digits without 0, 6 or 8 so no group starts a phone.
fn npwp(buf: &mut Vec<u8>, v: u64) {
    let mut d = [0u8; 15];
    digits_n(v, 15, &mut d);
    buf.extend_from_slice(&d[0..2]);
    buf.push(b'.');
    buf.extend_from_slice(&d[2..5]);
    buf.push(b'.');
    buf.extend_from_slice(&d[5..8]);
    buf.push(b'.');
    buf.push(d[8]);
    buf.push(b'-');
    buf.extend_from_slice(&d[9..12]);
    buf.push(b'.');
    buf.extend_from_slice(&d[12..15]);
}

/// The (day, month, yy) readings of a written date: one, or two for 8 digits (DDMMYYYY and
/// YYYYMMDD), whatever the intended form, taken as raw digits.
fn readings(buf: &[u8], form: usize, intended: Triple) -> [Option<Triple>; 2] {
    if form == 9 || form == 10 {
        let s = &buf[buf.len() - 8..];
        let two = |i: usize| (s[i] - b'0') * 10 + (s[i + 1] - b'0');
        [
            Some((two(0), two(2), two(6))),
            Some((two(6), two(4), two(2))),
        ]
    } else {
        [Some(intended), None]
    }
}

fn first_name(per: &Person) -> &'static str {
    if per.female {
        FEMALE_NAMES[per.first as usize % FEMALE_NAMES.len()]
    } else {
        MALE_NAMES[per.first as usize % MALE_NAMES.len()]
    }
}

fn surname_or(per: &Person, default: &'static str) -> &'static str {
    if per.fam.surname == NO_SURNAME {
        default
    } else {
        SURNAMES[per.fam.surname as usize]
    }
}

fn lower_into(buf: &mut Vec<u8>, s: &[u8]) {
    buf.extend(s.iter().map(u8::to_ascii_lowercase));
}

/// A person's usual address, lower case: `budi.santoso@gmail.com` and the like.
fn email_address(buf: &mut Vec<u8>, per: &Person) {
    let first = first_name(per).as_bytes();
    let has_surname = per.fam.surname != NO_SURNAME;
    let last = surname_or(per, "").as_bytes();
    let style = if has_surname { per.mail_style } else { 5 };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pats;

    fn gen(rows: u64, seed: u64, format: SynthFormat) -> (Vec<u8>, Generated) {
        let mut out = Vec::new();
        let g = generate(rows, seed, format, pats(), &mut out).unwrap();
        assert_eq!(g.bytes, out.len() as u64);
        (out, g)
    }

    fn leaf(v: &Value, path: &str) -> u64 {
        let mut cur = v;
        for k in path.split('.') {
            cur = &cur[k];
        }
        cur.as_u64()
            .unwrap_or_else(|| panic!("{path} is not a count: {cur}"))
    }

    fn sum(v: &Value) -> u64 {
        v.as_object()
            .unwrap()
            .values()
            .map(|x| x.as_u64().unwrap())
            .sum()
    }

    #[test]
    fn same_seed_same_bytes_different_seed_different_bytes() {
        for format in [SynthFormat::Csv, SynthFormat::Jsonl] {
            let (a, ta) = gen(3000, 42, format);
            let (b, tb) = gen(3000, 42, format);
            assert!(a == b, "{format:?}: same seed, different sample");
            assert_eq!(ta.truth, tb.truth);
            let (c, _) = gen(3000, 43, format);
            assert!(a != c, "{format:?}: different seeds, same sample");
        }
        // The written files too, truth.json included.
        let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let files: Vec<(Vec<u8>, Vec<u8>)> = dirs
            .iter()
            .map(|d| {
                let opts = SynthOptions {
                    rows: 500,
                    seed: 9,
                    out: d.path().join("sub"),
                    format: SynthFormat::Csv,
                };
                let rep = write(&opts, pats()).unwrap();
                let sample = fs::read(&rep.sample).unwrap();
                assert_eq!(rep.bytes, sample.len() as u64);
                assert!(rep.sample.ends_with("bpjs_sample.csv"));
                (sample, fs::read(&rep.truth).unwrap())
            })
            .collect();
        assert!(files[0] == files[1]);
        assert!(files[0]
            .1
            .starts_with(b"{\n  \"schema\": \"triage.truth/1\""));
    }

    #[test]
    fn csv_and_jsonl_hold_the_same_rows_and_the_same_truth() {
        let (csv_bytes, csv_g) = gen(2000, 5, SynthFormat::Csv);
        let (json_bytes, json_g) = gen(2000, 5, SynthFormat::Jsonl);
        assert_eq!(csv_g.truth, json_g.truth);

        let mut rdr = csv::Reader::from_reader(&csv_bytes[..]);
        let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, COLUMNS);
        let csv_rows: Vec<Vec<String>> = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        let json_rows: Vec<Vec<String>> = json_bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| {
                let v: Value = serde_json::from_slice(l).unwrap();
                let o = v.as_object().unwrap();
                let keys: Vec<&str> = o.keys().map(String::as_str).collect();
                assert_eq!(keys, COLUMNS);
                o.values()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect()
            })
            .collect();
        assert_eq!(csv_rows.len(), 2000);
        assert_eq!(csv_rows, json_rows);
        // Embedded line breaks and quotes survived the round trip.
        assert!(csv_rows.iter().any(|r| r[ALAMAT].contains('\n')));
        assert!(csv_rows.iter().any(|r| r[ALAMAT].contains('"')));
        assert!(csv_rows.iter().any(|r| r[ALAMAT].contains(',')));
    }

    #[test]
    fn truth_adds_up() {
        let (_, g) = gen(20_000, 7, SynthFormat::Csv);
        let t = &g.truth;
        assert_eq!(t["schema"], TRUTH_SCHEMA);
        for kind in ["nik", "kk", "bpjs_card", "phone", "email"] {
            let k = &t["identifiers"][kind];
            let cand = leaf(k, "candidates");
            let valid = leaf(k, "valid");
            let unique = leaf(k, "unique");
            assert_eq!(valid + sum(&k["invalid"]), cand, "{kind}");
            assert!(unique <= valid && unique > 0, "{kind}");
            assert!(
                k["invalid"]
                    .as_object()
                    .unwrap()
                    .values()
                    .all(|n| n.as_u64().unwrap() > 0),
                "{kind}: every reason occurs"
            );
        }
        let nik = &t["identifiers"]["nik"];
        let valid = leaf(nik, "valid");
        assert!(
            leaf(nik, "unique") < valid,
            "duplicates make unique < valid"
        );
        assert_eq!(leaf(nik, "female") + leaf(nik, "male"), valid);
        assert_eq!(sum(&nik["provinces"]), valid);
        assert!(nik["provinces"].get("91").is_some() && nik["provinces"].get("92").is_some());
        assert!(leaf(nik, "damaged") > 0);
        let ph = &t["identifiers"]["phone"];
        assert_eq!(sum(&ph["operators"]), leaf(ph, "valid"));
        assert!(ph["operators"].get("other").is_some());
        let em = &t["identifiers"]["email"];
        assert_eq!(sum(&em["domain_classes"]), leaf(em, "valid"));
        assert_eq!(em["domain_classes"].as_object().unwrap().len(), 5);
        assert!(leaf(t, "identifiers.bpjs_card.restored") > 0);

        let r = &t["records"];
        let total = leaf(r, "total");
        let with_cand = leaf(r, "with_candidates");
        let with_nik = leaf(r, "with_valid_nik");
        let confirmed = leaf(r, "confirmed");
        let by_birth = leaf(r, "confirmed_by.birth_date");
        let by_card = leaf(r, "confirmed_by.bpjs_card");
        assert_eq!(total, 20_000);
        assert!(with_nik < with_cand && with_cand < total);
        assert!(confirmed < with_nik);
        assert!(confirmed >= by_birth.max(by_card) && confirmed <= by_birth + by_card);
        assert!(by_birth < confirmed && by_card < confirmed);
        assert_eq!(by_birth, leaf(nik, "birth_date_agree"));
        assert!(leaf(nik, "birth_date_agree") + leaf(nik, "birth_date_disagree") < with_nik);
        assert!(leaf(nik, "sex_agree") + leaf(nik, "sex_disagree") < with_nik);
        assert!(leaf(nik, "birth_date_disagree") > 0 && leaf(nik, "sex_disagree") > 0);
        assert_eq!(t["ledger"]["entries"], 2);
    }

    #[test]
    fn every_form_and_decoy_appears_in_2000_rows() {
        for seed in [1, 2, 3] {
            let (bytes, g) = gen(2000, seed, SynthFormat::Csv);
            let c = &g.coverage;
            let arrays: [(&str, &[u64]); 16] = [
                ("nik_forms", &c.nik_forms),
                ("nik_decoys", &c.nik_decoys),
                ("kk_decoys", &c.kk_decoys),
                ("date_forms", &c.date_forms),
                ("month_sets", &c.month_sets),
                ("sex_values", &c.sex_values),
                ("phone_prefixes", &c.phone_prefixes),
                ("phone_seps", &c.phone_seps),
                ("phone_bad", &c.phone_bad),
                ("email_bad", &c.email_bad),
                ("email_case", &c.email_case),
                ("card_restored", &c.card_restored),
                ("remarks", &c.remarks),
                ("addresses", &c.addresses),
                (
                    "singles",
                    &[
                        c.date_mismatch,
                        c.sex_mismatch,
                        c.phone_short,
                        c.card_zeros,
                        c.sparse,
                        c.duplicates,
                    ],
                ),
                ("-", &[1]),
            ];
            for (name, counts) in arrays {
                for (i, &n) in counts.iter().enumerate() {
                    assert!(n > 0, "seed {seed}: {name}[{i}] never written: {c:?}");
                }
            }
            let text = String::from_utf8(bytes).unwrap();
            for needle in [
                "(0)",
                "+62",
                "E+15",
                "'",
                "0000000000000",
                "No kartu BPJS: ",
                "NIK: ",
                "KK ",
                "..",
                "@-",
                ".c0m",
                " 00:00:00",
            ] {
                assert!(text.contains(needle), "seed {seed}: {needle:?} missing");
            }
        }
    }

    #[test]
    fn every_field_value_has_the_intended_shape() {
        let (bytes, _) = gen(3000, 11, SynthFormat::Csv);
        let p = pats();
        let damaged = regex::Regex::new(r"^\d([.,]\d{1,14})?[eE]\+?15$").unwrap();
        let mut rdr = csv::Reader::from_reader(&bytes[..]);
        for row in rdr.records() {
            let row = row.unwrap();
            // NIK field: empty, damaged, or 16 digits once normalized.
            let nik = &row[NIK];
            let digits: String = nik
                .strip_prefix('\'')
                .unwrap_or(nik)
                .chars()
                .filter(|c| !matches!(c, ' ' | '.' | '-'))
                .collect();
            assert!(
                nik.is_empty()
                    || damaged.is_match(nik)
                    || (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())),
                "NIK {nik:?}"
            );
            for col in [PSNOKA, NOKA] {
                let v = &row[col];
                assert!(
                    v.is_empty()
                        || ((10..=13).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
                );
            }
            assert!(row[NAMA]
                .bytes()
                .all(|b| b.is_ascii_alphabetic() || b == b' '));
            let sex = row[JENKEL].to_ascii_lowercase();
            assert!(
                sex.is_empty() || p.sex_of(sex.as_bytes()).is_some(),
                "{sex}"
            );
            // Columns that hold no identifier hold no long digit run.
            for col in [NAMA, NPWP, KDHUBKEL, KDKANTOR, FLAG, ALAMAT] {
                let longest = row[col]
                    .split(|c: char| !c.is_ascii_digit())
                    .map(str::len)
                    .max()
                    .unwrap_or(0);
                assert!(longest <= 5, "{}: {:?}", COLUMNS[col], &row[col]);
                assert!(!row[col].contains('@'));
            }
            let npwp = &row[NPWP];
            assert!(!npwp.contains(['0', '6', '8']), "NPWP {npwp}");
        }
    }

    #[test]
    fn vocabulary_is_known_to_the_patterns() {
        let p = pats();
        for w in MONTHS_EN
            .iter()
            .chain(&MON_EN)
            .chain(&MONTHS_ID)
            .chain(&MON_ID)
            .chain(&AUGUST_ID)
        {
            assert!(p.month_of(w.as_bytes()).is_some(), "{w}");
        }
        for w in SEX_MALE {
            assert_eq!(p.sex_of(w.as_bytes()), Some(false), "{w}");
        }
        for w in SEX_FEMALE {
            assert_eq!(p.sex_of(w.as_bytes()), Some(true), "{w}");
        }
        use crate::rules::Role;
        let roles = [
            ("PSNOKA", Role::BpjsCard),
            ("NAMA", Role::Other),
            ("JENKEL", Role::Sex),
            ("TGLLHR", Role::BirthDate),
            ("NOHP", Role::Phone),
            ("NIK", Role::Nik),
            ("NOKK", Role::Kk),
            ("NPWP", Role::Other),
            ("EMAIL", Role::Email),
            ("NOKA", Role::BpjsCard),
            ("KDHUBKEL", Role::Other),
            ("KDKANTOR", Role::Other),
            ("FLAGTANGGUNGAN", Role::Other),
            ("ALAMAT", Role::Other),
            ("KETERANGAN", Role::Other),
        ];
        for (i, (name, role)) in roles.iter().enumerate() {
            assert_eq!(COLUMNS[i], *name);
            assert_eq!(p.role_of(name.as_bytes()), *role, "{name}");
        }
        // Names and places never hold a keyword as a word.
        let keywords = [
            "nik", "ktp", "kk", "kartu", "bpjs", "noka", "kis", "keluarga",
        ];
        for w in MALE_NAMES
            .iter()
            .chain(FEMALE_NAMES)
            .chain(SURNAMES)
            .chain(STREETS)
            .chain(PLACES)
            .chain(CITIES)
            .chain(REMARKS)
        {
            for part in w.split(|c: char| !c.is_ascii_alphanumeric()) {
                assert!(!keywords.contains(&part.to_lowercase().as_str()), "{w}");
            }
        }
    }

    #[test]
    #[ignore = "timing: cargo test --release --lib synth::tests::million -- --ignored --nocapture"]
    fn million_rows_timing() {
        let dir = tempfile::tempdir().unwrap();
        for format in [SynthFormat::Csv, SynthFormat::Jsonl] {
            let opts = SynthOptions {
                rows: 1_000_000,
                seed: 1,
                out: dir.path().to_path_buf(),
                format,
            };
            let t0 = std::time::Instant::now();
            let rep = write(&opts, pats()).unwrap();
            eprintln!(
                "{format:?}: 1,000,000 rows, {} bytes in {:.2?}",
                rep.bytes,
                t0.elapsed()
            );
        }
    }
}
