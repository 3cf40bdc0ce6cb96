//! The server through `app()` and `oneshot`: every route, its errors, auth, and that a
//! write is visible in the next read.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use protokol::http::api::ROUTES;
use protokol::http::{app, AppState, Tokens, REQUEST_BYTES_MAX};
use serde_json::{json, Value};
use tower::ServiceExt;

pub(crate) const TOKEN: &str = "secret-token-for-cecilie";

pub(crate) fn state(dir: &std::path::Path, tokens: &str) -> AppState {
    AppState::new(seeded(dir), Tokens::parse("test", tokens).unwrap())
}

pub(crate) async fn call(
    s: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        req = req.header("authorization", format!("Bearer {t}"));
    }
    let resp = app(s.clone()).oneshot(req.body(body.into()).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub(crate) async fn get_json(s: &AppState, uri: &str) -> Value {
    let (status, body) = call(s, "GET", uri, None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"))
}

fn concrete(path: &str) -> String {
    let path = path
        .replace("{group}", "styregruppen")
        .replace("{number}", "4")
        .replace("{person}", "flemming-sonne")
        .replace("{seq}", "85")
        .replace("{decision}", "sg4-p1");
    if path == "/api/search" {
        return path + "?q=ATMP";
    }
    if path == "/api/consistency" {
        return path + "?from=50";
    }
    path
}

#[tokio::test]
async fn every_documented_get_route_answers_and_the_openapi_lists_them_all() {
    let dir = tempfile::tempdir().unwrap();
    let (skey, _) = protokol::checkpoint::new_key("test.example/protokol", &mut rand_core::OsRng).unwrap();
    let s = state(&dir.path().join("l"), "").signing(Some(skey), Vec::new());
    // A document route answers for a kept document (tests/it/secretariat.rs).
    for r in ROUTES.iter().filter(|r| r.method == "get" && !r.path.contains("{hash}")) {
        let (status, body) = call(&s, "GET", &concrete(r.path), None, Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", r.path);
    }
    let doc = get_json(&s, "/api/openapi.json").await;
    for r in ROUTES {
        assert!(doc["paths"][r.path][r.method].is_object(), "{} {} missing from OpenAPI", r.method, r.path);
    }
    let documented: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ROUTES.len());
    // Every success response has a schema; every reference resolves; and what the JSON
    // routes return has exactly the fields their schema names.
    let schemas = &doc["components"]["schemas"];
    let text = doc.to_string();
    for name in text.split("#/components/schemas/").skip(1).map(|r| r.split('"').next().unwrap()) {
        assert!(schemas[name].is_object(), "unresolved $ref {name}");
    }
    // A document route answers for a kept document (tests/it/secretariat.rs).
    for r in ROUTES.iter().filter(|r| r.method == "get" && !r.path.contains("{hash}")) {
        let ok = &doc["paths"][r.path]["get"]["responses"]["200"]["content"];
        let Some(reference) = ok["application/json"]["schema"]["$ref"].as_str() else { continue };
        let schema = &schemas[reference.trim_start_matches("#/components/schemas/")];
        let props: std::collections::BTreeSet<&str> =
            schema["properties"].as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let body = get_json(&s, &concrete(r.path)).await;
        let keys: std::collections::BTreeSet<&str> = body.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(keys, props, "{}: response fields against schema", r.path);
    }
    // Every write documents its body's schema; a batch's is the fields the server reads.
    let resolve = |v: &Value| -> Value {
        match v["$ref"].as_str() {
            Some(r) => schemas[r.trim_start_matches("#/components/schemas/")].clone(),
            None => v.clone(),
        }
    };
    for r in ROUTES.iter().filter(|r| r.method == "post") {
        let content = doc["paths"][r.path]["post"]["requestBody"]["content"].as_object().unwrap();
        let schema = resolve(&content.values().next().unwrap()["schema"]);
        assert!(schema["type"].is_string(), "{}: a request schema, not {schema}", r.path);
    }
    let batch = resolve(&doc["paths"]["/api/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]);
    let fields: Vec<&String> = batch["properties"].as_object().unwrap().keys().collect();
    assert_eq!(fields, ["events", "expect_hash", "expect_seq"]);
    let event = resolve(&batch["properties"]["events"]["items"]);
    let kinds = event["properties"]["kind"]["enum"].as_array().unwrap();
    assert!(kinds.contains(&json!("MemberJoined")) && kinds.contains(&json!("DecisionRecorded")), "{event}");
    assert_eq!(kinds.len(), protokol::event::KINDS.len());
    // And nothing undocumented answers under /api.
    let (status, body) = call(&s, "GET", "/api/nothing", None, Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("\"not_found\""), "{body}");
}

#[tokio::test]
async fn queries_take_at_and_known_at_like_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    let c = get_json(&s, "/api/groups/styregruppen/members?at=2026-01-20").await;
    assert_eq!(c["members"].as_array().unwrap().len(), 11);
    let c = get_json(&s, "/api/groups/styregruppen/members?at=2026-01-21").await;
    assert_eq!(c["members"].as_array().unwrap().len(), 12);
    let c = get_json(&s, "/api/groups/styregruppen/members?at=2026-01-21&known_at=58").await;
    assert_eq!(c["members"].as_array().unwrap().len(), 11, "before the meeting file was imported");
    let d =
        get_json(&s, "/api/decisions?meeting=styregruppen-2026-01-21&outcome=approved_with_reservations&at=2026-02-01")
            .await;
    assert_eq!(d.as_array().unwrap().len(), 2);
    let a = get_json(&s, "/api/actions?at=2026-02-01&open=true").await;
    assert_eq!(a.as_array().unwrap().len(), 7);
    let m = get_json(&s, "/api/groups/styregruppen/meetings/4").await;
    assert_eq!(m["agenda"].as_array().unwrap().len(), 11);
    let (status, md) = call(&s, "GET", "/api/groups/styregruppen/meetings/4/minutes", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(md.starts_with("# Beslutningsreferat"));
}

#[tokio::test]
async fn bad_parameters_are_400_and_missing_things_404_all_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    for (uri, status, code) in [
        ("/api/groups?at=yesterday", 400, "bad_request"),
        ("/api/groups?known_at=soon", 400, "bad_request"),
        ("/api/decisions?outcome=maybe", 400, "bad_request"),
        ("/api/events?limit=100000", 400, "bad_request"),
        ("/api/events?after=-1", 400, "bad_request"),
        ("/api/groups/Styregruppen/members", 400, "bad_request"),
        ("/api/groups/styregruppen/meetings/Four", 400, "bad_request"),
        ("/api/groups/styregruppen/meetings/four", 404, "not_found"),
        ("/api/groups/styregruppen/meetings/4/minutes?lang=fr", 400, "bad_request"),
        ("/api/groups/nowhere/members", 404, "not_found"),
        ("/api/groups/styregruppen/meetings/9", 404, "not_found"),
        ("/api/groups/referencegruppen/meetings/styregruppen-2026-01-21", 404, "not_found"),
        ("/api/people/nobody", 404, "not_found"),
    ] {
        let (got, body) = call(&s, "GET", uri, None, Body::empty()).await;
        assert_eq!(got.as_u16(), status, "{uri}: {body}");
        let v: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{uri}: not JSON: {body}"));
        assert_eq!(v["error"]["code"], code, "{uri}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn writes_need_a_valid_token_and_a_read_only_server_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let batch = json!({"events": [{"effective": "2026-02-01", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]}).to_string();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let (status, body) = call(&s, "POST", "/api/events", None, batch.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, _) = call(&s, "POST", "/api/events", Some("wrong-token-wrong-token"), batch.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = call(&s, "POST", "/api/import?name=x.toml", None, "x").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let head = get_json(&s, "/api/head").await;
    assert_eq!(head["seq"], 109, "nothing written");

    let ro = state(&dir.path().join("ro"), "");
    let (status, body) = call(&ro, "POST", "/api/events", Some(TOKEN), batch).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.contains("read_only"));
}

#[tokio::test]
async fn a_write_is_visible_in_the_next_read_and_recorded_by_the_token_name() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let before = get_json(&s, "/api/actions?at=2026-02-01&open=true").await;
    let batch = json!({"expect_seq": 109, "events": [{"effective": "2026-02-01", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), batch.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let after = get_json(&s, "/api/actions?at=2026-02-01&open=true").await;
    assert_eq!(after.as_array().unwrap().len() + 1, before.as_array().unwrap().len());
    let feed = get_json(&s, "/api/events?after=109").await;
    assert_eq!(feed["events"][0]["recorded_by"], "cecilie", "who wrote is authenticated, not claimed");
    assert_eq!(feed["events"][0]["seq"], 110);
    assert_eq!(feed["head"]["seq"], 110);
    assert!(feed["next_after"].is_null());

    // The same expectation again is now stale: 409, nothing written.
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), batch.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("\"conflict\""));
    // A rule refusal is 422 and names the event.
    let bad = json!({"events": [{"effective": "2026-02-01", "kind": "ActionCompleted", "body": {"action": "nope"}}]});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), bad.to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("unknown action"), "{body}");
    // Unreadable bodies are 400.
    let (status, _) = call(&s, "POST", "/api/events", Some(TOKEN), "{not json").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(get_json(&s, "/api/head").await["seq"], 110);
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let big = vec![b' '; REQUEST_BYTES_MAX + 1];
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), big.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("too_large"), "{body}");
    let (status, _) = call(&s, "POST", "/api/verify-minutes", None, big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn import_and_verify_minutes_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let file = "[meeting]\nid = \"styregruppen-2026-04-29\"\ngroup = \"styregruppen\"\nnumber = 5\nstarts = 2026-04-29T13:00:00+02:00\n";
    let (status, body) = call(&s, "POST", "/api/import?name=2026-04-29-styregruppen-5.toml", Some(TOKEN), file).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = call(&s, "POST", "/api/import?name=2026-04-29-styregruppen-5.toml", Some(TOKEN), file).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("already_imported_at"), "{body}");
    let (status, body) = call(&s, "POST", "/api/import?name=bad.toml", Some(TOKEN), "[meeting\n").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("bad.toml"), "{body}");

    let doc = b"the approved minutes, as a PDF would be".to_vec();
    let approve = json!({"events": [{"effective": "2026-04-29", "kind": "MinutesApproved", "body": {
        "meeting": "styregruppen-2026-01-21", "document_hash": protokol::hash::document_hash(&doc).to_hex(), "document_name": "referat.pdf"}}]});
    assert_eq!(call(&s, "POST", "/api/events", Some(TOKEN), approve.to_string()).await.0, StatusCode::CREATED);
    let (status, body) = call(&s, "POST", "/api/verify-minutes", None, doc.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["approved"][0]["meeting"], "styregruppen-2026-01-21");
    let mut other = doc;
    other[0] ^= 1;
    let (_, body) = call(&s, "POST", "/api/verify-minutes", None, other).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["approved"], json!([]));
}

#[tokio::test]
async fn open_data_popolo_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    let p = get_json(&s, "/api/export/popolo.json").await;
    let flemming: Vec<&Value> =
        p["memberships"].as_array().unwrap().iter().filter(|m| m["person_id"] == "flemming-sonne").collect();
    assert_eq!(flemming.len(), 2);
    let rg = flemming.iter().find(|m| m["organization_id"] == "referencegruppen").unwrap();
    assert_eq!(rg["end_date"], "2026-01-20", "Popolo end dates are inclusive");
    assert!(p["organizations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == "styregruppen" && o["classification"] == "steering"));
    let (status, csv) = call(&s, "GET", "/api/decisions.csv?group=styregruppen", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("id,group,meeting,"));
    assert_eq!(lines.len(), 12);
    assert!(lines[7].starts_with("sg4-p7,styregruppen,"), "{}", lines[7]);
    assert!(lines[7].contains("\"Styregruppen godkendte processen"), "quoted: {}", lines[7]);
}

#[tokio::test]
async fn the_site_pages_render_and_escape_what_they_show() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let evil = json!({"events": [{"effective": "2026-02-01", "kind": "PersonRegistered", "body": {"person": "mallory", "name": "<script>alert('x')</script>"}},
        {"effective": "2026-02-01", "kind": "MemberJoined", "body": {"person": "mallory", "group": "styregruppen", "role": "observer"}}]});
    assert_eq!(call(&s, "POST", "/api/events", Some(TOKEN), evil.to_string()).await.0, StatusCode::CREATED);
    for uri in [
        "/",
        "/?lang=en",
        "/groups/styregruppen?at=2026-02-02",
        "/groups/styregruppen?at=2026-01-21&lang=en",
        "/meetings/styregruppen/4",
        "/meetings/referencegruppen/1?lang=en",
        "/decisions",
        "/decisions?outcome=approved_with_reservations",
        "/people/mallory",
        "/people/erik-jylling",
        "/audit",
        "/audit?after=100",
        "/check",
    ] {
        let (status, html) = call(&s, "GET", uri, None, Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {html}");
        assert!(html.starts_with("<!doctype html>"), "{uri}");
        assert!(!html.contains("<script>"), "{uri} must escape names");
    }
    let (_, html) = call(&s, "GET", "/groups/styregruppen?at=2026-02-02", None, Body::empty()).await;
    assert!(html.contains("&lt;script&gt;alert('x')&lt;/script&gt;"), "{html}");
    // What a visitor types comes back inside an attribute, escaped there too.
    let (_, typed) = call(&s, "GET", "/decisions?q=%22%3E%3Cscript%3Ex", None, Body::empty()).await;
    assert!(typed.contains("name=\"q\" value=\"&quot;&gt;&lt;script&gt;x\""), "{typed}");
    assert!(!typed.contains("<script>"));
    assert!(html.contains("<svg"), "the timeline");
    let (_, html) = call(&s, "GET", "/groups/styregruppen?at=2026-01-21", None, Body::empty()).await;
    assert_eq!(html.matches("<tr class=\"member\">").count(), 12);
    assert!(html.contains("Erik Jylling</a> (formandskab)"));
    // Words of the page's language, never codes.
    assert!(html.contains("<td>medformand</td>") && html.contains("styregruppe"), "{html}");
    let (_, en) = call(&s, "GET", "/groups/styregruppen?at=2026-01-21&lang=en", None, Body::empty()).await;
    assert!(en.contains("<td>co-chair</td>"), "{en}");
    for (uri, words) in [
        ("/decisions", ["godkendt med forbehold", "som besluttet"]),
        ("/decisions?lang=en", ["approved with reservations", "as decided"]),
        ("/people/erik-jylling", ["medformand", "til stede"]),
    ] {
        let (_, html) = call(&s, "GET", uri, None, Body::empty()).await;
        for w in words {
            assert!(html.contains(w), "{uri}: {w:?} missing");
        }
        for code in [">co_chair<", ">approved_with_reservations<", ">recorded<", ">present<"] {
            assert!(!html.contains(code), "{uri} shows the code {code:?}");
        }
    }
    // Search, on the site and in the API.
    let (_, html) = call(&s, "GET", "/search?q=Real%20World%20Data", None, Body::empty()).await;
    assert!(html.contains("href=\"/meetings/styregruppen/4?lang=da#item-8\">2026-01-21, punkt 8</a>"), "{html}");
    let (status, json) = call(&s, "GET", "/api/search?q=Real%20World%20Data", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json.contains("\"item\":8"), "{json}");
    let (status, _) = call(&s, "GET", "/groups/nowhere", None, Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(&s, "GET", "/groups/styregruppen?at=soon", None, Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_check_page_takes_an_uploaded_document() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    let form = |content: &str| {
        format!("--XYZ\r\nContent-Disposition: form-data; name=\"document\"; filename=\"referat.pdf\"\r\nContent-Type: application/pdf\r\n\r\n{content}\r\n--XYZ--\r\n")
    };
    let req = |body: String| {
        Request::builder()
            .method("POST")
            .uri("/check")
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body(Body::from(body))
            .unwrap()
    };
    let resp = app(s.clone()).oneshot(req(form("not approved"))).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = String::from_utf8(resp.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("svarer ikke til noget godkendt referat"), "{html}");
}

#[test]
fn arbitrary_request_bodies_never_make_a_5xx_or_a_partial_write() {
    use proptest::prelude::*;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        "\\{\"events\": \\[[ -~]{0,60}\\]\\}".prop_map(String::into_bytes),
        "\\{\"expect_seq\": [0-9]{1,3}, \"events\": \\[\\{\"effective\":\"2026-0[1-9]-1[0-9]\",\"kind\":\"[A-Za-z]{4,20}\",\"body\":\\{\\}\\}\\]\\}".prop_map(String::into_bytes),
    ];
    let route = prop_oneof![Just("/api/events"), Just("/api/import?name=f.toml"), Just("/api/verify-minutes")];
    let mut runner =
        proptest::test_runner::TestRunner::new(proptest_config(300, "tests/proptest-regressions/server.txt"));
    let ran = std::cell::Cell::new(0);
    runner
        .run(&(route, body), |(route, body)| {
            ran.set(ran.get() + 1);
            let before = rt.block_on(get_json(&s, "/api/head"));
            let (status, text) = rt.block_on(call(&s, "POST", route, Some(TOKEN), body));
            prop_assert!(status.as_u16() < 500, "{route}: {status} {text}");
            if !status.is_success() {
                let v: Value =
                    serde_json::from_str(&text).map_err(|_| TestCaseError::fail(format!("not JSON: {text}")))?;
                prop_assert!(v["error"]["code"].is_string());
                prop_assert_eq!(rt.block_on(get_json(&s, "/api/head")), before);
            }
            Ok(())
        })
        .unwrap();
    eprintln!("bad input: {} generated API request bodies, no 5xx, no partial write", ran.get());
}

#[tokio::test]
async fn path_tricks_in_parameters_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    for uri in [
        "/api/groups/..%2F..%2Fetc%2Fpasswd/members",
        "/api/groups/%2e%2e/members",
        "/api/people/erik-jylling%00",
        "/api/people/%3Cscript%3E",
        "/groups/..%2Fstyregruppen",
        "/meetings/styregruppen/4%2F..",
    ] {
        let (status, body) = call(&s, "GET", uri, None, Body::empty()).await;
        assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND, "{uri}: {status} {body}");
        assert!(!body.contains("root:"), "{uri}");
    }
}

#[tokio::test]
async fn a_cell_a_spreadsheet_would_run_is_exported_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let text = "=HYPERLINK(\"http://evil.example\",\"Klik\")";
    let batch = json!({"events": [{"effective": "2026-01-21", "kind": "DecisionRecorded", "body": {
        "decision": "sg4-formula", "meeting": "styregruppen-2026-01-21", "item": 2, "outcome": "approved_with_reservations",
        "text": text, "conditions": ["+SUM(A1:A9)", "@cmd", "-2+3"]}}]});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), batch.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, csv) = call(&s, "GET", "/api/decisions.csv?group=styregruppen", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let row = csv.lines().find(|l| l.starts_with("sg4-formula,")).expect("the decision's row");
    assert!(row.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Klik\"\")\""), "{row}");
    assert!(row.contains(",'+SUM(A1:A9) | @cmd | -2+3,"), "{row}");
    assert!(!row.contains(",=") && !row.contains(",+") && !row.contains(",@"), "{row}");
}

#[tokio::test]
async fn both_parts_of_an_expected_head_are_held() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let head = get_json(&s, "/api/head").await;
    let event = json!([{"effective": "2026-02-03", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]);
    let wrong = json!({"expect_seq": 109, "expect_hash": "ab".repeat(32), "events": event});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), wrong.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(get_json(&s, "/api/head").await, head, "nothing written");
    let right = json!({"expect_seq": 109, "expect_hash": head["hash"], "events": event});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), right.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn control_and_bidi_characters_are_refused_in_names_and_texts() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let head = get_json(&s, "/api/head").await;
    for (name, code) in [
        ("Mallory\u{1b}[2J", "U+001B"),
        ("evil\u{202e}txt.exe", "U+202E"),
        ("two\nlines", "U+000A"),
        ("nul\u{0}", "U+0000"),
    ] {
        let batch = json!({"events": [{"effective": "2026-02-01", "kind": "PersonRegistered", "body": {"person": "mallory", "name": name}}]});
        let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), batch.to_string()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name:?}: {body}");
        assert!(body.contains("characters") && body.contains(code), "{name:?}: {body}");
    }
    // A text may hold line breaks and tabs, not an ESC.
    let item = |text: &str| {
        json!({"events": [{"effective": "2026-01-21", "kind": "ItemMinuted", "body": {
        "meeting": "styregruppen-2026-01-21", "item": 2, "text": text}}]})
    };
    let (status, body) =
        call(&s, "POST", "/api/events", Some(TOKEN), item("a\u{1b}]8;;http://x\u{7}b").to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(get_json(&s, "/api/head").await, head, "nothing written");
    let (status, body) =
        call(&s, "POST", "/api/events", Some(TOKEN), item("Første linje.\n\n\tAnden.").to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[test]
fn the_tokens_file_takes_comments_at_a_lines_start_and_each_token_once() {
    let t = Tokens::parse("tokens", "# the secretariat\ncecilie:abc#defghijklmnopq\n  # indented comment\n").unwrap();
    assert!(!t.is_empty());
    let err =
        Tokens::parse("tokens", "cecilie:abcdefghijklmnopqr\nmallory:abcdefghijklmnopqr").unwrap_err().to_string();
    assert!(err.contains("entry 2") && err.contains("already cecilie's"), "{err}");
    let err = Tokens::parse("tokens", "cec\u{1b}ilie:abcdefghijklmnopqr").unwrap_err().to_string();
    assert!(err.contains("U+001B"), "{err}");
}

#[tokio::test]
async fn no_request_runs_a_verify_the_pages_show_the_last_the_server_ran() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let (_, home) = call(&s, "GET", "/?lang=en", None, Body::empty()).await;
    assert!(home.contains("The record holds <strong>109</strong> events"), "{home}");
    assert!(home.contains("Not yet verified by the server."), "{home}");
    let v = get_json(&s, "/api/verify").await;
    assert_eq!((v["ok"].as_bool(), v["last"].is_null(), v["head_now"]["seq"].as_u64()), (Some(false), true, Some(109)));

    assert!(s.verify_now().ok);
    let event = json!({"events": [{"effective": "2026-02-03", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]});
    assert_eq!(call(&s, "POST", "/api/events", Some(TOKEN), event.to_string()).await.0, StatusCode::CREATED);
    // The head moved on; what was verified stays what the last verify saw.
    let (_, home) = call(&s, "GET", "/?lang=en", None, Body::empty()).await;
    assert!(home.contains("The record holds <strong>110</strong> events"), "{home}");
    assert!(home.contains("The chain verifies: <strong>109</strong> events"), "{home}");
    let v = get_json(&s, "/api/verify").await;
    assert_eq!(
        (v["ok"].as_bool(), v["count"].as_u64(), v["head_now"]["seq"].as_u64()),
        (Some(true), Some(109), Some(110)),
        "{v}"
    );
}

async fn send(s: &AppState, req: Request<Body>) -> axum::response::Response {
    app(s.clone()).oneshot(req).await.unwrap()
}

#[tokio::test]
async fn every_answer_carries_the_browser_protections_and_pages_use_no_inline_style_or_script() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    for uri in
        ["/", "/decisions", "/groups/styregruppen", "/check", "/api/head", "/api/nothing", "/nowhere", "/style.css"]
    {
        let resp = send(&s, Request::get(uri).body(Body::empty()).unwrap()).await;
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("script-src"), "{uri}: no script may run: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{uri}");
        assert_eq!(h["referrer-policy"], "same-origin", "{uri}");
        let html = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
        for inline in ["<style", "<script", " style=", " onload=", " onclick="] {
            assert!(!html.contains(inline), "{uri} has inline {inline:?}, which the policy blocks");
        }
    }
    let (status, css) = call(&s, "GET", "/style.css", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("table{"), "{css}");
}

#[tokio::test]
async fn a_read_is_tagged_by_the_head_and_revalidates_until_the_log_moves() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let get = |uri: &str, tag: Option<&str>| {
        let mut r = Request::get(uri);
        if let Some(t) = tag {
            r = r.header("if-none-match", t);
        }
        r.body(Body::empty()).unwrap()
    };
    let first = send(&s, get("/decisions", None)).await;
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    // The same tag for another page of the same head; a reader holding it gets 304.
    let api = send(&s, get("/api/head", None)).await;
    assert_eq!(api.headers()["etag"].to_str().unwrap(), tag);
    let again = send(&s, get("/decisions", Some(&tag))).await;
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.into_body().collect().await.unwrap().to_bytes().is_empty());
    let listed = send(&s, get("/decisions", Some(&format!("\"other\", W/{tag}")))).await;
    assert_eq!(listed.status(), StatusCode::NOT_MODIFIED, "a tag among several, weak or not");
    // Once the log moves, the tag does, and the page is sent again.
    let event = json!({"events": [{"effective": "2026-02-01", "kind": "PersonRegistered", "body": {"person": "ny-person", "name": "Ny Person"}}]});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let moved = send(&s, get("/decisions", Some(&tag))).await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_ne!(moved.headers()["etag"].to_str().unwrap(), tag);
    // Errors are not tagged; what says its own caching keeps it.
    let missing = send(&s, get("/groups/nowhere", None)).await;
    assert!(missing.headers().get("etag").is_none());
    let css = send(&s, get("/style.css", None)).await;
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
}

#[tokio::test]
async fn site_errors_are_pages_and_api_errors_json() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    for (uri, status, words) in [
        ("/nowhere", StatusCode::NOT_FOUND, "Siden findes ikke"),
        ("/nowhere?lang=en", StatusCode::NOT_FOUND, "There is no such page"),
        ("/audit?after=soon&lang=en", StatusCode::BAD_REQUEST, "after"),
        ("/documents/nothex", StatusCode::BAD_REQUEST, "hash"),
    ] {
        let resp = send(&s, Request::get(uri).body(Body::empty()).unwrap()).await;
        assert_eq!(resp.status(), status, "{uri}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{uri}");
        let html = String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
        assert!(html.starts_with("<!doctype html>") && html.contains(words), "{uri}: {html}");
    }
    let resp = send(&s, Request::get("/api/nothing").body(Body::empty()).unwrap()).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
}

#[tokio::test]
async fn a_bad_filter_is_an_error_that_says_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    for (uri, allowed) in [
        ("/decisions?outcome=maybe", "approved_with_reservations"),
        ("/decisions?status=sleeping&lang=en", "in_progress"),
        ("/decisions?group=nowhere", "styregruppen"),
        ("/decisions?from=yesterday", "ÅÅÅÅ-MM-DD"),
        ("/decisions?page=0&lang=en", "page number"),
        ("/api/decisions?outcome=maybe", "approved_with_reservations"),
        ("/api/decisions?status=sleeping", "in_progress"),
        ("/api/decisions?limit=5000", "at most 1000"),
        ("/api/decisions?offset=-1", "offset"),
    ] {
        let (status, body) = call(&s, "GET", uri, None, Body::empty()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert!(body.contains(allowed), "{uri} names what is allowed: {body}");
    }
    // Filters that hold narrow the register, and the form shows them chosen.
    let (status, html) = call(&s, "GET", "/decisions?group=styregruppen&q=EFTERRETNING", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<option value=\"styregruppen\" selected>"), "{html}");
    assert_eq!(html.matches("<tr id=").count(), 5, "the five taken as information, in any case: {html}");
    let (_, all) = call(&s, "GET", "/decisions?group=styregruppen", None, Body::empty()).await;
    assert_eq!(all.matches("<tr id=").count(), 11, "{all}");
    let (_, other) = call(&s, "GET", "/decisions?group=referencegruppen", None, Body::empty()).await;
    assert!(other.contains("Ingen beslutninger svarer til filtrene."), "the reference group decided nothing: {other}");
    let (_, none) = call(&s, "GET", "/decisions?q=zzqqzz&lang=en", None, Body::empty()).await;
    assert!(none.contains("No decision matches the filters."), "{none}");
}

#[tokio::test]
async fn the_register_is_paged_on_the_site_and_in_the_api_and_the_pages_are_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = protokol::Ledger::create(&dir.path().join("gen")).unwrap();
    for batch in protokol::gen::generate(3_000, 7) {
        ledger.append("gen", batch, None, "gen", now()).unwrap();
    }
    let day = chrono::NaiveDate::from_ymd_opt(2100, 1, 1).unwrap();
    let whole: Vec<String> = protokol::query::decisions(&ledger.model(), &Default::default(), day)
        .unwrap()
        .into_iter()
        .map(|d| d.id.to_string())
        .collect();
    let page_len = protokol::http::site::DECISIONS_PAGE_LEN;
    assert!(whole.len() > 2 * page_len, "enough decisions for three pages: {}", whole.len());
    let s = AppState::with_clock(ledger, Tokens::default(), std::sync::Arc::new(|| at("2100-01-01T00:00:00Z")));
    // The site: each page at most a page long, linked to the next, together the register.
    let (mut seen, mut next, mut pages) = (Vec::new(), Some("/decisions?lang=en".to_string()), 0);
    while let Some(uri) = next.take() {
        let (status, html) = call(&s, "GET", &uri, None, Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let rows: Vec<String> =
            html.split("<tr id=\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect();
        assert!(!rows.is_empty() && rows.len() <= page_len, "{uri}: {} rows", rows.len());
        seen.extend(rows);
        next = html.split("rel=\"next\" href=\"").nth(1).map(|r| r.split('"').next().unwrap().replace("&amp;", "&"));
        pages += 1;
    }
    assert_eq!(seen, whole, "the site's pages, in order, are the whole register");
    assert_eq!(pages, whole.len().div_ceil(page_len));
    // The API: pages of `limit`, each Link naming the next, with the filters kept.
    let (mut seen, mut next) = (Vec::new(), Some("/api/decisions?limit=40".to_string()));
    while let Some(uri) = next.take() {
        let resp = send(&s, Request::get(uri.as_str()).body(Body::empty()).unwrap()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        next = resp.headers().get("link").map(|l| {
            let l = l.to_str().unwrap();
            assert!(l.ends_with("; rel=\"next\"") && l.contains("limit=40"), "{l}");
            l.trim_start_matches('<').split('>').next().unwrap().to_string()
        });
        let page: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
        let ids: Vec<String> = page.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect();
        assert!(ids.len() <= 40);
        seen.extend(ids);
    }
    assert_eq!(seen, whole, "the API's pages, in order, are the whole register");
    // A page is 100 unless the query asks for another length.
    let page_len = protokol::http::api::LIST_PAGE_LEN;
    assert!(whole.len() > page_len, "more decisions than a page: {}", whole.len());
    let first = send(&s, Request::get("/api/decisions").body(Body::empty()).unwrap()).await;
    let link = first.headers().get("link").map(|l| l.to_str().unwrap().to_string());
    assert_eq!(link.as_deref(), Some(format!("</api/decisions?offset={page_len}>; rel=\"next\"").as_str()));
    let page: Value = serde_json::from_slice(&first.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert_eq!(page.as_array().unwrap().len(), page_len);
    let all = get_json(&s, "/api/decisions?limit=1000").await;
    assert_eq!(all.as_array().unwrap().len(), whole.len().min(protokol::http::PAGE_LEN_MAX));
}

async fn post_once(s: &AppState, key: &str, token: &str, body: &Value) -> (StatusCode, Option<String>, String) {
    let req = Request::post("/api/events")
        .header("authorization", format!("Bearer {token}"))
        .header("idempotency-key", key)
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = send(s, req).await;
    let replayed = resp.headers().get("idempotent-replayed").map(|v| v.to_str().unwrap().to_string());
    let status = resp.status();
    (status, replayed, String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned())
}

#[tokio::test]
async fn a_retry_under_its_idempotency_key_appends_nothing_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l");
    let tokens = format!("cecilie:{TOKEN}\nbo:other-token-for-bo-0123456789");
    let s = state(&path, &tokens);
    let batch = json!({"expect_seq": 109, "events": [{"effective": "2026-02-01", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]});
    let key = "6f1c2a0e-4d3b-4c1e-9a57-3f0b8e2d7c11";
    let (status, replayed, first) = post_once(&s, key, TOKEN, &batch).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None), "{first}");
    // The answer was lost; the client sends the same again, its expected head now stale.
    let (status, replayed, again) = post_once(&s, key, TOKEN, &batch).await;
    assert_eq!((status, replayed.as_deref()), (StatusCode::CREATED, Some("true")), "{again}");
    assert_eq!(again, first, "the first answer, again");
    assert_eq!(get_json(&s, "/api/head").await["seq"], 110, "appended once");
    // Another request under the key is refused; another client's same key is its own.
    let other = json!({"events": [{"effective": "2026-02-01", "kind": "PersonRegistered", "body": {"person": "ny", "name": "Ny"}}]});
    let (status, _, body) = post_once(&s, key, TOKEN, &other).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("idempotency_key_reused") && body.contains("seq 110 to 110"), "{body}");
    let (status, replayed, _) = post_once(&s, key, "other-token-for-bo-0123456789", &other).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, None));
    for bad in ["", "\"\"", &"k".repeat(201), "ключ"] {
        let req = Request::post("/api/events")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("idempotency-key", axum::http::HeaderValue::from_bytes(bad.as_bytes()).unwrap())
            .body(Body::from(other.to_string()))
            .unwrap();
        assert_eq!(send(&s, req).await.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
    assert_eq!(get_json(&s, "/api/head").await["seq"], 111);
    // The key is kept with the ledger: after a restart, the retry still appends nothing.
    drop(s);
    let s = AppState::new(protokol::Ledger::open(&path).unwrap(), Tokens::parse("test", &tokens).unwrap());
    let (status, replayed, again) = post_once(&s, key, TOKEN, &batch).await;
    assert_eq!((status, replayed.as_deref(), again), (StatusCode::CREATED, Some("true"), first));
    assert_eq!(get_json(&s, "/api/head").await["seq"], 111);
    assert!(s.read().unwrap().verify().is_ok(), "the keys are beside the log and the projection, not in them");
}

#[tokio::test]
async fn the_timeline_has_a_legend_ticks_the_pages_date_and_stops_where_the_ledger_does() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    let (_, html) = call(&s, "GET", "/groups/styregruppen?at=2026-01-21", None, Body::empty()).await;
    let svg = html.split("<svg").nth(1).unwrap().split("</svg>").next().unwrap();
    assert!(svg.contains("viewBox") && !svg.contains(" width=\"900\""), "scales to the screen");
    for words in ["formandskab", "medlem og andre roller", "møde (nummer)", "sidens dato", "fortsat"] {
        assert!(svg.contains(words), "the legend says {words:?}");
    }
    assert!(svg.contains("font-weight=\"bold\">2026</text>"), "a labelled tick for the year");
    assert!(svg.contains(">4</text>"), "the 4th meeting labelled");
    // The page's date, marked; the last thing the ledger knows of the group is that
    // day's meeting, so no open membership is drawn past it (not to today).
    let at_x: f64 = svg
        .split("stroke-width=\"1.5\"")
        .next()
        .unwrap()
        .rsplit("x1=\"")
        .next()
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(svg.contains("font-weight=\"bold\">2026-01-21</text>"));
    let bar_ends: Vec<f64> = svg
        .split("<rect x=\"")
        .skip(1)
        .filter(|r| r.contains("<title>"))
        .map(|r| {
            let x: f64 = r.split('"').next().unwrap().parse().unwrap();
            let w: f64 = r.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            x + w
        })
        .collect();
    assert_eq!(bar_ends.len(), 12);
    // (A bar is 2 wide at least: one that starts that day is still seen.)
    assert!(bar_ends.iter().all(|e| *e <= at_x + 2.1), "bars end at {bar_ends:?}, the date at {at_x}");
    let (_, en) = call(&s, "GET", "/groups/styregruppen?at=2026-01-21&lang=en", None, Body::empty()).await;
    assert!(en.contains("meeting (number)") && en.contains("continuing"));
}

#[tokio::test]
async fn the_actions_page_lists_the_open_first_in_pages_and_the_about_page_tells_an_auditor_how_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), "");
    let open = get_json(&s, "/api/actions?at=2026-02-01&open=true").await;
    let all = get_json(&s, "/api/actions?at=2026-02-01").await;
    let (status, html) = call(&s, "GET", "/actions?at=2026-02-01", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    let open_n = open.as_array().unwrap().len();
    let all_n = all.as_array().unwrap().len();
    assert!(html.contains(&format!("<strong>{open_n}</strong> åbne")), "{html}");
    let ids = |html: &str| -> Vec<String> {
        html.split("<tr id=\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect()
    };
    // The open, the latest agreed first.
    let mut want: Vec<&Value> = open.as_array().unwrap().iter().collect();
    want.sort_by_key(|a| std::cmp::Reverse((a["assigned"].as_str().unwrap().to_string(), a["seq"].as_u64().unwrap())));
    let want: Vec<String> = want.iter().map(|a| a["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids(&html), want[..open_n.min(protokol::http::site::ACTIONS_PAGE_LEN)]);
    // The done, on their own page: together with the open, every action.
    let (_, done) = call(&s, "GET", "/actions?at=2026-02-01&state=done", None, Body::empty()).await;
    let done_ids = ids(&done);
    assert_eq!(done_ids.len() + open_n, all_n, "{done}");
    assert!(done_ids.iter().all(|d| !want.contains(d)));
    for code in [">open<", ">overdue<", ">done<"] {
        assert!(!html.contains(code) && !done.contains(code), "a word, not the code {code}");
    }
    let (status, _) = call(&s, "GET", "/actions?state=later", None, Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = call(&s, "GET", "/actions?page=0", None, Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    for (uri, words) in [
        ("/about", ["protokol verify-proof", "Personoplysninger", "/api/proof/decision/ID"]),
        ("/about?lang=en", ["protokol verify-proof", "Personal data", "protokol consistency"]),
    ] {
        let (status, html) = call(&s, "GET", uri, None, Body::empty()).await;
        assert_eq!(status, StatusCode::OK);
        for w in words {
            assert!(html.contains(w), "{uri}: {w:?}");
        }
    }
}

/// Readers do not take the writer's lock: a page and an API read are answered while a
/// write holds the ledger (before, each waited for the write, and a write for every read
/// in progress), and a reader's view reads the log as it stood when opened, however many
/// appends land while it reads.
#[test]
fn a_read_is_answered_while_the_writer_holds_the_ledger_and_a_view_never_moves() {
    let dir = tempfile::tempdir().unwrap();
    let s = state(&dir.path().join("l"), &format!("cecilie:{TOKEN}"));
    let open_actions =
        |l: &protokol::Ledger| protokol::query::open_actions(&l.model(), now().date_naive(), 50).unwrap().count;
    let before = s.read().unwrap();
    let (head, open) = (before.head_seq(), open_actions(&before));

    let writing = s.write();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = s.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let answers = runtime.block_on(async {
            let page = call(&reader, "GET", "/actions", None, Body::empty()).await;
            let api = call(&reader, "GET", "/api/head", None, Body::empty()).await;
            (page, api)
        });
        let _ = tx.send(answers);
    });
    let ((page, _), (api, body)) = rx
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("reads are answered while the writer holds the ledger");
    assert_eq!((page, api), (StatusCode::OK, StatusCode::OK), "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["seq"], head.0);
    drop(writing);

    let done = events(
        json!([{"effective": "2026-02-01", "kind": "ActionCompleted", "body": {"action": "sg4-p7-kontakt-henrik-frederiksen"}}]),
    );
    s.write().append("test", done, None, "cecilie", now()).unwrap();
    assert_eq!(before.head_seq(), head, "a view opened before the append keeps its head");
    assert_eq!(before.head().map(|h| h.0), Some(head));
    assert_eq!(open_actions(&before), open, "and its state");
    assert!(before.records_after(head, 10).unwrap().is_empty(), "and its log");
    let after = s.read().unwrap();
    assert_eq!(after.head_seq(), head.next());
    assert_eq!(open_actions(&after), open - 1, "a view opened after it reads it");
}

/// Follows an API list's Link headers from `first`; every page holds at most `limit`.
async fn api_pages(s: &AppState, first: &str, limit: usize) -> Vec<Value> {
    let (mut seen, mut next) = (Vec::new(), Some(first.to_string()));
    while let Some(uri) = next.take() {
        let resp = send(s, Request::get(uri.as_str()).body(Body::empty()).unwrap()).await;
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        next = resp
            .headers()
            .get("link")
            .map(|l| l.to_str().unwrap().trim_start_matches('<').split('>').next().unwrap().to_string());
        let page: Value = serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
        let rows = page.as_array().unwrap();
        assert!(rows.len() <= limit && (next.is_none() || rows.len() == limit), "{uri}: {} rows", rows.len());
        seen.extend(rows.iter().cloned());
    }
    seen
}

/// `/api/actions` and `/api/groups` gave every action and every group, each group's
/// members counted, in one answer (2.5 s and 0.2 s at 1M events): they are paged now,
/// and the pages together are the whole list (every action, or every open one).
#[tokio::test]
async fn the_actions_and_the_groups_are_paged_in_the_api_and_the_pages_are_the_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = protokol::Ledger::create(&dir.path().join("gen")).unwrap();
    for batch in protokol::gen::generate(3_000, 7) {
        ledger.append("gen", batch, None, "gen", now()).unwrap();
    }
    let day = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let mut whole = protokol::query::actions(&ledger.model(), day).unwrap();
    whole.sort_by(|a, b| a.id.cmp(&b.id));
    let whole: Vec<Value> = whole.iter().map(|a| serde_json::to_value(a).unwrap()).collect();
    let open: Vec<Value> = whole.iter().filter(|a| a["state"] != "done").cloned().collect();
    assert!(
        whole.len() > 3 * 25 && open.len() > 25 && open.len() < whole.len(),
        "{} and {} open",
        whole.len(),
        open.len()
    );
    let groups: Vec<Value> = protokol::query::groups(&ledger.model(), day)
        .unwrap()
        .iter()
        .map(|g| serde_json::to_value(g).unwrap())
        .collect();
    assert!(groups.len() > 3 && groups.iter().any(|g| g["members"].as_u64() > Some(0)), "{groups:?}");
    let s = AppState::with_clock(ledger, Tokens::default(), std::sync::Arc::new(|| at("2030-01-01T00:00:00Z")));
    assert_eq!(api_pages(&s, "/api/actions?limit=25", 25).await, whole);
    assert_eq!(api_pages(&s, "/api/actions?open=true&limit=25", 25).await, open);
    assert_eq!(api_pages(&s, "/api/actions", protokol::http::api::LIST_PAGE_LEN).await, whole);
    assert_eq!(api_pages(&s, "/api/groups?limit=2", 2).await, groups);
    assert_eq!(api_pages(&s, "/api/groups", protokol::http::api::LIST_PAGE_LEN).await, groups);
    for bad in ["/api/actions?limit=1001", "/api/actions?limit=0", "/api/actions?offset=x", "/api/groups?limit=1001"] {
        let (status, body) = call(&s, "GET", bad, None, Body::empty()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}
