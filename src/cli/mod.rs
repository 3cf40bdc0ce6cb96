//! The command line: argument definitions, and one function per command in the files
//! beside this one. Each command calls the library and writes text (or `--json`) to
//! `out`; `main` only maps errors to exit codes, by [`exit_code`].

mod admin;
mod progress;
mod query;
pub mod render;
mod serve;
mod write;

use crate::error::Error;
use crate::event::{from_name, names_of, DecisionStatus, Outcome};
use crate::ids::{GroupId, Hash, MeetingId, MeetingRef};
use crate::ledger::{KnownAt, Ledger};
use crate::minutes::{Format, Lang};
use crate::store::StoreError;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(name = "protokol", version, about = "A committee's record as a tamper-evident decision ledger")]
pub struct Cli {
    /// The ledger directory.
    #[arg(long, global = true, env = "PROTOKOL_LEDGER", default_value = "protokol.db")]
    pub ledger: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty ledger.
    Init,
    /// Build the ATMP Danmark ledger from the embedded events/ (if it is empty or missing)
    /// and show an overview.
    Seed,
    /// Append events (JSON: one object, an array, or JSON Lines) from each FILE, or `-`
    /// for stdin; each file is one all-or-nothing batch.
    Append {
        #[arg(required = true)]
        files: Vec<String>,
        /// Fail with a conflict unless the head is this seq.
        #[arg(long, conflicts_with = "expect_hash")]
        expect_seq: Option<u64>,
        /// Fail with a conflict unless the head is this hash.
        #[arg(long)]
        expect_hash: Option<Hash>,
        /// Who enters the events (recorded_by); defaults to $USER.
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
    },
    /// The log, newest last.
    Log {
        /// Show events after this seq.
        #[arg(long, default_value_t = 0)]
        after: u64,
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every record, check every link, and check the stored projection (what
    /// queries answer from) against the log.
    Verify {
        #[command(flatten)]
        progress: Quiet,
    },
    /// Re-derive the stored projection from the log (after `verify` found it differs).
    Rebuild {
        #[command(flatten)]
        progress: Quiet,
    },
    /// Rewrite the ledger's database in key order, giving back the space sled leaves
    /// unused; the same records and projection, read back and compared before the new
    /// database replaces the old one.
    Compact {
        /// Keep the pages compressed (zstd): a third of the space; appends slower.
        #[arg(long, conflicts_with = "plain")]
        compress: bool,
        /// Keep the pages uncompressed again. Without either flag, as they are kept now.
        #[arg(long)]
        plain: bool,
        #[command(flatten)]
        progress: Quiet,
    },
    /// Write the raw log as JSON Lines.
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import meeting and register files (TOML; a folder imports its .toml files) and rolls
    /// in Popolo JSON (.json), each as one batch, registers first and meetings in date
    /// order; or an export (.jsonl) into an empty ledger, re-checking everything. Creates
    /// the ledger if it is missing.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Who enters the events (recorded_by); defaults to $USER.
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
        #[command(flatten)]
        progress: Quiet,
    },
    /// Check files as `import` would, against the ledger (or an empty one), writing
    /// nothing: every problem in every file, each at its line, and the seat flags.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The groups and their size.
    Groups(AsOf),
    /// Who sat on a group.
    Members {
        group: GroupId,
        #[command(flatten)]
        asof: AsOf,
    },
    /// How a group's members divide by party, faction or organisation on a date, and by
    /// whom they sit for.
    Affiliations {
        group: GroupId,
        #[command(flatten)]
        asof: AsOf,
    },
    /// Every membership interval a group has had.
    Timeline {
        group: GroupId,
        #[command(flatten)]
        asof: AsOf,
    },
    /// A person's memberships, nominations and attendance.
    History {
        /// The person's id, or a name they go by (now, before, or as an alias).
        person: String,
        #[command(flatten)]
        asof: AsOf,
    },
    /// The decision register.
    Decisions {
        #[arg(long)]
        group: Option<GroupId>,
        #[arg(long)]
        meeting: Option<MeetingId>,
        #[arg(long, value_parser = |s: &str| from_name::<Outcome>("--outcome", s),
              help = format!("Only decisions with this outcome: {}", names_of(&Outcome::ALL)))]
        outcome: Option<Outcome>,
        #[arg(long, value_parser = |s: &str| from_name::<DecisionStatus>("--status", s),
              help = format!("Only decisions with this status on the date: {}", names_of(&DecisionStatus::ALL)))]
        status: Option<DecisionStatus>,
        #[arg(long)]
        from: Option<NaiveDate>,
        #[arg(long)]
        to: Option<NaiveDate>,
        /// At most this many decisions, the earliest first (a page of the register).
        #[arg(long)]
        limit: Option<usize>,
        #[command(flatten)]
        asof: AsOf,
    },
    /// Actions: open, overdue and done.
    Actions {
        /// Only open and overdue actions.
        #[arg(long)]
        open: bool,
        #[command(flatten)]
        asof: AsOf,
    },
    /// Render a meeting's minutes from the ledger.
    Minutes {
        group: GroupId,
        number: MeetingRef,
        /// da or en.
        #[arg(long, default_value = "da")]
        lang: Lang,
        /// md or html.
        #[arg(long, default_value = "md")]
        format: Format,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Transaction time: render from what the ledger held after this seq or instant.
        #[arg(long)]
        known_at: Option<KnownAt>,
    },
    /// Record that a document (any file) is the approved minutes of a meeting.
    ApproveMinutes {
        group: GroupId,
        number: MeetingRef,
        #[arg(long)]
        file: PathBuf,
        /// The date of the approval (default: today).
        #[arg(long)]
        effective: Option<NaiveDate>,
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
        /// Where it was approved: the id of the meeting (the next one, a written
        /// procedure, a chair's decision) ...
        #[arg(long)]
        at_meeting: Option<crate::ids::MeetingId>,
        /// ... its item ("godkendelse af referat") ...
        #[arg(long, requires = "at_meeting")]
        item: Option<u32>,
        /// ... and the decision there, if recorded.
        #[arg(long)]
        decision: Option<crate::ids::DecisionId>,
    },
    /// Record that a meeting's draft minutes were sent to the members for comments.
    CirculateMinutes {
        group: GroupId,
        number: MeetingRef,
        #[arg(long)]
        effective: Option<NaiveDate>,
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
    },
    /// Open approved minutes again, saying why: the record can change until approved anew.
    ReopenMinutes {
        group: GroupId,
        number: MeetingRef,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        effective: Option<NaiveDate>,
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
    },
    /// Say which meeting's approved minutes FILE is (exit 1 if none), or with --rendered,
    /// whether today's rendering of a meeting still hashes to what was approved.
    VerifyMinutes {
        #[arg(required_unless_present = "rendered", conflicts_with = "rendered")]
        file: Option<PathBuf>,
        /// GROUP NUMBER of the meeting whose rendering to check.
        #[arg(long, num_args = 2, value_names = ["GROUP", "NUMBER"])]
        rendered: Option<Vec<String>>,
    },
    /// Serve the JSON API and the public site. A missing ledger is first seeded with the
    /// ATMP Danmark record. Writes need a token: `name:token` pairs from --tokens FILE or
    /// PROTOKOL_TOKENS; with none, the server is read-only.
    Serve {
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: std::net::SocketAddr,
        /// A file of `name:token` lines.
        #[arg(long, env = "PROTOKOL_TOKENS_FILE")]
        tokens: Option<PathBuf>,
    },
    /// Fill an empty ledger with a generated, realistic governance workload (for
    /// benchmarks): about N events, the same for the same seed.
    Gen {
        #[arg(long)]
        events: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        progress: Quiet,
    },
    /// A meeting's full record.
    Meeting {
        group: GroupId,
        number: MeetingRef,
        #[command(flatten)]
        asof: AsOf,
    },
}

/// Long work shows its progress on a terminal; `--quiet` (or output that is not a
/// terminal) keeps it silent.
#[derive(Debug, Args)]
pub struct Quiet {
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The two times every query takes.
#[derive(Debug, Args)]
pub struct AsOf {
    /// Valid time: the world on this date (default: today).
    #[arg(long)]
    pub at: Option<NaiveDate>,
    /// Transaction time: what the ledger held after this seq, or at this RFC 3339 instant.
    #[arg(long)]
    pub known_at: Option<KnownAt>,
    /// As decided by this date: a change counts from the date of the decision it carries
    /// out (which may come after the date it took effect), anything else from its own.
    #[arg(long)]
    pub decided_by: Option<NaiveDate>,
    /// The same data as JSON.
    #[arg(long)]
    pub json: bool,
}

impl AsOf {
    /// The state the query reads: as known at `--known-at`, and as decided by
    /// `--decided-by`.
    pub(super) fn state(&self, ledger: &crate::Ledger) -> Result<crate::model::Model, Error> {
        let Some(by) = self.decided_by else { return ledger.known_at(self.known_at) };
        let upto = match self.known_at {
            None => ledger.head_seq(),
            Some(KnownAt::Seq(seq)) => seq,
            Some(KnownAt::Instant(t)) => ledger.seq_at_instant(t)?,
        };
        ledger.decided_by(by, upto)
    }
}

/// What the edge passes in: the clock and the user. The library never reads either.
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub user: Option<String>,
    pub out: &'a mut dyn Write,
}

/// The one map from the library's errors to exit codes: 0 ok; 1 verification failed, a
/// conflict, or a document that matches no approved minutes; 2 a usage or input error, a
/// refused event, a missing or locked ledger; 3 the ledger's stored state could not be
/// read.
pub fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Conflict { .. } | Error::Verify(_) | Error::NoMatch(_) | Error::Projection(_) => 1,
        Error::Store(StoreError::DamagedHead(_) | StoreError::Corrupt { .. }) => 1,
        Error::Read(_) => 3,
        Error::Store(_) | Error::Input(_) | Error::Refused { .. } | Error::NotFound(_) => 2,
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
        Command::Rebuild { progress } => admin::rebuild(path, ctx, &progress),
        Command::Compact { compress, plain, progress } => admin::compact(path, ctx, compress, plain, &progress),
        Command::Export { out } => admin::export(path, ctx, out),
        Command::Import { paths, by, progress } => write::import(path, ctx, &paths, by, &progress),
        Command::Check { paths } => write::check(path, ctx, &paths),
        Command::Groups(asof) => query::groups(path, ctx, &asof),
        Command::Members { group, asof } => query::members(path, ctx, &group, &asof),
        Command::Affiliations { group, asof } => query::affiliations(path, ctx, &group, &asof),
        Command::Timeline { group, asof } => query::timeline(path, ctx, &group, &asof),
        Command::History { person, asof } => query::history(path, ctx, &person, &asof),
        Command::Decisions { group, meeting, outcome, status, from, to, limit, asof } => {
            let filter = crate::query::DecisionFilter { group, meeting, outcome, status, from, to, limit };
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
        Command::Serve { addr, tokens } => serve::serve(path, ctx, addr, tokens),
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
