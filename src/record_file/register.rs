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
        for alias in &x.aliases {
            let event = PersonAliasRecorded { person: x.id.clone(), alias: alias.clone(), note: None };
            b.push(p, eff, Event::PersonAliasRecorded(event));
        }
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
    for c in &r.change {
        let eff = change_effective(b, c, default)?;
        let event = change_event(b, c)?;
        b.push(c, eff, event);
    }
    Ok(())
}

/// A dated change's valid time: its own `effective`, or `default`; a `left` change's is
/// an end date, read as the file says its end dates are meant.
pub(super) fn change_effective(b: &Builder, c: &Spanned<ChangeIn>, default: When) -> Result<When, Error> {
    let x = c.get_ref();
    match (&x.effective, x.change) {
        (Some(dt), Change::Left) => b.end(c, dt),
        (dt, _) => b.when_or(c, dt, default),
    }
}

pub(super) fn change_event(b: &Builder, c: &Spanned<ChangeIn>) -> Result<Event, Error> {
    let x = c.get_ref();
    let kind = format!("{:?}", x.change).to_lowercase();
    let role = || x.role.ok_or(()).or_else(|_| b.fail(c, format!("change = \"{kind}\" needs a role")));
    let group = || x.group.clone().ok_or(()).or_else(|_| b.fail(c, format!("change = \"{kind}\" needs a group")));
    // Each change takes its own fields; any other is a mistake to name, not to drop.
    let given = [
        ("group", x.group.is_some()),
        ("role", x.role.is_some()),
        ("rank", x.rank.is_some()),
        ("on_behalf_of", x.on_behalf_of.is_some()),
        ("seat", x.seat.is_some()),
        ("substitute_for", x.substitute_for.is_some()),
        ("decision", x.decision.is_some()),
        ("additional", x.additional),
        ("from_role", x.from_role.is_some()),
        ("until", x.until.is_some()),
        ("substitute", x.substitute.is_some()),
        ("reason", x.reason.is_some()),
        ("name", x.name.is_some()),
        ("alias", x.alias.is_some()),
        ("affiliation", x.affiliation.is_some()),
    ];
    let takes: &[&str] = match x.change {
        Change::Joined => {
            &["group", "role", "rank", "on_behalf_of", "seat", "substitute_for", "decision", "additional"]
        }
        // A `left` change may name its role: the one that ends, where there are several.
        Change::Left => &["group", "role", "decision"],
        Change::RoleChanged => &["group", "role", "rank", "decision", "from_role"],
        Change::Nominated => &["group", "role", "on_behalf_of", "decision"],
        Change::Leave => &["group", "until", "substitute", "reason", "decision"],
        Change::Returned => &["group"],
        Change::Renamed => &["name"],
        Change::Alias => &["alias"],
        Change::Affiliation => &["affiliation"],
    };
    if let Some((field, _)) = given.iter().find(|(f, present)| *present && !takes.contains(f)) {
        return b.fail(c, format!("{field} does not go with change = \"{kind}\""));
    }
    let text = |v: &Option<String>, field: &str| {
        v.clone().ok_or(()).or_else(|_| b.fail(c, format!("change = \"{kind}\" needs {field}")))
    };
    Ok(match x.change {
        Change::Joined => Event::MemberJoined(MemberJoined {
            person: x.person.clone(),
            group: group()?,
            role: role()?,
            rank: x.rank,
            on_behalf_of: x.on_behalf_of.clone(),
            seat: x.seat.clone(),
            substitute_for: x.substitute_for.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
            additional: x.additional,
        }),
        Change::Left => Event::MemberLeft(MemberLeft {
            person: x.person.clone(),
            group: group()?,
            decision: x.decision.clone(),
            note: x.note.clone(),
            role: x.role,
        }),
        Change::RoleChanged => Event::MemberRoleChanged(MemberRoleChanged {
            person: x.person.clone(),
            group: group()?,
            role: role()?,
            rank: x.rank,
            decision: x.decision.clone(),
            note: x.note.clone(),
            from_role: x.from_role,
        }),
        Change::Nominated => Event::MemberNominated(MemberNominated {
            person: x.person.clone(),
            group: group()?,
            role: role()?,
            on_behalf_of: x.on_behalf_of.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
        }),
        Change::Leave => Event::LeaveOfAbsenceBegan(LeaveOfAbsenceBegan {
            person: x.person.clone(),
            group: group()?,
            until: x.until.as_ref().map(|u| b.end(c, u).map(|w| w.date())).transpose()?,
            substitute: x.substitute.clone(),
            reason: x.reason.clone(),
            decision: x.decision.clone(),
            note: x.note.clone(),
        }),
        Change::Returned => Event::LeaveOfAbsenceEnded(LeaveOfAbsenceEnded {
            person: x.person.clone(),
            group: group()?,
            note: x.note.clone(),
        }),
        Change::Renamed => Event::PersonRenamed(PersonRenamed {
            person: x.person.clone(),
            name: text(&x.name, "a name")?,
            note: x.note.clone(),
        }),
        Change::Alias => Event::PersonAliasRecorded(PersonAliasRecorded {
            person: x.person.clone(),
            alias: text(&x.alias, "an alias")?,
            note: x.note.clone(),
        }),
        Change::Affiliation => Event::AffiliationChanged(AffiliationChanged {
            person: x.person.clone(),
            affiliation: x.affiliation.clone(),
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
        additional: x.additional,
    };
    let left = match &x.until {
        Some(until) => {
            let eff = b.end(m, until)?;
            // An additional role's end names its role: the person holds another.
            let role = x.additional.then_some(x.role);
            let event =
                MemberLeft { person: x.person.clone(), group: x.group.clone(), decision: None, note: None, role };
            Some((eff, Event::MemberLeft(event)))
        }
        None => None,
    };
    Ok(((eff, Event::MemberJoined(joined)), left))
}
