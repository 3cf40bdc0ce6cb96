//! Exports: the raw log written as JSON Lines, and read back into an empty ledger with
//! every hash, link and rule checked again.

use super::verify::Verified;
use super::{entry_of, Batch, Ledger, TakeIn};
use crate::envelope::{ChainChecker, ErasureCheck, Fault, Record};
use crate::error::Error;
use crate::event::Event;
use crate::ids::Seq;
use crate::kv::Kv;
use crate::model::Model;
use crate::rules;
use std::io::{BufRead, Write};

impl Ledger {
    /// Writes the raw log as JSON Lines, one canonical envelope a line, checking each
    /// record's hashes and link on the way: an export never carries a damaged record.
    /// Returns the count.
    pub fn export(&self, out: &mut dyn Write) -> Result<u64, Error> {
        let mut n = 0;
        let mut chain = ChainChecker::default();
        let mut pairs = ErasureCheck::default();
        for item in self.store.records() {
            let (key, bytes) = item?;
            let at = key.unwrap_or(Seq(n + 1));
            let record = Record::decode(&bytes).map_err(|problem| Fault { seq: at, problem })?;
            chain.check(Some(at), &record)?;
            pairs.see(&record)?;
            let line = record.to_export_line().map_err(|problem| Fault { seq: at, problem })?;
            writeln!(out, "{line}").map_err(|e| Error::Input(format!("writing the export: {e}")))?;
            n += 1;
        }
        pairs.finish()?;
        Ok(n)
    }

    /// Reads an export into this (empty) ledger, re-checking every hash, link and rule;
    /// a bad line is named and nothing is written.
    pub fn import_export(&mut self, source: &str, input: &mut dyn BufRead) -> Result<Verified, Error> {
        if self.head.is_some() {
            return Err(Error::Input(format!("{source}: an export can only be imported into an empty ledger")));
        }
        let mut records = Vec::new();
        for (n, line) in input.lines().enumerate() {
            let line_no = n + 1;
            let line = line.map_err(|e| Error::Input(format!("{source}:{line_no}: {e}")))?;
            if line.trim().is_empty() {
                continue;
            }
            let record = Record::from_export_line(&line)
                .map_err(|p| Error::Input(format!("{source}:{line_no}: {p}; nothing was imported")))?;
            records.push((format!("{source}:{line_no}"), record));
        }
        if records.is_empty() {
            return Err(Error::Input(format!("{source}: no events")));
        }
        self.extend(source, records)
    }

    /// Takes in sealed records (each with the place it was read from) after the head, as
    /// an export's or a followed log's: every hash, link, erasure and rule checked again,
    /// then all written in one atomic batch, or nothing. A redaction of an event this
    /// ledger holds erases its body here too, as the log it came from did.
    pub fn extend(&mut self, source: &str, records: Vec<(String, Record)>) -> Result<Verified, Error> {
        let before = self.head();
        if records.is_empty() {
            let (seq, head) = before.unwrap_or((Seq(0), crate::ids::Hash::ZERO));
            return Ok(Verified { count: seq.0, head });
        }
        let (places, records): (Vec<String>, Vec<Record>) = records.into_iter().unzip();
        let mut chain = before.map_or_else(ChainChecker::default, |(s, h)| ChainChecker::after(s, h));
        let mut pairs = ErasureCheck::default();
        let mut batch = Batch::default();
        let mut redactions_of_stored = Vec::new();
        let old_head = self.head_seq();
        let result = (|| {
            let mut tree = self.store.growing_tree()?;
            for (at, record) in places.iter().zip(&records) {
                let bad = |what: String| Error::Input(format!("{at}: {what}; nothing was imported"));
                chain.check(None, record).map_err(|f| bad(f.to_string()))?;
                match stored_target(record).map_err(|p| bad(p.to_string()))? {
                    Some(target) if target <= old_head => redactions_of_stored.push(record.clone()),
                    _ => pairs.see(record).map_err(|f| bad(f.to_string()))?,
                }
                if record.erased_by.is_some() {
                    batch.erased.insert(record.seq());
                }
                let entry = entry_of(record).map_err(|p| bad(p.to_string()))?;
                if let (Event::MinutesApproved(a), None) = (&entry.event, record.erased_by) {
                    let root = tree.root(&self.store)?;
                    rules::approval_checkpoint(a, record.seq(), &root)
                        .map_err(|e| bad(format!("seq {}: refused: {e}", record.seq())))?;
                }
                tree.push(&self.store, record)?;
                self.take_in(&mut batch, entry).map_err(|e| match e {
                    TakeIn::Refused(r) => bad(format!("seq {}: refused: {r}", record.seq())),
                    TakeIn::Failed(e) => e,
                })?;
            }
            pairs.finish().map_err(|f| Error::Input(format!("{source}: {f}; nothing was imported")))?;
            if redactions_of_stored.is_empty() {
                self.store.append(&records, before, self.model.kv().writes(), &[], None)?;
            } else {
                let erased = self.erased_records(source, &redactions_of_stored)?;
                self.store.append_erasing(&records, before, &erased, &[], None)?;
            }
            Ok::<_, Error>(())
        })();
        self.model = Model::new(Kv::over(self.store.state_reader()));
        result?;
        let last = records.last().expect("not empty");
        self.head = Some((last.seq(), last.hash, last.header.recorded_at));
        if !redactions_of_stored.is_empty() {
            self.rebuild()?;
        }
        Ok(Verified { count: chain.count(), head: chain.head() })
    }
}

/// The seq a redaction erases (none for any other record).
fn stored_target(record: &Record) -> Result<Option<Seq>, crate::envelope::Problem> {
    if record.header.kind != "BodyRedacted" || record.erased_by.is_some() {
        return Ok(None);
    }
    let body = record.body()?;
    Ok(body.get("target").and_then(|t| t.as_u64()).map(Seq))
}
