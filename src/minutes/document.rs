//! The minutes as one document structure, built from a meeting's record, before it
//! becomes Markdown or HTML.

use super::labels::said_date;
use super::words::*;
use super::Lang;
use crate::event::{Capacity, MeetingKind, Presence};
use crate::kv::ReadError;
use crate::model::Model;
use crate::query::{AttendeeView, MeetingRecord};

/// The document, before it becomes Markdown or HTML: one structure, two writers.
pub(super) enum Block {
    Title(String),
    Field(String, Vec<String>),
    /// A field whose lines belong together, like an address.
    Lines(String, Vec<String>),
    Heading(String),
    /// An agenda item's heading, by the item's number: the site links the agenda to it;
    /// the minutes as written (and approved) are the same as a `Heading`.
    ItemHeading(u32, String),
    Para(String),
    List(Vec<String>),
    /// The agenda as the body labels it ("7A. ..."), each line with its item's number;
    /// written as a `List`.
    LabelledAgenda(Vec<(u32, String)>),
    Numbered(Vec<(u32, String)>),
    Label(String),
}

pub(super) fn document(model: &Model, r: &MeetingRecord, lang: Lang) -> Result<Vec<Block>, ReadError> {
    let w = if lang == Lang::Da { &DA } else { &EN };
    let mut doc = Vec::new();
    let has_decisions = r.agenda.iter().any(|i| !i.decisions.is_empty());
    doc.push(Block::Title(if has_decisions { w.decision_minutes } else { w.minutes }.to_string()));
    let number = r.number.map(|n| format!(" {n}")).unwrap_or_default();
    let title = r.title.clone().unwrap_or_else(|| match r.meeting_kind {
        MeetingKind::Ordinary => format!("{}{number}", r.group_name),
        kind => format!("{}, {}{number}", r.group_name, super::meeting_kind(lang, kind).to_lowercase()),
    });
    doc.push(Block::Field(w.meeting.into(), vec![title]));
    doc.push(Block::Field(w.status.into(), vec![minutes_status(lang, w, &r.minutes_status)]));
    if let Some(note) = w.original {
        doc.push(Block::Para(note.into()));
    }
    if let Some(p) = &r.place {
        doc.push(Block::Lines(w.place.into(), p.lines().map(str::to_string).collect()));
    }
    // A written procedure runs over a period; its attendance is who answered.
    let written = r.meeting_kind == MeetingKind::WrittenProcedure;
    match (&r.ends_at, written) {
        (Some(ends), true) => doc.push(Block::Field(
            w.period.into(),
            vec![format!("{} - {}", plain_date(lang, r.starts_at.date()), plain_date(lang, ends.date()))],
        )),
        _ => doc.push(Block::Field(w.when.into(), vec![date_and_time(lang, &r.starts_at, &r.ends_at)])),
    }
    let labels: std::collections::BTreeMap<u32, String> =
        r.agenda.iter().map(|i| (i.number, i.shown_number())).collect();
    let shown = |n: u32| labels.get(&n).cloned().unwrap_or_else(|| n.to_string());
    let line = |a: &AttendeeView, with_org: bool| person_line(lang, w, a, with_org, &shown);
    let present = |c: Capacity| r.attendees.iter().filter(move |a| a.presence == Presence::Present && a.capacity == c);
    let members: Vec<String> = present(Capacity::Member).map(|a| line(a, true)).collect();
    if !members.is_empty() {
        doc.push(Block::Field(if written { w.answered } else { w.present }.into(), members));
    }
    let substitutes: Vec<String> = present(Capacity::Substitute).map(|a| line(a, true)).collect();
    if !substitutes.is_empty() {
        doc.push(Block::Field(w.substitutes.into(), substitutes));
    }
    let secretariat: Vec<&AttendeeView> = present(Capacity::Secretariat).collect();
    if let Some(first) = secretariat.first() {
        // Headed by the secretariat group's own name ("ATMP Danmark sekretariatet") when known.
        let day = r.starts_at.date();
        let mut heading = w.secretariat.to_string();
        for m in model.person_memberships(&first.person)?.iter().filter(|m| m.covers(day)) {
            match model.group(&m.group)? {
                Some(g) if g.group_kind == crate::event::GroupKind::Secretariat => {
                    heading = g.name;
                    break;
                }
                _ => {}
            }
        }
        doc.push(Block::Field(heading, secretariat.iter().map(|a| line(a, false)).collect()));
    }
    for (capacity, label) in
        [(Capacity::Officer, w.officers), (Capacity::Observer, w.observers), (Capacity::Guest, w.guests)]
    {
        let lines: Vec<String> = present(capacity).map(|a| line(a, true)).collect();
        if !lines.is_empty() {
            doc.push(Block::Field(label.into(), lines));
        }
    }
    // Those who sent apologies, and apart from them those absent without notice: a member
    // marked absent never vanishes from the minutes.
    let absent = if written { w.not_answered } else { w.absent };
    for (presence, label) in [(Presence::Apologies, w.apologies), (Presence::Absent, absent)] {
        let lines: Vec<String> = r.attendees.iter().filter(|a| a.presence == presence).map(|a| line(a, true)).collect();
        if !lines.is_empty() {
            doc.push(Block::Field(label.into(), lines));
        }
    }
    if let Some(n) = &r.next_meeting {
        let mut lines = vec![date_and_time(lang, &n.starts_at, &n.ends_at)];
        lines.extend(n.place.iter().flat_map(|p| p.lines().map(str::to_string)));
        doc.push(Block::Lines(w.next.into(), lines));
    }
    if !r.agenda.is_empty() {
        doc.push(Block::Heading(w.agenda.into()));
        // A list numbered by the items' numbers; where the body labels its items ("7A"), a
        // list of the labels as it says them.
        if r.agenda.iter().any(|i| i.label.is_some()) {
            doc.push(Block::LabelledAgenda(
                r.agenda.iter().map(|i| (i.number, format!("{}. {}", i.shown_number(), i.title))).collect(),
            ));
        } else {
            doc.push(Block::Numbered(r.agenda.iter().map(|i| (i.number, i.title.clone())).collect()));
        }
    }
    for item in &r.agenda {
        let presenters: Vec<&str> = item.presenters.iter().map(|p| p.name.as_str()).collect();
        let mut heading = format!("{}. {}", item.shown_number(), item.title);
        if !presenters.is_empty() {
            heading += &format!(" {}{}", w.presented_by, presenters.join(", "));
        }
        doc.push(Block::ItemHeading(item.number, heading));
        for para in item.text.iter().flat_map(|t| t.split("\n\n")) {
            let lines: Vec<&str> = para.lines().collect();
            if !lines.is_empty() && lines.iter().all(|l| l.starts_with("• ")) {
                doc.push(Block::List(lines.iter().map(|l| l.trim_start_matches("• ").to_string()).collect()));
            } else {
                doc.push(Block::Para(para.to_string()));
            }
        }
        for d in &item.decisions {
            doc.push(Block::Label(w.decision.into()));
            doc.push(Block::Para(d.text.clone()));
            if !d.conditions.is_empty() {
                doc.push(Block::Field(w.reservations.into(), d.conditions.clone()));
            }
            if let Some(t) = &d.takes_effect {
                doc.push(Block::Field(w.takes_effect.into(), vec![said_date(lang, t)]));
            }
            if let Some(v) = &d.votes {
                let mut lines = vec![tally(w, v)];
                if let Some(roll) = &v.roll_call {
                    for (side, names) in
                        [(w.in_favour, &roll.in_favour), (w.against, &roll.against), (w.abstaining, &roll.abstaining)]
                    {
                        if !names.is_empty() {
                            let mut named = Vec::new();
                            for p in names {
                                named.push(
                                    model
                                        .person(p)?
                                        .map_or_else(|| p.to_string(), |x| x.name_on(r.starts_at.date()).to_string()),
                                );
                            }
                            lines.push(format!("{}: {}", capitalised(side), named.join(", ")));
                        }
                    }
                }
                doc.push(Block::Field(w.vote.into(), lines));
            }
            if let Some(x) = &d.deferred {
                doc.push(Block::Field(w.deferred.into(), vec![x.clone()]));
            }
        }
        if !item.actions.is_empty() {
            let mut actions: Vec<_> = item.actions.iter().collect();
            actions.sort_by_key(|a| a.seq);
            let lines = actions
                .iter()
                .map(|a| {
                    let due = a.due.map(|d| format!(" ({} {})", w.due, said_date(lang, &d))).unwrap_or_default();
                    format!("{}: {}{due}", a.owner_name, a.description)
                })
                .collect();
            doc.push(Block::Label(format!("{}:", w.actions)));
            doc.push(Block::List(lines));
        }
    }
    Ok(doc)
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
