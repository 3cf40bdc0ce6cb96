//! The past: the state as the ledger knew it at an earlier point of the log
//! (transaction time), three ways that tests hold to each other.

use super::Ledger;
use crate::error::Error;
use crate::ids::Seq;
use crate::kv::Kv;
use crate::model::{fold, Model};
pub use crate::when::KnownAt;
use crate::when::RecordedAt;

impl Ledger {
    /// The state a query should read: all of it, or as known after a seq or at an
    /// instant of recorded time (transaction time), read through each key's versions.
    pub fn known_at(&self, known_at: Option<KnownAt>) -> Result<Model, Error> {
        let seq = match known_at {
            None => return Ok(self.model()),
            Some(KnownAt::Seq(seq)) => seq,
            Some(KnownAt::Instant(t)) => self.seq_at_instant(t)?,
        };
        // Before the first event nothing was known: say so, rather than answer "no group
        // x" about a group the ledger simply had not heard of yet.
        if seq == Seq(0) && self.head_seq() > Seq(0) {
            let first = self.record(Seq(1))?.header.recorded_at;
            let when = match known_at {
                Some(KnownAt::Instant(t)) => format!("at {t}"),
                _ => "after seq 0".to_string(),
            };
            return Err(Error::NotFound(format!(
                "nothing was known {when}: the ledger's first event was recorded at {first}"
            )));
        }
        if seq >= self.head_seq() {
            return Ok(self.model());
        }
        Ok(self.as_of(seq))
    }

    /// The state as the body had decided it by `by`, as known after `upto`: each event
    /// that carries out a decision counts from that decision's date (a replacement
    /// decided on the 6th with effect from the 2nd is not yet there as decided by the
    /// 4th), every other event from its own date. A fold of the log: a question for an
    /// audit, asked from the command line, never on a request path.
    pub fn decided_by(&self, by: chrono::NaiveDate, upto: Seq) -> Result<Model, Error> {
        let upto = upto.min(self.head_seq());
        let now = self.as_of(upto);
        let corrections = self.corrections_upto(&self.model().corrections()?, upto, &[])?;
        let mut kept = Vec::new();
        for entry in self.entries(Seq(1), upto) {
            let entry = entry?;
            let Some(seen) = crate::model::as_corrected(&entry, &corrections) else { continue };
            let decided = match seen.event.carries_out() {
                Some(d) => now.decision(d)?.map_or(seen.date(), |d| d.date),
                None => seen.date(),
            };
            if decided <= by {
                kept.push(Ok::<_, Error>(entry));
            }
        }
        fold(kept.into_iter(), &corrections)
    }

    /// The state as known after `seq`, read key by key from each key's versions: as
    /// cheap to query as the present.
    pub fn as_of(&self, seq: Seq) -> Model {
        Model::new(Kv::as_of(self.store.state_reader(), seq.0))
    }

    /// The state as known after `seq`, stepped back from the head by undo records (what
    /// corrections do; tests hold it against `as_of` and `folded`).
    pub fn rewound(&self, seq: Seq) -> Result<Model, Error> {
        let mut model = self.model();
        model.rewind(self.head_seq(), seq.min(self.head_seq()))?;
        Ok(model)
    }

    /// The state as known after `seq`, folded from the start of the log: the definition
    /// the other two ways to a past state are tested against.
    pub fn folded(&self, seq: Seq) -> Result<Model, Error> {
        let corrections = self.corrections_upto(&self.model().corrections()?, seq, &[])?;
        fold(self.entries(Seq(1), seq), &corrections)
    }

    /// The last seq recorded at or before `instant`: recorded time never decreases along
    /// the log, so a binary search over the records' headers finds it.
    pub fn seq_at_instant(&self, instant: RecordedAt) -> Result<Seq, Error> {
        let (mut lo, mut hi) = (0u64, self.head_seq().0);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if self.record(Seq(mid))?.header.recorded_at <= instant {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        Ok(Seq(lo))
    }
}
