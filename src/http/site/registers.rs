//! The registers: decisions with filters, and the audit trail with hashes.

use super::*;
use crate::event::{from_name, name_of, DecisionStatus, Outcome};
use crate::ids::Seq;
use crate::minutes::{self, Label};
use crate::query::{self, DecisionFilter};
use axum::extract::State;
use std::fmt::Write;

/// Rows of the decision register a page shows.
pub const DECISIONS_PAGE_LEN: usize = 50;

/// A filter's value, or what it allows when it is not one of them.
fn chosen<T: serde::de::DeserializeOwned + serde::Serialize>(
    lang: Lang,
    name: &str,
    v: &Option<String>,
    all: &[T],
) -> Result<Option<T>, String> {
    match v.as_deref().filter(|x| !x.is_empty()) {
        None => Ok(None),
        Some(x) => from_name(name, x).map(Some).map_err(|_| {
            format!("{name}: {x:?} {} {}", t(lang, "er ikke en af", "is not one of"), crate::event::names_of(all))
        }),
    }
}

fn day(lang: Lang, name: &str, v: &Option<String>) -> Result<Option<chrono::NaiveDate>, String> {
    match v.as_deref().filter(|x| !x.is_empty()) {
        None => Ok(None),
        Some(x) => x.parse().map(Some).map_err(|_| {
            format!("{name}: {x:?} {}", t(lang, "er ikke en dato (ÅÅÅÅ-MM-DD)", "is not a date (YYYY-MM-DD)"))
        }),
    }
}

/// The filters of the register's page, as the form gives them; what does not parse is
/// an error that says what is allowed, never a filter silently dropped.
fn filter_of(lang: Lang, p: &Params, groups: &[query::GroupRow]) -> Result<(DecisionFilter, usize), String> {
    let group = match p.group.as_deref().filter(|g| !g.is_empty()) {
        None => None,
        Some(g) => match groups.iter().find(|r| r.id.as_str() == g) {
            Some(r) => Some(r.id.clone()),
            None => {
                let known: Vec<&str> = groups.iter().map(|r| r.id.as_str()).collect();
                return Err(format!("group: {g:?} {} {}", t(lang, "er ikke en af", "is not one of"), known.join(", ")));
            }
        },
    };
    let page = page_number(lang, p)?;
    let filter = DecisionFilter {
        group,
        outcome: chosen(lang, "outcome", &p.outcome, &Outcome::ALL)?,
        status: chosen(lang, "status", &p.status, &DecisionStatus::ALL)?,
        from: day(lang, "from", &p.from)?,
        to: day(lang, "to", &p.to)?,
        text: p.q.clone().filter(|q| !q.trim().is_empty()),
        skip: (page - 1).saturating_mul(DECISIONS_PAGE_LEN),
        // One row more than the page: whether there is a next one.
        limit: Some(DECISIONS_PAGE_LEN + 1),
        ..Default::default()
    };
    Ok((filter, page))
}

/// The page asked for, from 1; anything else is an error that says what is allowed.
fn page_number(lang: Lang, p: &Params) -> Result<usize, String> {
    match p.page.as_deref().filter(|x| !x.is_empty()) {
        None => Ok(1),
        Some(x) => match x.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err(format!(
                "page: {x:?} {}",
                t(lang, "er ikke et sidetal (1, 2, ...)", "is not a page number (1, 2, ...)")
            )),
        },
    }
}

/// The links to the pages before and after this one, when there are such pages.
fn pager(lang: Lang, page_no: usize, has_next: bool, link: impl Fn(usize) -> String) -> String {
    let mut links = Vec::new();
    if page_no > 1 {
        links.push(format!(
            "<a rel=\"prev\" href=\"{}\">{}</a>",
            esc(&link(page_no - 1)),
            t(lang, "← Forrige", "← Previous")
        ));
    }
    if has_next {
        links.push(format!(
            "<a rel=\"next\" href=\"{}\">{}</a>",
            esc(&link(page_no + 1)),
            t(lang, "Næste →", "Next →")
        ));
    }
    match links.is_empty() {
        true => String::new(),
        false => format!("<nav class=\"pager\">{}</nav>\n", links.join(" · ")),
    }
}

pub(super) async fn decisions(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let l = s.read();
    let m = l.model();
    let groups = match query::groups(&m, s.today()) {
        Ok(g) => g,
        Err(e) => return from_error(lang, e),
    };
    let (filter, page_no) = match filter_of(lang, &p, &groups) {
        Ok(f) => f,
        Err(why) => return error(lang, StatusCode::BAD_REQUEST, &why),
    };
    let mut rows = match query::decisions(&m, &filter, s.today()) {
        Ok(rows) => rows,
        Err(e) => return from_error(lang, e),
    };
    let more = rows.len() > DECISIONS_PAGE_LEN;
    rows.truncate(DECISIONS_PAGE_LEN);
    let options = |name: &str, label: &str, values: &[(String, String)], chosen: &Option<String>| {
        let mut s = format!(
            "<label>{} <select name=\"{name}\"><option value=\"\">{}</option>",
            esc(label),
            t(lang, "alle", "all")
        );
        for (v, word) in values {
            let sel = if chosen.as_deref() == Some(v.as_str()) { " selected" } else { "" };
            s += &format!("<option value=\"{}\"{sel}>{}</option>", esc(v), esc(word));
        }
        s + "</select></label>"
    };
    let value = |v: &Option<String>| esc(v.as_deref().unwrap_or(""));
    let group_values: Vec<(String, String)> =
        groups.iter().map(|g| (g.id.as_str().to_string(), g.name.clone())).collect();
    let mut body = format!(
        "<form method=\"get\" class=\"filters\"><input type=\"hidden\" name=\"lang\" value=\"{}\">{} {} {} <label>{} <input type=\"date\" name=\"from\" value=\"{}\"></label> <label>{} <input type=\"date\" name=\"to\" value=\"{}\"></label> <label>{} <input type=\"search\" name=\"q\" value=\"{}\"></label> <button type=\"submit\">{}</button></form>\n",
        if lang == Lang::Da { "da" } else { "en" },
        options("group", t(lang, "Gruppe", "Group"), &group_values, &p.group),
        options("outcome", t(lang, "Udfald", "Outcome"), &Outcome::ALL.map(|o| (name_of(&o), o.label(lang).to_string())), &p.outcome),
        options("status", t(lang, "Status", "Status"), &DecisionStatus::ALL.map(|s| (name_of(&s), s.label(lang).to_string())), &p.status),
        t(lang, "Fra", "From"),
        value(&p.from),
        t(lang, "Til", "To"),
        value(&p.to),
        t(lang, "Tekst", "Text"),
        value(&p.q),
        t(lang, "Filtrér", "Filter"),
    );
    let first = filter.skip + 1;
    if rows.is_empty() {
        body += &format!(
            "<p>{}</p>\n",
            t(lang, "Ingen beslutninger svarer til filtrene.", "No decision matches the filters.")
        );
    } else {
        body += &format!(
            "<p>{} {first}–{}</p>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            t(lang, "Beslutninger", "Decisions"),
            filter.skip + rows.len(),
            t(lang, "Dato", "Date"),
            t(lang, "Møde", "Meeting"),
            t(lang, "Beslutning", "Decision"),
            t(lang, "Udfald", "Outcome"),
            t(lang, "Status", "Status"),
        );
    }
    for d in &rows {
        let conditions: String = d
            .conditions
            .iter()
            .map(|c| format!("<br><em>{}:</em> {}", t(lang, "Forbehold", "Reservation"), esc(c)))
            .collect();
        let _ = writeln!(
            body,
            "<tr id=\"{}\"><td>{}</td><td><a href=\"/meetings/{}/{}?{}#item-{}\">{} {}, {} {}</a></td><td>{}{conditions}</td><td>{}</td><td>{}</td></tr>",
            esc(d.id.as_str()),
            d.date,
            esc(d.group.as_str()),
            esc(&query::meeting_ref(&d.meeting, d.meeting_number, d.meeting_kind).to_string()),
            p.keep(),
            d.item,
            esc(d.group.as_str()),
            d.meeting_number.map(|n| n.to_string()).unwrap_or_default(),
            t(lang, "punkt", "item"),
            d.item,
            esc(&d.text),
            badge(&name_of(&d.outcome), d.outcome.label(lang)),
            badge(&name_of(&d.status), d.status.label(lang)),
        );
    }
    if !rows.is_empty() {
        body += "</table>\n";
    }
    // The links to the pages beside this one keep every filter.
    let link = |n: usize| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("lang", if lang == Lang::Da { "da" } else { "en" });
        for (k, v) in [
            ("group", &p.group),
            ("outcome", &p.outcome),
            ("status", &p.status),
            ("from", &p.from),
            ("to", &p.to),
            ("q", &p.q),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                q.append_pair(k, v);
            }
        }
        q.append_pair("page", &n.to_string());
        format!("/decisions?{}", q.finish())
    };
    body += &pager(lang, page_no, more, link);
    page(lang, t(lang, "Beslutningsregister", "Decision register"), &body)
}

pub(super) async fn audit(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let l = s.read();
    let after = Seq(p.after.unwrap_or(0));
    let records = match l.records_after(after, 100.min(PAGE_LEN_MAX)) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = format!(
        "<table>\n<tr><th>seq</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>hash</th></tr>\n",
        t(lang, "Registreret", "Recorded"),
        t(lang, "Gælder fra", "Effective"),
        t(lang, "Registreret af", "Recorded by"),
        t(lang, "Hændelse", "Event"),
    );
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
pub(super) async fn search(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
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
                let anchor = h.item.map(|i| format!("#item-{i}")).unwrap_or_default();
                format!("<a href=\"{}?{}{anchor}\">{}{}</a>", esc(&h.link), p.keep(), h.date, esc(&item))
            };
            let _ = writeln!(body, "<li>{place}: {}</li>", esc(&snippet));
        }
        body += "</ul>\n";
    }
    page(lang, t(lang, "Søg", "Search"), &body)
}

fn is_open(a: &query::ActionView) -> bool {
    a.state != query::ActionState::Done
}

/// The open actions first, the soonest due first; then the done, the latest first.
pub(super) fn open_first(rows: &mut [query::ActionView]) {
    rows.sort_by(|a, b| {
        is_open(b).cmp(&is_open(a)).then_with(|| match is_open(a) {
            true => a.due_by.unwrap_or(chrono::NaiveDate::MAX).cmp(&b.due_by.unwrap_or(chrono::NaiveDate::MAX)),
            false => b.completed.cmp(&a.completed),
        })
    });
}

/// Actions a page shows.
pub const ACTIONS_PAGE_LEN: usize = 50;

/// The actions agreed at meetings: the open and overdue first (the soonest due first),
/// then the done (the latest first), on the page's date, in pages.
pub(super) async fn actions(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let day = match p.at.as_deref().filter(|a| !a.is_empty()).map(str::parse::<chrono::NaiveDate>) {
        None => s.today(),
        Some(Ok(d)) => d,
        Some(Err(_)) => {
            return error(lang, StatusCode::BAD_REQUEST, t(lang, "at: en dato (ÅÅÅÅ-MM-DD)", "at: a date (YYYY-MM-DD)"))
        }
    };
    let page_no = match page_number(lang, &p) {
        Ok(n) => n,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, &e),
    };
    let l = s.read();
    let mut rows = match query::actions(&l.model(), day) {
        Ok(rows) => rows,
        Err(e) => return from_error(lang, e),
    };
    open_first(&mut rows);
    let open_count = rows.iter().filter(|a| is_open(a)).count();
    let total = rows.len();
    let skip = (page_no - 1).saturating_mul(ACTIONS_PAGE_LEN);
    let shown: Vec<&query::ActionView> = rows.iter().skip(skip).take(ACTIONS_PAGE_LEN).collect();
    let mut body = format!(
        "<p>{} {day}: <strong>{open_count}</strong> {} {total}.</p>\n",
        t(lang, "Den", "On"),
        t(lang, "åbne af i alt", "open of"),
    );
    if !shown.is_empty() {
        body += &format!(
            "<table>\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>\n",
            t(lang, "Opgave", "Action"),
            t(lang, "Ansvarlig", "Owner"),
            t(lang, "Frist", "Due"),
            t(lang, "Status", "State"),
            t(lang, "Aftalt", "Agreed"),
        );
    }
    for a in shown {
        let due = a.due.as_ref().map(|d| minutes::said_date(lang, d)).unwrap_or_default();
        let done = a.completed.map(|d| format!(" {d}")).unwrap_or_default();
        let _ = writeln!(
            body,
            "<tr id=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}{done}</td><td>{}, {} {}</td></tr>",
            esc(a.id.as_str()),
            esc(&a.description),
            esc(&a.owner_name),
            esc(&due),
            badge(&name_of(&a.state), a.state.label(lang)),
            a.assigned,
            t(lang, "punkt", "item"),
            a.item,
        );
    }
    if total > 0 {
        body += "</table>\n";
    }
    let link = |n: usize| format!("/actions?{}&at={day}&page={n}", p.keep());
    body += &pager(lang, page_no, skip + ACTIONS_PAGE_LEN < total, link);
    page(lang, t(lang, "Opgaver", "Actions"), &body)
}
