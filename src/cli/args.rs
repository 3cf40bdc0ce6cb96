//! The command line's arguments: every command, its options, and the two times every
//! query takes. What each command does is in the files beside this one. Over 400 lines:
//! it is the one list of every command and option, with their help texts.

use crate::error::Error;
use crate::event::{from_name, names_of, DecisionStatus, Outcome};
use crate::ids::{GroupId, Hash, MeetingId, MeetingRef};
use crate::ledger::KnownAt;
use crate::minutes::{Format, Lang};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

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
    /// The ledger's signing key: `key init --origin NAME` makes it (a file only its owner
    /// can read), `key public` prints the verifier key to publish.
    Key {
        #[command(subcommand)]
        action: KeyAction,
    },
    /// Sign and print the checkpoint of the head (C2SP tlog-checkpoint, Ed25519): the tree's
    /// size and root, for anyone to hold the ledger to. Never one that does not extend the
    /// checkpoint signed before.
    Checkpoint {
        /// The signer key file (`key init` makes it).
        #[arg(long, env = "PROTOKOL_KEY", default_value = "protokol.key")]
        key: PathBuf,
    },
    /// Write a proof that an event (SEQ), or every event that made a decision
    /// (`--decision ID`), is in the log: the export lines, their RFC 6962 inclusion paths
    /// and the signed checkpoint they lead to. Anyone checks it with `verify-proof`.
    Prove {
        #[arg(required_unless_present = "decision", conflicts_with = "decision")]
        seq: Option<u64>,
        #[arg(long)]
        decision: Option<crate::ids::DecisionId>,
        /// The signer key file, to sign a checkpoint when none signed yet covers the event.
        #[arg(long, env = "PROTOKOL_KEY")]
        key: Option<PathBuf>,
        /// Write the bundle to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a proof bundle (of `prove`, `consistency` or the API) offline, with the log's
    /// verifier key: exit 0 if it holds, 1 if it does not.
    VerifyProof {
        file: PathBuf,
        /// The log's verifier key (`name+id+key`, as `key public` prints it), or a file
        /// holding it.
        #[arg(long)]
        key: String,
    },
    /// Prove that this log extends an older checkpoint (a file holding it): exit 1, saying
    /// where they part, if the log was rewritten or truncated since.
    Consistency {
        old: PathBuf,
        /// Check the old checkpoint's signature with this verifier key first.
        #[arg(long)]
        vkey: Option<String>,
        /// The signer key file, to sign a checkpoint when none signed yet covers the old one.
        #[arg(long, env = "PROTOKOL_KEY")]
        key: Option<PathBuf>,
        /// Write the consistency bundle (for `verify-proof`) to this file.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write the log of the last signed checkpoint (or one signed now with --key) into DIR
    /// as C2SP tlog-tiles static files (`checkpoint`, `tile/...`), for any web server, CDN
    /// or object store to serve; only what is new since the checkpoint DIR holds. A DIR
    /// holding a checkpoint this log does not extend is refused.
    Publish {
        dir: PathBuf,
        #[arg(long, env = "PROTOKOL_KEY")]
        key: Option<PathBuf>,
    },
    /// Keep this ledger (--ledger) a verified replica of the log served at URL (a server's
    /// address, or a directory `publish` wrote): its checkpoint's signature checked with
    /// --key, every new event checked, and the checkpoint accepted only if it extends the
    /// one accepted before. On a fork, a truncation or a rewritten event it stops (exit 1),
    /// names the first seq that differs, and keeps what it had.
    Follow {
        url: String,
        /// The log's verifier key, or a file holding it.
        #[arg(long)]
        key: String,
    },
    /// `follow`, then cosign the checkpoint accepted (C2SP tlog-cosignature) with the
    /// witness's own key and print it; `--submit` sends it to the server, which serves it
    /// with its checkpoint.
    Witness {
        url: String,
        /// The log's verifier key, or a file holding it.
        #[arg(long)]
        key: String,
        /// The witness's key file (`key init --origin WITNESS-NAME --key FILE`).
        #[arg(long)]
        witness_key: PathBuf,
        #[arg(long)]
        submit: bool,
    },
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
        /// Record the changes of files edited since their import as corrections (shown,
        /// and nothing written, without it).
        #[arg(long, requires = "reason")]
        yes: bool,
        /// Why the edited files' events are corrected.
        #[arg(long)]
        reason: Option<String>,
        #[command(flatten)]
        progress: Quiet,
    },
    /// Correct one event: set fields of its body (`--set text="..."`, a value in JSON or
    /// plain text; `null` removes an optional field), give it another valid time, or
    /// retract it. Shows the correction; `--yes` records it.
    Correct {
        seq: u64,
        #[arg(long)]
        reason: String,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        sets: Vec<String>,
        #[arg(long)]
        effective: Option<crate::when::When>,
        #[arg(long)]
        retract: bool,
        #[arg(long)]
        yes: bool,
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
    },
    /// Erase personal data recorded by mistake: the body of event SEQ and every copy the
    /// log keeps of it (its corrections, the text of the file it came from) go from the
    /// store, exports, the site and search; the chain still verifies, and the log says
    /// what was erased, when, by whom and why, never what. `--set FIELD=VALUE` gives what
    /// stays in its place; without it the event is taken out of the state. Shows what
    /// would be erased; `--yes` erases it (it cannot be undone) and compacts the store.
    Redact {
        seq: u64,
        #[arg(long)]
        reason: String,
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        sets: Vec<String>,
        #[arg(long)]
        yes: bool,
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
    },
    /// Check files as `import` would, against the ledger (or an empty one), writing
    /// nothing: every problem in every file, each at its line, and the seat flags.
    Check {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// The groups and their size.
    Groups(AsOf),
    /// Search decisions, items, actions, people and organisations for words (every one
    /// must be found; Danish-aware: case, æ/ø/å, common endings).
    Search {
        query: String,
        #[command(flatten)]
        asof: AsOf,
    },
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
        /// The log's signer key file: `/checkpoint` is then always of the head, signed
        /// when asked for after the log moved on.
        #[arg(long)]
        key: Option<PathBuf>,
        /// A witness whose cosignatures `POST /api/cosignatures` takes (its cosigner key,
        /// as `witness --print-key` prints it); may be given more than once.
        #[arg(long = "witness")]
        witnesses: Vec<String>,
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

#[derive(Debug, Subcommand)]
pub enum KeyAction {
    /// Make the ledger's Ed25519 key for `--origin` (the log's name, e.g. `atmp.dk/protokol`)
    /// in a new file readable by its owner alone; prints the verifier key.
    Init {
        #[arg(long)]
        origin: String,
        #[arg(long, env = "PROTOKOL_KEY", default_value = "protokol.key")]
        key: PathBuf,
    },
    /// Print the verifier key (signed-note's `name+id+key`), to publish.
    Public {
        #[arg(long, env = "PROTOKOL_KEY", default_value = "protokol.key")]
        key: PathBuf,
        /// The key as a witness's cosigner key (C2SP tlog-cosignature), for a log's
        /// `serve --witness`.
        #[arg(long)]
        cosigner: bool,
    },
}
