//! Search over the record: decisions, items' texts and titles, actions, people and
//! organisations, by words (Danish-aware: case, æ/ø/å, common endings), as the record
//! stood on a date. Each hit links to where it is read.

use super::{meeting_ref, person_name_on};
use crate::error::Error;
use crate::ids::{ActionId, DecisionId, GroupId, MeetingId, OrgId, PersonId};
use crate::model::search::{matches, stems};
use crate::model::Model;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeSet;

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

/// The hits for `query` (every word must be found) as the record stood on `at`, by date.
pub fn search(m: &Model, query: &str, at: NaiveDate) -> Result<Vec<Hit>, Error> {
    if query.chars().count() > QUERY_CHARS_MAX {
        return Err(Error::Input(format!("a search is at most {QUERY_CHARS_MAX} characters")));
    }
    let wanted = stems(query);
    if wanted.is_empty() || wanted.len() > QUERY_WORDS_MAX {
        return Err(Error::Input(format!("a search is 1 to {QUERY_WORDS_MAX} words")));
    }
    // The subjects the index proposes for every word; the rarest word first keeps the
    // intersection small.
    let mut sets = Vec::new();
    for w in &wanted {
        sets.push(m.subjects_with(w)?);
    }
    sets.sort_by_key(BTreeSet::len);
    let mut found = sets.remove(0);
    for s in &sets {
        found.retain(|x| s.contains(x));
    }
    let mut hits = Vec::new();
    for subject in found {
        if let Some(hit) = resolve(m, &subject, at)? {
            if matches(&hit.text, &wanted) {
                hits.push(hit);
            }
        }
    }
    hits.sort_by(|a, b| (a.date, &a.link).cmp(&(b.date, &b.link)));
    hits.truncate(HITS_MAX);
    Ok(hits)
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
