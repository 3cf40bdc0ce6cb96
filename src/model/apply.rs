//! `apply`: how each event changes the projection, and the history it leaves (each
//! key's version and the event's undo record) for views of the past and `rewind`.
//! Reads the state as it writes it, and a failed read stops the event. Over 400 lines:
//! it is the one match over the event catalogue, each arm what that event does.

use super::keys::{hex_seq, hex_u32, key, DecisionAt};
use super::*;
use crate::event::*;
use crate::ids::{DecisionId, MeetingId, Seq};
use crate::kv::ReadError;

impl Model {
    fn add_membership(&mut self, m: &Membership) -> Result<(), ReadError> {
        let seq = hex_seq(m.opened_by);
        self.mark(key(&["memp", m.person.as_str(), m.group.as_str(), &seq]))?;
        if let Some(org) = &m.on_behalf_of {
            self.mark(key(&["orgm", org.as_str(), m.group.as_str(), &seq]))?;
        }
        self.save(key(&["mem", m.group.as_str(), &seq]), m)?;
        self.count_members(&m.group)
    }

    /// Notes that the event at `seq` belongs to meeting `id`, if it exists.
    fn meeting_event(&mut self, id: &MeetingId, seq: Seq) -> Result<bool, ReadError> {
        let exists = self.meeting_exists(id)?;
        if exists {
            self.mark(key(&["meets", id.as_str(), &hex_seq(seq)]))?;
        }
        Ok(exists)
    }

    /// Applies one event that the rules have accepted. Of a correction, only its own
    /// record: the event it corrects is replaced where the log is replayed (`fold`,
    /// and the ledger's rebase).
    pub fn apply(&mut self, entry: &Entry) -> Result<(), ReadError> {
        let (seq, date) = (entry.seq, entry.date());
        self.index(entry)?;
        match &entry.event {
            Event::OrganisationRegistered(e) => self.save(
                key(&["org", e.organisation.as_str()]),
                &Organisation { name: e.name.clone(), short_name: e.short_name.clone(), since: date, seq },
            )?,
            Event::PersonRegistered(e) => {
                self.affiliated(&e.person, e.affiliation.as_ref())?;
                self.save(
                    key(&["person", e.person.as_str()]),
                    &Person {
                        name: e.name.clone(),
                        title: e.title.clone(),
                        affiliation: e.affiliation.clone(),
                        since: date,
                        seq,
                        names: Vec::new(),
                        aliases: Vec::new(),
                        affiliations: Vec::new(),
                    },
                )?
            }
            Event::PersonRenamed(e) => self.rename(e, date, seq)?,
            Event::PersonAliasRecorded(e) => self.add_alias(e)?,
            Event::AffiliationChanged(e) => self.change_affiliation(e, date, seq)?,
            Event::LeaveOfAbsenceBegan(e) => self.begin_leave(e, date, seq)?,
            Event::LeaveOfAbsenceEnded(e) => self.end_leave(e, date, seq)?,
            Event::GroupEstablished(e) => {
                if let Some(p) = &e.predecessor {
                    if let Some(mut g) = self.group(p)? {
                        g.successor = Some(e.group.clone());
                        self.save(key(&["group", p.as_str()]), &g)?;
                    }
                }
                self.save(
                    key(&["group", e.group.as_str()]),
                    &Group {
                        name: e.name.clone(),
                        group_kind: e.group_kind,
                        parent: e.parent.clone(),
                        predecessor: e.predecessor.clone(),
                        successor: None,
                        mandate: e.mandate.clone(),
                        decision: e.decision.clone(),
                        established: date,
                        dissolved: None,
                        seq,
                        seats: Vec::new(),
                    },
                )?;
            }
            Event::GroupDissolved(e) => {
                if let Some(mut g) = self.group(&e.group)? {
                    g.dissolved = Some(date);
                    if e.successor.is_some() {
                        g.successor = e.successor.clone();
                    }
                    self.save(key(&["group", e.group.as_str()]), &g)?;
                }
            }
            Event::SeatsDeclared(e) => {
                if let Some(mut g) = self.group(&e.group)? {
                    g.seats.push(Seats {
                        seats: e.seats,
                        per_constituency: e.per_constituency,
                        enforced: e.enforced,
                        date,
                        seq,
                    });
                    g.seats.sort_by_key(|s| (s.date, s.seq));
                    self.save(key(&["group", e.group.as_str()]), &g)?;
                }
            }
            Event::MemberNominated(e) => {
                self.mark(key(&["nomp", e.person.as_str(), e.group.as_str(), &hex_seq(seq)]))?;
                self.save(
                    key(&["nom", e.group.as_str(), &hex_seq(seq)]),
                    &Nomination {
                        person: e.person.clone(),
                        group: e.group.clone(),
                        role: e.role,
                        on_behalf_of: e.on_behalf_of.clone(),
                        decision: e.decision.clone(),
                        note: e.note.clone(),
                        date,
                        seq,
                    },
                )?
            }
            Event::MemberJoined(e) => self.add_membership(&Membership {
                person: e.person.clone(),
                group: e.group.clone(),
                role: e.role,
                rank: e.rank,
                on_behalf_of: e.on_behalf_of.clone(),
                seat: e.seat.clone(),
                substitute_for: e.substitute_for.clone(),
                start: date,
                end: None,
                decision: e.decision.clone(),
                note: e.note.clone(),
                opened_by: seq,
                closed_by: None,
            })?,
            Event::MemberRoleChanged(e) => {
                if let Some(mut current) = self.open_membership(&e.person, &e.group, e.from_role)? {
                    current.end = Some(date);
                    current.closed_by = Some(seq);
                    self.add_membership(&current)?;
                    // A substitute made a member stands in for nobody any more.
                    let substitute_for = current.substitute_for.clone().filter(|_| e.role == Role::Substitute);
                    self.add_membership(&Membership {
                        role: e.role,
                        rank: e.rank,
                        substitute_for,
                        start: date,
                        end: None,
                        decision: e.decision.clone(),
                        note: e.note.clone(),
                        opened_by: seq,
                        closed_by: None,
                        ..current
                    })?;
                }
            }
            Event::MemberLeft(e) => {
                if let Some(mut current) = self.open_membership(&e.person, &e.group, e.role)? {
                    current.end = Some(date);
                    current.closed_by = Some(seq);
                    self.add_membership(&current)?;
                }
            }
            Event::MeetingScheduled(e) => {
                let before = self.load::<Meeting>(&key(&["meet", e.meeting.as_str()]))?.map(|m| m.date());
                self.date_meeting(&e.meeting, before, e.starts_at.date())?;
                self.mark(key(&["meets", e.meeting.as_str(), &hex_seq(seq)]))?;
                self.mark(key(&["meetg", e.group.as_str(), e.meeting.as_str()]))?;
                if let Some(a) = &e.announced_at {
                    self.mark(key(&["meeta", a.as_str(), e.meeting.as_str()]))?;
                }
                self.save(
                    key(&["meet", e.meeting.as_str()]),
                    &Meeting {
                        place: e.place.clone(),
                        ends_at: e.ends_at,
                        announced_at: e.announced_at.clone(),
                        announced_as: Some(Announced {
                            starts_at: e.starts_at,
                            ends_at: e.ends_at,
                            place: e.place.clone(),
                        }),
                        ..Meeting::new(e.group.clone(), MeetingStatus::Scheduled, e.meeting_kind, e.starts_at)
                    },
                )?;
            }
            Event::MeetingHeld(e) => {
                let loaded: Option<Meeting> = self.load(&key(&["meet", e.meeting.as_str()]))?;
                let before = loaded.as_ref().map(Meeting::date);
                let mut m = loaded
                    .unwrap_or_else(|| Meeting::new(e.group.clone(), MeetingStatus::Held, e.meeting_kind, e.starts_at));
                self.date_meeting(&e.meeting, before, e.starts_at.date())?;
                m.status = MeetingStatus::Held;
                m.number = e.number;
                m.meeting_kind = e.meeting_kind;
                m.title = e.title.clone();
                m.place = e.place.clone();
                m.starts_at = e.starts_at;
                m.ends_at = e.ends_at;
                if let Some(n) = e.number {
                    let kind = name_of(&e.meeting_kind);
                    self.save(key(&["meetn", e.group.as_str(), &hex_u32(n), &kind]), &e.meeting)?;
                }
                self.mark(key(&["meetg", m.group.as_str(), e.meeting.as_str()]))?;
                self.mark(key(&["meets", e.meeting.as_str(), &hex_seq(seq)]))?;
                self.save(key(&["meet", e.meeting.as_str()]), &m)?;
            }
            Event::AgendaSet(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    self.save(key(&["meetag", e.meeting.as_str()]), &e.items)?;
                    self.refresh_decisions(&e.meeting)?;
                }
            }
            Event::AgendaApproved(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    if let Some(mut m) = self.load::<Meeting>(&key(&["meet", e.meeting.as_str()]))? {
                        m.agenda_approved = Some(seq);
                        self.save(key(&["meet", e.meeting.as_str()]), &m)?;
                    }
                }
            }
            Event::AttendanceRecorded(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    for a in &e.attendees {
                        self.mark(key(&["att", a.person.as_str(), e.meeting.as_str()]))?;
                    }
                    self.save(key(&["meetat", e.meeting.as_str()]), &e.attendees)?;
                }
            }
            Event::ItemMinuted(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    self.save(key(&["meett", e.meeting.as_str(), &hex_u32(e.item)]), &e.text)?;
                }
            }
            Event::DecisionRecorded(e) => {
                let Some(mt) = self.meeting_head(&e.meeting)? else { return Ok(()) };
                self.mark(key(&["meets", e.meeting.as_str(), &hex_seq(seq)]))?;
                self.save(key(&["deci", e.meeting.as_str(), &hex_u32(e.item), &hex_seq(seq)]), &e.decision)?;
                self.save_decision(
                    &e.decision,
                    &Decision {
                        meeting: e.meeting.clone(),
                        group: mt.group.clone(),
                        meeting_number: mt.number,
                        meeting_kind: mt.meeting_kind,
                        item: e.item,
                        item_title: mt.item(e.item).map(|i| i.title.clone()).unwrap_or_default(),
                        outcome: e.outcome,
                        text: e.text.clone(),
                        conditions: e.conditions.clone(),
                        takes_effect: e.takes_effect,
                        deferred: e.deferred.clone(),
                        votes: e.votes.clone(),
                        date,
                        seq,
                        status_history: Vec::new(),
                        actions: Vec::new(),
                    },
                )?;
            }
            Event::DecisionStatusChanged(e) => {
                if let Some(mut d) = self.decision(&e.decision)? {
                    d.status_history.push(StatusChange {
                        status: e.status,
                        superseded_by: e.superseded_by.clone(),
                        note: e.note.clone(),
                        date,
                        seq,
                    });
                    d.status_history.sort_by_key(|s| (s.date, s.seq));
                    self.save_decision(&e.decision, &d)?;
                }
            }
            Event::ActionAssigned(e) => {
                if !self.meeting_event(&e.meeting, seq)? {
                    return Ok(());
                }
                if let Some(id) = &e.decision {
                    if let Some(mut d) = self.decision(id)? {
                        d.actions.push((e.action.clone(), date));
                        self.save_decision(id, &d)?;
                    }
                }
                self.save(key(&["actm", e.meeting.as_str(), &hex_seq(seq)]), &e.action)?;
                self.save(key(&["acto", &date.to_string(), &hex_seq(seq)]), &e.action)?;
                self.count_open_actions(1)?;
                self.save(
                    key(&["act", e.action.as_str()]),
                    &Action {
                        meeting: e.meeting.clone(),
                        item: e.item,
                        decision: e.decision.clone(),
                        owner: e.owner.clone(),
                        description: e.description.clone(),
                        due: e.due,
                        assigned: date,
                        seq,
                        completed: None,
                    },
                )?;
            }
            Event::ActionCompleted(e) => {
                if let Some(mut a) = self.action(&e.action)? {
                    match &a.completed {
                        Some(c) => self.unmark(key(&["actc", &c.date.to_string(), &hex_seq(c.seq)]))?,
                        None => {
                            self.unmark(key(&["acto", &a.assigned.to_string(), &hex_seq(a.seq)]))?;
                            self.count_open_actions(-1)?;
                        }
                    }
                    self.save(key(&["actc", &date.to_string(), &hex_seq(seq)]), &e.action)?;
                    a.completed = Some(Completion { date, note: e.note.clone(), seq });
                    self.save(key(&["act", e.action.as_str()]), &a)?;
                }
            }
            Event::MinutesApproved(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    self.approve_minutes(e, date, seq)?;
                }
            }
            Event::MinutesCirculated(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    self.circulate_minutes(e, date, seq)?;
                }
            }
            Event::MinutesReopened(e) => {
                if self.meeting_event(&e.meeting, seq)? {
                    self.reopen_minutes(e, date, seq)?;
                }
            }
            Event::FileImported(e) => {
                let at = hex_seq(seq);
                if self.kv.get(&key(&["fileh", &e.content_hash.to_hex()]))?.is_none() {
                    self.save(key(&["fileh", &e.content_hash.to_hex()]), &seq)?;
                }
                if self.kv.get(&key(&["filen", &e.file]))?.is_none() {
                    self.save(key(&["filen", &e.file]), &seq)?;
                }
                self.save(
                    key(&["file", &at]),
                    &ImportedFile {
                        file: e.file.clone(),
                        content_hash: e.content_hash,
                        content: e.content.clone(),
                        date,
                        seq,
                    },
                )?;
            }
            Event::EventCorrected(c) => self.note_correction(entry, c)?,
            Event::BodyRedacted(r) => self.save(
                key(&["eras", &hex_seq(r.target)]),
                &Erasure {
                    seq: entry.seq,
                    target: r.target,
                    reason: r.reason.clone(),
                    recorded_by: entry.recorded_by.clone(),
                    recorded_at: entry.recorded_at,
                    replaced: r.replacement.is_some(),
                },
            )?,
            // An erased body with no replacement changes nothing.
            Event::Erased(_) => {}
        }
        Ok(())
    }

    /// Takes in a correction's own record (what it does to the event it corrects is
    /// applied by replaying the log with the replacement in its place).
    /// Keeps a meeting's `meetd/DATE/ID` at the day it is (to be) held.
    fn date_meeting(
        &mut self,
        id: &MeetingId,
        before: Option<chrono::NaiveDate>,
        day: chrono::NaiveDate,
    ) -> Result<(), ReadError> {
        if let Some(before) = before.filter(|b| *b != day) {
            self.unmark(key(&["meetd", &before.to_string(), id.as_str()]))?;
        }
        self.mark(key(&["meetd", &day.to_string(), id.as_str()]))
    }

    /// How many actions have no completion recorded: the home page's count, without
    /// reading them.
    fn count_open_actions(&mut self, by: i64) -> Result<(), ReadError> {
        let now: i64 = self.load(b"count/acto")?.unwrap_or(0);
        let next = now + by;
        if next < 0 {
            return Err(damaged(b"count/acto", "fewer than no open actions"));
        }
        self.save(b"count/acto".to_vec(), &next)
    }

    fn note_correction(&mut self, entry: &Entry, c: &EventCorrected) -> Result<(), ReadError> {
        let retracted = c.retracts();
        if retracted {
            self.mark(key(&["retr", &hex_seq(c.target)]))?;
        }
        self.mark(key(&["corrt", &hex_seq(c.target), &hex_seq(entry.seq)]))?;
        self.save(
            key(&["corr", &hex_seq(entry.seq)]),
            &Correction {
                seq: entry.seq,
                target: c.target,
                reason: c.reason.clone(),
                retracted,
                recorded_by: entry.recorded_by.clone(),
            },
        )
    }

    /// Writes a decision's rows, one per register order (see `decisions_by_date`), and
    /// where they are.
    fn save_decision(&mut self, id: &DecisionId, d: &Decision) -> Result<(), ReadError> {
        let at = DecisionAt { group: d.group.clone(), date: d.date, seq: d.seq, outcome: d.outcome };
        for k in at.row_keys() {
            self.save(k, &(id, d))?;
        }
        self.save(at.by_date_key(), &at.group)?;
        self.save(key(&["dec", id.as_str()]), &at)
    }

    /// Brings the item titles in a meeting's decisions up to date with its agenda.
    fn refresh_decisions(&mut self, meeting: &MeetingId) -> Result<(), ReadError> {
        let Some(mt) = self.meeting_head(meeting)? else { return Ok(()) };
        for id in self.meeting_decisions(meeting)? {
            let Some(mut d) = self.decision(&id)? else { continue };
            let title = mt.item(d.item).map(|i| i.title.clone()).unwrap_or_default();
            if d.item_title != title {
                d.item_title = title;
                self.save_decision(&id, &d)?;
            }
        }
        Ok(())
    }
}
