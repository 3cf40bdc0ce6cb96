//! The event catalogue: everything that happens in and around a committee's meetings.
//! Each variant's name is the envelope's `kind`, its struct the `body` (docs/MODEL.md).
//! Bodies refuse unknown fields: a misspelt field must be an error, not silently lost.
//!
//! This file holds the catalogue and the rules of its spelling; the bodies live by
//! subject in the files beside it.

mod decision;
mod meeting;
mod register;

pub use decision::*;
pub use meeting::*;
pub use register::*;

use crate::ids::{Hash, Seq};
use crate::when::When;
use serde::{Deserialize, Serialize};

/// Longest name or title, in characters.
pub const NAME_CHARS_MAX: usize = 200;
/// Longest free text (an item's narrative, a decision's wording), in characters.
pub const TEXT_CHARS_MAX: usize = 20_000;
/// Most entries in any list inside one event (agenda items, attendees, conditions).
pub const LIST_LEN_MAX: usize = 500;
/// Most votes one tally may count: more than any parliament has members.
pub const VOTES_MAX: u32 = 100_000;
/// Most seats a group may declare.
pub const SEATS_MAX: u32 = 100_000;
/// Largest meeting file kept in a `FileImported` event, in characters.
pub const FILE_CHARS_MAX: usize = 200_000;

/// Declares the catalogue once: the enum, its kind names and `kind()` cannot disagree.
macro_rules! catalogue {
    ($($kind:ident),* $(,)?) => {
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "kind", content = "body")]
        pub enum Event {
            $($kind($kind),)*
            /// What an erased record reads as when its redaction left no replacement. Not
            /// in `KINDS`: no input can name it, and it changes no state.
            Erased(Erased),
        }

        /// Every kind in the catalogue, in catalogue order.
        pub const KINDS: &[&str] = &[$(stringify!($kind)),*];

        impl Event {
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Event::$kind(_) => stringify!($kind),)*
                    Event::Erased(_) => "Erased",
                }
            }
        }
    };
}

catalogue!(
    OrganisationRegistered,
    PersonRegistered,
    GroupEstablished,
    GroupDissolved,
    MemberNominated,
    MemberJoined,
    MemberRoleChanged,
    MemberLeft,
    MeetingScheduled,
    MeetingHeld,
    AgendaSet,
    AgendaApproved,
    AttendanceRecorded,
    ItemMinuted,
    DecisionRecorded,
    DecisionStatusChanged,
    ActionAssigned,
    ActionCompleted,
    MinutesApproved,
    EventCorrected,
    FileImported,
    SeatsDeclared,
    PersonRenamed,
    PersonAliasRecorded,
    AffiliationChanged,
    LeaveOfAbsenceBegan,
    LeaveOfAbsenceEnded,
    MinutesCirculated,
    MinutesReopened,
    BodyRedacted,
);

/// The one spelling of a value of the catalogue's enums (`approved_with_reservations`):
/// serde's, as events carry it. Keys, tables, pages and option lists all use this.
pub fn name_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => unreachable!("the catalogue's enums serialize as strings"),
    }
}

/// Reads a value of one of the catalogue's enums by its name (`approved_with_reservations`;
/// hyphens work too), so no edge keeps a second copy of the names.
pub fn from_name<T: serde::de::DeserializeOwned>(what: &str, name: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(name.replace('-', "_"))).map_err(|e| format!("{what}: {e}"))
}

/// The names of a list of values, joined for a help text or an error.
pub fn names_of<T: Serialize>(values: &[T]) -> String {
    values.iter().map(name_of).collect::<Vec<_>>().join(", ")
}

/// An erratum: amends (with a replacement of the same kind), moves to another valid time
/// (with only `effective`), or retracts (with neither) an earlier event. The earlier
/// event stays in the log; projections apply the correction.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventCorrected {
    pub target: Seq,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Box<Event>>,
    /// A corrected valid time for the target, if that was what was wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective: Option<When>,
}

/// An earlier event's body erased (personal data recorded by mistake, say): the store
/// and every export keep its envelope and hash, not its body, so the chain still
/// verifies. The state reads the target as `replacement` (the body without what had to
/// go, of the same kind) or, with none, as if it had never been recorded. The reason
/// says why, and must not repeat what was erased; the envelope says when and by whom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyRedacted {
    pub target: Seq,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Box<Event>>,
}

/// The stand-in for an erased body: only the kind the envelope names is left.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Erased {
    pub kind: String,
}

/// A meeting or register file was imported; the batch it belongs to holds its events.
/// The file's text is kept, so a later, changed copy can be shown as a diff and the
/// record can always say which document it was built from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileImported {
    /// The file's name (not its path: the same file imported from elsewhere is the same file).
    pub file: String,
    /// Plain BLAKE3 of the file's bytes.
    pub content_hash: Hash,
    pub content: String,
}

impl EventCorrected {
    /// Whether it takes the event out: neither a replacement nor a new valid time.
    pub fn retracts(&self) -> bool {
        self.replacement.is_none() && self.effective.is_none()
    }
}

impl Event {
    /// Rebuilds the typed event from an envelope's `kind` and `body`.
    pub fn from_parts(kind: &str, body: serde_json::Value) -> Result<Event, String> {
        if !KINDS.contains(&kind) {
            return Err(format!("unknown kind {kind:?} (known kinds: {})", KINDS.join(", ")));
        }
        serde_json::from_value(serde_json::json!({ "kind": kind, "body": body }))
            .map_err(|e| format!("{kind} body: {e}"))
    }

    /// The decision an event carries out, where it cites one: what "as decided by a
    /// date" goes by.
    pub fn carries_out(&self) -> Option<&crate::ids::DecisionId> {
        match self {
            Event::GroupEstablished(e) => e.decision.as_ref(),
            Event::MemberNominated(e) => e.decision.as_ref(),
            Event::MemberJoined(e) => e.decision.as_ref(),
            Event::MemberRoleChanged(e) => e.decision.as_ref(),
            Event::MemberLeft(e) => e.decision.as_ref(),
            Event::LeaveOfAbsenceBegan(e) => e.decision.as_ref(),
            Event::AgendaApproved(e) => e.decision.as_ref(),
            _ => None,
        }
    }

    pub fn body_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("events serialize");
        value["body"].take()
    }
}
