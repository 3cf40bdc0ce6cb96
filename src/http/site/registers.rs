//! The registers: decisions with filters, and the audit trail with hashes.

use super::*;
use crate::event::{from_name, name_of, DecisionStatus, Outcome};
use crate::ids::Seq;
use crate::minutes::{self, Label};
use crate::query::{self, DecisionFilter};
use axum::extract::State;

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
fn filter_of(lang: Lang, p: &Params, groups: &[query::GroupSummary]) -> Result<(DecisionFilter, usize), String> {
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
pub(super) fn page_number(lang: Lang, p: &Params) -> Result<usize, String> {
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
pub(super) fn pager(lang: Lang, page_no: usize, has_next: bool, link: impl Fn(usize) -> String) -> Markup {
    html! {
        @if page_no > 1 || has_next {
            nav class="pager" {
                @if page_no > 1 { a rel="prev" href=(link(page_no - 1)) { (t(lang, "← Forrige", "← Previous")) } }
                @if page_no > 1 && has_next { " · " }
                @if has_next { a rel="next" href=(link(page_no + 1)) { (t(lang, "Næste →", "Next →")) } }
            }
        }
    }
}

/// A filter's choice among `values` (each a code and its word), "all" when none.
fn options(lang: Lang, name: &str, label: &str, values: &[(String, String)], chosen: &Option<String>) -> Markup {
    html! {
        label {
            (label) " "
            select name=(name) {
                option value="" { (t(lang, "alle", "all")) }
                @for (v, word) in values {
                    option value=(v) selected[chosen.as_deref() == Some(v.as_str())] { (word) }
                }
            }
        }
    }
}

pub(super) async fn decisions(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let m = l.model();
    let groups = match query::group_summaries(&m, s.today()) {
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
    let group_values: Vec<(String, String)> =
        groups.iter().map(|g| (g.id.as_str().to_string(), g.name.clone())).collect();
    let outcomes = Outcome::ALL.map(|o| (name_of(&o), o.label(lang).to_string()));
    let statuses = DecisionStatus::ALL.map(|s| (name_of(&s), s.label(lang).to_string()));
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    // The links to the pages beside this one keep every filter.
    let link = |n: usize| {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("lang", code(lang));
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
    let keep = p.keep();
    let body = html! {
        form method="get" class="filters" {
            input type="hidden" name="lang" value=(code(lang));
            (options(lang, "group", t(lang, "Gruppe", "Group"), &group_values, &p.group)) " "
            (options(lang, "outcome", t(lang, "Udfald", "Outcome"), &outcomes, &p.outcome)) " "
            (options(lang, "status", t(lang, "Status", "Status"), &statuses, &p.status)) " "
            label { (t(lang, "Fra", "From")) " " input type="date" name="from" value=(value(&p.from)); } " "
            label { (t(lang, "Til", "To")) " " input type="date" name="to" value=(value(&p.to)); } " "
            label { (t(lang, "Tekst", "Text")) " " input type="search" name="q" value=(value(&p.q)); } " "
            button type="submit" { (t(lang, "Filtrér", "Filter")) }
        }
        @if rows.is_empty() {
            p { (t(lang, "Ingen beslutninger svarer til filtrene.", "No decision matches the filters.")) }
        } @else {
            p { (t(lang, "Beslutninger", "Decisions")) " " (filter.skip + 1) "–" (filter.skip + rows.len()) }
            table {
                (header_row(&[t(lang, "Dato", "Date"), t(lang, "Møde", "Meeting"), t(lang, "Beslutning", "Decision"), t(lang, "Udfald", "Outcome"), t(lang, "Status", "Status")]))
                @for d in &rows {
                    tr id=(d.id) {
                        td { (d.date) }
                        td {
                            a href={ "/meetings/" (d.group) "/" (query::meeting_ref(&d.meeting, d.meeting_number, d.meeting_kind)) "?" (keep) "#item-" (d.item) } {
                                (d.group) " " @if let Some(n) = d.meeting_number { (n) } ", " (t(lang, "punkt", "item")) " " (d.item)
                            }
                        }
                        td {
                            (d.text)
                            @for c in &d.conditions { br; em { (t(lang, "Forbehold", "Reservation")) ":" } " " (c) }
                        }
                        td { (badge(&name_of(&d.outcome), d.outcome.label(lang))) }
                        td { (badge(&name_of(&d.status), d.status.label(lang))) }
                    }
                }
            }
        }
        (pager(lang, page_no, more, link))
    };
    page(lang, t(lang, "Beslutningsregister", "Decision register"), body)
}

pub(super) async fn audit(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let after = Seq(p.after.unwrap_or(0));
    let records = match l.records_after(after, 100.min(PAGE_LEN_MAX)) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let body = html! {
        table {
            (header_row(&["seq", t(lang, "Registreret", "Recorded"), t(lang, "Gælder fra", "Effective"), t(lang, "Registreret af", "Recorded by"), t(lang, "Hændelse", "Event"), "hash"]))
            @for r in &records {
                @let h = &r.header;
                tr {
                    td { (h.seq) }
                    td { (h.recorded_at) }
                    td { (h.effective) }
                    td { (h.recorded_by) }
                    td {
                        (h.kind)
                        // An erased body is said to be so, and by which seq (whose row says why).
                        @if let Some(by) = r.erased_by { " (" (t(lang, "indholdet slettet ved seq", "body erased by seq")) " " (by) ")" }
                    }
                    td { code { (r.hash) } }
                }
            }
        }
        @if let Some(last) = records.last() {
            p { a href={ "/audit?after=" (last.seq()) "&" (p.keep()) } { (t(lang, "Næste side", "Next page")) } }
        }
        p { a href="/api/events" { "/api/events" } " · " a href="/api/verify" { "/api/verify" } }
    };
    page(lang, t(lang, "Revisionsspor", "Audit trail"), body)
}

/// A search box and its hits, each linking to where it is read.
pub(super) async fn search(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let q = p.q.clone().unwrap_or_default();
    let hits = match q.trim().is_empty() {
        true => None,
        false => match s.read().and_then(|l| query::search(&l.model(), &q, s.today())) {
            Ok(h) => Some(h),
            Err(e) => return from_error(lang, e),
        },
    };
    let body = html! {
        form method="get" {
            input type="hidden" name="lang" value=(code(lang));
            input type="search" name="q" value=(q) aria-label=(t(lang, "Søg i protokollen", "Search the record"));
            " "
            button type="submit" { (t(lang, "Søg", "Search")) }
        }
        @if let Some(hits) = &hits {
            p { (hits.len()) " " (t(lang, "fund", "hits")) }
            ul {
                @for h in hits {
                    @let snippet: String = h.text.chars().take(200).collect();
                    li {
                        @if h.link.is_empty() {
                            (h.date) @if let Some(i) = h.item { ", " (t(lang, "punkt", "item")) " " (i) }
                        } @else {
                            a href={ (h.link) "?" (p.keep()) @if let Some(i) = h.item { "#item-" (i) } } {
                                (h.date) @if let Some(i) = h.item { ", " (t(lang, "punkt", "item")) " " (i) }
                            }
                        }
                        ": " (snippet)
                    }
                }
            }
        }
    };
    page(lang, t(lang, "Søg", "Search"), body)
}

/// Actions a page shows.
pub const ACTIONS_PAGE_LEN: usize = 50;

/// The actions agreed at meetings, as they stood on the page's date: the open (the
/// latest agreed first, each saying whether it is overdue), or with `?state=done` the
/// done (the latest completed first); in pages, read from the ends of their indexes.
pub(super) async fn actions(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let day = match page_day(lang, &p, s.today()) {
        Ok(d) => d,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, e),
    };
    let page_no = match page_number(lang, &p) {
        Ok(n) => n,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, &e),
    };
    let done = match p.state.as_deref().filter(|x| !x.is_empty()) {
        None | Some("open") => false,
        Some("done") => true,
        Some(x) => {
            let why = format!("state: {x:?} {} open, done", t(lang, "er ikke en af", "is not one of"));
            return error(lang, StatusCode::BAD_REQUEST, &why);
        }
    };
    let skip = (page_no - 1).saturating_mul(ACTIONS_PAGE_LEN);
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let m = l.model();
    let read = query::open_actions_page(&m, day, skip, ACTIONS_PAGE_LEN + 1).and_then(|open| match done {
        false => {
            let more = open.latest.len() > ACTIONS_PAGE_LEN;
            let mut rows = open.latest;
            rows.truncate(ACTIONS_PAGE_LEN);
            Ok((open.count, rows, more))
        }
        true => {
            let (rows, more) = query::done_actions_page(&m, day, skip, ACTIONS_PAGE_LEN)?;
            Ok((open.count, rows, more))
        }
    });
    let (open_count, shown, more) = match read {
        Ok(x) => x,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let state = if done { "done" } else { "open" };
    let link = |n: usize| format!("/actions?{keep}&at={day}&state={state}&page={n}");
    let body = html! {
        p {
            (t(lang, "Den", "On")) " " (day) ": " strong { (open_count) } " " (t(lang, "åbne", "open")) ". "
            @if done {
                a href={ "/actions?" (keep) "&at=" (day) } { (t(lang, "Vis de åbne", "Show the open")) }
            } @else {
                a href={ "/actions?" (keep) "&at=" (day) "&state=done" } { (t(lang, "Vis de udførte", "Show the done")) }
            }
        }
        h2 {
            @if done { (t(lang, "Udførte, de senest udførte først", "Done, the latest done first")) }
            @else { (t(lang, "Åbne, de senest aftalte først", "Open, the latest agreed first")) }
        }
        @if !shown.is_empty() {
            table {
                (header_row(&[t(lang, "Opgave", "Action"), t(lang, "Ansvarlig", "Owner"), t(lang, "Frist", "Due"), t(lang, "Status", "State"), t(lang, "Aftalt", "Agreed")]))
                @for a in &shown {
                    tr id=(a.id) {
                        td { (a.description) }
                        td { (a.owner_name) }
                        td { @if let Some(due) = &a.due { (minutes::said_date(lang, due)) } }
                        td { (badge(&name_of(&a.state), a.state.label(lang))) @if let Some(done) = a.completed { " " (done) } }
                        td { (a.assigned) ", " (t(lang, "punkt", "item")) " " (a.item) }
                    }
                }
            }
        }
        (pager(lang, page_no, more, link))
    };
    page(lang, t(lang, "Opgaver", "Actions"), body)
}
