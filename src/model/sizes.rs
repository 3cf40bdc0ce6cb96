//! Each group's size kept as steps (`gsize/GROUP`: each day it changed, and to what),
//! rewritten whenever one of its memberships is, so that a list of groups reads one key
//! a group, not every membership each has had. Counted as `Membership::covers` counts:
//! each person once, substitutes apart.

use super::keys::key;
use super::{Membership, Model};
use crate::event::Role;
use crate::ids::{GroupId, PersonId};
use crate::kv::ReadError;
use chrono::NaiveDate;
use std::collections::BTreeMap;

impl Model {
    /// How many members `group` has on `date`: one read, however many it has had.
    pub fn group_size(&self, group: &GroupId, date: NaiveDate) -> Result<u32, ReadError> {
        let steps: Vec<(NaiveDate, u32)> = self.load(&size_key(group))?.unwrap_or_default();
        let after = steps.partition_point(|(day, _)| *day <= date);
        Ok(after.checked_sub(1).map_or(0, |i| steps[i].1))
    }

    /// Recounts `group` from its memberships, as `apply` leaves them.
    pub(super) fn count_members(&mut self, group: &GroupId) -> Result<(), ReadError> {
        let steps = steps(self.group_memberships(group)?);
        self.save(size_key(group), &steps)
    }
}

fn size_key(group: &GroupId) -> Vec<u8> {
    key(&["gsize", group.as_str()])
}

/// The days the count of members changes, each with the count from that day on.
fn steps(memberships: Vec<Membership>) -> Vec<(NaiveDate, u32)> {
    let mut changes: Vec<(NaiveDate, i64, PersonId)> = Vec::new();
    for x in memberships {
        // An interval that ends before it starts covers no day.
        if x.role == Role::Substitute || x.end.is_some_and(|end| end <= x.start) {
            continue;
        }
        if let Some(end) = x.end {
            changes.push((end, -1, x.person.clone()));
        }
        changes.push((x.start, 1, x.person));
    }
    changes.sort();
    let mut held: BTreeMap<&PersonId, i64> = BTreeMap::new();
    let mut steps: Vec<(NaiveDate, u32)> = Vec::new();
    for (i, (day, change, person)) in changes.iter().enumerate() {
        let n = held.entry(person).or_default();
        *n += change;
        if *n == 0 {
            held.remove(person);
        }
        // A day's changes all count before its size does.
        if changes.get(i + 1).is_some_and(|next| next.0 == *day) {
            continue;
        }
        let size = held.len() as u32;
        if steps.last().is_none_or(|(_, last)| *last != size) {
            steps.push((*day, size));
        }
    }
    steps
}
