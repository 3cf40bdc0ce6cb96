//! A roll in Popolo JSON (popoloproject.com: `persons`, `organizations`, `memberships`),
//! as register events: how a body loads the roll it already keeps elsewhere, and how
//! protokol's own Popolo export reads back in.
//!
//! An organization that some membership is *of*, or whose `classification` is one of
//! protokol's group kinds, becomes a group (of that kind, else `other`); the others
//! become organisations. Popolo's end dates are the last day (inclusive); protokol's are the
//! first day without, so a membership ending on the 31st leaves on the 1st. Ids must be
//! protokol's slugs.

use crate::error::Error;
use crate::event::*;
use crate::ids::{GroupId, OrgId, PersonId};
use crate::input::NewEvent;
use crate::when::When;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeSet;

/// Unknown fields are ignored: Popolo documents carry much that a roll does not need.
#[derive(Debug, Deserialize)]
pub(super) struct Doc {
    #[serde(default)]
    persons: Vec<PersonP>,
    #[serde(default)]
    organizations: Vec<OrgP>,
    #[serde(default)]
    memberships: Vec<MembershipP>,
}

#[derive(Debug, Deserialize)]
struct PersonP {
    id: String,
    name: String,
    honorific_prefix: Option<String>,
}

#[derive(Debug, Deserialize)]
struct OrgP {
    id: String,
    name: String,
    classification: Option<String>,
    parent_id: Option<String>,
    founding_date: Option<String>,
    dissolution_date: Option<String>,
    #[serde(default)]
    other_names: Vec<OtherName>,
}

#[derive(Debug, Deserialize)]
struct OtherName {
    name: String,
}

#[derive(Debug, Deserialize)]
struct MembershipP {
    person_id: String,
    organization_id: String,
    role: Option<String>,
    on_behalf_of_id: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

pub(super) fn parse(name: &str, text: &str) -> Result<Doc, Error> {
    serde_json::from_str(text).map_err(|e| Error::Input(format!("{name}: not a Popolo document: {e}")))
}

pub(super) fn to_events(name: &str, doc: &Doc) -> Result<Vec<NewEvent>, Error> {
    let bad = |at: String, what: String| Error::Input(format!("{name}: {at}: {what}"));
    let date = |at: &str, field: &str, d: &Option<String>| -> Result<Option<NaiveDate>, Error> {
        d.as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| bad(at.to_string(), format!("{field} {d:?} is not a date (YYYY-MM-DD)")))
            })
            .transpose()
    };
    let slug = |at: &str, id: &str| -> Result<String, Error> {
        crate::ids::check_slug(id).map_err(|e| bad(at.to_string(), format!("id {id:?}: {e}")))?;
        Ok(id.to_string())
    };
    // The registrations take effect on the roll's first date.
    let mut dates = Vec::new();
    for (i, o) in doc.organizations.iter().enumerate() {
        dates.extend(date(&format!("organizations[{i}]"), "founding_date", &o.founding_date)?);
    }
    for (i, m) in doc.memberships.iter().enumerate() {
        dates.extend(date(&format!("memberships[{i}]"), "start_date", &m.start_date)?);
    }
    let Some(first) = dates.into_iter().min() else {
        return Err(Error::Input(format!("{name}: no founding_date or start_date: the roll says nothing of when")));
    };
    let mut groups: BTreeSet<&str> = doc.memberships.iter().map(|m| m.organization_id.as_str()).collect();
    groups.extend(
        doc.organizations
            .iter()
            .filter(|o| o.classification.as_deref().is_some_and(|c| from_name::<GroupKind>("", c).is_ok()))
            .map(|o| o.id.as_str()),
    );
    let mut events = Vec::new();
    let mut push = |at: String, effective: NaiveDate, event: Event| {
        events.push(NewEvent::new(When::Date(effective), event, format!("{name}: {at}")));
    };
    for (i, o) in doc.organizations.iter().enumerate().filter(|(_, o)| !groups.contains(o.id.as_str())) {
        let at = format!("organizations[{i}]");
        let event = OrganisationRegistered {
            organisation: OrgId::try_from(slug(&at, &o.id)?).map_err(|e| bad(at.clone(), e))?,
            name: o.name.clone(),
            short_name: o.other_names.first().map(|n| n.name.clone()),
        };
        push(
            at.clone(),
            date(&at, "founding_date", &o.founding_date)?.unwrap_or(first),
            Event::OrganisationRegistered(event),
        );
    }
    for (i, p) in doc.persons.iter().enumerate() {
        let at = format!("persons[{i}]");
        let event = PersonRegistered {
            person: PersonId::try_from(slug(&at, &p.id)?).map_err(|e| bad(at.clone(), e))?,
            name: p.name.clone(),
            title: p.honorific_prefix.clone(),
            affiliation: None,
        };
        push(at, first, Event::PersonRegistered(event));
    }
    // Groups, each after the group it reports to.
    let mut established: BTreeSet<&str> = BTreeSet::new();
    let mut pending: Vec<(usize, &OrgP)> =
        doc.organizations.iter().enumerate().filter(|(_, o)| groups.contains(o.id.as_str())).collect();
    let mut later = Vec::new();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for (i, o) in pending {
            let parent_known = o.parent_id.as_deref().is_none_or(|p| established.contains(p) || !groups.contains(p));
            if !parent_known {
                rest.push((i, o));
                continue;
            }
            let at = format!("organizations[{i}]");
            let group = GroupId::try_from(slug(&at, &o.id)?).map_err(|e| bad(at.clone(), e))?;
            let kind = o.classification.as_deref().and_then(|c| from_name::<GroupKind>("classification", c).ok());
            let parent =
                o.parent_id.as_deref().map(|p| GroupId::try_from(p).map_err(|e| bad(at.clone(), e))).transpose()?;
            let event = GroupEstablished {
                group: group.clone(),
                name: o.name.clone(),
                group_kind: kind.unwrap_or(GroupKind::Other),
                parent,
                predecessor: None,
                mandate: None,
                decision: None,
            };
            push(
                at.clone(),
                date(&at, "founding_date", &o.founding_date)?.unwrap_or(first),
                Event::GroupEstablished(event),
            );
            if let Some(last) = date(&at, "dissolution_date", &o.dissolution_date)? {
                let event = GroupDissolved { group, successor: None, note: None };
                later.push((next_day(last), 2u8, at, Event::GroupDissolved(event)));
            }
            established.insert(o.id.as_str());
        }
        if rest.len() == before {
            return Err(Error::Input(format!(
                "{name}: organizations: the parent_id of {:?} go round in a circle",
                rest.iter().map(|(_, o)| &o.id).collect::<Vec<_>>()
            )));
        }
        pending = rest;
    }
    // Memberships by date, leaving before joining on the same day, so one person may
    // hold several terms of one group.
    for (i, m) in doc.memberships.iter().enumerate() {
        let at = format!("memberships[{i}]");
        let person = PersonId::try_from(slug(&at, &m.person_id)?).map_err(|e| bad(at.clone(), e))?;
        let group = GroupId::try_from(slug(&at, &m.organization_id)?).map_err(|e| bad(at.clone(), e))?;
        let (role, note) = match m.role.as_deref().filter(|r| !r.trim().is_empty()) {
            None => (Role::Member, None),
            Some(r) => match from_name::<Role>("role", &r.trim().to_lowercase().replace(' ', "_")) {
                Ok(role) => (role, None),
                Err(_) => (Role::Member, Some(format!("role in the roll: {r}"))),
            },
        };
        let on_behalf_of =
            m.on_behalf_of_id.as_deref().map(|o| OrgId::try_from(o).map_err(|e| bad(at.clone(), e))).transpose()?;
        let start = date(&at, "start_date", &m.start_date)?.unwrap_or(first);
        let joined = MemberJoined {
            person: person.clone(),
            group: group.clone(),
            role,
            rank: None,
            on_behalf_of,
            seat: None,
            substitute_for: None,
            decision: None,
            note,
            additional: false,
        };
        later.push((start, 1, at.clone(), Event::MemberJoined(joined)));
        if let Some(last) = date(&at, "end_date", &m.end_date)? {
            let left = MemberLeft { person, group, decision: None, note: None, role: None };
            later.push((next_day(last), 0, at, Event::MemberLeft(left)));
        }
    }
    later.sort_by_key(|step| (step.0, step.1));
    for (effective, _, at, event) in later {
        push(at, effective, event);
    }
    Ok(events)
}

/// Popolo's last day, as protokol's first day without.
fn next_day(d: NaiveDate) -> NaiveDate {
    d.succ_opt().unwrap_or(d)
}
