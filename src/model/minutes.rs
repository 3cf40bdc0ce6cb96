//! The minutes' life in the projection: each approval (with where it was made), the
//! steps from draft to approved and reopened, and how the minutes' events apply.

use super::keys::{hex_seq, key};
use super::{Meeting, Model};
use crate::event::{MinutesApproved, MinutesCirculated, MinutesReopened};
use crate::ids::{DecisionId, Hash, MeetingId, Seq};
use crate::kv::ReadError;
use crate::when::When;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MinutesApproval {
    pub document_hash: Hash,
    pub document_name: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
    /// Where it was approved (the next meeting's item, a written procedure), if said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_meeting: Option<MeetingId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<DecisionId>,
    /// The log as it stood when the minutes were approved (none for approvals recorded
    /// before approvals recorded it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<crate::event::LogCheckpoint>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Announced {
    pub starts_at: When,
    pub ends_at: Option<When>,
    pub place: Option<String>,
}

/// The life of a meeting's minutes. Approved minutes lock the meeting's record.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MinutesStatus {
    #[default]
    Draft,
    /// Sent to the members for comments.
    Circulated {
        date: NaiveDate,
        seq: Seq,
    },
    Approved {
        date: NaiveDate,
        seq: Seq,
    },
    /// Approved, then opened again: a draft until approved anew.
    Reopened {
        date: NaiveDate,
        seq: Seq,
        reason: String,
    },
}

impl MinutesStatus {
    pub fn seq(&self) -> Option<Seq> {
        match self {
            MinutesStatus::Draft => None,
            MinutesStatus::Circulated { seq, .. }
            | MinutesStatus::Approved { seq, .. }
            | MinutesStatus::Reopened { seq, .. } => Some(*seq),
        }
    }

    /// The seq of the approval that locks the record, if it is locked.
    pub fn locked_by(&self) -> Option<Seq> {
        match self {
            MinutesStatus::Approved { seq, .. } => Some(*seq),
            _ => None,
        }
    }
}

impl Model {
    pub(super) fn approve_minutes(&mut self, e: &MinutesApproved, date: NaiveDate, seq: Seq) -> Result<(), ReadError> {
        self.mark(key(&["appr", &e.document_hash.to_hex(), e.meeting.as_str()]))?;
        self.save(
            key(&["meetap", e.meeting.as_str(), &hex_seq(seq)]),
            &MinutesApproval {
                document_hash: e.document_hash,
                document_name: e.document_name.clone(),
                date,
                seq,
                at_meeting: e.at_meeting.clone(),
                item: e.item,
                decision: e.decision.clone(),
                checkpoint: e.checkpoint.clone(),
            },
        )?;
        self.set_minutes(&e.meeting, MinutesStatus::Approved { date, seq })
    }

    pub(super) fn circulate_minutes(
        &mut self,
        e: &MinutesCirculated,
        date: NaiveDate,
        seq: Seq,
    ) -> Result<(), ReadError> {
        self.set_minutes(&e.meeting, MinutesStatus::Circulated { date, seq })
    }

    pub(super) fn reopen_minutes(&mut self, e: &MinutesReopened, date: NaiveDate, seq: Seq) -> Result<(), ReadError> {
        self.set_minutes(&e.meeting, MinutesStatus::Reopened { date, seq, reason: e.reason.clone() })
    }

    fn set_minutes(&mut self, meeting: &MeetingId, status: MinutesStatus) -> Result<(), ReadError> {
        if let Some(mut m) = self.load::<Meeting>(&key(&["meet", meeting.as_str()]))? {
            m.minutes_steps.push(status);
            self.save(key(&["meet", meeting.as_str()]), &m)?;
        }
        Ok(())
    }
}
