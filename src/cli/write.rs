//! The commands that write: a new ledger, events, files and approvals of minutes.

use super::progress::Bar;
use super::{open_or_create, say, who, Context, Quiet};
use crate::error::Error;
use crate::event::{Event, MinutesApproved};
use crate::hash;
use crate::ids::{GroupId, Hash, MeetingRef, Seq};
use crate::import;
use crate::input::{parse_events, NewEvent, INPUT_BYTES_MAX};
use crate::ledger::{Expect, Ledger};
use crate::query;
use crate::when::When;
use chrono::NaiveDate;
use std::io::Read;
use std::path::{Path, PathBuf};

pub(super) fn init(path: &Path, ctx: &mut Context) -> Result<(), Error> {
    Ledger::create(path)?;
    say(ctx, &format!("created an empty ledger at {}", path.display()))
}

pub(super) fn append(
    path: &Path,
    ctx: &mut Context,
    files: &[String],
    expect_seq: Option<u64>,
    expect_hash: Option<Hash>,
    by: Option<String>,
) -> Result<(), Error> {
    let by = who(by, ctx, "enters the events")?;
    let mut expect = Expect::of(expect_seq.map(Seq), expect_hash);
    let mut ledger = Ledger::open(path)?;
    // Read and parse every file before writing any, so a bad later file stops the run early.
    let batches = files
        .iter()
        .map(|f| {
            let source = source_name(f);
            let events = parse_events(&source, &read_input(f)?)?;
            Ok((source, events))
        })
        .collect::<Result<Vec<_>, Error>>()?;
    for (source, events) in batches {
        let records = ledger.append(&source, events, expect.take(), &by, ctx.now)?;
        let last = records.last().expect("non-empty batch");
        say(
            ctx,
            &format!(
                "{source}: appended {} events, seq {}..{}, head {}",
                records.len(),
                records[0].seq(),
                last.seq(),
                last.hash
            ),
        )?;
    }
    Ok(())
}

pub(super) fn import(
    path: &Path,
    ctx: &mut Context,
    paths: &[PathBuf],
    by: Option<String>,
    amend_because: Option<String>,
    quiet: &Quiet,
) -> Result<(), Error> {
    let created = !path.exists();
    let mut ledger = open_or_create(path)?;
    if let [file] = paths {
        if file.extension().is_some_and(|x| x == "jsonl") {
            let source = file.display().to_string();
            let f = std::fs::File::open(file).map_err(|e| Error::Input(format!("{source}: {e}")))?;
            let v = match ledger.import_export(&source, &mut std::io::BufReader::new(f)) {
                Ok(v) => v,
                Err(e) => return Err(abandon(ledger, created, path, e)),
            };
            ledger.checkpoint()?;
            return say(ctx, &format!("imported {source}: {v}"));
        }
    }
    let by = who(by, ctx, "imports")?;
    let progress = Bar::new(quiet);
    // All or nothing: the files are one batch, and a ledger this import created is
    // removed again if the batch is refused.
    let outcomes =
        match import::import_paths_amending(&mut ledger, paths, amend_because.as_deref(), &by, ctx.now, &progress) {
            Ok(o) => o,
            Err(e) => return Err(abandon(ledger, created, path, e)),
        };
    for outcome in outcomes {
        say(ctx, &outcome.to_string())?;
    }
    say(ctx, &ledger.checkpoint()?.verify_with(&progress)?.to_string())
}

pub(super) fn check(path: &Path, ctx: &mut Context, paths: &[PathBuf]) -> Result<(), Error> {
    // Against the ledger, or, where there is none yet, an empty one that is then removed.
    let scratch = (!path.exists()).then(|| {
        let nanos = ctx.now.timestamp_nanos_opt().unwrap_or_default();
        std::env::temp_dir().join(format!("protokol-check-{}-{nanos}", std::process::id()))
    });
    let report = {
        let mut ledger = match &scratch {
            Some(dir) => Ledger::create(dir)?,
            None => Ledger::open(path)?,
        };
        import::check_paths(&mut ledger, paths, "protokol check", ctx.now)
    };
    if let Some(dir) = &scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    let report = report?;
    for p in &report.problems {
        say(ctx, &p.to_string())?;
    }
    for f in &report.flags {
        say(ctx, &format!("flag: {f}"))?;
    }
    match report.problems.len() {
        0 => say(ctx, &format!("ok: {} files, {} events to import; nothing was written", report.files, report.events)),
        n => Err(Error::Input(format!("{n} problems in the files; nothing was written"))),
    }
}

/// Where minutes were approved, as `approve-minutes` is told.
pub(super) struct ApprovedAt {
    pub(super) at_meeting: Option<crate::ids::MeetingId>,
    pub(super) item: Option<u32>,
    pub(super) decision: Option<crate::ids::DecisionId>,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn approve_minutes(
    path: &Path,
    ctx: &mut Context,
    group: &GroupId,
    number: &MeetingRef,
    file: &Path,
    effective: Option<NaiveDate>,
    by: Option<String>,
    place: ApprovedAt,
) -> Result<(), Error> {
    let by = who(by, ctx, "records the approval")?;
    let bytes = std::fs::read(file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
    let mut ledger = Ledger::open(path)?;
    let (meeting, _) = query::find_meeting(&ledger.model(), group, number)?;
    let event = Event::MinutesApproved(MinutesApproved {
        meeting: meeting.clone(),
        document_hash: hash::document_hash(&bytes),
        document_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
        at_meeting: place.at_meeting,
        item: place.item,
        decision: place.decision,
        checkpoint: None,
    });
    let effective = When::Date(effective.unwrap_or(ctx.now.date_naive()));
    let origin = format!("approve-minutes {}", file.display());
    // The document itself is kept with its approval, in the same write.
    let events = vec![NewEvent::new(effective, event, origin.clone())];
    let records = ledger.append_keeping(&origin, events, std::slice::from_ref(&bytes), None, &by, ctx.now, None)?;
    say(
        ctx,
        &format!(
            "recorded {} ({}) as the approved minutes of {group} {number} at seq {}",
            file.display(),
            hash::document_hash(&bytes),
            records[0].seq()
        ),
    )
}

/// How a message names an input: `-` is standard input.
fn source_name(file: &str) -> String {
    if file == "-" {
        "standard input".to_string()
    } else {
        file.to_string()
    }
}

fn read_input(source: &str) -> Result<String, Error> {
    let mut buf = String::new();
    let read = if source == "-" {
        std::io::stdin().take(INPUT_BYTES_MAX as u64 + 1).read_to_string(&mut buf)
    } else {
        std::fs::File::open(source).and_then(|f| f.take(INPUT_BYTES_MAX as u64 + 1).read_to_string(&mut buf))
    };
    read.map_err(|e| Error::Input(format!("{}: {e}", source_name(source))))?;
    Ok(buf)
}

/// Records the draft minutes sent for comments (no reason), or approved minutes opened
/// again (with the reason).
pub(super) fn minutes_step(
    path: &Path,
    ctx: &mut Context,
    group: &GroupId,
    number: &MeetingRef,
    reopen_because: Option<String>,
    effective: Option<NaiveDate>,
    by: Option<String>,
) -> Result<(), Error> {
    let by = who(by, ctx, "records this")?;
    let mut ledger = Ledger::open(path)?;
    let (meeting, _) = query::find_meeting(&ledger.model(), group, number)?;
    let (event, done) = match reopen_because {
        None => {
            (Event::MinutesCirculated(crate::event::MinutesCirculated { meeting, note: None }), "sent for comments")
        }
        Some(reason) => (Event::MinutesReopened(crate::event::MinutesReopened { meeting, reason }), "reopened"),
    };
    let effective = When::Date(effective.unwrap_or(ctx.now.date_naive()));
    let origin = format!("minutes of {group} {number}");
    let records = ledger.append(&origin.clone(), vec![NewEvent::new(effective, event, origin)], None, &by, ctx.now)?;
    say(ctx, &format!("the minutes of {group} {number}: {done} at seq {}", records[0].seq()))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn correct(
    path: &Path,
    ctx: &mut Context,
    seq: crate::ids::Seq,
    reason: &str,
    sets: &[String],
    effective: Option<When>,
    retract: bool,
    yes: bool,
    by: Option<String>,
) -> Result<(), Error> {
    let mut ledger = Ledger::open(path)?;
    let target = ledger.entry(seq)?.ok_or_else(|| Error::NotFound(format!("no event with seq {seq}")))?;
    let pairs = field_values(sets)?;
    let Some(a) = crate::amend::event_amendment(&target, &pairs, effective, retract, reason)? else {
        return say(ctx, &format!("seq {seq}: that changes nothing; nothing to record"));
    };
    let shown = if retract { format!("seq {seq} {}: retracted", a.kind) } else { a.to_string() };
    if !yes {
        say(ctx, &shown)?;
        return say(ctx, "nothing was written; run again with --yes to record this correction");
    }
    let by = who(by, ctx, "records the correction")?;
    let records = ledger.append(&format!("correct {seq}"), vec![a.event], None, &by, ctx.now)?;
    say(ctx, &format!("{shown}\nrecorded the correction at seq {}", records[0].seq()))
}

/// `--set FIELD=VALUE` options, taken apart.
fn field_values(sets: &[String]) -> Result<Vec<(String, String)>, Error> {
    sets.iter()
        .map(|s| {
            let (field, value) =
                s.split_once('=').ok_or_else(|| Error::Input(format!("--set {s:?}: write FIELD=VALUE")))?;
            Ok((field.to_string(), value.to_string()))
        })
        .collect()
}

/// Erases an event's body and its copies (`redact::plan`) in one batch, then compacts the
/// store, so that no page sled kept from before holds them either.
pub(super) fn redact(
    path: &Path,
    ctx: &mut Context,
    seq: crate::ids::Seq,
    reason: &str,
    sets: &[String],
    yes: bool,
    by: Option<String>,
) -> Result<(), Error> {
    let mut ledger = Ledger::open(path)?;
    let plan = crate::redact::plan(&ledger, seq, reason, &field_values(sets)?)?;
    let shown: Vec<String> = plan.erasing.iter().map(|e| format!("seq {} {}: {}", e.seq, e.kind, e.why)).collect();
    let shown = shown.join("\n");
    if !yes {
        say(ctx, &shown)?;
        return say(ctx, "nothing was written; run again with --yes to erase these bodies (this cannot be undone)");
    }
    let by = who(by, ctx, "records the erasure")?;
    let records = ledger.append(&format!("redact {seq}"), plan.events, None, &by, ctx.now)?;
    drop(ledger);
    crate::ledger::compact(path, None)?;
    let (first, last) = (records[0].seq(), records[records.len() - 1].seq());
    say(ctx, &format!("{shown}\nerased, as recorded at seqs {first} to {last}; the store is compacted"))
}

/// Nothing was imported: a ledger this import created is not left behind. Returns `e`.
fn abandon(ledger: Ledger, created: bool, path: &Path, e: Error) -> Error {
    if created {
        drop(ledger);
        let _ = std::fs::remove_dir_all(path);
    }
    e
}
