//! The Merkle tree over the log (`merkle`), kept beside the records: each stored hash
//! under `mtree/` and its stored-hash index (8 bytes big-endian), 128 at a time in a
//! bundle (`bundles`), the tree's size under `mtree`, both written in the same atomic
//! batch as the records they cover.

use super::bundles::TREE_HASHES;
use super::{Store, StoreError};
use crate::envelope::Record;
use crate::ids::Seq;
use crate::merkle::{self, HashReader, TreeHash};
use std::collections::BTreeMap;

const TREE_SIZE_KEY: &[u8] = b"mtree";
/// The last checkpoint the ledger signed: size (8 bytes), root (32), the note.
const CHECKPOINT_KEY: &[u8] = b"mckpt";
/// The last checkpoint signed, with the cosignatures witnesses sent for it.
const COSIGNED_KEY: &[u8] = b"mcosig";
/// Of a replica (`follow`): the last checkpoint of the log it follows that it accepted,
/// and where from: size (8 bytes), root (32), the note.
const ACCEPTED_KEY: &[u8] = b"mseen";
/// Records taken in by one batch when a ledger written before the tree gets its tree.
const EXTEND_BATCH_RECORDS: u64 = 10_000;

/// The stored tree as it grows by records not yet written: what an append stages, and
/// the root each minutes approval of a batch records. It holds the new hashes alone, and
/// reads the rest from the store it is given.
pub struct GrowingTree {
    pending: BTreeMap<u64, TreeHash>,
    size: u64,
}

impl GrowingTree {
    /// Adds the next record's leaf; refuses one that does not follow the last.
    pub fn push(&mut self, store: &Store, r: &Record) -> Result<(), StoreError> {
        if r.seq().0 != self.size + 1 {
            return Err(StoreError::Io {
                path: store.path.clone(),
                message: format!("seq {} does not follow the tree's {} leaves", r.seq(), self.size),
            });
        }
        let reader = TreeReader { store, pending: Some(&self.pending) };
        let hashes = merkle::hashes_to_store(self.size, &r.hash, &reader).map_err(|e| store.tree_error(e))?;
        self.pending.extend(hashes);
        self.size += 1;
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn root(&self, store: &Store) -> Result<TreeHash, StoreError> {
        merkle::root(self.size, &TreeReader { store, pending: Some(&self.pending) }).map_err(|e| store.tree_error(e))
    }
}

/// The stored tree, with the hashes of records not yet written over it.
pub struct TreeReader<'s> {
    store: &'s Store,
    pending: Option<&'s BTreeMap<u64, TreeHash>>,
}

impl HashReader for TreeReader<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, tlog_tiles::tlog::Error> {
        let missing = |i: u64| tlog_tiles::tlog::Error::InvalidInput(format!("stored hash {i} is not in the tree"));
        indexes
            .iter()
            .map(|&i| match self.pending.and_then(|p| p.get(&i)) {
                Some(h) => Ok(*h),
                None => match TREE_HASHES.get(self.store, i) {
                    Ok(Some(v)) if v.len() == 32 => Ok(TreeHash(v.as_slice().try_into().expect("32 bytes"))),
                    Ok(_) => Err(missing(i)),
                    Err(e) => Err(tlog_tiles::tlog::Error::InvalidInput(format!("reading stored hash {i}: {e}"))),
                },
            })
            .collect()
    }
}

impl Store {
    /// The number of leaves the stored tree holds (0 for a ledger written before it).
    pub fn tree_size(&self) -> Result<u64, StoreError> {
        Ok(match self.log.get(TREE_SIZE_KEY).map_err(|e| self.io(e))? {
            Some(v) if v.len() == 8 => u64::from_be_bytes(v.as_ref().try_into().expect("8 bytes")),
            _ => 0,
        })
    }

    /// A reader of the stored tree.
    pub fn tree(&self) -> TreeReader<'_> {
        TreeReader { store: self, pending: None }
    }

    /// The hashes the tree keeps from stored-hash index `from` up to `to` (`None`: all
    /// the rest), in order.
    pub fn tree_hashes_between(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<TreeHash, StoreError>> + '_ {
        TREE_HASHES.range(self, Some(from), to).map(|item| {
            let (_, v) = item?;
            let bytes: [u8; 32] = v[..].try_into().map_err(|_| StoreError::Io {
                path: self.path.clone(),
                message: "a stored tree hash that is not 32 bytes".into(),
            })?;
            Ok(TreeHash(bytes))
        })
    }

    /// The last checkpoint signed: its size, root and note.
    pub fn last_checkpoint(&self) -> Result<Option<(u64, TreeHash, String)>, StoreError> {
        self.checkpoint_under(CHECKPOINT_KEY)
    }

    /// Of a replica, the last checkpoint accepted from the log it follows.
    pub fn accepted_checkpoint(&self) -> Result<Option<(u64, TreeHash, String)>, StoreError> {
        self.checkpoint_under(ACCEPTED_KEY)
    }

    /// Keeps `note` as the last checkpoint accepted from the log this replica follows.
    pub fn record_accepted(&self, size: u64, root: TreeHash, note: &str) -> Result<(), StoreError> {
        self.keep_checkpoint(ACCEPTED_KEY, size, root, note)?;
        assert_eq!(self.accepted_checkpoint()?.map(|c| (c.0, c.1)), Some((size, root)), "the checkpoint reads back");
        Ok(())
    }

    /// The last checkpoint signed, as cosigned, if a witness cosigned it.
    pub fn cosigned(&self) -> Result<Option<String>, StoreError> {
        let Some(v) = self.log.get(COSIGNED_KEY).map_err(|e| self.io(e))? else { return Ok(None) };
        String::from_utf8(v.to_vec()).map(Some).map_err(|_| StoreError::Io {
            path: self.path.clone(),
            message: "the cosigned checkpoint is damaged".into(),
        })
    }

    /// Keeps `note`, the last checkpoint signed with its cosignatures, durably.
    pub fn record_cosigned(&self, note: &str) -> Result<(), StoreError> {
        self.log.insert(COSIGNED_KEY, note.as_bytes()).map_err(|e| self.io(e))?;
        self.sync()
    }

    fn checkpoint_under(&self, key: &[u8]) -> Result<Option<(u64, TreeHash, String)>, StoreError> {
        let Some(v) = self.log.get(key).map_err(|e| self.io(e))? else { return Ok(None) };
        let bad = || StoreError::Io { path: self.path.clone(), message: "the last checkpoint is damaged".into() };
        if v.len() < 40 {
            return Err(bad());
        }
        let size = u64::from_be_bytes(v[..8].try_into().expect("8 bytes"));
        let root = TreeHash(v[8..40].try_into().expect("32 bytes"));
        let note = String::from_utf8(v[40..].to_vec()).map_err(|_| bad())?;
        Ok(Some((size, root, note)))
    }

    /// Keeps `note` as the last checkpoint signed, durably, before it is given out.
    pub fn record_checkpoint(&self, size: u64, root: TreeHash, note: &str) -> Result<(), StoreError> {
        self.keep_checkpoint(CHECKPOINT_KEY, size, root, note)?;
        assert_eq!(self.last_checkpoint()?.map(|c| (c.0, c.1)), Some((size, root)), "the checkpoint reads back");
        Ok(())
    }

    fn keep_checkpoint(&self, key: &[u8], size: u64, root: TreeHash, note: &str) -> Result<(), StoreError> {
        let value = [&size.to_be_bytes()[..], &root.0, note.as_bytes()].concat();
        self.log.insert(key, value).map_err(|e| self.io(e))?;
        self.sync()
    }

    /// The root of the stored tree's first `size` leaves.
    pub fn tree_root(&self, size: u64) -> Result<TreeHash, StoreError> {
        merkle::root(size, &self.tree()).map_err(|e| self.tree_error(e))
    }

    /// The root the tree would have with `records` (the next after its last leaf) added,
    /// nothing written: what a replica checks a served checkpoint against first.
    pub fn tree_root_with<'r>(&self, records: impl IntoIterator<Item = &'r Record>) -> Result<TreeHash, StoreError> {
        let mut tree = self.growing_tree()?;
        for r in records {
            tree.push(self, r)?;
        }
        tree.root(self)
    }

    /// The stored tree, to grow by records not yet written: its root after each.
    pub fn growing_tree(&self) -> Result<GrowingTree, StoreError> {
        Ok(GrowingTree { size: self.tree_size()?, pending: BTreeMap::new() })
    }

    pub fn tree_error(&self, e: tlog_tiles::tlog::Error) -> StoreError {
        StoreError::Io { path: self.path.clone(), message: format!("the Merkle tree: {e}") }
    }

    /// Stages in `batch` the tree's hashes for `records` (continuing the tree at their
    /// first seq) and its new size.
    pub(super) fn stage_tree(&self, batch: &mut super::Batch, records: &[Record]) -> Result<(), StoreError> {
        let Some(first) = records.first() else { return Ok(()) };
        let mut tree = self.growing_tree()?;
        assert_eq!(tree.size(), first.seq().0 - 1, "the tree is as long as the log before the batch");
        for r in records {
            tree.push(self, r)?;
        }
        let stored = merkle::stored_count(first.seq().0 - 1);
        assert!(
            tree.pending.keys().copied().eq(stored..stored + tree.pending.len() as u64),
            "the tree's hashes are appended"
        );
        let hashes: Vec<Vec<u8>> = tree.pending.values().map(|h| h.0.to_vec()).collect();
        TREE_HASHES.stage(self, batch, stored, &hashes, &[])?;
        batch.insert(TREE_SIZE_KEY, &records.last().expect("not empty").seq().0.to_be_bytes());
        Ok(())
    }

    /// Gives a ledger written before the tree its tree, up to `head`: the records read
    /// in order, taken in a batch at a time, each batch flushed. Returns how many leaves
    /// were added.
    pub fn extend_tree(&self, head: Seq) -> Result<u64, StoreError> {
        // Batches flushed only at the end: no view kept through them.
        self.log.exclusive(|| self.extend_tree_alone(head))
    }

    fn extend_tree_alone(&self, head: Seq) -> Result<u64, StoreError> {
        let start = self.tree_size()?;
        let mut at = start;
        while at < head.0 {
            let upto = (at + EXTEND_BATCH_RECORDS).min(head.0);
            let mut records = Vec::with_capacity((upto - at) as usize);
            for item in self.records_from(Seq(at + 1)).take((upto - at) as usize) {
                let (seq, bytes) = item?;
                let record = Record::decode(&bytes)
                    .map_err(|problem| StoreError::DamagedHead(crate::envelope::Fault { seq, problem }))?;
                records.push(record);
            }
            if records.len() as u64 != upto - at {
                return Err(StoreError::Io {
                    path: self.path.clone(),
                    message: format!("the log ends before seq {upto}, which its head says it reaches"),
                });
            }
            let mut batch = super::Batch::default();
            self.stage_tree(&mut batch, &records)?;
            self.write_batch(batch, records.len() as u64 * 2 * 40)?;
            at = upto;
        }
        if at > start {
            self.sync()?;
        }
        Ok(at - start)
    }
}
