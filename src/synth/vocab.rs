//! The words and number ranges the sample is made of: names, addresses, remarks, month and
//! sex words, phone prefixes, e-mail domains. Names and addresses are letters, spaces and
//! short numbers only, and never hold a keyword of SPEC §5 (NIK, KTP, KK, kartu, BPJS, noka,
//! KIS) as a word, so no column but the identifier columns looks like an identifier.
//! Imports nothing.

#[rustfmt::skip]
pub(super) const MALE_NAMES: &[&str] = &[
    "Budi", "Agus", "Andi", "Ahmad", "Muhammad", "Joko", "Slamet", "Hendra", "Rudi", "Dedi",
    "Eko", "Bambang", "Yusuf", "Rizky", "Fajar", "Dimas", "Arief", "Hadi", "Wahyu", "Irfan",
    "Bayu", "Teguh", "Imam", "Sutrisno", "Made", "Ketut", "Putu", "Yohanes", "Stefanus",
    "Daniel", "Bagus", "Gilang",
];
#[rustfmt::skip]
pub(super) const FEMALE_NAMES: &[&str] = &[
    "Siti", "Sri", "Dewi", "Ayu", "Rina", "Wati", "Nur", "Ratna", "Fitri", "Indah",
    "Lestari", "Yuni", "Sari", "Endang", "Nurul", "Dian", "Putri", "Maria", "Novita",
    "Wulan", "Rahma", "Intan", "Ani", "Eka", "Lina", "Yanti", "Mega", "Citra", "Ningsih",
    "Aisyah", "Annisa", "Melati",
];
#[rustfmt::skip]
pub(super) const SURNAMES: &[&str] = &[
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama",
    "Nugroho", "Susanto", "Gunawan", "Siregar", "Nasution", "Simanjuntak", "Harahap",
    "Lubis", "Sitompul", "Pangaribuan", "Hutapea", "Wibowo", "Purnomo", "Rahman", "Hakim",
    "Halim", "Tanjung", "Sinaga", "Manurung", "Tambunan", "Putra", "Firmansyah",
    "Syahputra", "Permana", "Kusuma", "Ramadhan", "Maulana", "Situmorang", "Wahyudi",
];
pub(super) const NO_SURNAME: u16 = u16::MAX;
#[rustfmt::skip]
pub(super) const STREETS: &[&str] = &[
    "Merdeka", "Sudirman", "Diponegoro", "Gatot Subroto", "Ahmad Yani", "Pahlawan",
    "Pemuda", "Veteran", "Imam Bonjol", "Hasanuddin", "Gajah Mada", "Hayam Wuruk",
    "Thamrin", "Cendrawasih", "Anggrek", "Melati", "Mawar", "Kenanga", "Flamboyan",
    "Sisingamangaraja",
];
#[rustfmt::skip]
pub(super) const PLACES: &[&str] = &[
    "Gambir", "Menteng", "Cempaka Putih", "Sukajadi", "Cibeunying", "Tegalsari",
    "Lowokwaru", "Kauman", "Sukamaju", "Tanjung Priok", "Kebayoran Baru", "Pasar Minggu",
    "Ciputat", "Tembalang", "Banyumanik", "Rungkut", "Wonokromo", "Medan Baru",
    "Panakkukang", "Denpasar Barat", "Abepura", "Mimika Baru",
];
#[rustfmt::skip]
pub(super) const CITIES: &[&str] = &[
    "Jakarta Pusat", "Jakarta Selatan", "Bandung", "Surabaya", "Medan", "Makassar",
    "Semarang", "Denpasar", "Yogyakarta", "Palembang", "Jayapura", "Merauke", "Manokwari",
    "Sorong", "Pontianak", "Balikpapan", "Manado", "Kupang", "Padang", "Malang",
];
#[rustfmt::skip]
pub(super) const REMARKS: &[&str] = &[
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
pub(super) const KANTOR: &[&str] = &[
    "0101", "0201", "0301", "0401", "0501", "0601", "0701", "0801", "0901", "1001", "1101",
    "1201", "1301", "1401", "1501", "1601", "1701", "1801",
];

/// Month words by set: English names, English abbreviations, Indonesian names, Indonesian
/// abbreviations (August has three).
#[rustfmt::skip]
pub(super) const MONTHS_EN: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];
#[rustfmt::skip]
pub(super) const MON_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
#[rustfmt::skip]
pub(super) const MONTHS_ID: [&str; 12] = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
];
#[rustfmt::skip]
pub(super) const MON_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des",
];
pub(super) const AUGUST_ID: [&str; 3] = ["Agt", "Agu", "Ags"];

pub(super) const SEX_MALE: [&str; 5] = ["L", "Laki-laki", "Pria", "M", "Male"];
pub(super) const SEX_FEMALE: [&str; 5] = ["P", "Perempuan", "Wanita", "F", "Female"];

/// Mobile prefixes of the named operators, and valid prefixes no operator owns (`other`).
#[rustfmt::skip]
pub(super) const MOBILE_PREFIXES: &[u16] = &[
    811, 812, 813, 821, 822, 823, 851, 852, 853, 814, 815, 816, 855, 856, 857, 858, 895,
    896, 897, 898, 899, 817, 818, 819, 859, 877, 878, 879, 831, 832, 833, 838, 881, 882,
    883, 884, 885, 886, 887, 888, 889,
];
pub(super) const OTHER_PREFIXES: &[u16] = &[810, 820, 827, 828, 836, 868, 890];

/// E-mail domains with weights; classes come from the patterns.
#[rustfmt::skip]
pub(super) const DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 40), ("yahoo.com", 12), ("yahoo.co.id", 6),
    ("ymail.com", 2), ("hotmail.com", 3), ("outlook.com", 3),
    ("icloud.com", 2), ("kemkes.go.id", 2), ("jakarta.go.id", 1),
    ("tni.mil.id", 1), ("sukamaju.desa.id", 1), ("ui.ac.id", 2),
    ("ugm.ac.id", 2), ("sman1-bandung.sch.id", 1), ("telkom.co.id", 2),
    ("rsud-merauke.or.id", 1), ("mail.com", 2), ("perusahaan.com", 1),
    ("kantor.net", 1),
];

/// Digits that start no phone (`0…`, `62…`) and no other identifier: for NPWP and card bodies.
pub(super) const SAFE_DIGITS: [u8; 7] = [1, 2, 3, 4, 5, 7, 9];
