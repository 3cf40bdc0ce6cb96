//! Reads of the log: records and decoded events, every one checked against its hashes
//! and its link on the way, so no read hands out a damaged record.

use super::{entry_of, Ledger};
use crate::envelope::{ChainChecker, Fault, Problem, Record};
use crate::error::Error;
use crate::event::{Event, EventCorrected};
use crate::ids::{Hash, Seq};
use crate::model::{Correction, Entry};
use std::collections::HashMap;

impl Ledger {
    /// The stored record at `seq`, decoded and its hashes checked: no read of the log
    /// hands out a record that does not match its hash.
    pub fn record(&self, seq: Seq) -> Result<Record, Error> {
        let bytes = self.store.get(seq)?.ok_or_else(|| Error::NotFound(format!("no event with seq {seq}")))?;
        let record = Record::decode(&bytes)
            .and_then(|r| if r.seq() == seq { Ok(r) } else { Err(Problem::SeqMismatch { stored_under: seq }) })
            .and_then(|r| r.check().map(|()| r))
            .map_err(|problem| Fault { seq, problem })?;
        Ok(record)
    }

    /// The event at `seq`, decoded, if the log has one.
    pub fn entry(&self, seq: Seq) -> Result<Option<Entry>, Error> {
        if seq == Seq(0) || seq > self.head_seq() {
            return Ok(None);
        }
        let record = self.record(seq)?;
        Ok(Some(entry_of(&record).map_err(|problem| Fault { seq, problem })?))
    }

    /// The events from `from` to `upto`, decoded, in log order, streamed from the store;
    /// each record's hashes and link are checked on the way, so a replay never reads a
    /// damaged record.
    pub(super) fn entries(&self, from: Seq, upto: Seq) -> impl Iterator<Item = Result<Entry, Error>> + '_ {
        let start = match from.0 {
            0 | 1 => Ok(ChainChecker::default()),
            // Nothing to read: end at once.
            _ if from > upto => Ok(ChainChecker::after(upto, Hash::ZERO)),
            n => self.record(Seq(n - 1)).map(|r| ChainChecker::after(Seq(n - 1), r.hash)),
        };
        let (mut chain, mut failed) = match start {
            Ok(chain) => (chain, None),
            Err(e) => (ChainChecker::default(), Some(e)),
        };
        let mut records = self.store.records_from(Seq(from.0.max(1)));
        std::iter::from_fn(move || {
            if let Some(e) = failed.take() {
                chain = ChainChecker::after(upto, Hash::ZERO);
                return Some(Err(e));
            }
            if chain.count() >= upto.0 {
                return None;
            }
            let expected = Seq(chain.count() + 1);
            let next = match records.next() {
                None => Err(Fault { seq: expected, problem: Problem::Gap { expected } }.into()),
                Some(item) => item.map_err(Error::from).and_then(|(seq, bytes)| {
                    let record = Record::decode(&bytes).map_err(|problem| Fault { seq, problem })?;
                    chain.check(Some(seq), &record)?;
                    Ok(entry_of(&record).map_err(|problem| Fault { seq, problem })?)
                }),
            };
            if next.is_err() {
                // One error ends the walk.
                chain = ChainChecker::after(upto, Hash::ZERO);
            }
            Some(next)
        })
    }

    /// The latest correction of each corrected seq among `corrections` up to `upto`,
    /// with its body read from the log or, beyond the head, from `pending`.
    pub(super) fn corrections_upto(
        &self,
        corrections: &[Correction],
        upto: Seq,
        pending: &[Entry],
    ) -> Result<HashMap<Seq, EventCorrected>, Error> {
        let mut out = HashMap::new();
        let mut seqs: Vec<Seq> = corrections.iter().map(|c| c.seq).filter(|s| *s <= upto).collect();
        seqs.sort();
        for seq in seqs {
            let entry = match pending.iter().find(|e| e.seq == seq) {
                Some(e) => e.clone(),
                None => self.entry(seq)?.ok_or_else(|| {
                    Error::Read(crate::kv::ReadError(format!(
                        "the correction at seq {seq} the projection names is not in the log"
                    )))
                })?,
            };
            match entry.event {
                Event::EventCorrected(c) => {
                    out.insert(c.target, c);
                }
                // A redaction corrects its target the way it reads from then on.
                Event::BodyRedacted(r) => {
                    let c = EventCorrected {
                        target: r.target,
                        reason: r.reason,
                        replacement: r.replacement,
                        effective: None,
                    };
                    out.insert(c.target, c);
                }
                _ => {}
            }
        }
        Ok(out)
    }

    /// Up to `limit` events after `after`, decoded, for `protokol log`.
    pub fn entries_after(&self, after: Seq, limit: usize) -> Result<Vec<Entry>, Error> {
        self.records_after(after, limit)?
            .iter()
            .map(|r| Ok(entry_of(r).map_err(|problem| Fault { seq: r.seq(), problem })?))
            .collect()
    }

    /// Up to `limit` stored records after `after`, for the event feed, each checked:
    /// its hashes, and its link to the one before, from the record at `after` on.
    pub fn records_after(&self, after: Seq, limit: usize) -> Result<Vec<Record>, Error> {
        if after >= self.head_seq() {
            return Ok(Vec::new());
        }
        let mut chain = match after {
            Seq(0) => ChainChecker::default(),
            _ => ChainChecker::after(after, self.record(after)?.hash),
        };
        let mut out = Vec::new();
        for item in self.store.records_from(after.next()).take(limit) {
            let (seq, bytes) = item?;
            let record = Record::decode(&bytes).map_err(|problem| Fault { seq, problem })?;
            chain.check(Some(seq), &record)?;
            out.push(record);
        }
        // Records missing at the end of the page: the log ends before its recorded head.
        let wanted = self.head_seq().0.saturating_sub(after.0).min(limit as u64);
        if (out.len() as u64) < wanted {
            let expected = Seq(after.0 + out.len() as u64 + 1);
            return Err(Fault { seq: expected, problem: Problem::Gap { expected } }.into());
        }
        Ok(out)
    }
}
