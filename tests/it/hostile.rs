//! A hostile environment: a full disk, a read-only ledger, a truncated or corrupt sled
//! file. Each gives a clear error and no panic, and nothing already recorded is lost.
//! Mounting needs root: these are ignored by `cargo test`, and `.ci/run` runs them
//! (`--ignored`) when it runs as root.

use std::path::Path;
use std::process::{Command, Output};

fn sh(args: &[&str]) {
    let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A mount that is undone however the test ends.
struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// An 8 MiB file system under `dir`, unmounted when the guard drops: small enough
/// that a test fills it in seconds.
fn small_disk(dir: &Path) -> (std::path::PathBuf, Mount) {
    let mnt = dir.join("small");
    std::fs::create_dir(&mnt).unwrap();
    sh(&["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt.to_str().unwrap()]);
    (mnt.clone(), Mount(mnt))
}

fn protokol(ledger: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_protokol"))
        .arg("--ledger")
        .arg(ledger)
        .args(args)
        .env("PROTOKOL_BY", "test")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    wait_at_most(child, std::time::Duration::from_secs(RUN_S_MAX))
}

/// How long one command may take before the test calls it hung. Not a speed target: a
/// command on a full disk that never returns (as sled did once, writing a blob file) must
/// fail the test, not stall CI until its limit.
const RUN_S_MAX: u64 = 120;

fn wait_at_most(mut child: std::process::Child, limit: std::time::Duration) -> Output {
    use std::io::Read;
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let (stdout, stderr) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let err = String::from_utf8_lossy(&stderr.join().unwrap()).into_owned();
            panic!("a command hung for over {limit:?} and was killed: {err}");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    Output { status, stdout: stdout.join().unwrap(), stderr: stderr.join().unwrap() }
}

fn no_panic(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!err.contains("panicked"), "a panic: {err}");
    assert_ne!(out.status.code(), Some(101), "a panic: {err}");
    err
}

fn batch(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!(r#"{{"effective":"2025-01-01","kind":"OrganisationRegistered","body":{{"organisation":"org-{i}","name":"{}"}}}}"#, "x".repeat(200)))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "mounts small and read-only file systems: needs root; .ci/run runs it as root"]
fn a_full_disk_is_a_clear_error_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (mnt, _m) = small_disk(dir.path());
    let ledger = mnt.join("l");
    assert!(protokol(&ledger, &["init"], "").status.success());
    // Something else on the disk, that the administrator can remove once it is full.
    std::fs::write(mnt.join("filler"), vec![0u8; 512 * 1024]).unwrap();
    let mut acked = 0;
    let mut full = None;
    for round in 0..200 {
        let out = protokol(&ledger, &["append", "-"], &batch(round * 100, 100));
        let err = no_panic(&out);
        if out.status.success() {
            acked = (round + 1) * 100;
        } else {
            full = Some(err);
            break;
        }
    }
    let err = full.expect("the 8 MiB disk fills up");
    assert!(err.contains("No space left") || err.contains("storage error"), "a clear error: {err}");
    // Opening writes (sled's recovery, the lock file), so on a full disk even verify may
    // fail, clearly; with space freed, everything acknowledged is there.
    no_panic(&protokol(&ledger, &["verify"], ""));
    std::fs::remove_file(mnt.join("filler")).unwrap();
    // Compacting needs room for a whole copy: with less, it stops clearly, leaving
    // neither its unfinished copy nor a changed ledger.
    let out = protokol(&ledger, &["compact"], "");
    let err = no_panic(&out);
    assert!(!out.status.success() && err.contains("No space left"), "compacting fails clearly: {err}");
    assert!(!mnt.join("l.compacting").exists(), "no unfinished copy is left: {err}");
    let out = protokol(&ledger, &["verify"], "");
    let text = String::from_utf8_lossy(&out.stdout);
    no_panic(&out);
    assert!(out.status.success(), "verifies once there is space: {}", String::from_utf8_lossy(&out.stderr));
    assert!(text.starts_with(&format!("ok: {acked} events")), "everything acknowledged is there: {text}");
    eprintln!("hostile: disk full after {acked} acknowledged events; all still there");
}

/// A meeting file as large as a long set of minutes: its `FileImported` record (the
/// file kept whole) is larger than the page sled writes inline, so sled writes a blob.
fn large_meeting(n: usize) -> String {
    let council = Path::new(env!("CARGO_MANIFEST_DIR")).join("events/constructed-council");
    let template = std::fs::read_to_string(council.join("2026-03-02-byraadet-skriftlig-1.toml")).unwrap();
    let padding: String = (0..1500).map(|_| format!("# {}\n", "x".repeat(98))).collect();
    let meeting = template
        .replace("byraadet-skriftlig-2026-1", &format!("byraadet-skriftlig-2026-{n}"))
        .replacen("number = 1\n", &format!("number = {n}\n"), 1)
        .replace("byr-s1-p1", &format!("byr-s{n}-p1"));
    padding + &meeting
}

/// Regression: sled hung, never returning, writing a record of 150 KB on a full disk.
#[test]
#[ignore = "mounts small and read-only file systems: needs root; .ci/run runs it as root"]
fn a_full_disk_under_large_records_is_a_clear_error_not_a_hang() {
    let dir = tempfile::tempdir().unwrap();
    let (mnt, _m) = small_disk(dir.path());
    let ledger = mnt.join("l");
    let council = Path::new(env!("CARGO_MANIFEST_DIR")).join("events/constructed-council");
    let out = protokol(&ledger, &["import", council.to_str().unwrap()], "");
    assert!(out.status.success(), "{}", no_panic(&out));
    let mut last_ok = String::from_utf8_lossy(&out.stdout).lines().last().unwrap().to_string();
    let mut full = None;
    for n in 2..60 {
        let file = dir.path().join(format!("m{n}.toml"));
        std::fs::write(&file, large_meeting(n)).unwrap();
        let out = protokol(&ledger, &["import", file.to_str().unwrap()], "");
        let err = no_panic(&out);
        if out.status.success() {
            last_ok = String::from_utf8_lossy(&out.stdout).lines().last().unwrap().to_string();
        } else {
            full = Some(err);
            break;
        }
    }
    let err = full.expect("the 8 MiB disk fills up");
    assert!(err.contains("No space left"), "a clear error: {err}");
    let out = protokol(&ledger, &["verify"], "");
    assert!(out.status.success(), "{}", no_panic(&out));
    let ok = last_ok.split(", head").next().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(ok),
        "the ledger is as last acknowledged ({ok}): {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
#[ignore = "mounts small and read-only file systems: needs root; .ci/run runs it as root"]
fn a_read_only_ledger_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = dir.path().join("l");
    assert!(protokol(&ledger, &["append", "-"], "").status.code() == Some(2));
    assert!(protokol(&ledger, &["init"], "").status.success());
    assert!(protokol(&ledger, &["append", "-"], &batch(0, 5)).status.success());
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    sh(&["mount", "--bind", ledger.to_str().unwrap(), ro.to_str().unwrap()]);
    let _m = Mount(ro.clone());
    sh(&["mount", "-o", "remount,ro,bind", ro.to_str().unwrap()]);
    let out = protokol(&ro, &["append", "-"], &batch(5, 1));
    let err = no_panic(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("Read-only file system"), "{err}");
    let out = protokol(&ledger, &["verify"], "");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 5 events"));
}

#[test]
#[ignore = "mounts small and read-only file systems: needs root; .ci/run runs it as root"]
fn a_truncated_or_corrupt_sled_file_is_a_clear_error_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let pristine = dir.path().join("pristine");
    assert!(protokol(&pristine, &["init"], "").status.success());
    for i in 0..5 {
        assert!(protokol(&pristine, &["append", "-"], &batch(i * 50, 50)).status.success());
    }
    let len = std::fs::metadata(pristine.join("db")).unwrap().len();
    type Damage = Box<dyn Fn(&Path)>;
    let cases: Vec<(&str, Damage)> = vec![
        (
            "truncated to half",
            Box::new(move |p: &Path| {
                std::fs::File::options().write(true).open(p.join("db")).unwrap().set_len(len / 2).unwrap()
            }),
        ),
        (
            "truncated to 100 bytes",
            Box::new(|p: &Path| std::fs::File::options().write(true).open(p.join("db")).unwrap().set_len(100).unwrap()),
        ),
        (
            "zeroed in the middle",
            Box::new(move |p: &Path| {
                use std::io::{Seek, SeekFrom, Write};
                let mut f = std::fs::File::options().write(true).open(p.join("db")).unwrap();
                f.seek(SeekFrom::Start(len / 4)).unwrap();
                f.write_all(&vec![0u8; 4096]).unwrap();
            }),
        ),
        (
            "snapshot removed",
            Box::new(|p: &Path| {
                for e in std::fs::read_dir(p).unwrap() {
                    let e = e.unwrap();
                    if e.file_name().to_string_lossy().starts_with("snap.") {
                        std::fs::remove_file(e.path()).unwrap();
                    }
                }
            }),
        ),
    ];
    for (i, (what, damage)) in cases.iter().enumerate() {
        let copy = dir.path().join(format!("case-{i}"));
        sh(&["cp", "-r", pristine.to_str().unwrap(), copy.to_str().unwrap()]);
        damage(&copy);
        let out = protokol(&copy, &["verify"], "");
        let err = no_panic(&out);
        let text = String::from_utf8_lossy(&out.stdout);
        // Either the damage hit nothing recorded and everything verifies, or verify says
        // clearly what is wrong; it never claims a shorter or different log is whole.
        if out.status.success() {
            assert!(text.starts_with("ok: 250 events"), "{what}: {text}");
        } else {
            assert!(!err.trim().is_empty(), "{what}: a message");
            assert_eq!(out.status.code(), Some(1), "{what}: damage is a verification failure: {err}");
            // Damage that hit only the projection leaves a log that checks, and is cured
            // by deriving the projection again.
            let projection = err.contains("projection") && err.contains("`protokol rebuild`");
            assert!(
                err.contains("are damaged") || err.contains("seq ") || projection,
                "{what}: says what is wrong: {err}"
            );
        }
        eprintln!(
            "hostile: {what}: {}",
            if out.status.success() { text.trim().to_string() } else { err.trim().to_string() }
        );
    }
}
