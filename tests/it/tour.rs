//! The README's tour, run as written: every line of its code block, in order, from a
//! folder holding what the repository's top folder holds that the tour reads, with the
//! built `protokol` on the PATH and neither `$USER` nor `--by` to say who runs it.

use std::path::Path;
use std::process::Command;

const README: &str = include_str!("../../README.md");

/// The lines of the code block under "## A tour".
fn tour() -> Vec<&'static str> {
    let section = &README[README.find("## A tour").expect("a tour")..];
    let block = &section[section.find("```sh\n").expect("its code block") + 6..];
    block[..block.find("```").unwrap()].lines().filter(|l| !l.trim().is_empty()).collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            copy_dir(&p, &to.join(p.file_name().unwrap()));
        } else {
            std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn every_line_of_the_readme_tour_runs_as_written() {
    let lines = tour();
    assert!(lines.len() > 20, "the tour: {lines:?}");
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&root.join("events"), &dir.path().join("events"));
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::copy(root.join("docs/append-example.json"), dir.path().join("docs/append-example.json")).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_protokol")).parent().unwrap().to_path_buf();
    let path =
        std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())))
            .unwrap();
    for line in lines {
        let out = Command::new("sh")
            .arg("-c")
            .arg(line)
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("USER")
            .env_remove("LOGNAME")
            .env_remove("PROTOKOL_BY")
            .env_remove("PROTOKOL_LEDGER")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the tour's line fails as written:\n{line}\nexit {:?}\n{}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The tour leaves what it says: the approved document, the export, the copy.
    for f in ["referat.html", "atmp.jsonl", "copy.db", "council.db", "new.db"] {
        assert!(dir.path().join(f).exists(), "{f}");
    }
}
