//! Dates as the minutes said them. "3. kvartal 2025", "primo april", "forventeligt den 10.
//! juni", "inden næste møde": a deadline or a start given with less than a day's
//! precision is kept at that precision, so it is never shown as a day nobody said and a
//! deadline is overdue only once all the days it covers have passed.

use crate::when::When;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A part of a month, as Danish minutes say it: primo, medio, ultimo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MonthPart {
    Early,
    Mid,
    Late,
}

/// A date with the precision it was said with. The written form (`Display`, the stored
/// bodies) is one spelling per value; an exact date or instant is written as `When` is,
/// so bodies from before this type are the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SaidDate {
    /// A day or an instant, as said: `2025-06-01`.
    Exact(When),
    /// A day said as expected, not promised ("forventeligt den 10. juni"): `2025-06-10~`.
    About(NaiveDate),
    /// A part of a month: `2026-04-early`, `2026-04-mid`, `2026-04-late`.
    PartOfMonth(i32, u32, MonthPart),
    /// A month: `2026-04`.
    Month(i32, u32),
    /// A quarter: `2025-Q3`.
    Quarter(i32, u32),
    /// A half-year: `2025-H2`.
    Half(i32, u32),
    /// A year: `2025`.
    Year(i32),
    /// Before the next meeting of the group whose meeting said it: `next-meeting`. Which
    /// day that is, is a question for the ledger (`query`), not for the text.
    NextMeeting,
}

const FORMS: &str = "a date (2025-06-01), about a date (2025-06-10~), part of a month (2026-04-early, -mid, -late), a month (2026-04), a quarter (2025-Q3), a half-year (2025-H2), a year (2025) or next-meeting";

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)?.pred_opt()
}

impl SaidDate {
    /// The first day the date covers (`None` for the next meeting, known only to the ledger).
    pub fn first_day(&self) -> Option<NaiveDate> {
        let ymd = NaiveDate::from_ymd_opt;
        match *self {
            SaidDate::Exact(w) => Some(w.date()),
            SaidDate::About(d) => Some(d),
            SaidDate::PartOfMonth(y, m, p) => ymd(y, m, [1, 11, 21][p as usize]),
            SaidDate::Month(y, m) => ymd(y, m, 1),
            SaidDate::Quarter(y, q) => ymd(y, q * 3 - 2, 1),
            SaidDate::Half(y, h) => ymd(y, h * 6 - 5, 1),
            SaidDate::Year(y) => ymd(y, 1, 1),
            SaidDate::NextMeeting => None,
        }
    }

    /// The last day the date covers: a deadline is overdue only after it.
    pub fn last_day(&self) -> Option<NaiveDate> {
        match *self {
            SaidDate::Exact(w) => Some(w.date()),
            SaidDate::About(d) => Some(d),
            SaidDate::PartOfMonth(y, m, MonthPart::Early) => NaiveDate::from_ymd_opt(y, m, 10),
            SaidDate::PartOfMonth(y, m, MonthPart::Mid) => NaiveDate::from_ymd_opt(y, m, 20),
            SaidDate::PartOfMonth(y, m, MonthPart::Late) | SaidDate::Month(y, m) => last_of_month(y, m),
            SaidDate::Quarter(y, q) => last_of_month(y, q * 3),
            SaidDate::Half(y, h) => last_of_month(y, h * 6),
            SaidDate::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31),
            SaidDate::NextMeeting => None,
        }
    }

    /// Reads the written form, and the ways a secretary would write it in Danish or
    /// English: "3. kvartal 2025", "Q3 2025", "april 2026", "primo april 2026", "ca.
    /// 2025-06-10", "næste møde".
    pub fn parse(s: &str) -> Result<SaidDate, String> {
        let t = s.trim().to_lowercase();
        let fail = || format!("{s:?} is not a date as said: expected {FORMS}");
        if let Ok(w) = When::parse(&t).or_else(|_| When::parse(s.trim())) {
            return Ok(SaidDate::Exact(w));
        }
        if matches!(
            t.as_str(),
            "next-meeting" | "next meeting" | "næste møde" | "inden næste møde" | "before the next meeting"
        ) {
            return Ok(SaidDate::NextMeeting);
        }
        let about = t
            .strip_suffix('~')
            .or_else(|| t.strip_prefix('~'))
            .or_else(|| t.strip_prefix("ca."))
            .or_else(|| t.strip_prefix("about "));
        if let Some(rest) = about {
            return match When::parse(rest.trim()) {
                Ok(When::Date(d)) => Ok(SaidDate::About(d)),
                _ => Err(fail()),
            };
        }
        let year = |x: &str| x.parse::<i32>().ok().filter(|y| (1000..=9999).contains(y) && x.len() == 4);
        let month = |x: &str| x.parse::<u32>().ok().filter(|m| (1..=12).contains(m) && x.len() == 2);
        let words: Vec<&str> = t.split_whitespace().collect();
        let parsed = match words.as_slice() {
            [one] => {
                let parts: Vec<&str> = one.split('-').collect();
                match parts.as_slice() {
                    [y] => year(y).map(SaidDate::Year),
                    [y, p] => match (year(y), p.strip_prefix('q'), p.strip_prefix('h')) {
                        (Some(y), Some(q), _) => {
                            q.parse().ok().filter(|q| (1..=4).contains(q)).map(|q| SaidDate::Quarter(y, q))
                        }
                        (Some(y), _, Some(h)) => {
                            h.parse().ok().filter(|h| (1..=2).contains(h)).map(|h| SaidDate::Half(y, h))
                        }
                        (Some(y), None, None) => month(p).map(|m| SaidDate::Month(y, m)),
                        _ => None,
                    },
                    [y, m, p] => match (year(y), month(m), part(p)) {
                        (Some(y), Some(m), Some(p)) => Some(SaidDate::PartOfMonth(y, m, p)),
                        _ => None,
                    },
                    _ => None,
                }
            }
            [q, y] if q.starts_with('q') => match (q[1..].parse::<u32>().ok().filter(|q| (1..=4).contains(q)), year(y))
            {
                (Some(q), Some(y)) => Some(SaidDate::Quarter(y, q)),
                _ => None,
            },
            [m, y] => match (month_named(m), year(y)) {
                (Some(m), Some(y)) => Some(SaidDate::Month(y, m)),
                _ => None,
            },
            [q, "kvartal", y] => {
                match (q.strip_suffix('.').and_then(|q| q.parse::<u32>().ok()).filter(|q| (1..=4).contains(q)), year(y))
                {
                    (Some(q), Some(y)) => Some(SaidDate::Quarter(y, q)),
                    _ => None,
                }
            }
            [h, "halvår", y] => {
                match (h.strip_suffix('.').and_then(|h| h.parse::<u32>().ok()).filter(|h| (1..=2).contains(h)), year(y))
                {
                    (Some(h), Some(y)) => Some(SaidDate::Half(y, h)),
                    _ => None,
                }
            }
            [p, m, y] => match (part(p), month_named(m), year(y)) {
                (Some(p), Some(m), Some(y)) => Some(SaidDate::PartOfMonth(y, m, p)),
                _ => None,
            },
            _ => None,
        };
        parsed.ok_or_else(fail)
    }
}

fn part(s: &str) -> Option<MonthPart> {
    match s {
        "early" | "primo" => Some(MonthPart::Early),
        "mid" | "medio" => Some(MonthPart::Mid),
        "late" | "ultimo" => Some(MonthPart::Late),
        _ => None,
    }
}

/// The months' names, as the minutes write them: Danish in lowercase, English capitalised.
pub const MONTHS_DA: [&str; 12] = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
];
pub const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A month by its Danish or English name (any case), or their first three letters.
fn month_named(s: &str) -> Option<u32> {
    let s = s.strip_suffix('.').unwrap_or(s).to_lowercase();
    let names = |i: usize| [MONTHS_DA[i].to_string(), MONTHS_EN[i].to_lowercase()];
    (0..12)
        .find(|&i| names(i).iter().any(|n| *n == s || (s.chars().count() == 3 && n.starts_with(&s))))
        .map(|i| i as u32 + 1)
}

impl fmt::Display for SaidDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SaidDate::Exact(w) => write!(f, "{w}"),
            SaidDate::About(d) => write!(f, "{}~", d.format("%Y-%m-%d")),
            SaidDate::PartOfMonth(y, m, p) => write!(f, "{y:04}-{m:02}-{}", ["early", "mid", "late"][*p as usize]),
            SaidDate::Month(y, m) => write!(f, "{y:04}-{m:02}"),
            SaidDate::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            SaidDate::Half(y, h) => write!(f, "{y:04}-H{h}"),
            SaidDate::Year(y) => write!(f, "{y:04}"),
            SaidDate::NextMeeting => f.write_str("next-meeting"),
        }
    }
}

impl From<NaiveDate> for SaidDate {
    fn from(d: NaiveDate) -> SaidDate {
        SaidDate::Exact(When::Date(d))
    }
}

impl Serialize for SaidDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SaidDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SaidDate::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for SaidDate {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SaidDate".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": format!("a date with the precision it was said with: {FORMS}")})
    }
}

impl std::str::FromStr for SaidDate {
    type Err = String;

    fn from_str(s: &str) -> Result<SaidDate, String> {
        SaidDate::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_form_is_read_back_as_written_and_covers_its_days() {
        let cases = [
            ("2025-06-01", "2025-06-01", "2025-06-01"),
            ("2025-06-10~", "2025-06-10", "2025-06-10"),
            ("2026-04-early", "2026-04-01", "2026-04-10"),
            ("2026-04-mid", "2026-04-11", "2026-04-20"),
            ("2026-02-late", "2026-02-21", "2026-02-28"),
            ("2026-04", "2026-04-01", "2026-04-30"),
            ("2025-Q3", "2025-07-01", "2025-09-30"),
            ("2025-Q4", "2025-10-01", "2025-12-31"),
            ("2025-H1", "2025-01-01", "2025-06-30"),
            ("2024", "2024-01-01", "2024-12-31"),
        ];
        for (s, first, last) in cases {
            let d = SaidDate::parse(s).unwrap();
            assert_eq!(d.to_string(), s);
            assert_eq!((d.first_day(), d.last_day()), (Some(day(first)), Some(day(last))), "{s}");
        }
        assert_eq!(SaidDate::parse("next-meeting").unwrap().last_day(), None);
    }

    #[test]
    fn the_ways_a_secretary_writes_them_are_read_to_one_spelling() {
        for (said, written) in [
            ("3. kvartal 2025", "2025-Q3"),
            ("Q3 2025", "2025-Q3"),
            ("April 2026", "2026-04"),
            ("primo april 2026", "2026-04-early"),
            ("ultimo dec. 2026", "2026-12-late"),
            ("ca. 2025-06-10", "2025-06-10~"),
            ("2. halvår 2025", "2025-H2"),
            ("inden næste møde", "next-meeting"),
            ("2026-01-21T14:00:00+01:00", "2026-01-21T14:00:00+01:00"),
        ] {
            assert_eq!(SaidDate::parse(said).unwrap().to_string(), written, "{said}");
        }
    }

    #[test]
    fn what_is_not_a_date_is_refused_with_the_forms_that_are() {
        for s in ["2025-Q5", "2025-13", "2025-04-someday", "sometime", "ca. april", "25-Q3", "2025-06-31"] {
            let e = SaidDate::parse(s).unwrap_err();
            assert!(e.contains("a quarter (2025-Q3)"), "{s}: {e}");
        }
    }
}
