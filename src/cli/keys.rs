//! The ledger's signing key and its checkpoints: `key init`, `key public`, `checkpoint`.

use super::{say, Context};
use crate::error::Error;
use crate::ledger::Ledger;
use std::path::Path;

/// A key file: the signer key on its first line, the verifier key on its second.
pub(super) fn read_key(file: &Path) -> Result<(String, String), Error> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Error::Input(format!("{}: {e} (make one with `protokol key init --origin NAME`)", file.display()))
    })?;
    let mut lines = text.lines();
    match (lines.next(), lines.next()) {
        (Some(s), Some(v)) if s.starts_with("PRIVATE+KEY+") => Ok((s.to_string(), v.to_string())),
        _ => Err(Error::Input(format!("{}: not a key file of `protokol key init`", file.display()))),
    }
}

pub(super) fn init(ctx: &mut Context, origin: &str, file: &Path) -> Result<(), Error> {
    let (skey, vkey) =
        crate::checkpoint::new_key(origin, &mut rand_core::OsRng).map_err(|e| Error::Input(e.to_string()))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Readable by its owner alone, from the moment it exists.
        options.mode(0o600);
    }
    let mut f = options
        .open(file)
        .map_err(|e| Error::Input(format!("{}: {e} (an existing key is never overwritten)", file.display())))?;
    use std::io::Write;
    f.write_all(format!("{skey}\n{vkey}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
    say(ctx, &format!("made the key for {origin} in {}; its verifier key, to publish:\n{vkey}", file.display()))
}

pub(super) fn public(ctx: &mut Context, file: &Path, cosigner: bool) -> Result<(), Error> {
    let (skey, vkey) = read_key(file)?;
    // The two lines belong together: a checkpoint signed with the one opens with the other.
    let probe =
        crate::checkpoint::sign(&skey, 0, crate::merkle::TreeHash([0; 32])).map_err(|e| Error::Input(e.to_string()))?;
    crate::checkpoint::open(&probe, &vkey).map_err(|e| {
        Error::Input(format!("{}: its verifier key does not match its signer key ({e})", file.display()))
    })?;
    if cosigner {
        return say(ctx, &crate::checkpoint::cosigner_key(&skey).map_err(|e| Error::Input(e.to_string()))?);
    }
    say(ctx, &vkey)
}

pub(super) fn checkpoint(path: &Path, ctx: &mut Context, file: &Path) -> Result<(), Error> {
    let (skey, _) = read_key(file)?;
    let ledger = Ledger::open(path)?;
    let note = ledger.sign_checkpoint(&skey)?;
    say(ctx, note.trim_end())
}
