//! The calendar: one date type, and the Gregorian rules (leap years, days in a month)
//! written once. Shared vocabulary: it imports nothing from the crate.
//!
//! A [`Date`]'s year is the year as far as it is known. The scan date (`--as-of`, today) has
//! all four digits; a NIK or KK encodes only the last two, and a written date may give two or
//! four. The Gregorian rule read on a two-digit year (0 to 99) makes exactly the years
//! divisible by 4 leap years, 0 included: what SPEC §5 asks of a NIK's date, whose century is
//! unknown (2000 was a leap year, and 1900 is not a plausible birth year for a NIK).

use std::fmt;

use anyhow::{bail, Result};

/// A calendar date; see the module doc for what the year holds. Fields run from the year
/// down, so the derived order is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// Whether `year` has a 29 February (Gregorian rule).
#[inline]
pub fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// Days in each month of a common year, by month number (0 and 13 on: no month).
const DAYS: [u8; 16] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 0, 0, 0];

/// [`DAYS`] for every month below 128: 0 past 12.
const DAYS_128: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut m = 0;
    while m < 16 {
        t[m] = DAYS[m];
        m += 1;
    }
    t
};

/// Days in `month` (1 to 12) of `year`; 0 for a month that does not exist. One table load:
/// every NIK and KK of a scan asks it (the `match` it replaced was a call of its own).
#[inline(always)]
pub fn days_in_month(year: u16, month: u8) -> u8 {
    if month > 12 {
        return 0;
    }
    DAYS[usize::from(month & 15)] + u8::from(month == 2 && is_leap(year))
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Date {
    /// The date, if it exists: a month 1 to 12 and a day within it. Inlined into the NIK
    /// and KK checks, where it was a call per number.
    #[inline(always)]
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        (day >= 1 && day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// [`Date::new`] for a year of two digits (0 to 99, as a NIK or KK carries it), whose
    /// leap years are exactly the multiples of 4 (see the module doc): no century rule, and
    /// a table of 128 months for any two-digit month, where two NIK-shaped numbers a record
    /// asked the general rule.
    #[inline(always)]
    pub fn new_yy(yy: u8, month: u8, day: u8) -> Option<Date> {
        debug_assert!(yy < 100);
        let days = DAYS_128[usize::from(month & 127)] + u8::from(month == 2 && yy & 3 == 0);
        (day >= 1 && day <= days && month < 128).then_some(Date {
            year: u16::from(yy),
            month,
            day,
        })
    }

    /// `YYYY-MM-DD`, a real date between 1900 and 9999 (the scan date of `--as-of` and of a
    /// summary's `impact.as_of`).
    pub fn parse(s: &str) -> Result<Date> {
        let b = s.trim().as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u16> {
            let d = b.get(r)?;
            d.iter()
                .all(u8::is_ascii_digit)
                .then(|| d.iter().fold(0u16, |a, &c| a * 10 + u16::from(c - b'0')))
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            bail!("{s:?} is not a date as YYYY-MM-DD");
        }
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            bail!("{s:?} is not a date as YYYY-MM-DD");
        };
        // Two digits each: the casts keep every value.
        match Date::new(y, m as u8, d as u8) {
            Some(date) if y >= 1900 => Ok(date),
            _ => bail!("{s:?} is not a real date (1900 or later)"),
        }
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let d = jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date();
        // jiff's years are -9999..=9999 and a clock before 1970 reads as 1970 (`now_seconds`).
        Date {
            year: d.year().max(1970) as u16,
            month: d.month() as u8,
            day: d.day() as u8,
        }
    }

    /// The last two digits of the year: all a NIK or KK keeps of it.
    #[inline]
    pub fn yy(&self) -> u8 {
        (self.year % 100) as u8
    }

    /// Day, month and the last two digits of the year as one number below 38,432: equal
    /// exactly when two real dates are equal as a NIK writes them, so a record's dates can be
    /// matched as a set of numbers.
    #[inline]
    pub fn key(&self) -> u16 {
        (u16::from(self.yy()) * 12 + u16::from(self.month)) * 32 + u16::from(self.day)
    }

    /// [`Date::key`] of the date `day`, `month`, year `100 * cc + yy` (each below 100), or 0
    /// when no such date exists ([`Date::new`]); a two-digit year is `cc` 0. No real date's
    /// key is 0: its day is at least 1. The century is two digits already written, so the
    /// Gregorian rule needs no division (`yy` 0 is a century year, a leap year when `cc` is
    /// a multiple of 4), nor the key the year's last two digits: a birth-date field's dates
    /// go straight from their digits to keys, where a [`Date`] and its key took two
    /// divisions and a call.
    #[inline(always)]
    pub fn key_of(cc: u32, yy: u32, month: u32, day: u32) -> u16 {
        debug_assert!(cc < 100 && yy < 100 && month < 100 && day < 100);
        let leap = yy.is_multiple_of(4) && (yy != 0 || cc.is_multiple_of(4));
        let days = u32::from(DAYS_128[(month & 127) as usize]) + u32::from(month == 2 && leap);
        if day >= 1 && day <= days {
            // Below 38,432 (see `key`): fits.
            ((yy * 12 + month) * 32 + day) as u16
        } else {
            0
        }
    }

    /// Age in whole years on this date of someone born on `born`, of whose year only the
    /// last two digits count: the century is the one that makes the age 0–99. The years
    /// since the last year ending in those digits, less one before the birthday (99 on a
    /// birthday still to come this very year): a few compares of packed month-days where
    /// tuples of the full dates were compared, once per valid NIK of a scan.
    #[inline]
    pub fn age(&self, born: Date) -> u8 {
        // Without branches: which way each compare goes is as random as the birth dates of
        // the NIKs, and each branch mispredicted as often (perf: `age`'s time a fifth above
        // its instructions' share). Every sum stays below 200: no wrapping.
        let (yy, born_yy) = (self.yy(), born.yy());
        let years = yy + 100 * u8::from(yy < born_yy) - born_yy;
        let month_day = |d: &Date| u16::from(d.month) << 8 | u16::from(d.day);
        let before = month_day(self) < month_day(&born);
        years + 100 * u8::from(before & (years == 0)) - u8::from(before)
    }
}

/// Now, in whole seconds since 1970-01-01 UTC (the scan's start in its custody).
pub fn now_seconds() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// `secs` since 1970-01-01 as RFC 3339 in UTC, to the second (`2026-12-06T12:05:07Z`); `None`
/// outside the years 0000 to 9999.
pub fn rfc3339(secs: i64) -> Option<String> {
    Some(jiff::Timestamp::from_second(secs).ok()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn keys_from_digits_are_the_keys_of_the_dates() {
        // Every century, year, month and day of two digits (months and days past the
        // calendar's, zeros).
        for cc in 0..100u32 {
            for yy in 0..100u32 {
                for month in 0..100u32 {
                    for day in [0, 1, 2, 15, 27, 28, 29, 30, 31, 32, 40, 99] {
                        let year = (100 * cc + yy) as u16;
                        let want = Date::new(year, month as u8, day as u8).map_or(0, |d| d.key());
                        let got = Date::key_of(cc, yy, month, day);
                        assert_eq!(got, want, "{cc} {yy} {month} {day}");
                    }
                }
            }
        }
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        for (y, leap) in [(2024, true), (2023, false), (1900, false), (2000, true)] {
            assert_eq!(is_leap(y), leap, "{y}");
        }
        // On two digits, exactly the multiples of 4 (00 included): SPEC §5's NIK rule.
        for yy in 0..100u16 {
            assert_eq!(is_leap(yy), yy % 4 == 0, "{yy}");
        }
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(days_in_month(2023, 4), 30);
        assert_eq!(days_in_month(2023, 12), 31);
        assert_eq!(days_in_month(2023, 13), 0);
        assert_eq!(days_in_month(2023, 0), 0);
        // The table against the months' rule, for every byte a month may be read as.
        for month in 0..=255u8 {
            for year in [0, 4, 23, 1900, 2000, 2023, 2024] {
                let want = match month {
                    1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
                    4 | 6 | 9 | 11 => 30,
                    2 if is_leap(year) => 29,
                    2 => 28,
                    _ => 0,
                };
                assert_eq!(days_in_month(year, month), want, "{year}-{month}");
            }
        }
    }

    #[test]
    fn two_digit_years_make_the_dates_of_the_general_rule() {
        for yy in 0..100u8 {
            for month in 0..=255u8 {
                for day in 0..=100u8 {
                    assert_eq!(
                        Date::new_yy(yy, month, day),
                        Date::new(u16::from(yy), month, day),
                        "{yy} {month} {day}"
                    );
                }
            }
        }
    }

    #[test]
    fn only_real_dates_are_made() {
        assert!(Date::new(96, 2, 29).is_some());
        assert!(Date::new(1, 2, 29).is_none());
        assert!(Date::new(1990, 4, 31).is_none());
        assert!(Date::new(1990, 4, 0).is_none());
        assert!(Date::new(1990, 0, 1).is_none());
        assert_eq!(
            Date::new(1990, 3, 5),
            Some(Date {
                year: 1990,
                month: 3,
                day: 5
            })
        );
        assert!(d("1990-03-05") < d("1990-03-06") && d("1990-12-31") < d("1991-01-01"));
    }

    #[test]
    fn timestamps_are_rfc3339_in_utc_to_the_second() {
        assert_eq!(rfc3339(0).as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            rfc3339(1_796_558_707).as_deref(),
            Some("2026-12-06T12:05:07Z")
        );
        assert_eq!(rfc3339(i64::MAX), None);
        let now = now_seconds();
        let today = Date::today().to_string();
        assert!(rfc3339(now).unwrap().starts_with(&today) || now % 86_400 == 0);
    }

    #[test]
    fn dates_parse_and_count_from_the_epoch() {
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2024-13-01").is_err());
        assert!(Date::parse("24-01-01").is_err());
        assert!(Date::parse("1899-12-31").is_err());
        assert_eq!(d(" 2026-03-07 ").to_string(), "2026-03-07");
    }

    #[test]
    fn keys_tell_two_digit_dates_apart() {
        let mut all: Vec<u16> = (0..100)
            .flat_map(|year| {
                (1..=12)
                    .flat_map(move |month| (1..=31).map(move |day| Date { year, month, day }.key()))
            })
            .collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 100 * 12 * 31);
        assert_eq!(all.last(), Some(&38_431));
        assert_eq!(d("1990-03-05").key(), Date::new(90, 3, 5).unwrap().key());
    }

    #[test]
    fn the_century_makes_the_age_0_to_99() {
        let today = d("2025-06-15");
        let born = |day, month, year| Date { year, month, day };
        assert_eq!(today.age(born(1, 1, 90)), 35);
        assert_eq!(today.age(born(15, 6, 25)), 0, "born today");
        assert_eq!(today.age(born(16, 6, 25)), 99, "tomorrow in 2025 is 1925");
        assert_eq!(today.age(born(1, 1, 8)), 17);
        assert_eq!(today.age(born(15, 6, 7)), 18);
        assert_eq!(today.age(born(29, 2, 0)), 25);
        // Only the last two digits of the birth year count.
        assert_eq!(today.age(born(1, 1, 1990)), 35);
        // Against the rule as first written: the century's year, a hundred back when that
        // is after today, then a year less before the birthday.
        let by_century = |t: Date, b: Date| {
            let mut year = t.year / 100 * 100 + u16::from(b.yy());
            if (year, b.month, b.day) > (t.year, t.month, t.day) {
                year -= 100;
            }
            let mut age = t.year - year;
            if (t.month, t.day) < (b.month, b.day) {
                age -= 1;
            }
            age as u8
        };
        for t in [
            "2025-06-15",
            "2000-01-01",
            "2099-12-31",
            "1999-02-28",
            "2024-02-29",
        ] {
            let t = d(t);
            for yy in 0..100 {
                for (month, day) in [
                    (1, 1),
                    (2, 28),
                    (2, 29),
                    (6, 14),
                    (6, 15),
                    (6, 16),
                    (12, 31),
                ] {
                    let b = born(day, month, yy);
                    assert_eq!(t.age(b), by_century(t, b), "{t} {b}");
                }
            }
        }
    }
}
