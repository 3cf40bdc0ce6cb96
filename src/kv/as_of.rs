//! `AsOf`: the stored projection read as it stood after a seq, through each key's
//! versions.

use super::layout::*;
use super::{KvRead, Pair, ReadError};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The stored projection as it stood after `seq`, read through its history: what a view
/// `as_of` reads, and what `check_transition` replays an event over. The history is
/// seen as it stood then too: versions written after `seq` are absent, and an undo key
/// holds the entries of the events up to `seq` only.
pub struct AsOf {
    base: Arc<dyn KvRead>,
    pub(super) seq: u64,
    /// What each state key read has stored: the past does not change, and an event that
    /// writes a key has mostly read it first (its journal reads it again, and
    /// `check_transition` reads it as of the next seq).
    read: Mutex<HashMap<Vec<u8>, Arc<Stored>>>,
}

/// A key's present value and, where that was written after the view's seq, the first
/// two versions written after it: enough to read the key then and one seq later.
struct Stored {
    now: Option<Vec<u8>>,
    after: Vec<(u64, Vec<u8>)>,
}

impl AsOf {
    pub fn new(base: Arc<dyn KvRead>, seq: u64) -> AsOf {
        AsOf { base, seq, read: Mutex::default() }
    }

    fn stored(&self, key: &[u8]) -> Result<Arc<Stored>, ReadError> {
        if let Some(s) = self.read.lock().unwrap_or_else(|p| p.into_inner()).get(key) {
            return Ok(s.clone());
        }
        let now = self.base.get(key)?;
        let since = now.as_ref().map(|v| since_of(key, v)).transpose()?;
        let mut after = Vec::new();
        // A present value written at or before `seq` is the value then and after: a
        // later change would have overwritten or removed it. One written by the next
        // event (what verify replays) was its only change since: the value before it,
        // if any, is that event's version, read by key. A scan costs sled twice a read,
        // and most keys an event writes are new. Otherwise the versions after `seq` are
        // sought, not read from the key's first: a key every action rewrites has as many
        // versions as there are actions, and verify reads it at each.
        if since == Some(self.seq + 1) {
            if let Some(v) = self.base.get(&version_key(key, self.seq + 1))? {
                after.push((self.seq + 1, v));
            }
        } else if since.is_none_or(|since| since > self.seq) {
            for item in self.base.scan_from(&version_prefix(key), &version_key(key, self.seq + 1)) {
                let (k, v) = item?;
                let at = version_seq(&k).ok_or_else(|| format!("version key {:?}", lossy(&k)))?;
                if at > self.seq {
                    after.push((at, v));
                    if after.len() == 2 {
                        break;
                    }
                }
            }
        }
        let stored = Arc::new(Stored { now, after });
        self.read.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_vec(), stored.clone());
        Ok(stored)
    }

    /// The stored value of `key` after `seq` (the view's, or the next one): the first
    /// version written after it, or else the present value, if its `since` is not after
    /// it; otherwise the key did not exist yet.
    pub(super) fn state_at(&self, key: &[u8], seq: u64) -> Result<Option<Vec<u8>>, ReadError> {
        assert!(seq == self.seq || seq == self.seq + 1, "a view reads its own seq and the next");
        let stored = self.stored(key)?;
        let then = match &stored.now {
            Some(v) if since_of(key, v)? <= self.seq => Some(v),
            now => stored.after.iter().find(|(at, _)| *at > seq).map(|(_, v)| v).or(now.as_ref()),
        };
        match then {
            Some(v) if since_of(key, v)? <= seq => Ok(Some(v.clone())),
            _ => Ok(None),
        }
    }

    fn undo(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        let Some(undo) = self.base.get(key)? else { return Ok(None) };
        let mut end = 0;
        for entry in undo_entries(&undo) {
            let (seq, list) = entry.map_err(|e| format!("undo record {:?}: {e}", lossy(key)))?;
            if seq > self.seq {
                break;
            }
            end += UNDO_ENTRY_HEAD + list.len();
        }
        Ok((end > 0).then(|| undo[..end].to_vec()))
    }
}

impl KvRead for AsOf {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        if key.starts_with(UNDO) {
            return self.undo(key);
        }
        if key.starts_with(VERSIONS) {
            let at = version_seq(key).ok_or_else(|| format!("version key {:?}", lossy(key)))?;
            return if at <= self.seq { self.base.get(key) } else { Ok(None) };
        }
        self.state_at(key, self.seq)
    }

    /// The state's keys under `prefix` then: those there now, each as scanned where it
    /// was written at or before `seq` (no later change), else read through its versions;
    /// and those that had a value once (since removed), read so too. The history itself
    /// is read by key, not scanned.
    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        let pairs = (|| {
            let mut pairs = BTreeMap::new();
            let mut changed = std::collections::BTreeSet::new();
            for item in self.base.scan(prefix) {
                let (k, v) = item?;
                if is_history(&k) {
                    continue;
                }
                if since_of(&k, &v)? <= self.seq {
                    pairs.insert(k, v);
                } else {
                    changed.insert(k);
                }
            }
            for item in self.base.scan(&[VERSIONS, prefix].concat()) {
                let (k, _) = item?;
                let (key, _) = split_version(&k).ok_or_else(|| format!("version key {:?}", lossy(&k)))?;
                if !pairs.contains_key(key) {
                    changed.insert(key.to_vec());
                }
            }
            for k in changed {
                if let Some(v) = self.state_at(&k, self.seq)? {
                    pairs.insert(k, v);
                }
            }
            Ok(pairs)
        })();
        match pairs {
            Err(e) => Box::new(std::iter::once(Err(e))),
            Ok(pairs) => Box::new(pairs.into_iter().map(Ok)),
        }
    }
}
