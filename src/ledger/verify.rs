//! `verify`: the chain walked in slices, one thread each, re-hashing the stored bytes;
//! then every event replayed over the stored state as it stood before it, and the store
//! counted, so the projection and its history are exactly the log's.

use super::{Ledger, TakeIn};
use crate::envelope::{ChainChecker, ErasureCheck, Fault, Problem, Record};
use crate::error::Error;
use crate::event::Event;
use crate::ids::{Hash, Seq};
use crate::kv::{AsOf, Kv, ReadError, Tally};
use crate::model::{Entry, Model};
use crate::progress::{Progress, Silent};
use crate::rules;
use crate::store::{RecordedHead, Store};
use std::path::Path;
use std::sync::Arc;

/// Result of a full verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    pub count: u64,
    pub head: Hash,
}

impl std::fmt::Display for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ok: {} events, head {}", self.count, self.head)
    }
}

impl Ledger {
    /// Checks every record's hashes and links, and the recorded head: the chain alone,
    /// without the projection (see [`Ledger::verify`]).
    pub fn verify_chain(&self) -> Result<Verified, Error> {
        verify_store(&self.store, &Silent)
    }

    /// Full verification of this open ledger (see [`verify`]): the chain, then the
    /// stored projection and its history against the log, event by event. Each event is
    /// replayed over the stored state as it stood before it, and what it writes must be
    /// what the store holds for it; then the store may hold nothing more (counted). No
    /// projection is derived apart, so this runs in bounded memory, the log in slices
    /// checked in parallel (`slice_starts`).
    pub fn verify(&self) -> Result<Verified, Error> {
        self.verify_with(&Silent)
    }

    /// `verify`, reporting each phase's progress.
    pub fn verify_with(&self, progress: &dyn Progress) -> Result<Verified, Error> {
        let verified = verify_store(&self.store, progress)?;
        progress.phase("checking every event against the stored state", verified.count);
        let starts = slice_starts(verified.count);
        let slices: Vec<Result<Tally, Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..starts.len())
                .map(|i| {
                    let from = Seq(starts[i]);
                    let upto = Seq(starts.get(i + 1).map_or(verified.count, |next| next - 1));
                    s.spawn(move || self.check_transitions(from, upto, progress))
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("checking an event does not panic")).collect()
        });
        let mut derived = Tally::default();
        for slice in slices {
            // In seq order: the first error is the earliest event's.
            derived.add(slice?);
        }
        let pairs = self.store.state_pairs().map(|p| p.map_err(|e| ReadError(e.to_string())));
        let stored = crate::kv::tally_stored(pairs, verified.count).map_err(projection_differs)?;
        if stored != derived {
            return Err(projection_differs(format!(
                "{} values, {} of them versions, and {} undo entries where the log gives {}, {} and {}",
                stored.values, stored.versions, stored.events, derived.values, derived.versions, derived.events
            )));
        }
        self.verify_documents()?;
        Ok(verified)
    }

    /// Every kept document hashes to the key it is kept under, and an approval names it.
    fn verify_documents(&self) -> Result<(), Error> {
        let model = self.model();
        for d in self.store.documents() {
            let (key, bytes) = d?;
            let computed = crate::hash::document_hash(&bytes);
            if key != computed.0 {
                let kept = String::from_utf8_lossy(&key).into_owned();
                return Err(Error::Document(format!(
                    "a kept document hashes to {computed}, not the key it is kept under ({kept:?})"
                )));
            }
            if model.meetings_approving(&computed)?.is_empty() {
                return Err(Error::Document(format!(
                    "the kept document {computed} is named by no approval of minutes"
                )));
            }
        }
        Ok(())
    }

    /// Takes in a recorded event the way its append did, with its history; a correction
    /// by its rebase. The rules are not checked again: the event was accepted.
    pub(super) fn replay(&self, model: &mut Model, entry: &Entry) -> Result<(), Error> {
        match &entry.event {
            Event::EventCorrected(c) => self.rebase(model, entry, c, &[], false).map_err(|e| match e {
                TakeIn::Failed(e) => e,
                TakeIn::Refused(r) => Error::Projection(format!("an unchecked replay refused seq {}: {r}", entry.seq)),
            }),
            _ => Ok(model.apply_recorded(entry)?),
        }
    }

    /// Replays the events `from` to `upto` (whose records are checked) each over the
    /// stored state as it stood before it, and checks what each wrote against the store.
    fn check_transitions(&self, from: Seq, upto: Seq, progress: &dyn Progress) -> Result<Tally, Error> {
        let stored = self.store.state_reader();
        let mut tally = Tally::default();
        for entry in self.entries(from, upto) {
            let entry = entry?;
            let seq = entry.seq;
            if let Event::MinutesApproved(a) = &entry.event {
                // The tree was checked against the records before this walk.
                let root = self.store.tree_root(seq.0 - 1)?;
                rules::approval_checkpoint(a, seq, &root)
                    .map_err(|e| Error::Verify(Fault { seq, problem: Problem::Tree(e.to_string()) }))?;
            }
            let before = Arc::new(AsOf::new(stored.clone(), seq.0 - 1));
            let mut model = Model::new(Kv::over(before.clone()));
            // Replayed over the stored state: what cannot be read there is a finding of
            // verify, like a value that differs.
            self.replay(&mut model, &entry).map_err(|e| match e {
                Error::Read(e) => projection_differs(e.0),
                e => e,
            })?;
            tally.add(model.kv().check_transition(seq.0, &before, &stored).map_err(projection_differs)?);
            progress.advance(1);
        }
        Ok(tally)
    }
}

fn projection_differs(what: String) -> Error {
    Error::Projection(format!("the stored projection differs from the log: {what}"))
}

/// Where each thread's slice of the log starts: two a core (a thread waiting for sled to
/// read a page leaves its core to another: verify at 100k took 4.1-4.6 s so, 5.3-5.9 s
/// with one a core), so four at least, and the joins are exercised everywhere.
fn slice_starts(last: u64) -> Vec<u64> {
    let slices_len = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(2, 8) as u64 * 2;
    let mut starts: Vec<u64> = (0..slices_len).map(|i| 1 + last * i / slices_len).collect();
    starts.dedup();
    starts
}

/// Walks every stored record in order, in constant memory, re-hashing the stored bytes;
/// then, if the chain holds, re-derives the projection and compares it with the stored
/// one. Takes the path, not a `Ledger`: a ledger too damaged to open can still be
/// verified.
pub fn verify(path: &Path) -> Result<Verified, Error> {
    verify_with(path, &Silent)
}

/// `verify`, reporting each phase's progress.
pub fn verify_with(path: &Path, progress: &dyn Progress) -> Result<Verified, Error> {
    let store = Store::open(path)?;
    verify_store(&store, progress)?;
    drop(store);
    Ledger::open(path)?.verify_with(progress)
}

/// Checks the whole log: the seqs split into one slice per core, each walked and hashed
/// by a thread of its own in constant memory, then the slices joined in order, so the
/// fault reported is the first one a walk from seq 1 would meet.
pub(super) fn verify_store(store: &Store, progress: &dyn Progress) -> Result<Verified, Error> {
    let last = match store.recorded_head()? {
        RecordedHead::At(seq, _) => seq.0,
        _ => 0,
    };
    progress.phase("checking the chain", last);
    let starts = slice_starts(last);
    let slices: Vec<Result<Slice, Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..starts.len())
            .map(|i| {
                let from = Seq(starts[i]);
                let to = starts.get(i + 1).map(|&s| Seq(s));
                s.spawn(move || check_slice(store, from, to, progress))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("checking a record does not panic")).collect()
    });
    let mut chain = ChainChecker::default();
    let mut erasures = Vec::new();
    for slice in slices {
        let Slice { from, walked, fault, erasures: met } = slice?;
        erasures.extend(met);
        if walked.is_none() && fault.is_none() {
            continue; // an empty slice
        }
        // Whatever the slice found, a walk from seq 1 meets a gap first if the slices
        // before ended short of it.
        if chain.next_seq() != from {
            return Err(Fault { seq: chain.next_seq(), problem: Problem::Gap { expected: chain.next_seq() } }.into());
        }
        let Some((first_prev, end)) = walked else {
            return Err(fault.expect("a slice not walked has a fault").into());
        };
        if first_prev != chain.head() {
            let problem = Problem::BrokenLink { prev: first_prev, expected: chain.head() };
            return Err(Fault { seq: from, problem }.into());
        }
        if let Some(fault) = fault {
            return Err(fault.into());
        }
        chain = end;
    }
    check_recorded_head(store, &chain)?;
    // Few records are erased or erase: those are read again, in order, and matched.
    let mut pairs = ErasureCheck::default();
    for seq in erasures {
        let bytes = store.get(seq)?.ok_or(Fault { seq, problem: Problem::Gap { expected: seq } })?;
        pairs.see(&Record::decode(&bytes).map_err(|problem| Fault { seq, problem })?)?;
    }
    pairs.finish()?;
    // Each slice checked its part of the tree; the tree must end where the log does.
    let size = store.tree_size()?;
    if size != chain.count() {
        let what = format!("the tree holds {size} leaves, the log {} records", chain.count());
        return Err(Fault { seq: Seq(size.min(chain.count()) + 1), problem: Problem::Tree(what) }.into());
    }
    if store.tree_hashes_between(crate::merkle::stored_count(size), None).next().is_some() {
        let what = "the tree keeps hashes beyond the log's end".to_string();
        return Err(Fault { seq: Seq(size), problem: Problem::Tree(what) }.into());
    }
    Ok(Verified { count: chain.count(), head: chain.head() })
}

/// What one thread found in its slice of the log.
struct Slice {
    /// The seq the slice should start at.
    from: Seq,
    /// The first record's `prev` (the link into the slice before) and the walk's end, if
    /// the first record was in place and sound.
    walked: Option<(Hash, ChainChecker)>,
    /// The first fault inside the slice.
    fault: Option<Fault>,
    /// The erased records and redactions met, to be matched across the slices.
    erasures: Vec<Seq>,
}

/// Records walked between two reports of progress: the walk does half a million a
/// second, and a report each would cost more than the hashing.
const PROGRESS_STEP_RECORDS: u64 = 4096;

/// Walks the records keyed `from` up to `to` (or to the log's end), checking every
/// hash and every link but the first record's, which the join checks, and every hash
/// the tree keeps for them, recomputed on the roots of the subtrees before the slice
/// (which the slices before check).
fn check_slice(store: &Store, from: Seq, to: Option<Seq>, progress: &dyn Progress) -> Result<Slice, Error> {
    let mut slice = Slice { from, walked: None, fault: None, erasures: Vec::new() };
    let tree_fault = |seq: Seq, what: &str| Fault { seq, problem: Problem::Tree(what.to_string()) };
    let mut tree = match crate::merkle::RootFromLeaves::resume(from.0 - 1, &store.tree()) {
        Ok(tree) => tree,
        Err(e) => {
            slice.fault = Some(tree_fault(from, &format!("the subtrees before this seq cannot be read ({e})")));
            return Ok(slice);
        }
    };
    let mut stored = store
        .tree_hashes_between(crate::merkle::stored_count(from.0 - 1), to.map(|t| crate::merkle::stored_count(t.0 - 1)));
    // The first slice also takes in any keys below seq 1, to report them.
    let from_key = (from > Seq(1)).then_some(from);
    let mut walked = 0u64;
    for item in store.records_between(from_key, to) {
        let (key, bytes) = item?;
        walked += 1;
        if walked.is_multiple_of(PROGRESS_STEP_RECORDS) {
            progress.advance(PROGRESS_STEP_RECORDS);
        }
        let expected = match &slice.walked {
            Some((_, chain)) => chain.next_seq(),
            None => from,
        };
        let checked = key
            .map_err(|_| Fault { seq: expected, problem: Problem::Undecodable("a key that is not a seq".into()) })
            .and_then(|seq| {
                let (link, hashes) = Record::check_stored(&bytes).map_err(|problem| Fault { seq, problem })?;
                if link.erasure {
                    slice.erasures.push(seq);
                }
                Ok((seq, link, hashes))
            });
        let result = checked.and_then(|(seq, link, hashes)| match &mut slice.walked {
            Some((_, chain)) => chain.follow(seq, link, hashes),
            None => {
                // The first record links to whatever it says; the join checks that.
                let mut chain = ChainChecker::after(Seq(from.0 - 1), link.prev);
                let prev = link.prev;
                chain.follow(seq, link, hashes)?;
                slice.walked = Some((prev, chain));
                Ok(())
            }
        });
        if let Err(fault) = result {
            slice.fault = Some(fault);
            break;
        }
        let (seq, link_hash) = match &slice.walked {
            Some((_, chain)) => (Seq(chain.count()), chain.head()),
            None => unreachable!("a record walked without a fault is in the chain"),
        };
        for want in tree.push(&link_hash) {
            if stored.next().transpose()? != Some(*want) {
                slice.fault = Some(tree_fault(seq, "a hash the tree keeps for this record is not the one it gives"));
                return Ok(slice);
            }
        }
    }
    Ok(slice)
}

/// The chain walked must end where the last append said it ended: a log cut short at
/// the end is otherwise a valid, shorter log.
fn check_recorded_head(store: &Store, chain: &ChainChecker) -> Result<(), Error> {
    let ends = Seq(chain.count());
    let recorded = match store.recorded_head()? {
        RecordedHead::None if ends == Seq(0) => return Ok(()),
        RecordedHead::None => None,
        RecordedHead::At(s, h) if (s, h) == (ends, chain.head()) => return Ok(()),
        RecordedHead::At(s, h) => Some((s, h)),
        RecordedHead::Malformed => {
            return Err(Fault { seq: ends, problem: Problem::Undecodable("the recorded head".into()) }.into())
        }
    };
    // A recorded head beyond the end means records are missing from there on.
    let seq = match recorded {
        Some((s, _)) if s > ends => ends.next(),
        _ => ends,
    };
    Err(Fault { seq, problem: Problem::HeadMismatch { recorded, log_ends: ends } }.into())
}
