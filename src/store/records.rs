//! The log: sealed records under their seq (8 bytes, big endian), 8 at a time in a
//! bundle (`bundles`), the recorded head beside them, and the one atomic, durable append
//! of records and projection.

use super::bundles::{Stored, RECORDS};
use super::projection::stage_state;
use super::{Store, StoreError, HEAD_KEY};
use crate::envelope::{Fault, Problem, Record};
use crate::ids::{Hash, Seq};
use crate::kv::Writes;

/// A stored record as read: its key (a seq, or the raw bytes of a key that is not one)
/// and its undecoded value.
pub type RawRecord = (Result<Seq, Vec<u8>>, Stored);

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
        let Some((key, value)) = RECORDS.last(self)? else { return Ok(None) };
        let seq = key.map(Seq).map_err(|_| {
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

    /// The stored records from seq `from` up to, not including, `to` (`None`: that end
    /// of the log), as [`Store::records`] yields them: a slice of the log for one
    /// verifying thread.
    pub fn records_between(
        &self,
        from: Option<Seq>,
        to: Option<Seq>,
    ) -> impl Iterator<Item = Result<RawRecord, StoreError>> + '_ {
        RECORDS.range(self, from.map(|s| s.0), to.map(|s| s.0)).map(|item| item.map(|(k, v)| (k.map(Seq), v)))
    }

    /// Records from `seq` on, in order, for paging. Keys that are not seqs end the walk:
    /// verify reports them.
    pub fn records_from(&self, seq: Seq) -> impl Iterator<Item = Result<(Seq, Stored), StoreError>> + '_ {
        RECORDS.range(self, Some(seq.0), None).map_while(|item| match item {
            Ok((Ok(i), v)) => Some(Ok((Seq(i), v))),
            Ok((Err(_), _)) => None,
            Err(e) => Some(Err(e)),
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
        RECORDS.get(self, seq.0)
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
        once: Option<&super::Once>,
    ) -> Result<(), StoreError> {
        let mut batch = super::Batch::default();
        let (head, bytes) = self.stage_log(&mut batch, records, expected_head, &[], documents, once)?;
        stage_state(&mut batch, state, Some(head));
        let state_bytes: usize = state.iter().map(|(k, v)| k.len() + v.as_ref().map_or(0, Vec::len)).sum();
        self.write_log(batch, bytes + state_bytes as u64, records)
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
        once: Option<&super::Once>,
    ) -> Result<(), StoreError> {
        let mut batch = super::Batch::default();
        let last = expected_head.map_or(0, |h| h.0 .0) + records.len() as u64;
        for e in erased {
            let stored = self.get(e.seq())?.map(|b| Record::decode(&b));
            let stored = stored.and_then(Result::ok).map(|r| (r.hash, r.header_bytes));
            assert_eq!(stored, Some((e.hash, e.header_bytes.clone())), "an erased record keeps its envelope and hash");
            assert!(e.erased_by.is_some_and(|by| by > e.seq() && by.0 <= last), "erased by a record of this batch");
        }
        let replaced: Vec<(u64, Vec<u8>)> = erased.iter().map(|e| (e.seq().0, e.encode())).collect();
        let (_, bytes) = self.stage_log(&mut batch, records, expected_head, &replaced, documents, once)?;
        self.write_log(batch, bytes, records)?;
        for e in erased {
            let read = self.get(e.seq())?.map(|b| Record::decode(&b));
            assert_eq!(read.and_then(Result::ok).and_then(|r| r.erased_by), e.erased_by, "the erasure reads back");
        }
        Ok(())
    }

    /// Stages the records (asserting that they continue `expected_head`) with
    /// `replaced` (stored records, changed: erasures), the recorded head, the tree's
    /// hashes for them, the documents kept with them and the idempotency key that
    /// recorded them; returns the new head and about how many bytes were staged.
    fn stage_log(
        &self,
        batch: &mut super::Batch,
        records: &[Record],
        expected_head: Option<(Seq, Hash)>,
        replaced: &[(u64, Vec<u8>)],
        documents: &[Vec<u8>],
        once: Option<&super::Once>,
    ) -> Result<((Seq, Hash), u64), StoreError> {
        let (mut seq, mut prev) = expected_head.unwrap_or((Seq(0), Hash::ZERO));
        let stored = seq.0;
        let mut encoded = Vec::with_capacity(records.len());
        for record in records {
            assert_eq!(record.seq(), seq.next(), "records must continue the chain without a gap");
            assert_eq!(record.header.prev, prev, "records must link to the previous hash");
            seq = record.seq();
            prev = record.hash;
            encoded.push(record.encode());
        }
        let mut bytes: usize = encoded.iter().chain(replaced.iter().map(|(_, r)| r)).map(Vec::len).sum();
        // A bundle repeats its records, and each record has a tree hash or two.
        bytes = bytes * 2 + records.len() * 2 * 40;
        RECORDS.stage(self, batch, stored, &encoded, replaced)?;
        // The head, in the same atomic batch: what lets verify see a log cut short.
        let mut head = seq.0.to_be_bytes().to_vec();
        head.extend_from_slice(&prev.0);
        batch.insert(HEAD_KEY, head);
        self.stage_tree(batch, records)?;
        for d in documents {
            assert!(d.len() <= super::documents::DOCUMENT_BYTES_MAX, "documents are checked against their limit");
            batch.insert(super::documents::document_key(&crate::hash::document_hash(d)), d.as_slice());
            bytes += d.len();
        }
        if let (Some(once), Some(first)) = (once, records.first()) {
            super::once::stage_once(batch, once, first.seq(), seq);
        }
        Ok(((seq, prev), bytes as u64))
    }

    /// Writes a staged batch durably, and reads the head back: the last record written.
    fn write_log(&self, batch: super::Batch, bytes: u64, records: &[Record]) -> Result<(), StoreError> {
        self.write_batch(batch, bytes)?;
        self.sync()?;
        if let Some(last) = records.last() {
            let head = self.head()?.map(|r| (r.seq(), r.hash));
            assert_eq!(head, Some((last.seq(), last.hash)), "head after append must be the last record written");
        }
        Ok(())
    }
}
