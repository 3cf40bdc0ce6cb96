//! The projection's key layout (the table on `Model`): how each key is spelt.

use crate::event::Outcome;
use crate::ids::{GroupId, Seq};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a decision's rows are: each register order's key ends with its date and seq.
#[derive(Serialize, Deserialize)]
pub(super) struct DecisionAt {
    pub group: GroupId,
    pub date: NaiveDate,
    pub seq: Seq,
    pub outcome: Outcome,
}

impl DecisionAt {
    /// A decision's rows: by group, then by group and outcome. The first is the one read
    /// by id.
    pub fn row_keys(&self) -> [Vec<u8>; 2] {
        let (day, seq) = (self.date.to_string(), hex_seq(self.seq));
        [
            key(&["decg", self.group.as_str(), &day, &seq]),
            key(&["decgo", self.group.as_str(), &outcome_name(self.outcome), &day, &seq]),
        ]
    }

    /// Where it stands in the register of every group: a key of its own, holding the group.
    pub fn by_date_key(&self) -> Vec<u8> {
        key(&["decd", &self.date.to_string(), &hex_seq(self.seq)])
    }
}

pub(super) fn key(parts: &[&str]) -> Vec<u8> {
    parts.join("/").into_bytes()
}

pub(super) fn hex_seq(seq: Seq) -> String {
    format!("{:016x}", seq.0)
}

/// An outcome as it is spelt in events (`approved_with_reservations`), for keys.
pub(super) fn outcome_name(o: Outcome) -> String {
    crate::event::name_of(&o)
}

pub(super) fn hex_u32(n: u32) -> String {
    format!("{n:08x}")
}

/// The last part of a key, after its final '/'.
pub(super) fn last_part(key: &[u8]) -> &str {
    let s = std::str::from_utf8(key).unwrap_or_default();
    s.rsplit('/').next().unwrap_or_default()
}
