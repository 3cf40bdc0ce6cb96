//! The pure core: the state the log folds into, `apply`, and the fold that takes
//! corrections into account. No I/O and no clock: every date comes from the events.

use crate::event::*;
use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId, Seq};
use crate::kv::Kv;
use crate::rules::{self, Refusal};
use crate::when::{RecordedAt, When};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub short_name: Option<String>,
    pub since: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub title: Option<String>,
    pub affiliation: Option<OrgId>,
    pub since: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Held,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MinutesApproval {
    pub document_hash: Hash,
    pub document_name: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
    pub agenda_approved: Option<Seq>,
    /// This and the fields below are kept under keys of their own, so that an event
    /// writes only what it changes (and its undo record stays small); filled in on reading.
    #[serde(skip)]
    pub agenda: Vec<AgendaItem>,
    #[serde(skip)]
    pub attendees: Vec<Attendee>,
    #[serde(skip)]
    pub minutes_approvals: Vec<MinutesApproval>,
    #[serde(skip)]
    pub item_texts: BTreeMap<u32, String>,
    /// Every event behind this record, in log order; kept and filled in like `item_texts`.
    #[serde(skip)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct StatusChange {
    pub status: DecisionStatus,
    pub superseded_by: Option<DecisionId>,
    pub note: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub meeting: MeetingId,
    /// The meeting's group and number and the item's title, kept with the decision so
    /// that a page of the register is one scan of its rows. The group and number are
    /// fixed before any decision (a decision needs its meeting held); the title is
    /// brought up to date when the agenda is set again.
    pub group: GroupId,
    pub meeting_number: Option<u32>,
    pub item: u32,
    pub item_title: String,
    pub outcome: Outcome,
    pub text: String,
    pub conditions: Vec<String>,
    pub takes_effect: Option<When>,
    pub deferred: Option<String>,
    pub date: NaiveDate,
    pub seq: Seq,
    pub status_history: Vec<StatusChange>,
    /// The actions assigned on it, each with the day it was assigned, in log order.
    pub actions: Vec<(ActionId, NaiveDate)>,
}

impl Decision {
    /// The decision's later status as it stood on `date`.
    pub fn status_on(&self, date: NaiveDate) -> DecisionStatus {
        self.status_history.iter().rfind(|s| s.date <= date).map_or(DecisionStatus::Recorded, |s| s.status)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Completion {
    pub date: NaiveDate,
    pub note: Option<String>,
    pub seq: Seq,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub seq: Seq,
    pub target: Seq,
    pub reason: String,
    pub retracted: bool,
    pub recorded_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedFile {
    pub file: String,
    pub content_hash: Hash,
    pub content: String,
    pub date: NaiveDate,
    pub seq: Seq,
}

/// Everything the log says, with the valid-time dates that let any query pick a day,
/// kept as a key-value projection (`Kv`): each entity under its own key, and lookups
/// (a group's memberships, a meeting by number...) as keys of their own, so neither the
/// rules nor the queries scan, and a query reads only what it shows.
///
/// Key layout (docs/FORMAT.md, "Stored form"), each value JSON:
///
/// | entity | keys |
/// | --- | --- |
/// | organisations, people, groups | `org/ID`, `person/ID`, `group/ID` |
/// | memberships | `mem/GROUP/SEQ`, `memp/PERSON/GROUP/SEQ` |
/// | nominations | `nom/GROUP/SEQ`, `nomp/PERSON/GROUP/SEQ` |
/// | meetings | `meet/ID`, `meetag/ID` (agenda), `meetat/ID` (attendance), `meetap/ID/SEQ` (minutes approvals), `meett/ID/ITEM` (texts), `meets/ID/SEQ` (events), `meetg/GROUP/ID`, `meetn/GROUP/NUMBER`, `meeta/ANNOUNCED_AT/ID`, `att/PERSON/MEETING`, `appr/DOCUMENT_HASH/MEETING` |
/// | decisions | `decg/GROUP/DATE/SEQ`, `decgo/GROUP/OUTCOME/DATE/SEQ` (each the id and the decision: a group's register page is one scan), `decd/DATE/SEQ` (the group), `dec/ID` (where its rows are), `deci/MEETING/ITEM` |
/// | actions | `act/ID`, `actm/MEETING/SEQ` |
/// | corrections, imports | `corr/SEQ`, `corrt/TARGET/SEQ`, `retr/SEQ`, `file/SEQ`, `fileh/HASH`, `filen/NAME` |
/// | history (`kv`) | `undo/FIRST` (keys each of 16 events changed), `ver/KEY<NUL>SEQ` (a key's value before SEQ, if it had one) |
///
/// Seqs and numbers are fixed-width hex, so key order is log order.
#[derive(Default)]
pub struct Model {
    kv: Kv,
}

/// Where a decision's rows are: each register order's key ends with its date and seq.
#[derive(Serialize, Deserialize)]
struct DecisionAt {
    group: GroupId,
    date: NaiveDate,
    seq: Seq,
    outcome: Outcome,
}

impl DecisionAt {
    /// A decision's rows: by group, then by group and outcome. The first is the one read
    /// by id.
    fn row_keys(&self) -> [Vec<u8>; 2] {
        let (day, seq) = (self.date.to_string(), hex_seq(self.seq));
        [
            key(&["decg", self.group.as_str(), &day, &seq]),
            key(&["decgo", self.group.as_str(), outcome_name(self.outcome), &day, &seq]),
        ]
    }

    /// Where it stands in the register of every group: a key of its own, holding the group.
    fn by_date_key(&self) -> Vec<u8> {
        key(&["decd", &self.date.to_string(), &hex_seq(self.seq)])
    }
}

fn key(parts: &[&str]) -> Vec<u8> {
    parts.join("/").into_bytes()
}

fn hex_seq(seq: Seq) -> String {
    format!("{:016x}", seq.0)
}

/// An outcome as it is spelt in events (`approved_with_reservations`), for keys.
fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Noted => "noted",
        Outcome::Approved => "approved",
        Outcome::ApprovedWithReservations => "approved_with_reservations",
        Outcome::Decided => "decided",
        Outcome::Discussed => "discussed",
        Outcome::Rejected => "rejected",
        Outcome::Postponed => "postponed",
    }
}

fn hex_u32(n: u32) -> String {
    format!("{n:08x}")
}

/// The last part of a key, after its final '/'.
fn last_part(key: &[u8]) -> &str {
    let s = std::str::from_utf8(key).unwrap_or_default();
    s.rsplit('/').next().unwrap_or_default()
}

impl Model {
    pub fn new(kv: Kv) -> Model {
        Model { kv }
    }

    pub fn kv(&self) -> &Kv {
        &self.kv
    }

    /// Every key and value of the projection as stored, in key order, history included.
    pub fn pairs(&self) -> Vec<crate::kv::Pair> {
        self.kv.stored_pairs()
    }

    /// The state alone, without its history, in key order: two models hold the same
    /// state exactly when these are equal, however each was reached.
    pub fn state_pairs(&self) -> Vec<crate::kv::Pair> {
        self.kv.scan(b"")
    }

    /// The first failed read of the store behind this model, as an error: every query
    /// and every append ends with it, so nothing is answered from a store that failed.
    pub fn fault(&self) -> Result<(), crate::Error> {
        match self.kv.fault() {
            Some(why) => Err(crate::Error::Projection(why)),
            None => Ok(()),
        }
    }

    fn load<T: DeserializeOwned>(&self, key: &[u8]) -> Option<T> {
        let bytes = self.kv.get(key)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| self.kv.failed::<()>(format!("projection key {:?}: {e}", String::from_utf8_lossy(key))))
            .ok()
    }

    fn load_all<T: DeserializeOwned>(&self, prefix: &[u8]) -> Vec<(Vec<u8>, T)> {
        let mut out = Vec::new();
        for (k, v) in self.kv.scan(prefix) {
            match serde_json::from_slice(&v) {
                Ok(t) => out.push((k, t)),
                Err(e) => self.kv.failed(format!("projection key {:?}: {e}", String::from_utf8_lossy(&k))),
            }
        }
        out
    }

    fn save<T: Serialize>(&mut self, key: Vec<u8>, value: &T) {
        self.kv.put(key, serde_json::to_vec(value).expect("projection values serialize"));
    }

    fn mark(&mut self, key: Vec<u8>) {
        self.kv.put(key, Vec::new());
    }

    pub fn organisation(&self, id: &OrgId) -> Option<Organisation> {
        self.load(&key(&["org", id.as_str()]))
    }

    pub fn organisations(&self) -> Vec<(OrgId, Organisation)> {
        self.entities("org/")
    }

    pub fn person(&self, id: &PersonId) -> Option<Person> {
        self.load(&key(&["person", id.as_str()]))
    }

    pub fn people(&self) -> Vec<(PersonId, Person)> {
        self.entities("person/")
    }

    pub fn group(&self, id: &GroupId) -> Option<Group> {
        self.load(&key(&["group", id.as_str()]))
    }

    pub fn groups(&self) -> Vec<(GroupId, Group)> {
        self.entities("group/")
    }

    /// Every entity under a prefix with its id, in id order.
    fn entities<I: TryFrom<String, Error = String>, T: DeserializeOwned>(&self, prefix: &str) -> Vec<(I, T)> {
        self.load_all(prefix.as_bytes()).into_iter().filter_map(|(k, v)| Some((self.id_of(&k)?, v))).collect()
    }

    /// The id a key ends with; a key that does not end with one is a damaged projection.
    fn id_of<I: TryFrom<String, Error = String>>(&self, key: &[u8]) -> Option<I> {
        I::try_from(last_part(key).to_string())
            .map_err(|e| self.kv.failed::<()>(format!("projection key {:?}: {e}", String::from_utf8_lossy(key))))
            .ok()
    }

    /// Every interval `person` has held in `group`, oldest first.
    pub fn memberships_of(&self, person: &PersonId, group: &GroupId) -> Vec<Membership> {
        let prefix = key(&["memp", person.as_str(), group.as_str(), ""]);
        self.kv
            .scan(&prefix)
            .iter()
            .filter_map(|(k, _)| self.load(&key(&["mem", group.as_str(), last_part(k)])))
            .collect()
    }

    /// Every interval ever held in `group`, in log order.
    pub fn group_memberships(&self, group: &GroupId) -> Vec<Membership> {
        self.load_all(&key(&["mem", group.as_str(), ""])).into_iter().map(|(_, m)| m).collect()
    }

    /// Every interval `person` has held in any group, in log order.
    pub fn person_memberships(&self, person: &PersonId) -> Vec<Membership> {
        self.through_person("memp", "mem", person)
    }

    /// What a person lookup (`INDEX/PERSON/GROUP/SEQ`) points at (`TABLE/GROUP/SEQ`), in
    /// log order across the groups.
    fn through_person<T: DeserializeOwned>(&self, index: &str, table: &str, person: &PersonId) -> Vec<T> {
        let mut found: Vec<(String, T)> = self
            .kv
            .scan(&key(&[index, person.as_str(), ""]))
            .iter()
            .filter_map(|(k, _)| {
                let s = std::str::from_utf8(k).ok()?;
                let mut parts = s.rsplit('/');
                let (seq, group) = (parts.next()?, parts.next()?);
                Some((seq.to_string(), self.load(&key(&[table, group, seq]))?))
            })
            .collect();
        // Fixed-width hex seqs: their order is log order.
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found.into_iter().map(|(_, t)| t).collect()
    }

    /// Every interval in every group, in log order.
    pub fn memberships(&self) -> Vec<Membership> {
        let mut out: Vec<Membership> = self.load_all(b"mem/").into_iter().map(|(_, m)| m).collect();
        out.sort_by_key(|m| m.opened_by);
        out
    }

    /// The nominations to `group`, in log order.
    pub fn group_nominations(&self, group: &GroupId) -> Vec<Nomination> {
        self.load_all(&key(&["nom", group.as_str(), ""])).into_iter().map(|(_, n)| n).collect()
    }

    /// The nominations of `person`, to any group, in log order.
    pub fn person_nominations(&self, person: &PersonId) -> Vec<Nomination> {
        self.through_person("nomp", "nom", person)
    }

    /// A meeting with everything it holds: attendance, approvals, item texts and seqs.
    pub fn meeting(&self, id: &MeetingId) -> Option<Meeting> {
        let mut m = self.meeting_head(id)?;
        self.fill_attendance(id, &mut m);
        self.fill_approvals(id, &mut m);
        for (k, text) in self.load_all::<String>(&key(&["meett", id.as_str(), ""])) {
            if let Ok(item) = u32::from_str_radix(last_part(&k), 16) {
                m.item_texts.insert(item, text);
            }
        }
        m.seqs = self
            .kv
            .scan(&key(&["meets", id.as_str(), ""]))
            .iter()
            .filter_map(|(k, _)| u64::from_str_radix(last_part(k), 16).ok().map(Seq))
            .collect();
        Some(m)
    }

    /// A meeting and its agenda, without attendance, approvals, texts and seqs: what
    /// the rules, lists and registers need.
    pub fn meeting_head(&self, id: &MeetingId) -> Option<Meeting> {
        let mut m: Meeting = self.load(&key(&["meet", id.as_str()]))?;
        m.agenda = self.load(&key(&["meetag", id.as_str()])).unwrap_or_default();
        Some(m)
    }

    fn fill_attendance(&self, id: &MeetingId, m: &mut Meeting) {
        m.attendees = self.load(&key(&["meetat", id.as_str()])).unwrap_or_default();
    }

    fn fill_approvals(&self, id: &MeetingId, m: &mut Meeting) {
        m.minutes_approvals = self.load_all(&key(&["meetap", id.as_str(), ""])).into_iter().map(|(_, a)| a).collect();
    }

    fn meeting_exists(&self, id: &MeetingId) -> bool {
        self.kv.get(&key(&["meet", id.as_str()])).is_some()
    }

    /// Every meeting, with its agenda only, in id order.
    pub fn meetings(&self) -> Vec<(MeetingId, Meeting)> {
        self.ids_under::<MeetingId>(b"meet/")
            .into_iter()
            .filter_map(|id| self.meeting_head(&id).map(|m| (id, m)))
            .collect()
    }

    /// A group's meetings, with their agendas only, in id order.
    pub fn group_meetings(&self, group: &GroupId) -> Vec<(MeetingId, Meeting)> {
        self.ids_under::<MeetingId>(&key(&["meetg", group.as_str(), ""]))
            .into_iter()
            .filter_map(|id| self.meeting_head(&id).map(|m| (id, m)))
            .collect()
    }

    /// The meetings scheduled at `id` (its "next meeting"), with their agendas only.
    pub fn meetings_announced_at(&self, id: &MeetingId) -> Vec<(MeetingId, Meeting)> {
        self.ids_under::<MeetingId>(&key(&["meeta", id.as_str(), ""]))
            .into_iter()
            .filter_map(|id| self.meeting_head(&id).map(|m| (id, m)))
            .collect()
    }

    /// The meetings whose attendance has ever listed `person` (check the attendees:
    /// a later record of the attendance may have dropped them).
    pub fn meetings_attended(&self, person: &PersonId) -> Vec<(MeetingId, Meeting)> {
        self.ids_under::<MeetingId>(&key(&["att", person.as_str(), ""]))
            .into_iter()
            .filter_map(|id| {
                let mut m = self.meeting_head(&id)?;
                self.fill_attendance(&id, &mut m);
                Some((id, m))
            })
            .collect()
    }

    /// The meetings with an approval of minutes whose document hashes to `document_hash`.
    pub fn meetings_approving(&self, document_hash: &Hash) -> Vec<(MeetingId, Meeting)> {
        self.ids_under::<MeetingId>(&key(&["appr", &document_hash.to_hex(), ""]))
            .into_iter()
            .filter_map(|id| {
                let mut m = self.meeting_head(&id)?;
                self.fill_approvals(&id, &mut m);
                Some((id, m))
            })
            .collect()
    }

    fn ids_under<I: TryFrom<String, Error = String>>(&self, prefix: &[u8]) -> Vec<I> {
        self.kv.scan(prefix).iter().filter_map(|(k, _)| self.id_of(k)).collect()
    }

    /// The meeting a group numbered `number`, if any.
    pub fn meeting_numbered(&self, group: &GroupId, number: u32) -> Option<MeetingId> {
        self.load(&key(&["meetn", group.as_str(), &hex_u32(number)]))
    }

    pub fn decision(&self, id: &DecisionId) -> Option<Decision> {
        let at: DecisionAt = self.load(&key(&["dec", id.as_str()]))?;
        self.load::<(DecisionId, Decision)>(&at.row_keys()[0]).map(|(_, d)| d)
    }

    /// Every decision, by date (then in log order).
    pub fn decisions(&self) -> Vec<(DecisionId, Decision)> {
        self.decisions_by_date(None, None).collect()
    }

    /// Writes a decision's rows, one per register order (see `decisions_by_date`), and
    /// where they are.
    fn save_decision(&mut self, id: &DecisionId, d: &Decision) {
        let at = DecisionAt { group: d.group.clone(), date: d.date, seq: d.seq, outcome: d.outcome };
        for k in at.row_keys() {
            self.save(k, &(id, d));
        }
        self.save(at.by_date_key(), &at.group);
        self.save(key(&["dec", id.as_str()]), &at);
    }

    /// Brings the item titles in a meeting's decisions up to date with its agenda.
    fn refresh_decisions(&mut self, meeting: &MeetingId) {
        let Some(mt) = self.meeting_head(meeting) else { return };
        for id in self.meeting_decisions(meeting) {
            let Some(mut d) = self.decision(&id) else { continue };
            let title = mt.item(d.item).map(|i| i.title.clone()).unwrap_or_default();
            if d.item_title != title {
                d.item_title = title;
                self.save_decision(&id, &d);
            }
        }
    }

    /// The decision recorded on an item, if any.
    pub fn decision_on_item(&self, meeting: &MeetingId, item: u32) -> Option<DecisionId> {
        self.load(&key(&["deci", meeting.as_str(), &hex_u32(item)]))
    }

    /// The decisions taken at a meeting of `group` (with `outcome`, if given), or all of
    /// them, by date (then in log order). Each is one row of a scan, read as it is
    /// consumed, so a register page reads only as far as it shows.
    pub fn decisions_by_date<'m>(
        &'m self,
        group: Option<&GroupId>,
        outcome: Option<Outcome>,
    ) -> Box<dyn Iterator<Item = (DecisionId, Decision)> + 'm> {
        let bad = move |k: &[u8], why: String| {
            self.kv.failed(format!("projection key {:?}: {why}", String::from_utf8_lossy(k)))
        };
        let row = move |k: Vec<u8>, v: Vec<u8>| serde_json::from_slice(&v).map_err(|e| bad(&k, e.to_string())).ok();
        let prefix = match (group, outcome) {
            (Some(g), Some(o)) => key(&["decgo", g.as_str(), outcome_name(o), ""]),
            (Some(g), None) => key(&["decg", g.as_str(), ""]),
            (None, _) => {
                // The register of every group: each entry names its group's row.
                return Box::new(self.kv.scan_iter(b"decd/").filter_map(move |(k, v)| {
                    let group: GroupId = serde_json::from_slice(&v).map_err(|e| bad(&k, e.to_string())).ok()?;
                    let row_key = [b"decg/", group.as_str().as_bytes(), &k[b"decd".len()..]].concat();
                    match self.kv.get(&row_key) {
                        Some(v) => row(row_key, v),
                        None => bad(&k, "no row".into()),
                    }
                }));
            }
        };
        Box::new(self.kv.scan_iter(&prefix).filter_map(move |(k, v)| row(k, v)))
    }

    /// The ids of the decisions taken at a meeting, by item.
    pub fn meeting_decisions(&self, meeting: &MeetingId) -> Vec<DecisionId> {
        self.load_all::<DecisionId>(&key(&["deci", meeting.as_str(), ""])).into_iter().map(|(_, id)| id).collect()
    }

    pub fn action(&self, id: &ActionId) -> Option<Action> {
        self.load(&key(&["act", id.as_str()]))
    }

    pub fn actions(&self) -> Vec<(ActionId, Action)> {
        self.entities("act/")
    }

    /// The ids of the actions that follow from a decision, in log order.
    /// With the day each was assigned, so a register can say which existed on its date
    /// without reading the actions.
    /// The actions assigned at a meeting, in log order.
    pub fn meeting_actions(&self, meeting: &MeetingId) -> Vec<(ActionId, Action)> {
        self.load_all::<ActionId>(&key(&["actm", meeting.as_str(), ""]))
            .into_iter()
            .filter_map(|(_, id)| self.action(&id).map(|a| (id, a)))
            .collect()
    }

    pub fn corrections(&self) -> Vec<Correction> {
        self.load_all(b"corr/").into_iter().map(|(_, c)| c).collect()
    }

    /// Whether an event was corrected before: a lookup, not a walk through every
    /// correction, which made each correction cost more than the last.
    pub fn is_corrected(&self, target: Seq) -> bool {
        self.kv.scan_iter(&key(&["corrt", &hex_seq(target), ""])).next().is_some()
    }

    pub fn is_retracted(&self, target: Seq) -> bool {
        self.kv.get(&key(&["retr", &hex_seq(target)])).is_some()
    }

    /// The first import of this content, if any.
    pub fn import_of_content(&self, content_hash: &Hash) -> Option<ImportedFile> {
        let seq: Seq = self.load(&key(&["fileh", &content_hash.to_hex()]))?;
        self.load(&key(&["file", &hex_seq(seq)]))
    }

    /// The first import of a file of this name, if any.
    pub fn import_of_file(&self, name: &str) -> Option<ImportedFile> {
        let seq: Seq = self.load(&key(&["filen", name]))?;
        self.load(&key(&["file", &hex_seq(seq)]))
    }

    fn add_membership(&mut self, m: &Membership) {
        let seq = hex_seq(m.opened_by);
        self.mark(key(&["memp", m.person.as_str(), m.group.as_str(), &seq]));
        self.save(key(&["mem", m.group.as_str(), &seq]), m);
    }

    /// The interval of `person` in `group` that is still open, if any.
    fn open_membership(&self, person: &PersonId, group: &GroupId) -> Option<Membership> {
        self.memberships_of(person, group).into_iter().find(|m| m.end.is_none())
    }

    /// Notes that the event at `seq` belongs to meeting `id`, if it exists.
    fn meeting_event(&mut self, id: &MeetingId, seq: Seq) -> bool {
        let exists = self.meeting_exists(id);
        if exists {
            self.mark(key(&["meets", id.as_str(), &hex_seq(seq)]));
        }
        exists
    }

    /// Applies an event and records its history: each key it changed gets a version
    /// holding its value before, and the event its undo record (see `kv`).
    pub fn apply_recorded(&mut self, entry: &Entry) {
        self.kv.begin_journal(entry.seq.0);
        self.apply(entry);
        self.kv.end_journal();
    }

    /// Steps back from the state after `from` to the state after `to` (`to <= from`), by
    /// the undo records of the events in between.
    pub fn rewind(&mut self, from: Seq, to: Seq) {
        self.kv.rewind(from.0, to.0);
    }

    /// Starts recording what the next writes change, as the history of the event at
    /// `seq` (see `apply_recorded`); for a correction, whose undo record covers
    /// everything its rebase changed.
    pub fn begin_undo(&mut self, seq: Seq) {
        self.kv.begin_journal(seq.0);
    }

    /// Ends what `begin_undo` started.
    pub fn end_undo(&mut self) {
        self.kv.end_journal();
    }

    /// Applies one event that the rules have accepted. Of a correction, only its own
    /// record: the event it corrects is replaced where the log is replayed (`fold`,
    /// and the ledger's rebase).
    pub fn apply(&mut self, entry: &Entry) {
        let (seq, date) = (entry.seq, entry.date());
        match &entry.event {
            Event::OrganisationRegistered(e) => self.save(
                key(&["org", e.organisation.as_str()]),
                &Organisation { name: e.name.clone(), short_name: e.short_name.clone(), since: date, seq },
            ),
            Event::PersonRegistered(e) => self.save(
                key(&["person", e.person.as_str()]),
                &Person {
                    name: e.name.clone(),
                    title: e.title.clone(),
                    affiliation: e.affiliation.clone(),
                    since: date,
                    seq,
                },
            ),
            Event::GroupEstablished(e) => {
                if let Some(p) = &e.predecessor {
                    if let Some(mut g) = self.group(p) {
                        g.successor = Some(e.group.clone());
                        self.save(key(&["group", p.as_str()]), &g);
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
                    },
                );
            }
            Event::GroupDissolved(e) => {
                if let Some(mut g) = self.group(&e.group) {
                    g.dissolved = Some(date);
                    if e.successor.is_some() {
                        g.successor = e.successor.clone();
                    }
                    self.save(key(&["group", e.group.as_str()]), &g);
                }
            }
            Event::MemberNominated(e) => {
                self.mark(key(&["nomp", e.person.as_str(), e.group.as_str(), &hex_seq(seq)]));
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
                )
            }
            Event::MemberJoined(e) => self.add_membership(&Membership {
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
                if let Some(mut current) = self.open_membership(&e.person, &e.group) {
                    current.end = Some(date);
                    current.closed_by = Some(seq);
                    self.add_membership(&current);
                    self.add_membership(&Membership {
                        role: e.role,
                        start: date,
                        end: None,
                        decision: e.decision.clone(),
                        note: e.note.clone(),
                        opened_by: seq,
                        closed_by: None,
                        ..current
                    });
                }
            }
            Event::MemberLeft(e) => {
                if let Some(mut current) = self.open_membership(&e.person, &e.group) {
                    current.end = Some(date);
                    current.closed_by = Some(seq);
                    self.add_membership(&current);
                }
            }
            Event::MeetingScheduled(e) => {
                self.mark(key(&["meets", e.meeting.as_str(), &hex_seq(seq)]));
                self.mark(key(&["meetg", e.group.as_str(), e.meeting.as_str()]));
                if let Some(a) = &e.announced_at {
                    self.mark(key(&["meeta", a.as_str(), e.meeting.as_str()]));
                }
                self.save(
                    key(&["meet", e.meeting.as_str()]),
                    &Meeting {
                        group: e.group.clone(),
                        status: MeetingStatus::Scheduled,
                        number: None,
                        meeting_kind: e.meeting_kind,
                        title: None,
                        place: e.place.clone(),
                        starts_at: e.starts_at,
                        ends_at: e.ends_at,
                        announced_at: e.announced_at.clone(),
                        agenda_approved: None,
                        agenda: Vec::new(),
                        attendees: Vec::new(),
                        minutes_approvals: Vec::new(),
                        item_texts: BTreeMap::new(),
                        seqs: Vec::new(),
                    },
                );
            }
            Event::MeetingHeld(e) => {
                let mut m = self.load(&key(&["meet", e.meeting.as_str()])).unwrap_or_else(|| Meeting {
                    group: e.group.clone(),
                    status: MeetingStatus::Held,
                    number: None,
                    meeting_kind: e.meeting_kind,
                    title: None,
                    place: None,
                    starts_at: e.starts_at,
                    ends_at: None,
                    announced_at: None,
                    agenda_approved: None,
                    agenda: Vec::new(),
                    attendees: Vec::new(),
                    minutes_approvals: Vec::new(),
                    item_texts: BTreeMap::new(),
                    seqs: Vec::new(),
                });
                m.status = MeetingStatus::Held;
                m.number = Some(e.number);
                m.meeting_kind = e.meeting_kind;
                m.title = e.title.clone();
                m.place = e.place.clone();
                m.starts_at = e.starts_at;
                m.ends_at = e.ends_at;
                self.save(key(&["meetn", e.group.as_str(), &hex_u32(e.number)]), &e.meeting);
                self.mark(key(&["meetg", m.group.as_str(), e.meeting.as_str()]));
                self.mark(key(&["meets", e.meeting.as_str(), &hex_seq(seq)]));
                self.save(key(&["meet", e.meeting.as_str()]), &m);
            }
            Event::AgendaSet(e) => {
                if self.meeting_event(&e.meeting, seq) {
                    self.save(key(&["meetag", e.meeting.as_str()]), &e.items);
                    self.refresh_decisions(&e.meeting);
                }
            }
            Event::AgendaApproved(e) => {
                if self.meeting_event(&e.meeting, seq) {
                    if let Some(mut m) = self.load::<Meeting>(&key(&["meet", e.meeting.as_str()])) {
                        m.agenda_approved = Some(seq);
                        self.save(key(&["meet", e.meeting.as_str()]), &m);
                    }
                }
            }
            Event::AttendanceRecorded(e) => {
                if self.meeting_event(&e.meeting, seq) {
                    for a in &e.attendees {
                        self.mark(key(&["att", a.person.as_str(), e.meeting.as_str()]));
                    }
                    self.save(key(&["meetat", e.meeting.as_str()]), &e.attendees);
                }
            }
            Event::ItemMinuted(e) => {
                if self.meeting_event(&e.meeting, seq) {
                    self.save(key(&["meett", e.meeting.as_str(), &hex_u32(e.item)]), &e.text);
                }
            }
            Event::DecisionRecorded(e) => {
                let Some(mt) = self.meeting_head(&e.meeting) else { return };
                self.mark(key(&["meets", e.meeting.as_str(), &hex_seq(seq)]));
                self.save(key(&["deci", e.meeting.as_str(), &hex_u32(e.item)]), &e.decision);
                self.save_decision(
                    &e.decision,
                    &Decision {
                        meeting: e.meeting.clone(),
                        group: mt.group.clone(),
                        meeting_number: mt.number,
                        item: e.item,
                        item_title: mt.item(e.item).map(|i| i.title.clone()).unwrap_or_default(),
                        outcome: e.outcome,
                        text: e.text.clone(),
                        conditions: e.conditions.clone(),
                        takes_effect: e.takes_effect,
                        deferred: e.deferred.clone(),
                        date,
                        seq,
                        status_history: Vec::new(),
                        actions: Vec::new(),
                    },
                );
            }
            Event::DecisionStatusChanged(e) => {
                if let Some(mut d) = self.decision(&e.decision) {
                    d.status_history.push(StatusChange {
                        status: e.status,
                        superseded_by: e.superseded_by.clone(),
                        note: e.note.clone(),
                        date,
                        seq,
                    });
                    d.status_history.sort_by_key(|s| (s.date, s.seq));
                    self.save_decision(&e.decision, &d);
                }
            }
            Event::ActionAssigned(e) => {
                if !self.meeting_event(&e.meeting, seq) {
                    return;
                }
                if let Some(id) = &e.decision {
                    if let Some(mut d) = self.decision(id) {
                        d.actions.push((e.action.clone(), date));
                        self.save_decision(id, &d);
                    }
                }
                self.save(key(&["actm", e.meeting.as_str(), &hex_seq(seq)]), &e.action);
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
                );
            }
            Event::ActionCompleted(e) => {
                if let Some(mut a) = self.action(&e.action) {
                    a.completed = Some(Completion { date, note: e.note.clone(), seq });
                    self.save(key(&["act", e.action.as_str()]), &a);
                }
            }
            Event::MinutesApproved(e) => {
                if self.meeting_event(&e.meeting, seq) {
                    self.mark(key(&["appr", &e.document_hash.to_hex(), e.meeting.as_str()]));
                    self.save(
                        key(&["meetap", e.meeting.as_str(), &hex_seq(seq)]),
                        &MinutesApproval {
                            document_hash: e.document_hash,
                            document_name: e.document_name.clone(),
                            date,
                            seq,
                        },
                    );
                }
            }
            Event::FileImported(e) => {
                let at = hex_seq(seq);
                if self.kv.get(&key(&["fileh", &e.content_hash.to_hex()])).is_none() {
                    self.save(key(&["fileh", &e.content_hash.to_hex()]), &seq);
                }
                if self.kv.get(&key(&["filen", &e.file])).is_none() {
                    self.save(key(&["filen", &e.file]), &seq);
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
                );
            }
            Event::EventCorrected(c) => self.note_correction(entry, c),
        }
    }

    /// Takes in a correction's own record (what it does to the event it corrects is
    /// applied by replaying the log with the replacement in its place).
    fn note_correction(&mut self, entry: &Entry, c: &EventCorrected) {
        let retracted = c.replacement.is_none();
        if retracted {
            self.mark(key(&["retr", &hex_seq(c.target)]));
        }
        self.mark(key(&["corrt", &hex_seq(c.target), &hex_seq(entry.seq)]));
        self.save(
            key(&["corr", &hex_seq(entry.seq)]),
            &Correction {
                seq: entry.seq,
                target: c.target,
                reason: c.reason.clone(),
                retracted,
                recorded_by: entry.recorded_by.clone(),
            },
        );
    }

    /// Checks an event (not a correction) against the state and takes it in, with its
    /// undo record; on a refusal nothing is changed.
    pub fn push(&mut self, entry: &Entry) -> Result<(), Refusal> {
        rules::check(self, entry)?;
        self.apply_recorded(entry);
        Ok(())
    }
}

/// Folds a log (all of it, or a prefix: `known_at`) into a fresh model, applying the
/// corrections it holds: each event corrected is replaced, where it stands in the log,
/// by the latest correction's replacement, or skipped if retracted. `corrections` maps
/// each corrected seq to that latest correction, and must hold only corrections that are
/// in `entries`. With `checked`, every event is checked against the state before it, and
/// the first refusal is returned with its seq.
pub fn fold<E>(
    entries: impl Iterator<Item = Result<Entry, E>>,
    corrections: &HashMap<Seq, EventCorrected>,
    checked: bool,
) -> Result<Model, FoldError<E>> {
    let mut model = Model::default();
    for entry in entries {
        let entry = entry.map_err(FoldError::Read)?;
        let Some(effective) = as_corrected(&entry, corrections) else { continue };
        if checked && !matches!(effective.event, Event::EventCorrected(_)) {
            rules::check(&model, &effective).map_err(|r| FoldError::Refused(entry.seq, r))?;
        }
        model.apply(&effective);
    }
    Ok(model)
}

/// An event as the log stands corrected: itself, or the replacement given by the latest
/// correction of it in `corrections` (at its place, with the correction's effective date
/// if it gives one), or nothing if that correction retracts it.
pub fn as_corrected<'e>(
    entry: &'e Entry,
    corrections: &HashMap<Seq, EventCorrected>,
) -> Option<std::borrow::Cow<'e, Entry>> {
    match (&entry.event, corrections.get(&entry.seq)) {
        (Event::EventCorrected(_), _) | (_, None) => Some(std::borrow::Cow::Borrowed(entry)),
        (_, Some(c)) => Some(std::borrow::Cow::Owned(Entry {
            event: (**c.replacement.as_ref()?).clone(),
            effective: c.effective.unwrap_or(entry.effective),
            ..entry.clone()
        })),
    }
}

/// Why a fold stopped.
#[derive(Debug)]
pub enum FoldError<E> {
    /// An entry could not be read.
    Read(E),
    /// The event at this seq breaks a rule against the state before it.
    Refused(Seq, Refusal),
}
