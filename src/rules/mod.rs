//! The rules every event must satisfy against the state at its effective date before it
//! may be appended. One function per concern; the table in docs/MODEL.md lists each rule
//! by the code given here (a test holds the two to each other).

mod events;
mod minutes;
mod people;
mod redaction;
mod refs;

pub use events::{check, check_replacement};
pub use minutes::approval_checkpoint;
pub use redaction::{check_redaction, check_redaction_batch};
pub use refs::hidden_char;

use crate::event::*;
use crate::kv::ReadError;
use crate::model::{Entry, Model};
use refs::*;
use std::fmt;

/// Why an event was refused: the rule's code (docs/MODEL.md) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub rule: &'static str,
    pub message: String,
    /// The entry of a list the refusal is about, by its place in the list (from 0), so
    /// that a file's message can name that entry's own line.
    pub subject: Option<String>,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [rule {}]", self.message, self.rule)
    }
}

impl RuleError {
    /// A refusal about one entry of a list event.
    pub fn about(self, subject: &str) -> RuleError {
        match self {
            RuleError::Refused(r) if r.subject.is_none() => {
                RuleError::Refused(Refusal { subject: Some(subject.to_string()), ..r })
            }
            other => other,
        }
    }
}

/// Why a check did not pass: the event breaks a rule, or the state it is checked
/// against could not be read (never taken for a refusal).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("{0}")]
    Refused(Refusal),
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// A correction's own rules; what it does to later events is checked by re-folding.
/// `target` is the event at `c.target`, if the log has one.
pub fn check_correction(m: &Model, target: Option<&Entry>, entry: &Entry, c: &EventCorrected) -> Result<(), RuleError> {
    text("reason", &c.reason)?;
    let Some(target) = target.filter(|t| t.seq == c.target && t.seq < entry.seq) else {
        return refuse("correction-target", format!("there is no earlier event with seq {}", c.target));
    };
    if matches!(target.event, Event::EventCorrected(_)) {
        return refuse(
            "correction-target",
            format!("seq {} is itself a correction; correct the original event", c.target),
        );
    }
    if m.is_retracted(c.target)? {
        return refuse("correction-target", format!("seq {} has already been retracted", c.target));
    }
    if let Some(r) = &c.replacement {
        if r.kind() != target.event.kind() {
            return refuse(
                "correction-kind",
                format!(
                    "seq {} is a {}; its replacement must be one too, not a {}",
                    c.target,
                    target.event.kind(),
                    r.kind()
                ),
            );
        }
        // The log an approval was made at is a fact of the log, not of the minutes.
        if let (Event::MinutesApproved(was), Event::MinutesApproved(now)) = (&target.event, r.as_ref()) {
            if was.checkpoint != now.checkpoint {
                let at = match &was.checkpoint {
                    Some(c) => format!("was approved at the log of {} events, root {}", c.size, c.root),
                    None => "records no checkpoint".to_string(),
                };
                return refuse(
                    "approval-checkpoint",
                    format!("seq {} {at}; its replacement records the same (or, left out, is given it)", c.target),
                );
            }
        }
    }
    Ok(())
}
