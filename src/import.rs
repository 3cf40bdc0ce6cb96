//! Importing meeting and register files: one file, one atomic batch that ends with a
//! `FileImported` event holding the file's text. The same file again is a no-op; a changed
//! copy of an imported file is refused with a diff, since history is corrected, not redone.

use crate::error::Error;
use crate::event::{Event, FileImported};
use crate::hash::document_hash;
use crate::input::NewEvent;
use crate::ledger::Ledger;
use crate::progress::Progress;
use crate::record_file::{self, RecordFile};
use crate::when::When;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// What importing one file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Appended { file: String, events: usize, first: u64, last: u64 },
    AlreadyImported { file: String, seq: u64 },
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Appended { file, events, first, last } => {
                write!(f, "{file}: imported {events} events, seq {first}..{last}")
            }
            Outcome::AlreadyImported { file, seq } => {
                write!(f, "{file}: already imported (same content, seq {seq}); nothing to do")
            }
        }
    }
}

/// The `.toml` files named: files as given, folders by their direct children.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p).map_err(|e| Error::Input(format!("{}: {e}", p.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "toml"))
                .collect();
            if found.is_empty() {
                return Err(Error::Input(format!("{}: no .toml files in this folder", p.display())));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads and parses every file first (a syntax error anywhere stops before anything is
/// written), then imports them registers first and meetings in date order.
pub fn import_paths(
    ledger: &mut Ledger,
    paths: &[PathBuf],
    recorded_by: &str,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, Error> {
    let mut files = Vec::new();
    for path in collect(paths)? {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
        files.push(record_file::parse(&file_name(&path), &text)?);
    }
    import_parsed(ledger, files, recorded_by, now, progress)
}

/// Imports parsed files, registers first and meetings in date order, each as one batch.
/// Stops at the first file that fails; the ones before it stay imported.
pub fn import_parsed(
    ledger: &mut Ledger,
    mut files: Vec<RecordFile>,
    recorded_by: &str,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, Error> {
    files.sort_by_key(RecordFile::sort_key);
    progress.phase("importing files", files.len() as u64);
    let mut out = Vec::with_capacity(files.len());
    for f in &files {
        out.push(import_file(ledger, f, recorded_by, now)?);
        progress.advance(1);
    }
    Ok(out)
}

/// Imports one parsed file as one batch.
pub fn import_file(
    ledger: &mut Ledger,
    file: &RecordFile,
    recorded_by: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, Error> {
    let content_hash = document_hash(file.text.as_bytes());
    let model = &ledger.model();
    if let Some(done) = model.import_of_content(&content_hash)? {
        return Ok(Outcome::AlreadyImported { file: file.name.clone(), seq: done.seq.0 });
    }
    if let Some(old) = model.import_of_file(&file.name)? {
        let diff = similar::TextDiff::from_lines(&old.content, &file.text)
            .unified_diff()
            .context_radius(2)
            .header(&format!("{} (imported at seq {})", file.name, old.seq), &format!("{} (now)", file.name))
            .to_string();
        return Err(Error::Input(format!(
            "{}: this file was imported at seq {} and has changed since; the ledger keeps what was imported.\n\
             To change the record, append an EventCorrected event citing the seq of what is wrong.\n{diff}",
            file.name, old.seq
        )));
    }
    let mut events = record_file::to_events(file, model)?;
    let effective = events.first().map_or_else(|| When::Date(now.date_naive()), |e| e.effective);
    let imported = FileImported { file: file.name.clone(), content_hash, content: file.text.clone() };
    events.push(NewEvent::new(effective, Event::FileImported(imported), file.name.clone()));
    let records = ledger.append(&file.name, events, None, recorded_by, now)?;
    Ok(Outcome::Appended {
        file: file.name.clone(),
        events: records.len(),
        first: records[0].seq().0,
        last: records.last().expect("a batch is never empty").seq().0,
    })
}
