//! The log: sealed records under their seq (8 bytes, big endian), the recorded head
//! beside them, and the one atomic, durable append of records and projection.

use super::projection::stage_state;
use super::{Store, StoreError, HEAD_KEY};
use crate::envelope::{Fault, Problem, Record};
use crate::ids::{Hash, Seq};
use crate::kv::Writes;

/// A stored record as read: its key (a seq, or the raw bytes of a key that is not one)
/// and its undecoded value.
pub type RawRecord = (Result<Seq, Vec<u8>>, Vec<u8>);

/// The head written with the last append, as found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordedHead {
    None,
    At(Seq, Hash),
    /// Not the 40 bytes it should be.
    Malformed,
}

impl Store {
    /// The newest record, decoded and re-hashed. A damaged one is an error, never a guess.
    pub fn head(&self) -> Result<Option<Record>, StoreError> {
        let Some((key, value)) = self.log.range(..HEAD_KEY).next_back().transpose().map_err(|e| self.io(e))? else {
            return Ok(None);
        };
        let seq = decode_key(&key).ok_or_else(|| {
            StoreError::DamagedHead(Fault { seq: Seq(0), problem: Problem::Undecodable("bad key".into()) })
        })?;
        let record = Record::decode(&value)
            .and_then(|r| if r.seq() == seq { Ok(r) } else { Err(Problem::SeqMismatch { stored_under: seq }) })
            .and_then(|r| r.check().map(|_| r))
            .map_err(|problem| StoreError::DamagedHead(Fault { seq, problem }))?;
        Ok(Some(record))
    }

    /// Every stored record in seq order, undecoded: verify decides what is wrong with each.
    /// A key that is not a seq is yielded as `Err` with the raw key.
    pub fn records(&self) -> impl Iterator<Item = Result<RawRecord, StoreError>> + '_ {
        self.records_between(None, None)
    }

    /// The stored records whose keys lie from `from` up to, not including, `to` (`None`:
    /// that end of the log), as [`Store::records`] yields them: a slice of the log for one
    /// verifying thread.
    pub fn records_between(
        &self,
        from: Option<Seq>,
        to: Option<Seq>,
    ) -> impl Iterator<Item = Result<RawRecord, StoreError>> + '_ {
        let from = from.map_or(Vec::new(), |s| s.0.to_be_bytes().to_vec());
        let to = to.map_or(HEAD_KEY.to_vec(), |s| s.0.to_be_bytes().to_vec());
        self.log.range(from..to).map(|item| {
            let (k, v) = item.map_err(|e| self.io(e))?;
            Ok((decode_key(&k).ok_or_else(|| k.to_vec()), v.to_vec()))
        })
    }

    /// Records from `seq` on, in order, for paging. Keys that are not seqs end the walk:
    /// verify reports them.
    pub fn records_from(&self, seq: Seq) -> impl Iterator<Item = Result<(Seq, Vec<u8>), StoreError>> + '_ {
        self.log.range(seq.0.to_be_bytes().to_vec()..HEAD_KEY.to_vec()).map_while(|item| match item {
            Ok((k, v)) => decode_key(&k).map(|s| Ok((s, v.to_vec()))),
            Err(e) => Some(Err(self.io(e))),
        })
    }

    /// The head recorded with the last append.
    pub fn recorded_head(&self) -> Result<RecordedHead, StoreError> {
        let Some(v) = self.log.get(HEAD_KEY).map_err(|e| self.io(e))? else { return Ok(RecordedHead::None) };
        if v.len() != 40 {
            return Ok(RecordedHead::Malformed);
        }
        let seq = Seq(u64::from_be_bytes(v[..8].try_into().expect("8 bytes")));
        Ok(RecordedHead::At(seq, Hash(v[8..].try_into().expect("32 bytes"))))
    }

    pub fn get(&self, seq: Seq) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.log.get(seq.0.to_be_bytes()).map_err(|e| self.io(e))?.map(|v| v.to_vec()))
    }

    /// Appends sealed records and the projection's writes as one atomic sled batch, then
    /// flushes: when this returns Ok the records are on disk. The caller has chained them
    /// onto the head it read under the same writer lock; we assert it before writing and
    /// read the head back after.
    pub fn append(
        &self,
        records: &[Record],
        expected_head: Option<(Seq, Hash)>,
        state: &Writes,
        documents: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let head = self.stage_log(&mut batch, records, expected_head, documents)?;
        stage_state(&mut batch, state, Some(head));
        self.write_log(batch, records)
    }

    /// Appends sealed records, as `append` does, and in the same atomic, durable batch
    /// stores each of `erased` (an earlier record, its envelope and hash as they were, its
    /// body erased) in place of the record it was. The projection is not written: its
    /// recorded head stays behind the log's, so it is derived again (by the caller now,
    /// or by the next open) without what was erased.
    pub fn append_erasing(
        &self,
        records: &[Record],
        expected_head: Option<(Seq, Hash)>,
        erased: &[Record],
        documents: &[Vec<u8>],
    ) -> Result<(), StoreError> {
        let mut batch = sled::Batch::default();
        let (seq, _) = self.stage_log(&mut batch, records, expected_head, documents)?;
        for e in erased {
            let stored = self.get(e.seq())?.map(|b| Record::decode(&b));
            let stored = stored.and_then(Result::ok).map(|r| (r.hash, r.header_bytes));
            assert_eq!(stored, Some((e.hash, e.header_bytes.clone())), "an erased record keeps its envelope and hash");
            assert!(e.erased_by.is_some_and(|by| by > e.seq() && by <= seq), "erased by a record of this batch");
            batch.insert(&e.seq().0.to_be_bytes(), e.encode());
        }
        self.write_log(batch, records)?;
        for e in erased {
            let read = self.get(e.seq())?.map(|b| Record::decode(&b));
            assert_eq!(read.and_then(Result::ok).and_then(|r| r.erased_by), e.erased_by, "the erasure reads back");
        }
        Ok(())
    }

    /// Stages the records (asserting that they continue `expected_head`), the recorded
    /// head, the tree's hashes for them and the documents kept with them; returns the new
    /// head.
    fn stage_log(
        &self,
        batch: &mut sled::Batch,
        records: &[Record],
        expected_head: Option<(Seq, Hash)>,
        documents: &[Vec<u8>],
    ) -> Result<(Seq, Hash), StoreError> {
        let (mut seq, mut prev) = expected_head.unwrap_or((Seq(0), Hash::ZERO));
        for record in records {
            assert_eq!(record.seq(), seq.next(), "records must continue the chain without a gap");
            assert_eq!(record.header.prev, prev, "records must link to the previous hash");
            seq = record.seq();
            prev = record.hash;
            batch.insert(&seq.0.to_be_bytes(), record.encode());
        }
        // The head, in the same atomic batch: what lets verify see a log cut short.
        let mut head = seq.0.to_be_bytes().to_vec();
        head.extend_from_slice(&prev.0);
        batch.insert(HEAD_KEY, head);
        self.stage_tree(batch, records)?;
        for d in documents {
            assert!(d.len() <= super::documents::DOCUMENT_BYTES_MAX, "documents are checked against their limit");
            batch.insert(super::documents::document_key(&crate::hash::document_hash(d)), d.as_slice());
        }
        Ok((seq, prev))
    }

    /// Writes a staged batch durably, and reads the head back: the last record written.
    fn write_log(&self, batch: sled::Batch, records: &[Record]) -> Result<(), StoreError> {
        self.log.apply_batch(batch).map_err(|e| self.io(e))?;
        self.sync()?;
        if let Some(last) = records.last() {
            let head = self.head()?.map(|r| (r.seq(), r.hash));
            assert_eq!(head, Some((last.seq(), last.hash)), "head after append must be the last record written");
        }
        Ok(())
    }
}

fn decode_key(key: &[u8]) -> Option<Seq> {
    Some(Seq(u64::from_be_bytes(key.try_into().ok()?)))
}
