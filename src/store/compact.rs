//! `compact`: the database rewritten in key order beside the ledger, read back and
//! compared, then exchanged with it in one step; and how sled keeps the pages.

use super::sled_quirks::{ensure_room, exchange};
use super::{Store, StoreError, COMPACT_CACHE_BYTES_MAX, COMPRESSION_RATIO, COPY_BATCH_KEYS};
use crate::progress::Progress;
use std::path::{Path, PathBuf};

/// How sled keeps the ledger's pages on disk. A ledger is created plain; `compact` can
/// rewrite it compressed (sled's zstd) or plain again. Compressed takes a third of the
/// space, and appends pay for it: sled compresses every page it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    Plain,
    Compressed,
}

impl Storage {
    /// What to tell sled its cache may hold for a memory use of about `bytes_max`: sled
    /// counts each cached page at its size on disk, and keeps it decompressed.
    pub(super) fn cache_bytes(self, bytes_max: u64) -> u64 {
        match self {
            Storage::Plain => bytes_max,
            Storage::Compressed => bytes_max / COMPRESSION_RATIO,
        }
    }

    /// The storage of the database at `path`, as sled recorded it in its `conf` file
    /// (`use_compression: true` or `false` on a line of its own); plain if there is none
    /// yet.
    pub(super) fn of(path: &Path) -> Result<Storage, StoreError> {
        let conf = match std::fs::read(path.join("conf")) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Storage::Plain),
            Err(e) => return Err(StoreError::Io { path: path.to_path_buf(), message: format!("conf: {e}") }),
        };
        let mut lines = conf.split(|b| *b == b'\n');
        match lines.find(|line| line.starts_with(b"use_compression: ")) {
            Some(b"use_compression: true") => Ok(Storage::Compressed),
            Some(b"use_compression: false") => Ok(Storage::Plain),
            _ => Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                message: "conf: no readable use_compression setting".into(),
            }),
        }
    }
}

/// What `Store::compact` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compacted {
    /// Keys copied, in every tree.
    pub pairs: u64,
    pub bytes_before: u64,
    pub bytes_after: u64,
    pub storage: Storage,
}

impl Store {
    /// Rewrites the ledger's database in key order into a fresh one beside it
    /// (`NAME.compacting`), and puts that in its place. sled 0.34 never gives back the
    /// space its log-structured file wastes on copies of pages that inserts replaced: a
    /// generated ledger takes 2.3 times what the same pairs take written once in order.
    ///
    /// Nothing is lost or changed: the copy is read back after a reopen and must hold
    /// the very same pairs (a BLAKE3 digest of every tree's keys and values, and their
    /// count) before it replaces the ledger, by one atomic exchange of the two
    /// directories (Linux `renameat2`), so the ledger's path holds a whole ledger at
    /// every moment; a compaction stopped at any point leaves the ledger as it was, and
    /// at most a `NAME.compacting` directory, removed by the next one. Holds the ledger's
    /// lock throughout, like any writer.
    /// `storage` chooses how the copy keeps its pages; `None` keeps the ledger's.
    pub fn compact(path: &Path, storage: Option<Storage>, progress: &dyn Progress) -> Result<Compacted, StoreError> {
        let io = |at: &Path, message: String| StoreError::Io { path: at.to_path_buf(), message };
        if !cfg!(target_os = "linux") {
            return Err(io(path, super::sled_quirks::EXCHANGE_UNSUPPORTED.into()));
        }
        let old = Store::open_caching(path, COMPACT_CACHE_BYTES_MAX)?;
        // The copy goes beside the ledger's directory by name: `.` has none.
        let path = &path.canonicalize().map_err(|e| io(path, e.to_string()))?;
        let fresh_path = compacting_path(path);
        // Left by a compaction that stopped: unfinished, or the old database it had put
        // aside. The ledger at `path` is whole either way.
        if fresh_path.exists() {
            std::fs::remove_dir_all(&fresh_path).map_err(|e| io(&fresh_path, e.to_string()))?;
        }
        let bytes_before = dir_bytes(path).map_err(|e| io(path, e.to_string()))?;
        let storage = storage.unwrap_or(old.storage);
        let checked = Store::copy_and_check(&old, &fresh_path, storage, progress);
        if checked.is_err() {
            // An unfinished copy (the disk may be full) is never left behind.
            let _ = std::fs::remove_dir_all(&fresh_path);
        }
        let (fresh, pairs) = checked?;
        if let Err(e) = exchange(path, &fresh_path) {
            drop(fresh);
            let _ = std::fs::remove_dir_all(&fresh_path);
            return Err(io(
                path,
                format!("exchanging the ledger with its compacted copy: {e}; the ledger is unchanged"),
            ));
        }
        drop(fresh);
        drop(old);
        // `fresh_path` now holds the old database.
        std::fs::remove_dir_all(&fresh_path)
            .map_err(|e| io(&fresh_path, format!("the ledger is compacted, but the old database is left here: {e}")))?;
        let bytes_after = dir_bytes(path).map_err(|e| io(path, e.to_string()))?;
        Ok(Compacted { pairs, bytes_before, bytes_after, storage })
    }

    /// `compact`'s copy of `old` at `fresh_path`, read back and compared, and opened
    /// again: returned open, with the count of pairs.
    fn copy_and_check(
        old: &Store,
        fresh_path: &Path,
        storage: Storage,
        progress: &dyn Progress,
    ) -> Result<(Store, u64), StoreError> {
        let copied = {
            let fresh = Store::open_sled(fresh_path, COMPACT_CACHE_BYTES_MAX, Some(storage))?;
            // sled counts a tree only by walking it: the copy shows its count as it goes.
            progress.phase("copying in key order", 0);
            let copied = copy_in_key_order(&old.db, &fresh.db, fresh_path, progress).map_err(|e| fresh.io(e))?;
            fresh.sync()?;
            copied
        };
        // Reopened before it is checked, so what is compared is what sled reads back
        // from disk.
        let reread = {
            let fresh = Store::open_caching(fresh_path, COMPACT_CACHE_BYTES_MAX)?;
            digest_in_key_order(&fresh.db).map_err(|e| fresh.io(e))?
        };
        if reread != copied {
            return Err(StoreError::Io {
                path: old.path.clone(),
                message: "the compacted copy did not read back as the ledger; the ledger is unchanged".into(),
            });
        }
        // Opened once more, for the caller to hold through the exchange: sled writes the
        // snapshot of its page table only when it opens, and reading the copy moved
        // pages after the last one; so the ledger's next open starts from a snapshot
        // that covers it.
        Ok((Store::open_caching(fresh_path, COMPACT_CACHE_BYTES_MAX)?, copied.1))
    }
}

/// Where `compact` builds its copy: beside the ledger, on the same file system, so the
/// two directories can be exchanged.
fn compacting_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "ledger".into());
    name.push(".compacting");
    path.with_file_name(name)
}

/// A digest of every tree's name, keys and values, each length-prefixed, and the count
/// of pairs: equal for two databases exactly when they hold the same pairs.
type Digest = ([u8; 32], u64);

/// Copies every tree of `from` into `to`, in key order, in batches; returns the digest
/// of what it copied.
fn copy_in_key_order(
    from: &sled::Db,
    to: &sled::Db,
    to_path: &Path,
    progress: &dyn Progress,
) -> Result<Digest, sled::Error> {
    walk_in_key_order(from, |name, pairs| {
        let tree = to.open_tree(name)?;
        let mut batch = sled::Batch::default();
        let (mut staged, mut bytes) = (0, 0);
        for pair in pairs {
            let (k, v) = pair?;
            bytes += (k.len() + v.len()) as u64;
            batch.insert(k, v);
            staged += 1;
            if staged == COPY_BATCH_KEYS {
                progress.advance(staged as u64);
                ensure_room(to_path, std::mem::take(&mut bytes))?;
                tree.apply_batch(std::mem::take(&mut batch))?;
                staged = 0;
            }
        }
        ensure_room(to_path, bytes)?;
        tree.apply_batch(batch)
    })
}

fn digest_in_key_order(db: &sled::Db) -> Result<Digest, sled::Error> {
    // The walk digests what `each` leaves unread: here, everything.
    walk_in_key_order(db, |_, _| Ok(()))
}

/// Walks every tree of `db` by name, each in key order, handing `each` the pairs as they
/// are digested.
fn walk_in_key_order(
    db: &sled::Db,
    mut each: impl FnMut(
        &[u8],
        &mut dyn Iterator<Item = Result<(sled::IVec, sled::IVec), sled::Error>>,
    ) -> Result<(), sled::Error>,
) -> Result<Digest, sled::Error> {
    let mut hasher = blake3::Hasher::new();
    let mut count = 0;
    let mut names = db.tree_names();
    names.sort();
    for name in names {
        let tree = db.open_tree(&name)?;
        hash_part(&mut hasher, &name);
        let mut pairs = tree.iter().inspect(|pair| {
            if let Ok((k, v)) = pair {
                hash_part(&mut hasher, k);
                hash_part(&mut hasher, v);
                count += 1;
            }
        });
        each(&name, &mut pairs)?;
        // Whatever `each` left unread is digested too.
        for pair in pairs {
            pair?;
        }
    }
    Ok((hasher.finalize().into(), count))
}

fn hash_part(hasher: &mut blake3::Hasher, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// The bytes of the files under `path`.
fn dir_bytes(path: &Path) -> std::io::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let meta = entry.metadata()?;
        total += if meta.is_dir() { dir_bytes(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}
