//! Popolo (popoloproject.com): the people, organisations and memberships of the record
//! in the shape other civic-tech tools read.

use crate::kv::ReadError;
use crate::model::Model;
use serde_json::{json, Value};

/// Popolo (popoloproject.com) JSON: people, organisations (groups and the organisations
/// they seat), and memberships with inclusive `end_date`s.
pub fn document(m: &Model) -> Result<Value, ReadError> {
    let persons: Vec<Value> = m
        .people()?
        .iter()
        .map(|(id, p)| {
            let mut v = json!({"id": id, "name": p.name});
            if let Some(t) = &p.title {
                v["honorific_prefix"] = json!(t);
            }
            v
        })
        .collect();
    let mut organizations: Vec<Value> = m
        .organisations()?
        .iter()
        .map(|(id, o)| json!({"id": id, "name": o.name, "other_names": o.short_name.iter().map(|n| json!({"name": n})).collect::<Vec<_>>()}))
        .collect();
    organizations.extend(m.groups()?.iter().map(|(id, g)| {
        json!({
            "id": id,
            "name": g.name,
            "classification": g.group_kind,
            "parent_id": g.parent,
            "founding_date": g.established,
            "dissolution_date": g.dissolved.and_then(|d| d.pred_opt()),
        })
    }));
    let memberships: Vec<Value> = m
        .memberships()?
        .iter()
        .map(|x| {
            json!({
                "person_id": x.person,
                "organization_id": x.group,
                "role": x.role,
                "on_behalf_of_id": x.on_behalf_of,
                "start_date": x.start,
                "end_date": x.end.and_then(|d| d.pred_opt()),
            })
        })
        .collect();
    Ok(json!({"persons": persons, "organizations": organizations, "memberships": memberships}))
}
