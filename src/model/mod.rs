//! The pure core's state: the entities the log folds into, kept as a key-value
//! projection, with the lookups the rules and queries read, `apply` and `rewind`, and
//! `fold`, the plain definition of the state of a log. No I/O and no clock: every date
//! comes from the events, and every read can fail (`ReadError`), which is an error for
//! the answer, never an absence.

mod apply;
mod ends;
mod entities;
mod fold;
mod keys;
mod lookups;
mod minutes;
mod people;
pub mod search;
mod sizes;

pub use entities::*;
pub use fold::{as_corrected, fold};
pub use minutes::{Announced, MinutesApproval, MinutesStatus};

use crate::ids::Seq;
use crate::kv::{Kv, Pair, ReadError};
use keys::last_part;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Everything the log says, with the valid-time dates that let any query pick a day,
/// kept as a key-value projection (`Kv`): each entity under its own key, and lookups
/// (a group's memberships, a meeting by number...) as keys of their own, so neither the
/// rules nor the queries scan, and a query reads only what it shows.
///
/// Key layout (docs/FORMAT.md, "Stored form"), each value JSON:
///
/// | entity | keys |
/// | --- | --- |
/// | organisations, people, groups | `org/ID`, `person/ID`, `group/ID` |
/// | memberships | `mem/GROUP/SEQ`, `memp/PERSON/GROUP/SEQ`, `gsize/GROUP` (the group's size: each day it changed, and to what) |
/// | organisations' people | `orgp/ORG/PERSON` (ever affiliated with it), `orgm/ORG/GROUP/SEQ` (memberships held for it) |
/// | nominations | `nom/GROUP/SEQ`, `nomp/PERSON/GROUP/SEQ` |
/// | leaves of absence | `leave/GROUP/SEQ`, `leavep/PERSON/GROUP/SEQ` |
/// | meetings | `meet/ID`, `meetag/ID` (agenda), `meetat/ID` (attendance), `meetap/ID/SEQ` (minutes approvals), `meett/ID/ITEM` (texts), `meets/ID/SEQ` (events), `meetg/GROUP/ID`, `meetd/DATE/ID` (its day), `meetn/GROUP/NUMBER/KIND`, `meeta/ANNOUNCED_AT/ID`, `att/PERSON/MEETING`, `appr/DOCUMENT_HASH/MEETING` |
/// | decisions | `decg/GROUP/DATE/SEQ`, `decgo/GROUP/OUTCOME/DATE/SEQ` (each the id and the decision: a group's register page is one scan), `decd/DATE/SEQ` (the group), `dec/ID` (where its rows are), `deci/MEETING/ITEM/SEQ` |
/// | actions | `act/ID`, `actm/MEETING/SEQ`, `acto/DATE/SEQ` (assigned that day, no completion recorded; the id), `actc/DATE/SEQ` (completed that day; the id), `count/acto` (how many `acto/` keys there are) |
/// | search | `srchw/STEM`, `srch/STEM/DATE/SUBJECT`: `dec/ID`, `item/MEETING/ITEM`, `title/MEETING/ITEM`, `act/ID`, `person/ID`, `org/ID` |
/// | corrections, imports | `corr/SEQ`, `corrt/TARGET/SEQ`, `retr/SEQ`, `eras/SEQ` (erasures, by the seq erased), `file/SEQ`, `fileh/HASH`, `filen/NAME` |
/// | history (`kv`) | `undo/FIRST` (keys each of 16 events changed), `ver/KEY<NUL>SEQ` (a key's value before SEQ, if it had one) |
///
/// Seqs and numbers are fixed-width hex, so key order is log order.
#[derive(Default)]
pub struct Model {
    kv: Kv,
}

impl Model {
    pub fn new(kv: Kv) -> Model {
        Model { kv }
    }

    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    /// Every key and value of the projection as stored, in key order, history included.
    pub fn pairs(&self) -> Result<Vec<Pair>, ReadError> {
        self.kv.stored_pairs()
    }

    /// The state alone, without its history, in key order: two models hold the same
    /// state exactly when these are equal, however each was reached.
    pub fn state_pairs(&self) -> Result<Vec<Pair>, ReadError> {
        self.kv.scan(b"")
    }

    fn load<T: DeserializeOwned>(&self, key: &[u8]) -> Result<Option<T>, ReadError> {
        match self.kv.get(key)? {
            Some(bytes) => Ok(Some(decode(key, &bytes)?)),
            None => Ok(None),
        }
    }

    fn load_all<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, T)>, ReadError> {
        self.kv
            .scan_iter(prefix)
            .map(|item| {
                let (k, v) = item?;
                let t = decode(&k, &v)?;
                Ok((k, t))
            })
            .collect()
    }

    /// The values under a prefix, in key order.
    fn values<T: DeserializeOwned>(&self, prefix: &[u8]) -> Result<Vec<T>, ReadError> {
        Ok(self.load_all(prefix)?.into_iter().map(|(_, t)| t).collect())
    }

    fn save<T: Serialize>(&mut self, key: Vec<u8>, value: &T) -> Result<(), ReadError> {
        self.kv.put(key, serde_json::to_vec(value).expect("projection values serialize"))
    }

    fn mark(&mut self, key: Vec<u8>) -> Result<(), ReadError> {
        self.kv.put(key, Vec::new())
    }

    /// Removes an index entry that no longer holds (a meeting moved to another day, an
    /// action done); its history keeps it for views of the past.
    fn unmark(&mut self, key: Vec<u8>) -> Result<(), ReadError> {
        self.kv.set(key, None)
    }

    /// Applies an event and records its history: each key it changed gets a version
    /// holding its value before, and the event its undo record (see `kv`).
    pub fn apply_recorded(&mut self, entry: &Entry) -> Result<(), ReadError> {
        self.kv.begin_journal(entry.seq.0);
        self.apply(entry)?;
        self.kv.end_journal()
    }

    /// Steps back from the state after `from` to the state after `to` (`to <= from`), by
    /// the undo records of the events in between.
    pub fn rewind(&mut self, from: Seq, to: Seq) -> Result<(), ReadError> {
        self.kv.rewind(from.0, to.0)
    }

    /// Starts recording what the next writes change, as the history of the event at
    /// `seq` (see `apply_recorded`); for a correction, whose undo record covers
    /// everything its rebase changed.
    pub fn begin_undo(&mut self, seq: Seq) {
        self.kv.begin_journal(seq.0);
    }

    /// Ends what `begin_undo` started.
    pub fn end_undo(&mut self) -> Result<(), ReadError> {
        self.kv.end_journal()
    }

    /// Every entity under a prefix with its id, in id order.
    fn entities<I: TryFrom<String, Error = String>, T: DeserializeOwned>(
        &self,
        prefix: &str,
    ) -> Result<Vec<(I, T)>, ReadError> {
        self.load_all(prefix.as_bytes())?.into_iter().map(|(k, v)| Ok((id_of(&k)?, v))).collect()
    }

    /// The ids the keys under a prefix end with.
    fn ids_under<I: TryFrom<String, Error = String>>(&self, prefix: &[u8]) -> Result<Vec<I>, ReadError> {
        self.kv.scan_iter(prefix).map(|item| id_of(&item?.0)).collect()
    }
}

fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, ReadError> {
    serde_json::from_slice(bytes).map_err(|e| damaged(key, &e.to_string()))
}

/// The id a key ends with; a key that does not end with one is a damaged projection.
fn id_of<I: TryFrom<String, Error = String>>(key: &[u8]) -> Result<I, ReadError> {
    I::try_from(last_part(key).to_string()).map_err(|e| damaged(key, &e))
}

fn damaged(key: &[u8], why: &str) -> ReadError {
    ReadError(format!("projection key {:?}: {why}", String::from_utf8_lossy(key)))
}
