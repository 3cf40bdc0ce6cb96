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

/// A checkpoint read without checking a signature (a note, or its text alone): for one
/// the caller holds already, whose contents are compared, not trusted.
pub fn read_unsigned(note: &str) -> Result<(String, u64, TreeHash), CheckpointError> {
    let text = match Note::from_bytes(note.as_bytes()) {
        Ok(n) => n.text().to_vec(),
        Err(_) => note.as_bytes().to_vec(),
    };
    let c = Checkpoint::from_bytes(&text).map_err(|e| CheckpointError(format!("not a checkpoint: {e}")))?;
    Ok((c.origin().to_string(), c.size(), *c.hash()))
}

/// The text a note signs: everything before its signature lines.
fn text_of(note: &str) -> Option<&str> {
    note.rsplit_once("\n\n").map(|(text, _)| &note[..text.len() + 1])
}

/// Whether two notes sign the same text (the same checkpoint, whoever signed it).
pub fn same_text(a: &str, b: &str) -> bool {
    matches!((text_of(a), text_of(b)), (Some(x), Some(y)) if x == y)
}

/// C2SP tlog-cosignature's key ID byte for Ed25519 cosignatures (`cosignature/v1`).
const COSIGNATURE_V1: u8 = 0x04;

/// A signer key's name and Ed25519 key.
fn ed25519_of(skey: &str) -> Result<(String, ed25519_dalek::SigningKey), CheckpointError> {
    let bad = || CheckpointError("the key: not a signer key of `protokol key init`".into());
    let name =
        StandardSigner::new(skey.trim()).map_err(|e| CheckpointError(format!("the key: {e}")))?.name().to_string();
    // PRIVATE+KEY+NAME+ID+KEY: the key's base64 may hold '+' itself.
    let b64 = skey.trim().splitn(5, '+').nth(4).ok_or_else(bad)?;
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad())?;
    let seed: [u8; 32] = bytes.get(1..).and_then(|s| s.try_into().ok()).ok_or_else(bad)?;
    Ok((name, ed25519_dalek::SigningKey::from_bytes(&seed)))
}

/// A cosigner's verifier key: its name, the key ID of a `cosignature/v1` key, and the
/// base64 of the byte 0x04 and its public key (C2SP tlog-cosignature).
pub fn cosigner_key(skey: &str) -> Result<String, CheckpointError> {
    let (name, key) = ed25519_of(skey)?;
    let public = [&[COSIGNATURE_V1][..], key.verifying_key().as_bytes()].concat();
    use base64::Engine;
    Ok(format!(
        "{name}+{:08x}+{}",
        signed_note::key_id(&name, &public),
        base64::engine::general_purpose::STANDARD.encode(&public)
    ))
}

/// What a `cosignature/v1` signs: two lines and the checkpoint's text.
fn cosigned_message(timestamp: u64, text: &[u8]) -> Vec<u8> {
    [format!("cosignature/v1\ntime {timestamp}\n").as_bytes(), text].concat()
}

struct Cosigner {
    name: String,
    id: u32,
    key: ed25519_dalek::SigningKey,
    timestamp: u64,
}

impl Signer for Cosigner {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ed25519_dalek::SignatureError> {
        use ed25519_dalek::Signer as _;
        let sig = self.key.try_sign(&cosigned_message(self.timestamp, msg))?;
        Ok([&self.timestamp.to_be_bytes()[..], &sig.to_bytes()].concat())
    }
}

struct CosignatureVerifier {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl signed_note::Verifier for CosignatureVerifier {
    fn name(&self) -> &str {
        &self.name
    }
    fn key_id(&self) -> u32 {
        self.id
    }
    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let (Some(ts), Some(sig)) = (sig.get(..8), sig.get(8..)) else { return false };
        let timestamp = u64::from_be_bytes(ts.try_into().expect("8 bytes"));
        let Ok(sig) = ed25519_dalek::Signature::from_slice(sig) else { return false };
        use ed25519_dalek::Verifier as _;
        timestamp < 1 << 63 && self.key.verify(&cosigned_message(timestamp, msg), &sig).is_ok()
    }
}

fn cosignature_verifier(vkey: &str) -> Result<CosignatureVerifier, CheckpointError> {
    let bad = |why: &str| CheckpointError(format!("the cosigner key {vkey:?}: {why}"));
    let mut parts = vkey.trim().splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("not name+id+key"));
    };
    use base64::Engine;
    let public = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| bad("the key is not base64"))?;
    if public.len() != 33 || public[0] != COSIGNATURE_V1 {
        return Err(bad("not an Ed25519 cosignature/v1 key (type 0x04)"));
    }
    let id = u32::from_str_radix(id, 16).map_err(|_| bad("the key ID is not hex"))?;
    if id != signed_note::key_id(name, &public) {
        return Err(bad("the key ID does not match the key"));
    }
    let key = ed25519_dalek::VerifyingKey::from_bytes(public[1..].try_into().expect("32 bytes"))
        .map_err(|_| bad("not an Ed25519 public key"))?;
    Ok(CosignatureVerifier { name: name.to_string(), id, key })
}

/// `note` with a `cosignature/v1` by `skey` (a key of `key init`) at `timestamp` (POSIX
/// seconds) added after its signatures.
pub fn cosign(note: &str, skey: &str, timestamp: u64) -> Result<String, CheckpointError> {
    let (name, key) = ed25519_of(skey)?;
    let public = [&[COSIGNATURE_V1][..], key.verifying_key().as_bytes()].concat();
    let signer = Cosigner { id: signed_note::key_id(&name, &public), name, key, timestamp };
    let mut n = Note::from_bytes(note.as_bytes()).map_err(|e| CheckpointError(format!("not a signed note: {e}")))?;
    n.add_sigs(&[&signer]).map_err(|e| CheckpointError(format!("cosigning: {e}")))?;
    String::from_utf8(n.to_bytes()).map_err(|e| CheckpointError(e.to_string()))
}

/// The cosignatures of `note` by the cosigners `vkeys`, checked: each cosigner's name
/// and timestamp. A cosignature that does not check is an error; one by a key not given
/// is left out.
pub fn cosignatures(note: &str, vkeys: &[String]) -> Result<Vec<(String, u64)>, CheckpointError> {
    let n = Note::from_bytes(note.as_bytes()).map_err(|e| CheckpointError(format!("not a signed note: {e}")))?;
    let verifiers =
        vkeys.iter().map(|k| cosignature_verifier(k).map(|v| Box::new(v) as Box<dyn signed_note::Verifier>));
    let list = VerifierList::new(verifiers.collect::<Result<_, _>>()?);
    match n.verify(&list) {
        Ok((verified, _)) => Ok(verified
            .iter()
            .map(|s| {
                let ts = s.signature().get(..8).map_or(0, |b| u64::from_be_bytes(b.try_into().expect("8 bytes")));
                (s.name().to_string(), ts)
            })
            .collect()),
        Err(signed_note::NoteError::UnverifiedNote) => Ok(Vec::new()),
        Err(e) => Err(CheckpointError(format!("a cosignature does not check: {e}"))),
    }
}

/// The signature lines of `note`.
fn signature_lines(note: &str) -> Vec<&str> {
    note.rsplit_once("\n\n").map_or(Vec::new(), |(_, sigs)| sigs.lines().filter(|l| !l.is_empty()).collect())
}

/// `base` (a checkpoint signed by the log) with the signature lines of `cosigned` (the
/// same checkpoint, cosigned) that are cosignatures by `vkeys`, checked, and that
/// `base` does not have yet. Returns the merged note and the cosigners added.
pub fn add_cosignatures(
    base: &str,
    cosigned: &str,
    vkeys: &[String],
) -> Result<(String, Vec<String>), CheckpointError> {
    if !same_text(base, cosigned) {
        return Err(CheckpointError("the cosigned checkpoint is not the log's current checkpoint".into()));
    }
    let found = cosignatures(cosigned, vkeys)?;
    if found.is_empty() {
        return Err(CheckpointError("no cosignature by a witness this log takes cosignatures from".into()));
    }
    let have = signature_lines(base);
    let mut out = base.to_string();
    let mut added = Vec::new();
    for line in signature_lines(cosigned) {
        let name = line.trim_start_matches('\u{2014}').trim_start().split(' ').next().unwrap_or("");
        if !have.contains(&line) && found.iter().any(|(n, _)| n == name) {
            out.push_str(line);
            out.push('\n');
            added.push(name.to_string());
        }
    }
    Ok((out, added))
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

    #[test]
    fn a_cosignature_checks_with_the_cosigners_key_and_merges_into_the_logs_checkpoint() {
        let mut rng = rand_core::OsRng;
        let (log, _) = new_key("example.org/protokol", &mut rng).unwrap();
        let (witness, _) = new_key("witness.example.net/w1", &mut rng).unwrap();
        let (other, _) = new_key("witness.example.net/w2", &mut rng).unwrap();
        let note = sign(&log, 42, TreeHash([7; 32])).unwrap();
        let cosigned = cosign(&note, &witness, 1_700_000_000).unwrap();
        let wkey = cosigner_key(&witness).unwrap();
        assert_eq!(
            cosignatures(&cosigned, std::slice::from_ref(&wkey)).unwrap(),
            vec![("witness.example.net/w1".into(), 1_700_000_000)]
        );
        assert!(cosignatures(&cosigned, &[cosigner_key(&other).unwrap()]).unwrap().is_empty());
        // A cosignature of another text does not check.
        let forged = cosigned.replace("\n42\n", "\n43\n");
        assert!(cosignatures(&forged, std::slice::from_ref(&wkey)).is_err());
        let (merged, added) = add_cosignatures(&note, &cosigned, std::slice::from_ref(&wkey)).unwrap();
        assert_eq!(added, vec!["witness.example.net/w1".to_string()]);
        assert_eq!(merged, cosigned);
        assert_eq!(add_cosignatures(&merged, &cosigned, std::slice::from_ref(&wkey)).unwrap().1.len(), 0, "added once");
        let later = sign(&log, 43, TreeHash([8; 32])).unwrap();
        assert!(add_cosignatures(&later, &cosigned, &[wkey]).is_err());
    }
}
