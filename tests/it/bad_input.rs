//! Bad input, generated: the JSON event reader, the meeting-file reader and the API
//! bodies never panic, never append part of a batch, and always say what is wrong.

use crate::common::*;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use protokol::import;
use protokol::input::parse_events;
use protokol::record_file;
use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

const CASES: u32 = 300;

fn runner() -> TestRunner {
    TestRunner::new(proptest_config(CASES, "tests/proptest-regressions/bad_input.txt"))
}

const MEETING: &str = include_str!("../../events/atmp-danmark/2026-01-21-styregruppen-4.toml");

/// A ledger with the register and the reference group meeting, ready for the steering
/// group's file (or a mangled copy of it).
fn base() -> &'static DirImage {
    static B: OnceLock<DirImage> = OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("base");
        let mut l = protokol::Ledger::create(&path).unwrap();
        for (name, text) in protokol::seed::FILES.iter().filter(|(n, _)| !n.contains("styregruppen")) {
            import::import_file(&mut l, &record_file::parse(name, text).unwrap(), "test", now()).unwrap();
        }
        drop(l);
        DirImage::of(&path)
    })
}

fn fresh_copy(to: &std::path::Path) -> protokol::Ledger {
    base().write_to(to);
    protokol::Ledger::open(to).unwrap()
}

#[test]
fn arbitrary_text_as_json_events_is_an_error_or_a_batch_never_a_panic() {
    let ran = Cell::new(0);
    let json_ish = prop_oneof![
        any::<String>(),
        "[\\[\\]{}\":,a-z0-9 -]{0,80}",
        (0usize..4, "[A-Za-z]{1,24}", "[a-z_]{1,12}", "[a-z0-9-]{0,12}").prop_map(|(shape, kind, field, value)| match shape {
            0 => format!(r#"{{"effective":"2025-01-01","kind":"{kind}","body":{{"{field}":"{value}"}}}}"#),
            1 => format!(r#"[{{"effective":"{value}","kind":"OrganisationRegistered","body":{{"organisation":"{value}","name":"{kind}"}}}}]"#),
            2 => format!(r#"{{"effective":"2025-01-01","kind":"PersonRegistered","body":{{"person":"{value}","name":"{kind}","{field}":1}}}}"#),
            _ => format!("{{\"effective\":\"2025-01-01\",\"kind\":\"MemberJoined\",\"body\":{{\"person\":\"{value}\",\"group\":\"{field}\",\"role\":\"{kind}\"}}}}\n{{}}"),
        }),
    ];
    let dir = tempfile::tempdir().unwrap();
    let l = RefCell::new(fresh_copy(&dir.path().join("l")));
    runner()
        .run(&json_ish, |text| {
            ran.set(ran.get() + 1);
            match parse_events("in.json", &text) {
                Err(e) => prop_assert!(e.to_string().starts_with("in.json"), "{}", e),
                Ok(events) => {
                    let mut l = l.borrow_mut();
                    let head = l.head();
                    if let Err(e) = l.append("in.json", events, None, "test", now()) {
                        prop_assert_eq!(l.head(), head, "nothing of a refused batch is written: {}", e);
                        prop_assert!(e.to_string().starts_with("in.json"), "{}", e);
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!("bad input: {} generated JSON inputs, none panicked", ran.get());
}

/// A mangled meeting file: a line dropped, doubled, or a character replaced.
fn mangled() -> impl Strategy<Value = String> {
    let lines = MEETING.lines().count();
    (0..lines, 0usize..3, any::<usize>(), any::<char>()).prop_map(|(line, how, at, c)| {
        let mut v: Vec<String> = MEETING.lines().map(String::from).collect();
        match how {
            0 => {
                v.remove(line);
            }
            1 => {
                let l = v[line].clone();
                v.insert(line, l);
            }
            _ => {
                let mut chars: Vec<char> = v[line].chars().collect();
                if !chars.is_empty() {
                    let i = at % chars.len();
                    chars[i] = c;
                }
                v[line] = chars.into_iter().collect();
            }
        }
        v.join("\n")
    })
}

#[test]
fn mangled_meeting_files_import_whole_or_not_at_all() {
    let (ran, refused) = (Cell::new(0), Cell::new(0));
    let name = "2026-01-21-styregruppen-4.toml";
    runner()
        .run(&mangled(), |text| {
            ran.set(ran.get() + 1);
            let dir = tempfile::tempdir().unwrap();
            let mut l = fresh_copy(&dir.path().join("l"));
            let head = l.head();
            let result = record_file::parse(name, &text).and_then(|f| import::import_file(&mut l, &f, "test", now()));
            match result {
                Ok(import::Outcome::Appended { events, .. }) => {
                    prop_assert_eq!(l.head().unwrap().0 .0, head.unwrap().0 .0 + events as u64);
                }
                Ok(other) => prop_assert!(false, "unexpected {:?}", other),
                Err(e) => {
                    refused.set(refused.get() + 1);
                    prop_assert_eq!(l.head(), head, "nothing of a refused file is written: {}", e);
                    prop_assert!(e.to_string().starts_with(name), "names the file: {}", e);
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "bad input: {} mangled meeting files, {} refused whole, the rest imported whole",
        ran.get(),
        refused.get()
    );
}

#[test]
fn arbitrary_toml_ish_text_never_panics_the_reader() {
    let ran = Cell::new(0);
    let text = prop_oneof![any::<String>(), "(\\[\\[?[a-z.]{0,12}\\]\\]?\n|[a-z_]{1,10} = (\"[^\"]{0,10}\"|[0-9]{1,4}|20[0-9]{2}-[0-9]{2}-[0-9]{2})\n){0,12}"];
    let dir = tempfile::tempdir().unwrap();
    let l = RefCell::new(fresh_copy(&dir.path().join("l")));
    runner()
        .run(&text, |text| {
            ran.set(ran.get() + 1);
            let mut l = l.borrow_mut();
            let head = l.head();
            if let Err(e) =
                record_file::parse("x.toml", &text).and_then(|f| import::import_file(&mut l, &f, "test", now()))
            {
                prop_assert_eq!(l.head(), head);
                prop_assert!(e.to_string().starts_with("x.toml"), "{}", e);
            }
            Ok(())
        })
        .unwrap();
    eprintln!("bad input: {} generated TOML-like files, none panicked", ran.get());
}
