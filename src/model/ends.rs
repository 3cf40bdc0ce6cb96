//! The indexes read from their ends: the open actions and their count, completions
//! and meetings by day, for a page that shows the latest few without reading the rest.

use super::{damaged, decode, id_of, Model};
use crate::ids::{ActionId, MeetingId};
use crate::kv::ReadError;
use chrono::NaiveDate;

type Read<T> = Result<T, ReadError>;

impl Model {
    /// How many actions have no completion recorded (whatever their days).
    pub fn open_action_count(&self) -> Read<u64> {
        Ok(self.load(b"count/acto")?.unwrap_or(0))
    }

    /// The actions with no completion recorded, the latest assigned first, each with the
    /// day it was assigned; read as they are consumed.
    pub fn open_actions_latest_first(&self) -> impl Iterator<Item = Read<(NaiveDate, ActionId)>> + '_ {
        self.kv.scan_iter_rev(b"acto/").map(|item| dated(item?))
    }

    /// The actions done, the latest completion first, each with its day.
    pub fn completions_latest_first(&self) -> impl Iterator<Item = Read<(NaiveDate, ActionId)>> + '_ {
        self.kv.scan_iter_rev(b"actc/").map(|item| dated(item?))
    }

    /// Every meeting, the latest day first, each with its day.
    pub fn meetings_latest_first(&self) -> impl Iterator<Item = Read<(NaiveDate, MeetingId)>> + '_ {
        self.kv.scan_iter_rev(b"meetd/").map(|item| {
            let (k, _) = item?;
            let day = day_of(&k)?;
            Ok((day, id_of(&k)?))
        })
    }
}

/// The day of an index key `PREFIX/DATE/...`.
fn day_of(k: &[u8]) -> Read<NaiveDate> {
    let text = String::from_utf8_lossy(k);
    text.split('/').nth(1).and_then(|d| d.parse().ok()).ok_or_else(|| damaged(k, "no day"))
}

/// An index entry `PREFIX/DATE/SEQ` naming an action: its day and the action.
fn dated((k, v): crate::kv::Pair) -> Read<(NaiveDate, ActionId)> {
    Ok((day_of(&k)?, decode(&k, &v)?))
}
