//! A ledger: the store, the chain on top of it, and the history it folds into. Every
//! write goes through `append`: checked whole, sealed, written as one batch, flushed.

use crate::envelope::{ChainChecker, Fault, Header, Problem, Record, BODY_BYTES_MAX, NAME_LEN_MAX};
use crate::error::Error;
use crate::event::{Event, EventCorrected};
use crate::hash;
use crate::ids::{Hash, Seq};
use crate::input::{NewEvent, BATCH_LEN_MAX};
use crate::kv::{AsOf, Kv, Tally};
use crate::rules::{self, Refusal};
use crate::state::{as_corrected, fold, Entry, FoldError, Model};
use crate::store::{Compacted, RecordedHead, Scratch, Storage, Store};
use crate::when::RecordedAt;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::Arc;

/// The head a writer expects: the append fails with a conflict if the log has moved on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Seq(Seq),
    Hash(Hash),
}

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

pub struct Ledger {
    store: Store,
    /// The projection as stored, with the writes of the batch being checked over it;
    /// only `append` and `import_export` use it, and leave it without writes.
    model: Model,
    head: Option<(Seq, Hash, RecordedAt)>,
}

impl Ledger {
    pub fn create(path: &Path) -> Result<Ledger, Error> {
        let store = Store::create(path)?;
        let model = Model::new(Kv::over(store.state_reader()));
        Ok(Ledger { store, model, head: None })
    }

    /// Opens a ledger without reading its log: checks the newest record's hashes and that
    /// the persisted projection reflects exactly that head (both are written in one
    /// atomic batch). A projection that is missing, of another layout or behind the head
    /// is rebuilt from the log, which is then checked in full on the way.
    /// `verify` checks every record, and the projection against the log.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        let store = Store::open(path)?;
        let head = store.head()?.map(|r| (r.seq(), r.hash, r.header.recorded_at));
        let recorded = match store.recorded_head()? {
            RecordedHead::At(s, h) => Some((s, h)),
            _ => None,
        };
        let at_head = head.map(|h| (h.0, h.1));
        let mut ledger = Ledger { model: Model::new(Kv::over(store.state_reader())), store, head };
        let empty = at_head.is_none() && recorded.is_none();
        if !empty && (recorded != at_head || ledger.store.state_head()? != at_head) {
            ledger.rebuild()?;
        }
        Ok(ledger)
    }

    /// Closes the store and opens it again, after a long run of writes. sled 0.34 writes
    /// the snapshot of its page table only when it opens, so until then every open
    /// replays sled's own log since the last one: 19 s after a million appends. A bulk
    /// writer (`gen`, `import`, `rebuild`) checkpoints now and then and at its end, so
    /// that the next open, its own or another process's, starts from a recent snapshot.
    /// Every view of this ledger must be dropped first: sled stays open while one lives.
    pub fn checkpoint(self) -> Result<Ledger, Error> {
        let path = self.path().to_path_buf();
        drop(self);
        Ledger::open(&path)
    }

    /// Re-derives the projection from the log, checking every record on the way, and
    /// stores it in place of the old one.
    pub fn rebuild(&mut self) -> Result<Verified, Error> {
        self.rebuild_spilling_every(DERIVE_WRITES_MAX)
    }

    /// `rebuild` holding at most `writes_max` derived writes in memory before taking
    /// them into the scratch store.
    pub fn rebuild_spilling_every(&mut self, writes_max: usize) -> Result<Verified, Error> {
        let (verified, derived) = self.derive(writes_max)?;
        self.store.replace_state(derived.pairs(), self.head())?;
        self.model = Model::new(Kv::over(self.store.state_reader()));
        Ok(verified)
    }

    /// Checks every record and replays the log into a new projection the way appends
    /// built it, history and corrections included: in memory while it is small, then in
    /// a scratch store taking in the writes every `writes_max` keys, so memory stays
    /// bounded whatever the log's length.
    fn derive(&self, writes_max: usize) -> Result<(Verified, Derived), Error> {
        let verified = verify_store(&self.store)?;
        let mut scratch: Option<Scratch> = None;
        let mut model = Model::default();
        for entry in self.entries(Seq(1), Seq(verified.count)) {
            let entry = entry?;
            self.replay(&mut model, &entry)?;
            if model.kv().writes().len() >= writes_max {
                model.fault()?;
                let s = match scratch.take() {
                    Some(s) => s,
                    None => Store::scratch()?,
                };
                s.apply(model.kv().writes())?;
                model = Model::new(Kv::over(s.reader()));
                scratch = Some(s);
            }
        }
        model.fault()?;
        Ok((
            verified,
            match scratch {
                Some(s) => {
                    s.apply(model.kv().writes())?;
                    Derived::Spilled(s)
                }
                None => Derived::InMemory(model),
            },
        ))
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn head(&self) -> Option<(Seq, Hash)> {
        self.head.map(|(s, h, _)| (s, h))
    }

    pub fn head_seq(&self) -> Seq {
        self.head.map_or(Seq(0), |h| h.0)
    }

    /// The state at the head, read from the persisted projection: a view of its own
    /// for each reader, so a failed read fails only the answer it was for.
    pub fn model(&self) -> Model {
        Model::new(Kv::over(self.store.state_reader()))
    }

    /// The state a query should read: all of it, or as known after a seq or at an
    /// RFC 3339 instant (transaction time), folded from that prefix of the log.
    pub fn known_at(&self, known_at: Option<&str>) -> Result<Model, Error> {
        let Some(k) = known_at else {
            return Ok(self.model());
        };
        let seq = if let Ok(n) = k.parse::<u64>() {
            Seq(n)
        } else {
            let t = DateTime::parse_from_rfc3339(k)
                .map_err(|_| Error::Input(format!("known_at {k:?}: expected a seq or an RFC 3339 instant")))?;
            self.seq_at_instant(RecordedAt(t.with_timezone(&Utc)))?
        };
        if seq >= self.head_seq() {
            return Ok(self.model());
        }
        Ok(self.as_of(seq))
    }

    /// The state as known after `seq`, read key by key from each key's versions: as
    /// cheap to query as the present.
    pub fn as_of(&self, seq: Seq) -> Model {
        Model::new(Kv::as_of(self.store.state_reader(), seq.0))
    }

    /// The state as known after `seq`, stepped back from the head by undo records (what
    /// corrections do; tests hold it against `as_of` and `folded`).
    pub fn rewound(&self, seq: Seq) -> Result<Model, Error> {
        let mut model = self.model();
        model.rewind(self.head_seq(), seq.min(self.head_seq()));
        model.fault()?;
        Ok(model)
    }

    /// The state as known after `seq`, folded from the start of the log: the definition
    /// the other two ways to a past state are tested against.
    pub fn folded(&self, seq: Seq) -> Result<Model, Error> {
        let corrections = self.corrections_upto(&self.model().corrections(), seq, &[])?;
        let model = fold(self.entries(Seq(1), seq), &corrections, false).map_err(|e| match e {
            FoldError::Read(e) => e,
            FoldError::Refused(seq, r) => Error::Projection(format!("an unchecked fold refused seq {seq}: {r}")),
        })?;
        model.fault()?;
        Ok(model)
    }

    /// The last seq recorded at or before `instant`: recorded time never decreases along
    /// the log, so a binary search over the records' headers finds it.
    pub fn seq_at_instant(&self, instant: RecordedAt) -> Result<Seq, Error> {
        let (mut lo, mut hi) = (0u64, self.head_seq().0);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.record(Seq(mid))?.header.recorded_at <= instant {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(Seq(lo))
    }

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
    fn entries(&self, from: Seq, upto: Seq) -> impl Iterator<Item = Result<Entry, Error>> + '_ {
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
    fn corrections_upto(
        &self,
        corrections: &[crate::state::Correction],
        upto: Seq,
        pending: &[Entry],
    ) -> Result<HashMap<Seq, EventCorrected>, Error> {
        let mut out = HashMap::new();
        let mut seqs: Vec<Seq> = corrections.iter().map(|c| c.seq).filter(|s| *s <= upto).collect();
        seqs.sort();
        for seq in seqs {
            let entry = match pending.iter().find(|e| e.seq == seq) {
                Some(e) => e.clone(),
                None => self
                    .entry(seq)?
                    .ok_or_else(|| Error::Projection(format!("correction at seq {seq} not in the log")))?,
            };
            if let Event::EventCorrected(c) = entry.event {
                out.insert(c.target, c);
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

    /// Checks the whole batch against the rules, then writes it and the projection's
    /// changes as one atomic, flushed batch. On any error nothing is written and the
    /// ledger is as it was.
    pub fn append(
        &mut self,
        source: &str,
        events: Vec<NewEvent>,
        expect: Option<Expect>,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Record>, Error> {
        if events.is_empty() || events.len() > BATCH_LEN_MAX {
            return Err(Error::Input(format!(
                "{source}: a batch holds 1 to {BATCH_LEN_MAX} events, not {}",
                events.len()
            )));
        }
        if recorded_by.trim().is_empty() || recorded_by.chars().count() > NAME_LEN_MAX {
            return Err(Error::Input(format!("recorded_by must be 1 to {NAME_LEN_MAX} characters")));
        }
        self.check_expected(expect)?;
        // Recorded time never goes backwards along the chain, even if the clock does:
        // `known_at INSTANT` relies on it.
        let recorded_at = RecordedAt(self.head.map_or(now, |h| h.2 .0.max(now)));
        let mut batch = Batch::default();
        let result = self.seal_batch(&mut batch, events, recorded_by, recorded_at).and_then(|records| {
            self.model.fault()?;
            self.store.append(&records, self.head(), self.model.kv().writes())?;
            Ok(records)
        });
        // Written or not, the projection to read is the stored one again.
        self.model = Model::new(Kv::over(self.store.state_reader()));
        let records = result?;
        let last = records.last().expect("a batch is never empty");
        self.head = Some((last.seq(), last.hash, recorded_at));
        Ok(records)
    }

    /// Checks each event against the state (taking it in) and seals its record.
    fn seal_batch(
        &mut self,
        batch: &mut Batch,
        events: Vec<NewEvent>,
        recorded_by: &str,
        recorded_at: RecordedAt,
    ) -> Result<Vec<Record>, Error> {
        let (mut seq, mut prev) = self.head().unwrap_or((Seq(0), Hash::ZERO));
        let mut records = Vec::with_capacity(events.len());
        for new in events {
            let kind = new.event.kind();
            let refused = |refusal| Error::Refused {
                origin: new.origin.clone(),
                kind: kind.to_string(),
                effective: new.effective.to_string(),
                refusal,
            };
            let body_bytes =
                hash::canonical(&new.event.body_value()).map_err(|e| Error::Input(format!("{}: {e}", new.origin)))?;
            if body_bytes.len() > BODY_BYTES_MAX {
                return Err(Error::Input(format!("{}: body is larger than {BODY_BYTES_MAX} bytes", new.origin)));
            }
            seq = seq.next();
            let header = Header {
                seq,
                recorded_at,
                effective: new.effective,
                recorded_by: recorded_by.to_string(),
                kind: kind.to_string(),
                body_hash: hash::body_hash(&body_bytes),
                prev,
            };
            let entry = Entry {
                seq,
                recorded_at,
                effective: new.effective,
                recorded_by: recorded_by.to_string(),
                event: new.event,
            };
            self.take_in(batch, entry).map_err(|e| match e {
                TakeIn::Refused(r) => refused(r),
                TakeIn::Failed(e) => e,
            })?;
            let record = Record::seal(header, body_bytes);
            prev = record.hash;
            records.push(record);
        }
        Ok(records)
    }

    /// Checks one event of a batch against the working model and takes it in.
    fn take_in(&mut self, batch: &mut Batch, entry: Entry) -> Result<(), TakeIn> {
        let mut model = std::mem::take(&mut self.model);
        let taken = match &entry.event {
            Event::EventCorrected(c) => {
                let target = match batch.pending.iter().find(|e| e.seq == c.target) {
                    Some(e) => Ok(Some(e.clone())),
                    None => self.entry(c.target),
                };
                target.map_err(TakeIn::Failed).and_then(|target| {
                    rules::check_correction(&model, target.as_ref(), &entry, c).map_err(TakeIn::Refused)?;
                    self.rebase(&mut model, &entry, c, &batch.pending, true)
                })
            }
            _ => model.push(&entry).map_err(TakeIn::Refused),
        };
        self.model = model;
        taken?;
        batch.pending.push(entry);
        Ok(())
    }

    /// Takes in a correction: steps `model` back, by the undo records, to before the
    /// earliest event it affects (its target, or earlier if a correction since cites an
    /// earlier event), replays the log from there with every correction in place (checking
    /// each event again, with `checked`), and records all that changed as the
    /// correction's undo record. Costs the events after the target, not the whole log.
    /// `pending` holds the batch's events not yet stored.
    fn rebase(
        &self,
        model: &mut Model,
        entry: &Entry,
        c: &EventCorrected,
        pending: &[Entry],
        checked: bool,
    ) -> Result<(), TakeIn> {
        if self.erratum_in_place(model, entry, c, pending, checked)? {
            return Ok(());
        }
        let head = Seq(entry.seq.0 - 1);
        let mut corrections = model.corrections();
        corrections.push(crate::state::Correction {
            seq: entry.seq,
            target: c.target,
            reason: c.reason.clone(),
            retracted: c.replacement.is_none(),
            recorded_by: entry.recorded_by.clone(),
        });
        let mut from = c.target;
        while let Some(t) = corrections.iter().filter(|x| x.seq > from).map(|x| x.target).min().filter(|t| *t < from) {
            from = t;
        }
        let pending_too: Vec<Entry> = pending.iter().cloned().chain([entry.clone()]).collect();
        let latest = self.corrections_upto(&corrections, entry.seq, &pending_too)?;
        model.begin_undo(entry.seq);
        model.rewind(head, Seq(from.0 - 1));
        let stored_until = self.head_seq().min(head);
        let replay = self.entries(from, stored_until).chain(pending.iter().filter(|e| e.seq >= from).cloned().map(Ok));
        for e in replay {
            let e = e?;
            let Some(effective) = as_corrected(&e, &latest) else { continue };
            if checked && !matches!(effective.event, Event::EventCorrected(_)) {
                rules::check(model, &effective).map_err(|refusal| {
                    TakeIn::Refused(Refusal {
                        rule: "correction-breaks-later-event",
                        message: format!(
                            "the correction would leave seq {} breaking a rule: {}",
                            e.seq, refusal.message
                        ),
                    })
                })?;
            }
            model.apply(&effective);
        }
        model.apply(entry);
        model.end_undo();
        Ok(())
    }

    /// The common correction, an erratum in a minuted item's text, changes that text and
    /// nothing else: no rule and no other event reads it. So when the target has not been
    /// corrected before and no later event of its meeting set the agenda, held the
    /// meeting or minuted the same item, replaying the log would change only that text,
    /// and it is changed in place. Anything else is replayed (`rebase`).
    fn erratum_in_place(
        &self,
        model: &mut Model,
        entry: &Entry,
        c: &EventCorrected,
        pending: &[Entry],
        checked: bool,
    ) -> Result<bool, TakeIn> {
        let (Some(replacement), None) = (&c.replacement, c.effective) else { return Ok(false) };
        let Event::ItemMinuted(new) = &**replacement else { return Ok(false) };
        let stored = |seq: Seq| match pending.iter().find(|e| e.seq == seq) {
            Some(e) => Ok(Some(e.clone())),
            None => self.entry(seq),
        };
        let Some(target) = stored(c.target)? else { return Ok(false) };
        let Event::ItemMinuted(old) = &target.event else { return Ok(false) };
        if (&old.meeting, old.item) != (&new.meeting, new.item) || model.is_corrected(c.target) {
            return Ok(false);
        }
        let Some(meeting) = model.meeting(&new.meeting) else { return Ok(false) };
        for seq in meeting.seqs.into_iter().filter(|s| *s > c.target) {
            let later = stored(seq)?.map(|e| e.event);
            match later {
                Some(Event::ItemMinuted(m)) if m.item != new.item => {}
                Some(Event::ItemMinuted(_) | Event::AgendaSet(_) | Event::MeetingHeld(_)) | None => return Ok(false),
                Some(_) => {}
            }
        }
        let corrected = Entry { event: (**replacement).clone(), ..target };
        if checked {
            rules::check(model, &corrected).map_err(TakeIn::Refused)?;
        }
        model.begin_undo(entry.seq);
        model.apply(&corrected);
        model.apply(entry);
        model.end_undo();
        Ok(true)
    }

    fn check_expected(&self, expect: Option<Expect>) -> Result<(), Error> {
        let (seq, hash) = self.head().unwrap_or((Seq(0), Hash::ZERO));
        let conflict = |expected: String| Error::Conflict { expected, actual: format!("seq {seq} ({hash})") };
        match expect {
            Some(Expect::Seq(s)) if s != seq => Err(conflict(format!("seq {s}"))),
            Some(Expect::Hash(h)) if h != hash => Err(conflict(h.to_hex())),
            _ => Ok(()),
        }
    }

    /// Checks every record's hashes and links, and the recorded head: the chain alone,
    /// without the projection (see [`Ledger::verify`]).
    pub fn verify_chain(&self) -> Result<Verified, Error> {
        verify_store(&self.store)
    }

    /// Full verification of this open ledger (see [`verify`]): the chain, then the
    /// stored projection and its history against the log, event by event. Each event is
    /// replayed over the stored state as it stood before it, and what it writes must be
    /// what the store holds for it; then the store may hold nothing more (counted). No
    /// projection is derived apart, so this runs in bounded memory, the log in slices
    /// checked in parallel (`slice_starts`).
    pub fn verify(&self) -> Result<Verified, Error> {
        let verified = verify_store(&self.store)?;
        let starts = slice_starts(verified.count);
        let slices: Vec<Result<Tally, Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..starts.len())
                .map(|i| {
                    let from = Seq(starts[i]);
                    let upto = Seq(starts.get(i + 1).map_or(verified.count, |next| next - 1));
                    s.spawn(move || self.check_transitions(from, upto))
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("checking an event does not panic")).collect()
        });
        let mut derived = Tally::default();
        for slice in slices {
            // In seq order: the first error is the earliest event's.
            derived.add(slice?);
        }
        let pairs = self.store.state_pairs().map(|p| p.map_err(|e| e.to_string()));
        let stored = crate::kv::tally_stored(pairs, verified.count).map_err(projection_differs)?;
        if stored != derived {
            return Err(projection_differs(format!(
                "{} values, {} of them versions, and {} undo entries where the log gives {}, {} and {}",
                stored.values, stored.versions, stored.events, derived.values, derived.versions, derived.events
            )));
        }
        Ok(verified)
    }

    /// Takes in a recorded event the way its append did, with its history; a correction
    /// by its rebase. The rules are not checked again: the event was accepted.
    fn replay(&self, model: &mut Model, entry: &Entry) -> Result<(), Error> {
        match &entry.event {
            Event::EventCorrected(c) => self.rebase(model, entry, c, &[], false).map_err(|e| match e {
                TakeIn::Failed(e) => e,
                TakeIn::Refused(r) => Error::Projection(format!("an unchecked replay refused seq {}: {r}", entry.seq)),
            }),
            _ => {
                model.apply_recorded(entry);
                Ok(())
            }
        }
    }

    /// Replays the events `from` to `upto` (whose records are checked) each over the
    /// stored state as it stood before it, and checks what each wrote against the store.
    fn check_transitions(&self, from: Seq, upto: Seq) -> Result<Tally, Error> {
        let stored = self.store.state_reader();
        let mut tally = Tally::default();
        for entry in self.entries(from, upto) {
            let entry = entry?;
            let seq = entry.seq;
            let before = Arc::new(AsOf::new(stored.clone(), seq.0 - 1));
            let mut model = Model::new(Kv::over(before.clone()));
            self.replay(&mut model, &entry)?;
            model.fault()?;
            tally.add(model.kv().check_transition(seq.0, &before, &stored).map_err(projection_differs)?);
        }
        Ok(tally)
    }

    /// Writes the raw log as JSON Lines, one canonical envelope a line, checking each
    /// record's hashes and link on the way: an export never carries a damaged record.
    /// Returns the count.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64, Error> {
        let mut n = 0;
        let mut chain = ChainChecker::default();
        for item in self.store.records() {
            let (key, bytes) = item?;
            let at = key.unwrap_or(Seq(n + 1));
            let record = Record::decode(&bytes).map_err(|problem| Fault { seq: at, problem })?;
            chain.check(Some(at), &record)?;
            let line = record.to_export_line().map_err(|problem| Fault { seq: at, problem })?;
            writeln!(out, "{line}").map_err(|e| Error::Input(format!("writing the export: {e}")))?;
            n += 1;
        }
        Ok(n)
    }

    /// Reads an export into this (empty) ledger, re-checking every hash, link and rule;
    /// a bad line is named and nothing is written.
    pub fn import_export(&mut self, source: &str, input: &mut dyn BufRead) -> Result<Verified, Error> {
        if self.head.is_some() {
            return Err(Error::Input(format!("{source}: an export can only be imported into an empty ledger")));
        }
        let mut chain = ChainChecker::default();
        let mut batch = Batch::default();
        let mut records = Vec::new();
        let result = (|| {
            for (n, line) in input.lines().enumerate() {
                let line_no = n + 1;
                let line = line.map_err(|e| Error::Input(format!("{source}:{line_no}: {e}")))?;
                if line.trim().is_empty() {
                    continue;
                }
                let bad = |what: String| Error::Input(format!("{source}:{line_no}: {what}; nothing was imported"));
                let record = Record::from_export_line(&line).map_err(|p| bad(p.to_string()))?;
                chain.check(None, &record).map_err(|f| bad(f.to_string()))?;
                let entry = entry_of(&record).map_err(|p| bad(p.to_string()))?;
                self.take_in(&mut batch, entry).map_err(|e| match e {
                    TakeIn::Refused(r) => bad(format!("seq {}: refused: {r}", record.seq())),
                    TakeIn::Failed(e) => e,
                })?;
                records.push(record);
            }
            if records.is_empty() {
                return Err(Error::Input(format!("{source}: no events")));
            }
            self.model.fault()?;
            self.store.append(&records, None, self.model.kv().writes())?;
            Ok(())
        })();
        self.model = Model::new(Kv::over(self.store.state_reader()));
        result?;
        let last = records.last().expect("not empty");
        self.head = Some((last.seq(), last.hash, last.header.recorded_at));
        Ok(Verified { count: chain.count(), head: chain.head() })
    }
}

/// A batch being checked: its entries so far, which a correction may replay.
#[derive(Default)]
struct Batch {
    pending: Vec<Entry>,
}

/// Why an event was not taken in.
enum TakeIn {
    Refused(Refusal),
    Failed(Error),
}

impl From<Error> for TakeIn {
    fn from(e: Error) -> TakeIn {
        TakeIn::Failed(e)
    }
}

/// Writes a derived projection keeps in memory before taking them into a scratch store:
/// about 64 MiB of keys and values in a generated workload, the whole of a 40,000-event
/// log's projection. Larger ran faster (9 s instead of 11 for 100k events) but grows
/// with the log; 20,000 took 13-15 s.
const DERIVE_WRITES_MAX: usize = 250_000;

/// A projection derived from the log: small ones in memory, large ones in a scratch store.
enum Derived {
    InMemory(Model),
    Spilled(Scratch),
}

impl Derived {
    fn pairs(&self) -> Box<dyn Iterator<Item = Result<crate::kv::Pair, crate::store::StoreError>> + '_> {
        match self {
            Derived::InMemory(m) => {
                Box::new(m.kv().writes().iter().filter_map(|(k, v)| Some(Ok((k.clone(), v.clone()?)))))
            }
            Derived::Spilled(s) => Box::new(s.pairs()),
        }
    }
}

fn projection_differs(what: String) -> Error {
    Error::Projection(format!("the stored projection differs from the log: {what}; `protokol rebuild` re-derives it"))
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
    let store = Store::open(path)?;
    verify_store(&store)?;
    drop(store);
    Ledger::open(path)?.verify()
}

/// Rewrites the ledger's storage in less space: the same records and projection, byte
/// for byte (see [`Store::compact`]).
pub fn compact(path: &Path, storage: Option<Storage>) -> Result<Compacted, Error> {
    Ok(Store::compact(path, storage)?)
}

/// Checks the whole log: the seqs split into one slice per core, each walked and hashed
/// by a thread of its own in constant memory, then the slices joined in order, so the
/// fault reported is the first one a walk from seq 1 would meet.
fn verify_store(store: &Store) -> Result<Verified, Error> {
    let last = match store.recorded_head()? {
        RecordedHead::At(seq, _) => seq.0,
        _ => 0,
    };
    let starts = slice_starts(last);
    let slices: Vec<Result<Slice, Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..starts.len())
            .map(|i| {
                let from = Seq(starts[i]);
                let to = starts.get(i + 1).map(|&s| Seq(s));
                s.spawn(move || check_slice(store, from, to))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("checking a record does not panic")).collect()
    });
    let mut chain = ChainChecker::default();
    for slice in slices {
        let Slice { from, walked, fault } = slice?;
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
}

/// Walks the records keyed `from` up to `to` (or to the log's end), checking every
/// hash and every link but the first record's, which the join checks.
fn check_slice(store: &Store, from: Seq, to: Option<Seq>) -> Result<Slice, Error> {
    let mut slice = Slice { from, walked: None, fault: None };
    // The first slice also takes in any keys below seq 1, to report them.
    let from_key = (from > Seq(1)).then_some(from);
    for item in store.records_between(from_key, to) {
        let (key, bytes) = item?;
        let expected = match &slice.walked {
            Some((_, chain)) => chain.next_seq(),
            None => from,
        };
        let checked = key
            .map_err(|_| Fault { seq: expected, problem: Problem::Undecodable("a key that is not a seq".into()) })
            .and_then(|seq| {
                let (link, hashes) = Record::check_stored(&bytes).map_err(|problem| Fault { seq, problem })?;
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

fn entry_of(record: &Record) -> Result<Entry, Problem> {
    let event = Event::from_parts(&record.header.kind, record.body()?).map_err(Problem::Undecodable)?;
    Ok(Entry {
        seq: record.seq(),
        recorded_at: record.header.recorded_at,
        effective: record.header.effective,
        recorded_by: record.header.recorded_by.clone(),
        event,
    })
}
