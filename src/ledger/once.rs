//! `append_once`: an append under a client's idempotency key, so that a request sent
//! again after a lost answer appends nothing and answers what the first appended.

use super::{Expect, Ledger};
use crate::envelope::Record;
use crate::error::Error;
use crate::ids::Seq;
use crate::input::NewEvent;
use crate::store::Once;
use chrono::{DateTime, Utc};

/// What `append_once` did: appended the records now, or found them appended before
/// under the same key and request.
#[derive(Debug)]
pub enum Appended {
    Now(Vec<Record>),
    Before(Vec<Record>),
}

impl Ledger {
    /// `append`, once for `once`'s key: the first call with it appends, recording the key
    /// in the same atomic write; a later one with the same request appends nothing and
    /// answers the records that first call appended (`Appended::Before`), so a client
    /// that lost the answer may send again; one with another request under the key is
    /// refused. The expected head is checked only on the first.
    pub fn append_once(
        &mut self,
        source: &str,
        events: Vec<NewEvent>,
        expect: Option<Expect>,
        recorded_by: &str,
        now: DateTime<Utc>,
        once: &Once,
    ) -> Result<Appended, Error> {
        if let Some(recorded) = self.store.once(&once.key)? {
            if recorded.request != once.request {
                return Err(Error::KeyReused(format!(
                    "{source}: this idempotency key recorded another request (seq {} to {}); nothing was written",
                    recorded.first, recorded.last
                )));
            }
            let len = (recorded.last.0 - recorded.first.0 + 1) as usize;
            let records = self.records_after(Seq(recorded.first.0 - 1), len)?;
            if records.len() != len {
                return Err(Error::Read(crate::kv::ReadError(format!(
                    "an idempotency key recorded seq {} to {}, which the log does not hold",
                    recorded.first, recorded.last
                ))));
            }
            return Ok(Appended::Before(records));
        }
        self.append_keeping(source, events, &[], expect, recorded_by, now, Some(once)).map(Appended::Now)
    }
}
