//! The shape of the code, held to what ARCHITECTURE.md and docs/MODEL.md say of it: every
//! file in the code map, the rule table exactly the rules the code has, the core free of
//! the edges, no two modules using each other, and sled used by the store alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Every `.rs` file under `src/`, as a path relative to it, with its text.
fn sources() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let src = Path::new(ROOT).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

fn doc(name: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(name)).unwrap()
}

/// The lines of the table that follows `heading` in `text`, up to the first line that
/// is not part of it.
fn table_after<'t>(text: &'t str, heading: &str) -> Vec<&'t str> {
    let start = text.find(heading).unwrap_or_else(|| panic!("{heading:?} is there"));
    text[start..].lines().skip_while(|l| !l.starts_with('|')).take_while(|l| l.starts_with('|')).skip(2).collect()
}

/// The `` `x` `` spans of a line.
fn quoted(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

#[test]
fn the_code_map_names_every_file_under_src_and_only_those() {
    let arch = doc("ARCHITECTURE.md");
    let named: BTreeSet<&str> = table_after(&arch, "## Code map")
        .iter()
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(quoted)
        .filter(|q| q.ends_with(".rs"))
        .collect();
    let files: BTreeSet<String> = sources().into_keys().collect();
    let missing: Vec<_> = files.iter().filter(|f| !named.contains(f.as_str())).collect();
    let gone: Vec<_> = named.iter().filter(|n| !files.contains(**n)).collect();
    assert!(missing.is_empty(), "files the code map does not name: {missing:?}");
    assert!(gone.is_empty(), "the code map names files that do not exist: {gone:?}");
}

/// Every rule code a refusal can carry, as the code spells it.
fn rule_codes_in_code() -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for text in sources().values() {
        for marker in ["refuse(", "rule: "] {
            for (at, _) in text.match_indices(marker) {
                let rest = text[at + marker.len()..].trim_start();
                if let Some(code) = rest.strip_prefix('"').and_then(|r| r.split('"').next()) {
                    codes.insert(code.to_string());
                }
            }
        }
    }
    codes
}

#[test]
fn models_rule_table_lists_exactly_the_rule_codes_the_code_has() {
    let model = doc("docs/MODEL.md");
    let listed: BTreeSet<String> = table_after(&model, "| rule | refused when |")
        .iter()
        .filter_map(|row| row.split('|').nth(1))
        .flat_map(quoted)
        .map(str::to_string)
        .collect();
    let in_code = rule_codes_in_code();
    assert!(in_code.len() >= 20, "the codes are found: {in_code:?}");
    assert_eq!(listed, in_code, "docs/MODEL.md's rule table and the rules");
}

/// The top-level module a file belongs to (`ledger/append.rs` → `ledger`).
fn module_of(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

/// Which top-level modules each one uses, from its `crate::` paths.
fn module_uses() -> BTreeMap<String, BTreeSet<String>> {
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources() {
        let from = module_of(&file).to_string();
        if from == "lib" || from == "main" {
            continue;
        }
        let entry = uses.entry(from.clone()).or_default();
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + 7..].chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
            if !name.is_empty() && name != from {
                entry.insert(name);
            }
        }
    }
    uses
}

#[test]
fn no_two_modules_use_each_other_and_the_core_uses_no_edge() {
    let uses = module_uses();
    // No cycle: repeatedly take away the modules that use nothing left.
    let mut left = uses.clone();
    while let Some(leaf) =
        left.iter().find(|(_, deps)| deps.iter().all(|d| !left.contains_key(d))).map(|(m, _)| m.clone())
    {
        left.remove(&leaf);
    }
    assert!(left.is_empty(), "modules in a cycle of uses: {left:?}");
    let core = [
        "ids",
        "when",
        "said",
        "hash",
        "merkle",
        "checkpoint",
        "proof",
        "tiles",
        "envelope",
        "event",
        "kv",
        "model",
        "rules",
    ];
    let edges = ["ledger", "store", "http", "cli", "import", "seed", "error"];
    for m in core {
        let bad: Vec<_> = uses[m].iter().filter(|d| edges.contains(&d.as_str())).collect();
        assert!(bad.is_empty(), "the core module {m} uses {bad:?}");
    }
    for (file, text) in sources() {
        if core.contains(&module_of(&file)) {
            for edge_crate in ["axum::", "clap::", "sled::", "tokio::", "StatusCode"] {
                assert!(!text.contains(edge_crate), "{file} (core) uses {edge_crate}");
            }
        }
    }
}

#[test]
fn only_the_store_touches_sled_and_the_librarys_error_knows_no_edge() {
    for (file, text) in sources() {
        if !file.starts_with("store/") {
            assert!(!text.contains("sled::"), "{file} uses sled");
        }
    }
    let error = &sources()["error.rs"];
    for edge in ["StatusCode", "fn http_status", "fn exit_code", "-> u16", "-> u8"] {
        assert!(!error.contains(edge), "error.rs speaks of {edge}");
    }
}

#[test]
fn a_file_over_400_lines_says_why_at_its_top() {
    for (file, text) in sources() {
        let lines = text.lines().count();
        let top: String = text.lines().take(12).collect::<Vec<_>>().join("\n");
        assert!(lines <= 400 || top.contains("400 lines"), "{file} has {lines} lines and no reason at its top");
    }
}
