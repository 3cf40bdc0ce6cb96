//! Approved documents (the minutes' PDF, DOCX, HTML or text) kept by their BLAKE3 hash,
//! under keys of their own in the log tree (`idoc/` and 32 bytes), which sort after the
//! head and before the projection: no walk of the records or the projection meets them.
//! A document is written in the same atomic batch as the approval that names it.

use super::{Store, StoreError};
use crate::ids::Hash;

pub(super) const DOCUMENT_PREFIX: &[u8] = b"idoc/";

/// Largest document kept, in bytes: a long minutes PDF with its annexes.
pub const DOCUMENT_BYTES_MAX: usize = 16 * 1024 * 1024;

pub(super) fn document_key(hash: &Hash) -> Vec<u8> {
    [DOCUMENT_PREFIX, &hash.0].concat()
}

impl Store {
    /// A kept document's bytes, by their hash.
    pub fn document(&self, hash: &Hash) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.log.get(document_key(hash)).map_err(|e| self.io(e))?.map(|v| v.to_vec()))
    }

    /// Whether a document is kept under `hash`, without reading its bytes.
    pub fn has_document(&self, hash: &Hash) -> Result<bool, StoreError> {
        self.log.contains_key(document_key(hash)).map_err(|e| self.io(e))
    }

    /// Every kept document: the hash it is kept under, and its bytes.
    pub fn documents(&self) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        self.log.scan_prefix(DOCUMENT_PREFIX).map(|item| {
            let (k, v) = item.map_err(|e| self.io(e))?;
            Ok((k[DOCUMENT_PREFIX.len()..].to_vec(), v.to_vec()))
        })
    }
}
