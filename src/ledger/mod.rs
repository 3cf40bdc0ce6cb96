//! A ledger: the store, the chain on top of it, and the history it folds into. Every
//! write goes through `append`: checked whole, sealed, written as one batch, flushed.

mod append;
mod correct;
mod exchange;
mod once;
mod past;
mod prove;
mod publish;
mod read;
mod rebuild;
mod verify;

pub use append::Checked;
pub use once::Appended;
pub use past::KnownAt;
pub use publish::Published;
pub use rebuild::{compact, compact_with, DERIVE_WRITES_MAX};
pub use verify::{verify, verify_with, Verified};

use crate::envelope::{Problem, Record};
use crate::error::Error;
use crate::event::Event;
use crate::ids::{Hash, Seq};
use crate::kv::Kv;
use crate::model::{Entry, Model};
use crate::rules::{Refusal, RuleError};
use crate::store::{RecordedHead, Store};
use crate::when::RecordedAt;
use std::path::Path;

/// The head a writer expects: the append fails with a conflict if the log has moved on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Seq(Seq),
    Hash(Hash),
    /// Both: the head must be this seq with this hash.
    Head(Seq, Hash),
}

impl Expect {
    /// What a writer that gave an expected seq, hash, both or neither expects: both
    /// parts are held, never one dropped for the other.
    pub fn of(seq: Option<Seq>, hash: Option<Hash>) -> Option<Expect> {
        match (seq, hash) {
            (Some(s), Some(h)) => Some(Expect::Head(s, h)),
            (Some(s), None) => Some(Expect::Seq(s)),
            (None, Some(h)) => Some(Expect::Hash(h)),
            (None, None) => None,
        }
    }
}

pub struct Ledger {
    store: Store,
    /// The projection as stored, with the writes of the batch being checked over it;
    /// only `append` and `import_export` use it, and leave it without writes.
    model: Model,
    head: Option<(Seq, Hash, RecordedAt)>,
}

impl Ledger {
    pub fn create(path: &Path) -> Result<Ledger, Error> {
        let store = Store::create(path)?;
        let model = Model::new(Kv::over(store.state_reader()));
        Ok(Ledger { store, model, head: None })
    }

    /// Opens a ledger without reading its log: checks the newest record's hashes and that
    /// the persisted projection reflects exactly that head (both are written in one
    /// atomic batch). A projection that is missing, of another layout or behind the head
    /// is rebuilt from the log, which is then checked in full on the way.
    /// `verify` checks every record, and the projection against the log.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        let store = Store::open(path)?;
        let head = store.head()?.map(|r| (r.seq(), r.hash, r.header.recorded_at));
        let recorded = match store.recorded_head()? {
            RecordedHead::At(s, h) => Some((s, h)),
            _ => None,
        };
        let at_head = head.map(|h| (h.0, h.1));
        // A ledger written before the Merkle tree gets its tree, once.
        if let Some((seq, ..)) = head {
            store.extend_tree(seq)?;
        }
        let mut ledger = Ledger { model: Model::new(Kv::over(store.state_reader())), store, head };
        let empty = at_head.is_none() && recorded.is_none();
        if !empty && (recorded != at_head || ledger.store.state_head()? != at_head) {
            ledger.rebuild()?;
        }
        Ok(ledger)
    }

    /// Closes the store and opens it again, after a long run of writes. sled 0.34 writes
    /// the snapshot of its page table only when it opens, so until then every open
    /// replays sled's own log since the last one: 19 s after a million appends. A bulk
    /// writer (`gen`, `import`, `rebuild`) checkpoints now and then and at its end, so
    /// that the next open, its own or another process's, starts from a recent snapshot.
    /// Every view of this ledger must be dropped first: sled stays open while one lives.
    pub fn checkpoint(self) -> Result<Ledger, Error> {
        let path = self.path().to_path_buf();
        drop(self);
        Ledger::open(&path)
    }

    /// Re-derives the projection from the log, checking every record on the way, and
    /// stores it in place of the old one.
    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn head(&self) -> Option<(Seq, Hash)> {
        self.head.map(|(s, h, _)| (s, h))
    }

    pub fn head_seq(&self) -> Seq {
        self.head.map_or(Seq(0), |h| h.0)
    }

    /// A kept approved document, by its hash (none where the approval kept only the hash).
    pub fn document(&self, hash: &Hash) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.store.document(hash)?)
    }

    /// The Merkle tree's root at the head, and its size (docs/FORMAT.md, "The Merkle tree").
    pub fn tree_root(&self) -> Result<(u64, crate::merkle::TreeHash), Error> {
        let size = self.head_seq().0;
        Ok((size, self.store.tree_root(size)?))
    }

    /// Signs the checkpoint of the head with `skey` and keeps it as the last one signed:
    /// never one inconsistent with the checkpoint signed before (a shorter log, or one
    /// whose tree at that size has another root).
    pub fn sign_checkpoint(&self, skey: &str) -> Result<String, Error> {
        let (size, root) = self.tree_root()?;
        if let Some((before, before_root, _)) = self.store.last_checkpoint()? {
            let differs = before > size || self.store.tree_root(before)? != before_root;
            if differs {
                return Err(Error::Verify(crate::envelope::Fault {
                    seq: Seq(before.min(size)),
                    problem: crate::envelope::Problem::Tree(format!(
                        "a checkpoint was signed at size {before} with root {before_root}, and this log does not \
                         extend it; nothing was signed"
                    )),
                }));
            }
        }
        let note = crate::checkpoint::sign(skey, size, root).map_err(|e| Error::Input(e.to_string()))?;
        self.store.record_checkpoint(size, root, &note)?;
        Ok(note)
    }

    /// The last checkpoint the ledger signed, if any.
    pub fn last_checkpoint(&self) -> Result<Option<String>, Error> {
        Ok(self.store.last_checkpoint()?.map(|c| c.2))
    }

    /// The tree size of the last checkpoint signed, if any.
    pub fn last_checkpoint_size(&self) -> Result<Option<u64>, Error> {
        Ok(self.store.last_checkpoint()?.map(|c| c.0))
    }

    /// The last checkpoint signed, with the cosignatures kept for it (none yet: it alone).
    pub fn cosigned_checkpoint(&self) -> Result<Option<String>, Error> {
        let Some(note) = self.last_checkpoint()? else { return Ok(None) };
        Ok(Some(match self.store.cosigned()? {
            Some(cosigned) if crate::checkpoint::same_text(&cosigned, &note) => cosigned,
            _ => note,
        }))
    }

    /// Whether the ledger keeps the document hashing to `hash` (a page links to it).
    pub fn has_document(&self, hash: &Hash) -> Result<bool, Error> {
        Ok(self.store.has_document(hash)?)
    }

    /// The state at the head, read from the persisted projection: a view of its own
    /// for each reader, so a failed read fails only the answer it was for.
    pub fn model(&self) -> Model {
        Model::new(Kv::over(self.store.state_reader()))
    }

    /// Where readers beside the writer open their views of this ledger (`Reads::view`).
    pub fn reads(&self) -> Reads {
        Reads(self.store.shared())
    }
}

/// What readers open their views from while another thread holds the ledger to write:
/// a server's requests. Never written through.
pub struct Reads(Store);

impl Reads {
    /// The ledger as its last durable append left it, for one answer: appends neither
    /// wait for it nor change what it reads, and it never shows an event before the
    /// event is durable (a reader that saw one a crash then took back would take the
    /// log for forked). It only reads: an append through it is a bug, and panics.
    pub fn view(&self) -> Result<Ledger, Error> {
        let store = self.0.pinned();
        let head = store.head()?.map(|r| (r.seq(), r.hash, r.header.recorded_at));
        Ok(Ledger { model: Model::new(Kv::over(store.state_reader())), store, head })
    }
}

/// A batch being checked: its entries so far, which a correction may replay.
#[derive(Default)]
pub(crate) struct Batch {
    pub(crate) pending: Vec<Entry>,
    /// Seqs of the batch read in already erased (an export's), whose redaction follows.
    pub(crate) erased: std::collections::BTreeSet<Seq>,
}

/// Why an event was not taken in.
pub(crate) enum TakeIn {
    Refused(Refusal),
    Failed(Error),
}

impl From<Error> for TakeIn {
    fn from(e: Error) -> TakeIn {
        TakeIn::Failed(e)
    }
}

impl From<RuleError> for TakeIn {
    fn from(e: RuleError) -> TakeIn {
        match e {
            RuleError::Refused(r) => TakeIn::Refused(r),
            RuleError::Read(e) => TakeIn::Failed(e.into()),
        }
    }
}

impl From<crate::kv::ReadError> for TakeIn {
    fn from(e: crate::kv::ReadError) -> TakeIn {
        TakeIn::Failed(e.into())
    }
}

pub(crate) fn entry_of(record: &Record) -> Result<Entry, Problem> {
    let event = match record.erased_by {
        Some(_) if record.body_bytes.is_empty() => {
            Event::Erased(crate::event::Erased { kind: record.header.kind.clone() })
        }
        _ => Event::from_parts(&record.header.kind, record.body()?).map_err(Problem::Undecodable)?,
    };
    Ok(Entry {
        seq: record.seq(),
        recorded_at: record.header.recorded_at,
        effective: record.header.effective,
        recorded_by: record.header.recorded_by.clone(),
        event,
    })
}
