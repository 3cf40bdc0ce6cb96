//! The indexes: every meeting (the ones to come first, then each group's by kind and
//! number), every person and every organisation the record names.

use super::*;
use crate::minutes;
use crate::query::{self, MeetingRow};
use axum::extract::State;

/// A meeting as a line of a list: a link to its record, its day and place.
pub(super) fn meeting_line(lang: Lang, r: &MeetingRow, p: &Params) -> Markup {
    let kind = minutes::meeting_kind(lang, r.meeting_kind);
    let shown = match (&r.title, r.number) {
        (Some(title), _) => title.clone(),
        (None, Some(n)) => format!("{} {kind} {n}", r.group_name),
        (None, None) => format!("{} {kind}", r.group_name),
    };
    html! {
        (r.starts_at.date()) ": "
        a href={ "/meetings/" (r.group) "/" (r.reference) "?" (p.keep()) } { (shown) }
        @if let Some(place) = &r.place { ", " (one_line(place)) }
    }
}

/// An address written over lines, on one.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ")
}

/// Meetings a page of `/meetings` lists.
pub const MEETINGS_PAGE_LEN: usize = 50;
/// People a page of `/people` lists.
pub const PEOPLE_PAGE_LEN: usize = 100;
/// Organisations a page of `/organisations` lists, each with everyone affiliated with it
/// and sitting for it: at 1M generated events, about fifty people an organisation, a
/// page of 50 took 34 ms at the median.
pub const ORGANISATIONS_PAGE_LEN: usize = 20;

pub(super) async fn meetings(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let today = s.today();
    let page_no = match super::registers::page_number(lang, &p) {
        Ok(n) => n,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, &e),
    };
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let m = l.model();
    let read = query::upcoming(&m, today).and_then(|u| {
        let skip = (page_no - 1).saturating_mul(MEETINGS_PAGE_LEN);
        Ok((u, query::meetings_latest(&m, chrono::NaiveDate::MIN, skip, MEETINGS_PAGE_LEN)?))
    });
    let (upcoming, (rows, more)) = match read {
        Ok(x) => x,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let link = |n: usize| format!("/meetings?{keep}&page={n}");
    let body = html! {
        p { a href="/meetings.ics" { (t(lang, "Abonnér på møderne som kalender (iCal)", "Subscribe to the meetings as a calendar (iCal)")) } }
        @if page_no == 1 {
            h2 { (t(lang, "Kommende møder", "Next meetings")) }
            @if upcoming.is_empty() {
                p { (t(lang, "Ingen møder er planlagt.", "No meetings are scheduled.")) }
            } @else {
                ul id="upcoming" { @for r in &upcoming { li { (meeting_line(lang, r, &p)) } } }
            }
        }
        h2 { (t(lang, "Alle møder, de seneste først", "Every meeting, the latest first")) }
        p { (t(lang, "Hver gruppes møder efter type og nummer står på gruppens side.", "Each group's meetings by kind and number are on the group's page.")) }
        table class="meetings" {
            (header_row(&[t(lang, "Gruppe", "Group"), t(lang, "Møde", "Meeting"), t(lang, "Dato", "Date"), t(lang, "Sted", "Place"), t(lang, "Status", "State")]))
            @for r in &rows {
                @let kind = minutes::meeting_kind(lang, r.meeting_kind);
                tr {
                    td { a href={ "/groups/" (r.group) "?" (keep) } { (r.group_name) } }
                    td {
                        a href={ "/meetings/" (r.group) "/" (r.reference) "?" (keep) } {
                            (kind) @if let Some(n) = r.number { " " (n) }
                        }
                    }
                    td { (r.starts_at.date()) }
                    td { (one_line(r.place.as_deref().unwrap_or(""))) }
                    td {
                        @match (r.held, r.starts_at.date() >= today) {
                            (true, _) => { (t(lang, "afholdt", "held")) }
                            (false, true) => { (t(lang, "planlagt", "scheduled")) }
                            (false, false) => { (t(lang, "ikke registreret som afholdt", "not recorded as held")) }
                        }
                    }
                }
            }
        }
        (super::registers::pager(lang, page_no, more, link))
    };
    page(lang, t(lang, "Møder", "Meetings"), body)
}

/// What an index page starts from: its day, a view of the ledger, the page's number and
/// the rows before it; or the page that says why not.
fn directory_page(
    s: &AppState,
    p: &Params,
    page_len: usize,
) -> Result<(chrono::NaiveDate, crate::Ledger, usize, usize), Box<Response>> {
    let lang = p.lang();
    let day = page_day(lang, p, s.today()).map_err(|e| Box::new(error(lang, StatusCode::BAD_REQUEST, e)))?;
    let page_no =
        super::registers::page_number(lang, p).map_err(|e| Box::new(error(lang, StatusCode::BAD_REQUEST, &e)))?;
    let l = s.read().map_err(|e| Box::new(from_error(lang, e)))?;
    Ok((day, l, page_no, (page_no - 1).saturating_mul(page_len)))
}

pub(super) async fn people(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let (day, l, page_no, skip) = match directory_page(&s, &p, PEOPLE_PAGE_LEN) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let (rows, more) = match query::people_page(&l.model(), day, skip, PEOPLE_PAGE_LEN) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let link = |n: usize| format!("/people?{keep}&page={n}");
    let body = html! {
        p {
            (t(lang, "Alle personer i protokollen, med grupper og tilknytning den", "Everyone the record names, with their groups and affiliation on"))
            " " (day) "."
        }
        table id="people" {
            (header_row(&[t(lang, "Navn", "Name"), t(lang, "Tilknytning", "Affiliation"), t(lang, "Grupper", "Groups")]))
            @for r in &rows {
                tr {
                    td {
                        a href={ "/people/" (r.person) "?" (keep) } { (r.name) }
                        @if let Some(title) = &r.title { ", " (title) }
                    }
                    td { (r.affiliation_name.as_deref().unwrap_or("")) }
                    td {
                        @for (i, g) in r.groups.iter().enumerate() {
                            @if i > 0 { ", " }
                            a href={ "/groups/" (g.group) "?" (keep) } { (g.group_name) }
                        }
                    }
                }
            }
        }
        (super::registers::pager(lang, page_no, more, link))
    };
    page(lang, t(lang, "Personer", "People"), body)
}

pub(super) async fn organisations(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let (day, l, page_no, skip) = match directory_page(&s, &p, ORGANISATIONS_PAGE_LEN) {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let (rows, more) = match query::organisations_page(&l.model(), day, skip, ORGANISATIONS_PAGE_LEN) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let link = |n: usize| format!("/organisations?{keep}&page={n}");
    let people = |xs: &[query::Member]| {
        html! {
            @for (i, x) in xs.iter().enumerate() {
                @if i > 0 { ", " }
                a href={ "/people/" (x.person) "?" (keep) } { (x.name) }
            }
        }
    };
    let body = html! {
        p {
            (t(lang, "Organisationerne i protokollen, med deres folk den", "The organisations the record names, with their people on"))
            " " (day) "."
        }
        table id="organisations" {
            (header_row(&[t(lang, "Organisation", "Organisation"), t(lang, "Tilknyttede", "Affiliated"), t(lang, "Repræsenteret i grupper af", "Represented in groups by")]))
            @for r in &rows {
                tr id=(r.organisation) {
                    td { (r.name) @if let Some(short) = &r.short_name { " (" (short) ")" } }
                    td { (people(&r.people)) }
                    td { (people(&r.represented_by)) }
                }
            }
        }
        (super::registers::pager(lang, page_no, more, link))
    };
    page(lang, t(lang, "Organisationer", "Organisations"), body)
}
