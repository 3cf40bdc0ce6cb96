//! The rules of each kind of event, against the state it would be applied to.

use super::refs::*;
use super::{minutes, people, RuleError};
use crate::event::*;
use crate::model::{Entry, MeetingStatus, Model};
use std::collections::BTreeSet;

/// Checks one event (not a correction) against the state it would be applied to.
pub fn check(m: &Model, entry: &Entry) -> Result<(), RuleError> {
    if let Some(id) = minutes::record_changed(&entry.event) {
        minutes::unlocked(m, id)?;
    }
    check_replacement(m, entry)
}

/// Checks the replacement a correction puts in an event's place: every rule of its kind
/// but the lock of approved minutes, since a correction is the way, with its reason, to
/// change a locked record.
pub fn check_replacement(m: &Model, entry: &Entry) -> Result<(), RuleError> {
    let date = entry.date();
    match &entry.event {
        Event::OrganisationRegistered(e) => {
            name("name", &e.name)?;
            opt(&e.short_name, |s| name("short_name", s))?;
            if m.organisation(&e.organisation)?.is_some() {
                return refuse("duplicate-id", format!("organisation {:?} is already registered", e.organisation));
            }
        }
        Event::PersonRegistered(e) => {
            name("name", &e.name)?;
            opt(&e.title, |s| name("title", s))?;
            opt(&e.affiliation, |o| org(m, o, date))?;
            if m.person(&e.person)?.is_some() {
                return refuse("duplicate-id", format!("person {:?} is already registered", e.person));
            }
        }
        Event::GroupEstablished(e) => {
            name("name", &e.name)?;
            opt(&e.mandate, |s| text("mandate", s))?;
            if m.group(&e.group)?.is_some() {
                return refuse("duplicate-id", format!("group {:?} is already established", e.group));
            }
            opt(&e.parent, |g| group(m, g, date))?;
            opt(&e.predecessor, |g| {
                let Some(p) = m.group(g)? else {
                    return refuse("unknown-reference", format!("unknown group {g:?}"));
                };
                not_before(&format!("group {g:?}"), p.established, date)
            })?;
            opt(&e.decision, |d| decision(m, d, date))?;
        }
        Event::SeatsDeclared(e) => {
            group(m, &e.group, date)?;
            opt(&e.note, |s| text("note", s))?;
            if e.seats == 0 || e.seats > SEATS_MAX {
                return refuse("seats", format!("{} seats: a group has 1 to {SEATS_MAX}", e.seats));
            }
            if e.per_constituency.is_some_and(|n| n == 0 || n > e.seats) {
                return refuse("seats", format!("per_constituency must be 1 to the {} seats", e.seats));
            }
        }
        Event::GroupDissolved(e) => {
            group(m, &e.group, date)?;
            opt(&e.successor, |g| group(m, g, date))?;
            opt(&e.note, |s| text("note", s))?;
        }
        Event::MemberNominated(e) => {
            person(m, &e.person, date)?;
            group(m, &e.group, date)?;
            opt(&e.on_behalf_of, |o| org(m, o, date))?;
            opt(&e.decision, |d| decided_by(m, d))?;
            opt(&e.note, |s| text("note", s))?;
        }
        Event::MemberJoined(e) => {
            person(m, &e.person, date)?;
            group(m, &e.group, date)?;
            opt(&e.on_behalf_of, |o| org(m, o, date))?;
            opt(&e.substitute_for, |p| {
                person(m, p, date)?;
                principal(m, p, &e.person, &e.group, date)
            })?;
            opt(&e.decision, |d| decided_by(m, d))?;
            opt(&e.seat, |s| name("seat", s))?;
            opt(&e.note, |s| text("note", s))?;
            // An additional role may overlap the person's others, never the same role.
            if let Some(other) = m
                .memberships_of(&e.person, &e.group)?
                .into_iter()
                .find(|x| x.end.is_none_or(|end| end > date) && (!e.additional || x.role == e.role))
            {
                return refuse(
                    "membership-overlap",
                    format!(
                        "{:?} already holds a membership of {:?} as {} from {}{} (seq {}), which overlaps one starting {date}",
                        e.person,
                        e.group,
                        name_of(&other.role),
                        other.start,
                        other.end.map(|d| format!(" until {d}")).unwrap_or_default(),
                        other.opened_by
                    ),
                );
            }
            if e.rank == Some(0) {
                return refuse("limits", "a rank starts at 1 (the 1st vice chair)");
            }
            if e.role.holds_seat() {
                seats(m, &e.group, &e.person, e.on_behalf_of.as_ref(), date)?;
            }
        }
        Event::MemberRoleChanged(MemberRoleChanged {
            person: p,
            group: g,
            decision: d,
            note,
            from_role: which,
            ..
        })
        | Event::MemberLeft(MemberLeft { person: p, group: g, decision: d, note, role: which }) => {
            person(m, p, date)?;
            group(m, g, date)?;
            opt(d, |d| decided_by(m, d))?;
            opt(note, |s| text("note", s))?;
            let open: Vec<_> = m.memberships_of(p, g)?.into_iter().filter(|x| x.end.is_none()).collect();
            if which.is_none() && open.len() > 1 {
                let roles = open.iter().map(|x| name_of(&x.role)).collect::<Vec<_>>().join(" and ");
                return refuse(
                    "which-membership",
                    format!("{p:?} holds {roles} in {g:?}: say which role changes or ends"),
                );
            }
            let current = open.into_iter().find(|x| which.is_none_or(|r| r == x.role));
            if let (Some(r), None) = (which, &current) {
                return refuse("which-membership", format!("{p:?} holds no role {} in {g:?}", name_of(r)));
            }
            match current {
                None => return refuse("not-a-member", format!("{p:?} is not a member of {g:?} on {date}")),
                Some(x) if x.start >= date => {
                    return refuse(
                        "not-a-member",
                        format!("{p:?}'s membership of {g:?} starts {}, not before {date}", x.start),
                    )
                }
                Some(x) => {
                    if let Event::MemberRoleChanged(e) = &entry.event {
                        if (x.role, x.rank) == (e.role, e.rank) {
                            return refuse(
                                "same-role",
                                format!("{p:?} already holds role {} in {g:?}", name_of(&e.role)),
                            );
                        }
                        if e.rank == Some(0) {
                            return refuse("limits", "a rank starts at 1 (the 1st vice chair)");
                        }
                        if e.role.holds_seat() && !x.role.holds_seat() {
                            seats(m, g, p, x.on_behalf_of.as_ref(), date)?;
                        }
                    }
                }
            }
        }
        Event::PersonRenamed(e) => people::renamed(m, e, date)?,
        Event::PersonAliasRecorded(e) => people::alias(m, e, date)?,
        Event::AffiliationChanged(e) => people::affiliation(m, e, date)?,
        Event::LeaveOfAbsenceBegan(e) => people::leave_began(m, e, date)?,
        Event::LeaveOfAbsenceEnded(e) => people::leave_ended(m, e, date)?,
        Event::MeetingScheduled(e) => {
            group(m, &e.group, date)?;
            opt(&e.place, |s| text("place", s))?;
            opt(&e.announced_at, |a| meeting(m, a, date, true).map(|_| ()))?;
            if m.meeting_head(&e.meeting)?.is_some() {
                return refuse("duplicate-id", format!("meeting {:?} already exists", e.meeting));
            }
            ends_after(&e.starts_at, &e.ends_at)?;
        }
        Event::MeetingHeld(e) => {
            group(m, &e.group, date)?;
            opt(&e.title, |s| name("title", s))?;
            opt(&e.place, |s| text("place", s))?;
            ends_after(&e.starts_at, &e.ends_at)?;
            if e.number == Some(0) {
                return refuse("limits", "meeting numbers start at 1");
            }
            if e.starts_at.date() > date {
                return refuse(
                    "before-it-existed",
                    format!("a meeting starting {} cannot be recorded as held on {date}", e.starts_at.date()),
                );
            }
            if let Some(existing) = m.meeting_head(&e.meeting)? {
                if existing.status == MeetingStatus::Held {
                    return refuse(
                        "meeting-already-held",
                        format!("meeting {:?} is already recorded as held", e.meeting),
                    );
                }
                if existing.group != e.group {
                    return refuse(
                        "meeting-group-mismatch",
                        format!("meeting {:?} was scheduled for {:?}, not {:?}", e.meeting, existing.group, e.group),
                    );
                }
            }
            if let Some(n) = e.number {
                if let Some((_, id)) = m.meetings_numbered(&e.group, n)?.into_iter().find(|(k, _)| *k == e.meeting_kind)
                {
                    return refuse(
                        "duplicate-meeting-number",
                        format!(
                            "{:?} already has a meeting number {n} of kind {} ({id:?})",
                            e.group,
                            name_of(&e.meeting_kind)
                        ),
                    );
                }
            }
        }
        Event::AgendaSet(e) => {
            meeting(m, &e.meeting, date, false)?;
            list("items", &e.items)?;
            let (mut seen, mut labels) = (BTreeSet::new(), BTreeSet::new());
            for (place, it) in e.items.iter().enumerate() {
                let subject = place.to_string();
                let about = |r: RuleError| r.about(&subject);
                name(&format!("item {} title", it.number), &it.title).map_err(about)?;
                if it.number == 0 || !seen.insert(it.number) {
                    return refuse("agenda-numbering", format!("agenda item number {} is zero or repeated", it.number));
                }
                opt(&it.label, |l| name(&format!("item {} label", it.number), l))?;
                if !labels.insert(it.shown_number()) {
                    return refuse(
                        "agenda-numbering",
                        format!("agenda item label {:?} is repeated", it.shown_number()),
                    );
                }
                for p in &it.presenters {
                    person(m, p, date).map_err(about)?;
                }
            }
        }
        Event::AgendaApproved(e) => {
            let mt = meeting(m, &e.meeting, date, true)?;
            if mt.agenda.is_empty() {
                return refuse("unknown-reference", format!("meeting {:?} has no agenda to approve", e.meeting));
            }
            opt(&e.decision, |d| decision(m, d, date))?;
        }
        Event::AttendanceRecorded(e) => {
            let mt = meeting(m, &e.meeting, date, true)?;
            list("attendees", &e.attendees)?;
            let mut seen = BTreeSet::new();
            for (place, a) in e.attendees.iter().enumerate() {
                // A refusal about one attendee is about that entry of the list (the
                // second of two listings of one person, not the first).
                attendee(m, &mt, &e.meeting, a, &mut seen, date).map_err(|r| r.about(&place.to_string()))?;
            }
        }
        Event::ItemMinuted(e) => {
            let mt = meeting(m, &e.meeting, date, true)?;
            item(&mt, &e.meeting, e.item)?;
            text("text", &e.text)?;
        }
        Event::DecisionRecorded(e) => {
            let mt = meeting(m, &e.meeting, date, true)?;
            item(&mt, &e.meeting, e.item)?;
            text("text", &e.text)?;
            list("conditions", &e.conditions)?;
            for c in &e.conditions {
                text("condition", c)?;
            }
            opt(&e.deferred, |s| text("deferred", s))?;
            if m.decision(&e.decision)?.is_some() {
                return refuse("duplicate-id", format!("decision {:?} already exists", e.decision));
            }
            match (e.outcome == Outcome::ApprovedWithReservations, e.conditions.is_empty()) {
                (true, true) => {
                    return refuse("reservations", "approved_with_reservations needs at least one condition")
                }
                (false, false) => return refuse("reservations", "only approved_with_reservations carries conditions"),
                _ => {}
            }
            opt(&e.votes, |v| votes(m, v, date))?;
        }
        Event::DecisionStatusChanged(e) => {
            decision(m, &e.decision, date)?;
            opt(&e.note, |s| text("note", s))?;
            match (&e.status, &e.superseded_by) {
                (DecisionStatus::Recorded, _) => {
                    return refuse("status", "`recorded` is the status before any change; it cannot be set")
                }
                (DecisionStatus::Superseded, Some(by)) if by == &e.decision => {
                    return refuse("status", "a decision cannot supersede itself")
                }
                (DecisionStatus::Superseded, Some(by)) => decision(m, by, date)?,
                (DecisionStatus::Superseded, None) => return refuse("status", "superseded needs superseded_by"),
                (_, Some(_)) => return refuse("status", "superseded_by goes only with status superseded"),
                (_, None) => {}
            }
        }
        Event::ActionAssigned(e) => {
            let mt = meeting(m, &e.meeting, date, true)?;
            item(&mt, &e.meeting, e.item)?;
            text("description", &e.description)?;
            if m.action(&e.action)?.is_some() {
                return refuse("duplicate-id", format!("action {:?} already exists", e.action));
            }
            if let Some(d) = &e.decision {
                let Some(dec) = m.decision(d)? else {
                    return refuse("unknown-reference", format!("action for unknown decision {d:?}"));
                };
                if dec.meeting != e.meeting || dec.item != e.item {
                    return refuse(
                        "action-decision-mismatch",
                        format!("decision {d:?} belongs to item {} of {:?}", dec.item, dec.meeting),
                    );
                }
            }
            match &e.owner {
                Party::Person(p) => person(m, p, date)?,
                Party::Group(g) => group(m, g, date)?,
                Party::Organisation(o) => org(m, o, date)?,
            }
        }
        Event::ActionCompleted(e) => {
            let Some(a) = m.action(&e.action)? else {
                return refuse("unknown-reference", format!("unknown action {:?}", e.action));
            };
            not_before(&format!("action {:?}", e.action), a.assigned, date)?;
            if let Some(c) = &a.completed {
                return refuse(
                    "already-completed",
                    format!("action {:?} was completed on {} (seq {})", e.action, c.date, c.seq),
                );
            }
            opt(&e.note, |s| text("note", s))?;
        }
        Event::MinutesApproved(e) => minutes::approved(m, e, date)?,
        Event::MinutesCirculated(e) => minutes::circulated(m, e, date)?,
        Event::MinutesReopened(e) => minutes::reopened(m, e, date)?,
        Event::FileImported(e) => {
            name("file", &e.file)?;
            text_max("content", &e.content, FILE_CHARS_MAX)?;
            let computed = crate::hash::document_hash(e.content.as_bytes());
            // An empty text is a file whose text is not kept: erased (`BodyRedacted`).
            if computed != e.content_hash && !e.content.is_empty() {
                return refuse("file-content-hash", format!("content hashes to {computed}, not {}", e.content_hash));
            }
            if let Some(i) = m.import_of_content(&e.content_hash)? {
                return refuse("file-imported", format!("this content was imported as {:?} at seq {}", i.file, i.seq));
            }
            if let Some(i) = m.import_of_file(&e.file)? {
                return refuse(
                    "file-imported",
                    format!(
                        "{:?} was imported at seq {} with other content; record a correction instead",
                        e.file, i.seq
                    ),
                );
            }
        }
        Event::EventCorrected(_) => {
            return refuse("correction", "a correction cannot itself be the replacement of an event");
        }
        Event::BodyRedacted(_) => {
            return refuse("redaction", "a redaction cannot itself be the replacement of an event");
        }
        Event::Erased(e) => {
            return refuse("redaction", format!("an erased {} cannot be recorded", e.kind));
        }
    }
    Ok(())
}
