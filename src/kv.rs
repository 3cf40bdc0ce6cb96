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

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// A key and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// What the store offers the projection: point reads and prefix scans, in key order,
/// read as they are consumed (a register page stops reading once it is full).
pub trait KvRead: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String>;
    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, String>> + 'a>;
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
    /// The first read that failed. Reads answer "absent" after one; whoever finishes
    /// with the view (a query, an append) turns it into an error, so a damaged store is
    /// reported, never silently answered from.
    fault: Mutex<Option<String>>,
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
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let stored = self.get_stored(key);
        self.payload(key, stored?)
    }

    /// The stored value of `key` now: its `since` and its value.
    fn get_stored(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.writes.get(key) {
            return v.clone();
        }
        let base = self.base.as_ref()?;
        base.get(key).unwrap_or_else(|e| self.failed(e))
    }

    fn since(&self, key: &[u8], stored: &[u8]) -> Option<u64> {
        since_of(key, stored).map_or_else(|e| self.failed(e), Some)
    }

    fn payload(&self, key: &[u8], mut stored: Vec<u8>) -> Option<Vec<u8>> {
        self.since(key, &stored)?;
        stored.drain(..SINCE_BYTES);
        Some(stored)
    }

    /// Every pair of the state under `prefix`, in key order, the overlay's value
    /// winning; values without their `since`, and the history left out.
    pub fn scan(&self, prefix: &[u8]) -> Vec<Pair> {
        self.scan_iter(prefix).collect()
    }

    /// The same pairs as `scan`, read from the base as they are consumed where the
    /// overlay has nothing under `prefix` (always, for a query's view). A failed read
    /// ends the walk and is recorded (see `fault`).
    pub fn scan_iter<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Pair> + 'a> {
        Box::new(
            self.scan_stored(prefix)
                .filter(|(k, _)| !is_history(k))
                .filter_map(|(k, v)| self.payload(&k, v).map(|v| (k, v))),
        )
    }

    /// Every key and stored value, history included, in key order: what the store
    /// holds, byte for byte.
    pub fn stored_pairs(&self) -> Vec<Pair> {
        assert!(!self.read_only, "the stored pairs are those of the present");
        self.scan_stored(b"").collect()
    }

    fn scan_stored<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Pair> + 'a> {
        let overlay: Vec<(&Vec<u8>, &Option<Vec<u8>>)> =
            self.writes.range(prefix.to_vec()..).take_while(|(k, _)| k.starts_with(prefix)).collect();
        let Some(base) = &self.base else {
            return Box::new(overlay.into_iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?))));
        };
        let mut base = base.scan(prefix);
        if overlay.is_empty() {
            return Box::new(std::iter::from_fn(move || match base.next()? {
                Ok(pair) => Some(pair),
                Err(e) => self.failed(e),
            }));
        }
        let mut out: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
        for item in base.by_ref() {
            match item {
                Ok((k, v)) => {
                    out.insert(k, v);
                }
                Err(e) => self.failed(e),
            }
        }
        for (k, v) in overlay {
            match v {
                Some(v) => out.insert(k.clone(), v.clone()),
                None => out.remove(k),
            };
        }
        Box::new(out.into_iter())
    }

    /// Sets `key` to `value`, or removes it with `None`; the value is stamped with the
    /// seq of the event being applied (0 outside a journal).
    pub fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        let since = self.journal.as_ref().map_or(0, |(seq, _)| *seq);
        self.set_stored(key, value.map(|v| [&since.to_be_bytes()[..], &v].concat()));
    }

    fn set_stored(&mut self, key: Vec<u8>, stored: Option<Vec<u8>>) {
        assert!(!self.read_only, "a view of the past is read only");
        if self.journal.as_ref().is_some_and(|(_, j)| !j.contains_key(&key)) {
            let old = self.get_stored(&key);
            if let Some((_, journal)) = &mut self.journal {
                journal.insert(key.clone(), old);
            }
        }
        self.writes.insert(key, stored);
    }

    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.set(key, Some(value));
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
    pub fn end_journal(&mut self) {
        let Some((seq, journal)) = self.journal.take() else { return };
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
        let mut undo = self.get_stored(&key).unwrap_or_default();
        // Events are journaled once each, in seq order: the entry goes last.
        match undo_entries(&undo).last() {
            Some(Ok((last, _))) if last >= seq => return self.failed(format!("undo record {seq}: after {last}'s")),
            Some(Err(e)) => return self.failed(format!("undo record {seq}: {e}")),
            _ => {}
        }
        undo.extend_from_slice(&seq.to_be_bytes());
        undo.extend_from_slice(&u32::try_from(list.len()).expect("an undo list under 4 GiB").to_be_bytes());
        undo.extend_from_slice(&list);
        self.writes.insert(key, Some(undo));
    }

    /// Steps back from the state after `from` to the state after `to` (`to <= from`):
    /// each key an event in between changed gets its value from before that event, its
    /// version, or is removed if it has none (the event created it).
    pub fn rewind(&mut self, from: u64, to: u64) {
        let mut bucket: Option<(Vec<u8>, Vec<u8>)> = None;
        for seq in (to + 1..=from).rev() {
            let key = undo_key(seq);
            if bucket.as_ref().is_none_or(|(k, _)| *k != key) {
                let undo = self.get_stored(&key).unwrap_or_default();
                bucket = Some((key, undo));
            }
            let undo = &bucket.as_ref().expect("just read").1;
            let list = undo_entries(undo).find(|e| e.as_ref().map_or(true, |(s, _)| *s == seq));
            let keys = match list
                .map(|e| e.and_then(|(_, l)| serde_json::from_slice::<Vec<String>>(l).map_err(|e| e.to_string())))
            {
                Some(Ok(keys)) => keys,
                Some(Err(e)) => return self.failed(format!("undo record {seq}: {e}")),
                None => return self.failed(format!("undo record {seq}: missing")),
            };
            for k in keys {
                let k = k.into_bytes();
                let old = self.get_stored(&version_key(&k, seq));
                self.set_stored(k, old);
            }
        }
    }

    /// The writes made over the base, in key order.
    pub fn writes(&self) -> &Writes {
        &self.writes
    }

    /// Records a read failure and answers as if absent (see `fault`).
    pub fn failed<T: Default>(&self, why: String) -> T {
        let mut fault = self.fault.lock().unwrap_or_else(|p| p.into_inner());
        fault.get_or_insert(why);
        T::default()
    }

    /// The first read failure since the view was made, if any.
    pub fn fault(&self) -> Option<String> {
        self.fault.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// The stored projection as it stood after `seq`, read through its history: what a view
/// `as_of` reads, and what `check_transition` replays an event over. The history is
/// seen as it stood then too: versions written after `seq` are absent, and an undo key
/// holds the entries of the events up to `seq` only.
pub struct AsOf {
    base: Arc<dyn KvRead>,
    seq: u64,
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

    fn stored(&self, key: &[u8]) -> Result<Arc<Stored>, String> {
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
        // and most keys an event writes are new.
        if since == Some(self.seq + 1) {
            if let Some(v) = self.base.get(&version_key(key, self.seq + 1))? {
                after.push((self.seq + 1, v));
            }
        } else if since.is_none_or(|since| since > self.seq) {
            for item in self.base.scan(&version_prefix(key)) {
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
    fn state_at(&self, key: &[u8], seq: u64) -> Result<Option<Vec<u8>>, String> {
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

    fn undo(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
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
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
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
    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, String>> + 'a> {
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
pub fn tally_stored(pairs: impl Iterator<Item = Result<Pair, String>>, head: u64) -> Result<Tally, String> {
    let mut tally = Tally::default();
    for pair in pairs {
        let (k, v) = pair?;
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

/// A stored value's `since`.
fn since_of(key: &[u8], stored: &[u8]) -> Result<u64, String> {
    match stored.first_chunk::<SINCE_BYTES>() {
        Some(since) => Ok(u64::from_be_bytes(*since)),
        None => Err(format!("projection key {:?}: a value without its seq", lossy(key))),
    }
}

/// The length of a stored value's `since`.
const SINCE_BYTES: usize = 8;

/// Where the history lives, beside the state: `undo/FIRST`, `ver/KEY<NUL>SEQ`.
const UNDO: &[u8] = b"undo/";
const VERSIONS: &[u8] = b"ver/";

/// Events whose undo records share a key: one key per event was a seventh of all keys,
/// and sled's page table, what opening reads and a query process holds, grows with them.
/// Not more: sled copies a leaf on every insert into it, and 64 made appends 40% slower.
const UNDO_BUCKET_LEN: u64 = 16;
/// An entry's seq (8 bytes) and its list's length (4 bytes), big endian.
const UNDO_ENTRY_HEAD: usize = 12;

/// The key holding the undo record of the event at `seq`, with those of the events
/// around it: one entry an event, in seq order, each its seq, its length and a JSON list
/// of the keys it changed.
fn undo_key(seq: u64) -> Vec<u8> {
    format!("undo/{:016x}", seq / UNDO_BUCKET_LEN * UNDO_BUCKET_LEN).into_bytes()
}

/// The entries of an undo key's value, an error at the first malformed one.
fn undo_entries(undo: &[u8]) -> impl Iterator<Item = Result<(u64, &[u8]), String>> + '_ {
    let mut rest = undo;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let entry = (|| {
            let head = rest.get(..UNDO_ENTRY_HEAD).ok_or("an entry cut short")?;
            let seq = u64::from_be_bytes(head[..8].try_into().expect("8 bytes"));
            let len = u32::from_be_bytes(head[8..].try_into().expect("4 bytes")) as usize;
            let list = rest.get(UNDO_ENTRY_HEAD..UNDO_ENTRY_HEAD + len).ok_or("an entry cut short")?;
            Ok((seq, list))
        })();
        match &entry {
            Ok((_, list)) => rest = &rest[UNDO_ENTRY_HEAD + list.len()..],
            Err(_) => rest = &[],
        }
        Some(entry.map_err(|e: &str| e.to_string()))
    })
}

fn version_prefix(key: &[u8]) -> Vec<u8> {
    [VERSIONS, key, b"\0"].concat()
}

fn version_key(key: &[u8], seq: u64) -> Vec<u8> {
    [version_prefix(key), format!("{seq:016x}").into_bytes()].concat()
}

/// A version key's key and seq.
fn split_version(k: &[u8]) -> Option<(&[u8], u64)> {
    let rest = k.strip_prefix(VERSIONS)?;
    let nul = rest.iter().rposition(|b| *b == 0)?;
    let seq = u64::from_str_radix(std::str::from_utf8(&rest[nul + 1..]).ok()?, 16).ok()?;
    Some((&rest[..nul], seq))
}

fn version_seq(k: &[u8]) -> Option<u64> {
    split_version(k).map(|(_, seq)| seq)
}

fn is_history(key: &[u8]) -> bool {
    key.starts_with(UNDO) || key.starts_with(VERSIONS)
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kv: &mut Kv, seq: u64, writes: &[(&str, Option<&str>)]) {
        kv.begin_journal(seq);
        for (k, v) in writes {
            kv.set(k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec()));
        }
        kv.end_journal();
    }

    fn history(kv: &Kv) -> Vec<String> {
        kv.writes().keys().filter(|k| k.starts_with(VERSIONS)).map(|k| lossy(k).replace('\0', "@")).collect()
    }

    fn at(kv: &Kv, seq: u64, key: &str) -> Option<String> {
        let base: Arc<dyn KvRead> = Arc::new(Frozen(kv.writes().clone()));
        Kv::as_of(base, seq).get(key.as_bytes()).map(|v| lossy(&v))
    }

    struct Frozen(Writes);

    impl KvRead for Frozen {
        fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, String> {
            Ok(self.0.get(key).cloned().flatten())
        }
        fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, String>> + 'a> {
            let prefix = prefix.to_vec();
            Box::new(
                self.0
                    .range(prefix.clone()..)
                    .take_while(move |(k, _)| k.starts_with(&prefix))
                    .filter_map(|(k, v)| Some(Ok((k.clone(), v.clone()?)))),
            )
        }
    }

    /// Most events only create keys: those cost no version, yet every past state reads
    /// back, removals and re-creations included.
    #[test]
    fn versions_are_kept_only_for_values_overwritten_or_removed() {
        let mut kv = Kv::default();
        event(&mut kv, 1, &[("a", Some("1")), ("b", Some("x"))]);
        event(&mut kv, 2, &[("c", Some("y"))]);
        assert!(history(&kv).is_empty(), "creations need no version: {:?}", history(&kv));
        event(&mut kv, 3, &[("a", Some("2")), ("b", Some("x"))]);
        assert_eq!(history(&kv), ["ver/a@0000000000000003"], "b was written back unchanged");
        event(&mut kv, 4, &[("a", None)]);
        event(&mut kv, 5, &[("a", Some("3"))]);
        assert_eq!(kv.get(b"b").as_deref(), Some(&b"x"[..]));
        let a: Vec<_> = (0..=5).map(|seq| at(&kv, seq, "a")).collect();
        let want = [None, Some("1"), Some("1"), Some("2"), None, Some("3")];
        assert_eq!(a, want.map(|v| v.map(String::from)));
        assert_eq!(at(&kv, 1, "c"), None);
        assert_eq!(at(&kv, 2, "c").as_deref(), Some("y"));
        assert_eq!(at(&kv, 0, "b"), None);
        // Stepping back from 5 to 2 gives the state after 2 exactly.
        let mut rewound = Kv::over(Arc::new(Frozen(kv.writes().clone())));
        rewound.rewind(5, 2);
        assert_eq!(
            rewound.scan(b""),
            [(b"a".to_vec(), b"1".to_vec()), (b"b".to_vec(), b"x".to_vec()), (b"c".to_vec(), b"y".to_vec())]
        );
    }

    /// Undo records share a key per 16 events: stepping back across those keys' bounds
    /// gives every earlier state, and a damaged one is a fault, never a guess.
    #[test]
    fn undo_records_shared_by_neighbouring_events_rewind_across_their_bounds() {
        let mut kv = Kv::default();
        for seq in 1..=40u64 {
            let v = seq.to_string();
            event(&mut kv, seq, &[("n", Some(v.as_str())), (&format!("k{seq:02}"), Some("x"))]);
        }
        assert_eq!(kv.writes().keys().filter(|k| k.starts_with(UNDO)).count(), 3, "seqs 1-15, 16-31, 32-40");
        for to in [0, 9, 15, 16, 31, 32, 39] {
            let mut rewound = Kv::over(Arc::new(Frozen(kv.writes().clone())));
            rewound.rewind(40, to);
            assert_eq!(rewound.fault(), None);
            let n = rewound.get(b"n").map(|v| lossy(&v));
            assert_eq!(n, (to > 0).then(|| to.to_string()), "n after {to}");
            assert_eq!(rewound.scan(b"k").len() as u64, to, "the keys created up to {to}");
        }
        let mut damaged = kv.writes().clone();
        let bucket = damaged.get_mut(&undo_key(20)).unwrap().as_mut().unwrap();
        bucket.truncate(bucket.len() - 1);
        let mut rewound = Kv::over(Arc::new(Frozen(damaged)));
        rewound.rewind(40, 10);
        assert!(rewound.fault().is_some_and(|f| f.contains("undo record 31")), "{:?}", rewound.fault());
    }
}
