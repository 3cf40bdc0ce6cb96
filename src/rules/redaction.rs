//! The rules of an erasure: what may be erased and what may stand in its place, and that
//! a batch of erasures leaves no copy of a body behind in the corrections that held one.

use super::refs::{refuse, text};
use super::RuleError;
use crate::event::{BodyRedacted, Event};
use crate::ids::Seq;
use crate::model::{Entry, Model};
use std::collections::BTreeSet;

/// A redaction's own rules; what its replacement does to later events is checked by
/// re-folding, as for a correction. `target` is the recorded event at `r.target`, if any.
pub fn check_redaction(m: &Model, target: Option<&Entry>, entry: &Entry, r: &BodyRedacted) -> Result<(), RuleError> {
    text("reason", &r.reason)?;
    let Some(target) = target.filter(|t| t.seq == r.target && t.seq < entry.seq) else {
        return refuse("redaction-target", format!("there is no earlier recorded event with seq {}", r.target));
    };
    if let Some(e) = m.erasure(r.target)? {
        return refuse("redaction-target", format!("seq {} was erased already, at seq {}", r.target, e.seq));
    }
    match (&target.event, &r.replacement) {
        (Event::BodyRedacted(_), _) => {
            return refuse("redaction-target", format!("seq {} is a redaction: what it says stays", r.target));
        }
        (Event::EventCorrected(_), Some(_)) => {
            return refuse(
                "redaction-kind",
                format!("seq {} is a correction: it is erased whole, with no replacement", r.target),
            );
        }
        (t, Some(x)) if x.kind() != t.kind() => {
            return refuse(
                "redaction-kind",
                format!("seq {} is a {}; its replacement must be one too, not a {}", r.target, t.kind(), x.kind()),
            );
        }
        _ => {}
    }
    Ok(())
}

/// The erasures of one batch (`targets`, each the event erased as it reads now, over the
/// state `m` before the batch) together leave no copy of a body: each earlier correction
/// of an erased event holds a version of it and is erased with it, and a correction is
/// erased only with the event it corrected.
pub fn check_redaction_batch(m: &Model, targets: &[(Seq, &Event)]) -> Result<(), RuleError> {
    // A batch that erases nothing has nothing to check: reading every correction and
    // erasure for it was work proportional to the log on every append.
    if targets.is_empty() {
        return Ok(());
    }
    let mut erased: BTreeSet<Seq> = m.erasures()?.into_iter().map(|e| e.target).collect();
    erased.extend(targets.iter().map(|(s, _)| *s));
    let corrections = m.corrections()?;
    for (seq, event) in targets {
        if let Event::EventCorrected(c) = event {
            if !erased.contains(&c.target) {
                return refuse(
                    "redaction-copies",
                    format!("seq {seq} corrects seq {}: erase that event, and its corrections with it", c.target),
                );
            }
        }
        if let Some(c) = corrections.iter().find(|c| c.target == *seq && !erased.contains(&c.seq)) {
            return refuse(
                "redaction-copies",
                format!("seq {seq} was corrected at seq {}, which holds a version of it: erase both together", c.seq),
            );
        }
    }
    Ok(())
}
