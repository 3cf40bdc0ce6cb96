//! Corrections: an `EventCorrected` takes effect by stepping the state back to before
//! the earliest event it affects and replaying the log from there with every
//! correction in place; an erratum in a minuted text is changed in place.

use super::{Ledger, TakeIn};
use crate::event::{Event, EventCorrected};
use crate::ids::Seq;
use crate::model::{as_corrected, Correction, Entry, Model};
use crate::rules::{self, Refusal, RuleError};

impl Ledger {
    /// Takes in a correction: steps `model` back, by the undo records, to before the
    /// earliest event it affects (its target, or earlier if a correction since cites an
    /// earlier event), replays the log from there with every correction in place (checking
    /// each event again, with `checked`), and records all that changed as the
    /// correction's undo record. Costs the events after the target, not the whole log.
    /// `pending` holds the batch's events not yet stored.
    pub(super) fn rebase(
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
        let mut corrections = model.corrections()?;
        corrections.push(Correction {
            seq: entry.seq,
            target: c.target,
            reason: c.reason.clone(),
            retracted: c.retracts(),
            recorded_by: entry.recorded_by.clone(),
        });
        let mut from = c.target;
        while let Some(t) = corrections.iter().filter(|x| x.seq > from).map(|x| x.target).min().filter(|t| *t < from) {
            from = t;
        }
        let pending_too: Vec<Entry> = pending.iter().cloned().chain([entry.clone()]).collect();
        let latest = self.corrections_upto(&corrections, entry.seq, &pending_too)?;
        model.begin_undo(entry.seq);
        model.rewind(head, Seq(from.0 - 1))?;
        let stored_until = self.head_seq().min(head);
        let replay = self.entries(from, stored_until).chain(pending.iter().filter(|e| e.seq >= from).cloned().map(Ok));
        for e in replay {
            let e = e?;
            let Some(effective) = as_corrected(&e, &latest) else { continue };
            if checked
                && !matches!(effective.event, Event::EventCorrected(_) | Event::BodyRedacted(_) | Event::Erased(_))
            {
                rules::check(model, &effective).map_err(|e| match e {
                    RuleError::Refused(refusal) => TakeIn::Refused(Refusal {
                        subject: None,
                        rule: "correction-breaks-later-event",
                        message: format!(
                            "the correction would leave seq {} breaking a rule: {}",
                            effective.seq, refusal.message
                        ),
                    }),
                    read => read.into(),
                })?;
            }
            model.apply(&effective)?;
        }
        model.apply(entry)?;
        model.end_undo()?;
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
        if (&old.meeting, old.item) != (&new.meeting, new.item) || model.is_corrected(c.target)? {
            return Ok(false);
        }
        let Some(meeting) = model.meeting(&new.meeting)? else { return Ok(false) };
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
            rules::check_replacement(model, &corrected)?;
        }
        model.begin_undo(entry.seq);
        model.apply(&corrected)?;
        model.apply(entry)?;
        model.end_undo()?;
        Ok(true)
    }
}
