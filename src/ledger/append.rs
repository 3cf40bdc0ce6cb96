//! `append`: a batch checked whole against the rules on an overlay, sealed, and written
//! with the projection's changes in one atomic, durable write, or not at all.

use super::{Batch, Expect, Ledger, TakeIn};
use crate::envelope::{Header, Record, BODY_BYTES_MAX, NAME_LEN_MAX};
use crate::error::Error;
use crate::event::{Event, LogCheckpoint};
use crate::hash;
use crate::ids::{Hash, Seq};
use crate::input::{NewEvent, BATCH_LEN_MAX};
use crate::kv::Kv;
use crate::model::{Entry, Model};
use crate::rules::{self, Refusal};
use crate::store::{GrowingTree, Once};
use crate::when::RecordedAt;
use chrono::{DateTime, Utc};

/// What `check` found: every problem, in the order met, and the seat flags of the state
/// the batch would leave (accepted, but to be looked at).
#[derive(Debug)]
pub struct Checked {
    pub problems: Vec<Error>,
    pub flags: Vec<crate::query::SeatFlag>,
}

impl Ledger {
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
        self.append_keeping(source, events, &[], expect, recorded_by, now, None)
    }

    /// `append`, keeping `documents` (each the approved document a `MinutesApproved` of
    /// the batch names by its hash) and recording `once` (see `append_once`) in the same
    /// atomic write.
    #[allow(clippy::too_many_arguments)]
    pub fn append_keeping(
        &mut self,
        source: &str,
        events: Vec<NewEvent>,
        documents: &[Vec<u8>],
        expect: Option<Expect>,
        recorded_by: &str,
        now: DateTime<Utc>,
        once: Option<&Once>,
    ) -> Result<Vec<Record>, Error> {
        for d in documents {
            let h = hash::document_hash(d);
            if d.len() > crate::store::DOCUMENT_BYTES_MAX {
                return Err(Error::Input(format!(
                    "{source}: the document is {} bytes; at most {} are kept",
                    d.len(),
                    crate::store::DOCUMENT_BYTES_MAX
                )));
            }
            let named = events.iter().any(|e| matches!(&e.event, Event::MinutesApproved(a) if a.document_hash == h));
            if !named {
                return Err(Error::Input(format!(
                    "{source}: a document is kept only with the approval that names it ({h})"
                )));
            }
        }
        if events.is_empty() || events.len() > BATCH_LEN_MAX {
            return Err(Error::Input(format!(
                "{source}: a batch holds 1 to {BATCH_LEN_MAX} events, not {}",
                events.len()
            )));
        }
        if recorded_by.trim().is_empty() || recorded_by.chars().count() > NAME_LEN_MAX {
            return Err(Error::Input(format!("recorded_by must be 1 to {NAME_LEN_MAX} characters")));
        }
        if let Some((i, c)) = rules::hidden_char(recorded_by, false) {
            return Err(Error::Input(format!(
                "recorded_by holds U+{:04X} at character {}: a name is visible characters",
                c as u32,
                i + 1
            )));
        }
        self.check_expected(expect)?;
        // Recorded time never goes backwards along the chain, even if the clock does:
        // `known_at INSTANT` relies on it.
        let recorded_at = RecordedAt(self.head.map_or(now, |h| h.2 .0.max(now)));
        let mut batch = Batch::default();
        let mut erasing = false;
        let result = self.seal_batch(&mut batch, events, recorded_by, recorded_at).and_then(|records| {
            let erased = self.erased_records(source, &records)?;
            erasing = !erased.is_empty();
            if erasing {
                self.store.append_erasing(&records, self.head(), &erased, documents, once)?;
            } else {
                self.store.append(&records, self.head(), self.model.kv().writes(), documents, once)?;
            }
            Ok(records)
        });
        // Written or not, the projection to read is the stored one again.
        self.model = Model::new(Kv::over(self.store.state_reader()));
        let records = result?;
        let last = records.last().expect("a batch is never empty");
        self.head = Some((last.seq(), last.hash, recorded_at));
        if erasing {
            // The projection's history still holds what was erased: derived again from
            // the log, in which the erased events read as their replacements. Until this
            // is done the stored projection is behind the head, so an open rebuilds it.
            self.rebuild()?;
        }
        Ok(records)
    }

    /// The records a batch's redactions erase, each as it will be stored: the envelope
    /// and hash, the seq that erased it, and the replacement in place of the body. The
    /// batch's erasures together are checked to leave no copy of a body in a correction.
    pub(super) fn erased_records(&self, source: &str, records: &[Record]) -> Result<Vec<Record>, Error> {
        let mut erased = Vec::new();
        let mut targets = Vec::new();
        for record in records.iter().filter(|r| r.header.kind == "BodyRedacted") {
            let fault = |problem| crate::envelope::Fault { seq: record.seq(), problem };
            let Event::BodyRedacted(r) =
                Event::from_parts("BodyRedacted", record.body().map_err(fault)?).map_err(Error::Input)?
            else {
                unreachable!("a BodyRedacted body reads as one")
            };
            let stored = self.record(r.target)?;
            let replacement = match &r.replacement {
                Some(x) => hash::canonical(&x.body_value()).map_err(Error::Input)?,
                None => Vec::new(),
            };
            targets.push((
                r.target,
                super::entry_of(&stored).map_err(|problem| crate::envelope::Fault { seq: r.target, problem })?.event,
            ));
            erased.push(stored.erased(record.seq(), replacement));
        }
        let refs: Vec<(Seq, &Event)> = targets.iter().map(|(s, e)| (*s, e)).collect();
        rules::check_redaction_batch(&self.model, &refs).map_err(|e| match e {
            rules::RuleError::Refused(refusal) => Error::Refused {
                origin: source.to_string(),
                kind: "BodyRedacted".into(),
                effective: String::new(),
                refusal: Box::new(refusal),
            },
            rules::RuleError::Read(e) => e.into(),
        })?;
        Ok(erased)
    }

    /// Checks a batch as `append` would, without writing anything, and reports every
    /// event it refuses (each refused event left out, so the ones after it are checked
    /// against the state without it), not just the first; then the seat flags of the state
    /// it would leave. The ledger is as it was.
    pub fn check(&mut self, events: Vec<NewEvent>, recorded_by: &str, now: DateTime<Utc>) -> Result<Checked, Error> {
        let recorded_at = RecordedAt(self.head.map_or(now, |h| h.2 .0.max(now)));
        let mut problems = Vec::new();
        let mut batch = Batch::default();
        let sealed = self.seal_each(&mut batch, events, recorded_by, recorded_at, &mut |e| {
            problems.push(e);
            Ok(())
        });
        let flags = sealed.and_then(|_| crate::query::seat_flags(&self.model));
        self.model = Model::new(Kv::over(self.store.state_reader()));
        Ok(Checked { problems, flags: flags? })
    }

    /// Checks each event against the state (taking it in) and seals its record.
    fn seal_batch(
        &mut self,
        batch: &mut Batch,
        events: Vec<NewEvent>,
        recorded_by: &str,
        recorded_at: RecordedAt,
    ) -> Result<Vec<Record>, Error> {
        self.seal_each(batch, events, recorded_by, recorded_at, &mut Err)
    }

    /// `seal_batch`, handing each event's refusal or bad input to `refused`: `append`
    /// stops at the first, `check` collects them all and goes on without the event.
    fn seal_each(
        &mut self,
        batch: &mut Batch,
        events: Vec<NewEvent>,
        recorded_by: &str,
        recorded_at: RecordedAt,
        refused_with: &mut dyn FnMut(Error) -> Result<(), Error>,
    ) -> Result<Vec<Record>, Error> {
        let (mut seq, mut prev) = self.head().unwrap_or((Seq(0), Hash::ZERO));
        let first = seq.next();
        let mut tree = self.store.growing_tree()?;
        let mut records = Vec::with_capacity(events.len());
        let mut origins: Vec<String> = Vec::with_capacity(events.len());
        for NewEvent { effective, event, origin, entries } in events {
            let kind = event.kind();
            let refused = |refusal: Refusal| Error::Refused {
                // A refusal about one entry of a list names that entry's own place.
                origin: refusal
                    .subject
                    .as_deref()
                    .and_then(|s| entries.iter().find(|(x, _)| x == s))
                    .map_or(origin.clone(), |(_, o)| o.clone()),
                kind: kind.to_string(),
                effective: effective.to_string(),
                // A refusal never cites a seq this batch would have written: it was not.
                refusal: Box::new(Refusal { message: unwritten(&refusal.message, first, &origins), ..refusal }),
            };
            let event = match self.approved_at(event, &tree, &batch.pending) {
                Ok(e) => e,
                Err(TakeIn::Refused(r)) => {
                    refused_with(refused(r))?;
                    continue;
                }
                Err(TakeIn::Failed(e)) => return Err(e),
            };
            let body_bytes = match hash::canonical(&event.body_value()) {
                Ok(b) if b.len() <= BODY_BYTES_MAX => b,
                Ok(_) => {
                    refused_with(Error::Input(format!("{origin}: body is larger than {BODY_BYTES_MAX} bytes")))?;
                    continue;
                }
                Err(e) => {
                    refused_with(Error::Input(format!("{origin}: {e}")))?;
                    continue;
                }
            };
            let at = seq.next();
            let header = Header {
                seq: at,
                recorded_at,
                effective,
                recorded_by: recorded_by.to_string(),
                kind: kind.to_string(),
                body_hash: hash::body_hash(&body_bytes),
                prev,
            };
            let entry = Entry { seq: at, recorded_at, effective, recorded_by: recorded_by.to_string(), event };
            match self.take_in(batch, entry) {
                Ok(()) => {}
                Err(TakeIn::Refused(r)) => {
                    refused_with(refused(r))?;
                    continue;
                }
                Err(TakeIn::Failed(e)) => return Err(e),
            }
            seq = at;
            let record = Record::seal(header, body_bytes);
            tree.push(&self.store, &record)?;
            prev = record.hash;
            records.push(record);
            origins.push(origin);
        }
        Ok(records)
    }

    /// A minutes approval as it is recorded: with the checkpoint of the log before it
    /// (`tree`, every event sealed so far), which one that names a checkpoint must
    /// give; a correction of an approval keeps the approval's.
    fn approved_at(&self, event: Event, tree: &GrowingTree, pending: &[Entry]) -> Result<Event, TakeIn> {
        match event {
            Event::MinutesApproved(mut a) => {
                let root = tree.root(&self.store).map_err(|e| TakeIn::Failed(e.into()))?;
                let at = Seq(tree.size() + 1);
                rules::approval_checkpoint(&a, at, &root)?;
                a.checkpoint = Some(LogCheckpoint::of(tree.size(), &root));
                Ok(Event::MinutesApproved(a))
            }
            Event::EventCorrected(mut c) => {
                if let Some(Event::MinutesApproved(now)) = c.replacement.as_deref_mut() {
                    let target = match pending.iter().find(|e| e.seq == c.target) {
                        Some(e) => Some(e.clone()),
                        None => self.entry(c.target).map_err(TakeIn::Failed)?,
                    };
                    if let Some(Entry { event: Event::MinutesApproved(was), .. }) = target {
                        now.checkpoint = now.checkpoint.take().or(was.checkpoint);
                    }
                }
                Ok(Event::EventCorrected(c))
            }
            other => Ok(other),
        }
    }

    /// Checks one event of a batch against the working model and takes it in.
    pub(super) fn take_in(&mut self, batch: &mut Batch, entry: Entry) -> Result<(), TakeIn> {
        let mut model = std::mem::take(&mut self.model);
        let taken = match &entry.event {
            Event::EventCorrected(c) => {
                let target = match batch.pending.iter().find(|e| e.seq == c.target) {
                    Some(e) => Ok(Some(e.clone())),
                    None => self.entry(c.target),
                };
                target.map_err(TakeIn::Failed).and_then(|target| {
                    rules::check_correction(&model, target.as_ref(), &entry, c)?;
                    self.rebase(&mut model, &entry, c, &batch.pending, true)
                })
            }
            Event::BodyRedacted(r) => self.take_in_redaction(&mut model, batch, &entry, r),
            // An export's erased event with no replacement: it changes nothing.
            Event::Erased(_) if batch.erased.contains(&entry.seq) => Ok(model.apply_recorded(&entry)?),
            _ => rules::check(&model, &entry).map_err(TakeIn::from).and_then(|()| Ok(model.apply_recorded(&entry)?)),
        };
        self.model = model;
        taken?;
        batch.pending.push(entry);
        Ok(())
    }

    /// A redaction is checked as the correction it is to the state (the target replaced,
    /// or taken out), by the same re-fold. An export read back brings the target already
    /// erased (`batch.erased`): then the state took it in as erased, and there is nothing
    /// to re-fold.
    fn take_in_redaction(
        &self,
        model: &mut Model,
        batch: &Batch,
        entry: &Entry,
        r: &crate::event::BodyRedacted,
    ) -> Result<(), TakeIn> {
        let target = match batch.pending.iter().find(|e| e.seq == r.target) {
            Some(e) if batch.erased.contains(&e.seq) => Some(e.clone()),
            Some(_) => {
                return Err(TakeIn::Refused(Refusal {
                    rule: "redaction-target",
                    message: format!("seq {} is in this batch: an event is erased once it is recorded", r.target),
                    subject: None,
                }))
            }
            None => self.entry(r.target)?,
        };
        rules::check_redaction(model, target.as_ref(), entry, r)?;
        let refold = !batch.erased.contains(&r.target)
            && !matches!(target.as_ref().map(|t| &t.event), Some(Event::EventCorrected(_)));
        if refold {
            let c = crate::event::EventCorrected {
                target: r.target,
                reason: r.reason.clone(),
                replacement: r.replacement.clone(),
                effective: None,
            };
            self.rebase(model, entry, &c, &batch.pending, true)
        } else {
            Ok(model.apply_recorded(entry)?)
        }
    }

    fn check_expected(&self, expect: Option<Expect>) -> Result<(), Error> {
        let (seq, hash) = self.head().unwrap_or((Seq(0), Hash::ZERO));
        let conflict = |expected: String| Error::Conflict { expected, actual: format!("seq {seq} ({hash})") };
        match expect {
            Some(Expect::Seq(s)) if s != seq => Err(conflict(format!("seq {s}"))),
            Some(Expect::Hash(h)) if h != hash => Err(conflict(h.to_hex())),
            Some(Expect::Head(s, h)) if (s, h) != (seq, hash) => Err(conflict(format!("seq {s} ({h})"))),
            _ => Ok(()),
        }
    }
}

/// `message` with each "seq N" of an event of this batch (from `first` on, its origins
/// in order) said as the entry of the batch it is, since the refused batch writes none.
fn unwritten(message: &str, first: Seq, origins: &[String]) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find("seq ") {
        let digits: String = rest[at + 4..].chars().take_while(char::is_ascii_digit).collect();
        let cited = digits.parse::<u64>().ok().and_then(|n| n.checked_sub(first.0));
        out += &rest[..at];
        match cited.and_then(|i| origins.get(i as usize).map(|o| (i, o))) {
            Some((i, origin)) => out += &format!("entry {} of this batch, {origin}", i + 1),
            None => out += &rest[at..at + 4 + digits.len()],
        }
        rest = &rest[at + 4 + digits.len()..];
    }
    out + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seqs_of_the_refused_batch_are_said_as_its_entries() {
        let origins = ["a.toml:3".to_string(), "a.toml:9".to_string()];
        assert_eq!(
            unwritten("from 2025 (seq 11), not seq 9, nor seq 13; seq", Seq(10), &origins),
            "from 2025 (entry 2 of this batch, a.toml:9), not seq 9, nor seq 13; seq"
        );
        assert_eq!(unwritten("there is no seq 10", Seq(10), &origins), "there is no entry 1 of this batch, a.toml:3");
    }
}
