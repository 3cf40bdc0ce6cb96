//! The rules of the minutes' life: approved minutes lock their meeting's record, which
//! then changes only by a correction or after the minutes are reopened, with a reason.

use super::refs::*;
use super::RuleError;
use crate::event::*;
use crate::ids::MeetingId;
use crate::model::{MinutesStatus, Model};
use chrono::NaiveDate;

/// The meeting whose record an event changes (its agenda, attendance, texts, decisions,
/// actions, or the draft's circulation), if it is such an event.
pub(super) fn record_changed(event: &Event) -> Option<&MeetingId> {
    match event {
        Event::AgendaSet(e) => Some(&e.meeting),
        Event::AgendaApproved(e) => Some(&e.meeting),
        Event::AttendanceRecorded(e) => Some(&e.meeting),
        Event::ItemMinuted(e) => Some(&e.meeting),
        Event::DecisionRecorded(e) => Some(&e.meeting),
        Event::ActionAssigned(e) => Some(&e.meeting),
        Event::MinutesCirculated(e) => Some(&e.meeting),
        _ => None,
    }
}

/// A meeting's record is open to change unless its minutes are approved.
pub(super) fn unlocked(m: &Model, id: &MeetingId) -> Result<(), RuleError> {
    let Some(mt) = m.meeting_head(id)? else { return Ok(()) };
    if let MinutesStatus::Approved { date, seq } = mt.minutes_status() {
        return refuse(
            "minutes-locked",
            format!(
                "the minutes of {id:?} were approved on {date} (seq {seq}): the record changes only by a correction \
                 (EventCorrected, with its reason) or after MinutesReopened"
            ),
        );
    }
    Ok(())
}

pub(super) fn approved(m: &Model, e: &MinutesApproved, date: NaiveDate) -> Result<(), RuleError> {
    meeting(m, &e.meeting, date, true)?;
    opt(&e.document_name, |s| name("document_name", s))?;
    if let Some(at) = &e.at_meeting {
        let mt = meeting(m, at, date, true)?;
        opt(&e.item, |i| item(&mt, at, *i))?;
    } else if e.item.is_some() {
        return refuse("unknown-reference", "an approval's item is an item of its at_meeting: give at_meeting");
    }
    if let Some(d) = &e.decision {
        decision(m, d, date)?;
        let dec = m.decision(d)?;
        if let (Some(dec), Some(at)) = (dec, &e.at_meeting) {
            if &dec.meeting != at || e.item.is_some_and(|i| i != dec.item) {
                return refuse(
                    "action-decision-mismatch",
                    format!("decision {d:?} belongs to item {} of {:?}", dec.item, dec.meeting),
                );
            }
        }
    }
    Ok(())
}

pub(super) fn circulated(m: &Model, e: &MinutesCirculated, date: NaiveDate) -> Result<(), RuleError> {
    meeting(m, &e.meeting, date, true)?;
    opt(&e.note, |s| text("note", s))
}

pub(super) fn reopened(m: &Model, e: &MinutesReopened, date: NaiveDate) -> Result<(), RuleError> {
    let mt = meeting(m, &e.meeting, date, true)?;
    text("reason", &e.reason)?;
    if mt.minutes_status().locked_by().is_none() {
        return refuse(
            "minutes-not-approved",
            format!("the minutes of {:?} are not approved: nothing to reopen", e.meeting),
        );
    }
    Ok(())
}

/// An approval records the log as it stood before it: the tree of the `seq - 1` events
/// recorded before it, whose root is `root`. One recorded before the field was has none.
pub fn approval_checkpoint(
    e: &MinutesApproved,
    seq: crate::ids::Seq,
    root: &crate::merkle::TreeHash,
) -> Result<(), RuleError> {
    let Some(given) = &e.checkpoint else { return Ok(()) };
    let before = LogCheckpoint::of(seq.0 - 1, root);
    if given != &before {
        return refuse(
            "approval-checkpoint",
            format!(
                "the approval records the log at {} events, root {}; the log before it is {} events, root {}",
                given.size, given.root, before.size, before.root
            ),
        );
    }
    Ok(())
}
