//! The projection's key-value view: the persisted state as a base that is only read,
//! and the writes of the events being applied layered over it.
//!
//! Appends apply their events to the overlay, where the rules of later events in the
//! same batch see them; the store then writes the overlay in the same atomic batch as
//! the records, or drops it on a refusal, which is the whole of a rollback.
//!
//! The history of every key is kept too. While an event is applied, the journal notes
//! the value each key it changes had before; at the event's end that becomes its undo
//! record, `undo/SEQ` (the keys it changed), and one version per key,
//! `ver/KEY<NUL>SEQ` (the value before SEQ). A view `as_of` a seq reads each key as it
//! stood then: its first version after that seq, or its present value if it has none.
//! So a query as known at any point of the log reads what it shows, like the present
//! one; corrections step back through the undo records (`rewind`).

use std::collections::BTreeMap;
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
    /// A view of the state as it stood after this seq (read only).
    as_of: Option<u64>,
    writes: Writes,
    /// While an event is applied: each key it wrote, with the value it had before.
    journal: Option<Writes>,
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
        Kv { base: Some(base), as_of: Some(seq), ..Kv::default() }
    }

    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        match self.as_of {
            Some(seq) => self.get_as_of(key, seq),
            None => self.get_now(key),
        }
    }

    fn get_now(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.writes.get(key) {
            return v.clone();
        }
        let base = self.base.as_ref()?;
        base.get(key).unwrap_or_else(|e| self.failed(e))
    }

    /// The value `key` had after `seq`: the first version written after it, if any.
    fn get_as_of(&self, key: &[u8], seq: u64) -> Option<Vec<u8>> {
        for (k, v) in self.scan_now(&version_prefix(key)) {
            let Some(at) = version_seq(&k) else { return self.failed(format!("version key {:?}", lossy(&k))) };
            if at > seq {
                return decode_version(&v).unwrap_or_else(|e| self.failed(e));
            }
        }
        self.get_now(key)
    }

    /// Every pair under `prefix`, in key order, the overlay's value winning.
    pub fn scan(&self, prefix: &[u8]) -> Vec<Pair> {
        self.scan_iter(prefix).collect()
    }

    /// The same pairs as `scan`, read from the base as they are consumed where the
    /// overlay has nothing under `prefix` (always, for a query's view). A failed read
    /// ends the walk and is recorded (see `fault`).
    pub fn scan_iter<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Pair> + 'a> {
        let Some(seq) = self.as_of else { return self.scan_now(prefix) };
        // The keys under `prefix` now, and those that had a value once (since removed):
        // each read as it stood after `seq`.
        let mut keys: std::collections::BTreeSet<Vec<u8>> = self.scan_now(prefix).map(|(k, _)| k).collect();
        for (k, _) in self.scan_now(&[VERSIONS, prefix].concat()) {
            match split_version(&k) {
                Some((key, _)) => keys.insert(key.to_vec()),
                None => self.failed(format!("version key {:?}", lossy(&k))),
            };
        }
        Box::new(keys.into_iter().filter_map(move |k| self.get_as_of(&k, seq).map(|v| (k, v))))
    }

    fn scan_now<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Pair> + 'a> {
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

    /// Sets `key` to `value`, or removes it with `None`.
    pub fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        assert!(self.as_of.is_none(), "a view of the past is read only");
        if self.journal.is_some() {
            let old = self.get(&key);
            if let Some(journal) = &mut self.journal {
                journal.entry(key.clone()).or_insert(old);
            }
        }
        self.writes.insert(key, value);
    }

    pub fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.set(key, Some(value));
    }

    /// Starts recording the old value of every key written, until `end_journal`.
    pub fn begin_journal(&mut self) {
        self.journal = Some(Writes::new());
    }

    /// Ends what `begin_journal` started: every key whose value changed gets a version
    /// holding its value before, and the event at `seq` its undo record (those keys).
    pub fn end_journal(&mut self, seq: u64) {
        let mut journal = self.journal.take().unwrap_or_default();
        journal.retain(|k, old| self.get(k) != *old);
        let keys: Vec<String> = journal.keys().map(|k| lossy(k)).collect();
        for (k, old) in journal {
            self.writes.insert(version_key(&k, seq), Some(encode_version(&old)));
        }
        let undo = serde_json::to_vec(&keys).expect("strings serialize");
        self.writes.insert(undo_key(seq), Some(undo));
    }

    /// Steps back from the state after `from` to the state after `to` (`to <= from`):
    /// each key an event in between changed gets its value from before that event.
    pub fn rewind(&mut self, from: u64, to: u64) {
        for seq in (to + 1..=from).rev() {
            let keys = match self.get(&undo_key(seq)).map(|v| serde_json::from_slice::<Vec<String>>(&v)) {
                Some(Ok(keys)) => keys,
                Some(Err(e)) => return self.failed(format!("undo record {seq}: {e}")),
                None => return self.failed(format!("undo record {seq}: missing")),
            };
            for k in keys {
                let k = k.into_bytes();
                let old = match self.get(&version_key(&k, seq)).map(|v| decode_version(&v)) {
                    Some(Ok(old)) => old,
                    Some(Err(e)) => return self.failed(e),
                    None => return self.failed(format!("version of {:?} at {seq}: missing", lossy(&k))),
                };
                self.set(k, old);
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

/// Where the history lives, beside the state: `undo/SEQ`, `ver/KEY<NUL>SEQ`.
pub const UNDO: &[u8] = b"undo/";
pub const VERSIONS: &[u8] = b"ver/";

fn undo_key(seq: u64) -> Vec<u8> {
    format!("undo/{seq:016x}").into_bytes()
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

/// A value before: 0 for none (the key did not exist), or 1 and the bytes.
fn encode_version(old: &Option<Vec<u8>>) -> Vec<u8> {
    match old {
        None => vec![0],
        Some(v) => [&[1u8][..], v].concat(),
    }
}

fn decode_version(v: &[u8]) -> Result<Option<Vec<u8>>, String> {
    match v.split_first() {
        Some((0, [])) => Ok(None),
        Some((1, rest)) => Ok(Some(rest.to_vec())),
        _ => Err("a version that is neither absent nor a value".into()),
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
