//! Who is in the data: distinct people (distinct valid NIKs) by region, sex and age.
//!
//! A NIK encodes its district, birth date and sex, so everything here is derived after the
//! scan from the sorted set of distinct valid NIKs that the scan keeps anyway: exact, mergeable
//! by construction (the set is), and free on the hot path. Ages need a date to be computed on
//! (a [`Date`], the scan date): the century is not encoded, so it is chosen to make the age
//! 0–99 on that date. The summary records that date (`impact.as_of`), and `--expect` rescans
//! as of the baseline's date, so a baseline does not age.

use std::collections::BTreeMap;

use crate::calendar::Date;

/// Age bands of the summary: (label, first age, last age).
pub const AGE_BANDS: [(&str, u8, u8); 9] = [
    ("0-4", 0, 4),
    ("5-11", 5, 11),
    ("12-17", 12, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-54", 45, 54),
    ("55-64", 55, 64),
    ("65+", 65, 255),
];

/// The band of each age, by age: one load per distinct NIK where the bands were searched.
const BAND_OF_AGE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut age = 0;
    while age < 256 {
        let mut b = AGE_BANDS.len() - 1;
        while b > 0 && (age as u8) < AGE_BANDS[b].1 {
            b -= 1;
        }
        t[age] = b as u8;
        age += 1;
    }
    t
};

#[inline]
fn band(age: u8) -> usize {
    usize::from(BAND_OF_AGE[usize::from(age)])
}

/// People in one region.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegionPeople {
    pub people: u64,
    pub female: u64,
    pub children: u64,
}

/// The distinct people of a scan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Impact {
    pub as_of: Option<Date>,
    pub people: u64,
    pub female: u64,
    pub male: u64,
    /// Under 18 on `as_of`.
    pub children: u64,
    /// [band][0 = female, 1 = male].
    pub age_bands: [[u64; 2]; AGE_BANDS.len()],
    pub provinces: BTreeMap<u32, RegionPeople>,
    pub regencies: BTreeMap<u32, RegionPeople>,
}

/// What a NIK held as a number encodes: (`PPRRDD`, birth date with a two-digit year, female).
#[inline]
pub fn decode_nik(v: u64) -> (u32, Date, bool) {
    // Split at the day: `PPRRDD dd` above, `mmyy ssss` below, eight digits that fit 32 bits,
    // so the month and year come by 32-bit divisions where the 64-bit ones took longer.
    let high = v / 100_000_000;
    let low = (v - high * 100_000_000) as u32;
    let district = (high / 100) as u32;
    let mut day = (high % 100) as u8;
    let month = (low / 1_000_000) as u8;
    let year = (low / 10_000 % 100) as u16;
    let female = day > 40;
    if female {
        day -= 40;
    }
    (district, Date { year, month, day }, female)
}

impl Impact {
    /// From the distinct valid NIKs, in any order (each counted once per call).
    pub fn from_niks(niks: impl IntoIterator<Item = u64>, as_of: Option<Date>) -> Impact {
        let mut c = ImpactCounter::new(as_of);
        niks.into_iter().for_each(|v| c.add(v));
        c.finish()
    }

    fn add_regency(&mut self, regency: u32, r: RegionPeople) {
        for (map, code) in [
            (&mut self.provinces, regency / 100),
            (&mut self.regencies, regency),
        ] {
            let e = map.entry(code).or_default();
            e.people += r.people;
            e.female += r.female;
            e.children += r.children;
        }
    }
}

/// Counts an [`Impact`] one distinct NIK at a time (see [`Impact::from_niks`]).
pub struct ImpactCounter {
    im: Impact,
    /// People by regency code (`PPRR`: below [`REGENCY_CODES`] for every valid NIK), added
    /// to both maps once at the end rather than two map lookups per person; NIKs may come
    /// in any order.
    regencies: Vec<RegionPeople>,
    /// The ages on `as_of` by birth month and year ([`Ages`]), when there is a scan date.
    ages: Option<Box<[Ages; MONTH_YEARS]>>,
}

/// Regency codes `PPRR` are four digits.
const REGENCY_CODES: usize = 10_000;

/// A NIK's `mmyy` (the month and the two-digit year of its date, as digits) is below this.
const MONTH_YEARS: usize = 10_000;

/// The age on the scan date of everyone born in one month of one two-digit year: `passed`
/// once the birthday has come this year, `before` until then, which is from day `from_day`
/// of the birth month on (0: every day, as for a month after the scan date's; 255: none).
/// Built once per count from [`Date::age`], where the age of every NIK was its own
/// computation (about 106 instructions a distinct NIK with the decoding).
#[derive(Clone, Copy, Debug, Default)]
struct Ages {
    passed: u8,
    before: u8,
    from_day: u8,
}

/// [`Ages`] for every `mmyy` (any two digits of month: a number that is no valid NIK is
/// counted all the same), as of `today`. An age is the whole years since the birth year, or
/// one less while the birthday is still to come ([`Date::age`]): the years depend on the
/// year only and whether the birthday has come on the month (and, in the scan date's month,
/// the day) only, so [`Date::age`] is asked once per year and the months are compares,
/// where asking it twice per `mmyy` cost every scan 290,000 instructions more (callgrind).
fn ages_on(today: Date) -> Box<[Ages; MONTH_YEARS]> {
    // Whole years for each two-digit birth year: a birthday on the scan date has come.
    let years: [u8; 100] = std::array::from_fn(|yy| {
        today.age(Date {
            year: yy as u16,
            ..today
        })
    });
    let mut t = Vec::with_capacity(MONTH_YEARS);
    for month in 0..(MONTH_YEARS / 100) as u8 {
        // Whether the birthday is still to come on the scan date: for the scan date's own
        // day (`passed`), and for a day no month has (`before`), as `Date::age` compares
        // (month, day) pairs.
        let to_come = |day: u8| (today.month, today.day) < (month, day);
        let (passed_to_come, before_to_come) = (to_come(today.day), to_come(u8::MAX));
        let from_day = match month.cmp(&today.month) {
            std::cmp::Ordering::Less => u8::MAX,
            std::cmp::Ordering::Equal => today.day.saturating_add(1),
            std::cmp::Ordering::Greater => 0,
        };
        for &y in &years {
            // A year less before the birthday; 99 in a birth year not yet a year ago.
            let less = y.checked_sub(1).unwrap_or(99);
            t.push(Ages {
                passed: if passed_to_come { less } else { y },
                before: if before_to_come { less } else { y },
                from_day,
            });
        }
    }
    // Pushed in `mmyy` order, one per `mmyy`: the length is MONTH_YEARS.
    t.into_boxed_slice().try_into().expect("an entry per mmyy")
}

impl ImpactCounter {
    pub fn new(as_of: Option<Date>) -> Self {
        ImpactCounter {
            im: Impact {
                as_of,
                ..Impact::default()
            },
            regencies: vec![RegionPeople::default(); REGENCY_CODES],
            ages: as_of.map(ages_on),
        }
    }

    /// One distinct NIK: what [`decode_nik`] reads, with the age from the table.
    pub fn add(&mut self, v: u64) {
        let high = v / 100_000_000;
        let mmyy = (v - high * 100_000_000) as u32 / 10_000;
        let raw_day = (high % 100) as u8;
        let female = raw_day > 40;
        let day = raw_day - if female { 40 } else { 0 };
        let im = &mut self.im;
        // The totals of people, women, men and children are the provinces' sums, taken
        // once at the end ([`ImpactCounter::finish`]).
        let mut child = false;
        if let Some(ages) = &self.ages {
            // `mmyy` is below MONTH_YEARS: four digits of a number below 10^8.
            let a = ages[mmyy as usize];
            let age = if day >= a.from_day {
                a.before
            } else {
                a.passed
            };
            child = age < 18;
            im.age_bands[band(age)][usize::from(!female)] += 1;
        }
        let regency = (high / 10_000) as u32;
        match self.regencies.get_mut(regency as usize) {
            Some(r) => r.add(female, child),
            // Only a number that is no valid NIK gets here.
            None => {
                let mut r = RegionPeople::default();
                r.add(female, child);
                im.add_regency(regency, r);
            }
        }
    }

    pub fn finish(mut self) -> Impact {
        for (code, r) in self.regencies.iter().enumerate() {
            if r.people > 0 {
                self.im.add_regency(code as u32, *r);
            }
        }
        // Everyone is in one province: its people, women and children add up to the totals.
        let im = &mut self.im;
        for p in im.provinces.values() {
            im.people += p.people;
            im.female += p.female;
            im.children += p.children;
        }
        im.male = im.people - im.female;
        self.im
    }
}

impl RegionPeople {
    fn add(&mut self, female: bool, child: bool) {
        self.people += 1;
        self.female += u64::from(female);
        self.children += u64::from(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_band_of_every_age_is_the_one_that_holds_it() {
        for age in 0..=255u8 {
            let holds = |b: usize| AGE_BANDS[b].1 <= age && age <= AGE_BANDS[b].2;
            assert!(holds(band(age)), "{age}");
        }
    }

    #[test]
    fn nik_numbers_decode_as_their_digits_read() {
        let mut x = 0x0dec_0de0_0000_0001u64;
        let samples = (0..20_000).map(|_| crate::testing::xorshift(&mut x));
        for v in samples.chain([0, 1, 3171014101900001, 9_999_999_999_999_999, u64::MAX]) {
            let (district, date, female) = decode_nik(v);
            let ddmmyy = (v / 10_000) % 1_000_000;
            let raw_day = (ddmmyy / 10_000) as u8;
            assert_eq!(district, (v / 10_000_000_000) as u32, "{v}");
            assert_eq!(female, raw_day > 40, "{v}");
            assert_eq!(date.day, if female { raw_day - 40 } else { raw_day }, "{v}");
            assert_eq!(u64::from(date.month), ddmmyy / 100 % 100, "{v}");
            assert_eq!(u64::from(date.year), ddmmyy % 100, "{v}");
        }
    }

    /// [`ImpactCounter::add`] as first written: the decoded date's age, computed per NIK.
    fn by_decoding(niks: &[u64], as_of: Option<Date>) -> Impact {
        let mut im = Impact {
            as_of,
            ..Impact::default()
        };
        for &v in niks {
            let (district, born, female) = decode_nik(v);
            let mut r = RegionPeople::default();
            let child = as_of.is_some_and(|t| t.age(born) < 18);
            if let Some(t) = as_of {
                im.age_bands[band(t.age(born))][usize::from(!female)] += 1;
            }
            im.people += 1;
            im.female += u64::from(female);
            im.male += u64::from(!female);
            im.children += u64::from(child);
            r.add(female, child);
            im.add_regency(district / 100, r);
        }
        im
    }

    /// [`ages_on`] as first written: [`Date::age`] asked for every `mmyy`.
    fn ages_by_date(today: Date, mmyy: usize) -> (u8, u8) {
        let (month, year) = ((mmyy / 100) as u8, (mmyy % 100) as u16);
        let born = |day| Date { year, month, day };
        (today.age(born(today.day)), today.age(born(u8::MAX)))
    }

    #[test]
    fn the_age_table_holds_the_ages_of_every_month_and_year() {
        let mut x = 0x0a9e_7ab1_e000_0003u64;
        let mut days: Vec<Date> = ["2025-06-15", "2024-02-29", "2000-01-01", "2099-12-31"]
            .map(d)
            .to_vec();
        // Any day of any month and year, real or not (0, past the month's end, 255).
        days.extend((0..20).map(|_| {
            let r = crate::testing::xorshift(&mut x);
            Date {
                year: 1900 + (r % 300) as u16,
                month: (r >> 16) as u8 % 14,
                day: [(r >> 24) as u8 % 33, u8::MAX][(r >> 40) as usize & 1],
            }
        }));
        for today in days {
            let t = ages_on(today);
            for (mmyy, a) in t.iter().enumerate() {
                assert_eq!(
                    (a.passed, a.before),
                    ages_by_date(today, mmyy),
                    "{today} {mmyy}"
                );
            }
        }
    }

    #[test]
    fn ages_from_the_table_are_the_ages_of_the_dates() {
        // NIK-shaped numbers of every day (women's +40 too), month and year, and any number:
        // months and days past the calendar's, u64::MAX; scan dates on month ends, leap
        // days, and birthdays on, before and after them.
        let mut x = 0x1a9e_5eed_0000_0042u64;
        let mut niks = vec![0, 1, u64::MAX, 9_999_999_999_999_999];
        for raw_day in 0..100u64 {
            for month in [0, 1, 2, 6, 7, 12, 13, 99] {
                let yy = crate::testing::xorshift(&mut x) % 100;
                let district = 310_000 + crate::testing::xorshift(&mut x) % 700_000;
                niks.push(((district * 100 + raw_day) * 10_000 + month * 100 + yy) * 10_000 + 1);
            }
        }
        niks.extend((0..2_000).map(|_| crate::testing::xorshift(&mut x)));
        for as_of in [
            None,
            Some(d("2025-06-15")),
            Some(d("2024-02-29")),
            Some(d("2000-01-01")),
            Some(d("2099-12-31")),
        ] {
            assert_eq!(
                Impact::from_niks(niks.clone(), as_of),
                by_decoding(&niks, as_of)
            );
        }
    }

    #[test]
    fn impact_counts_people_by_region_sex_and_age() {
        // Two women and a man in Gambir (317101), a boy in 3273.
        let niks = [
            3171014101900001,
            3171014101900002,
            3171010101850001,
            3273010101150003,
        ];
        let im = Impact::from_niks(niks, Some(d("2025-01-02")));
        assert_eq!((im.people, im.female, im.male, im.children), (4, 2, 2, 1));
        assert_eq!(im.provinces[&31].people, 3);
        assert_eq!(im.provinces[&32].children, 1);
        assert_eq!(im.regencies[&3171].female, 2);
        assert_eq!(im.age_bands[2], [0, 0], "10 is in 5-11");
        assert_eq!(im.age_bands[1], [0, 1]);
        assert_eq!(im.age_bands[5], [2, 1], "35, 35 and 40");
        // Any order counts alike (the scan hands NIKs over unsorted), as does a number
        // above every regency code, which no valid NIK is.
        let mixed = [niks[3], niks[0], niks[2], niks[1]];
        assert_eq!(Impact::from_niks(mixed, Some(d("2025-01-02"))), im);
        let odd = Impact::from_niks([u64::MAX], None);
        assert_eq!((odd.people, odd.regencies.len()), (1, 1));
        assert_eq!(odd.regencies.values().next().unwrap().people, 1);
    }
}
