//! A register file: organisations, people, groups and their memberships, as events.

use super::shapes::*;
use super::*;
use crate::error::Error;
use crate::event::*;
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
    let mut leaving = Vec::new();
    for m in &r.membership {
        let x = m.get_ref();
        let eff = b.when_or(m, &x.from, default)?;
        let event = MemberJoined {
            person: x.person.clone(),
            group: x.group.clone(),
            role: x.role,
            on_behalf_of: x.on_behalf_of.clone(),
            seat: x.seat.clone(),
            substitute_for: x.substitute_for.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
        };
        b.push(m, eff, Event::MemberJoined(event));
        if let Some(until) = &x.until {
            let eff = when(until).or_else(|e| b.fail(m, e))?;
            leaving.push((
                m,
                eff,
                MemberLeft { person: x.person.clone(), group: x.group.clone(), decision: None, note: None },
            ));
        }
    }
    for (m, eff, event) in leaving {
        b.push(m, eff, Event::MemberLeft(event));
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
