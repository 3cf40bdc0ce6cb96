//! The files a secretariat writes instead of JSON events: a register of organisations,
//! people, groups and memberships, and one file per meeting, in TOML (docs/MINUTES.md).
//! Parsing is pure; turning a file into events reads the model only to resolve who owns
//! an action. Every event remembers the file and line it came from.

mod meeting;
mod popolo;
mod register;
mod shapes;

use crate::error::Error;
use crate::event::*;
use crate::input::NewEvent;
use crate::model::Model;
use crate::said::SaidDate;
use crate::when::When;
use chrono::NaiveDate;
use toml::value::Datetime;
use toml::Spanned;

use shapes::*;

#[derive(Debug)]
enum Content {
    Register(RegisterFile),
    Meeting(Box<MeetingFile>),
    /// A roll in Popolo JSON: registrations and memberships, like a register.
    Popolo(popolo::Doc),
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
            Content::Register(_) | Content::Popolo(_) => (0, None, self.name.clone()),
            Content::Meeting(m) => (1, when(&m.meeting.get_ref().starts).ok().map(|w| w.date()), self.name.clone()),
        }
    }
}

/// Parses a file as a register (it has `effective` and no `[meeting]`) or a meeting file;
/// a `.json` file as a roll in Popolo JSON.
pub fn parse(name: &str, text: &str) -> Result<RecordFile, Error> {
    if name.ends_with(".json") {
        let content = Content::Popolo(popolo::parse(name, text)?);
        return Ok(RecordFile { name: name.to_string(), text: text.to_string(), content });
    }
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

pub(super) fn when(dt: &Datetime) -> Result<When, String> {
    When::parse(&dt.to_string()).map_err(|_| format!("{dt} needs a UTC offset, e.g. {dt}+01:00, or to be a plain date"))
}

/// A TOML date or instant, or a string of a date as said.
pub(super) fn said(v: &toml::Value) -> Result<SaidDate, String> {
    match v {
        toml::Value::Datetime(dt) => when(dt).map(SaidDate::Exact),
        toml::Value::String(s) => SaidDate::parse(s),
        other => Err(format!("expected a date or a date as said in a string, found {}", other.type_str())),
    }
}

/// What a file's references resolve against: the ledger's state, and what the files
/// before it in the same import register.
pub(super) struct Known<'a> {
    pub(super) model: &'a Model,
    pub(super) earlier: &'a [NewEvent],
}

impl Known<'_> {
    /// The parties an id names: a person, a group or an organisation, registered in the
    /// ledger or earlier in the import.
    pub(super) fn parties(&self, id: &str) -> Result<Vec<Party>, Error> {
        use crate::ids::{GroupId, OrgId, PersonId};
        let earlier = |f: &dyn Fn(&Event) -> bool| self.earlier.iter().any(|e| f(&e.event));
        let mut found = Vec::new();
        if let Ok(p) = PersonId::try_from(id) {
            if self.model.person(&p)?.is_some()
                || earlier(&|e| matches!(e, Event::PersonRegistered(x) if x.person == p))
            {
                found.push(Party::Person(p));
            }
        }
        if let Ok(g) = GroupId::try_from(id) {
            if self.model.group(&g)?.is_some() || earlier(&|e| matches!(e, Event::GroupEstablished(x) if x.group == g))
            {
                found.push(Party::Group(g));
            }
        }
        if let Ok(o) = OrgId::try_from(id) {
            if self.model.organisation(&o)?.is_some()
                || earlier(&|e| matches!(e, Event::OrganisationRegistered(x) if x.organisation == o))
            {
                found.push(Party::Organisation(o));
            }
        }
        Ok(found)
    }
}

/// Builds events for one file; `line` finds the line of a span for messages.
pub(super) struct Builder<'a> {
    pub(super) name: &'a str,
    pub(super) text: &'a str,
    pub(super) events: Vec<NewEvent>,
    pub(super) end_dates: EndDates,
}

impl Builder<'_> {
    pub(super) fn line<T>(&self, s: &Spanned<T>) -> usize {
        self.text[..s.span().start.min(self.text.len())].matches('\n').count() + 1
    }

    pub(super) fn origin<T>(&self, s: &Spanned<T>) -> String {
        format!("{}:{}", self.name, self.line(s))
    }

    pub(super) fn fail<T, U>(&self, s: &Spanned<T>, what: String) -> Result<U, Error> {
        Err(Error::Input(format!("{}: {what}", self.origin(s))))
    }

    pub(super) fn push<T>(&mut self, s: &Spanned<T>, effective: When, event: Event) {
        let origin = self.origin(s);
        self.events.push(NewEvent::new(effective, event, origin));
    }

    /// An event made of a list of entries (an attendance, an agenda), each entry's own
    /// line kept by its subject, so a refusal about one names its line.
    pub(super) fn push_list<T>(
        &mut self,
        s: &Spanned<T>,
        effective: When,
        event: Event,
        entries: Vec<(String, String)>,
    ) {
        let origin = self.origin(s);
        self.events.push(NewEvent { entries, ..NewEvent::new(effective, event, origin) });
    }

    /// An end date as the ledger reads it, the first day without: with `end_dates =
    /// "last_day"` the day after the one written.
    pub(super) fn end<T>(&self, s: &Spanned<T>, dt: &Datetime) -> Result<When, Error> {
        let w = when(dt).or_else(|e| self.fail(s, e))?;
        match (self.end_dates, w) {
            (EndDates::FirstDayWithout, w) => Ok(w),
            (EndDates::LastDay, When::Date(d)) => match d.succ_opt() {
                Some(next) => Ok(When::Date(next)),
                None => self.fail(s, format!("{dt}: no day follows it")),
            },
            (EndDates::LastDay, _) => {
                self.fail(s, format!("{dt}: with end_dates = \"last_day\" an end is a date, not a time"))
            }
        }
    }

    pub(super) fn when_or<T>(&self, s: &Spanned<T>, dt: &Option<Datetime>, default: When) -> Result<When, Error> {
        match dt {
            Some(dt) => when(dt).or_else(|e| self.fail(s, e)),
            None => Ok(default),
        }
    }
}

/// Turns a parsed file into events, each with its file and line. The model, and the
/// events of the files before it in the same import (`earlier`), resolve action owners,
/// which may be a person, a group or an organisation.
pub fn to_events(file: &RecordFile, model: &Model, earlier: &[NewEvent]) -> Result<Vec<NewEvent>, Error> {
    let mut b = Builder { name: &file.name, text: &file.text, events: Vec::new(), end_dates: EndDates::default() };
    match &file.content {
        Content::Register(r) => {
            b.end_dates = r.end_dates;
            register::register(&mut b, r)?
        }
        Content::Meeting(m) => {
            b.end_dates = m.end_dates;
            meeting::meeting(&mut b, m, &Known { model, earlier })?
        }
        Content::Popolo(p) => b.events = popolo::to_events(&file.name, p)?,
    }
    Ok(b.events)
}
