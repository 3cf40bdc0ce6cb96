//! The command line: argument definitions, and one function per command in the files
//! beside this one. Each command calls the library and writes text (or `--json`) to
//! `out`; `main` only maps errors to exit codes, by [`exit_code`].

mod admin;
mod args;
mod keys;
mod progress;
mod proofs;
mod query;
pub mod render;
mod serve;
mod write;

pub use args::*;

use crate::error::Error;
use crate::ledger::Ledger;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

/// What the edge passes in: the clock and the user. The library never reads either.
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub user: Option<String>,
    pub out: &'a mut dyn Write,
}

/// The one map from the library's errors to exit codes: 0 ok; 1 verification failed, a
/// proof that does not hold, a conflict, or a document that matches no approved minutes; 2 a usage or input error, a
/// refused event, a missing or locked ledger; 3 the ledger's stored state could not be
/// read.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Conflict { .. }
        | Error::Verify(_)
        | Error::Proof(_)
        | Error::NoMatch(_)
        | Error::Projection(_)
        | Error::Document(_) => 1,
        Error::Store(StoreError::DamagedHead(_) | StoreError::Corrupt { .. }) => 1,
        Error::Read(_) => 3,
        Error::Store(_) | Error::Input(_) | Error::Refused { .. } | Error::NotFound(_) | Error::KeyReused(_) => 2,
    }
}

pub fn run(cli: Cli, ctx: &mut Context) -> Result<(), Error> {
    let path = cli.ledger.as_path();
    match cli.command {
        Command::Init => write::init(path, ctx),
        Command::Seed => admin::seed_and_show(path, ctx),
        Command::Append { files, expect_seq, expect_hash, by } => {
            write::append(path, ctx, &files, expect_seq, expect_hash, by)
        }
        Command::Log { after, limit, json } => query::log(path, ctx, after, limit, json),
        Command::Verify { progress } => admin::verify(path, ctx, &progress),
        Command::Key { action: KeyAction::Init { origin, key } } => keys::init(ctx, &origin, &key),
        Command::Key { action: KeyAction::Public { key, cosigner } } => keys::public(ctx, &key, cosigner),
        Command::Publish { dir, key } => proofs::publish(path, ctx, &dir, key.as_deref()),
        Command::Follow { url, key } => proofs::follow(path, ctx, &url, &key, None),
        Command::Witness { url, key, witness_key, submit } => {
            proofs::follow(path, ctx, &url, &key, Some((&witness_key, submit)))
        }
        Command::Checkpoint { key } => keys::checkpoint(path, ctx, &key),
        Command::Prove { seq, decision, key, out } => proofs::prove(path, ctx, seq, decision, key.as_deref(), out),
        Command::VerifyProof { file, key } => proofs::verify_proof(ctx, &file, &key),
        Command::Consistency { old, vkey, key, out } => {
            proofs::consistency(path, ctx, &old, vkey.as_deref(), key.as_deref(), out)
        }
        Command::Rebuild { progress } => admin::rebuild(path, ctx, &progress),
        Command::Compact { compress, plain, progress } => admin::compact(path, ctx, compress, plain, &progress),
        Command::Export { out } => admin::export(path, ctx, out),
        Command::Import { paths, by, yes, reason, progress } => {
            write::import(path, ctx, &paths, by, reason.filter(|_| yes), &progress)
        }
        Command::Correct { seq, reason, sets, effective, retract, yes, by } => {
            write::correct(path, ctx, crate::ids::Seq(seq), &reason, &sets, effective, retract, yes, by)
        }
        Command::Redact { seq, reason, sets, yes, by } => {
            write::redact(path, ctx, crate::ids::Seq(seq), &reason, &sets, yes, by)
        }
        Command::Check { paths } => write::check(path, ctx, &paths),
        Command::Groups(asof) => query::groups(path, ctx, &asof),
        Command::Search { query: q, asof } => query::search(path, ctx, &q, &asof),
        Command::Members { group, asof } => query::members(path, ctx, &group, &asof),
        Command::Affiliations { group, asof } => query::affiliations(path, ctx, &group, &asof),
        Command::Timeline { group, asof } => query::timeline(path, ctx, &group, &asof),
        Command::History { person, asof } => query::history(path, ctx, &person, &asof),
        Command::Decisions { group, meeting, outcome, status, from, to, limit, asof } => {
            let filter =
                crate::query::DecisionFilter { group, meeting, outcome, status, from, to, limit, ..Default::default() };
            query::decisions(path, ctx, &filter, &asof)
        }
        Command::Actions { open, asof } => query::actions(path, ctx, open, &asof),
        Command::Minutes { group, number, lang, format, out, known_at } => {
            query::minutes(path, ctx, &group, &number, lang, format, out, known_at)
        }
        Command::ApproveMinutes { group, number, file, effective, by, at_meeting, item, decision } => {
            let place = write::ApprovedAt { at_meeting, item, decision };
            write::approve_minutes(path, ctx, &group, &number, &file, effective, by, place)
        }
        Command::CirculateMinutes { group, number, effective, by } => {
            write::minutes_step(path, ctx, &group, &number, None, effective, by)
        }
        Command::ReopenMinutes { group, number, reason, effective, by } => {
            write::minutes_step(path, ctx, &group, &number, Some(reason), effective, by)
        }
        Command::VerifyMinutes { file, rendered } => query::verify_minutes(path, ctx, file, rendered),
        Command::Serve { addr, tokens, key, witnesses } => {
            serve::serve(path, ctx, addr, tokens, key.as_deref(), witnesses)
        }
        Command::Gen { events, seed, progress } => admin::gen(path, ctx, events, seed, &progress),
        Command::Meeting { group, number, asof } => query::meeting(path, ctx, &group, &number, &asof),
    }
}

fn emit<T: Serialize>(ctx: &mut Context, json: bool, value: &T, text: impl FnOnce(&T) -> String) -> Result<(), Error> {
    let s = if json { serde_json::to_string_pretty(value).expect("views serialize") + "\n" } else { text(value) };
    ctx.out.write_all(s.as_bytes()).map_err(|e| Error::Input(format!("writing output: {e}")))
}

fn say(ctx: &mut Context, line: &str) -> Result<(), Error> {
    writeln!(ctx.out, "{line}").map_err(|e| Error::Input(format!("writing output: {e}")))
}

fn open_or_create(path: &Path) -> Result<Ledger, Error> {
    match Ledger::open(path) {
        Err(Error::Store(StoreError::NotFound(_))) => Ledger::create(path),
        other => other,
    }
}

/// Who enters the events: `--by`, else the user the edge was given.
fn who(by: Option<String>, ctx: &Context, what: &str) -> Result<String, Error> {
    by.or(ctx.user.clone()).ok_or_else(|| Error::Input(format!("say who {what} with --by NAME")))
}
