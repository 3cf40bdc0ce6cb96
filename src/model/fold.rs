//! `fold`: the plain definition of the state of a log, which every faster way to a state
//! (the incremental projection, a rewind, a view as of a seq) is tested against.

use super::{Entry, Model};
use crate::event::{Event, EventCorrected};
use crate::ids::Seq;
use crate::kv::ReadError;
use std::borrow::Cow;
use std::collections::HashMap;

/// Folds a log (all of it, or a prefix: `known_at`) into a fresh model, applying the
/// corrections it holds: each event corrected is replaced, where it stands in the log,
/// by the latest correction's replacement, or skipped if retracted. `corrections` maps
/// each corrected seq to that latest correction, and must hold only corrections that are
/// in `entries`. The events were accepted when they were appended: the rules are not
/// checked again.
pub fn fold<E: From<ReadError>>(
    entries: impl Iterator<Item = Result<Entry, E>>,
    corrections: &HashMap<Seq, EventCorrected>,
) -> Result<Model, E> {
    let mut model = Model::default();
    for entry in entries {
        let entry = entry?;
        let Some(effective) = as_corrected(&entry, corrections) else { continue };
        model.apply(&effective)?;
    }
    Ok(model)
}

/// An event as the log stands corrected: itself, or the replacement given by the latest
/// correction of it in `corrections` (at its place, with the correction's effective date
/// if it gives one), or nothing if that correction retracts it.
pub fn as_corrected<'e>(entry: &'e Entry, corrections: &HashMap<Seq, EventCorrected>) -> Option<Cow<'e, Entry>> {
    match (&entry.event, corrections.get(&entry.seq)) {
        (Event::EventCorrected(_), _) | (_, None) => Some(Cow::Borrowed(entry)),
        (_, Some(c)) if c.retracts() => None,
        (_, Some(c)) => Some(Cow::Owned(Entry {
            // A new valid time alone keeps the event as it was.
            event: c.replacement.as_deref().unwrap_or(&entry.event).clone(),
            effective: c.effective.unwrap_or(entry.effective),
            ..entry.clone()
        })),
    }
}
