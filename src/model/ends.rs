//! The indexes read from their ends: the open actions and their count, completions
//! and meetings by day, for a page that shows the latest few without reading the rest;
//! and the tables a page lists in key order, read as far as the page goes.

use super::keys::key;
use super::{damaged, decode, id_of, Model};
use crate::ids::{ActionId, MeetingId, OrgId, PersonId};
use crate::kv::ReadError;
use crate::model::{Action, Membership, Person};
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

    /// Every action in id order, read as they are consumed: a page reads what it shows
    /// and what it skips, not the rest.
    pub fn actions_in_order(&self) -> impl Iterator<Item = Read<(ActionId, Action)>> + '_ {
        self.in_order(b"act/")
    }

    /// Everyone in id order, read as they are consumed.
    pub fn people_in_order(&self) -> impl Iterator<Item = Read<(PersonId, Person)>> + '_ {
        self.in_order(b"person/")
    }

    /// Everyone ever affiliated with `org`, by id: the index proposes, and each
    /// person's affiliations say when.
    pub fn ever_affiliated(&self, org: &OrgId) -> impl Iterator<Item = Read<PersonId>> + '_ {
        self.kv.scan_iter(&key(&["orgp", org.as_str(), ""])).map(|item| id_of(&item?.0))
    }

    /// Every membership ever held on behalf of `org`, by group and in log order.
    pub fn memberships_for(&self, org: &OrgId) -> Read<Vec<Membership>> {
        let mut out = Vec::new();
        for item in self.kv.scan_iter(&key(&["orgm", org.as_str(), ""])) {
            let (k, _) = item?;
            let text = String::from_utf8_lossy(&k).into_owned();
            let mut parts = text.rsplit('/');
            let (Some(seq), Some(group)) = (parts.next(), parts.next()) else {
                return Err(damaged(&k, "no group and seq"));
            };
            let at = key(&["mem", group, seq]);
            out.push(self.load(&at)?.ok_or_else(|| damaged(&k, "nothing behind this lookup"))?);
        }
        Ok(out)
    }

    fn in_order<I: TryFrom<String, Error = String>, T: serde::de::DeserializeOwned>(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Read<(I, T)>> + '_ {
        self.kv.scan_iter(prefix).map(|item| {
            let (k, v) = item?;
            Ok((id_of(&k)?, decode(&k, &v)?))
        })
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
