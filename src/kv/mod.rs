//! The projection's key-value view: the persisted state as a base that is only read,
//! and the writes of the events being applied layered over it.
//!
//! Appends apply their events to the overlay, where the rules of later events in the
//! same batch see them; the store then writes the overlay in the same atomic batch as
//! the records, or drops it on a refusal, which is the whole of a rollback.
//!
//! The history of every key is kept too, at the price of one extra key only where an
//! event overwrites or removes a value (most events only create keys). Every stored
//! value starts with the seq of the event that wrote it, its `since` (8 bytes, big
//! endian; 0 outside the log, in a plain `fold`). While an event is applied, the journal
//! notes the value each key it changes had before; at the event's end that becomes its
//! undo record (the keys it changed, kept with those of the events around it under
//! `undo/FIRST`, `FIRST` the seq rounded down to 16), and, for each key that had a value,
//! one version, `ver/KEY<NUL>SEQ` (that value, with its own `since`). A view `as_of` a
//! seq reads each key as it stood then: the first version after that seq, or else the
//! present value, counts only if its `since` is not after the seq, otherwise the key
//! did not exist yet. So a query as known at any point of the log reads what it shows,
//! like the present one; corrections step back through the undo records (`rewind`).

use std::collections::BTreeMap;
use std::sync::Arc;

mod as_of;
mod check;
mod layout;
#[cfg(test)]
mod tests;

pub use as_of::AsOf;
pub use check::{tally_stored, Tally};
use layout::*;

/// A key and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// A read of the projection that failed: the store could not be read, or what it holds
/// is not what the key layout says it is. It is an error for the answer being built,
/// never an absence: a query, a rule or a rendering that meets one stops with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReadError(pub String);

impl From<String> for ReadError {
    fn from(why: String) -> ReadError {
        ReadError(why)
    }
}

impl From<&str> for ReadError {
    fn from(why: &str) -> ReadError {
        ReadError(why.to_string())
    }
}

/// What the store offers the projection: point reads and prefix scans, in key order,
/// read as they are consumed (a register page stops reading once it is full).
pub trait KvRead: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError>;
    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a>;

    /// The same pairs as `scan`, the last key first: the latest rows of a register by
    /// date, read only as far as they are wanted where the store can walk backwards.
    /// By default the prefix is read whole, then turned; a failed read is the walk's
    /// only item, never a partial answer.
    fn scan_rev<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        reversed(self.scan(prefix))
    }

    /// The pairs of `scan`, from the key `from` (under `prefix`) on: a key's versions
    /// after a seq, found where the store can seek rather than read from the first (a
    /// key every action rewrites has as many versions as there are actions). By default
    /// the pairs before `from` are read and passed over.
    fn scan_from<'a>(&'a self, prefix: &[u8], from: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        let from = from.to_vec();
        Box::new(self.scan(prefix).skip_while(move |item| item.as_ref().is_ok_and(|(k, _)| *k < from)))
    }
}

/// A walk read whole and turned: its pairs last first, or its first error alone.
fn reversed<'a>(
    walk: impl Iterator<Item = Result<Pair, ReadError>>,
) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
    match walk.collect::<Result<Vec<Pair>, ReadError>>() {
        Ok(pairs) => Box::new(pairs.into_iter().rev().map(Ok)),
        Err(e) => Box::new(std::iter::once(Err(e))),
    }
}

/// Values written over the base; `None` removes the key.
pub type Writes = BTreeMap<Vec<u8>, Option<Vec<u8>>>;

#[derive(Default)]
pub struct Kv {
    base: Option<Arc<dyn KvRead>>,
    /// A view of the past, which is never written.
    read_only: bool,
    writes: Writes,
    /// While an event is applied: its seq, and each key it wrote with the stored value
    /// it had before.
    journal: Option<(u64, Writes)>,
}

impl Kv {
    pub fn over(base: Arc<dyn KvRead>) -> Kv {
        Kv { base: Some(base), ..Kv::default() }
    }

    /// A read-only view of `base` as it stood after `seq`.
    pub fn as_of(base: Arc<dyn KvRead>, seq: u64) -> Kv {
        Kv { base: Some(Arc::new(AsOf::new(base, seq))), read_only: true, ..Kv::default() }
    }

    /// The value of `key` (without its `since`).
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        match self.get_stored(key)? {
            Some(stored) => Ok(Some(payload(key, stored)?)),
            None => Ok(None),
        }
    }

    /// The stored value of `key` now: its `since` and its value.
    fn get_stored(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        if let Some(v) = self.writes.get(key) {
            return Ok(v.clone());
        }
        match &self.base {
            Some(base) => base.get(key),
            None => Ok(None),
        }
    }

    /// Every pair of the state under `prefix`, in key order, the overlay's value
    /// winning; values without their `since`, and the history left out.
    pub fn scan(&self, prefix: &[u8]) -> Result<Vec<Pair>, ReadError> {
        self.scan_iter(prefix).collect()
    }

    /// The same pairs as `scan`, read from the base as they are consumed where the
    /// overlay has nothing under `prefix` (always, for a query's view). A failed read
    /// is yielded, and ends the walk for whoever stops at it.
    pub fn scan_iter<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        present(self.scan_stored(prefix))
    }

    /// The pairs of `scan_iter`, the last key first; read from the base as they are
    /// consumed where the overlay has nothing under `prefix`.
    pub fn scan_iter_rev<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        let overlay = self.writes.range(prefix.to_vec()..).next().is_some_and(|(k, _)| k.starts_with(prefix));
        let walk = match (&self.base, overlay) {
            (Some(base), false) => base.scan_rev(prefix),
            _ => reversed(self.scan_stored(prefix)),
        };
        present(walk)
    }

    /// Every key and stored value, history included, in key order: what the store
    /// holds, byte for byte.
    pub fn stored_pairs(&self) -> Result<Vec<Pair>, ReadError> {
        assert!(!self.read_only, "the stored pairs are those of the present");
        self.scan_stored(b"").collect()
    }

    fn scan_stored<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        let overlay: Vec<(&Vec<u8>, &Option<Vec<u8>>)> =
            self.writes.range(prefix.to_vec()..).take_while(|(k, _)| k.starts_with(prefix)).collect();
        let Some(base) = &self.base else {
            return Box::new(overlay.into_iter().filter_map(|(k, v)| Some(Ok((k.clone(), v.clone()?)))));
        };
        let base = base.scan(prefix);
        if overlay.is_empty() {
            return base;
        }
        let mut out: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for item in base {
            match item {
                Ok((k, v)) => {
                    out.insert(k, v);
                }
                Err(e) => return Box::new(std::iter::once(Err(e))),
            }
        }
        for (k, v) in overlay {
            match v {
                Some(v) => out.insert(k.clone(), v.clone()),
                None => out.remove(k),
            };
        }
        Box::new(out.into_iter().map(Ok))
    }

    /// Sets `key` to `value`, or removes it with `None`; the value is stamped with the
    /// seq of the event being applied (0 outside a journal). Journaling reads the value
    /// before, which can fail.
    pub fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Result<(), ReadError> {
        let since = self.journal.as_ref().map_or(0, |(seq, _)| *seq);
        self.set_stored(key, value.map(|v| [&since.to_be_bytes()[..], &v].concat()))
    }

    fn set_stored(&mut self, key: Vec<u8>, stored: Option<Vec<u8>>) -> Result<(), ReadError> {
        assert!(!self.read_only, "a view of the past is read only");
        if self.journal.as_ref().is_some_and(|(_, j)| !j.contains_key(&key)) {
            let old = self.get_stored(&key)?;
            if let Some((_, journal)) = &mut self.journal {
                journal.insert(key.clone(), old);
            }
        }
        self.writes.insert(key, stored);
        Ok(())
    }

    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) -> Result<(), ReadError> {
        self.set(key, Some(value))
    }

    /// Starts recording the old value of every key written, as the history of the
    /// event at `seq`, until `end_journal`.
    pub fn begin_journal(&mut self, seq: u64) {
        assert!(self.journal.is_none(), "one event at a time");
        self.journal = Some((seq, Writes::new()));
    }

    /// Ends what `begin_journal` started. A key written back to the value it had keeps
    /// that value's `since`; every other key written is in the event's undo record, and
    /// those that had a value get a version holding it.
    pub fn end_journal(&mut self) -> Result<(), ReadError> {
        let Some((seq, journal)) = self.journal.take() else { return Ok(()) };
        let mut changed = Vec::new();
        for (k, old) in journal {
            let now = self.writes.get(&k).cloned().flatten();
            let same = match (&old, &now) {
                (Some(a), Some(b)) => a.get(SINCE_BYTES..) == b.get(SINCE_BYTES..),
                (a, b) => a.is_none() && b.is_none(),
            };
            if same {
                self.writes.insert(k, old);
                continue;
            }
            if let Some(old) = old {
                self.writes.insert(version_key(&k, seq), Some(old));
            }
            changed.push(lossy(&k));
        }
        let list = serde_json::to_vec(&changed).expect("strings serialize");
        let key = undo_key(seq);
        let mut undo = self.get_stored(&key)?.unwrap_or_default();
        // Events are journaled once each, in seq order: the entry goes last.
        match undo_entries(&undo).last() {
            Some(Ok((last, _))) if last >= seq => return Err(format!("undo record {seq}: after {last}'s").into()),
            Some(Err(e)) => return Err(format!("undo record {seq}: {e}").into()),
            _ => {}
        }
        undo.extend_from_slice(&seq.to_be_bytes());
        undo.extend_from_slice(&u32::try_from(list.len()).expect("an undo list under 4 GiB").to_be_bytes());
        undo.extend_from_slice(&list);
        self.writes.insert(key, Some(undo));
        Ok(())
    }

    /// Steps back from the state after `from` to the state after `to` (`to <= from`):
    /// each key an event in between changed gets its value from before that event, its
    /// version, or is removed if it has none (the event created it).
    pub fn rewind(&mut self, from: u64, to: u64) -> Result<(), ReadError> {
        let mut bucket: Option<(Vec<u8>, Vec<u8>)> = None;
        for seq in (to + 1..=from).rev() {
            let key = undo_key(seq);
            if bucket.as_ref().is_none_or(|(k, _)| *k != key) {
                let undo = self.get_stored(&key)?.unwrap_or_default();
                bucket = Some((key, undo));
            }
            let undo = &bucket.as_ref().expect("just read").1;
            let list = undo_entries(undo).find(|e| e.as_ref().map_or(true, |(s, _)| *s == seq));
            let keys = match list
                .map(|e| e.and_then(|(_, l)| serde_json::from_slice::<Vec<String>>(l).map_err(|e| e.to_string())))
            {
                Some(Ok(keys)) => keys,
                Some(Err(e)) => return Err(format!("undo record {seq}: {e}").into()),
                None => return Err(format!("undo record {seq}: missing").into()),
            };
            for k in keys {
                let k = k.into_bytes();
                let old = self.get_stored(&version_key(&k, seq))?;
                self.set_stored(k, old)?;
            }
        }
        Ok(())
    }

    /// The writes made over the base, in key order.
    pub fn writes(&self) -> &Writes {
        &self.writes
    }
}

/// A stored value without its `since`.
/// The state's pairs of a walk over the stored ones: the history left out, each value
/// without its `since`.
fn present<'a>(
    walk: Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a>,
) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
    Box::new(walk.filter(|item| !item.as_ref().is_ok_and(|(k, _)| is_history(k))).map(|item| {
        let (k, v) = item?;
        let v = payload(&k, v)?;
        Ok((k, v))
    }))
}

fn payload(key: &[u8], mut stored: Vec<u8>) -> Result<Vec<u8>, ReadError> {
    since_of(key, &stored)?;
    stored.drain(..SINCE_BYTES);
    Ok(stored)
}
