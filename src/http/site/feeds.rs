//! The record as feeds other programs follow: the meetings as an iCalendar (RFC 5545)
//! a calendar subscribes to, the latest decisions as Atom (RFC 4287) a feed reader
//! follows. Both are built by their crates, which escape and fold by construction.

use super::*;
use crate::ids::Seq;
use crate::ledger::Ledger;
use crate::minutes::{self, Label};
use crate::query;
use crate::when::When;
use axum::extract::State;
use axum::http::header;
use chrono::{DateTime, Utc};

/// At most this many meetings in the calendar, the latest, from this many days back;
/// and decisions in the feed.
pub const CALENDAR_MEETINGS_MAX: usize = 1000;
pub const CALENDAR_DAYS_BACK: u64 = 366;
pub const FEED_DECISIONS_MAX: usize = 50;

/// What names this ledger in ids that must be unique beyond it (a calendar's UIDs, a
/// feed's ids), and when it last changed: its first event's hash and its head's
/// recorded time. Both are read from the log, so the feed is the same for the same head.
fn identity(l: &Ledger) -> Result<(String, DateTime<Utc>), crate::Error> {
    let Some((head, _)) = l.head() else { return Ok(("empty".into(), DateTime::<Utc>::UNIX_EPOCH)) };
    let first = l.records_after(Seq(0), 1)?;
    let last = l.records_after(Seq(head.0 - 1), 1)?;
    let (Some(first), Some(last)) = (first.first(), last.first()) else {
        return Err(crate::Error::Read(format!("the log's first or last record ({head}) did not read").into()));
    };
    Ok((first.hash.to_string()[..16].to_string(), last.header.recorded_at.0))
}

pub(super) async fn calendar(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
    let lang = p.lang();
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    // The meetings of the past year and every one to come, at most the latest
    // CALENDAR_MEETINGS_MAX: what a calendar shows, read from the end of the index.
    let from = s.today() - chrono::Days::new(CALENDAR_DAYS_BACK);
    let read =
        query::meetings_latest(&l.model(), from, 0, CALENDAR_MEETINGS_MAX).and_then(|(r, _)| Ok((r, identity(&l)?)));
    let (rows, (ledger, changed)) = match read {
        Ok(x) => x,
        Err(e) => return from_error(lang, e),
    };
    let mut cal = Calendar::new();
    cal.name(t(lang, "Møder", "Meetings"));
    for r in &rows {
        let kind = minutes::meeting_kind(lang, r.meeting_kind);
        let summary = match (&r.title, r.number) {
            (Some(title), _) => title.clone(),
            (None, Some(n)) => format!("{}: {kind} {n}", r.group_name),
            (None, None) => format!("{}: {kind}", r.group_name),
        };
        let mut e = Event::new();
        e.uid(&format!("{}@{ledger}.protokol", r.meeting))
            .summary(&summary)
            .timestamp(changed)
            .status(EventStatus::Confirmed);
        match r.starts_at {
            When::Date(d) => {
                e.all_day(d);
            }
            When::Instant(at) => {
                e.starts(at.with_timezone(&Utc));
                if let Some(When::Instant(end)) = r.ends_at {
                    e.ends(end.with_timezone(&Utc));
                }
            }
        }
        if let Some(place) = &r.place {
            e.location(place);
        }
        cal.push(e.done());
    }
    ([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], cal.done().to_string()).into_response()
}

pub(super) async fn decisions(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Text};
    let lang = p.lang();
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let (rows, (ledger, changed)) =
        match query::latest_decisions(&l.model(), s.today(), FEED_DECISIONS_MAX).and_then(|r| Ok((r, identity(&l)?))) {
            Ok(x) => x,
            Err(e) => return from_error(lang, e),
        };
    let link = |href: String, rel: &str| {
        let mut x = Link::default();
        x.set_href(href);
        x.set_rel(rel);
        x
    };
    let mut feed = Feed::default();
    feed.set_title(t(lang, "Beslutninger", "Decisions"));
    feed.set_id(format!("urn:protokol:{ledger}:decisions"));
    feed.set_updated(FixedDateTime::from(changed));
    feed.set_lang(Some(if lang == Lang::Da { "da" } else { "en" }.to_string()));
    feed.set_links(vec![link(format!("/decisions?{}", p.keep()), "alternate")]);
    let entries = rows
        .iter()
        .map(|d| {
            let mut e = Entry::default();
            e.set_title(Text::plain(format!("{}: {}", d.date, d.item_title)));
            e.set_id(format!("urn:protokol:{ledger}:decision:{}", d.id));
            // When it was decided: valid time, the day's start.
            e.set_updated(FixedDateTime::from(d.date.and_time(chrono::NaiveTime::MIN).and_utc()));
            e.set_links(vec![link(format!("/decisions?group={}&{}#{}", d.group, p.keep(), d.id), "alternate")]);
            let mut content = Content::default();
            content.set_content_type(Some("text".to_string()));
            content.set_value(Some(format!("{} ({}). {}", d.text, d.outcome.label(lang), d.conditions.join(" "))));
            e.set_content(Some(content));
            e
        })
        .collect::<Vec<_>>();
    feed.set_entries(entries);
    ([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string()).into_response()
}
