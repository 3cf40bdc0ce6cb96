//! The commands that look after a ledger: seed, verify, rebuild, compact, export, gen.

use super::progress::Bar;
use super::{open_or_create, render, say, Context, Quiet};
use crate::error::Error;
use crate::ledger::{self, Ledger, DERIVE_WRITES_MAX};
use crate::progress::Progress;
use crate::query;
use crate::seed;
use crate::store::Storage;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Events `gen` appends between checkpoints (`Ledger::checkpoint`): each costs sled's
/// replay of what was written since the last, about 2 s at this size.
const CHECKPOINT_EVENTS: usize = 100_000;

pub(super) fn verify(path: &Path, ctx: &mut Context, quiet: &Quiet) -> Result<(), Error> {
    let v = ledger::verify_with(path, &Bar::new(quiet))?;
    say(ctx, &v.to_string())?;
    let ledger = Ledger::open(path)?;
    let (size, root) = ledger.tree_root()?;
    let hex = crate::ids::Hash(root.0).to_hex();
    say(ctx, &format!("tree: {size} leaves, root {hex} (base64 {root})"))?;
    // Accepted, and so not a failure, but for a reader to look at.
    for flag in crate::query::seat_flags(&ledger.model())? {
        say(ctx, &format!("flag: {flag}"))?;
    }
    Ok(())
}

pub(super) fn rebuild(path: &Path, ctx: &mut Context, quiet: &Quiet) -> Result<(), Error> {
    let mut ledger = Ledger::open(path)?;
    let v = ledger.rebuild_with(DERIVE_WRITES_MAX, &Bar::new(quiet))?;
    ledger.checkpoint()?;
    say(ctx, &format!("rebuilt the projection from {} events, head {}", v.count, v.head))
}

pub(super) fn compact(path: &Path, ctx: &mut Context, compress: bool, plain: bool, quiet: &Quiet) -> Result<(), Error> {
    let storage = match (compress, plain) {
        (true, _) => Some(Storage::Compressed),
        (_, true) => Some(Storage::Plain),
        _ => None,
    };
    let c = ledger::compact_with(path, storage, &Bar::new(quiet))?;
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let kept = if c.storage == Storage::Compressed { ", compressed" } else { "" };
    say(
        ctx,
        &format!(
            "compacted {} keys{kept}, read back and compared: {:.1} MiB, was {:.1} MiB",
            c.pairs,
            mib(c.bytes_after),
            mib(c.bytes_before)
        ),
    )
}

pub(super) fn export(path: &Path, ctx: &mut Context, out: Option<PathBuf>) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    match out {
        Some(file) => {
            let mut w = std::io::BufWriter::new(
                std::fs::File::create(&file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?,
            );
            let n = ledger.export(&mut w)?;
            w.flush().map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
            say(ctx, &format!("exported {n} events to {}", file.display()))
        }
        None => ledger.export(ctx.out).map(|_| ()),
    }
}

pub(super) fn gen(path: &Path, ctx: &mut Context, events: usize, seed: u64, quiet: &Quiet) -> Result<(), Error> {
    let ledger = open_or_create(path)?;
    if ledger.head().is_some() {
        return Err(Error::Input(format!("{}: gen fills an empty ledger only", path.display())));
    }
    let started = std::time::Instant::now();
    let progress = Bar::new(quiet);
    progress.phase("generating and appending events", events as u64);
    let (mut n, mut since_checkpoint) = (0, 0);
    let mut ledger = Some(ledger);
    crate::gen::generate_each(events, seed, |batch| {
        let mut l = ledger.take().expect("the ledger is back after each batch");
        let appended = l.append("gen", batch, None, "protokol gen", ctx.now)?.len();
        (n, since_checkpoint) = (n + appended, since_checkpoint + appended);
        progress.advance(appended as u64);
        if since_checkpoint >= CHECKPOINT_EVENTS {
            (l, since_checkpoint) = (l.checkpoint()?, 0);
        }
        ledger = Some(l);
        Ok::<(), Error>(())
    })?;
    drop(progress);
    let ledger = ledger.expect("the ledger is back after each batch").checkpoint()?;
    let append_s = started.elapsed().as_secs_f64();
    say(ctx, &format!("generated {n} events (seed {seed}) in {append_s:.1} s; {}", ledger.verify_chain()?))
}

/// The main job on the embedded default: a local ledger holding the ATMP Danmark record.
pub(super) fn seed_and_show(path: &Path, ctx: &mut Context) -> Result<(), Error> {
    let mut ledger = open_or_create(path)?;
    if ledger.head().is_none() {
        for outcome in seed::import_all(&mut ledger, ctx.now)? {
            say(ctx, &outcome.to_string())?;
        }
    } else {
        say(ctx, &format!("{} already holds a record; showing it", path.display()))?;
    }
    say(ctx, &ledger.verify()?.to_string())?;
    let m = &ledger.model();
    let latest = m.meetings()?.iter().filter(|(_, x)| x.number.is_some()).map(|(_, x)| x.date()).max();
    let Some(day) = latest else { return Ok(()) };
    say(ctx, "")?;
    say(ctx, &render::groups(&query::groups(m, day)?))?;
    for (g, _) in m.groups()? {
        let c = query::composition(m, &g, day)?;
        if !c.members.is_empty() {
            say(ctx, &render::composition(&c))?;
        }
    }
    say(ctx, &format!("Open actions on {day}:\n"))?;
    let mut open = query::actions(m, day)?;
    open.retain(|a| a.state != query::ActionState::Done);
    say(ctx, &render::actions(&open))?;
    say(ctx, &format!("Try: protokol --ledger {} meeting styregruppen 4", path.display()))
}
