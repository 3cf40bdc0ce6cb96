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

/// Every problem of a file's shape, not just the first: after each, the entry of a list
/// (the `[[...]]` table) it is in is left out and the file read again, until it reads or
/// a problem lies outside every entry. Each problem names the file and its line. A file
/// that reads has none; one that is not TOML at all has its one.
pub fn shape_problems(name: &str, text: &str) -> Vec<Error> {
    use serde::Deserialize;
    use toml::de::{DeTable, DeValue, ValueDeserializer};
    let first = match parse(name, text) {
        Ok(_) => return Vec::new(),
        Err(e) => e,
    };
    let (Ok(doc), false) = (DeTable::parse(text), name.ends_with(".json")) else { return vec![first] };
    let span = doc.span();
    let mut table = doc.into_inner();
    let mut out = vec![first];
    let mut at = out_span(&out[0], text);
    for _ in 0..crate::event::LIST_LEN_MAX {
        let Some(offset) = at else { break };
        if !drop_entry_at(&mut table, offset) {
            break;
        }
        let value = || ValueDeserializer::from(toml::Spanned::new(span.clone(), DeValue::Table(table.clone())));
        let read = if table.iter().any(|(k, _)| k.get_ref().as_ref() == "meeting") {
            MeetingFile::deserialize(value()).map(drop)
        } else {
            RegisterFile::deserialize(value()).map(drop)
        };
        let Err(mut e) = read else { break };
        at = e.span().map(|s| s.start);
        e.set_input(Some(text));
        out.push(Error::Input(format!("{name}: {e}")));
    }
    out
}

/// Where in `text` the first problem lies, from the line and column its message gives.
fn out_span(e: &Error, text: &str) -> Option<usize> {
    let msg = e.to_string();
    let rest = &msg[msg.find("at line ")? + 8..];
    let (line, rest) = rest.split_once(", column ")?;
    let column: usize = rest.chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()?;
    let line: usize = line.parse().ok()?;
    let start: usize = text.split_inclusive('\n').take(line.checked_sub(1)?).map(str::len).sum();
    Some(start + column.saturating_sub(1))
}

/// Takes out of `table` the list entry whose table begins last at or before `offset`
/// (the innermost `[[...]]` around it); whether there was one.
fn drop_entry_at(table: &mut toml::de::DeTable<'_>, offset: usize) -> bool {
    use toml::de::DeValue;
    fn best(
        v: &DeValue<'_>,
        offset: usize,
        path: &mut Vec<(String, usize)>,
        found: &mut Option<(usize, Vec<(String, usize)>)>,
    ) {
        let DeValue::Table(t) = v else { return };
        for (k, v) in t.iter() {
            let DeValue::Array(items) = v.get_ref() else {
                best(v.get_ref(), offset, path, found);
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let start = item.span().start;
                if start <= offset
                    && found.as_ref().is_none_or(|(s, _)| start >= *s)
                    && matches!(item.get_ref(), DeValue::Table(_))
                {
                    path.push((k.get_ref().to_string(), i));
                    *found = Some((start, path.clone()));
                    best(item.get_ref(), offset, path, found);
                    path.pop();
                } else if start <= offset {
                    path.push((k.get_ref().to_string(), i));
                    best(item.get_ref(), offset, path, found);
                    path.pop();
                }
            }
        }
    }
    let mut found = None;
    best(&DeValue::Table(table.clone()), offset, &mut Vec::new(), &mut found);
    let Some((_, path)) = found else { return false };
    let mut t = table;
    for (depth, (key, index)) in path.iter().enumerate() {
        let Some((_, v)) = t.iter_mut().find(|(k, _)| k.get_ref().as_ref() == key.as_str()) else { return false };
        let DeValue::Array(items) = v.get_mut() else { return false };
        if depth + 1 == path.len() {
            let kept: Vec<_> = items.iter().enumerate().filter(|(i, _)| i != index).map(|(_, x)| x.clone()).collect();
            *items = kept.into_iter().collect();
            return true;
        }
        let Some(DeValue::Table(inner)) = items.get_mut(*index).map(|x| x.get_mut()) else { return false };
        t = inner;
    }
    false
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
