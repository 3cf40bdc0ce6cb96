//! A read of the stored state that fails is an error for that answer, with its own exit
//! code and HTTP status: never a refusal, never a gap, never a default. Each read path
//! (append, queries, minutes, the site, import) is tried over a store that fails: one
//! damaged on disk, and one whose reads fail outright.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use protokol::http::{app, AppState, Tokens};
use protokol::ids::GroupId;
use protokol::kv::{Kv, KvRead, Pair, ReadError};
use protokol::minutes::{render_meeting, Format, Lang};
use protokol::model::Model;
use protokol::query::{self, DecisionFilter};
use protokol::{import, record_file, Error, Ledger};
use serde_json::json;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;

/// Replaces the stored value of every projection key under `prefix` with one that does
/// not decode, in the closed ledger at `path`; returns how many.
fn damage(path: &Path, prefix: &str) -> usize {
    let db = (0..40)
        .find_map(|_| match sled::open(path) {
            Ok(db) => Some(db),
            Err(_) => {
                std::thread::sleep(std::time::Duration::from_millis(50));
                None
            }
        })
        .expect("the ledger's lock is released");
    let tree = db.open_tree(b"log").unwrap();
    let keys: Vec<_> = tree.scan_prefix(format!("~{prefix}")).keys().map(|k| k.unwrap()).collect();
    for k in &keys {
        tree.insert(k, [&[0u8; 8][..], b"{not json"].concat()).unwrap();
    }
    db.flush().unwrap();
    keys.len()
}

/// The seeded record in `dir`, with the keys under `prefix` damaged.
fn seeded_with_damage(dir: &Path, prefix: &str) -> Ledger {
    drop(seeded(dir));
    assert!(damage(dir, prefix) > 0, "the record has keys under {prefix}");
    Ledger::open(dir).unwrap()
}

fn is_read_error(e: &Error) -> bool {
    matches!(e, Error::Read(_)) && protokol::cli::exit_code(e) == 3 && protokol::http::status(e).0.as_u16() == 500
}

/// Regression: the rules read the state through lookups that failed quietly, so a damaged
/// organisation came out as "unknown organisation" (exit 2, HTTP 422).
#[test]
fn an_append_over_a_failed_read_is_a_read_error_not_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded_with_damage(dir.path(), "org/amgros");
    let head = l.head();
    let person = json!([{"effective": "2026-02-01", "kind": "PersonRegistered",
        "body": {"person": "ny-person", "name": "Ny Person", "affiliation": "amgros"}}]);
    let err = l.append("t", events(person), None, "test", now()).unwrap_err();
    assert!(is_read_error(&err), "{err:?}");
    assert!(err.to_string().contains("org/amgros"), "{err}");
    assert_eq!(l.head(), head, "nothing was written");
    drop(l);
    assert_eq!(Ledger::open(dir.path()).unwrap().head(), head, "nothing was written, as read again");
}

/// Regression: the secretariat's heading in the minutes fell back to a default when the
/// group it names could not be read, which changes the bytes approved by their hash.
#[test]
fn minutes_over_a_failed_read_are_an_error_not_a_default_heading() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded_with_damage(dir.path(), "mem/atmp-danmark-sekretariatet/");
    let sg: GroupId = "styregruppen".parse().unwrap();
    let err = render_meeting(&l.model(), &sg, &4.into(), Lang::Da, Format::Md).unwrap_err();
    assert!(is_read_error(&err), "{err:?}");
    assert!(err.to_string().contains("mem/atmp-danmark-sekretariatet/"), "{err}");
    drop(l);
    let r = protokol(dir.path(), &["minutes", "styregruppen", "4"], None);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.is_empty(), "no minutes printed: {}", r.stdout);
}

async fn get(s: &AppState, uri: &str) -> (StatusCode, String) {
    let resp = app(s.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Regression: a group's page dropped its whole timeline section on a failed read, and
/// answered 200.
#[tokio::test]
async fn a_page_over_a_failed_read_is_an_error_page_not_a_page_with_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let l = seeded_with_damage(dir.path(), "meet/styregruppen-2026-01-21");
    let s = AppState::new(l, Tokens::default());
    let (status, body) = get(&s, "/groups/styregruppen?at=2026-01-21").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("meet/styregruppen-2026-01-21"), "the page says what failed: {body}");
    let (status, body) = get(&s, "/api/groups/styregruppen/timeline").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert!(body.contains("\"read_failed\""), "{body}");
}

/// Regression: turning a meeting file into events looked up each action's owner through
/// reads that failed quietly, so a damaged group was "no known person, group or
/// organisation" (an input error naming the file, exit 2).
#[test]
fn an_import_over_a_failed_read_is_a_read_error_not_an_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = seeded_with_damage(dir.path(), "group/atmp-danmark-sekretariatet");
    let head = l.head();
    let f = record_file::parse("2026-04-29-styregruppen-5.toml", crate::import::GOOD).unwrap();
    let err = import::import_file(&mut l, &f, "test", now()).unwrap_err();
    assert!(is_read_error(&err), "{err:?}");
    assert_eq!(l.head(), head, "nothing was written");
}

/// A store whose reads of keys under `failing` fail outright (an I/O error, not a
/// damaged value), over a copy of a ledger's stored pairs.
struct Failing {
    pairs: std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
    failing: Vec<u8>,
}

impl Failing {
    fn check(&self, key: &[u8]) -> Result<(), ReadError> {
        match key.starts_with(&self.failing) {
            true => Err(ReadError(format!("reading {:?}: injected failure", String::from_utf8_lossy(key)))),
            false => Ok(()),
        }
    }
}

impl KvRead for Failing {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        self.check(key)?;
        Ok(self.pairs.get(key).cloned())
    }

    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        if let Err(e) = self.check(prefix) {
            return Box::new(std::iter::once(Err(e)));
        }
        let prefix = prefix.to_vec();
        Box::new(self.pairs.range(prefix.clone()..).take_while(move |(k, _)| k.starts_with(&prefix)).map(|(k, v)| {
            self.check(k)?;
            Ok((k.clone(), v.clone()))
        }))
    }
}

/// Every query and the minutes, each over a store whose reads fail under one prefix that
/// the answer needs: each is an error naming the key, never an answer.
#[test]
fn every_query_over_a_failing_store_is_a_read_error() {
    let dir = tempfile::tempdir().unwrap();
    let pairs: std::collections::BTreeMap<_, _> = seeded(dir.path()).model().pairs().unwrap().into_iter().collect();
    let over = |failing: &str| {
        Model::new(Kv::over(Arc::new(Failing { pairs: pairs.clone(), failing: failing.as_bytes().to_vec() })))
    };
    let sg: GroupId = "styregruppen".parse().unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 21).unwrap();
    type Answer<'a> = Box<dyn Fn(&Model) -> Result<(), Error> + 'a>;
    let answers: Vec<(&str, Answer)> = vec![
        ("gsize/", Box::new(|m| query::groups(m, day).map(drop))),
        ("mem/", Box::new(|m| query::composition(m, &sg, day).map(drop))),
        ("person/", Box::new(|m| query::composition(m, &sg, day).map(drop))),
        ("meetg/", Box::new(|m| query::timeline(m, &sg).map(drop))),
        ("att/", Box::new(|m| query::person_history(m, &"flemming-sonne".parse().unwrap()).map(drop))),
        ("decg/", Box::new(|m| query::decisions(m, &DecisionFilter::default(), day).map(drop))),
        ("act/", Box::new(|m| query::actions(m, day).map(drop))),
        ("meetat/", Box::new(|m| query::meeting_record(m, &sg, &4.into(), day).map(drop))),
        ("meett/", Box::new(|m| render_meeting(m, &sg, &4.into(), Lang::En, Format::Html).map(drop))),
        ("appr/", Box::new(|m| protokol::minutes::find_approved(m, b"any document").map(drop))),
        ("org/", Box::new(|m| protokol::export::popolo::document(m).map(drop).map_err(Error::from))),
    ];
    for (failing, answer) in answers {
        answer(&over("~none/")).unwrap_or_else(|e| panic!("under {failing}, the honest store answers: {e}"));
        let err = answer(&over(failing)).expect_err(failing);
        assert!(is_read_error(&err), "{failing}: {err:?}");
        assert!(err.to_string().contains(failing), "{failing}: {err}");
    }
}

/// Regression: every append read all the log's corrections and erasures, for a check of
/// redactions that had none to check (4-10 ms an append at a million events, growing
/// with the log). An append that erases nothing reads neither: with every correction
/// unreadable it still succeeds, and a redaction still fails on them.
#[test]
fn an_append_that_erases_nothing_reads_no_correction() {
    let dir = tempfile::tempdir().unwrap();
    let target = {
        let mut l = seeded(dir.path());
        let target = l
            .entries_after(protokol::ids::Seq(0), usize::MAX)
            .unwrap()
            .into_iter()
            .find(|e| e.event.kind() == "PersonRegistered")
            .unwrap()
            .seq;
        let fix = json!([{"effective": "2026-02-01", "kind": "EventCorrected", "body": {
            "target": target.0, "reason": "Stavefejl.", "replacement": {"kind": "PersonRegistered", "body": l.entry(target).unwrap().unwrap().event.body_value()}
        }}]);
        l.append("t", events(fix), None, "test", now()).unwrap();
        target
    };
    assert!(damage(dir.path(), "corr/") > 0);
    let mut l = Ledger::open(dir.path()).unwrap();
    let person = json!([{"effective": "2026-02-01", "kind": "PersonRegistered", "body": {"person": "ny-person", "name": "Ny Person"}}]);
    l.append("t", events(person), None, "test", now()).expect("no correction read");
    let erase = json!([{"effective": "2026-02-02", "kind": "BodyRedacted", "body": {"target": target.0, "reason": "Personoplysninger."}}]);
    let err = l.append("t", events(erase), None, "test", now()).unwrap_err();
    assert!(is_read_error(&err), "{err}");
}
