//! Idempotency keys: the batch a client's key recorded, kept under `once/` and 32 bytes
//! in the log tree (after the head, before the projection) and written in that batch's
//! own atomic write. A retry after a lost answer finds it, across restarts too; a key
//! is never recorded for a batch that was not.

use super::{Store, StoreError};
use crate::ids::Seq;

const ONCE_PREFIX: &[u8] = b"once/";

/// A client's key for one batch, and the request it came with, each as a BLAKE3 hash
/// (the key's of the client and the key together, so clients' keys never meet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Once {
    pub key: [u8; 32],
    pub request: [u8; 32],
}

/// What a key recorded: the request's hash and the seqs of its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recorded {
    pub request: [u8; 32],
    pub first: Seq,
    pub last: Seq,
}

fn once_key(key: &[u8; 32]) -> Vec<u8> {
    [ONCE_PREFIX, key].concat()
}

pub(super) fn stage_once(batch: &mut super::Batch, once: &Once, first: Seq, last: Seq) {
    assert!(first <= last && first.0 > 0, "a key records a batch of at least one record");
    let value = [&once.request[..], &first.0.to_be_bytes(), &last.0.to_be_bytes()].concat();
    batch.insert(once_key(&once.key), value);
}

impl Store {
    /// What `key` recorded, if anything.
    pub fn once(&self, key: &[u8; 32]) -> Result<Option<Recorded>, StoreError> {
        let Some(v) = self.log.get(once_key(key)).map_err(|e| self.io(e))? else { return Ok(None) };
        if v.len() != 48 {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                message: format!("an idempotency key's entry is {} bytes, not 48", v.len()),
            });
        }
        let seq = |at: usize| Seq(u64::from_be_bytes(v[at..at + 8].try_into().expect("8 bytes")));
        Ok(Some(Recorded { request: v[..32].try_into().expect("32 bytes"), first: seq(32), last: seq(40) }))
    }
}
