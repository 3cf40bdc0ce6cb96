//! The envelope every event travels in, its stored form and its export line, and the one
//! chain check that verify, open and import all use.
//!
//! A record keeps the exact canonical bytes that were hashed. Verification re-hashes those
//! bytes, never a re-serialization, so a change in serde or in our structs can never make
//! an old, honest ledger fail to verify, nor a tampered one pass.

use crate::hash;
use crate::ids::{Hash, Seq};
use crate::when::{RecordedAt, When};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

mod chain_fields;
mod erased;
mod line;

use erased::check_hashes;
pub use erased::ErasureCheck;

/// Stored-record framing version (the first byte of every stored record).
pub const RECORD_VERSION: u8 = 1;
/// Largest canonical body we accept: a meeting's longest narrative fits many times over.
pub const BODY_BYTES_MAX: usize = 256 * 1024;
/// Longest `recorded_by` and `kind`.
pub const NAME_LEN_MAX: usize = 200;

/// Everything the event hash commits to: the envelope without `body` and `hash`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub seq: Seq,
    pub recorded_at: RecordedAt,
    pub effective: When,
    pub recorded_by: String,
    pub kind: String,
    pub body_hash: Hash,
    pub prev: Hash,
}

/// A recorded event as stored: the header and body exactly as hashed, and the hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub header: Header,
    pub header_bytes: Vec<u8>,
    /// Canonical JSON of the body; for an erased record, the redaction's replacement body,
    /// or nothing (docs/FORMAT.md, "Redaction").
    pub body_bytes: Vec<u8>,
    pub hash: Hash,
    /// The seq of the `BodyRedacted` that erased this record's body, if one did.
    pub erased_by: Option<Seq>,
}

/// The record version of an erased record: after the header, the seq (8 bytes) of the
/// `BodyRedacted` that erased it, then its replacement body or nothing.
pub const ERASED_RECORD_VERSION: u8 = 2;

/// What is wrong with a record, for verify's report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Undecodable(String),
    HashMismatch {
        stored: Hash,
        computed: Hash,
    },
    BodyHashMismatch {
        stated: Hash,
        computed: Hash,
    },
    BrokenLink {
        prev: Hash,
        expected: Hash,
    },
    Gap {
        expected: Seq,
    },
    SeqMismatch {
        stored_under: Seq,
    },
    /// The head recorded with the last append is not where the log ends.
    HeadMismatch {
        recorded: Option<(Seq, Hash)>,
        log_ends: Seq,
    },
    /// An erased record and its redaction do not match (`ErasureCheck`).
    Erasure(String),
    /// The stored Merkle tree is not the one the records give.
    Tree(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Undecodable(why) => write!(f, "undecodable record: {why}"),
            Problem::HashMismatch { stored, computed } => {
                write!(f, "hash mismatch: stored {stored}, computed {computed}")
            }
            Problem::BodyHashMismatch { stated, computed } => {
                write!(f, "body hash mismatch: envelope says {stated}, body hashes to {computed}")
            }
            Problem::BrokenLink { prev, expected } => {
                write!(f, "broken link: prev is {prev}, the previous event's hash is {expected}")
            }
            Problem::Gap { expected } => write!(f, "gap: seq {expected} is missing"),
            Problem::HeadMismatch { recorded: Some((seq, hash)), log_ends } => {
                write!(f, "the recorded head is seq {seq} ({hash}), but the log ends at seq {log_ends}")
            }
            Problem::HeadMismatch { recorded: None, log_ends } => {
                write!(f, "no head is recorded, but the log ends at seq {log_ends}")
            }
            Problem::Erasure(why) => write!(f, "erasure: {why}"),
            Problem::Tree(why) => write!(f, "Merkle tree: {why}"),
            Problem::SeqMismatch { stored_under } => {
                write!(f, "record claims a different seq than the one it is stored under ({stored_under})")
            }
        }
    }
}

/// A record's place in the chain: what `ChainChecker` needs of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub seq: Seq,
    pub prev: Hash,
    pub hash: Hash,
    /// An erased record, or a `BodyRedacted`: one of a pair `ErasureCheck` matches.
    pub erasure: bool,
}

/// The first bad record found: where, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("seq {seq}: {problem}")]
pub struct Fault {
    pub seq: Seq,
    pub problem: Problem,
}

impl Record {
    /// Seals a new record: canonicalises the header, hashes it.
    pub fn seal(header: Header, body_bytes: Vec<u8>) -> Record {
        let header_bytes = hash::canonical(&header).expect("a header holds only strings and a small integer");
        let hash = hash::event_hash(&header_bytes);
        Record { header, header_bytes, body_bytes, hash, erased_by: None }
    }

    /// This record with its body erased by the `BodyRedacted` at `by`, holding
    /// `replacement` (the redaction's canonical replacement body, or nothing) in its place.
    pub fn erased(&self, by: Seq, replacement: Vec<u8>) -> Record {
        assert!(by > self.seq(), "a body is erased by a later event");
        Record { body_bytes: replacement, erased_by: Some(by), ..self.clone() }
    }

    /// Stored framing: version byte, 32-byte hash, header length (u32 big-endian), header,
    /// (for an erased record, the seq that erased it, 8 bytes big-endian,) body.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + 32 + 4 + self.header_bytes.len() + self.body_bytes.len());
        out.push(if self.erased_by.is_some() { ERASED_RECORD_VERSION } else { RECORD_VERSION });
        out.extend_from_slice(&self.hash.0);
        out.extend_from_slice(&(self.header_bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.header_bytes);
        if let Some(by) = self.erased_by {
            out.extend_from_slice(&by.0.to_be_bytes());
        }
        out.extend_from_slice(&self.body_bytes);
        out
    }

    /// The stored framing taken apart: the hash, the header's bytes, the body's bytes.
    fn unframe(bytes: &[u8]) -> Result<Framed<'_>, Problem> {
        let undecodable = |why: &str| Problem::Undecodable(why.to_string());
        if bytes.len() < 37 {
            return Err(undecodable("shorter than the record framing"));
        }
        if bytes[0] != RECORD_VERSION && bytes[0] != ERASED_RECORD_VERSION {
            return Err(Problem::Undecodable(format!("unknown record version {}", bytes[0])));
        }
        let hash = Hash(bytes[1..33].try_into().expect("32 bytes"));
        let header_len = u32::from_be_bytes(bytes[33..37].try_into().expect("4 bytes")) as usize;
        let rest = &bytes[37..];
        if header_len > rest.len() {
            return Err(undecodable("header length runs past the end of the record"));
        }
        let (header_bytes, body_bytes) = rest.split_at(header_len);
        if bytes[0] == RECORD_VERSION {
            return Ok(Framed { hash, header_bytes, erased_by: None, body_bytes });
        }
        if body_bytes.len() < 8 {
            return Err(undecodable("an erased record without the seq that erased it"));
        }
        let (by, body_bytes) = body_bytes.split_at(8);
        let erased_by = Some(Seq(u64::from_be_bytes(by.try_into().expect("8 bytes"))));
        Ok(Framed { hash, header_bytes, erased_by, body_bytes })
    }

    /// Decodes the framing and the header; checks no hash (that is [`Record::check`]).
    pub fn decode(bytes: &[u8]) -> Result<Record, Problem> {
        let Framed { hash, header_bytes, erased_by, body_bytes } = Record::unframe(bytes)?;
        let header: Header =
            serde_json::from_slice(header_bytes).map_err(|e| Problem::Undecodable(format!("header: {e}")))?;
        Ok(Record { header, header_bytes: header_bytes.to_vec(), body_bytes: body_bytes.to_vec(), hash, erased_by })
    }

    /// What verify needs of a stored record, without decoding more of it than the chain
    /// needs: the framing, the header's seq, prev and body hash, and both hashes checked
    /// against the stored bytes. Everything else in the header is covered by its hash
    /// (and decoded in full where the record is read for its event). The outer error is
    /// an undecodable record, the inner one a hash that does not match: the chain check
    /// places the record before it reports its hashes.
    pub fn check_stored(bytes: &[u8]) -> Result<(Link, Result<(), Problem>), Problem> {
        let Framed { hash, header_bytes, erased_by, body_bytes } = Record::unframe(bytes)?;
        let fields = chain_fields::read(header_bytes)?;
        let erasure = erased_by.is_some() || fields.kind == "BodyRedacted";
        let link = Link { seq: fields.seq, prev: fields.prev, hash, erasure };
        let hashes = check_hashes(hash, header_bytes, fields.seq, fields.body_hash, erased_by, body_bytes);
        Ok((link, hashes))
    }

    /// Re-hashes the stored bytes: the header against `hash`, the body against
    /// `body_hash`; of an erased record, only that a later event erased it.
    pub fn check(&self) -> Result<(), Problem> {
        check_hashes(self.hash, &self.header_bytes, self.seq(), self.header.body_hash, self.erased_by, &self.body_bytes)
    }

    /// Of an erased record: its seq, the seq that erased it, and the replacement it holds
    /// (canonical bytes, empty for none), for matching with that `BodyRedacted`.
    pub fn erasure(&self) -> Option<(Seq, Seq, &[u8])> {
        self.erased_by.map(|by| (self.seq(), by, self.body_bytes.as_slice()))
    }

    pub fn seq(&self) -> Seq {
        self.header.seq
    }

    pub fn body(&self) -> Result<Value, Problem> {
        serde_json::from_slice(&self.body_bytes).map_err(|e| Problem::Undecodable(format!("body: {e}")))
    }
}

/// A stored record taken apart: its hash, the header's and the body's bytes, and the seq
/// that erased the body, if one did.
struct Framed<'a> {
    hash: Hash,
    header_bytes: &'a [u8],
    erased_by: Option<Seq>,
    body_bytes: &'a [u8],
}

/// Walks a log in order, holding only the previous hash: constant memory however long
/// the log. The single implementation of "is this chain intact".
#[derive(Clone, Debug)]
pub struct ChainChecker {
    next_seq: Seq,
    prev: Hash,
}

impl Default for ChainChecker {
    fn default() -> Self {
        ChainChecker { next_seq: Seq(1), prev: Hash::ZERO }
    }
}

impl ChainChecker {
    /// A walk that starts after `seq`, whose record (already checked) hashed to `hash`.
    pub fn after(seq: Seq, hash: Hash) -> ChainChecker {
        ChainChecker { next_seq: seq.next(), prev: hash }
    }

    /// Checks the record that should come next. `stored_under` is the key it was read from,
    /// where there is one. Nothing is advanced on failure.
    pub fn check(&mut self, stored_under: Option<Seq>, record: &Record) -> Result<(), Fault> {
        let at = self.position(stored_under, record)?;
        record.check().map_err(|problem| Fault { seq: at, problem })?;
        self.link(at, record)
    }

    /// The first half of [`ChainChecker::check`]: is this record where the chain is?
    /// Split out so the hashing in between can run elsewhere (verify hashes in parallel).
    pub fn position(&self, stored_under: Option<Seq>, record: &Record) -> Result<Seq, Fault> {
        self.position_of(stored_under, record.seq())
    }

    fn position_of(&self, stored_under: Option<Seq>, seq: Seq) -> Result<Seq, Fault> {
        let at = stored_under.unwrap_or(seq);
        if at != self.next_seq {
            return Err(Fault { seq: self.next_seq, problem: Problem::Gap { expected: self.next_seq } });
        }
        if seq != at {
            return Err(Fault { seq: at, problem: Problem::SeqMismatch { stored_under: at } });
        }
        Ok(at)
    }

    /// The second half: does it link to the one before? Then it becomes the head.
    pub fn link(&mut self, at: Seq, record: &Record) -> Result<(), Fault> {
        self.link_to(at, record.header.prev, record.hash)
    }

    fn link_to(&mut self, at: Seq, prev: Hash, hash: Hash) -> Result<(), Fault> {
        if prev != self.prev {
            return Err(Fault { seq: at, problem: Problem::BrokenLink { prev, expected: self.prev } });
        }
        self.next_seq = at.next();
        self.prev = hash;
        Ok(())
    }

    /// Both halves for a record checked by [`Record::check_stored`], stored under `key`.
    pub fn follow(&mut self, key: Seq, link: Link, hashes: Result<(), Problem>) -> Result<(), Fault> {
        let at = self.position_of(Some(key), link.seq)?;
        hashes.map_err(|problem| Fault { seq: at, problem })?;
        self.link_to(at, link.prev, link.hash)
    }

    /// The seq the next record must have.
    pub fn next_seq(&self) -> Seq {
        self.next_seq
    }

    /// Events checked so far, and the head hash.
    pub fn count(&self) -> u64 {
        self.next_seq.0 - 1
    }

    pub fn head(&self) -> Hash {
        self.prev
    }
}
