//! The questions people ask of the record, as pure functions of a [`Model`] and a
//! valid-time date. Transaction time (`known_at`) is chosen before, by the model the
//! ledger hands out. Every view is serializable; the `--json` output and the API are
//! these structs. A read that fails is the answer's error, never a gap in it.

mod directory;
mod flags;
mod groups;
mod meeting;
mod people;
mod register;
mod search;

pub use directory::*;
pub use flags::*;
pub use groups::*;
pub use meeting::*;
pub use people::*;
pub use register::*;
pub use search::*;

use crate::error::Error;
use crate::ids::{GroupId, OrgId, PersonId};
use crate::kv::ReadError;
use crate::model::{Group, Model};

fn person_name(m: &Model, id: &PersonId) -> Result<String, ReadError> {
    Ok(m.person(id)?.map_or_else(|| id.to_string(), |p| p.name))
}

/// The name a person went by on `date`: what minutes of that day say.
fn person_name_on(m: &Model, id: &PersonId, date: chrono::NaiveDate) -> Result<String, ReadError> {
    Ok(m.person(id)?.map_or_else(|| id.to_string(), |p| p.name_on(date).to_string()))
}

/// The people who go by `name`, now, before or as an alias (case aside), by id.
pub fn people_named(m: &Model, name: &str) -> Result<Vec<(PersonId, String)>, Error> {
    Ok(m.people()?.into_iter().filter(|(_, p)| p.goes_by(name)).map(|(id, p)| (id, p.name)).collect())
}

fn org_name(m: &Model, id: &OrgId) -> Result<String, ReadError> {
    Ok(m.organisation(id)?.map_or_else(|| id.to_string(), |o| o.name))
}

fn group_of(m: &Model, id: &GroupId) -> Result<Group, Error> {
    m.group(id)?.ok_or_else(|| Error::NotFound(format!("no group {id:?}")))
}
