//! The only module that touches sled. It stores sealed records under their seq and the
//! projection beside them, and knows nothing of what either means; the chain above it
//! catches anything it loses or corrupts.

mod bundles;
mod compact;
mod documents;
mod log;
mod once;
mod projection;
mod records;
mod sled_quirks;
#[cfg(all(test, target_os = "linux"))]
mod tests;
mod tree;

pub use bundles::Stored;
pub use compact::{Compacted, Storage};
pub use documents::DOCUMENT_BYTES_MAX;
pub use once::{Once, Recorded};
pub use projection::Scratch;
pub use records::{RawRecord, RecordedHead};
pub use tree::{GrowingTree, TreeReader};

use crate::envelope::Fault;
use log::{Batch, Log};
use sled_quirks::{ensure_room, is_same_file, pad_heap_growth, remove_unfinished_snapshots};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Marks a sled database as a protokol ledger, so we never append to someone else's data.
pub(super) const FORMAT_KEY: &[u8] = b"format";
pub(super) const FORMAT_VALUE: &[u8] = b"protokol ledger v1";
pub(super) const LOG_TREE: &[u8] = b"log";
/// Key of the recorded head in the log tree; it sorts after every seq key below 2^56.
pub(super) const HEAD_KEY: &[u8] = b"head";
/// The projection (`state::Model`) lives in the log tree too, under keys starting with
/// `~`, which sort after the head key: one tree, so one `apply_batch` writes records and
/// projection atomically.
pub(super) const STATE_PREFIX: &[u8] = b"~";
/// Keys about the projection rather than in it; sort after every state key.
pub(super) const STATE_META_PREFIX: &[u8] = b"~~";
/// The head the projection reflects and its layout version.
pub(super) const STATE_HEAD_KEY: &[u8] = b"~~head";
/// The projection's layout and meaning (`model::Model`); another version is rebuilt on
/// open. v14: the search index. v15: the index by date (`srch/STEM/DATE/SUBJECT`), and erasures.
/// v16: meetings by day (`meetd/`), actions open and done by day (`acto/`, `actc/`) and
/// the count of the open (`count/acto`), for the home page. v17: who was ever affiliated
/// with an organisation (`orgp/`) and sat for it (`orgm/`), for a page of organisations.
/// v18: each group's size as steps (`gsize/`), for a page of groups.
pub(super) const STATE_VERSION: &[u8] = b"v18";
/// sled's page cache: what a ledger may keep in memory, whatever its size.
pub(super) const CACHE_BYTES_MAX: u64 = 64 * 1024 * 1024;
/// sled's page cache for each of the two databases while `compact` copies one into the
/// other: a walk in key order reads each page once, so a cache buys nothing.
pub(super) const COMPACT_CACHE_BYTES_MAX: u64 = 8 * 1024 * 1024;
/// How much smaller sled's zstd makes a ledger's pages, about.
pub(super) const COMPRESSION_RATIO: u64 = 4;
/// Keys per batch when pairs are copied in bulk: a rebuilt projection, `compact`.
pub(super) const COPY_BATCH_KEYS: usize = 10_000;
/// protokol's own lock file inside the ledger directory.
pub(super) const LOCK_FILE: &str = "protokol.lock";
/// How often, and how far apart, opening retries a lock held by someone else.
pub(super) const LOCK_ATTEMPTS_MAX: u32 = 10;
pub(super) const LOCK_RETRY_MS: u64 = 50;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no ledger at {0} (create one with `protokol init`, or `protokol seed` for the ATMP Danmark record)")]
    NotFound(PathBuf),
    #[error("a ledger already exists at {0}")]
    AlreadyExists(PathBuf),
    #[error("the ledger at {0} is in use by another process; stop it or use another --ledger")]
    Locked(PathBuf),
    #[error("{0} is not a protokol ledger")]
    NotALedger(PathBuf),
    #[error("the ledger's newest record is damaged ({0}); run `protokol verify` for the full report")]
    DamagedHead(Fault),
    #[error("storage error at {path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("the database files at {path} are damaged ({message}); restore the ledger from a backup, or build a new one from an export with `protokol import`, which re-checks every hash")]
    Corrupt { path: PathBuf, message: String },
}

/// A ledger's store: the writer's (live), or a reader's view pinned at the last durable
/// write (`Store::pinned`), which shares the same open database.
pub struct Store {
    db: sled::Db,
    log: Log,
    path: PathBuf,
    /// sled's data file, opened a second time only to fsync it: sled's `flush` on Linux
    /// ends in `sync_file_range`, which neither writes file metadata nor flushes the
    /// drive's cache, so it does not survive a power loss (docs/RELIABILITY.md).
    data_file: Arc<std::fs::File>,
    /// Held while the store is open: one protokol process per ledger.
    _lock: Arc<std::fs::File>,
    /// As sled was opened: it refuses the other setting.
    storage: Storage,
}

impl Store {
    /// Creates an empty ledger; refuses a directory that already holds anything.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        if path.exists() && path.read_dir().map(|mut d| d.next().is_some()).unwrap_or(true) {
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        let store = Store::open_sled(path, CACHE_BYTES_MAX, Some(Storage::Plain))?;
        store.db.insert(FORMAT_KEY, FORMAT_VALUE).map_err(|e| store.io(e))?;
        store.sync()?;
        // The directory entry of a new ledger must survive a power loss too.
        if let Ok(dir) = std::fs::File::open(path) {
            let _ = dir.sync_all();
        }
        Ok(store)
    }

    /// Opens an existing ledger. Does not check the chain: see `Ledger::open` and `verify`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_caching(path, CACHE_BYTES_MAX)
    }

    pub(super) fn open_caching(path: &Path, cache_bytes_max: u64) -> Result<Store, StoreError> {
        if !path.join("conf").is_file() {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        let store = Store::open_sled(path, cache_bytes_max, None)?;
        match store.db.get(FORMAT_KEY).map_err(|e| store.io(e))? {
            Some(v) if v.as_ref() == FORMAT_VALUE => Ok(store),
            _ => Err(StoreError::NotALedger(path.to_path_buf())),
        }
    }

    /// Opens sled at `path` with `storage`, or as its `conf` file says (plain for a new
    /// database): sled refuses to open a database with the other setting.
    pub(super) fn open_sled(path: &Path, cache_bytes_max: u64, storage: Option<Storage>) -> Result<Store, StoreError> {
        let io = |message: String| StoreError::Io { path: path.to_path_buf(), message };
        pad_heap_growth();
        std::fs::create_dir_all(path).map_err(|e| io(e.to_string()))?;
        // Our own lock, taken before sled's, so that what we repair below is never the
        // work of another process.
        let open_lock = || {
            std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path.join(LOCK_FILE))
                .map_err(|e| io(format!("{LOCK_FILE}: {e}")))
        };
        let mut lock = open_lock()?;
        let mut attempts = 0;
        loop {
            let held = match lock.try_lock() {
                Ok(()) => true,
                Err(std::fs::TryLockError::WouldBlock) => false,
                Err(std::fs::TryLockError::Error(e)) => return Err(io(format!("{LOCK_FILE}: {e}"))),
            };
            if held && is_same_file(&lock, &path.join(LOCK_FILE)) {
                break;
            }
            attempts += 1;
            if attempts >= LOCK_ATTEMPTS_MAX {
                return Err(StoreError::Locked(path.to_path_buf()));
            }
            if held {
                // `compact` put another directory in the ledger's place while we waited:
                // the lock we hold is the old one's.
                lock = open_lock()?;
            } else {
                std::thread::sleep(std::time::Duration::from_millis(LOCK_RETRY_MS));
            }
        }
        remove_unfinished_snapshots(path).map_err(|e| io(format!("removing an unfinished snapshot: {e}")))?;
        // No background flusher: every append flushes before it returns, and a flusher
        // thread would keep the file lock for a moment after the ledger is closed.
        let storage = storage.map_or_else(|| Storage::of(path), Ok)?;
        let config = sled::Config::new()
            .path(path)
            .flush_every_ms(None)
            .cache_capacity(storage.cache_bytes(cache_bytes_max))
            .use_compression(storage == Storage::Compressed);
        let mut attempts = 0;
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                // sled's own threads may hold its lock briefly after this process closed
                // the same ledger.
                Err(sled::Error::Io(ref e)) if e.to_string().contains("could not acquire lock") => {
                    attempts += 1;
                    if attempts >= LOCK_ATTEMPTS_MAX {
                        return Err(StoreError::Locked(path.to_path_buf()));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(LOCK_RETRY_MS));
                }
                Err(e @ sled::Error::Corruption { .. }) => {
                    return Err(StoreError::Corrupt { path: path.to_path_buf(), message: e.to_string() })
                }
                Err(e) => return Err(io(e.to_string())),
            }
        };
        let log = Log::new(db.open_tree(LOG_TREE).map_err(|e| io(e.to_string()))?);
        let data_file = std::fs::File::open(path.join("db")).map_err(|e| io(format!("db: {e}")))?;
        Ok(Store { db, log, path: path.to_path_buf(), data_file: Arc::new(data_file), _lock: Arc::new(lock), storage })
    }

    /// A view of this store as the last durable write left it, which later writes do not
    /// change: what a server's reader reads while the writer appends (`log`). Holding one
    /// keeps in memory what each later write replaces, so a view is for one answer.
    pub fn pinned(&self) -> Store {
        self.with_log(self.log.pinned())
    }

    /// This store again, live, for opening views from (`pinned`) where the store itself
    /// is behind the writer's lock.
    pub fn shared(&self) -> Store {
        self.with_log(self.log.clone())
    }

    fn with_log(&self, log: Log) -> Store {
        Store {
            db: self.db.clone(),
            log,
            path: self.path.clone(),
            data_file: self.data_file.clone(),
            _lock: self._lock.clone(),
            storage: self.storage,
        }
    }

    /// Writes a batch of about `bytes` bytes, if the disk has room for it (`ensure_room`).
    pub(super) fn write_batch(&self, batch: Batch, bytes: u64) -> Result<(), StoreError> {
        ensure_room(&self.path, bytes)
            .map_err(|e| StoreError::Io { path: self.path.clone(), message: e.to_string() })?;
        self.log.apply(batch).map_err(|e| self.io(e))
    }

    pub(super) fn io(&self, e: sled::Error) -> StoreError {
        match e {
            sled::Error::Corruption { .. } => StoreError::Corrupt { path: self.path.clone(), message: e.to_string() },
            e => StoreError::Io { path: self.path.clone(), message: e.to_string() },
        }
    }

    /// sled's flush, then an fdatasync of its data file: the durability point of an
    /// append. fdatasync writes the data and the metadata needed to read it back (the
    /// file's size, when sled's log grew) and flushes the drive's cache, like fsync,
    /// without the timestamps fsync would also write.
    pub(super) fn sync(&self) -> Result<(), StoreError> {
        let upto = self.log.applied();
        self.db.flush().map_err(|e| self.io(e))?;
        self.data_file
            .sync_data()
            .map_err(|e| StoreError::Io { path: self.path.clone(), message: format!("fdatasync: {e}") })?;
        self.log.made_durable(upto);
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
