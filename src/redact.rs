//! Erasure a secretary can ask for by one seq: the redactions that erase that event's
//! body and every copy of it the log keeps (its earlier corrections, each a version of
//! it; the text of the file it was imported from, and that text's later versions), in
//! one batch. What had to go goes everywhere at once, or nothing is written.

use crate::error::Error;
use crate::event::{BodyRedacted, Event, FileImported};
use crate::ids::Seq;
use crate::input::NewEvent;
use crate::ledger::Ledger;
use crate::model::Entry;

/// One erasure of the plan: the seq, its kind, and why it is in the plan.
#[derive(Clone, Debug)]
pub struct Erasing {
    pub seq: Seq,
    pub kind: String,
    pub why: &'static str,
}

/// The redactions, in the order they are to be recorded, and what each erases.
#[derive(Debug)]
pub struct Plan {
    pub events: Vec<NewEvent>,
    pub erasing: Vec<Erasing>,
}

/// The plan to erase the body of `target`: replaced by the body with `sets` applied
/// (the fields that held what had to go, set to what may stay), or with none taken out
/// of the state as if never recorded.
pub fn plan(ledger: &Ledger, target: Seq, reason: &str, sets: &[(String, String)]) -> Result<Plan, Error> {
    let model = ledger.model();
    let entry = ledger.entry(target)?.ok_or_else(|| Error::NotFound(format!("no event with seq {target}")))?;
    if let Some(e) = model.erasure(target)? {
        return Err(Error::Input(format!("seq {target} was erased already, at seq {}", e.seq)));
    }
    let mut plan = Plan { events: Vec::new(), erasing: Vec::new() };
    let corrections = model.corrections()?;
    let erase = |plan: &mut Plan, e: &Entry, replacement: Option<Event>, why: &'static str| {
        let r = BodyRedacted { target: e.seq, reason: reason.to_string(), replacement: replacement.map(Box::new) };
        plan.events.push(NewEvent::new(e.effective, Event::BodyRedacted(r), format!("redact {target}")));
        plan.erasing.push(Erasing { seq: e.seq, kind: e.event.kind().to_string(), why });
    };
    let copies_of = |seq: Seq| -> Result<Vec<Entry>, Error> {
        let mut out = Vec::new();
        for c in corrections.iter().filter(|c| c.target == seq) {
            if model.erasure(c.seq)?.is_none() {
                out.extend(ledger.entry(c.seq)?);
            }
        }
        Ok(out)
    };
    let file = match &entry.event {
        Event::FileImported(_) => Some(entry.clone()),
        Event::EventCorrected(_) | Event::BodyRedacted(_) | Event::Erased(_) => {
            return Err(Error::Input(format!(
                "seq {target} is a {}: erase the event it is about, and its corrections go with it",
                entry.event.kind()
            )))
        }
        _ => {
            let replacement = match sets {
                [] => None,
                sets => Some(crate::amend::with_fields(&entry, sets)?),
            };
            for c in copies_of(target)? {
                erase(&mut plan, &c, None, "a correction of it, holding a version of its body");
            }
            erase(&mut plan, &entry, replacement, "the event asked for");
            imported_with(ledger, &entry)?
        }
    };
    if let Some(f) = file.filter(|f| !matches!(model.erasure(f.seq), Ok(Some(_)))) {
        if f.seq == target && !sets.is_empty() {
            return Err(Error::Input("a file's text is erased whole; --set is for the fields of other events".into()));
        }
        let Event::FileImported(imported) = &f.event else { unreachable!("an import's record") };
        // The state keeps the latest hash of the file's text, so that importing it
        // again is still known as a repeat; the text itself goes.
        let latest =
            model.imports()?.into_iter().find(|i| i.seq == f.seq).map_or(imported.content_hash, |i| i.content_hash);
        let kept = FileImported { file: imported.file.clone(), content_hash: latest, content: String::new() };
        for c in copies_of(f.seq)? {
            erase(&mut plan, &c, None, "a later version of the file's text");
        }
        let why = if f.seq == target { "the event asked for" } else { "the text of the file it was imported from" };
        erase(&mut plan, &f, Some(Event::FileImported(kept)), why);
    }
    Ok(plan)
}

/// The `FileImported` of the batch that recorded `entry`, if it came from a file: the
/// first import after it recorded at the same instant (a file's events come right before
/// its `FileImported`, all with one recorded time).
fn imported_with(ledger: &Ledger, entry: &Entry) -> Result<Option<Entry>, Error> {
    let mut imports: Vec<Seq> =
        ledger.model().imports()?.into_iter().map(|i| i.seq).filter(|s| *s > entry.seq).collect();
    imports.sort();
    for seq in imports {
        match ledger.entry(seq)? {
            Some(f) if f.recorded_at == entry.recorded_at => return Ok(Some(f)),
            Some(f) if f.recorded_at > entry.recorded_at => return Ok(None),
            _ => {}
        }
    }
    Ok(None)
}
