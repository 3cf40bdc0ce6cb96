//! The registers: decisions with filters, and the audit trail with hashes.

use super::*;
use crate::event::{from_name, name_of, DecisionStatus, Outcome};
use crate::ids::{GroupId, Seq};
use crate::minutes::Label;
use crate::query::{self, DecisionFilter};
use axum::extract::{Query, State};
use std::fmt::Write;

pub(super) async fn decisions(State(s): State<AppState>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let given = |v: &Option<String>| v.clone().filter(|x| !x.is_empty());
    let filter = DecisionFilter {
        group: given(&p.group).and_then(|g| GroupId::try_from(g).ok()),
        outcome: given(&p.outcome).and_then(|v| from_name::<Outcome>("outcome", &v).ok()),
        status: given(&p.status).and_then(|v| from_name::<DecisionStatus>("status", &v).ok()),
        ..Default::default()
    };
    let l = s.read();
    let rows = match query::decisions(&l.model(), &filter, s.today()) {
        Ok(rows) => rows,
        Err(e) => return from_error(lang, e),
    };
    let options = |name: &str, values: &[(String, &str)], chosen: &Option<String>| {
        let mut s = format!("<select name=\"{name}\"><option value=\"\">–</option>");
        for (v, word) in values {
            let sel = if chosen.as_deref() == Some(v.as_str()) { " selected" } else { "" };
            s += &format!("<option value=\"{v}\"{sel}>{}</option>", esc(word));
        }
        s + "</select>"
    };
    let mut body = format!(
        "<form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"{}\">{} {} <button type=\"submit\">{}</button></form>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        if lang == Lang::Da { "da" } else { "en" },
        options("outcome", &Outcome::ALL.map(|o| (name_of(&o), o.label(lang))), &p.outcome),
        options("status", &DecisionStatus::ALL.map(|s| (name_of(&s), s.label(lang))), &p.status),
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
            esc(&query::meeting_ref(&d.meeting, d.meeting_number, d.meeting_kind).to_string()),
            p.keep(),
            esc(d.group.as_str()),
            d.meeting_number.map(|n| n.to_string()).unwrap_or_default(),
            t(lang, "punkt", "item"),
            d.item,
            esc(&d.text),
            badge(&name_of(&d.outcome), d.outcome.label(lang)),
            badge(&name_of(&d.status), d.status.label(lang)),
        );
    }
    body += "</table>\n";
    page(lang, t(lang, "Beslutningsregister", "Decision register"), &body)
}

pub(super) async fn audit(State(s): State<AppState>, Query(p): Query<Params>) -> Response {
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
        // An erased body is said to be so, and by which seq (whose row says why).
        let erased = r.erased_by.map_or(String::new(), |by| {
            format!(" ({} {by})", t(lang, "indholdet slettet ved seq", "body erased by seq"))
        });
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{erased}</td><td><code>{}</code></td></tr>",
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

/// A search box and its hits, each linking to where it is read.
pub(super) async fn search(State(s): State<AppState>, Query(p): Query<Params>) -> Response {
    let lang = p.lang();
    let q = p.q.clone().unwrap_or_default();
    let mut body = format!(
        "<form method=\"get\"><input type=\"hidden\" name=\"lang\" value=\"{}\"><input type=\"search\" name=\"q\" value=\"{}\" aria-label=\"{}\"> <button type=\"submit\">{}</button></form>\n",
        if lang == Lang::Da { "da" } else { "en" },
        esc(&q),
        t(lang, "Søg i protokollen", "Search the record"),
        t(lang, "Søg", "Search"),
    );
    if !q.trim().is_empty() {
        let l = s.read();
        let hits = match query::search(&l.model(), &q, s.today()) {
            Ok(h) => h,
            Err(e) => return from_error(lang, e),
        };
        let _ = writeln!(body, "<p>{} {}</p>\n<ul>", hits.len(), t(lang, "fund", "hits"));
        for h in &hits {
            let snippet: String = h.text.chars().take(200).collect();
            let item = h.item.map(|i| format!(", {} {i}", t(lang, "punkt", "item"))).unwrap_or_default();
            let place = if h.link.is_empty() {
                esc(&format!("{}{item}", h.date))
            } else {
                format!("<a href=\"{}?{}\">{}{}</a>", esc(&h.link), p.keep(), h.date, esc(&item))
            };
            let _ = writeln!(body, "<li>{place}: {}</li>", esc(&snippet));
        }
        body += "</ul>\n";
    }
    page(lang, t(lang, "Søg", "Search"), &body)
}
