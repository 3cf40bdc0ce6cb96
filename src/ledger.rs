//! A ledger: the store, the chain on top of it, and the history it folds into. Every
//! write goes through `append`: checked whole, sealed, written as one batch, flushed.

use crate::envelope::{ChainChecker, Fault, Header, Problem, Record, BODY_BYTES_MAX, NAME_LEN_MAX};
use crate::error::Error;
use crate::event::Event;
use crate::hash;
use crate::ids::{Hash, Seq};
use crate::input::{NewEvent, BATCH_LEN_MAX};
use crate::state::{Entry, History};
use crate::store::{RecordedHead, Store};
use crate::when::RecordedAt;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::io::{BufRead, Write};
use std::path::Path;

/// The head a writer expects: the append fails with a conflict if the log has moved on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Seq(Seq),
    Hash(Hash),
}

/// Result of a full verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    pub count: u64,
    pub head: Hash,
}

impl std::fmt::Display for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ok: {} events, head {}", self.count, self.head)
    }
}

pub struct Ledger {
    store: Store,
    history: History,
    head: Option<(Seq, Hash, RecordedAt)>,
}

impl Ledger {
    pub fn create(path: &Path) -> Result<Ledger, Error> {
        Ok(Ledger { store: Store::create(path)?, history: History::default(), head: None })
    }

    /// Opens a ledger: checks the newest record's hashes, then folds the log into its
    /// history, checking every record's hashes and links on the way, since the fold reads
    /// every record anyway: a query never answers from a tampered record.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        let store = Store::open(path)?;
        let head = store.head()?.map(|r| (r.seq(), r.hash, r.header.recorded_at));
        let mut chain = ChainChecker::default();
        let mut entries = Vec::new();
        let mut chunk = Vec::with_capacity(VERIFY_CHUNK_LEN);
        for item in store.records() {
            chunk.push(item?);
            if chunk.len() == VERIFY_CHUNK_LEN {
                entries.extend(verify_chunk(&mut chain, &chunk)?);
                chunk.clear();
            }
        }
        entries.extend(verify_chunk(&mut chain, &chunk)?);
        check_recorded_head(&store, &chain)?;
        assert_eq!(
            head.map(|h| (h.0, h.1)),
            (chain.count() > 0).then(|| (Seq(chain.count()), chain.head())),
            "the head read first is the end of the chain walked"
        );
        let history = History::fold(entries, false).expect("an unchecked fold cannot refuse");
        Ok(Ledger { store, history, head })
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn head(&self) -> Option<(Seq, Hash)> {
        self.head.map(|(s, h, _)| (s, h))
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    /// The history a query should read: all of it, or as known after a seq or at an
    /// RFC 3339 instant (transaction time).
    pub fn known_at(&self, known_at: Option<&str>) -> Result<Cow<'_, History>, Error> {
        let h = &self.history;
        let Some(k) = known_at else {
            return Ok(Cow::Borrowed(h));
        };
        let seq = if let Ok(n) = k.parse::<u64>() {
            Seq(n)
        } else {
            let t = DateTime::parse_from_rfc3339(k)
                .map_err(|_| Error::Input(format!("known_at {k:?}: expected a seq or an RFC 3339 instant")))?;
            h.seq_at_instant(RecordedAt(t.with_timezone(&Utc)))
        };
        if seq >= h.head_seq() {
            return Ok(Cow::Borrowed(h));
        }
        Ok(Cow::Owned(h.known_at(seq)))
    }

    /// Up to `limit` stored records after `after`, for the event feed.
    pub fn records_after(&self, after: Seq, limit: usize) -> Result<Vec<Record>, Error> {
        let mut out = Vec::new();
        for item in self.store.records_from(after.next()).take(limit) {
            let (seq, bytes) = item?;
            out.push(Record::decode(&bytes).map_err(|problem| Fault { seq, problem })?);
        }
        Ok(out)
    }

    /// Checks the whole batch against the rules, then writes it as one atomic, flushed
    /// batch. On any error nothing is written and the ledger is as it was.
    pub fn append(
        &mut self,
        source: &str,
        events: Vec<NewEvent>,
        expect: Option<Expect>,
        recorded_by: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Record>, Error> {
        if events.is_empty() || events.len() > BATCH_LEN_MAX {
            return Err(Error::Input(format!(
                "{source}: a batch holds 1 to {BATCH_LEN_MAX} events, not {}",
                events.len()
            )));
        }
        if recorded_by.trim().is_empty() || recorded_by.chars().count() > NAME_LEN_MAX {
            return Err(Error::Input(format!("recorded_by must be 1 to {NAME_LEN_MAX} characters")));
        }
        self.check_expected(expect)?;
        // Recorded time never goes backwards along the chain, even if the clock does:
        // `known_at INSTANT` relies on it.
        let recorded_at = RecordedAt(self.head.map_or(now, |h| h.2 .0.max(now)));
        // The batch is checked by applying it to the live history, which is rolled back
        // (by re-folding the prefix: slow, but only on a refusal or a failed write) if
        // anything fails. Copying the history for every append would make appends
        // linear in the log's length.
        let checkpoint = self.history.head_seq();
        let result = self.seal_batch(events, recorded_by, recorded_at).and_then(|records| {
            self.store.append(&records, self.head())?;
            Ok(records)
        });
        let records = match result {
            Ok(records) => records,
            Err(e) => {
                self.history.truncate(checkpoint);
                return Err(e);
            }
        };
        let last = records.last().expect("a batch is never empty");
        self.head = Some((last.seq(), last.hash, recorded_at));
        Ok(records)
    }

    /// Checks each event against the history (taking it in) and seals its record.
    fn seal_batch(
        &mut self,
        events: Vec<NewEvent>,
        recorded_by: &str,
        recorded_at: RecordedAt,
    ) -> Result<Vec<Record>, Error> {
        let (mut seq, mut prev) = self.head().unwrap_or((Seq(0), Hash::ZERO));
        let mut records = Vec::with_capacity(events.len());
        for new in events {
            let kind = new.event.kind();
            let refused = |refusal| Error::Refused {
                origin: new.origin.clone(),
                kind: kind.to_string(),
                effective: new.effective.to_string(),
                refusal,
            };
            let body_bytes =
                hash::canonical(&new.event.body_value()).map_err(|e| Error::Input(format!("{}: {e}", new.origin)))?;
            if body_bytes.len() > BODY_BYTES_MAX {
                return Err(Error::Input(format!("{}: body is larger than {BODY_BYTES_MAX} bytes", new.origin)));
            }
            seq = seq.next();
            let header = Header {
                seq,
                recorded_at,
                effective: new.effective,
                recorded_by: recorded_by.to_string(),
                kind: kind.to_string(),
                body_hash: hash::body_hash(&body_bytes),
                prev,
            };
            self.history
                .push(Entry {
                    seq,
                    recorded_at,
                    effective: new.effective,
                    recorded_by: recorded_by.to_string(),
                    event: new.event,
                })
                .map_err(refused)?;
            let record = Record::seal(header, body_bytes);
            prev = record.hash;
            records.push(record);
        }
        Ok(records)
    }

    fn check_expected(&self, expect: Option<Expect>) -> Result<(), Error> {
        let (seq, hash) = self.head().unwrap_or((Seq(0), Hash::ZERO));
        let conflict = |expected: String| Error::Conflict { expected, actual: format!("seq {seq} ({hash})") };
        match expect {
            Some(Expect::Seq(s)) if s != seq => Err(conflict(format!("seq {s}"))),
            Some(Expect::Hash(h)) if h != hash => Err(conflict(h.to_hex())),
            _ => Ok(()),
        }
    }

    /// Full verification of this open ledger (see [`verify`]).
    pub fn verify(&self) -> Result<Verified, Error> {
        verify_store(&self.store)
    }

    /// Writes the raw log as JSON Lines, one canonical envelope a line. Returns the count.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64, Error> {
        let mut n = 0;
        for item in self.store.records() {
            let (key, bytes) = item?;
            let at = key.unwrap_or(Seq(n + 1));
            let record = Record::decode(&bytes).map_err(|problem| Fault { seq: at, problem })?;
            let line = record.to_export_line().map_err(|problem| Fault { seq: at, problem })?;
            writeln!(out, "{line}").map_err(|e| Error::Input(format!("writing the export: {e}")))?;
            n += 1;
        }
        Ok(n)
    }

    /// Reads an export into this (empty) ledger, re-checking every hash, link and rule;
    /// a bad line is named and nothing is written.
    pub fn import_export(&mut self, source: &str, input: &mut dyn BufRead) -> Result<Verified, Error> {
        if self.head.is_some() {
            return Err(Error::Input(format!("{source}: an export can only be imported into an empty ledger")));
        }
        let mut chain = ChainChecker::default();
        let mut history = History::default();
        let mut records = Vec::new();
        for (n, line) in input.lines().enumerate() {
            let line_no = n + 1;
            let line = line.map_err(|e| Error::Input(format!("{source}:{line_no}: {e}")))?;
            if line.trim().is_empty() {
                continue;
            }
            let bad = |what: String| Error::Input(format!("{source}:{line_no}: {what}; nothing was imported"));
            let record = Record::from_export_line(&line).map_err(|p| bad(p.to_string()))?;
            chain.check(None, &record).map_err(|f| bad(f.to_string()))?;
            let entry = entry_of(&record).map_err(|p| bad(p.to_string()))?;
            history.push(entry).map_err(|r| bad(format!("seq {}: refused: {r}", record.seq())))?;
            records.push(record);
        }
        if records.is_empty() {
            return Err(Error::Input(format!("{source}: no events")));
        }
        self.store.append(&records, None)?;
        let last = records.last().expect("not empty");
        self.head = Some((last.seq(), last.hash, last.header.recorded_at));
        self.history = history;
        Ok(Verified { count: chain.count(), head: chain.head() })
    }
}

/// Walks every stored record in order, in constant memory, re-hashing the stored bytes.
/// Takes the path, not a `Ledger`: a ledger too damaged to open can still be verified.
pub fn verify(path: &Path) -> Result<Verified, Error> {
    verify_store(&Store::open(path)?)
}

/// Records verified per chunk: the hashing of a chunk is spread over the cores, then
/// its links are walked in order. Memory stays bounded by the chunk, whatever the log.
const VERIFY_CHUNK_LEN: usize = 4096;

fn verify_store(store: &Store) -> Result<Verified, Error> {
    let mut chain = ChainChecker::default();
    let mut chunk = Vec::with_capacity(VERIFY_CHUNK_LEN);
    for item in store.records() {
        chunk.push(item?);
        if chunk.len() == VERIFY_CHUNK_LEN {
            verify_chunk(&mut chain, &chunk)?;
            chunk.clear();
        }
    }
    verify_chunk(&mut chain, &chunk)?;
    check_recorded_head(store, &chain)?;
    Ok(Verified { count: chain.count(), head: chain.head() })
}

/// What can be checked of one record without the others: it decodes, its hashes match
/// its bytes, its body is an event of the catalogue.
/// A record decoded, and whether it stands on its own.
type Alone = Result<(Record, Result<Entry, Problem>), Problem>;

fn check_alone(bytes: &[u8]) -> Alone {
    let record = Record::decode(bytes)?;
    let checked = record.check().and_then(|()| entry_of(&record));
    Ok((record, checked))
}

/// Checks a chunk of stored records, continuing `chain`; returns their decoded entries.
fn verify_chunk(chain: &mut ChainChecker, chunk: &[crate::store::RawRecord]) -> Result<Vec<Entry>, Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let per_thread = chunk.len().div_ceil(threads).max(1);
    let alone: Vec<Alone> = std::thread::scope(|s| {
        let handles: Vec<_> = chunk
            .chunks(per_thread)
            .map(|part| s.spawn(move || part.iter().map(|(_, bytes)| check_alone(bytes)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("checking a record does not panic")).collect()
    });
    // In log order, so the first bad seq is the one reported.
    let mut entries = Vec::with_capacity(chunk.len());
    for ((key, _), result) in chunk.iter().zip(alone) {
        let expected = Seq(chain.count() + 1);
        let seq = key
            .clone()
            .map_err(|_| Fault { seq: expected, problem: Problem::Undecodable("a key that is not a seq".into()) })?;
        let (record, checked) = result.map_err(|problem| Fault { seq, problem })?;
        let at = chain.position(Some(seq), &record)?;
        entries.push(checked.map_err(|problem| Fault { seq: at, problem })?);
        chain.link(at, &record)?;
    }
    Ok(entries)
}

/// The chain walked must end where the last append said it ended: a log cut short at
/// the end is otherwise a valid, shorter log.
fn check_recorded_head(store: &Store, chain: &ChainChecker) -> Result<(), Error> {
    let ends = Seq(chain.count());
    let recorded = match store.recorded_head()? {
        RecordedHead::None if ends == Seq(0) => return Ok(()),
        RecordedHead::None => None,
        RecordedHead::At(s, h) if (s, h) == (ends, chain.head()) => return Ok(()),
        RecordedHead::At(s, h) => Some((s, h)),
        RecordedHead::Malformed => {
            return Err(Fault { seq: ends, problem: Problem::Undecodable("the recorded head".into()) }.into())
        }
    };
    // A recorded head beyond the end means records are missing from there on.
    let seq = match recorded {
        Some((s, _)) if s > ends => ends.next(),
        _ => ends,
    };
    Err(Fault { seq, problem: Problem::HeadMismatch { recorded, log_ends: ends } }.into())
}

fn entry_of(record: &Record) -> Result<Entry, Problem> {
    let event = Event::from_parts(&record.header.kind, record.body()?).map_err(Problem::Undecodable)?;
    Ok(Entry {
        seq: record.seq(),
        recorded_at: record.header.recorded_at,
        effective: record.header.effective,
        recorded_by: record.header.recorded_by.clone(),
        event,
    })
}
