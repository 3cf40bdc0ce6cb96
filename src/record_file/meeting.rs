//! A meeting file: the meeting held, its agenda, attendance, texts, decisions and
//! actions, and the meetings it announces, as events.

use super::register::change_event;
use super::shapes::*;
use super::*;
use crate::error::Error;
use crate::event::*;
use crate::ids::{DecisionId, MeetingId, PersonId};
use crate::when::When;
use toml::Spanned;

pub(super) fn owner(b: &Builder, a: &Spanned<ActionIn>, known: &Known) -> Result<Party, Error> {
    let id = &a.get_ref().owner;
    let mut found = known.parties(id)?;
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => b.fail(a, format!("owner {id:?} is no known person, group or organisation")),
        _ => b.fail(a, format!("owner {id:?} names more than one of a person, a group and an organisation")),
    }
}

pub(super) fn meeting(b: &mut Builder, f: &MeetingFile, known: &Known) -> Result<(), Error> {
    let m = f.meeting.get_ref();
    let starts = when(&m.starts).or_else(|e| b.fail(&f.meeting, format!("starts: {e}")))?;
    let ends = m.ends.as_ref().map(|e| when(e).or_else(|e| b.fail(&f.meeting, format!("ends: {e}")))).transpose()?;
    let day = When::Date(starts.date());
    let held = MeetingHeld {
        meeting: m.id.clone(),
        group: m.group.clone(),
        number: m.number,
        meeting_kind: m.kind,
        title: m.title.clone(),
        place: m.place.clone(),
        starts_at: starts,
        ends_at: ends,
    };
    b.push(&f.meeting, day, Event::MeetingHeld(held));
    if let Some(first) = f.item.first() {
        let items = f
            .item
            .iter()
            .map(|i| {
                let x = i.get_ref();
                AgendaItem {
                    number: x.number,
                    title: x.title.clone(),
                    presenters: x.presenters.clone(),
                    label: x.label.clone(),
                }
            })
            .collect();
        let entries = f.item.iter().enumerate().map(|(place, i)| (place.to_string(), b.origin(i))).collect();
        b.push_list(first, day, Event::AgendaSet(AgendaSet { meeting: m.id.clone(), items }), entries);
    }
    // Changes that rest on no decision of this meeting come before the attendance (a
    // member who joins today attends as a member); the others after the decisions,
    // unless one makes an attendee a member: that one, with the decision it cites, is
    // applied before the attendance is checked (one who joins by a decision of the
    // meeting takes part in it as a member). A file without such a change gives the
    // events in the order it always did.
    let attends_as_member = |p: &PersonId| {
        f.attendance.iter().any(|a| &a.get_ref().person == p && a.get_ref().capacity == Capacity::Member)
    };
    let (before, rest): (Vec<_>, Vec<_>) = f.membership.iter().partition(|c| c.get_ref().decision.is_none());
    let mut early = Vec::new();
    let mut after = Vec::new();
    for c in rest {
        let x = c.get_ref();
        match item_deciding(f, c) {
            Some((item, cited)) if matches!(x.change, Change::Joined) && attends_as_member(&x.person) => {
                early.push((c, item, cited))
            }
            _ => after.push(c),
        }
    }
    for c in before {
        let eff = b.when_or(c, &c.get_ref().effective, day)?;
        let event = change_event(b, c)?;
        b.push(c, eff, event);
    }
    let mut recorded: Vec<&DecisionId> = Vec::new();
    for (c, item, cited) in early {
        if !recorded.contains(&cited) {
            for d in item.get_ref().all_decisions().filter(|d| &d.get_ref().id == cited) {
                decision(b, &m.id, item.get_ref().number, d, day)?;
            }
            recorded.push(cited);
        }
        let eff = b.when_or(c, &c.get_ref().effective, day)?;
        let event = change_event(b, c)?;
        b.push(c, eff, event);
    }
    if let Some(first) = f.attendance.first() {
        let mut attendees = Vec::new();
        for a in &f.attendance {
            let x = a.get_ref();
            let at = |t: &Option<Datetime>, field: &str| {
                t.as_ref().map(|t| when(t).or_else(|e| b.fail(a, format!("{field}: {e}")))).transpose()
            };
            attendees.push(Attendee {
                person: x.person.clone(),
                presence: x.presence,
                capacity: x.capacity,
                on_behalf_of: x.on_behalf_of.clone(),
                in_place_of: x.in_place_of.clone(),
                items: x.items.clone(),
                minute_taker: x.minute_taker,
                except_items: x.except_items.clone(),
                arrived: at(&x.arrived, "arrived")?,
                departed: at(&x.departed, "departed")?,
            });
        }
        let entries = f.attendance.iter().enumerate().map(|(place, a)| (place.to_string(), b.origin(a))).collect();
        let event = Event::AttendanceRecorded(AttendanceRecorded { meeting: m.id.clone(), attendees });
        b.push_list(first, day, event, entries);
    }
    for i in &f.item {
        let x = i.get_ref();
        if let Some(text) = &x.text {
            b.push(
                i,
                day,
                Event::ItemMinuted(ItemMinuted { meeting: m.id.clone(), item: x.number, text: text.clone() }),
            );
        }
        if x.decision.is_some() && !x.decisions.is_empty() {
            return b.fail(i, format!("item {}: give `decision` or `[[item.decisions]]`, not both", x.number));
        }
        for d in x.all_decisions().filter(|d| !recorded.contains(&&d.get_ref().id)) {
            decision(b, &m.id, x.number, d, day)?;
        }
        let ids: Vec<&DecisionId> = x.all_decisions().map(|d| &d.get_ref().id).collect();
        for a in &x.action {
            let y = a.get_ref();
            let follows = match (&y.decision, ids.as_slice()) {
                (Some(d), _) if ids.contains(&d) => Some(d.clone()),
                (Some(d), _) => return b.fail(a, format!("action {}: item {} has no decision {d:?}", y.id, x.number)),
                (None, [only]) => Some((*only).clone()),
                (None, _) => None,
            };
            let due = y.due.as_ref().map(|t| said(t).or_else(|e| b.fail(a, format!("due: {e}")))).transpose()?;
            let event = ActionAssigned {
                action: y.id.clone(),
                meeting: m.id.clone(),
                item: x.number,
                decision: follows,
                owner: owner(b, a, known)?,
                description: y.description.clone(),
                due,
            };
            b.push(a, day, Event::ActionAssigned(event));
        }
    }
    for c in after {
        let eff = b.when_or(c, &c.get_ref().effective, day)?;
        let event = change_event(b, c)?;
        b.push(c, eff, event);
    }
    for s in &f.scheduled {
        let x = s.get_ref();
        let starts_at = when(&x.starts).or_else(|e| b.fail(s, format!("starts: {e}")))?;
        let ends_at = x.ends.as_ref().map(|e| when(e).or_else(|e| b.fail(s, format!("ends: {e}")))).transpose()?;
        let event = MeetingScheduled {
            meeting: x.id.clone(),
            group: x.group.clone(),
            meeting_kind: x.kind,
            starts_at,
            ends_at,
            place: x.place.clone(),
            announced_at: Some(m.id.clone()),
        };
        b.push(s, day, Event::MeetingScheduled(event));
    }
    Ok(())
}

/// One of an item's decisions, and the agenda's approval where the decision is that.
fn decision(b: &mut Builder, meeting: &MeetingId, item: u32, d: &Spanned<DecisionIn>, day: When) -> Result<(), Error> {
    let y = d.get_ref();
    let takes_effect =
        y.takes_effect.as_ref().map(|t| said(t).or_else(|e| b.fail(d, format!("takes_effect: {e}")))).transpose()?;
    let event = DecisionRecorded {
        decision: y.id.clone(),
        meeting: meeting.clone(),
        item,
        outcome: y.outcome,
        text: y.text.clone(),
        conditions: y.conditions.clone(),
        takes_effect,
        deferred: y.deferred.clone(),
        votes: y.votes.clone(),
    };
    b.push(d, day, Event::DecisionRecorded(event));
    if y.approves_agenda {
        let event = AgendaApproved { meeting: meeting.clone(), decision: Some(y.id.clone()) };
        b.push(d, day, Event::AgendaApproved(event));
    }
    Ok(())
}

/// The item of this meeting whose decision a change cites, and that decision, if any.
fn item_deciding<'f>(f: &'f MeetingFile, c: &'f Spanned<ChangeIn>) -> Option<(&'f Spanned<ItemIn>, &'f DecisionId)> {
    let cited = c.get_ref().decision.as_ref()?;
    let item = f.item.iter().find(|i| i.get_ref().all_decisions().any(|d| &d.get_ref().id == cited))?;
    Some((item, cited))
}
