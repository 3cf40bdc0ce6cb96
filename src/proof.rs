//! Proofs anyone can check offline, holding only the log's verifier key: that events are
//! in the log a signed checkpoint commits to (an inclusion bundle), and that a log extends
//! an older checkpoint (a consistency bundle). A bundle is JSON; its hashes are in base64,
//! as in checkpoints, to keep it small (docs/FORMAT.md, "Proofs"). No I/O here.

use crate::envelope::Record;
use crate::ids::{Hash, Seq};
use crate::merkle::{self, TreeHash};
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const INCLUSION_FORMAT: &str = "protokol-inclusion/1";
pub const CONSISTENCY_FORMAT: &str = "protokol-consistency/1";
/// Most events one inclusion bundle proves.
pub const ENTRIES_MAX: usize = 1000;
/// Most bytes of a bundle read back (a bundle of 1000 large events, with room).
pub const BUNDLE_BYTES_MAX: usize = 64 * 1024 * 1024;

/// What is wrong with a proof, said for the person checking it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ProofError(pub String);

fn err(what: impl Into<String>) -> ProofError {
    ProofError(what.into())
}

/// Events of a log, each with its inclusion proof in the tree of a signed checkpoint.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InclusionBundle {
    /// `protokol-inclusion/1`.
    pub format: String,
    /// The signed checkpoint (C2SP tlog-checkpoint note) the proofs lead to.
    pub checkpoint: String,
    pub entries: Vec<ProvenEntry>,
}

#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProvenEntry {
    /// The leaf's index: the event's seq less one.
    pub index: u64,
    /// The event's export line, exactly as `protokol export` writes it.
    pub line: String,
    /// The RFC 6962 inclusion path, bottom up, each hash in standard base64.
    pub proof: Vec<String>,
}

/// That the log of one signed checkpoint extends the tree of an older one.
#[derive(Clone, Debug, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ConsistencyBundle {
    /// `protokol-consistency/1`.
    pub format: String,
    /// The older checkpoint, as it was given.
    pub old: String,
    /// The newer signed checkpoint.
    pub checkpoint: String,
    /// The RFC 6962 consistency proof from the older tree to the newer, in base64.
    pub proof: Vec<String>,
}

/// A checkpoint read: its origin, tree size and root.
#[derive(Clone, Debug, PartialEq)]
pub struct Head {
    pub origin: String,
    pub size: u64,
    pub root: TreeHash,
}

/// An event an inclusion bundle proved: its seq, kind and hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenEvent {
    pub seq: Seq,
    pub kind: String,
    pub hash: Hash,
}

pub fn to_base64(h: &TreeHash) -> String {
    base64::engine::general_purpose::STANDARD.encode(h.0)
}

fn from_base64(s: &str, what: &str) -> Result<TreeHash, ProofError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s)
        .map_err(|e| err(format!("{what}: {s:?} is not base64 ({e})")))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| err(format!("{what}: {s:?} is not 32 bytes")))?;
    Ok(TreeHash(bytes))
}

fn hashes(proof: &[String], what: &str) -> Result<Vec<TreeHash>, ProofError> {
    if proof.len() > 64 {
        return Err(err(format!("{what}: {} hashes, more than any tree of 2^64 leaves needs", proof.len())));
    }
    proof.iter().enumerate().map(|(i, s)| from_base64(s, &format!("{what}, hash {}", i + 1))).collect()
}

/// A checkpoint opened with `vkey` (its signature checked), or, with no key, read
/// without checking any signature: for a checkpoint the caller already trusts.
pub fn read_checkpoint(note: &str, vkey: Option<&str>) -> Result<Head, ProofError> {
    let (origin, size, root) = match vkey {
        Some(vkey) => crate::checkpoint::open(note, vkey).map_err(|e| err(format!("the checkpoint: {e}")))?,
        None => crate::checkpoint::read_unsigned(note).map_err(|e| err(format!("the checkpoint: {e}")))?,
    };
    Ok(Head { origin, size, root })
}

/// The inclusion bundle of `records` in the tree of the checkpoint `note` (of `size`
/// leaves), its paths read from `tree`.
pub fn inclusion_bundle<R: merkle::HashReader>(
    note: &str,
    size: u64,
    records: &[Record],
    tree: &R,
) -> Result<InclusionBundle, ProofError> {
    let mut entries = Vec::with_capacity(records.len());
    for r in records {
        let index = r.seq().0 - 1;
        let proof = merkle::prove_inclusion(size, index, tree)
            .map_err(|e| err(format!("seq {}: the inclusion proof: {e}", r.seq())))?;
        let line = r.to_export_line().map_err(|p| err(format!("seq {}: {p}", r.seq())))?;
        entries.push(ProvenEntry { index, line, proof: proof.iter().map(to_base64).collect() });
    }
    Ok(InclusionBundle { format: INCLUSION_FORMAT.into(), checkpoint: note.to_string(), entries })
}

/// Checks an inclusion bundle with the log's verifier key: the checkpoint's signature,
/// each line's hashes (as an export line's), and each path from its leaf to the
/// checkpoint's root. Returns the checkpoint and the events proved.
pub fn check_inclusion(bundle: &InclusionBundle, vkey: &str) -> Result<(Head, Vec<ProvenEvent>), ProofError> {
    if bundle.format != INCLUSION_FORMAT {
        return Err(err(format!("format {:?}: this reads {INCLUSION_FORMAT}", bundle.format)));
    }
    if bundle.entries.is_empty() || bundle.entries.len() > ENTRIES_MAX {
        return Err(err(format!("a bundle proves 1 to {ENTRIES_MAX} events, not {}", bundle.entries.len())));
    }
    let head = read_checkpoint(&bundle.checkpoint, Some(vkey))?;
    let mut proved = Vec::with_capacity(bundle.entries.len());
    for (n, e) in bundle.entries.iter().enumerate() {
        let at = format!("entry {}", n + 1);
        let record = Record::from_export_line(&e.line).map_err(|p| err(format!("{at}: its line: {p}")))?;
        record.check().map_err(|p| err(format!("{at}: seq {}: {p}", record.seq())))?;
        if record.seq().0 != e.index + 1 {
            return Err(err(format!("{at}: index {} is not the leaf of seq {}", e.index, record.seq())));
        }
        if e.index >= head.size {
            return Err(err(format!("{at}: seq {} is not in a tree of {} events", record.seq(), head.size)));
        }
        let proof = hashes(&e.proof, &at)?;
        merkle::check_inclusion(&proof, head.size, head.root, e.index, &record.hash).map_err(|_| {
            err(format!(
                "{at}: seq {} ({}) is not in the tree of the checkpoint (size {}, root {})",
                record.seq(),
                record.header.kind,
                head.size,
                to_base64(&head.root)
            ))
        })?;
        proved.push(ProvenEvent { seq: record.seq(), kind: record.header.kind.clone(), hash: record.hash });
    }
    Ok((head, proved))
}

/// Checks a consistency bundle: both checkpoints' signatures with `vkey` (a log's key
/// signs all its checkpoints), and the proof between their trees.
pub fn check_consistency(bundle: &ConsistencyBundle, vkey: &str) -> Result<(Head, Head), ProofError> {
    if bundle.format != CONSISTENCY_FORMAT {
        return Err(err(format!("format {:?}: this reads {CONSISTENCY_FORMAT}", bundle.format)));
    }
    let new = read_checkpoint(&bundle.checkpoint, Some(vkey))?;
    let old = read_checkpoint(&bundle.old, Some(vkey))?;
    consistent(&old, &new, &hashes(&bundle.proof, "the proof")?)?;
    Ok((old, new))
}

/// That `new` extends `old` by `proof`.
pub fn consistent(old: &Head, new: &Head, proof: &[TreeHash]) -> Result<(), ProofError> {
    if old.origin != new.origin {
        return Err(err(format!("the checkpoints are of two logs, {} and {}", old.origin, new.origin)));
    }
    if old.size > new.size {
        return Err(err(format!(
            "the newer checkpoint's tree ({}) is smaller than the older's ({})",
            new.size, old.size
        )));
    }
    if old.size == new.size {
        return if old.root == new.root && proof.is_empty() {
            Ok(())
        } else {
            Err(err(format!("two trees of {} events with different roots: the log was rewritten", old.size)))
        };
    }
    if old.size == 0 {
        return Ok(());
    }
    merkle::check_consistency(proof, new.size, new.root, old.size, old.root).map_err(|_| {
        err(format!(
            "the tree of {} events (root {}) does not extend the tree of {} (root {}): the log was rewritten",
            new.size,
            to_base64(&new.root),
            old.size,
            to_base64(&old.root)
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bundle of one event of the size `gen` writes, with the 20 hashes a path has in a
    /// tree of a million events, and a checkpoint: well under 2 KB (the 1M target).
    #[test]
    fn a_bundle_at_a_million_events_is_under_two_kilobytes() {
        let line = r#"{"body":{"decision":"d-000123-1","item":3,"meeting":"wg-3-0123","outcome":"approved","text":"The working group approves the revised plan for the second quarter, with the reservations noted."},"body_hash":"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4","effective":"2031-04-17","hash":"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef","kind":"DecisionRecorded","prev":"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c","recorded_at":"2026-12-02T08:00:00.000000Z","recorded_by":"secretariat","seq":987654}"#;
        let mut rng = rand_core::OsRng;
        let (skey, _) = crate::checkpoint::new_key("council.example.org/protokol", &mut rng).unwrap();
        let size = 1_000_000u64;
        let path_len = 64 - (size - 1).leading_zeros() as usize;
        assert_eq!(path_len, 20);
        let bundle = InclusionBundle {
            format: INCLUSION_FORMAT.into(),
            checkpoint: crate::checkpoint::sign(&skey, size, TreeHash([9; 32])).unwrap(),
            entries: vec![ProvenEntry {
                index: 987_653,
                line: line.into(),
                proof: vec![to_base64(&TreeHash([7; 32])); path_len],
            }],
        };
        let bytes = serde_json::to_vec(&bundle).unwrap().len();
        assert!(bytes < 2048, "{bytes} bytes");
    }
}
