//! The projection's keys in the log tree (under `~`, so one `apply_batch` writes records
//! and projection together), read through `kv::KvRead`; and scratch projections for
//! deriving a large one apart.

use super::{
    Log, Store, StoreError, CACHE_BYTES_MAX, COPY_BATCH_KEYS, LOG_TREE, STATE_HEAD_KEY, STATE_META_PREFIX,
    STATE_PREFIX, STATE_VERSION,
};
use crate::ids::{Hash, Seq};
use crate::kv::{KvRead, Pair, ReadError, Writes};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Reads the projection for `state::Model`, through `kv::KvRead`.
struct StateReader {
    log: Log,
}

impl KvRead for StateReader {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        let v = self.log.get(state_key(key)).map_err(|e| ReadError(e.to_string()))?;
        Ok(v.map(|v| v.to_vec()))
    }

    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        state_pairs(self.log.scan_prefix(&state_key(prefix)))
    }

    fn scan_from<'a>(&'a self, prefix: &[u8], from: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        state_pairs(self.log.scan_prefix_from(&state_key(prefix), &state_key(from)))
    }

    fn scan_rev<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        state_pairs(self.log.scan_prefix_rev(&state_key(prefix)))
    }
}

/// A walk of the log tree's state keys as the projection's pairs: without the state
/// prefix, and without the keys about the projection.
fn state_pairs<'a>(walk: super::log::Iter) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
    Box::new(walk.filter(|item| !item.as_ref().is_ok_and(|(k, _)| k.starts_with(STATE_META_PREFIX))).map(|item| {
        let (k, v) = item.map_err(|e| ReadError(e.to_string()))?;
        Ok((k[STATE_PREFIX.len()..].to_vec(), v.to_vec()))
    }))
}

fn state_key(key: &[u8]) -> Vec<u8> {
    [STATE_PREFIX, key].concat()
}

/// The projection pairs under a tree's state prefix, without the prefix and the meta keys.
fn pairs_of<'a>(tree: &'a Log, path: &'a Path) -> impl Iterator<Item = Result<Pair, StoreError>> + 'a {
    tree.scan_prefix(STATE_PREFIX).filter_map(move |item| match item {
        Ok((k, _)) if k.starts_with(STATE_META_PREFIX) => None,
        Ok((k, v)) => Some(Ok((k[STATE_PREFIX.len()..].to_vec(), v.to_vec()))),
        Err(e) => Some(Err(StoreError::Io { path: path.to_path_buf(), message: e.to_string() })),
    })
}

/// A projection derived apart from the ledger's own, in a temporary sled database
/// (removed when dropped), so that deriving the state of a million events does not hold
/// it in memory.
pub struct Scratch {
    tree: sled::Tree,
    log: Log,
    path: PathBuf,
    _db: sled::Db,
}

impl Scratch {
    pub fn reader(&self) -> Arc<dyn KvRead> {
        Arc::new(StateReader { log: self.log.clone() })
    }

    /// Takes in a model's writes, key by key: a scratch projection needs neither
    /// durability nor atomicity, and a sled batch would hold all of them in memory again.
    pub fn apply(&self, writes: &Writes) -> Result<(), StoreError> {
        let io = |e: sled::Error| StoreError::Io { path: self.path.clone(), message: e.to_string() };
        for (k, v) in writes {
            match v {
                Some(v) => self.tree.insert(state_key(k), v.as_slice()).map_err(io)?,
                None => self.tree.remove(state_key(k)).map_err(io)?,
            };
        }
        Ok(())
    }

    pub fn pairs(&self) -> impl Iterator<Item = Result<Pair, StoreError>> + '_ {
        pairs_of(&self.log, &self.path)
    }
}

/// Adds the projection's writes, and the head they bring it to, to a batch.
pub(super) fn stage_state(batch: &mut super::Batch, writes: &Writes, head: Option<(Seq, Hash)>) {
    for (k, v) in writes {
        match v {
            Some(v) => batch.insert(state_key(k), v.as_slice()),
            None => batch.remove(state_key(k)),
        }
    }
    let (seq, hash) = head.unwrap_or((Seq(0), Hash::ZERO));
    batch.insert(STATE_HEAD_KEY, [STATE_VERSION, &seq.0.to_be_bytes(), &hash.0].concat());
}

impl Store {
    /// The projection, for reading through a `state::Model`.
    pub fn state_reader(&self) -> Arc<dyn KvRead> {
        Arc::new(StateReader { log: self.log.clone() })
    }

    /// The head the stored projection reflects, if it has this version's layout.
    pub fn state_head(&self) -> Result<Option<(Seq, Hash)>, StoreError> {
        let Some(v) = self.log.get(STATE_HEAD_KEY).map_err(|e| self.io(e))? else { return Ok(None) };
        if v.len() != STATE_VERSION.len() + 40 || !v.starts_with(STATE_VERSION) {
            return Ok(None);
        }
        let v = &v[STATE_VERSION.len()..];
        let seq = Seq(u64::from_be_bytes(v[..8].try_into().expect("8 bytes")));
        Ok(Some((seq, Hash(v[8..].try_into().expect("32 bytes")))))
    }

    /// Every stored projection pair (the head marker excepted), in key order: what
    /// verify compares with the projection it re-derives from the log.
    pub fn state_pairs(&self) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        pairs_of(&self.log, &self.path)
    }

    /// An empty scratch projection in the temporary directory (`TMPDIR`), for deriving
    /// a large one from the log: not beside the ledger, whose disk may be the full one.
    pub fn scratch() -> Result<Scratch, StoreError> {
        static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("protokol-derive-{}-{n}", std::process::id()));
        let io = |e: String| StoreError::Io { path: path.clone(), message: e };
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| io(e.to_string()))?;
        }
        let db = sled::Config::new()
            .path(&path)
            .temporary(true)
            .flush_every_ms(None)
            .cache_capacity(CACHE_BYTES_MAX)
            .open()
            .map_err(|e| io(e.to_string()))?;
        let tree = db.open_tree(LOG_TREE).map_err(|e| io(e.to_string()))?;
        Ok(Scratch { log: Log::new(tree.clone()), tree, path, _db: db })
    }

    /// Replaces the whole projection with one derived from the log up to `head`, which
    /// must be the recorded head: used when it is missing, of an older layout, or found
    /// to differ from the log. Copied in batches, the head marker removed first and
    /// written last: a rebuild cut short leaves no projection that claims a head, and
    /// the next open rebuilds again.
    pub fn replace_state(
        &self,
        derived: impl Iterator<Item = Result<Pair, StoreError>>,
        head: Option<(Seq, Hash)>,
    ) -> Result<(), StoreError> {
        // Every key is rewritten: no view could be kept.
        self.log.exclusive(|| self.replace_state_alone(derived, head))
    }

    fn replace_state_alone(
        &self,
        derived: impl Iterator<Item = Result<Pair, StoreError>>,
        head: Option<(Seq, Hash)>,
    ) -> Result<(), StoreError> {
        self.log.remove(STATE_HEAD_KEY).map_err(|e| self.io(e))?;
        self.sync()?;
        let mut batch = super::Batch::default();
        let (mut staged, mut bytes) = (0, 0);
        for pair in self.log.scan_prefix(STATE_PREFIX) {
            let (key, _) = pair.map_err(|e| self.io(e))?;
            bytes += key.len() as u64;
            batch.remove(key);
            staged += 1;
            if staged == COPY_BATCH_KEYS {
                self.write_batch(std::mem::take(&mut batch), std::mem::take(&mut bytes))?;
                staged = 0;
            }
        }
        for pair in derived {
            let (k, v) = pair?;
            bytes += (k.len() + v.len()) as u64;
            batch.insert(state_key(&k), v);
            staged += 1;
            if staged == COPY_BATCH_KEYS {
                self.write_batch(std::mem::take(&mut batch), std::mem::take(&mut bytes))?;
                staged = 0;
            }
        }
        stage_state(&mut batch, &Writes::new(), head);
        self.write_batch(batch, bytes)?;
        self.sync()
    }
}
