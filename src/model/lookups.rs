//! What the rules and the queries read: each entity by its key, and what belongs to one
//! group, meeting, person or decision through the lookups kept beside it, never by
//! scanning all of them. Every read can fail, and a failure is the caller's error.

use super::keys::{hex_seq, hex_u32, key, last_part, outcome_name, DecisionAt};
use super::{damaged, decode, Model};
use super::{
    Action, Correction, Decision, Erasure, Group, ImportedFile, Leave, Meeting, Membership, Nomination, Organisation,
    Person,
};
use crate::event::{MeetingKind, Outcome};
use crate::ids::{ActionId, DecisionId, GroupId, Hash, MeetingId, OrgId, PersonId, Seq};
use crate::kv::ReadError;
use serde::de::DeserializeOwned;

type Read<T> = Result<T, ReadError>;

impl Model {
    pub fn organisation(&self, id: &OrgId) -> Read<Option<Organisation>> {
        self.load(&key(&["org", id.as_str()]))
    }

    pub fn organisations(&self) -> Read<Vec<(OrgId, Organisation)>> {
        self.entities("org/")
    }

    pub fn person(&self, id: &PersonId) -> Read<Option<Person>> {
        self.load(&key(&["person", id.as_str()]))
    }

    pub fn people(&self) -> Read<Vec<(PersonId, Person)>> {
        self.entities("person/")
    }

    pub fn group(&self, id: &GroupId) -> Read<Option<Group>> {
        self.load(&key(&["group", id.as_str()]))
    }

    pub fn groups(&self) -> Read<Vec<(GroupId, Group)>> {
        self.entities("group/")
    }

    /// Every interval `person` has held in `group`, oldest first.
    pub fn memberships_of(&self, person: &PersonId, group: &GroupId) -> Read<Vec<Membership>> {
        self.through_person_in("memp", "mem", person, group)
    }

    /// Who holds one of a group's seats on `date` (members and chairs), each person once
    /// whatever roles they hold, by person.
    pub fn seat_holders(&self, group: &GroupId, date: chrono::NaiveDate) -> Read<Vec<Membership>> {
        let mut held: Vec<Membership> =
            self.group_memberships(group)?.into_iter().filter(|x| x.covers(date) && x.role.holds_seat()).collect();
        held.sort_by(|a, b| a.person.cmp(&b.person));
        held.dedup_by(|a, b| a.person == b.person);
        Ok(held)
    }

    /// A person's leaves of absence from a group, in log order.
    pub fn leaves_of(&self, person: &PersonId, group: &GroupId) -> Read<Vec<Leave>> {
        self.through_person_in("leavep", "leave", person, group)
    }

    /// Every leave of absence in a group, in log order.
    pub fn group_leaves(&self, group: &GroupId) -> Read<Vec<Leave>> {
        self.values(&key(&["leave", group.as_str(), ""]))
    }

    /// What a person's lookups in one group (`INDEX/PERSON/GROUP/SEQ`) point at
    /// (`TABLE/GROUP/SEQ`), in log order.
    fn through_person_in<T: DeserializeOwned>(
        &self,
        index: &str,
        table: &str,
        person: &PersonId,
        group: &GroupId,
    ) -> Read<Vec<T>> {
        let prefix = key(&[index, person.as_str(), group.as_str(), ""]);
        let mut out = Vec::new();
        for item in self.kv.scan_iter(&prefix) {
            let (k, _) = item?;
            let at = key(&[table, group.as_str(), last_part(&k)]);
            out.push(self.load(&at)?.ok_or_else(|| damaged(&k, "nothing behind this lookup"))?);
        }
        Ok(out)
    }

    /// Every interval ever held in `group`, in log order.
    pub fn group_memberships(&self, group: &GroupId) -> Read<Vec<Membership>> {
        self.values(&key(&["mem", group.as_str(), ""]))
    }

    /// Every interval `person` has held in any group, in log order.
    pub fn person_memberships(&self, person: &PersonId) -> Read<Vec<Membership>> {
        self.through_person("memp", "mem", person)
    }

    /// What a person lookup (`INDEX/PERSON/GROUP/SEQ`) points at (`TABLE/GROUP/SEQ`), in
    /// log order across the groups.
    fn through_person<T: DeserializeOwned>(&self, index: &str, table: &str, person: &PersonId) -> Read<Vec<T>> {
        let mut found: Vec<(String, T)> = Vec::new();
        for item in self.kv.scan_iter(&key(&[index, person.as_str(), ""])) {
            let (k, _) = item?;
            let s = std::str::from_utf8(&k).map_err(|_| damaged(&k, "not UTF-8"))?;
            let mut parts = s.rsplit('/');
            let (Some(seq), Some(group)) = (parts.next(), parts.next()) else {
                return Err(damaged(&k, "not a person lookup"));
            };
            let at = key(&[table, group, seq]);
            let t = self.load(&at)?.ok_or_else(|| damaged(&k, "nothing behind this lookup"))?;
            found.push((seq.to_string(), t));
        }
        // Fixed-width hex seqs: their order is log order.
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found.into_iter().map(|(_, t)| t).collect())
    }

    /// Every interval in every group, in log order.
    pub fn memberships(&self) -> Read<Vec<Membership>> {
        let mut out: Vec<Membership> = self.values(b"mem/")?;
        out.sort_by_key(|m| m.opened_by);
        Ok(out)
    }

    /// The nominations to `group`, in log order.
    pub fn group_nominations(&self, group: &GroupId) -> Read<Vec<Nomination>> {
        self.values(&key(&["nom", group.as_str(), ""]))
    }

    /// The nominations of `person`, to any group, in log order.
    pub fn person_nominations(&self, person: &PersonId) -> Read<Vec<Nomination>> {
        self.through_person("nomp", "nom", person)
    }

    /// A meeting with everything it holds: attendance, approvals, item texts and seqs.
    pub fn meeting(&self, id: &MeetingId) -> Read<Option<Meeting>> {
        let Some(mut m) = self.meeting_head(id)? else { return Ok(None) };
        self.fill_attendance(id, &mut m)?;
        self.fill_approvals(id, &mut m)?;
        for (k, text) in self.load_all::<String>(&key(&["meett", id.as_str(), ""]))? {
            let item = u32::from_str_radix(last_part(&k), 16).map_err(|_| damaged(&k, "not an item number"))?;
            m.item_texts.insert(item, text);
        }
        for item in self.kv.scan_iter(&key(&["meets", id.as_str(), ""])) {
            let (k, _) = item?;
            m.seqs.push(Seq(u64::from_str_radix(last_part(&k), 16).map_err(|_| damaged(&k, "not a seq"))?));
        }
        Ok(Some(m))
    }

    /// A meeting and its agenda, without attendance, approvals, texts and seqs: what
    /// the rules, lists and registers need.
    pub fn meeting_head(&self, id: &MeetingId) -> Read<Option<Meeting>> {
        let Some(mut m) = self.load::<Meeting>(&key(&["meet", id.as_str()]))? else { return Ok(None) };
        m.agenda = self.load(&key(&["meetag", id.as_str()]))?.unwrap_or_default();
        Ok(Some(m))
    }

    fn fill_attendance(&self, id: &MeetingId, m: &mut Meeting) -> Read<()> {
        m.attendees = self.load(&key(&["meetat", id.as_str()]))?.unwrap_or_default();
        Ok(())
    }

    fn fill_approvals(&self, id: &MeetingId, m: &mut Meeting) -> Read<()> {
        m.minutes_approvals = self.values(&key(&["meetap", id.as_str(), ""]))?;
        Ok(())
    }

    pub(super) fn meeting_exists(&self, id: &MeetingId) -> Read<bool> {
        Ok(self.kv.get(&key(&["meet", id.as_str()]))?.is_some())
    }

    /// The meetings whose ids are under `prefix`, with their agendas only.
    fn meetings_under(&self, prefix: &[u8]) -> Read<Vec<(MeetingId, Meeting)>> {
        let mut out = Vec::new();
        for id in self.ids_under::<MeetingId>(prefix)? {
            let m = self.meeting_head(&id)?.ok_or_else(|| damaged(prefix, &format!("no meeting {id:?}")))?;
            out.push((id, m));
        }
        Ok(out)
    }

    /// Every meeting, with its agenda only, in id order.
    pub fn meetings(&self) -> Read<Vec<(MeetingId, Meeting)>> {
        self.meetings_under(b"meet/")
    }

    /// A group's meetings, with their agendas only, in id order.
    pub fn group_meetings(&self, group: &GroupId) -> Read<Vec<(MeetingId, Meeting)>> {
        self.meetings_under(&key(&["meetg", group.as_str(), ""]))
    }

    /// The meetings scheduled at `id` (its "next meeting"), with their agendas only.
    pub fn meetings_announced_at(&self, id: &MeetingId) -> Read<Vec<(MeetingId, Meeting)>> {
        self.meetings_under(&key(&["meeta", id.as_str(), ""]))
    }

    /// The meetings whose attendance has ever listed `person` (check the attendees:
    /// a later record of the attendance may have dropped them).
    pub fn meetings_attended(&self, person: &PersonId) -> Read<Vec<(MeetingId, Meeting)>> {
        let mut out = self.meetings_under(&key(&["att", person.as_str(), ""]))?;
        for (id, m) in &mut out {
            self.fill_attendance(id, m)?;
        }
        Ok(out)
    }

    /// The meetings with an approval of minutes whose document hashes to `document_hash`.
    pub fn meetings_approving(&self, document_hash: &Hash) -> Read<Vec<(MeetingId, Meeting)>> {
        let mut out = self.meetings_under(&key(&["appr", &document_hash.to_hex(), ""]))?;
        for (id, m) in &mut out {
            self.fill_approvals(id, m)?;
        }
        Ok(out)
    }

    /// The minutes' text of one item of a meeting, if it has one.
    pub fn item_text(&self, meeting: &MeetingId, item: u32) -> Read<Option<String>> {
        self.load(&key(&["meett", meeting.as_str(), &hex_u32(item)]))
    }

    /// The meetings a group numbered `number`, one per kind at most, with their kinds.
    pub fn meetings_numbered(&self, group: &GroupId, number: u32) -> Read<Vec<(MeetingKind, MeetingId)>> {
        let mut out = Vec::new();
        for item in self.kv.scan_iter(&key(&["meetn", group.as_str(), &hex_u32(number), ""])) {
            let (k, v) = item?;
            let kind = crate::event::from_name("meeting kind", last_part(&k)).map_err(|e| damaged(&k, &e))?;
            out.push((kind, decode(&k, &v)?));
        }
        Ok(out)
    }

    pub fn decision(&self, id: &DecisionId) -> Read<Option<Decision>> {
        let Some(at) = self.load::<DecisionAt>(&key(&["dec", id.as_str()]))? else { return Ok(None) };
        let row = &at.row_keys()[0];
        let (_, d) = self.load::<(DecisionId, Decision)>(row)?.ok_or_else(|| damaged(row, "no decision row"))?;
        Ok(Some(d))
    }

    /// Every decision, by date (then in log order).
    pub fn decisions(&self) -> Read<Vec<(DecisionId, Decision)>> {
        self.decisions_by_date(None, None).collect()
    }

    /// The decisions recorded on an item, in log order.
    pub fn decisions_on_item(&self, meeting: &MeetingId, item: u32) -> Read<Vec<DecisionId>> {
        self.values(&key(&["deci", meeting.as_str(), &hex_u32(item), ""]))
    }

    /// The decisions taken at a meeting of `group` (with `outcome`, if given), or all of
    /// them, by date (then in log order). Each is one row of a scan, read as it is
    /// consumed, so a register page reads only as far as it shows.
    pub fn decisions_by_date<'m>(
        &'m self,
        group: Option<&GroupId>,
        outcome: Option<Outcome>,
    ) -> Box<dyn Iterator<Item = Read<(DecisionId, Decision)>> + 'm> {
        let prefix = match (group, outcome) {
            (Some(g), Some(o)) => key(&["decgo", g.as_str(), &outcome_name(o), ""]),
            (Some(g), None) => key(&["decg", g.as_str(), ""]),
            (None, _) => {
                // The register of every group: each entry names its group's row.
                return Box::new(self.kv.scan_iter(b"decd/").map(move |item| self.decision_row(item)));
            }
        };
        Box::new(self.kv.scan_iter(&prefix).map(|item| {
            let (k, v) = item?;
            decode(&k, &v)
        }))
    }

    /// Every group's decisions, the latest first (by date, then log order): the home
    /// page's few read without walking the register.
    pub fn decisions_latest_first(&self) -> Box<dyn Iterator<Item = Read<(DecisionId, Decision)>> + '_> {
        Box::new(self.kv.scan_iter_rev(b"decd/").map(move |item| self.decision_row(item)))
    }

    /// The row an entry of `decd/` (which names its group) points at.
    fn decision_row(&self, item: Read<crate::kv::Pair>) -> Read<(DecisionId, Decision)> {
        let (k, v) = item?;
        let group: GroupId = decode(&k, &v)?;
        let row_key = [b"decg/", group.as_str().as_bytes(), &k[b"decd".len()..]].concat();
        let row = self.kv.get(&row_key)?.ok_or_else(|| damaged(&k, "no row"))?;
        decode(&row_key, &row)
    }

    /// The ids of the decisions taken at a meeting, by item.
    pub fn meeting_decisions(&self, meeting: &MeetingId) -> Read<Vec<DecisionId>> {
        self.values(&key(&["deci", meeting.as_str(), ""]))
    }

    pub fn action(&self, id: &ActionId) -> Read<Option<Action>> {
        self.load(&key(&["act", id.as_str()]))
    }

    pub fn actions(&self) -> Read<Vec<(ActionId, Action)>> {
        self.entities("act/")
    }

    /// The actions assigned at a meeting, in log order.
    pub fn meeting_actions(&self, meeting: &MeetingId) -> Read<Vec<(ActionId, Action)>> {
        let mut out = Vec::new();
        for id in self.values::<ActionId>(&key(&["actm", meeting.as_str(), ""]))? {
            let a = self.action(&id)?.ok_or_else(|| damaged(id.as_str().as_bytes(), "no such action"))?;
            out.push((id, a));
        }
        Ok(out)
    }

    pub fn corrections(&self) -> Read<Vec<Correction>> {
        self.values(b"corr/")
    }

    /// Whether an event was corrected before: a lookup, not a walk through every
    /// correction, which made each correction cost more than the last.
    pub fn is_corrected(&self, target: Seq) -> Read<bool> {
        Ok(self.kv.scan_iter(&key(&["corrt", &hex_seq(target), ""])).next().transpose()?.is_some())
    }

    /// The erasure of an event's body, if it was erased.
    pub fn erasure(&self, target: Seq) -> Read<Option<Erasure>> {
        self.load(&key(&["eras", &hex_seq(target)]))
    }

    /// Every erasure, in the order of the seqs erased.
    pub fn erasures(&self) -> Read<Vec<Erasure>> {
        self.values(b"eras/")
    }

    pub fn is_retracted(&self, target: Seq) -> Read<bool> {
        Ok(self.kv.get(&key(&["retr", &hex_seq(target)]))?.is_some())
    }

    /// The first import of this content, if any.
    pub fn import_of_content(&self, content_hash: &Hash) -> Read<Option<ImportedFile>> {
        self.import_at(&key(&["fileh", &content_hash.to_hex()]))
    }

    /// The first import of a file of this name, if any.
    pub fn import_of_file(&self, name: &str) -> Read<Option<ImportedFile>> {
        self.import_at(&key(&["filen", name]))
    }

    /// Every imported file's record, in the order of their imports.
    pub fn imports(&self) -> Read<Vec<ImportedFile>> {
        self.values(b"file/")
    }

    fn import_at(&self, lookup: &[u8]) -> Read<Option<ImportedFile>> {
        let Some(seq) = self.load::<Seq>(lookup)? else { return Ok(None) };
        let at = key(&["file", &hex_seq(seq)]);
        Ok(Some(self.load(&at)?.ok_or_else(|| damaged(lookup, "no import behind this lookup"))?))
    }

    /// The interval of `person` in `group` that is still open (with `role`, where they
    /// hold several), if any.
    pub(super) fn open_membership(
        &self,
        person: &PersonId,
        group: &GroupId,
        role: Option<crate::event::Role>,
    ) -> Read<Option<Membership>> {
        Ok(self
            .memberships_of(person, group)?
            .into_iter()
            .find(|m| m.end.is_none() && role.is_none_or(|r| r == m.role)))
    }
}
