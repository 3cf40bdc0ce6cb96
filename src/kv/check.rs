//! What `Ledger::verify` holds the store to: each event's transition replayed over the
//! state before it, and the store counted.

use super::layout::*;
use super::{AsOf, Kv, KvRead, Pair, ReadError};
use std::sync::Arc;

/// What one event's check adds to the totals `Ledger::verify` holds the store to (`tally_stored`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Events checked: each has one undo entry.
    pub events: u64,
    /// Keys given a value: each is a stored value, present or, once overwritten or
    /// removed, a version.
    pub values: u64,
    /// Values overwritten or removed: each is a version.
    pub versions: u64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.events += other.events;
        self.values += other.values;
        self.versions += other.versions;
    }
}

impl Kv {
    /// After an event at `seq` was applied (journaled) over `AsOf(stored, seq - 1)`:
    /// checks that the store holds exactly what the event wrote, its undo entry, each
    /// key it changed as of `seq`, and the version of each value it replaced. With
    /// every event checked so, and the store counted (`tally_stored`), the stored
    /// projection and its whole history are the log's (docs/RELIABILITY.md, 4). The
    /// error names the key.
    pub fn check_transition(&self, seq: u64, before: &AsOf, stored: &Arc<dyn KvRead>) -> Result<Tally, String> {
        let differs = |key: &[u8]| format!("key {:?} (seq {seq})", lossy(key));
        let undo_key = undo_key(seq);
        let derived = self.writes.get(&undo_key).cloned().flatten().unwrap_or_default();
        let Some(Ok((at, list))) = undo_entries(&derived).last() else { return Err(differs(&undo_key)) };
        if at != seq {
            return Err(differs(&undo_key));
        }
        let stored_undo = stored.get(&undo_key)?.unwrap_or_default();
        if stored_undo.get(..derived.len()) != Some(&derived[..]) {
            return Err(differs(&undo_key));
        }
        let keys: Vec<String> = serde_json::from_slice(list).map_err(|e| format!("undo record {seq}: {e}"))?;
        assert_eq!(before.seq + 1, seq, "the view the event was replayed over");
        let mut tally = Tally { events: 1, ..Tally::default() };
        for key in keys {
            let key = key.into_bytes();
            let value = self.writes.get(&key).cloned().flatten();
            if before.state_at(&key, seq)? != value {
                return Err(differs(&key));
            }
            // A version the event did not write is one too many, and counted as such.
            let version = version_key(&key, seq);
            let replaced = self.writes.get(&version).cloned().flatten();
            if replaced.is_some() && stored.get(&version)? != replaced {
                return Err(differs(&version));
            }
            tally.values += u64::from(value.is_some());
            tally.versions += u64::from(replaced.is_some());
        }
        Ok(tally)
    }
}

/// Counts a stored projection's pairs, for `Ledger::verify`: its values and versions, and
/// the undo entries of the events up to `head`.
pub fn tally_stored(pairs: impl Iterator<Item = Result<Pair, ReadError>>, head: u64) -> Result<Tally, String> {
    let mut tally = Tally::default();
    for pair in pairs {
        let (k, v) = pair.map_err(|e| e.0)?;
        if k.starts_with(UNDO) {
            let first = std::str::from_utf8(&k[UNDO.len()..])
                .ok()
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("key {:?}: not an undo key", lossy(&k)))?;
            for entry in undo_entries(&v) {
                let (seq, _) = entry.map_err(|e| format!("key {:?}: {e}", lossy(&k)))?;
                if seq / UNDO_BUCKET_LEN * UNDO_BUCKET_LEN != first || seq > head {
                    return Err(format!("key {:?}: an undo entry for seq {seq}", lossy(&k)));
                }
                tally.events += 1;
            }
        } else {
            since_of(&k, &v)?;
            tally.values += 1;
            if k.starts_with(VERSIONS) {
                version_seq(&k).ok_or_else(|| format!("version key {:?}", lossy(&k)))?;
                tally.versions += 1;
            }
        }
    }
    Ok(tally)
}

impl From<ReadError> for String {
    fn from(e: ReadError) -> String {
        e.0
    }
}
