//! Search over the record: decisions, items' texts and titles, actions, people and
//! organisations, by words (Danish-aware: case, æ/ø/å, common endings), as the record
//! stood on a date. Each hit links to where it is read.

use super::{meeting_ref, person_name_on};
use crate::error::Error;
use crate::ids::{ActionId, DecisionId, GroupId, MeetingId, OrgId, PersonId};
use crate::model::search::{is_number, matches, stems};
use crate::model::Model;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;

/// Longest query, in characters, and most words in it.
pub const QUERY_CHARS_MAX: usize = 200;
pub const QUERY_WORDS_MAX: usize = 10;
/// Most hits one search returns, the earliest first.
pub const HITS_MAX: usize = 100;

#[derive(Clone, Debug, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Decision,
    ItemText,
    ItemTitle,
    Action,
    Person,
    Organisation,
}

#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Hit {
    pub kind: HitKind,
    /// The meeting's date, or the day a person or organisation was registered.
    pub date: NaiveDate,
    pub group: Option<GroupId>,
    pub meeting: Option<MeetingId>,
    pub item: Option<u32>,
    /// What was found: a decision's or action's id, a person's, an organisation's.
    pub id: Option<String>,
    /// The text the words were found in.
    pub text: String,
    /// Where to read it on the site.
    pub link: String,
}

/// Most stems one word of a query may begin, to check each candidate against: beyond
/// that (a word of a letter or two), candidates are checked against their text alone.
const STEMS_CHECKED_MAX: usize = 64;
/// Subjects of each word counted to choose the rarest as the one to read by date.
const COUNT_MAX: usize = 500;

/// The hits for `query` (every word must be found) as the record stood on `at`, the
/// earliest first, at most `HITS_MAX`. The subjects of the rarest word are read by date,
/// each checked against the other words' index entries and then its current text, until
/// the page is full and the day of its last hit is done: the cost follows the page, not
/// how many texts hold the words.
pub fn search(m: &Model, query: &str, at: NaiveDate) -> Result<Vec<Hit>, Error> {
    if query.chars().count() > QUERY_CHARS_MAX {
        return Err(Error::Input(format!("a search is at most {QUERY_CHARS_MAX} characters")));
    }
    let wanted = stems(query);
    if wanted.is_empty() || wanted.len() > QUERY_WORDS_MAX {
        return Err(Error::Input(format!("a search is 1 to {QUERY_WORDS_MAX} words")));
    }
    let mut words = Vec::new();
    for w in &wanted {
        let stems = if is_number(w) { vec![w.clone()] } else { m.stems_beginning(w)? };
        let mut count = 0;
        for s in &stems {
            count += m.postings(s).take(COUNT_MAX - count.min(COUNT_MAX)).count();
            if count >= COUNT_MAX {
                break;
            }
        }
        words.push((count, stems));
    }
    // The rarest first; of two as common, the one of fewer stems is the cheaper to read.
    words.sort_by_key(|(count, stems)| (*count, stems.len()));
    let (_, driver) = words.remove(0);
    let mut hits: Vec<Hit> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut last_day: Option<String> = None;
    let at_key = at.format("%Y-%m-%d").to_string();
    for posting in by_date(m, &driver) {
        let posting = posting?;
        let Some((day, subject)) = posting.split_once('/') else { continue };
        // By date: past the page's last day, or past `at`, nothing more can be shown.
        if (hits.len() >= HITS_MAX && last_day.as_deref() != Some(day)) || day > at_key.as_str() {
            break;
        }
        // A subject indexed on two days (a person renamed) is one hit.
        if seen.contains(subject) || !in_every(m, &words, &posting)? {
            continue;
        }
        if let Some(hit) = resolve(m, subject, at)? {
            if matches(&hit.text, &wanted) {
                seen.insert(subject.to_string());
                hits.push(hit);
                last_day = Some(day.to_string());
            }
        }
    }
    hits.sort_by(|a, b| (a.date, &a.link).cmp(&(b.date, &b.link)));
    hits.truncate(HITS_MAX);
    Ok(hits)
}

/// Whether each of `words` (its stems) is indexed under `posting`: where a word begins
/// too many stems to ask each, the text decides alone.
fn in_every(m: &Model, words: &[(usize, Vec<String>)], posting: &str) -> Result<bool, Error> {
    for (_, stems) in words.iter().filter(|(_, s)| s.len() <= STEMS_CHECKED_MAX) {
        let mut found = false;
        for s in stems {
            if m.has_posting(s, posting)? {
                found = true;
                break;
            }
        }
        if !found {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The postings (`DATE/SUBJECT`) of every one of `stems`, merged in order, each once:
/// each stem's are read as they are needed, the smallest next one taken from a heap.
fn by_date<'m>(m: &'m Model, stems: &[String]) -> impl Iterator<Item = Result<String, Error>> + 'm {
    use std::cmp::Reverse;
    let mut streams: Vec<_> = stems.iter().map(|s| m.postings(s)).collect();
    let mut heap = std::collections::BinaryHeap::new();
    let mut failed: Option<Error> = None;
    for (i, st) in streams.iter_mut().enumerate() {
        match st.next() {
            Some(Ok(p)) => heap.push(Reverse((p, i))),
            Some(Err(e)) => failed = failed.or(Some(e.into())),
            None => {}
        }
    }
    let mut last: Option<String> = None;
    std::iter::from_fn(move || {
        if let Some(e) = failed.take() {
            return Some(Err(e));
        }
        loop {
            let Reverse((p, i)) = heap.pop()?;
            match streams[i].next() {
                Some(Ok(q)) => heap.push(Reverse((q, i))),
                Some(Err(e)) => return Some(Err(e.into())),
                None => {}
            }
            if last.as_deref() != Some(p.as_str()) {
                last = Some(p.clone());
                return Some(Ok(p));
            }
        }
    })
}

/// A subject of the index as the hit it is on `at`, if it exists then.
fn resolve(m: &Model, subject: &str, at: NaiveDate) -> Result<Option<Hit>, Error> {
    let parts: Vec<&str> = subject.split('/').collect();
    let in_meeting = |meeting: &str, item: Option<u32>, kind: HitKind, id: Option<String>, text: String| {
        let Ok(mid) = MeetingId::try_from(meeting) else { return Ok(None) };
        let Some(mt) = m.meeting_head(&mid)? else { return Ok(None) };
        if mt.date() > at {
            return Ok(None);
        }
        let link = format!("/meetings/{}/{}", mt.group, meeting_ref(&mid, mt.number, mt.meeting_kind));
        Ok::<_, Error>(Some(Hit {
            kind,
            date: mt.date(),
            group: Some(mt.group),
            meeting: Some(mid),
            item,
            id,
            text,
            link,
        }))
    };
    Ok(match parts.as_slice() {
        ["dec", id] => {
            let Ok(did) = DecisionId::try_from(*id) else { return Ok(None) };
            let Some(d) = m.decision(&did)? else { return Ok(None) };
            let text = format!("{} {}", d.text, d.conditions.join(" "));
            in_meeting(d.meeting.as_str(), Some(d.item), HitKind::Decision, Some(id.to_string()), text)?
        }
        ["item", meeting, item] => {
            let (Ok(mid), Ok(n)) = (MeetingId::try_from(*meeting), item.parse::<u32>()) else { return Ok(None) };
            let Some(text) = m.item_text(&mid, n)? else { return Ok(None) };
            in_meeting(meeting, Some(n), HitKind::ItemText, None, text)?
        }
        ["title", meeting, item] => {
            let (Ok(mid), Ok(n)) = (MeetingId::try_from(*meeting), item.parse::<u32>()) else { return Ok(None) };
            let Some(mt) = m.meeting_head(&mid)? else { return Ok(None) };
            let Some(it) = mt.item(n) else { return Ok(None) };
            in_meeting(meeting, Some(n), HitKind::ItemTitle, None, it.title.clone())?
        }
        ["act", id] => {
            let Ok(aid) = ActionId::try_from(*id) else { return Ok(None) };
            let Some(a) = m.action(&aid)? else { return Ok(None) };
            in_meeting(a.meeting.as_str(), Some(a.item), HitKind::Action, Some(id.to_string()), a.description)?
        }
        ["person", id] => {
            let Ok(pid) = PersonId::try_from(*id) else { return Ok(None) };
            let Some(p) = m.person(&pid)?.filter(|p| p.since <= at) else { return Ok(None) };
            // Found by any name the person has gone by; shown by the name of the day.
            let names = std::iter::once(p.name.clone())
                .chain(p.names.iter().map(|n| n.value.clone()))
                .chain(p.aliases.iter().cloned())
                .collect::<Vec<_>>()
                .join(" / ");
            let text = format!("{} ({names})", person_name_on(m, &pid, at)?);
            let link = format!("/people/{id}");
            Some(Hit {
                kind: HitKind::Person,
                date: p.since,
                group: None,
                meeting: None,
                item: None,
                id: Some(id.to_string()),
                text,
                link,
            })
        }
        ["org", id] => {
            let Ok(oid) = OrgId::try_from(*id) else { return Ok(None) };
            let Some(o) = m.organisation(&oid)?.filter(|o| o.since <= at) else { return Ok(None) };
            let text = format!("{} {}", o.name, o.short_name.unwrap_or_default()).trim_end().to_string();
            Some(Hit {
                kind: HitKind::Organisation,
                date: o.since,
                group: None,
                meeting: None,
                item: None,
                id: Some(id.to_string()),
                text,
                link: String::new(),
            })
        }
        _ => None,
    })
}
