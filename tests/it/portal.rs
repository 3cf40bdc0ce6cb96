//! The site as a portal: the home page says what the body is and what is next, the
//! indexes of meetings, people and organisations, and the feeds other programs follow.

use crate::common::*;
use crate::server::{call, get_json, TOKEN};
use axum::body::Body;
use axum::http::StatusCode;
use protokol::http::{AppState, Tokens};
use serde_json::{json, Value};
use std::sync::Arc;

/// The seeded record, served as on 1 February 2026: between the steering group's 4th
/// meeting and the one it scheduled for 29 April.
fn on_1_february(dir: &std::path::Path) -> AppState {
    let clock = Arc::new(|| at("2026-02-01T12:00:00Z"));
    AppState::with_clock(seeded(dir), Tokens::parse("test", &format!("cecilie:{TOKEN}")).unwrap(), clock)
}

async fn page(s: &AppState, uri: &str) -> String {
    let (status, body) = call(s, "GET", uri, None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    body
}

fn ids_in(html: &str, list: &str) -> Vec<String> {
    let list = html.split(&format!("<ul id=\"{list}\">")).nth(1).unwrap_or_else(|| panic!("no {list}: {html}"));
    let list = list.split("</ul>").next().unwrap();
    list.split("<li>").skip(1).map(|li| li.split('#').nth(1).unwrap().split('"').next().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_home_page_names_the_body_and_shows_its_next_meetings_latest_decisions_and_open_actions() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_1_february(&dir.path().join("l"));
    let html = page(&s, "/").await;
    assert!(html.contains("<h1>Styregruppen for ATMP Danmark</h1>"), "the body at the top names the page");
    let next = html.split("<ul id=\"next-meetings\">").nth(1).expect("next meetings").split("</ul>").next().unwrap();
    assert!(next.contains("2026-04-29") && next.contains("/meetings/styregruppen/styregruppen-2026-04-29"), "{next}");
    assert!(!next.contains("2026-01-21"), "a meeting held is not a next one");
    // The latest decisions are the register's last, the latest first.
    let register = get_json(&s, "/api/decisions?at=2026-02-01").await;
    let mut want: Vec<&str> = register.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    want.reverse();
    want.truncate(protokol::http::site::HOME_ROWS);
    assert_eq!(ids_in(&html, "latest-decisions"), want);
    let open = get_json(&s, "/api/actions?at=2026-02-01&open=true").await;
    let open_n = open.as_array().unwrap().len();
    assert!(html.contains(&format!("<h2>Åbne opgaver: {open_n}</h2>")), "{html}");
    let shown = ids_in(&html, "open-actions");
    assert_eq!(shown.len(), open_n.min(protokol::http::site::HOME_ROWS));
    assert!(shown.iter().all(|id| open.as_array().unwrap().iter().any(|a| a["id"] == id.as_str())), "{shown:?}");
    for code in [">approved<", ">decided<", ">open<", ">overdue<"] {
        assert!(!html.contains(code), "a word, not the code {code}");
    }
    let en = page(&s, "/?lang=en").await;
    assert!(en.contains("Next meetings") && en.contains("Latest decisions") && en.contains("Open actions"));
}

#[tokio::test]
async fn the_meetings_page_lists_what_is_to_come_then_every_meeting_the_latest_first_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_1_february(&dir.path().join("l"));
    let html = page(&s, "/meetings").await;
    let upcoming = html.split("<ul id=\"upcoming\">").nth(1).unwrap().split("</ul>").next().unwrap();
    assert_eq!(upcoming.matches("<li>").count(), 1, "{upcoming}");
    assert!(upcoming.contains("2026-04-29"));
    assert!(html.contains("href=\"/meetings/styregruppen/4?lang=da\">Møde 4</a></td><td>2026-01-21</td><td>Amgros, Dampfærgevej 27-29, 2100 København Ø</td><td>afholdt</td>"), "{html}");
    assert!(html.contains("<td><a href=\"/groups/referencegruppen?lang=da\">Referencegruppen for ATMP Danmark</a></td><td><a href=\"/meetings/referencegruppen/1?lang=da\">"), "every group's meetings");
    assert!(html.contains("<td>2026-04-29</td><td></td><td>planlagt</td>"));
    // Scheduled once, in the past, and never recorded as held: said so, not "scheduled".
    assert!(html.contains("<td>2025-06-17</td><td></td><td>ikke registreret som afholdt</td>"), "{html}");
    // The latest first, and every meeting the ledger has.
    let days: Vec<&str> = html
        .split("<table class=\"meetings\">")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap()
        .split("</a></td><td>")
        .skip(1)
        .filter(|r| r.starts_with("20"))
        .map(|r| &r[..10])
        .collect();
    let mut sorted = days.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(days, sorted);
    let m = s.read().unwrap().model();
    assert_eq!(days.len(), protokol::query::meetings(&m).unwrap().len());
    drop(m);
    // Pages of MEETINGS_PAGE_LEN: a group with more meetings than one page holds.
    let many: Vec<Value> = (0..protokol::http::site::MEETINGS_PAGE_LEN + 3)
        .map(|i| {
            let day = chrono::NaiveDate::from_ymd_opt(2025, 5, 3).unwrap() + chrono::Days::new(i as u64);
            json!({"effective": "2025-05-03", "kind": "MeetingScheduled", "body": {"meeting": format!("x-{i:03}"), "group": "referencegruppen", "meeting_kind": "extraordinary", "starts_at": day.to_string()}})
        })
        .collect();
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), json!({"events": many}).to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let first = page(&s, "/meetings").await;
    assert!(first.contains("rel=\"next\" href=\"/meetings?lang=da&amp;page=2\""), "a link to the next page");
    let second = page(&s, "/meetings?page=2").await;
    assert!(second.contains("x-000") && !second.contains("id=\"upcoming\""), "the earliest, on the last page");
    assert!(!first.contains("x-000"));
}

#[tokio::test]
async fn the_calendar_is_rfc_5545_with_one_event_a_meeting_and_the_same_for_the_same_head() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_1_february(&dir.path().join("l"));
    let (status, ics) = call(&s, "GET", "/meetings.ics", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"), "{ics}");
    assert!(ics.split("\r\n").all(|line| line.len() <= 75), "lines folded at 75 octets");
    let events: Vec<&str> = ics.split("BEGIN:VEVENT").skip(1).collect();
    // Every meeting of the year before the day and after it (here, every meeting).
    let listed = protokol::query::meetings(&s.read().unwrap().model()).unwrap().len();
    assert_eq!(events.len(), listed, "one event a meeting");
    let mut uids: Vec<&str> =
        events.iter().map(|e| e.split("UID:").nth(1).unwrap().split("\r\n").next().unwrap()).collect();
    uids.sort();
    uids.dedup();
    assert_eq!(uids.len(), events.len(), "a UID each");
    let next = events.iter().find(|e| e.contains("DTSTART:20260429T110000Z")).expect("29 April, 13.00 Danish time");
    assert!(next.contains("DTEND:20260429T130000Z"), "{next}");
    let held = events.iter().find(|e| e.contains("DTSTART:20260121T130000Z")).unwrap();
    assert!(
        held.replace("\r\n ", "").contains("LOCATION:Amgros\\nDampfærgevej 27-29"),
        "a place's lines escaped: {held}"
    );
    assert_eq!(call(&s, "GET", "/meetings.ics", None, Body::empty()).await.1, ics, "nothing but the log in it");
}

#[tokio::test]
async fn the_decisions_feed_is_atom_with_the_latest_first_and_escapes_what_it_quotes() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_1_february(&dir.path().join("l"));
    let (_, before) = call(&s, "GET", "/decisions.atom", None, Body::empty()).await;
    let feed: atom_syndication::Feed = before.parse().unwrap_or_else(|e| panic!("{e}: {before}"));
    let register = get_json(&s, "/api/decisions?at=2026-02-01").await;
    let n = register.as_array().unwrap().len();
    assert_eq!(feed.entries().len(), n.min(protokol::http::site::FEED_DECISIONS_MAX));
    let last = register.as_array().unwrap().last().unwrap()["id"].as_str().unwrap().to_string();
    assert!(feed.entries()[0].id().ends_with(&format!(":decision:{last}")), "{}", feed.entries()[0].id());
    // A decision quoting markup: the feed still parses, and says it as text.
    let evil: Value = json!({"events": [
        {"effective": "2026-01-30", "kind": "MeetingHeld", "body": {"meeting": "skriftlig-1", "group": "styregruppen", "meeting_kind": "written_procedure", "starts_at": "2026-01-30"}},
        {"effective": "2026-01-30", "kind": "AgendaSet", "body": {"meeting": "skriftlig-1", "items": [{"number": 1, "title": "Budget <b>"}]}},
        {"effective": "2026-01-30", "kind": "DecisionRecorded", "body": {"decision": "wp-1", "meeting": "skriftlig-1", "item": 1, "outcome": "approved", "text": "Godkendt </content><script>x</script> & mere"}}]});
    let (status, body) = call(&s, "POST", "/api/events", Some(TOKEN), evil.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (_, after) = call(&s, "GET", "/decisions.atom", None, Body::empty()).await;
    assert!(!after.contains("<script>"), "{after}");
    let feed: atom_syndication::Feed = after.parse().unwrap();
    let wp = feed.entries().iter().find(|e| e.id().ends_with(":decision:wp-1")).expect("the new decision");
    assert!(wp.content().unwrap().value().unwrap().contains("</content><script>x</script> & mere"));
    assert_eq!(wp.title().as_str(), "2026-01-30: Budget <b>");
}

#[tokio::test]
async fn the_people_and_organisations_indexes_list_everyone_with_their_groups_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let s = on_1_february(&dir.path().join("l"));
    let html = page(&s, "/people").await;
    let rows: Vec<&str> = html.split("<tr><td><a href=\"/people/").skip(1).collect();
    let erik = rows.iter().find(|r| r.starts_with("erik-jylling?")).expect("Erik Jylling");
    assert!(erik.contains("href=\"/groups/styregruppen?lang=da\""), "{erik}");
    // In id order, which a page is read in: for ids made from names, the names' order.
    let ids: Vec<&str> = rows.iter().map(|r| r.split('?').next().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "by id");
    assert!(!html.contains("rel=\"next\""), "the record's people fit on one page");
    // Before the steering group existed, nobody sat on it.
    let early = page(&s, "/people?at=2000-01-01").await;
    assert!(!early.contains("href=\"/groups/styregruppen"), "no groups on a day before them");
    let orgs = page(&s, "/organisations").await;
    let amgros = orgs.split("<tr id=\"amgros\">").nth(1).expect("Amgros").split("</tr>").next().unwrap();
    assert!(amgros.contains("href=\"/people/"), "Amgros's people: {amgros}");
    let (status, _) = call(&s, "GET", "/people?at=soon", None, Body::empty()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_meetings_agenda_links_to_its_items_and_the_register_and_search_link_to_the_item() {
    use protokol::minutes::{render_meeting, Format, Lang};
    let dir = tempfile::tempdir().unwrap();
    let s = on_1_february(&dir.path().join("l"));
    let html = page(&s, "/meetings/styregruppen/4").await;
    let agenda = html.split("<ol>").nth(1).expect("the agenda").split("</ol>").next().unwrap();
    let entries = agenda.matches("<li value=").count();
    assert!(entries >= 10, "{agenda}");
    for n in 1..=entries {
        assert!(agenda.contains(&format!("<a href=\"#item-{n}\">")), "agenda entry {n} links: {agenda}");
        assert!(html.contains(&format!("<h2 id=\"item-{n}\">{n}. ")), "item {n} has its anchor");
    }
    // The minutes as written and approved are the bytes they were: no links, no anchors.
    let written = {
        let l = s.read().unwrap();
        render_meeting(&l.model(), &"styregruppen".parse().unwrap(), &4.into(), Lang::Da, Format::Html).unwrap()
    };
    assert!(!written.contains("item-"), "{written}");
    let register = page(&s, "/decisions?group=styregruppen").await;
    assert!(
        register.contains("href=\"/meetings/styregruppen/4?lang=da#item-8\">styregruppen 4, punkt 8</a>"),
        "{register}"
    );
}

/// `/people` listed everyone, each with every membership scanned (0.4-0.6 s at 1M
/// events): it is paged now, and the pages together are everyone, each with the groups
/// they sat on that day.
#[tokio::test]
async fn the_people_index_is_paged_and_the_pages_are_everyone() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = protokol::Ledger::create(&dir.path().join("gen")).unwrap();
    for batch in protokol::gen::generate(3_000, 7) {
        ledger.append("gen", batch, None, "gen", now()).unwrap();
    }
    let day = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    let m = ledger.model();
    let everyone: Vec<String> = m.people().unwrap().into_iter().map(|(id, _)| id.to_string()).collect();
    let page_len = protokol::http::site::PEOPLE_PAGE_LEN;
    assert!(everyone.len() > page_len, "enough people for two pages: {}", everyone.len());
    let mut sits: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
    for x in m.memberships().unwrap().into_iter().filter(|x| x.covers(day)) {
        sits.entry(x.person.to_string()).or_default().insert(x.group.to_string());
    }
    drop(m);
    let s = AppState::with_clock(ledger, Tokens::default(), Arc::new(|| at("2030-01-01T00:00:00Z")));
    let (mut seen, mut next, mut seated) = (Vec::new(), Some("/people?lang=en".to_string()), 0);
    while let Some(uri) = next.take() {
        let html = page(&s, &uri).await;
        let rows: Vec<&str> = html.split("<tr><td><a href=\"/people/").skip(1).collect();
        assert!(!rows.is_empty() && rows.len() <= page_len, "{uri}: {} rows", rows.len());
        for r in rows {
            let id = r.split('?').next().unwrap().to_string();
            let groups: std::collections::BTreeSet<String> =
                r.split("href=\"/groups/").skip(1).map(|g| g.split('?').next().unwrap().to_string()).collect();
            assert_eq!(groups, sits.get(&id).cloned().unwrap_or_default(), "{id}'s groups on the day");
            seated += usize::from(!groups.is_empty());
            seen.push(id);
        }
        next = html.split("rel=\"next\" href=\"").nth(1).map(|r| r.split('"').next().unwrap().replace("&amp;", "&"));
    }
    assert_eq!(seen, everyone, "the pages, in order, are everyone");
    assert!(seated > 0, "some sit on a group that day");
}

/// What the organisations' pages of `n` say on `day`, against the whole record read the
/// slow way: each organisation's people that day and who sits for it, by name, every
/// organisation once. Returns how many were affiliated and how many sat for one.
fn check_organisation_pages(m: &protokol::model::Model, day: chrono::NaiveDate, n: usize) -> (usize, usize) {
    use std::collections::{BTreeMap, BTreeSet};
    let mut affiliated: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (id, p) in m.people().unwrap() {
        if let Some(o) = p.affiliation_on(day) {
            affiliated.entry(o.to_string()).or_default().insert(id.to_string());
        }
    }
    let mut sitting: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for x in m.memberships().unwrap().into_iter().filter(|x| x.covers(day)) {
        if let Some(o) = &x.on_behalf_of {
            sitting.entry(o.to_string()).or_default().insert(x.person.to_string());
        }
    }
    let ids = |xs: &[protokol::query::Member]| xs.iter().map(|x| x.person.to_string()).collect::<BTreeSet<_>>();
    let (mut seen, mut skip) = (Vec::new(), 0);
    loop {
        let (rows, more) = protokol::query::organisations_page(m, day, skip, n).unwrap();
        assert!(rows.len() == n || !more, "a page is full unless it is the last");
        for r in &rows {
            let id = r.organisation.to_string();
            assert_eq!(ids(&r.people), affiliated.get(&id).cloned().unwrap_or_default(), "{id}'s people");
            assert_eq!(ids(&r.represented_by), sitting.get(&id).cloned().unwrap_or_default(), "who sits for {id}");
            seen.push(r.name.to_lowercase());
        }
        skip += rows.len();
        if !more {
            break;
        }
    }
    assert_eq!(seen.len(), m.organisations().unwrap().len(), "the pages are every organisation, each once");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "by name");
    (affiliated.values().map(BTreeSet::len).sum(), sitting.values().map(BTreeSet::len).sum())
}

/// `/organisations` read every person and every membership (0.4 s at 1M events): a page
/// now reads only its organisations' people and memberships, through the indexes of who
/// was ever affiliated with each and sat for it, and says what the whole record does.
#[tokio::test]
async fn the_organisations_index_is_paged_and_each_lists_its_people_on_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut ledger = protokol::Ledger::create(&dir.path().join("gen")).unwrap();
    for batch in protokol::gen::generate(3_000, 11) {
        ledger.append("gen", batch, None, "gen", now()).unwrap();
    }
    let day = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    assert!(ledger.model().organisations().unwrap().len() > 8, "enough organisations for pages of 4");
    let (affiliated, _) = check_organisation_pages(&ledger.model(), day, 4);
    assert!(affiliated > 0);
    // The ATMP Danmark record, whose representatives sit for their organisations.
    let s = on_1_february(&dir.path().join("l"));
    let (affiliated, sitting) = check_organisation_pages(&s.read().unwrap().model(), now().date_naive(), 3);
    assert!(affiliated > 0 && sitting > 0, "{affiliated} affiliated, {sitting} sitting for one");
    let html = page(&s, "/organisations").await;
    let rows = html.matches("<tr id=\"").count();
    let orgs = s.read().unwrap().model().organisations().unwrap().len();
    assert_eq!(rows, orgs.min(protokol::http::site::ORGANISATIONS_PAGE_LEN), "the site's first page");
}
