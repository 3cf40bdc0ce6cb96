//! Proofs from the ledger: inclusion bundles of events, and the consistency of the log
//! with an older checkpoint, each against a signed checkpoint (`proof`).

use super::Ledger;
use crate::error::Error;
use crate::ids::{DecisionId, Seq};
use crate::proof::{self, ConsistencyBundle, Head, InclusionBundle};

impl Ledger {
    /// With `skey`, the head's checkpoint (signed now, unless it was already); without,
    /// the last signed checkpoint, if it covers `size` leaves. The stored one is held to the tree first: a ledger never hands
    /// out a checkpoint its own log does not extend.
    fn checkpoint_covering(&self, size: u64, skey: Option<&str>) -> Result<(u64, String), Error> {
        if let Some((signed, root, note)) = self.store.last_checkpoint()? {
            // With the key, the checkpoint of the head; without, the last one, if it will do.
            let current = skey.is_none() || signed == self.head_seq().0;
            if current && signed >= size && signed <= self.head_seq().0 && self.store.tree_root(signed)? == root {
                return Ok((signed, note));
            }
        }
        match skey {
            Some(skey) => Ok((self.head_seq().0, self.sign_checkpoint(skey)?)),
            None => Err(Error::Input(format!(
                "no signed checkpoint covers {size} events yet; sign one with `protokol checkpoint` \
                 (or give the key with --key)"
            ))),
        }
    }

    /// An inclusion bundle of the events at `seqs`, against the last signed checkpoint
    /// that covers them (or one signed now with `skey`).
    pub fn prove(&self, seqs: &[Seq], skey: Option<&str>) -> Result<InclusionBundle, Error> {
        if seqs.is_empty() || seqs.len() > proof::ENTRIES_MAX {
            return Err(Error::Input(format!("a bundle proves 1 to {} events", proof::ENTRIES_MAX)));
        }
        let last = *seqs.iter().max().expect("not empty");
        if seqs.contains(&Seq(0)) || last > self.head_seq() {
            return Err(Error::NotFound(format!("no event with seq {last} (the head is {})", self.head_seq())));
        }
        let (size, note) = self.checkpoint_covering(last.0, skey)?;
        let records = seqs.iter().map(|s| self.record(*s)).collect::<Result<Vec<_>, _>>()?;
        let bundle = proof::inclusion_bundle(&note, size, &records, &self.store.tree())
            .map_err(|e| Error::Proof(e.to_string()))?;
        Ok(bundle)
    }

    /// The events that made a decision as the register shows it: its recording, its
    /// corrections, and each change of its status, in log order.
    pub fn decision_seqs(&self, id: &DecisionId) -> Result<Vec<Seq>, Error> {
        let model = self.model();
        let decision = model.decision(id)?.ok_or_else(|| Error::NotFound(format!("no decision {id}")))?;
        let mut seqs = vec![decision.seq];
        seqs.extend(decision.status_history.iter().map(|c| c.seq));
        let made: Vec<Seq> = seqs.clone();
        seqs.extend(model.corrections()?.iter().filter(|c| made.contains(&c.target)).map(|c| c.seq));
        seqs.sort();
        seqs.dedup();
        Ok(seqs)
    }

    /// Whether this log extends the checkpoint `old` (its signature checked with `vkey`
    /// when one is given): the consistency bundle from it to the last signed checkpoint
    /// (or one signed now with `skey`), or `Error::Proof` saying where the logs part.
    pub fn consistency(&self, old: &str, vkey: Option<&str>, skey: Option<&str>) -> Result<ConsistencyBundle, Error> {
        let then = proof::read_checkpoint(old, vkey).map_err(|e| Error::Input(e.to_string()))?;
        self.extends(&then)?;
        let (size, note) = self.checkpoint_covering(then.size, skey)?;
        let path = self.consistency_path(then.size, size)?;
        Ok(ConsistencyBundle {
            format: proof::CONSISTENCY_FORMAT.into(),
            old: old.to_string(),
            checkpoint: note,
            proof: path.iter().map(proof::to_base64).collect(),
        })
    }

    /// The consistency path from the tree of `old` leaves to that of `size`: none when
    /// the older tree is empty or the same tree.
    pub fn consistency_path(&self, old: u64, size: u64) -> Result<Vec<crate::merkle::TreeHash>, Error> {
        if old == 0 || old == size {
            return Ok(Vec::new());
        }
        crate::merkle::prove_consistency(size, old, &self.store.tree())
            .map_err(|e| Error::Proof(format!("the consistency proof: {e}")))
    }

    /// Keeps the cosignatures of `cosigned` (the last signed checkpoint, cosigned) by the
    /// witnesses `vkeys`; returns the witnesses added.
    pub fn add_cosignatures(&self, cosigned: &str, vkeys: &[String]) -> Result<Vec<String>, Error> {
        let base = self.cosigned_checkpoint()?.ok_or_else(|| Error::Input("no checkpoint signed yet".into()))?;
        let (merged, added) =
            crate::checkpoint::add_cosignatures(&base, cosigned, vkeys).map_err(|e| Error::Input(e.to_string()))?;
        if !added.is_empty() {
            self.store.record_cosigned(&merged)?;
        }
        Ok(added)
    }

    /// The tree's root with `records` added after the head, nothing written.
    pub fn tree_root_with<'r>(
        &self,
        records: impl IntoIterator<Item = &'r crate::envelope::Record>,
    ) -> Result<crate::merkle::TreeHash, Error> {
        Ok(self.store.tree_root_with(records)?)
    }

    /// Of a replica: the last checkpoint accepted from the log it follows (size, note).
    pub fn accepted_checkpoint(&self) -> Result<Option<(u64, String)>, Error> {
        Ok(self.store.accepted_checkpoint()?.map(|(size, _, note)| (size, note)))
    }

    /// Of a replica: keeps `note` as the checkpoint accepted, once its tree is this log's.
    pub fn record_accepted(&self, head: &Head, note: &str) -> Result<(), Error> {
        assert_eq!(self.store.tree_root(head.size)?, head.root, "a replica accepts only its own tree's checkpoint");
        Ok(self.store.record_accepted(head.size, head.root, note)?)
    }

    /// That this log's tree at `then`'s size has `then`'s root.
    fn extends(&self, then: &Head) -> Result<(), Error> {
        let size = self.head_seq().0;
        if then.size > size {
            return Err(Error::Proof(format!(
                "the checkpoint is of {} events and this log has {size}: the log was truncated after seq {size}, \
                 or is behind",
                then.size
            )));
        }
        let root = self.store.tree_root(then.size)?;
        if root != then.root {
            return Err(Error::Proof(format!(
                "this log does not extend the checkpoint: its first {} events have the root {}, the checkpoint \
                 says {}; an event at or before seq {} differs from the log the checkpoint was signed for \
                 (`protokol follow` names the first one, holding the events it saw)",
                then.size,
                proof::to_base64(&root),
                proof::to_base64(&then.root),
                then.size
            )));
        }
        Ok(())
    }
}
