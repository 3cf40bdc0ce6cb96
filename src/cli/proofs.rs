//! Proofs on the command line: `prove`, `verify-proof` and `consistency`. A bundle is
//! written as JSON; checking one needs only the file and the log's verifier key.

use super::{keys, say, Context};
use crate::error::Error;
use crate::ids::{DecisionId, Seq};
use crate::ledger::Ledger;
use crate::proof::{self, ConsistencyBundle, InclusionBundle};
use std::path::{Path, PathBuf};

/// The signer key of `--key FILE`, if one was given.
fn signer(key: Option<&Path>) -> Result<Option<String>, Error> {
    key.map(|f| keys::read_key(f).map(|(s, _)| s)).transpose()
}

/// A verifier key given as itself, or as a file holding it (the second line of a key
/// file of `key init`, or a file of its own).
fn verifier(vkey: &str) -> Result<String, Error> {
    let path = Path::new(vkey);
    if !vkey.contains('+') || path.is_file() {
        let text =
            std::fs::read_to_string(path).map_err(|e| Error::Input(format!("the verifier key {vkey:?}: {e}")))?;
        let line = text.lines().rev().find(|l| !l.trim().is_empty() && !l.starts_with("PRIVATE+KEY+"));
        return line
            .map(|l| l.trim().to_string())
            .ok_or_else(|| Error::Input(format!("{vkey}: no verifier key in the file")));
    }
    Ok(vkey.to_string())
}

fn read_file(file: &Path) -> Result<String, Error> {
    let f = std::fs::File::open(file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
    let mut text = String::new();
    use std::io::Read;
    f.take(proof::BUNDLE_BYTES_MAX as u64 + 1)
        .read_to_string(&mut text)
        .map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
    if text.len() > proof::BUNDLE_BYTES_MAX {
        return Err(Error::Input(format!("{}: more than {} bytes", file.display(), proof::BUNDLE_BYTES_MAX)));
    }
    Ok(text)
}

fn write_out(ctx: &mut Context, out: Option<PathBuf>, json: &str) -> Result<(), Error> {
    match out {
        Some(file) => {
            std::fs::write(&file, format!("{json}\n")).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
            say(ctx, &format!("wrote {} ({} bytes)", file.display(), json.len() + 1))
        }
        None => say(ctx, json),
    }
}

pub(super) fn prove(
    path: &Path,
    ctx: &mut Context,
    seq: Option<u64>,
    decision: Option<DecisionId>,
    key: Option<&Path>,
    out: Option<PathBuf>,
) -> Result<(), Error> {
    let skey = signer(key)?;
    let ledger = Ledger::open(path)?;
    let seqs = match (seq, decision) {
        (Some(s), None) => vec![Seq(s)],
        (None, Some(d)) => ledger.decision_seqs(&d)?,
        _ => return Err(Error::Input("say what to prove: a SEQ, or --decision ID".into())),
    };
    let bundle = ledger.prove(&seqs, skey.as_deref())?;
    write_out(ctx, out, &serde_json::to_string(&bundle).expect("a bundle serializes"))
}

pub(super) fn consistency(
    path: &Path,
    ctx: &mut Context,
    old: &Path,
    vkey: Option<&str>,
    key: Option<&Path>,
    out: Option<PathBuf>,
) -> Result<(), Error> {
    let skey = signer(key)?;
    let vkey = vkey.map(verifier).transpose()?;
    let note = read_file(old)?;
    let ledger = Ledger::open(path)?;
    let bundle = ledger.consistency(&note, vkey.as_deref(), skey.as_deref()).map_err(|e| match e {
        Error::Input(m) => Error::Input(format!("{}: {m}", old.display())),
        e => e,
    })?;
    let then = proof::read_checkpoint(&note, None).map_err(|e| Error::Input(e.to_string()))?;
    let now = proof::read_checkpoint(&bundle.checkpoint, None).map_err(|e| Error::Input(e.to_string()))?;
    if let Some(out) = out {
        write_out(ctx, Some(out), &serde_json::to_string(&bundle).expect("a bundle serializes"))?;
    }
    say(
        ctx,
        &format!(
            "consistent: the log of {} events extends the checkpoint of {} events ({}), by {} proof hashes",
            now.size,
            then.size,
            old.display(),
            bundle.proof.len()
        ),
    )
}

pub(super) fn publish(path: &Path, ctx: &mut Context, dir: &Path, key: Option<&Path>) -> Result<(), Error> {
    let skey = signer(key)?;
    let ledger = Ledger::open(path)?;
    let p = ledger.publish(dir, skey.as_deref())?;
    let since = p.before.map_or(String::new(), |b| format!(", new since its checkpoint of {b}"));
    say(ctx, &format!("published the log of {} events in {}: {} files{since}", p.size, dir.display(), p.files))
}

pub(super) fn follow(
    path: &Path,
    ctx: &mut Context,
    url: &str,
    vkey: &str,
    witness: Option<(&Path, bool)>,
) -> Result<(), Error> {
    let vkey = verifier(vkey)?;
    let wkey = witness.map(|(f, _)| keys::read_key(f).map(|(s, _)| s)).transpose()?;
    let src = crate::follow::source(url);
    let mut replica = super::open_or_create(path)?;
    let f = crate::follow::follow(&mut replica, src.as_ref(), &vkey)?;
    let root = proof::to_base64(&f.head.root);
    if f.to > f.from {
        say(
            ctx,
            &format!(
                "took in seqs {} to {} from {}; accepted the checkpoint of {} events, root {root}",
                f.from + 1,
                f.to,
                src.name(),
                f.head.size
            ),
        )?;
    } else {
        say(ctx, &format!("up to date with {}: the checkpoint of {} events, root {root}", src.name(), f.head.size))?;
    }
    let (Some(wkey), Some((_, submit))) = (wkey, witness) else { return Ok(()) };
    let timestamp = u64::try_from(ctx.now.timestamp()).unwrap_or(0);
    let cosigned = crate::follow::cosign(&replica, &wkey, timestamp)?;
    if submit {
        src.send_cosignature(&cosigned)?;
        say(ctx, &format!("sent the cosignature to {}", src.name()))?;
    }
    say(ctx, cosigned.trim_end())
}

pub(super) fn verify_proof(ctx: &mut Context, file: &Path, vkey: &str) -> Result<(), Error> {
    let vkey = verifier(vkey)?;
    let text = read_file(file)?;
    let bad = |e: String| Error::Proof(format!("{}: {e}", file.display()));
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::Input(format!("{}: not JSON: {e}", file.display())))?;
    match value.get("format").and_then(|f| f.as_str()) {
        Some(proof::INCLUSION_FORMAT) => {
            let bundle: InclusionBundle = serde_json::from_value(value)
                .map_err(|e| Error::Input(format!("{}: not an inclusion bundle: {e}", file.display())))?;
            let (head, events) = proof::check_inclusion(&bundle, &vkey).map_err(|e| bad(e.0))?;
            for (e, entry) in events.iter().zip(&bundle.entries) {
                let line: serde_json::Value = serde_json::from_str(&entry.line).expect("checked above");
                let effective = line.get("effective").and_then(|v| v.as_str()).unwrap_or("");
                say(ctx, &format!("seq {} {} (effective {effective}), hash {}", e.seq, e.kind, e.hash))?;
            }
            say(
                ctx,
                &format!(
                    "ok: {} event(s) in the log {} of {} events, root {}, as its key signed",
                    events.len(),
                    head.origin,
                    head.size,
                    proof::to_base64(&head.root)
                ),
            )
        }
        Some(proof::CONSISTENCY_FORMAT) => {
            let bundle: ConsistencyBundle = serde_json::from_value(value)
                .map_err(|e| Error::Input(format!("{}: not a consistency bundle: {e}", file.display())))?;
            let (old, new) = proof::check_consistency(&bundle, &vkey).map_err(|e| bad(e.0))?;
            say(
                ctx,
                &format!(
                    "ok: the log {} of {} events extends its checkpoint of {} events, as its key signed both",
                    new.origin, new.size, old.size
                ),
            )
        }
        other => Err(Error::Input(format!(
            "{}: format {other:?} is neither {} nor {}",
            file.display(),
            proof::INCLUSION_FORMAT,
            proof::CONSISTENCY_FORMAT
        ))),
    }
}
