//! `rebuild`: the projection derived again from the log, in bounded memory, in place of
//! the stored one; and `compact`, the store's.

use super::verify::{verify_store, Verified};
use super::Ledger;
use crate::error::Error;
use crate::ids::Seq;
use crate::kv::{Kv, Pair};
use crate::model::Model;
use crate::progress::{Progress, Silent};
use crate::store::{Compacted, Scratch, Storage, Store, StoreError};
use std::path::Path;

impl Ledger {
    /// Re-derives the projection from the log, checking every record on the way, and
    /// stores it in place of the old one.
    pub fn rebuild(&mut self) -> Result<Verified, Error> {
        self.rebuild_with(DERIVE_WRITES_MAX, &Silent)
    }

    /// `rebuild` holding at most `writes_max` derived writes in memory before taking
    /// them into the scratch store.
    pub fn rebuild_spilling_every(&mut self, writes_max: usize) -> Result<Verified, Error> {
        self.rebuild_with(writes_max, &Silent)
    }

    /// `rebuild`, reporting each phase's progress.
    pub fn rebuild_with(&mut self, writes_max: usize, progress: &dyn Progress) -> Result<Verified, Error> {
        let (verified, derived) = self.derive(writes_max, progress)?;
        self.store.replace_state(derived.pairs(), self.head())?;
        self.model = Model::new(Kv::over(self.store.state_reader()));
        Ok(verified)
    }

    /// Checks every record and replays the log into a new projection the way appends
    /// built it, history and corrections included: in memory while it is small, then in
    /// a scratch store taking in the writes every `writes_max` keys, so memory stays
    /// bounded whatever the log's length.
    fn derive(&self, writes_max: usize, progress: &dyn Progress) -> Result<(Verified, Derived), Error> {
        let verified = verify_store(&self.store, progress)?;
        progress.phase("replaying the log", verified.count);
        let mut scratch: Option<Scratch> = None;
        let mut model = Model::default();
        for entry in self.entries(Seq(1), Seq(verified.count)) {
            let entry = entry?;
            self.replay(&mut model, &entry)?;
            progress.advance(1);
            if model.kv().writes().len() >= writes_max {
                let s = match scratch.take() {
                    Some(s) => s,
                    None => Store::scratch()?,
                };
                s.apply(model.kv().writes())?;
                model = Model::new(Kv::over(s.reader()));
                scratch = Some(s);
            }
        }
        Ok((
            verified,
            match scratch {
                Some(s) => {
                    s.apply(model.kv().writes())?;
                    Derived::Spilled(s)
                }
                None => Derived::InMemory(model),
            },
        ))
    }
}

/// Writes a derived projection keeps in memory before taking them into a scratch store:
/// about 64 MiB of keys and values in a generated workload, the whole of a 40,000-event
/// log's projection. Larger ran faster (9 s instead of 11 for 100k events) but grows
/// with the log; 20,000 took 13-15 s.
pub const DERIVE_WRITES_MAX: usize = 250_000;

/// A projection derived from the log: small ones in memory, large ones in a scratch store.
enum Derived {
    InMemory(Model),
    Spilled(Scratch),
}

impl Derived {
    fn pairs(&self) -> Box<dyn Iterator<Item = Result<Pair, StoreError>> + '_> {
        match self {
            Derived::InMemory(m) => {
                Box::new(m.kv().writes().iter().filter_map(|(k, v)| Some(Ok((k.clone(), v.clone()?)))))
            }
            Derived::Spilled(s) => Box::new(s.pairs()),
        }
    }
}

/// Rewrites the ledger's storage in less space: the same records and projection, byte
/// for byte (see [`Store::compact`]).
pub fn compact(path: &Path, storage: Option<Storage>) -> Result<Compacted, Error> {
    compact_with(path, storage, &Silent)
}

/// `compact`, reporting its progress.
pub fn compact_with(path: &Path, storage: Option<Storage>, progress: &dyn Progress) -> Result<Compacted, Error> {
    Ok(Store::compact(path, storage, progress)?)
}
