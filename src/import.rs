//! Importing meeting and register files: one file, one atomic batch that ends with a
//! `FileImported` event holding the file's text. The same file again is a no-op; a changed
//! copy of an imported file is refused with a diff, since history is corrected, not redone.

use crate::error::Error;
use crate::event::{Event, FileImported};
use crate::hash::document_hash;
use crate::input::{NewEvent, BATCH_LEN_MAX};
use crate::ledger::Ledger;
use crate::progress::Progress;
use crate::record_file::{self, RecordFile};
use crate::when::When;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// What importing one file did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Appended {
        file: String,
        events: usize,
        first: u64,
        last: u64,
    },
    AlreadyImported {
        file: String,
        seq: u64,
    },
    /// An edited file, recorded as corrections of what its import wrote.
    Corrected {
        file: String,
        corrections: usize,
        first: u64,
        last: u64,
    },
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
            Outcome::Corrected { file, corrections, first, last } => {
                write!(f, "{file}: recorded {corrections} corrections of its import, seq {first}..{last}")
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
    import_paths_amending(ledger, paths, None, recorded_by, now, progress)
}

/// `import_paths`, with `amend_because` the reason to record an edited file's changes as
/// corrections (without it, an edited file refuses the import and lists them).
pub fn import_paths_amending(
    ledger: &mut Ledger,
    paths: &[PathBuf],
    amend_because: Option<&str>,
    recorded_by: &str,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, Error> {
    let mut files = Vec::new();
    for path in collect(paths)? {
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
        files.push(record_file::parse(&file_name(&path), &text)?);
    }
    import_all(ledger, files.iter().collect(), amend_because, recorded_by, now, progress)
}

/// Imports parsed files as one all-or-nothing batch, registers first and meetings in
/// date order: every file's events followed by its `FileImported`. A file imported
/// before with the same content is skipped; a changed one refuses the whole import.
pub fn import_parsed(
    ledger: &mut Ledger,
    files: Vec<RecordFile>,
    recorded_by: &str,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, Error> {
    import_all(ledger, files.iter().collect(), None, recorded_by, now, progress)
}

fn import_all(
    ledger: &mut Ledger,
    mut files: Vec<&RecordFile>,
    amend_because: Option<&str>,
    recorded_by: &str,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Vec<Outcome>, Error> {
    files.sort_by_key(|f| f.sort_key());
    progress.phase("checking the files", files.len() as u64);
    let plan = plan(ledger, &files, amend_because, now, progress)?;
    let events: Vec<NewEvent> = plan.iter().flat_map(|p| p.events()).cloned().collect();
    if events.len() > BATCH_LEN_MAX {
        return Err(Error::Input(format!(
            "these files hold {} events; one import writes at most {BATCH_LEN_MAX}, all or nothing: import them in parts",
            events.len()
        )));
    }
    let mut records =
        if events.is_empty() { Vec::new() } else { ledger.append("import", events, None, recorded_by, now)? }
            .into_iter();
    let mut out = Vec::with_capacity(files.len());
    for (f, p) in files.iter().zip(plan) {
        let mut take = |n: usize| {
            let mine: Vec<_> = records.by_ref().take(n).collect();
            (mine.len(), mine.first().map_or(0, |r| r.seq().0), mine.last().map_or(0, |r| r.seq().0))
        };
        let file = f.name.clone();
        out.push(match p {
            Step::Done(seq) => Outcome::AlreadyImported { file, seq },
            Step::New(events) => {
                let (events, first, last) = take(events.len());
                Outcome::Appended { file, events, first, last }
            }
            Step::Amend(a) => {
                let (corrections, first, last) = take(a.len());
                Outcome::Corrected { file, corrections, first, last }
            }
        });
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
    let mut out = import_all(ledger, vec![file], None, recorded_by, now, &crate::progress::Silent)?;
    Ok(out.remove(0))
}

/// What importing one file takes.
enum Step {
    /// Nothing: the same content was imported at this seq.
    Done(u64),
    /// Its events, ending with its `FileImported`.
    New(Vec<NewEvent>),
    /// Corrections of what its import wrote: the file was edited since.
    Amend(Vec<NewEvent>),
}

impl Step {
    fn events(&self) -> &[NewEvent] {
        match self {
            Step::Done(_) => &[],
            Step::New(e) | Step::Amend(e) => e,
        }
    }
}

/// Each file as what importing it takes, resolved against the ledger and the files
/// before it.
fn plan(
    ledger: &Ledger,
    files: &[&RecordFile],
    amend_because: Option<&str>,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Vec<Step>, Error> {
    let model = &ledger.model();
    let mut earlier: Vec<NewEvent> = Vec::new();
    let mut plan = Vec::with_capacity(files.len());
    for file in files {
        let step = step(ledger, model, file, amend_because, &earlier, now)?;
        if let Step::New(events) = &step {
            earlier.extend(events.iter().cloned());
        }
        plan.push(step);
        progress.advance(1);
    }
    Ok(plan)
}

/// What importing one file takes, against the ledger and the events of the files before
/// it in the same import (`earlier`): nothing, its events, or (with `amend_because`) the
/// corrections its edit amounts to. An edited file without a reason is an error that
/// lists those corrections.
fn step(
    ledger: &Ledger,
    model: &crate::model::Model,
    file: &RecordFile,
    amend_because: Option<&str>,
    earlier: &[NewEvent],
    now: DateTime<Utc>,
) -> Result<Step, Error> {
    let content_hash = document_hash(file.text.as_bytes());
    if let Some(done) = model.import_of_content(&content_hash)? {
        return Ok(Step::Done(done.seq.0));
    }
    if let Some(old) = model.import_of_file(&file.name)? {
        let amendments = crate::amend::file_amendments(ledger, file, &old, amend_because.unwrap_or(""))?;
        let Some(_) = amend_because else { return Err(changed(file, &old, &amendments)) };
        return Ok(Step::Amend(amendments.into_iter().map(|a| a.event).collect()));
    }
    let mut events = record_file::to_events(file, model, earlier)?;
    let effective = events.first().map_or_else(|| When::Date(now.date_naive()), |e| e.effective);
    let imported = FileImported { file: file.name.clone(), content_hash, content: file.text.clone() };
    events.push(NewEvent::new(effective, Event::FileImported(imported), file.name.clone()));
    Ok(Step::New(events))
}

/// A file imported before that has changed since: history is corrected, not redone.
/// Says what the corrections would be, and how to record them.
fn changed(file: &RecordFile, old: &crate::model::ImportedFile, amendments: &[crate::amend::Amendment]) -> Error {
    let listed: String = amendments.iter().map(|a| format!("  {a}\n")).collect();
    let diff = similar::TextDiff::from_lines(&old.content, &file.text)
        .unified_diff()
        .context_radius(2)
        .header(&format!("{} (imported at seq {})", file.name, old.seq), &format!("{} (now)", file.name))
        .to_string();
    Error::Input(format!(
        "{}: this file was imported at seq {} and has changed since; the ledger keeps what was imported.\n\
         The edit is these corrections (nothing was written):\n{listed}\
         To record them, import it again with --yes --reason TEXT.\n{diff}",
        file.name, old.seq
    ))
}

/// What `check` found in a set of files: every problem (a file that does not read, an
/// entry that does not make an event, an event the rules refuse), each named at its
/// file and line, and the seat flags of the state an import would leave.
#[derive(Debug)]
pub struct Report {
    pub files: usize,
    pub events: usize,
    pub problems: Vec<Error>,
    pub flags: Vec<crate::query::SeatFlag>,
}

/// Checks files against the ledger as `import` would, writing nothing: goes on past each
/// problem (a refused event is left out, and the rest checked without it) so that one
/// run reports them all.
pub fn check_paths(
    ledger: &mut Ledger,
    paths: &[PathBuf],
    recorded_by: &str,
    now: DateTime<Utc>,
) -> Result<Report, Error> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    for path in collect(paths)? {
        match std::fs::read_to_string(&path) {
            Err(e) => problems.push(Error::Input(format!("{}: {e}", path.display()))),
            Ok(text) => match record_file::parse(&file_name(&path), &text) {
                Ok(f) => files.push(f),
                // Every problem of its shape, not only the first.
                Err(_) => problems.extend(record_file::shape_problems(&file_name(&path), &text)),
            },
        }
    }
    files.sort_by_key(RecordFile::sort_key);
    let model = ledger.model();
    let mut events: Vec<NewEvent> = Vec::new();
    for file in &files {
        // As `import` takes each file, but a file's problem is noted and the next one read.
        match step(ledger, &model, file, None, &events, now) {
            Ok(Step::New(mine)) => events.extend(mine),
            Ok(_) => {}
            Err(e @ Error::Read(_)) => return Err(e),
            Err(e) => problems.push(e),
        }
    }
    let count = events.len();
    let checked = ledger.check(events, recorded_by, now)?;
    problems.extend(checked.problems);
    Ok(Report { files: files.len(), events: count, problems, flags: checked.flags })
}
