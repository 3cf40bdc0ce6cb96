//! Erased records: the check of a record's hashes that knows an erased body, and the
//! matching of each erased record with the `BodyRedacted` that erased it.

use super::{Fault, Problem, Record};
use crate::hash;
use crate::ids::{Hash, Seq};
use serde_json::Value;
use std::collections::BTreeMap;

/// The one check of a record's hashes, stored or exported.
pub(super) fn check_hashes(
    hash: Hash,
    header_bytes: &[u8],
    seq: Seq,
    body_hash: Hash,
    erased_by: Option<Seq>,
    body_bytes: &[u8],
) -> Result<(), Problem> {
    let computed = hash::event_hash(header_bytes);
    if computed != hash {
        return Err(Problem::HashMismatch { stored: hash, computed });
    }
    match erased_by {
        Some(by) if by > seq => Ok(()),
        Some(by) => Err(Problem::Undecodable(format!("erased by seq {by}, which is not a later event"))),
        None if body_bytes.is_empty() => Err(Problem::Undecodable("body is missing and no redaction erased it".into())),
        None => {
            let computed = hash::body_hash(body_bytes);
            if computed != body_hash {
                return Err(Problem::BodyHashMismatch { stated: body_hash, computed });
            }
            Ok(())
        }
    }
}

/// Matches, in log order, each erased record with the `BodyRedacted` that erased it: the
/// redaction comes later, names the record as its target, and gives exactly the
/// replacement the record holds, of the record's kind; by the end of the log every
/// erased record is matched. The one implementation of "every erasure is accounted for".
#[derive(Debug, Default)]
pub struct ErasureCheck {
    /// Erased records not yet matched: seq, and (the seq that erased it, its kind, the
    /// replacement it holds).
    open: BTreeMap<Seq, (Seq, String, Vec<u8>)>,
}

impl ErasureCheck {
    /// Takes in the next record of the walk (only erased records and redactions matter).
    pub fn see(&mut self, record: &Record) -> Result<(), Fault> {
        let seq = record.seq();
        let fault = |why: String| Fault { seq, problem: Problem::Erasure(why) };
        if let Some(by) = record.erased_by {
            if record.header.kind == "BodyRedacted" {
                return Err(fault("a redaction cannot itself be erased".into()));
            }
            self.open.insert(seq, (by, record.header.kind.clone(), record.body_bytes.clone()));
            return Ok(());
        }
        if record.header.kind != "BodyRedacted" {
            return Ok(());
        }
        let body = record.body().map_err(|problem| Fault { seq, problem })?;
        let Some(target) = body.get("target").and_then(Value::as_u64).map(Seq) else {
            return Err(fault("a redaction without a target seq".into()));
        };
        let Some((by, kind, held)) = self.open.remove(&target) else {
            return Err(fault(format!("names seq {target}, whose body is not erased")));
        };
        if by != seq {
            return Err(fault(format!("names seq {target}, which says seq {by} erased it")));
        }
        let given = match body.get("replacement") {
            None => Vec::new(),
            Some(r) if r.get("kind").and_then(Value::as_str) == Some(kind.as_str()) => {
                hash::canonical(&r["body"]).map_err(|e| fault(format!("replacement: {e}")))?
            }
            Some(_) => return Err(fault(format!("the replacement of seq {target} is not a {kind}"))),
        };
        if given != held {
            return Err(fault(format!("seq {target} holds another replacement than this redaction gives")));
        }
        Ok(())
    }

    /// At the end of the log: an erased record nothing matched.
    pub fn finish(&self) -> Result<(), Fault> {
        match self.open.iter().next() {
            Some((seq, (by, ..))) => Err(Fault {
                seq: *seq,
                problem: Problem::Erasure(format!(
                    "its body is erased, by seq {by} it says, and no redaction there names it"
                )),
            }),
            None => Ok(()),
        }
    }
}
