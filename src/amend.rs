//! Corrections a secretary can make without writing `EventCorrected` by hand: from a
//! meeting or register file edited and imported again, or for one event from the command
//! line. Each says what changes, field by field, before anything is written.

use crate::error::Error;
use crate::event::{Event, EventCorrected, FileImported};
use crate::hash::document_hash;
use crate::ids::Seq;
use crate::input::NewEvent;
use crate::ledger::Ledger;
use crate::model::{Entry, ImportedFile};
use crate::record_file::{self, RecordFile};
use crate::when::When;
use serde_json::Value;

/// One correction, and what it changes: the fields of the body (old, new) and the valid
/// time, if that changes.
#[derive(Clone, Debug)]
pub struct Amendment {
    pub target: Seq,
    pub kind: &'static str,
    pub fields: Vec<(String, Value, Value)>,
    pub effective: Option<(When, When)>,
    pub event: NewEvent,
}

impl std::fmt::Display for Amendment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "seq {} {}:", self.target, self.kind)?;
        if self.kind == "FileImported" {
            // Its text is the file the rest of the list came from: said, not shown.
            return write!(f, " the file's text, as edited;");
        }
        if let Some((old, new)) = &self.effective {
            write!(f, " effective {old} -> {new};")?;
        }
        for (field, old, new) in &self.fields {
            write!(f, " {field}: {} -> {};", short(old), short(new))?;
        }
        Ok(())
    }
}

/// A value as a line shows it: long texts cut, with their length.
fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => "(none)".to_string(),
        v => v.to_string(),
    };
    match s.char_indices().nth(120) {
        Some((at, _)) => format!("{}... ({} characters)", &s[..at], s.chars().count()),
        None => s,
    }
}

/// The correction of `target` to `replacement` (same kind) and `effective`, with what
/// it changes; none if it changes nothing.
pub fn amend(
    target: &Entry,
    replacement: Option<Event>,
    effective: Option<When>,
    reason: &str,
    origin: String,
) -> Option<Amendment> {
    let (old, new) = (target.event.body_value(), replacement.as_ref().map(Event::body_value));
    let mut fields = Vec::new();
    if let (Value::Object(o), Some(Value::Object(n))) = (&old, &new) {
        let mut names: Vec<&String> = o.keys().chain(n.keys()).collect();
        names.sort();
        names.dedup();
        for k in names {
            let (a, b) = (o.get(k).cloned().unwrap_or(Value::Null), n.get(k).cloned().unwrap_or(Value::Null));
            if a != b {
                fields.push((k.clone(), a, b));
            }
        }
    }
    let effective = effective.filter(|e| *e != target.effective).map(|e| (target.effective, e));
    if fields.is_empty() && effective.is_none() {
        return None;
    }
    let correction = EventCorrected {
        target: target.seq,
        reason: reason.to_string(),
        replacement: replacement.filter(|_| !fields.is_empty()).map(Box::new),
        effective: effective.map(|(_, new)| new),
    };
    let event = NewEvent::new(target.effective, Event::EventCorrected(correction), origin);
    Some(Amendment { target: target.seq, kind: target.event.kind(), fields, effective, event })
}

/// What editing an imported file changed, as corrections of the events its import wrote
/// (each event of the new text against the one at its place) and of the `FileImported`
/// that keeps its text. Entries added or removed cannot be placed: those are refused,
/// to be recorded as events of their own.
pub fn file_amendments(
    ledger: &Ledger,
    file: &RecordFile,
    old: &ImportedFile,
    reason: &str,
) -> Result<Vec<Amendment>, Error> {
    if old.content.is_empty() {
        return Err(Error::Input(format!(
            "{}: the text of its import at seq {} was erased (BodyRedacted), so what changed since cannot be \
             shown as corrections; correct its events one by one with `protokol correct SEQ`",
            file.name, old.seq
        )));
    }
    let model = ledger.model();
    let before = record_file::to_events(&record_file::parse(&old.file, &old.content)?, &model, &[])?;
    let now = record_file::to_events(file, &model, &[])?;
    let first = old.seq.0.checked_sub(before.len() as u64).filter(|f| *f >= 1).ok_or_else(|| {
        Error::Input(format!("{}: the events of its import at seq {} cannot be found", file.name, old.seq))
    })?;
    if now.len() != before.len() || now.iter().zip(&before).any(|(a, b)| a.event.kind() != b.event.kind()) {
        return Err(Error::Input(format!(
            "{}: the edit adds or removes entries ({} events then, {} now); corrections change events, \
             they do not add them: record what is new as events of their own",
            file.name,
            before.len(),
            now.len()
        )));
    }
    let mut out = Vec::new();
    for (i, new) in now.into_iter().enumerate() {
        let seq = Seq(first + i as u64);
        let stored = ledger
            .entry(seq)?
            .filter(|e| e.event.kind() == new.event.kind())
            .ok_or_else(|| Error::Input(format!("{}: seq {seq} is not the event its import wrote", file.name)))?;
        out.extend(amend(&stored, Some(new.event), Some(new.effective), reason, new.origin));
    }
    if let Some(imported) = ledger.entry(old.seq)? {
        let content_hash = document_hash(file.text.as_bytes());
        let replacement = FileImported { file: file.name.clone(), content_hash, content: file.text.clone() };
        out.extend(amend(&imported, Some(Event::FileImported(replacement)), None, reason, file.name.clone()));
    }
    Ok(out)
}

/// The correction of one event from the command line: fields set to new values (JSON,
/// or else text), a new valid time, or the event retracted.
pub fn event_amendment(
    target: &Entry,
    sets: &[(String, String)],
    effective: Option<When>,
    retract: bool,
    reason: &str,
) -> Result<Option<Amendment>, Error> {
    let origin = format!("correct {}", target.seq);
    if retract {
        if !sets.is_empty() || effective.is_some() {
            return Err(Error::Input("--retract takes the event out; it goes with no --set or --effective".into()));
        }
        let correction =
            EventCorrected { target: target.seq, reason: reason.to_string(), replacement: None, effective: None };
        let event = NewEvent::new(target.effective, Event::EventCorrected(correction), origin);
        return Ok(Some(Amendment {
            target: target.seq,
            kind: target.event.kind(),
            fields: Vec::new(),
            effective: None,
            event,
        }));
    }
    let replacement = match sets {
        [] => None,
        sets => Some(with_fields(target, sets)?),
    };
    Ok(amend(target, replacement, effective, reason, origin))
}

/// The event with fields of its body set to new values (JSON, or else text; `null`
/// removes an optional field), checked to still be a body of its kind.
pub(crate) fn with_fields(target: &Entry, sets: &[(String, String)]) -> Result<Event, Error> {
    let mut body = target.event.body_value();
    for (field, value) in sets {
        let v = serde_json::from_str(value).unwrap_or_else(|_| Value::String(value.clone()));
        if let Some(o) = body.as_object_mut() {
            match v {
                Value::Null => o.remove(field),
                v => o.insert(field.clone(), v),
            };
        }
    }
    Event::from_parts(target.event.kind(), body).map_err(|e| Error::Input(format!("--set: {e}")))
}
