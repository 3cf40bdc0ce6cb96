//! Signed checkpoints: C2SP `tlog-checkpoint` notes (origin, tree size, root) signed with
//! Ed25519 as C2SP `signed-note` specifies (`signed_note`, `tlog_tiles`), so that anyone
//! holding one can later hold the ledger to it. The keys are signed-note's: a signer key
//! `PRIVATE+KEY+NAME+ID+KEY` and a verifier key `NAME+ID+KEY`, whose name is the log's
//! origin. No I/O here: the randomness for a key is passed in, as the clock is.

use crate::merkle::TreeHash;
use signed_note::{Note, Signer, StandardSigner, StandardVerifier, VerifierList};
use tlog_tiles::checkpoint::Checkpoint;

/// What is wrong with a key or a checkpoint, said for the person who gave it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CheckpointError(pub String);

/// A new key pair for `origin` (the log's name, e.g. `atmp.dk/protokol`): the signer
/// key, to be kept secret, and the verifier key, to be published.
pub fn new_key(origin: &str, rng: &mut impl rand_core::CryptoRngCore) -> Result<(String, String), CheckpointError> {
    if !signed_note::is_key_name_valid(origin) {
        return Err(CheckpointError(format!("{origin:?}: a log's name has no spaces and no '+'")));
    }
    Ok(signed_note::generate_key(rng, origin))
}

/// The origin a signer key signs for.
pub fn origin_of(skey: &str) -> Result<String, CheckpointError> {
    let signer = StandardSigner::new(skey.trim()).map_err(|e| CheckpointError(format!("the signer key: {e}")))?;
    Ok(signer.name().to_string())
}

/// The checkpoint of a tree of `size` leaves with `root`, signed with `skey` for the
/// origin that key names.
pub fn sign(skey: &str, size: u64, root: TreeHash) -> Result<String, CheckpointError> {
    let signer = StandardSigner::new(skey.trim()).map_err(|e| CheckpointError(format!("the signer key: {e}")))?;
    let text = Checkpoint::new(signer.name(), size, root, "")
        .map_err(|e| CheckpointError(format!("the checkpoint: {e}")))?
        .to_bytes();
    let mut note = Note::new(&text, &[]).map_err(|e| CheckpointError(format!("the note: {e}")))?;
    note.add_sigs(&[&signer]).map_err(|e| CheckpointError(format!("signing: {e}")))?;
    String::from_utf8(note.to_bytes()).map_err(|e| CheckpointError(e.to_string()))
}

/// A checkpoint read back, its signature by `vkey` checked: its origin, size and root.
pub fn open(note: &str, vkey: &str) -> Result<(String, u64, TreeHash), CheckpointError> {
    let verifier = StandardVerifier::new(vkey.trim()).map_err(|e| CheckpointError(format!("the verifier key: {e}")))?;
    let note = Note::from_bytes(note.as_bytes()).map_err(|e| CheckpointError(format!("not a signed note: {e}")))?;
    note.verify(&VerifierList::new(vec![Box::new(verifier)]))
        .map_err(|e| CheckpointError(format!("the signature does not check: {e}")))?;
    let c = Checkpoint::from_bytes(note.text()).map_err(|e| CheckpointError(format!("not a checkpoint: {e}")))?;
    Ok((c.origin().to_string(), c.size(), *c.hash()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_checkpoint_opens_with_its_key_and_no_other() {
        let mut rng = rand_core::OsRng;
        let (skey, vkey) = new_key("example.org/protokol", &mut rng).unwrap();
        assert!(vkey.starts_with("example.org/protokol+"), "{vkey}");
        let root = TreeHash([7; 32]);
        let note = sign(&skey, 42, root).unwrap();
        assert!(note.starts_with("example.org/protokol\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u{2014} example.org/protokol "), "{note}");
        assert_eq!(open(&note, &vkey).unwrap(), ("example.org/protokol".to_string(), 42, root));
        let (_, other) = new_key("example.org/protokol", &mut rng).unwrap();
        assert!(open(&note, &other).is_err());
        assert!(open(&note.replace("\n42\n", "\n43\n"), &vkey).is_err(), "a changed size breaks the signature");
        assert!(new_key("has space", &mut rng).is_err());
    }
}
