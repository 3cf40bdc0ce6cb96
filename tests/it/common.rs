//! Shared fixtures: ledgers in temporary directories, events from JSON, the CLI binary.

use chrono::{DateTime, Utc};
use protokol::input::{parse_events, NewEvent};
use protokol::ledger::Ledger;
use protokol::seed;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn at(instant: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(instant).unwrap().with_timezone(&Utc)
}

/// The recorded time the fixtures write with: after both seed meetings.
pub fn now() -> DateTime<Utc> {
    at("2026-02-01T10:00:00Z")
}

pub fn events(json: serde_json::Value) -> Vec<NewEvent> {
    parse_events("test", &json.to_string()).unwrap()
}

/// A ledger holding the ATMP Danmark record from events/, imported as `protokol seed` does:
/// imported once per process, and laid down afresh in `dir` for each test.
pub fn seeded(dir: &Path) -> Ledger {
    static IMAGE: OnceLock<DirImage> = OnceLock::new();
    let image = IMAGE.get_or_init(|| {
        let built = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::create(built.path()).unwrap();
        seed::import_all(&mut ledger, now()).unwrap();
        drop(ledger);
        DirImage::of(built.path())
    });
    image.write_to(dir);
    Ledger::open(dir).unwrap()
}

/// A closed ledger's directory held in memory: a fixture built once per process is laid
/// down afresh for each case, and no directory outlives the process (a `TempDir` in a
/// static is never dropped, so each run used to leave one behind in /tmp).
pub struct DirImage {
    dirs: Vec<PathBuf>,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl DirImage {
    /// Reads `dir` whole, but for the lock file, which belongs to a process.
    pub fn of(dir: &Path) -> DirImage {
        let mut image = DirImage { dirs: vec![PathBuf::new()], files: Vec::new() };
        let mut todo = vec![PathBuf::new()];
        while let Some(rel) = todo.pop() {
            for e in std::fs::read_dir(dir.join(&rel)).unwrap() {
                let e = e.unwrap();
                let path = rel.join(e.file_name());
                if e.file_type().unwrap().is_dir() {
                    image.dirs.push(path.clone());
                    todo.push(path);
                } else if e.file_name() != "protokol.lock" {
                    image.files.push((path, std::fs::read(e.path()).unwrap()));
                }
            }
        }
        image
    }

    pub fn write_to(&self, to: &Path) {
        for d in &self.dirs {
            std::fs::create_dir_all(to.join(d)).unwrap();
        }
        for (f, bytes) in &self.files {
            std::fs::write(to.join(f), bytes).unwrap();
        }
    }
}

/// Every file of a ledger's directory with its bytes, in path order.
pub fn bytes_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "protokol.lock") {
                out.push((p.strip_prefix(dir).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

pub fn insta_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s.set_prepend_module_to_snapshot(false);
    s
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the real binary with `--ledger` first, as a user would.
pub fn protokol(ledger: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_protokol"));
    cmd.arg("--ledger").arg(ledger).args(args).env_remove("PROTOKOL_LEDGER").env("PROTOKOL_BY", "test");
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // The child may exit before reading its input (a missing ledger, say): that is fine.
    let _ = pipe.write_all(stdin.unwrap_or("").as_bytes());
    drop(pipe);
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The configuration of a property test: `cases` random cases, after the seeds of every
/// case that once failed, kept in `tests/proptest-regressions/FILE` (committed).
pub fn proptest_config(cases: u32, file: &'static str) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(proptest::test_runner::FileFailurePersistence::Direct(file))),
        ..proptest::test_runner::Config::default()
    }
}
