//! The command line: argument definitions and one function per command. Each command
//! calls the library and writes text (or `--json`) to `out`; `main` only maps errors to
//! exit codes.

use crate::error::Error;
use crate::event::{DecisionStatus, Outcome};
use crate::event::{Event, MinutesApproved};
use crate::hash;
use crate::ids::{GroupId, Hash, MeetingId, PersonId, Seq};
use crate::import;
use crate::input::NewEvent;
use crate::input::{parse_events, INPUT_BYTES_MAX};
use crate::ledger::{self, Expect, Ledger};
use crate::minutes::{self, Format, Lang};
use crate::query::{self, DecisionFilter};
use crate::render;
use crate::seed;
use crate::server::{self, AppState, Tokens};
use crate::store::Storage;
use crate::when::When;
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Events `gen` appends between checkpoints (`Ledger::checkpoint`): each costs sled's
/// replay of what was written since the last, about 2 s at this size.
const CHECKPOINT_EVENTS: usize = 100_000;

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
        expect_hash: Option<String>,
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
    Verify,
    /// Re-derive the stored projection from the log (after `verify` found it differs).
    Rebuild,
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
    },
    /// Write the raw log as JSON Lines.
    Export {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import meeting and register files (TOML; a folder imports its .toml files), each as
    /// one batch, registers first and meetings in date order; or an export (.jsonl) into an
    /// empty ledger, re-checking everything. Creates the ledger if it is missing.
    Import {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Who enters the events (recorded_by); defaults to $USER.
        #[arg(long, env = "PROTOKOL_BY")]
        by: Option<String>,
    },
    /// The groups and their size.
    Groups(AsOf),
    /// Who sat on a group.
    Members {
        group: String,
        #[command(flatten)]
        asof: AsOf,
    },
    /// Every membership interval a group has had.
    Timeline {
        group: String,
        #[command(flatten)]
        asof: AsOf,
    },
    /// A person's memberships, nominations and attendance.
    History {
        person: String,
        #[command(flatten)]
        asof: AsOf,
    },
    /// The decision register.
    Decisions {
        #[arg(long)]
        group: Option<String>,
        #[arg(long)]
        meeting: Option<String>,
        /// noted, approved, approved_with_reservations, decided, discussed, rejected, postponed
        #[arg(long, value_parser = snake_enum::<Outcome>)]
        outcome: Option<Outcome>,
        /// recorded, conditions_met, in_progress, implemented, superseded, revoked
        #[arg(long, value_parser = snake_enum::<DecisionStatus>)]
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
        group: String,
        number: u32,
        #[arg(long, value_enum, default_value = "da")]
        lang: Lang,
        #[arg(long, value_enum, default_value = "md")]
        format: Format,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Transaction time: render from what the ledger held after this seq or instant.
        #[arg(long)]
        known_at: Option<String>,
    },
    /// Record that a document (any file) is the approved minutes of a meeting.
    ApproveMinutes {
        group: String,
        number: u32,
        #[arg(long)]
        file: PathBuf,
        /// The date of the approval (default: today).
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
    },
    /// A meeting's full record.
    Meeting {
        group: String,
        number: u32,
        #[command(flatten)]
        asof: AsOf,
    },
}

/// The two times every query takes.
#[derive(Debug, Args)]
pub struct AsOf {
    /// Valid time: the world on this date (default: today).
    #[arg(long)]
    pub at: Option<NaiveDate>,
    /// Transaction time: what the ledger held after this seq, or at this RFC 3339 instant.
    #[arg(long)]
    pub known_at: Option<String>,
    /// The same data as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Reads a value of one of the model's enums by its JSON name (`approved_with_reservations`;
/// hyphens work too), so the CLI never keeps a second copy of the catalogue's names.
fn snake_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.replace('-', "_"))).map_err(|e| e.to_string())
}

/// What the edge passes in: the clock and the user. The library never reads either.
pub struct Context<'a> {
    pub now: DateTime<Utc>,
    pub user: Option<String>,
    pub out: &'a mut dyn Write,
}

fn id<T: TryFrom<String, Error = String>>(what: &str, s: &str) -> Result<T, Error> {
    T::try_from(s.to_string()).map_err(|e| Error::Input(format!("{what}: {e}")))
}

fn emit<T: Serialize>(ctx: &mut Context, json: bool, value: &T, text: impl FnOnce(&T) -> String) -> Result<(), Error> {
    let s = if json { serde_json::to_string_pretty(value).expect("views serialize") + "\n" } else { text(value) };
    ctx.out.write_all(s.as_bytes()).map_err(|e| Error::Input(format!("writing output: {e}")))
}

pub fn run(cli: Cli, ctx: &mut Context) -> Result<(), Error> {
    let path = cli.ledger.as_path();
    let today = ctx.now.date_naive();
    match cli.command {
        Command::Init => {
            Ledger::create(path)?;
            say(ctx, &format!("created an empty ledger at {}", path.display()))
        }
        Command::Seed => seed_and_show(path, ctx),
        Command::Append { files, expect_seq, expect_hash, by } => {
            let by = by
                .or(ctx.user.clone())
                .ok_or_else(|| Error::Input("say who enters the events with --by NAME".into()))?;
            let mut expect = match (expect_seq, expect_hash) {
                (Some(s), _) => Some(Expect::Seq(Seq(s))),
                (_, Some(h)) => {
                    Some(Expect::Hash(Hash::from_hex(&h).map_err(|e| Error::Input(format!("--expect-hash: {e}")))?))
                }
                _ => None,
            };
            let mut ledger = Ledger::open(path)?;
            // Read and parse every file before writing any, so a bad later file stops the run early.
            let batches = files
                .iter()
                .map(|f| Ok((f.clone(), parse_events(f, &read_input(f)?)?)))
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
        Command::Log { after, limit, json } => {
            let ledger = Ledger::open(path)?;
            let entries = ledger.entries_after(Seq(after), limit)?;
            if json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| serde_json::json!({"seq": e.seq, "recorded_at": e.recorded_at, "effective": e.effective, "recorded_by": e.recorded_by, "kind": e.event.kind(), "body": e.event.body_value()}))
                    .collect();
                emit(ctx, true, &rows, |_| String::new())
            } else {
                let rows: Vec<Vec<String>> = entries
                    .iter()
                    .map(|e| {
                        vec![
                            e.seq.to_string(),
                            e.recorded_at.to_string(),
                            e.effective.to_string(),
                            e.recorded_by.clone(),
                            e.event.kind().to_string(),
                        ]
                    })
                    .collect();
                say(ctx, render::table(&["seq", "recorded_at", "effective", "recorded_by", "kind"], &rows).trim_end())
            }
        }
        Command::Verify => {
            let v = ledger::verify(path)?;
            say(ctx, &v.to_string())
        }
        Command::Rebuild => {
            let mut ledger = Ledger::open(path)?;
            let v = ledger.rebuild()?;
            ledger.checkpoint()?;
            say(ctx, &format!("rebuilt the projection from {} events, head {}", v.count, v.head))
        }
        Command::Compact { compress, plain } => {
            let storage = match (compress, plain) {
                (true, _) => Some(Storage::Compressed),
                (_, true) => Some(Storage::Plain),
                _ => None,
            };
            let c = ledger::compact(path, storage)?;
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
        Command::Export { out } => {
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
        Command::Import { paths, by } => {
            let mut ledger = open_or_create(path)?;
            if let [file] = &paths[..] {
                if file.extension().is_some_and(|x| x == "jsonl") {
                    let source = file.display().to_string();
                    let f = std::fs::File::open(file).map_err(|e| Error::Input(format!("{source}: {e}")))?;
                    let v = ledger.import_export(&source, &mut std::io::BufReader::new(f))?;
                    ledger.checkpoint()?;
                    return say(ctx, &format!("imported {source}: {v}"));
                }
            }
            let by = by.or(ctx.user.clone()).ok_or_else(|| Error::Input("say who imports with --by NAME".into()))?;
            for outcome in import::import_paths(&mut ledger, &paths, &by, ctx.now)? {
                say(ctx, &outcome.to_string())?;
            }
            say(ctx, &ledger.checkpoint()?.verify()?.to_string())
        }
        Command::Groups(asof) => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let rows = query::groups(&h, asof.at.unwrap_or(today))?;
            emit(ctx, asof.json, &rows, |r| render::groups(r))
        }
        Command::Members { group, asof } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let c = query::composition(&h, &id::<GroupId>("group", &group)?, asof.at.unwrap_or(today))?;
            emit(ctx, asof.json, &c, render::composition)
        }
        Command::Timeline { group, asof } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let t = query::timeline(&h, &id::<GroupId>("group", &group)?)?;
            emit(ctx, asof.json, &t, |t| render::intervals(&format!("{} ({})", t.name, t.group), &t.intervals))
        }
        Command::History { person, asof } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let p = query::person_history(&h, &id::<PersonId>("person", &person)?)?;
            emit(ctx, asof.json, &p, |p| render::intervals(&p.name, &p.memberships))
        }
        Command::Decisions { group, meeting, outcome: o, status: s, from, to, limit, asof } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let filter = DecisionFilter {
                group: group.map(|g| id::<GroupId>("--group", &g)).transpose()?,
                meeting: meeting.map(|m| id::<MeetingId>("--meeting", &m)).transpose()?,
                outcome: o,
                status: s,
                from,
                to,
                limit,
            };
            let rows = query::decisions(&h, &filter, asof.at.unwrap_or(today))?;
            emit(ctx, asof.json, &rows, |r| render::decisions(r))
        }
        Command::Actions { open, asof } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let mut rows = query::actions(&h, asof.at.unwrap_or(today))?;
            if open {
                rows.retain(|a| a.state != query::ActionState::Done);
            }
            emit(ctx, asof.json, &rows, |r| render::actions(r))
        }
        Command::Minutes { group, number, lang, format, out, known_at } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(known_at.as_deref())?;
            let text = minutes::render_meeting(&h, &group, number, lang, format)?;
            match out {
                Some(file) => {
                    std::fs::write(&file, &text).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
                    say(ctx, &format!("wrote {} ({})", file.display(), hash::document_hash(text.as_bytes())))
                }
                None => ctx.out.write_all(text.as_bytes()).map_err(|e| Error::Input(format!("writing output: {e}"))),
            }
        }
        Command::ApproveMinutes { group, number, file, effective, by } => {
            let by = by
                .or(ctx.user.clone())
                .ok_or_else(|| Error::Input("say who records the approval with --by NAME".into()))?;
            let bytes = std::fs::read(&file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
            let mut ledger = Ledger::open(path)?;
            let (meeting, _) = query::find_meeting(&ledger.model(), &id::<GroupId>("group", &group)?, number)?;
            let event = Event::MinutesApproved(MinutesApproved {
                meeting: meeting.clone(),
                document_hash: hash::document_hash(&bytes),
                document_name: file.file_name().map(|n| n.to_string_lossy().into_owned()),
            });
            let effective = When::Date(effective.unwrap_or(today));
            let origin = format!("approve-minutes {}", file.display());
            let records =
                ledger.append(&origin.clone(), vec![NewEvent { effective, event, origin }], None, &by, ctx.now)?;
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
        Command::VerifyMinutes { file, rendered } => {
            let ledger = Ledger::open(path)?;
            let m = &ledger.model();
            match (file, rendered) {
                (Some(file), _) => {
                    let bytes = std::fs::read(&file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
                    let found = minutes::find_approved(m, &bytes)?;
                    let Some(a) = found.first() else {
                        return Err(Error::NoMatch(format!(
                            "{} ({}) matches no approved minutes in the ledger",
                            file.display(),
                            hash::document_hash(&bytes)
                        )));
                    };
                    say(ctx, &format!("{} ({}) is {a}", file.display(), a.document_hash))
                }
                (None, Some(gn)) => {
                    let number: u32 = gn[1]
                        .parse()
                        .map_err(|_| Error::Input(format!("--rendered: {:?} is not a meeting number", gn[1])))?;
                    say(ctx, &minutes::check_rendered(m, &gn[0], number)?)
                }
                (None, None) => Err(Error::Input("name a FILE or --rendered GROUP NUMBER".into())),
            }
        }
        Command::Serve { addr, tokens } => {
            let tokens = match (tokens, std::env::var("PROTOKOL_TOKENS").ok()) {
                (Some(file), _) => {
                    let text =
                        std::fs::read_to_string(&file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
                    Tokens::parse(&file.display().to_string(), &text)?
                }
                (None, Some(inline)) => Tokens::parse("PROTOKOL_TOKENS", &inline)?,
                (None, None) => Tokens::default(),
            };
            let mut ledger = open_or_create(path)?;
            if ledger.head().is_none() {
                for outcome in seed::import_all(&mut ledger, ctx.now)? {
                    say(ctx, &outcome.to_string())?;
                }
            }
            // Opening checked the newest record and that the projection is at the recorded
            // head, not every record (that is `verify`): say which.
            let (seq, head) = ledger.head().unwrap_or((Seq(0), Hash::ZERO));
            say(
                ctx,
                &format!(
                    "ledger {}: {seq} events, head {head} (newest record checked; `protokol verify` checks them all)",
                    path.display()
                ),
            )?;
            if tokens.is_empty() {
                say(ctx, "no write tokens configured: read-only")?;
            }
            let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let _ =
                tracing_subscriber::fmt().with_target(false).with_ansi(ansi).with_writer(std::io::stderr).try_init();
            let state = AppState::new(ledger, tokens);
            let runtime =
                tokio::runtime::Runtime::new().map_err(|e| Error::Input(format!("starting the server: {e}")))?;
            let out = &mut *ctx.out;
            runtime.block_on(server::run(state, addr, |local| {
                let _ = writeln!(out, "serving on http://{local}/");
                let _ = out.flush();
            }))
        }
        Command::Gen { events, seed } => {
            let ledger = open_or_create(path)?;
            if ledger.head().is_some() {
                return Err(Error::Input(format!("{}: gen fills an empty ledger only", path.display())));
            }
            let started = std::time::Instant::now();
            let (mut n, mut since_checkpoint) = (0, 0);
            let mut ledger = Some(ledger);
            crate::gen::generate_each(events, seed, |batch| {
                let mut l = ledger.take().expect("the ledger is back after each batch");
                let appended = l.append("gen", batch, None, "protokol gen", ctx.now)?.len();
                (n, since_checkpoint) = (n + appended, since_checkpoint + appended);
                if since_checkpoint >= CHECKPOINT_EVENTS {
                    (l, since_checkpoint) = (l.checkpoint()?, 0);
                }
                ledger = Some(l);
                Ok::<(), Error>(())
            })?;
            let ledger = ledger.expect("the ledger is back after each batch").checkpoint()?;
            let append_s = started.elapsed().as_secs_f64();
            say(ctx, &format!("generated {n} events (seed {seed}) in {append_s:.1} s; {}", ledger.verify_chain()?))
        }
        Command::Meeting { group, number, asof } => {
            let ledger = Ledger::open(path)?;
            let h = ledger.known_at(asof.known_at.as_deref())?;
            let r = query::meeting_record(&h, &id::<GroupId>("group", &group)?, number, asof.at.unwrap_or(today))?;
            emit(ctx, asof.json, &r, render::meeting)
        }
    }
}

fn open_or_create(path: &Path) -> Result<Ledger, Error> {
    match Ledger::open(path) {
        Err(Error::Store(crate::store::StoreError::NotFound(_))) => Ledger::create(path),
        other => other,
    }
}

fn say(ctx: &mut Context, line: &str) -> Result<(), Error> {
    writeln!(ctx.out, "{line}").map_err(|e| Error::Input(format!("writing output: {e}")))
}

fn read_input(source: &str) -> Result<String, Error> {
    let mut buf = String::new();
    let read = if source == "-" {
        std::io::stdin().take(INPUT_BYTES_MAX as u64 + 1).read_to_string(&mut buf)
    } else {
        std::fs::File::open(source).and_then(|f| f.take(INPUT_BYTES_MAX as u64 + 1).read_to_string(&mut buf))
    };
    read.map_err(|e| Error::Input(format!("{source}: {e}")))?;
    Ok(buf)
}

/// The main job on the embedded default: a local ledger holding the ATMP Danmark record.
fn seed_and_show(path: &Path, ctx: &mut Context) -> Result<(), Error> {
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
    let latest = m.meetings().iter().filter(|(_, x)| x.number.is_some()).map(|(_, x)| x.date()).max();
    let Some(day) = latest else { return Ok(()) };
    say(ctx, "")?;
    say(ctx, &render::groups(&query::groups(m, day)?))?;
    for (g, _) in m.groups() {
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
