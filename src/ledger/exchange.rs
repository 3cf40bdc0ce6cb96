//! Exports: the raw log written as JSON Lines, and read back into an empty ledger with
//! every hash, link and rule checked again.

use super::verify::Verified;
use super::{entry_of, Batch, Ledger, TakeIn};
use crate::envelope::{ChainChecker, ErasureCheck, Fault, Record};
use crate::error::Error;
use crate::ids::Seq;
use crate::kv::Kv;
use crate::model::Model;
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
        let mut chain = ChainChecker::default();
        let mut pairs = ErasureCheck::default();
        let mut batch = Batch::default();
        let mut records = Vec::new();
        let result = (|| {
            for (n, line) in input.lines().enumerate() {
                let line_no = n + 1;
                let line = line.map_err(|e| Error::Input(format!("{source}:{line_no}: {e}")))?;
                if line.trim().is_empty() {
                    continue;
                }
                let bad = |what: String| Error::Input(format!("{source}:{line_no}: {what}; nothing was imported"));
                let record = Record::from_export_line(&line).map_err(|p| bad(p.to_string()))?;
                chain.check(None, &record).map_err(|f| bad(f.to_string()))?;
                pairs.see(&record).map_err(|f| bad(f.to_string()))?;
                if record.erased_by.is_some() {
                    batch.erased.insert(record.seq());
                }
                let entry = entry_of(&record).map_err(|p| bad(p.to_string()))?;
                self.take_in(&mut batch, entry).map_err(|e| match e {
                    TakeIn::Refused(r) => bad(format!("seq {}: refused: {r}", record.seq())),
                    TakeIn::Failed(e) => e,
                })?;
                records.push(record);
            }
            if records.is_empty() {
                return Err(Error::Input(format!("{source}: no events")));
            }
            pairs.finish().map_err(|f| Error::Input(format!("{source}: {f}; nothing was imported")))?;
            self.store.append(&records, None, self.model.kv().writes(), &[])?;
            Ok(())
        })();
        self.model = Model::new(Kv::over(self.store.state_reader()));
        result?;
        let last = records.last().expect("not empty");
        self.head = Some((last.seq(), last.hash, last.header.recorded_at));
        Ok(Verified { count: chain.count(), head: chain.head() })
    }
}
