//! The files a secretariat writes instead of JSON events: a register of organisations,
//! people, groups and memberships, and one file per meeting, in TOML (docs/MINUTES.md).
//! Parsing is pure; turning a file into events reads the model only to resolve who owns
//! an action. Every event remembers the file and line it came from.

use crate::error::Error;
use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, MeetingId, OrgId, PersonId};
use crate::input::NewEvent;
use crate::state::Model;
use crate::when::When;
use chrono::NaiveDate;
use serde::Deserialize;
use toml::value::Datetime;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterFile {
    /// Valid time of every entry that does not give its own.
    effective: Datetime,
    #[serde(default)]
    organisation: Vec<Spanned<OrgIn>>,
    #[serde(default)]
    person: Vec<Spanned<PersonIn>>,
    #[serde(default)]
    group: Vec<Spanned<GroupIn>>,
    #[serde(default)]
    membership: Vec<Spanned<MembershipIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OrgIn {
    id: OrgId,
    name: String,
    short_name: Option<String>,
    since: Option<Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonIn {
    id: PersonId,
    name: String,
    title: Option<String>,
    affiliation: Option<OrgId>,
    since: Option<Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupIn {
    id: GroupId,
    name: String,
    kind: GroupKind,
    parent: Option<GroupId>,
    predecessor: Option<GroupId>,
    mandate: Option<String>,
    established: Option<Datetime>,
    dissolved: Option<Datetime>,
    successor: Option<GroupId>,
    dissolution_note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembershipIn {
    person: PersonId,
    group: GroupId,
    role: Role,
    on_behalf_of: Option<OrgId>,
    seat: Option<String>,
    substitute_for: Option<PersonId>,
    decision: Option<DecisionId>,
    from: Option<Datetime>,
    until: Option<Datetime>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingFile {
    meeting: Spanned<MeetingIn>,
    #[serde(default)]
    attendance: Vec<Spanned<AttendeeIn>>,
    #[serde(default)]
    membership: Vec<Spanned<ChangeIn>>,
    #[serde(default)]
    item: Vec<Spanned<ItemIn>>,
    #[serde(default)]
    scheduled: Vec<Spanned<ScheduledIn>>,
}

fn ordinary() -> MeetingKind {
    MeetingKind::Ordinary
}

fn present() -> Presence {
    Presence::Present
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeetingIn {
    id: MeetingId,
    group: GroupId,
    number: u32,
    #[serde(default = "ordinary")]
    kind: MeetingKind,
    title: Option<String>,
    place: Option<String>,
    starts: Datetime,
    ends: Option<Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttendeeIn {
    person: PersonId,
    #[serde(default = "present")]
    presence: Presence,
    #[serde(rename = "as")]
    capacity: Capacity,
    on_behalf_of: Option<OrgId>,
    in_place_of: Option<PersonId>,
    #[serde(default)]
    items: Vec<u32>,
    #[serde(default)]
    minute_taker: bool,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Change {
    Joined,
    Left,
    RoleChanged,
    Nominated,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeIn {
    change: Change,
    person: PersonId,
    group: GroupId,
    role: Option<Role>,
    on_behalf_of: Option<OrgId>,
    seat: Option<String>,
    substitute_for: Option<PersonId>,
    decision: Option<DecisionId>,
    /// Defaults to the meeting's date.
    effective: Option<Datetime>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemIn {
    number: u32,
    title: String,
    #[serde(default)]
    presenters: Vec<PersonId>,
    text: Option<String>,
    decision: Option<Spanned<DecisionIn>>,
    #[serde(default)]
    action: Vec<Spanned<ActionIn>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DecisionIn {
    id: DecisionId,
    outcome: Outcome,
    text: String,
    #[serde(default)]
    conditions: Vec<String>,
    takes_effect: Option<Datetime>,
    deferred: Option<String>,
    #[serde(default)]
    approves_agenda: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionIn {
    id: ActionId,
    /// A person, group or organisation id.
    owner: String,
    description: String,
    due: Option<Datetime>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScheduledIn {
    id: MeetingId,
    group: GroupId,
    #[serde(default = "ordinary")]
    kind: MeetingKind,
    starts: Datetime,
    ends: Option<Datetime>,
    place: Option<String>,
}

#[derive(Debug)]
enum Content {
    Register(RegisterFile),
    Meeting(Box<MeetingFile>),
}

/// A parsed file, not yet turned into events.
#[derive(Debug)]
pub struct RecordFile {
    pub name: String,
    pub text: String,
    content: Content,
}

impl RecordFile {
    /// Register files sort before meeting files; meetings by their date.
    pub fn sort_key(&self) -> (u8, Option<NaiveDate>, String) {
        match &self.content {
            Content::Register(_) => (0, None, self.name.clone()),
            Content::Meeting(m) => (1, when(&m.meeting.get_ref().starts).ok().map(|w| w.date()), self.name.clone()),
        }
    }
}

/// Parses a file as a register (it has `effective` and no `[meeting]`) or a meeting file.
pub fn parse(name: &str, text: &str) -> Result<RecordFile, Error> {
    let table: toml::Table = toml::from_str(text).map_err(|e| Error::Input(format!("{name}: {e}")))?;
    let content = if table.contains_key("meeting") {
        Content::Meeting(Box::new(toml::from_str(text).map_err(|e| Error::Input(format!("{name}: {e}")))?))
    } else if table.contains_key("effective") {
        Content::Register(toml::from_str(text).map_err(|e| Error::Input(format!("{name}: {e}")))?)
    } else {
        return Err(Error::Input(format!(
            "{name}: neither a meeting file (it has no [meeting] table) nor a register (it has no `effective` date)"
        )));
    };
    Ok(RecordFile { name: name.to_string(), text: text.to_string(), content })
}

fn when(dt: &Datetime) -> Result<When, String> {
    When::parse(&dt.to_string()).map_err(|_| format!("{dt} needs a UTC offset, e.g. {dt}+01:00, or to be a plain date"))
}

fn date(dt: &Datetime) -> Result<NaiveDate, String> {
    match when(dt)? {
        When::Date(d) => Ok(d),
        When::Instant(_) => Err(format!("{dt} must be a plain date")),
    }
}

/// Builds events for one file; `line` finds the line of a span for messages.
struct Builder<'a> {
    name: &'a str,
    text: &'a str,
    events: Vec<NewEvent>,
}

impl Builder<'_> {
    fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.text[..s.span().start.min(self.text.len())].matches('\n').count() + 1
    }

    fn origin<T>(&self, s: &Spanned<T>) -> String {
        format!("{}:{}", self.name, self.line(s))
    }

    fn fail<T, U>(&self, s: &Spanned<T>, what: String) -> Result<U, Error> {
        Err(Error::Input(format!("{}: {what}", self.origin(s))))
    }

    fn push<T>(&mut self, s: &Spanned<T>, effective: When, event: Event) {
        let origin = self.origin(s);
        self.events.push(NewEvent { effective, event, origin });
    }

    fn when_or<T>(&self, s: &Spanned<T>, dt: &Option<Datetime>, default: When) -> Result<When, Error> {
        match dt {
            Some(dt) => when(dt).or_else(|e| self.fail(s, e)),
            None => Ok(default),
        }
    }
}

/// Turns a parsed file into the events of one batch, each with its file and line. The
/// model resolves action owners, which may be a person, a group or an organisation.
pub fn to_events(file: &RecordFile, model: &Model) -> Result<Vec<NewEvent>, Error> {
    let mut b = Builder { name: &file.name, text: &file.text, events: Vec::new() };
    match &file.content {
        Content::Register(r) => register(&mut b, r)?,
        Content::Meeting(m) => meeting(&mut b, m, model)?,
    }
    Ok(b.events)
}

fn register(b: &mut Builder, r: &RegisterFile) -> Result<(), Error> {
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

fn change_event(b: &Builder, c: &Spanned<ChangeIn>) -> Result<Event, Error> {
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

fn owner(b: &Builder, a: &Spanned<ActionIn>, model: &Model) -> Result<Party, Error> {
    let id = &a.get_ref().owner;
    let mut found = Vec::new();
    if let Ok(p) = PersonId::try_from(id.as_str()) {
        if model.person(&p).is_some() {
            found.push(Party::Person(p));
        }
    }
    if let Ok(g) = GroupId::try_from(id.as_str()) {
        if model.group(&g).is_some() {
            found.push(Party::Group(g));
        }
    }
    if let Ok(o) = OrgId::try_from(id.as_str()) {
        if model.organisation(&o).is_some() {
            found.push(Party::Organisation(o));
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => b.fail(a, format!("owner {id:?} is no known person, group or organisation")),
        _ => b.fail(a, format!("owner {id:?} names more than one of a person, a group and an organisation")),
    }
}

fn meeting(b: &mut Builder, f: &MeetingFile, model: &Model) -> Result<(), Error> {
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
                AgendaItem { number: x.number, title: x.title.clone(), presenters: x.presenters.clone() }
            })
            .collect();
        b.push(first, day, Event::AgendaSet(AgendaSet { meeting: m.id.clone(), items }));
    }
    // Changes that rest on no decision of this meeting come before the attendance (a
    // member who joins today attends as a member); the others after the decisions.
    let (before, after): (Vec<_>, Vec<_>) = f.membership.iter().partition(|c| c.get_ref().decision.is_none());
    for c in before {
        let eff = b.when_or(c, &c.get_ref().effective, day)?;
        let event = change_event(b, c)?;
        b.push(c, eff, event);
    }
    if let Some(first) = f.attendance.first() {
        let attendees = f
            .attendance
            .iter()
            .map(|a| {
                let x = a.get_ref();
                Attendee {
                    person: x.person.clone(),
                    presence: x.presence,
                    capacity: x.capacity,
                    on_behalf_of: x.on_behalf_of.clone(),
                    in_place_of: x.in_place_of.clone(),
                    items: x.items.clone(),
                    minute_taker: x.minute_taker,
                }
            })
            .collect();
        b.push(first, day, Event::AttendanceRecorded(AttendanceRecorded { meeting: m.id.clone(), attendees }));
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
        if let Some(d) = &x.decision {
            let y = d.get_ref();
            let takes_effect = y
                .takes_effect
                .as_ref()
                .map(|t| when(t).or_else(|e| b.fail(d, format!("takes_effect: {e}"))))
                .transpose()?;
            let event = DecisionRecorded {
                decision: y.id.clone(),
                meeting: m.id.clone(),
                item: x.number,
                outcome: y.outcome,
                text: y.text.clone(),
                conditions: y.conditions.clone(),
                takes_effect,
                deferred: y.deferred.clone(),
            };
            b.push(d, day, Event::DecisionRecorded(event));
            if y.approves_agenda {
                let event = AgendaApproved { meeting: m.id.clone(), decision: Some(y.id.clone()) };
                b.push(d, day, Event::AgendaApproved(event));
            }
        }
        for a in &x.action {
            let y = a.get_ref();
            let due = y.due.as_ref().map(|t| date(t).or_else(|e| b.fail(a, format!("due: {e}")))).transpose()?;
            let event = ActionAssigned {
                action: y.id.clone(),
                meeting: m.id.clone(),
                item: x.number,
                decision: x.decision.as_ref().map(|d| d.get_ref().id.clone()),
                owner: owner(b, a, model)?,
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
