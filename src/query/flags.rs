//! What a record holds that a reader should look at, though it was accepted: more seat
//! holders than seats, or a constituency beyond its share, over some period. Real records
//! contain such overlaps, so they are recorded and reported rather than refused.

use crate::error::Error;
use crate::ids::{GroupId, OrgId};
use crate::model::Model;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A period over which a group held more than its seats allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SeatFlag {
    pub group: GroupId,
    pub from: NaiveDate,
    /// First day without the excess; none if it lasts.
    pub until: Option<NaiveDate>,
    /// The seats, or for a constituency its share, when the period began.
    pub seats: u32,
    /// Seat holders (each person once) over the period, at most.
    pub held_max: u32,
    /// A constituency beyond its share, where that is the excess.
    pub constituency: Option<OrgId>,
}

impl std::fmt::Display for SeatFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let until = self.until.map(|d| format!(" until {d}")).unwrap_or_default();
        match &self.constituency {
            None => write!(
                f,
                "{}: {} seat holders for {} seats from {}{until}",
                self.group, self.held_max, self.seats, self.from
            ),
            Some(c) => write!(
                f,
                "{}: {c} holds {} seats, more than its share of {}, from {}{until}",
                self.group, self.held_max, self.seats, self.from
            ),
        }
    }
}

/// Every period of excess in every group that declares seats, by group and date. Walks
/// the groups' memberships: a question for `verify` and audits, not for a page.
pub fn seat_flags(m: &Model) -> Result<Vec<SeatFlag>, Error> {
    let mut flags = Vec::new();
    for (id, g) in m.groups()? {
        if g.seats.is_empty() {
            continue;
        }
        let held: Vec<_> = m.group_memberships(&id)?.into_iter().filter(|x| x.role.holds_seat()).collect();
        // The excess can change only where a membership or a declaration does.
        let mut days: BTreeSet<NaiveDate> = g.seats.iter().map(|s| s.date).collect();
        days.extend(held.iter().flat_map(|x| [Some(x.start), x.end]).flatten());
        let mut open: BTreeMap<Option<OrgId>, SeatFlag> = BTreeMap::new();
        for day in days {
            let mut now: BTreeMap<Option<OrgId>, u32> = BTreeMap::new();
            if let Some(s) = g.seats_on(day) {
                let mut people = BTreeMap::new();
                for x in held.iter().filter(|x| x.covers(day)) {
                    people.insert(&x.person, x.on_behalf_of.clone());
                }
                if people.len() as u64 > u64::from(s.seats) {
                    now.insert(None, people.len() as u32);
                }
                if let Some(share) = s.per_constituency {
                    let mut by: BTreeMap<&OrgId, u32> = BTreeMap::new();
                    for c in people.values().flatten() {
                        *by.entry(c).or_default() += 1;
                    }
                    now.extend(by.into_iter().filter(|(_, n)| *n > share).map(|(c, n)| (Some(c.clone()), n)));
                }
            }
            // Close what ended today; extend what goes on; open what starts.
            let ended: Vec<_> = open.keys().filter(|k| !now.contains_key(*k)).cloned().collect();
            for k in ended {
                if let Some(mut f) = open.remove(&k) {
                    f.until = Some(day);
                    flags.push(f);
                }
            }
            let declared = g.seats_on(day);
            for (k, n) in now {
                let seats = match k {
                    None => declared.map_or(0, |s| s.seats),
                    Some(_) => declared.and_then(|s| s.per_constituency).unwrap_or(0),
                };
                let f = open.entry(k.clone()).or_insert_with(|| SeatFlag {
                    group: id.clone(),
                    from: day,
                    until: None,
                    seats,
                    held_max: 0,
                    constituency: k,
                });
                f.held_max = f.held_max.max(n);
            }
        }
        flags.extend(open.into_values());
    }
    flags.sort_by(|a, b| (&a.group, a.from).cmp(&(&b.group, b.from)));
    Ok(flags)
}
