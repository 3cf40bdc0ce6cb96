//! The pure core: the state the log folds into, `apply`, and the fold that takes
//! corrections into account. No I/O and no clock: every date comes from the events.

use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId, Seq};
use crate::rules::{self, Refusal};
use crate::when::{RecordedAt, When};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A recorded event, decoded: what the fold and the queries read.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub seq: Seq,
    pub recorded_at: RecordedAt,
    pub effective: When,
    pub recorded_by: String,
    pub event: Event,
}

impl Entry {
    pub fn date(&self) -> NaiveDate {
        self.effective.date()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Organisation {
    pub name: String,
    pub short_name: Option<String>,
    pub since: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Person {
    pub name: String,
    pub title: Option<String>,
    pub affiliation: Option<OrgId>,
    pub since: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    pub group_kind: GroupKind,
    pub parent: Option<GroupId>,
    pub predecessor: Option<GroupId>,
    pub successor: Option<GroupId>,
    pub mandate: Option<String>,
    pub decision: Option<DecisionId>,
    pub established: NaiveDate,
    pub dissolved: Option<NaiveDate>,
    pub seq: Seq,
}

impl Group {
    pub fn exists_on(&self, date: NaiveDate) -> bool {
        self.established <= date && self.dissolved.is_none_or(|d| date < d)
    }
}

/// One interval of one person in one group with one role: `[start, end)`.
/// A second term, or a new role, is a new interval; nothing is overwritten.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Membership {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    pub on_behalf_of: Option<OrgId>,
    pub seat: Option<String>,
    pub substitute_for: Option<PersonId>,
    pub start: NaiveDate,
    /// First day without the membership.
    pub end: Option<NaiveDate>,
    pub decision: Option<DecisionId>,
    pub note: Option<String>,
    pub opened_by: Seq,
    pub closed_by: Option<Seq>,
}

impl Membership {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.start <= date && self.end.is_none_or(|end| date < end)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Nomination {
    pub person: PersonId,
    pub group: GroupId,
    pub role: Role,
    pub on_behalf_of: Option<OrgId>,
    pub decision: Option<DecisionId>,
    pub note: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Held,
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MinutesApproval {
    pub document_hash: Hash,
    pub document_name: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Meeting {
    pub group: GroupId,
    pub status: MeetingStatus,
    pub number: Option<u32>,
    pub meeting_kind: MeetingKind,
    pub title: Option<String>,
    pub place: Option<String>,
    pub starts_at: When,
    pub ends_at: Option<When>,
    pub announced_at: Option<MeetingId>,
    pub agenda: Vec<AgendaItem>,
    pub agenda_approved: Option<Seq>,
    pub attendees: Vec<Attendee>,
    pub item_texts: BTreeMap<u32, String>,
    pub minutes_approvals: Vec<MinutesApproval>,
    /// Every event behind this record, in log order.
    pub seqs: Vec<Seq>,
}

impl Meeting {
    pub fn date(&self) -> NaiveDate {
        self.starts_at.date()
    }

    pub fn item(&self, number: u32) -> Option<&AgendaItem> {
        self.agenda.iter().find(|i| i.number == number)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct StatusChange {
    pub status: DecisionStatus,
    pub superseded_by: Option<DecisionId>,
    pub note: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub meeting: MeetingId,
    pub item: u32,
    pub outcome: Outcome,
    pub text: String,
    pub conditions: Vec<String>,
    pub takes_effect: Option<When>,
    pub deferred: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
    pub status_history: Vec<StatusChange>,
}

impl Decision {
    /// The decision's later status as it stood on `date`.
    pub fn status_on(&self, date: NaiveDate) -> DecisionStatus {
        self.status_history.iter().rfind(|s| s.date <= date).map_or(DecisionStatus::Recorded, |s| s.status)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Completion {
    pub date: NaiveDate,
    pub note: Option<String>,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Action {
    pub meeting: MeetingId,
    pub item: u32,
    pub decision: Option<DecisionId>,
    pub owner: Party,
    pub description: String,
    pub due: Option<NaiveDate>,
    pub assigned: NaiveDate,
    pub seq: Seq,
    pub completed: Option<Completion>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Correction {
    pub seq: Seq,
    pub target: Seq,
    pub reason: String,
    pub retracted: bool,
    pub recorded_by: String,
}

/// Everything the log says, with the valid-time dates that let any query pick a day.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Model {
    pub organisations: BTreeMap<OrgId, Organisation>,
    pub people: BTreeMap<PersonId, Person>,
    pub groups: BTreeMap<GroupId, Group>,
    pub memberships: Vec<Membership>,
    pub nominations: Vec<Nomination>,
    pub meetings: BTreeMap<MeetingId, Meeting>,
    pub decisions: BTreeMap<DecisionId, Decision>,
    pub actions: BTreeMap<ActionId, Action>,
    pub corrections: Vec<Correction>,
    pub imports: Vec<ImportedFile>,
    /// Lookups derived from the above and kept by `apply`, so the rules never scan.
    #[serde(skip)]
    pub index: Index,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Index {
    memberships: HashMap<(PersonId, GroupId), Vec<usize>>,
    group_memberships: HashMap<GroupId, Vec<usize>>,
    group_decisions: HashMap<GroupId, Vec<DecisionId>>,
    decision_actions: HashMap<DecisionId, Vec<ActionId>>,
    meeting_numbers: HashMap<(GroupId, u32), MeetingId>,
    item_decisions: HashMap<(MeetingId, u32), DecisionId>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportedFile {
    pub file: String,
    pub content_hash: Hash,
    pub content: String,
    pub date: NaiveDate,
    pub seq: Seq,
}

impl Model {
    /// Every interval `person` has held in `group`, oldest first.
    pub fn memberships_of<'m>(
        &'m self,
        person: &PersonId,
        group: &GroupId,
    ) -> impl Iterator<Item = &'m Membership> + 'm {
        let at = self.index.memberships.get(&(person.clone(), group.clone())).map_or(&[][..], |v| &v[..]);
        at.iter().map(|&i| &self.memberships[i])
    }

    /// The meeting a group numbered `number`, if any.
    pub fn meeting_numbered(&self, group: &GroupId, number: u32) -> Option<&MeetingId> {
        self.index.meeting_numbers.get(&(group.clone(), number))
    }

    /// The decision recorded on an item, if any.
    pub fn decision_on_item(&self, meeting: &MeetingId, item: u32) -> Option<&DecisionId> {
        self.index.item_decisions.get(&(meeting.clone(), item))
    }

    /// Every interval ever held in `group`.
    pub fn group_memberships<'m>(&'m self, group: &GroupId) -> impl Iterator<Item = &'m Membership> + 'm {
        let at = self.index.group_memberships.get(group).map_or(&[][..], |v| &v[..]);
        at.iter().map(|&i| &self.memberships[i])
    }

    /// The ids of the actions that follow from a decision.
    pub fn decision_actions(&self, decision: &DecisionId) -> &[ActionId] {
        self.index.decision_actions.get(decision).map_or(&[][..], |v| &v[..])
    }

    /// The ids of every decision taken at a meeting of `group`.
    pub fn group_decisions(&self, group: &GroupId) -> &[DecisionId] {
        self.index.group_decisions.get(group).map_or(&[][..], |v| &v[..])
    }

    fn add_membership(&mut self, m: Membership) {
        self.index.memberships.entry((m.person.clone(), m.group.clone())).or_default().push(self.memberships.len());
        self.index.group_memberships.entry(m.group.clone()).or_default().push(self.memberships.len());
        self.memberships.push(m);
    }

    /// The interval of `person` in `group` that is still open, if any.
    pub fn open_membership(&mut self, person: &PersonId, group: &GroupId) -> Option<&mut Membership> {
        let i = *self
            .index
            .memberships
            .get(&(person.clone(), group.clone()))?
            .iter()
            .find(|&&i| self.memberships[i].end.is_none())?;
        Some(&mut self.memberships[i])
    }

    /// Applies one event that the rules have accepted. Corrections are not applied here:
    /// the fold applies them by replacing the event they correct.
    pub fn apply(&mut self, entry: &Entry) {
        let (seq, date) = (entry.seq, entry.date());
        match &entry.event {
            Event::OrganisationRegistered(e) => {
                self.organisations.insert(
                    e.organisation.clone(),
                    Organisation { name: e.name.clone(), short_name: e.short_name.clone(), since: date, seq },
                );
            }
            Event::PersonRegistered(e) => {
                self.people.insert(
                    e.person.clone(),
                    Person {
                        name: e.name.clone(),
                        title: e.title.clone(),
                        affiliation: e.affiliation.clone(),
                        since: date,
                        seq,
                    },
                );
            }
            Event::GroupEstablished(e) => {
                if let Some(p) = e.predecessor.as_ref().and_then(|p| self.groups.get_mut(p)) {
                    p.successor = Some(e.group.clone());
                }
                self.groups.insert(
                    e.group.clone(),
                    Group {
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
                    },
                );
            }
            Event::GroupDissolved(e) => {
                if let Some(g) = self.groups.get_mut(&e.group) {
                    g.dissolved = Some(date);
                    if e.successor.is_some() {
                        g.successor = e.successor.clone();
                    }
                }
            }
            Event::MemberNominated(e) => self.nominations.push(Nomination {
                person: e.person.clone(),
                group: e.group.clone(),
                role: e.role,
                on_behalf_of: e.on_behalf_of.clone(),
                decision: e.decision.clone(),
                note: e.note.clone(),
                date,
                seq,
            }),
            Event::MemberJoined(e) => self.add_membership(Membership {
                person: e.person.clone(),
                group: e.group.clone(),
                role: e.role,
                on_behalf_of: e.on_behalf_of.clone(),
                seat: e.seat.clone(),
                substitute_for: e.substitute_for.clone(),
                start: date,
                end: None,
                decision: e.decision.clone(),
                note: e.note.clone(),
                opened_by: seq,
                closed_by: None,
            }),
            Event::MemberRoleChanged(e) => {
                if let Some(current) = self.open_membership(&e.person, &e.group) {
                    current.end = Some(date);
                    current.closed_by = Some(seq);
                    let next = Membership {
                        role: e.role,
                        start: date,
                        end: None,
                        decision: e.decision.clone(),
                        note: e.note.clone(),
                        opened_by: seq,
                        closed_by: None,
                        ..current.clone()
                    };
                    self.add_membership(next);
                }
            }
            Event::MemberLeft(e) => {
                if let Some(current) = self.open_membership(&e.person, &e.group) {
                    current.end = Some(date);
                    current.closed_by = Some(seq);
                }
            }
            Event::MeetingScheduled(e) => {
                self.meetings.insert(
                    e.meeting.clone(),
                    Meeting {
                        group: e.group.clone(),
                        status: MeetingStatus::Scheduled,
                        number: None,
                        meeting_kind: e.meeting_kind,
                        title: None,
                        place: e.place.clone(),
                        starts_at: e.starts_at,
                        ends_at: e.ends_at,
                        announced_at: e.announced_at.clone(),
                        agenda: Vec::new(),
                        agenda_approved: None,
                        attendees: Vec::new(),
                        item_texts: BTreeMap::new(),
                        minutes_approvals: Vec::new(),
                        seqs: vec![seq],
                    },
                );
            }
            Event::MeetingHeld(e) => {
                let m = self.meetings.entry(e.meeting.clone()).or_insert_with(|| Meeting {
                    group: e.group.clone(),
                    status: MeetingStatus::Held,
                    number: None,
                    meeting_kind: e.meeting_kind,
                    title: None,
                    place: None,
                    starts_at: e.starts_at,
                    ends_at: None,
                    announced_at: None,
                    agenda: Vec::new(),
                    agenda_approved: None,
                    attendees: Vec::new(),
                    item_texts: BTreeMap::new(),
                    minutes_approvals: Vec::new(),
                    seqs: Vec::new(),
                });
                m.status = MeetingStatus::Held;
                m.number = Some(e.number);
                self.index.meeting_numbers.insert((e.group.clone(), e.number), e.meeting.clone());
                m.meeting_kind = e.meeting_kind;
                m.title = e.title.clone();
                m.place = e.place.clone();
                m.starts_at = e.starts_at;
                m.ends_at = e.ends_at;
                m.seqs.push(seq);
            }
            Event::AgendaSet(e) => self.with_meeting(&e.meeting, seq, |m| m.agenda = e.items.clone()),
            Event::AgendaApproved(e) => self.with_meeting(&e.meeting, seq, |m| m.agenda_approved = Some(seq)),
            Event::AttendanceRecorded(e) => self.with_meeting(&e.meeting, seq, |m| m.attendees = e.attendees.clone()),
            Event::ItemMinuted(e) => self.with_meeting(&e.meeting, seq, |m| {
                m.item_texts.insert(e.item, e.text.clone());
            }),
            Event::DecisionRecorded(e) => {
                self.with_meeting(&e.meeting, seq, |_| {});
                self.index.item_decisions.insert((e.meeting.clone(), e.item), e.decision.clone());
                if let Some(g) = self.meetings.get(&e.meeting).map(|m| m.group.clone()) {
                    self.index.group_decisions.entry(g).or_default().push(e.decision.clone());
                }
                self.decisions.insert(
                    e.decision.clone(),
                    Decision {
                        meeting: e.meeting.clone(),
                        item: e.item,
                        outcome: e.outcome,
                        text: e.text.clone(),
                        conditions: e.conditions.clone(),
                        takes_effect: e.takes_effect,
                        deferred: e.deferred.clone(),
                        date,
                        seq,
                        status_history: Vec::new(),
                    },
                );
            }
            Event::DecisionStatusChanged(e) => {
                if let Some(d) = self.decisions.get_mut(&e.decision) {
                    d.status_history.push(StatusChange {
                        status: e.status,
                        superseded_by: e.superseded_by.clone(),
                        note: e.note.clone(),
                        date,
                        seq,
                    });
                    d.status_history.sort_by_key(|s| (s.date, s.seq));
                }
            }
            Event::ActionAssigned(e) => {
                self.with_meeting(&e.meeting, seq, |_| {});
                if let Some(d) = &e.decision {
                    self.index.decision_actions.entry(d.clone()).or_default().push(e.action.clone());
                }
                self.actions.insert(
                    e.action.clone(),
                    Action {
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
                );
            }
            Event::ActionCompleted(e) => {
                if let Some(a) = self.actions.get_mut(&e.action) {
                    a.completed = Some(Completion { date, note: e.note.clone(), seq });
                }
            }
            Event::MinutesApproved(e) => self.with_meeting(&e.meeting, seq, |m| {
                m.minutes_approvals.push(MinutesApproval {
                    document_hash: e.document_hash,
                    document_name: e.document_name.clone(),
                    date,
                    seq,
                })
            }),
            Event::FileImported(e) => self.imports.push(ImportedFile {
                file: e.file.clone(),
                content_hash: e.content_hash,
                content: e.content.clone(),
                date,
                seq,
            }),
            Event::EventCorrected(_) => {}
        }
    }

    fn with_meeting(&mut self, id: &MeetingId, seq: Seq, f: impl FnOnce(&mut Meeting)) {
        if let Some(m) = self.meetings.get_mut(id) {
            m.seqs.push(seq);
            f(m);
        }
    }
}

/// The log so far and the state it folds into. Appending checks the rules; a correction
/// re-folds the whole log with the corrected event in its place and is refused if that
/// would leave any later event breaking a rule.
#[derive(Clone, Debug, Default)]
pub struct History {
    entries: Vec<Entry>,
    model: Model,
}

impl History {
    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn head_seq(&self) -> Seq {
        Seq(self.entries.len() as u64)
    }

    pub fn entry(&self, seq: Seq) -> Option<&Entry> {
        seq.0.checked_sub(1).and_then(|i| self.entries.get(i as usize))
    }

    /// Checks `entry` against the state and takes it in, or leaves everything as it was.
    pub fn push(&mut self, entry: Entry) -> Result<(), Refusal> {
        assert_eq!(entry.seq, self.head_seq().next(), "entries arrive in seq order");
        if let Event::EventCorrected(c) = &entry.event {
            rules::check_correction(self, &entry, c)?;
            let mut entries = self.entries.clone();
            entries.push(entry);
            *self = History::fold(entries, true).map_err(|(seq, refusal)| Refusal {
                rule: "correction-breaks-later-event",
                message: format!("the correction would leave seq {seq} breaking a rule: {}", refusal.message),
            })?;
            return Ok(());
        }
        rules::check(&self.model, &entry)?;
        self.model.apply(&entry);
        self.entries.push(entry);
        Ok(())
    }

    /// Folds a whole log (as of any seq) into its state, applying its corrections.
    /// With `checked`, every event is checked against the state before it, and the first
    /// refusal is returned with its seq.
    pub fn fold(entries: Vec<Entry>, checked: bool) -> Result<History, (Seq, Refusal)> {
        let mut latest: HashMap<Seq, &Entry> = HashMap::new();
        for e in &entries {
            if let Event::EventCorrected(c) = &e.event {
                latest.insert(c.target, e);
            }
        }
        let mut model = Model::default();
        for entry in &entries {
            let corrected;
            let effective_entry = match (&entry.event, latest.get(&entry.seq)) {
                (Event::EventCorrected(c), _) => {
                    model.corrections.push(Correction {
                        seq: entry.seq,
                        target: c.target,
                        reason: c.reason.clone(),
                        retracted: c.replacement.is_none(),
                        recorded_by: entry.recorded_by.clone(),
                    });
                    continue;
                }
                (_, None) => entry,
                (_, Some(by)) => {
                    let Event::EventCorrected(c) = &by.event else { unreachable!("only corrections are indexed") };
                    let Some(replacement) = &c.replacement else {
                        continue;
                    };
                    corrected = Entry {
                        event: (**replacement).clone(),
                        effective: c.effective.unwrap_or(entry.effective),
                        ..entry.clone()
                    };
                    &corrected
                }
            };
            if checked {
                rules::check(&model, effective_entry).map_err(|r| (entry.seq, r))?;
            }
            model.apply(effective_entry);
        }
        Ok(History { entries, model })
    }

    /// Forgets everything after `seq`: used to roll back a batch that was not written.
    pub fn truncate(&mut self, seq: Seq) {
        if seq < self.head_seq() {
            *self = self.known_at(seq);
        }
    }

    /// The history as the ledger knew it after `seq` (transaction time).
    pub fn known_at(&self, seq: Seq) -> History {
        let n = (seq.0 as usize).min(self.entries.len());
        History::fold(self.entries[..n].to_vec(), false).expect("an unchecked fold cannot refuse")
    }

    /// The last seq recorded at or before `instant`.
    pub fn seq_at_instant(&self, instant: RecordedAt) -> Seq {
        Seq(self.entries.partition_point(|e| e.recorded_at <= instant) as u64)
    }
}
