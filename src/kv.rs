//! The projection's key-value view: the persisted state as a base that is only read,
//! and the writes of the events being applied layered over it.
//!
//! Appends apply their events to the overlay, where the rules of later events in the
//! same batch see them; the store then writes the overlay in the same atomic batch as
//! the records, or drops it on a refusal, which is the whole of a rollback. The journal
//! keeps the value each key had before the event being applied: the event's undo
//! record, which `known_at` and corrections use to step back through the log.

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

    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        if let Some(v) = self.writes.get(key) {
            return v.clone();
        }
        let base = self.base.as_ref()?;
        base.get(key).unwrap_or_else(|e| self.failed(e))
    }

    /// Every pair under `prefix`, in key order, the overlay's value winning.
    pub fn scan(&self, prefix: &[u8]) -> Vec<Pair> {
        self.scan_iter(prefix).collect()
    }

    /// The same pairs as `scan`, read from the base as they are consumed where the
    /// overlay has nothing under `prefix` (always, for a query's view). A failed read
    /// ends the walk and is recorded (see `fault`).
    pub fn scan_iter<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Pair> + 'a> {
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

    /// The keys written since `begin_journal` whose value changed, with their old values.
    pub fn end_journal(&mut self) -> Writes {
        let mut journal = self.journal.take().unwrap_or_default();
        journal.retain(|k, old| self.get(k) != *old);
        journal
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
