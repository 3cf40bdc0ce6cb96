//! A register file: organisations, people, groups and their memberships, as events.

use super::shapes::*;
use super::*;
use crate::error::Error;
use crate::event::*;
use crate::ids::{GroupId, PersonId};
use toml::Spanned;

pub(super) fn register(b: &mut Builder, r: &RegisterFile) -> Result<(), Error> {
    let default = when(&r.effective).map_err(|e| Error::Input(format!("{}: effective: {e}", b.name)))?;
    for o in &r.organisation {
        let x = o.get_ref();
        let eff = b.when_or(o, &x.since, default)?;
        let event = OrganisationRegistered {
            organisation: x.id.clone(),
            name: x.name.clone(),
            short_name: x.short_name.clone(),
        };
        b.push(o, eff, Event::OrganisationRegistered(event));
    }
    for p in &r.person {
        let x = p.get_ref();
        let eff = b.when_or(p, &x.since, default)?;
        let event = PersonRegistered {
            person: x.id.clone(),
            name: x.name.clone(),
            title: x.title.clone(),
            affiliation: x.affiliation.clone(),
        };
        b.push(p, eff, Event::PersonRegistered(event));
    }
    for g in &r.group {
        let x = g.get_ref();
        let eff = b.when_or(g, &x.established, default)?;
        let event = GroupEstablished {
            group: x.id.clone(),
            name: x.name.clone(),
            group_kind: x.kind,
            parent: x.parent.clone(),
            predecessor: x.predecessor.clone(),
            mandate: x.mandate.clone(),
            decision: None,
        };
        b.push(g, eff, Event::GroupEstablished(event));
        if let Some(seats) = x.seats {
            let event = SeatsDeclared {
                group: x.id.clone(),
                seats,
                per_constituency: x.seats_per_constituency,
                enforced: x.seats_enforced,
                note: None,
            };
            b.push(g, eff, Event::SeatsDeclared(event));
        } else if x.seats_per_constituency.is_some() || x.seats_enforced {
            return b.fail(g, "seats_per_constituency and seats_enforced need seats".to_string());
        }
    }
    // A membership joins where it stands in the file and leaves at its end; several
    // terms of one person in one group are taken in date order instead, each leaving
    // before the next begins (a file without such terms gives the events it always did).
    let terms_of = |x: &MembershipIn| {
        r.membership.iter().filter(|y| (&y.get_ref().person, &y.get_ref().group) == (&x.person, &x.group)).count()
    };
    let mut leaving = Vec::new();
    let mut done: Vec<(&PersonId, &GroupId)> = Vec::new();
    for m in &r.membership {
        let x = m.get_ref();
        if terms_of(x) == 1 {
            let (joined, left) = term(b, m, default)?;
            b.push(m, joined.0, joined.1);
            leaving.extend(left.map(|l| (m, l)));
            continue;
        }
        if done.contains(&(&x.person, &x.group)) {
            continue;
        }
        done.push((&x.person, &x.group));
        let mut steps = Vec::new();
        for y in r.membership.iter().filter(|y| (&y.get_ref().person, &y.get_ref().group) == (&x.person, &x.group)) {
            let (joined, left) = term(b, y, default)?;
            steps.push((joined.0.date(), 1, y, joined));
            steps.extend(left.map(|l| (l.0.date(), 0, y, l)));
        }
        steps.sort_by_key(|(date, order, _, _)| (*date, *order));
        for (_, _, y, (eff, event)) in steps {
            b.push(y, eff, event);
        }
    }
    for (m, (eff, event)) in leaving {
        b.push(m, eff, event);
    }
    for g in &r.group {
        let x = g.get_ref();
        if let Some(d) = &x.dissolved {
            let eff = when(d).or_else(|e| b.fail(g, e))?;
            let event = GroupDissolved {
                group: x.id.clone(),
                successor: x.successor.clone(),
                note: x.dissolution_note.clone(),
            };
            b.push(g, eff, Event::GroupDissolved(event));
        } else if x.successor.is_some() || x.dissolution_note.is_some() {
            return b.fail(g, "successor and dissolution_note go with a `dissolved` date".into());
        }
    }
    Ok(())
}

pub(super) fn change_event(b: &Builder, c: &Spanned<ChangeIn>) -> Result<Event, Error> {
    let x = c.get_ref();
    let role = || x.role.ok_or(()).or_else(|_| b.fail(c, format!("change = \"{:?}\" needs a role", x.change)));
    Ok(match x.change {
        Change::Joined => Event::MemberJoined(MemberJoined {
            person: x.person.clone(),
            group: x.group.clone(),
            role: role()?,
            rank: x.rank,
            on_behalf_of: x.on_behalf_of.clone(),
            seat: x.seat.clone(),
            substitute_for: x.substitute_for.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
        }),
        Change::Left => Event::MemberLeft(MemberLeft {
            person: x.person.clone(),
            group: x.group.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
        }),
        Change::RoleChanged => Event::MemberRoleChanged(MemberRoleChanged {
            person: x.person.clone(),
            group: x.group.clone(),
            role: role()?,
            rank: x.rank,
            decision: x.decision.clone(),
            note: x.note.clone(),
        }),
        Change::Nominated => Event::MemberNominated(MemberNominated {
            person: x.person.clone(),
            group: x.group.clone(),
            role: role()?,
            on_behalf_of: x.on_behalf_of.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
        }),
    })
}

/// A register membership as the event that opens it and, with `until`, the one that
/// closes it.
type Step = (When, Event);

fn term(b: &Builder, m: &Spanned<MembershipIn>, default: When) -> Result<(Step, Option<Step>), Error> {
    let x = m.get_ref();
    let eff = b.when_or(m, &x.from, default)?;
    let joined = MemberJoined {
        person: x.person.clone(),
        group: x.group.clone(),
        role: x.role,
        rank: x.rank,
        on_behalf_of: x.on_behalf_of.clone(),
        seat: x.seat.clone(),
        substitute_for: x.substitute_for.clone(),
        decision: x.decision.clone(),
        note: x.note.clone(),
    };
    let left = match &x.until {
        Some(until) => {
            let eff = when(until).or_else(|e| b.fail(m, e))?;
            let event = MemberLeft { person: x.person.clone(), group: x.group.clone(), decision: None, note: None };
            Some((eff, Event::MemberLeft(event)))
        }
        None => None,
    };
    Ok(((eff, Event::MemberJoined(joined)), left))
}
