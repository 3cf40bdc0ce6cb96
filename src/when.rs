//! Dates and instants as the record states them. Valid time (`effective`) may be a bare
//! date ("the member joined on 21 January") or an instant with its UTC offset ("the
//! meeting started 14.00 Danish time"); we keep what was said and never invent a time.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A date, or an instant with the offset it was given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum When {
    Date(NaiveDate),
    Instant(DateTime<FixedOffset>),
}

impl When {
    /// The calendar date where it happened (local to the offset it was given in):
    /// a meeting at 00.30 Danish time belongs to that Danish day, not the UTC one.
    pub fn date(&self) -> NaiveDate {
        match self {
            When::Date(d) => *d,
            When::Instant(t) => t.date_naive(),
        }
    }

    pub fn parse(s: &str) -> Result<When, String> {
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            if s.len() == 10 {
                return Ok(When::Date(d));
            }
        }
        DateTime::parse_from_rfc3339(s).map(When::Instant).map_err(|_| {
            format!("{s:?} is neither a date (2026-01-21) nor an instant with offset (2026-01-21T14:00:00+01:00)")
        })
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            When::Instant(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

impl Serialize for When {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for When {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        "When".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "description": "a date (2026-01-21) or an RFC 3339 instant with offset (2026-01-21T14:00:00+01:00)"})
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        When::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Transaction time: the UTC instant the ledger wrote an event. Always written with
/// microseconds and `Z`, one spelling, so the hashed bytes never depend on a formatter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordedAt(pub DateTime<Utc>);

impl RecordedAt {
    pub const FORMAT: &'static str = "%Y-%m-%dT%H:%M:%S%.6fZ";
}

impl fmt::Display for RecordedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format(Self::FORMAT))
    }
}

impl Serialize for RecordedAt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RecordedAt {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| RecordedAt(t.with_timezone(&Utc)))
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 instant")))
    }
}

/// Transaction time as a query asks for it: what the ledger held after a seq, or at an
/// instant of recorded time. Parsed once where it enters (CLI, API); the ledger turns
/// an instant into the last seq recorded by then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownAt {
    Seq(crate::ids::Seq),
    Instant(RecordedAt),
}

impl std::str::FromStr for When {
    type Err = String;

    fn from_str(s: &str) -> Result<When, String> {
        When::parse(s)
    }
}

impl std::str::FromStr for KnownAt {
    type Err = String;

    fn from_str(s: &str) -> Result<KnownAt, String> {
        if let Ok(n) = s.parse::<u64>() {
            return Ok(KnownAt::Seq(crate::ids::Seq(n)));
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| KnownAt::Instant(RecordedAt(t.with_timezone(&Utc))))
            .map_err(|_| format!("{s:?}: expected a seq or an RFC 3339 instant"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_at_is_a_seq_or_an_instant() {
        assert_eq!("106".parse::<KnownAt>(), Ok(KnownAt::Seq(crate::ids::Seq(106))));
        let t = "2026-01-21T14:00:00+01:00".parse::<KnownAt>().unwrap();
        assert_eq!(
            t,
            KnownAt::Instant(RecordedAt(DateTime::parse_from_rfc3339("2026-01-21T13:00:00Z").unwrap().into()))
        );
        assert!("yesterday".parse::<KnownAt>().unwrap_err().contains("seq or an RFC 3339"));
    }

    #[test]
    fn when_keeps_what_was_written() {
        for s in ["2026-01-21", "2026-01-21T14:00:00+01:00", "2026-01-21T13:00:00Z"] {
            assert_eq!(When::parse(s).unwrap().to_string(), s);
        }
        assert!(When::parse("21. januar 2026").is_err());
        assert!(When::parse("2026-1-21").is_err());
    }

    #[test]
    fn an_instant_belongs_to_its_local_date() {
        let w = When::parse("2026-01-22T00:30:00+01:00").unwrap();
        assert_eq!(w.date(), NaiveDate::from_ymd_opt(2026, 1, 22).unwrap());
    }
}
