//! The public transparency site: server-rendered HTML that works without JavaScript,
//! Danish by default and English with `?lang=en`. Every text from the ledger goes through
//! `esc`.

use crate::event::{DecisionStatus, Outcome};
use crate::ids::{GroupId, PersonId, Seq};
use crate::minutes::{self, html_escape as esc, Lang};
use crate::query::{self, DecisionFilter, Timeline};
use crate::server::{AppState, PAGE_LEN_MAX};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use std::fmt::Write;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/groups/{group}", get(group))
        .route("/meetings/{group}/{number}", get(meeting))
        .route("/decisions", get(decisions))
        .route("/people/{person}", get(person))
        .route("/audit", get(audit))
        .route("/check", get(check_form).post(check_upload))
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    lang: Option<String>,
    at: Option<String>,
    group: Option<String>,
    outcome: Option<String>,
    status: Option<String>,
    after: Option<u64>,
}

impl Params {
    fn lang(&self) -> Lang {
        if self.lang.as_deref() == Some("en") {
            Lang::En
        } else {
            Lang::Da
        }
    }

    /// Appended to links so the language sticks.
    fn keep(&self) -> &'static str {
        if self.lang() == Lang::En {
            "lang=en"
        } else {
            "lang=da"
        }
    }
}

fn t(lang: Lang, da: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Da {
        da
    } else {
        en
    }
}

fn page(lang: Lang, title: &str, body: &str) -> Response {
    let nav = format!(
        "<nav><a href=\"/?lang={l}\">protokol</a> · <a href=\"/decisions?lang={l}\">{}</a> · <a href=\"/audit?lang={l}\">{}</a> · <a href=\"/check?lang={l}\">{}</a> · <a href=\"?lang={other}\">{}</a></nav>",
        t(lang, "Beslutninger", "Decisions"),
        t(lang, "Revision", "Audit"),
        t(lang, "Tjek et dokument", "Check a document"),
        t(lang, "English", "Dansk"),
        l = if lang == Lang::Da { "da" } else { "en" },
        other = if lang == Lang::Da { "en" } else { "da" },
    );
    Html(format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} – protokol</title>\n<style>{CSS}</style>\n</head>\n<body>\n{nav}\n<main>\n<h1>{}</h1>\n{body}</main>\n</body>\n</html>\n",
        if lang == Lang::Da { "da" } else { "en" },
        esc(title),
        esc(title),
    ))
    .into_response()
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1b1b1b}nav{margin-bottom:1rem}nav a{margin-right:.25rem}table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}.badge{display:inline-block;padding:0 .4rem;border-radius:.6rem;font-size:.85em;background:#e8e8e8}.badge.approved,.badge.implemented,.badge.conditions_met{background:#d4f4d4}.badge.approved_with_reservations,.badge.in_progress{background:#fff0c2}.badge.rejected,.badge.revoked,.badge.overdue{background:#f8d0d0}code{font-size:.85em;word-break:break-all}.err{color:#a00}";

fn error(lang: Lang, status: StatusCode, message: &str) -> Response {
    let mut r = page(lang, t(lang, "Fejl", "Error"), &format!("<p class=\"err\">{}</p>\n", esc(message)));
    *r.status_mut() = status;
    r
}

fn from_error(lang: Lang, e: crate::Error) -> Response {
    error(lang, StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), &e.to_string())
}

fn badge(kind: &str) -> String {
    format!("<span class=\"badge {}\">{}</span>", esc(kind), esc(&kind.replace('_', " ")))
}

fn snake<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

async fn home(State(s): State<AppState>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let l = s.read();
    let today = Utc::now().date_naive();
    let m = &l.model();
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        t(lang, "Grupper", "Groups"),
        t(lang, "Gruppe", "Group"),
        t(lang, "Type", "Kind"),
        t(lang, "Medlemmer i dag", "Members today")
    );
    let groups = match query::groups(m, today) {
        Ok(g) => g,
        Err(e) => return from_error(lang, e),
    };
    for g in groups {
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/groups/{}?{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            esc(g.id.as_str()),
            p.keep(),
            esc(&g.name),
            esc(&snake(&g.group_kind)),
            g.members
        );
    }
    body += "</table>\n";
    let verified = match l.verify() {
        Ok(v) => format!(
            "<p>{} <strong>{}</strong> {}, head <code>{}</code></p>\n",
            t(lang, "Kæden er verificeret:", "The chain verifies:"),
            v.count,
            t(lang, "hændelser", "events"),
            v.head
        ),
        Err(e) => format!(
            "<p class=\"err\">{}: {}</p>\n",
            t(lang, "Verifikation fejlede", "Verification failed"),
            esc(&e.to_string())
        ),
    };
    body += &format!("<h2>{}</h2>\n{verified}", t(lang, "Ledgeren", "The ledger"));
    page(lang, t(lang, "Protokol", "Record"), &body)
}

/// The membership timeline as SVG: one bar per person and role across time, meetings as
/// vertical marks. Drawn from `start` of the first interval to `until`.
fn timeline_svg(tl: &Timeline, until: NaiveDate) -> String {
    let Some(first) = tl.intervals.iter().map(|i| i.start).chain(tl.meetings.iter().map(|m| m.2)).min() else {
        return String::new();
    };
    let last = until.max(tl.meetings.iter().map(|m| m.2).max().unwrap_or(until));
    let span_days = ((last - first).num_days().max(1) + 14) as f64;
    let (label_w, width, row_h) = (260.0, 900.0, 18.0);
    let x = |d: NaiveDate| label_w + (d - first).num_days() as f64 / span_days * (width - label_w - 10.0);
    let height = row_h * (tl.intervals.len() as f64 + 2.0);
    let mut svg = format!("<svg role=\"img\" aria-label=\"timeline\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n");
    for (i, iv) in tl.intervals.iter().enumerate() {
        let y = row_h * (i as f64 + 1.0);
        let end = iv.end.unwrap_or(last);
        let colour = if iv.chair { "#b5651d" } else { "#4a7ab5" };
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{:.0}\">{} ({})</text><rect x=\"{:.1}\" y=\"{:.0}\" width=\"{:.1}\" height=\"{:.0}\" fill=\"{colour}\"><title>{} {} – {}</title></rect>",
            y + 12.0,
            esc(&iv.name),
            esc(&snake(&iv.role)),
            x(iv.start),
            y + 2.0,
            (x(end) - x(iv.start)).max(2.0),
            row_h - 4.0,
            esc(&iv.name),
            iv.start,
            iv.end.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    for (id, number, d) in &tl.meetings {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#c00\" stroke-dasharray=\"3,2\"><title>{3} {4}</title></line>",
            x(*d),
            row_h * 0.5,
            height - row_h * 0.5,
            esc(id.as_str()),
            d
        );
        let _ = number;
    }
    let _ = writeln!(svg, "<text x=\"{label_w}\" y=\"{:.0}\">{first}</text><text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{last}</text>", height - 2.0, width - 10.0, height - 2.0);
    svg + "</svg>\n"
}

async fn group(State(s): State<AppState>, Path(g): Path<String>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let Ok(gid) = GroupId::try_from(g) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt gruppe-id", "Invalid group id"));
    };
    let day = match p.at.as_deref().map(str::parse::<NaiveDate>) {
        None => Utc::now().date_naive(),
        Some(Ok(d)) => d,
        Some(Err(_)) => return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldig dato", "Invalid date")),
    };
    let l = s.read();
    let m = &l.model();
    let c = match query::composition(m, &gid, day) {
        Ok(c) => c,
        Err(e) => return from_error(lang, e),
    };
    let mut body = format!(
        "<form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"{}\"><label>{} <input type=\"date\" id=\"at\" name=\"at\" value=\"{day}\"></label> <button type=\"submit\">{}</button></form>\n",
        if lang == Lang::Da { "da" } else { "en" },
        t(lang, "Sammensætning den", "Composition on"),
        t(lang, "Vis", "Show")
    );
    let _ = writeln!(
        body,
        "<h2>{} {day}: {}</h2>\n<table id=\"members\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        t(lang, "Medlemmer", "Members"),
        c.members.len(),
        t(lang, "Navn", "Name"),
        t(lang, "Rolle", "Role"),
        t(lang, "For", "On behalf of"),
        t(lang, "Siden", "Since")
    );
    for x in &c.members {
        let chair = if x.chair { format!(" ({})", t(lang, "formandskab", "chair")) } else { String::new() };
        let _ = writeln!(
            body,
            "<tr class=\"member\"><td><a href=\"/people/{}?{}\">{}</a>{chair}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(x.person.as_str()),
            p.keep(),
            esc(&x.name),
            esc(&snake(&x.role)),
            esc(x.organisation.as_deref().unwrap_or("")),
            x.start
        );
    }
    body += "</table>\n";
    if !c.nominations.is_empty() {
        let _ = writeln!(
            body,
            "<h3>{}</h3>\n<ul>",
            t(lang, "Indstillet, endnu ikke udpeget", "Nominated, not yet appointed")
        );
        for n in &c.nominations {
            let _ = writeln!(body, "<li>{} ({})</li>", esc(&n.name), n.date);
        }
        body += "</ul>\n";
    }
    if let Ok(tl) = query::timeline(m, &gid) {
        let _ = writeln!(body, "<h2>{}</h2>", t(lang, "Tidslinje", "Timeline"));
        body += &timeline_svg(&tl, Utc::now().date_naive());
        let _ = writeln!(body, "<h2>{}</h2>\n<ul>", t(lang, "Møder", "Meetings"));
        for (id, number, d) in &tl.meetings {
            if let Some(n) = number {
                let _ = writeln!(
                    body,
                    "<li><a href=\"/meetings/{}/{n}?{}\">{} {n}</a>, {d}</li>",
                    esc(gid.as_str()),
                    p.keep(),
                    t(lang, "Møde", "Meeting")
                );
            } else {
                let _ = writeln!(body, "<li>{}, {d}</li>", esc(id.as_str()));
            }
        }
        body += "</ul>\n";
    }
    page(lang, &c.name, &body)
}

async fn meeting(State(s): State<AppState>, Path((g, n)): Path<(String, String)>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let (Ok(gid), Ok(number)) = (GroupId::try_from(g), n.parse::<u32>()) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt møde", "Invalid meeting"));
    };
    let l = s.read();
    let m = &l.model();
    let record = match query::find_meeting(m, &gid, number)
        .and_then(|(_, mt)| query::meeting_record(m, &gid, number, mt.date()))
    {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = minutes::html_fragment(m, &record, lang);
    let _ = writeln!(body, "<h2>{}</h2>\n<ul>", t(lang, "Beslutninger i registret", "Decisions in the register"));
    for item in &record.agenda {
        if let Some(d) = &item.decision {
            let _ = writeln!(
                body,
                "<li><a href=\"/decisions?group={}&{}#{}\">{}</a> {}</li>",
                esc(gid.as_str()),
                p.keep(),
                esc(d.id.as_str()),
                esc(d.id.as_str()),
                badge(&snake(&d.outcome))
            );
        }
    }
    body += "</ul>\n";
    page(lang, record.title.as_deref().unwrap_or(&record.group_name), &body)
}

async fn decisions(State(s): State<AppState>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let parse = |v: &Option<String>| v.as_ref().filter(|x| !x.is_empty()).map(|x| serde_json::Value::String(x.clone()));
    let filter = DecisionFilter {
        group: p.group.as_ref().filter(|x| !x.is_empty()).and_then(|g| GroupId::try_from(g.as_str()).ok()),
        outcome: parse(&p.outcome).and_then(|v| serde_json::from_value::<Outcome>(v).ok()),
        status: parse(&p.status).and_then(|v| serde_json::from_value::<DecisionStatus>(v).ok()),
        ..Default::default()
    };
    let l = s.read();
    let rows = match query::decisions(&l.model(), &filter, Utc::now().date_naive()) {
        Ok(rows) => rows,
        Err(e) => return from_error(lang, e),
    };
    let options = |name: &str, values: &[&str], chosen: &Option<String>| {
        let mut s = format!("<select name=\"{name}\"><option value=\"\">–</option>");
        for v in values {
            let sel = if chosen.as_deref() == Some(*v) { " selected" } else { "" };
            s += &format!("<option value=\"{v}\"{sel}>{}</option>", v.replace('_', " "));
        }
        s + "</select>"
    };
    let mut body = format!(
        "<form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"{}\">{} {} <button type=\"submit\">{}</button></form>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        if lang == Lang::Da { "da" } else { "en" },
        options("outcome", &["noted", "approved", "approved_with_reservations", "decided", "discussed", "rejected", "postponed"], &p.outcome),
        options("status", &["recorded", "conditions_met", "in_progress", "implemented", "superseded", "revoked"], &p.status),
        t(lang, "Filtrér", "Filter"),
        t(lang, "Dato", "Date"),
        t(lang, "Møde", "Meeting"),
        t(lang, "Beslutning", "Decision"),
        t(lang, "Udfald", "Outcome"),
        t(lang, "Status", "Status"),
    );
    for d in &rows {
        let conditions: String = d
            .conditions
            .iter()
            .map(|c| format!("<br><em>{}:</em> {}", t(lang, "Forbehold", "Reservation"), esc(c)))
            .collect();
        let _ = writeln!(
            body,
            "<tr id=\"{}\"><td>{}</td><td><a href=\"/meetings/{}/{}?{}\">{} {}</a>, {} {}</td><td>{}{conditions}</td><td>{}</td><td>{}</td></tr>",
            esc(d.id.as_str()),
            d.date,
            esc(d.group.as_str()),
            d.meeting_number.unwrap_or(0),
            p.keep(),
            esc(d.group.as_str()),
            d.meeting_number.map(|n| n.to_string()).unwrap_or_default(),
            t(lang, "punkt", "item"),
            d.item,
            esc(&d.text),
            badge(&snake(&d.outcome)),
            badge(&snake(&d.status)),
        );
    }
    body += "</table>\n";
    page(lang, t(lang, "Beslutningsregister", "Decision register"), &body)
}

async fn person(State(s): State<AppState>, Path(pid): Path<String>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let Ok(pid) = PersonId::try_from(pid) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt person-id", "Invalid person id"));
    };
    let l = s.read();
    let h = match query::person_history(&l.model(), &pid) {
        Ok(h) => h,
        Err(e) => return from_error(lang, e),
    };
    let mut body = format!(
        "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t(lang, "Gruppe", "Group"),
        t(lang, "Rolle", "Role"),
        t(lang, "Fra", "From"),
        t(lang, "Til", "Until")
    );
    for i in &h.memberships {
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/groups/{}?{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(i.group.as_str()),
            p.keep(),
            esc(i.group.as_str()),
            esc(&snake(&i.role)),
            i.start,
            i.end.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    body += "</table>\n";
    if !h.attendance.is_empty() {
        let _ = writeln!(body, "<h2>{}</h2>\n<ul>", t(lang, "Møder", "Meetings"));
        for a in &h.attendance {
            let _ = writeln!(
                body,
                "<li>{} {} {}: {}</li>",
                a.date,
                esc(a.group.as_str()),
                a.number.map(|n| n.to_string()).unwrap_or_default(),
                esc(&snake(&a.presence))
            );
        }
        body += "</ul>\n";
    }
    page(lang, &h.name, &body)
}

async fn audit(State(s): State<AppState>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let l = s.read();
    let after = Seq(p.after.unwrap_or(0));
    let records = match l.records_after(after, 100.min(PAGE_LEN_MAX)) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = String::from("<table>\n<tr><th>seq</th><th>recorded_at</th><th>effective</th><th>recorded_by</th><th>kind</th><th>hash</th></tr>\n");
    for r in &records {
        let h = &r.header;
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            h.seq,
            h.recorded_at,
            h.effective,
            esc(&h.recorded_by),
            esc(&h.kind),
            r.hash
        );
    }
    body += "</table>\n";
    if let Some(last) = records.last() {
        let _ = writeln!(
            body,
            "<p><a href=\"/audit?after={}&{}\">{}</a></p>",
            last.seq(),
            p.keep(),
            t(lang, "Næste side", "Next page")
        );
    }
    let _ = writeln!(body, "<p><a href=\"/api/events\">/api/events</a> · <a href=\"/api/verify\">/api/verify</a></p>");
    page(lang, t(lang, "Revisionsspor", "Audit trail"), &body)
}

fn check_page(lang: Lang, result: &str) -> Response {
    let body = format!(
        "<p>{}</p>\n<form method=\"post\" enctype=\"multipart/form-data\" action=\"/check?lang={}\"><input type=\"file\" id=\"document\" name=\"document\"> <button type=\"submit\" id=\"check\">{}</button></form>\n{result}",
        t(lang, "Vælg et dokument (PDF, Word, tekst) for at se, om det er et godkendt referat i protokollen.", "Choose a document (PDF, Word, text) to see whether it is approved minutes in the record."),
        if lang == Lang::Da { "da" } else { "en" },
        t(lang, "Tjek", "Check"),
    );
    page(lang, t(lang, "Tjek et dokument", "Check a document"), &body)
}

async fn check_form(Query(p): Query<Params>) -> Response {
    check_page(p.lang(), "")
}

async fn check_upload(State(s): State<AppState>, Query(p): Query<Params>, mut form: Multipart) -> Response {
    let lang = p.lang();
    let mut bytes = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("document") => match field.bytes().await {
                Ok(b) => bytes = Some(b),
                Err(e) => return error(lang, e.status(), &e.body_text()),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return error(lang, e.status(), &e.body_text()),
        }
    }
    let Some(bytes) = bytes else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Intet dokument", "No document"));
    };
    let l = s.read();
    let found = match minutes::find_approved(&l.model(), &bytes) {
        Ok(found) => found,
        Err(e) => return from_error(lang, e),
    };
    let hash = crate::hash::document_hash(&bytes);
    let result = if found.is_empty() {
        format!(
            "<p id=\"result\" class=\"err\">{} <code>{hash}</code></p>\n",
            t(
                lang,
                "Dokumentet svarer ikke til noget godkendt referat i protokollen.",
                "The document matches no approved minutes in the record."
            )
        )
    } else {
        let mut s = format!(
            "<div id=\"result\"><p>{} <code>{hash}</code>:</p>\n<ul>\n",
            t(lang, "Dokumentet er godkendt referat", "The document is approved minutes")
        );
        for a in &found {
            let _ = writeln!(
                s,
                "<li><a href=\"/meetings/{}/{}\">{} {}</a>, {} {}, {} {} (seq {})</li>",
                esc(a.group.as_str()),
                a.number.unwrap_or(0),
                esc(a.group.as_str()),
                a.number.map(|n| n.to_string()).unwrap_or_default(),
                t(lang, "holdt", "held"),
                a.held,
                t(lang, "godkendt", "approved"),
                a.approved,
                a.seq
            );
        }
        s + "</ul></div>\n"
    };
    check_page(lang, &result)
}
