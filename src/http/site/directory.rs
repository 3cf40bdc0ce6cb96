//! The indexes: every meeting (the ones to come first, then each group's by kind and
//! number), every person and every organisation the record names.

use super::*;
use crate::minutes;
use crate::query::{self, MeetingRow};
use axum::extract::State;
use std::fmt::Write;

/// A meeting as a line of a list: a link to its record, its day and place.
pub(super) fn meeting_line(lang: Lang, r: &MeetingRow, p: &Params) -> String {
    let kind = minutes::meeting_kind(lang, r.meeting_kind);
    let shown = match (&r.title, r.number) {
        (Some(title), _) => title.clone(),
        (None, Some(n)) => format!("{} {kind} {n}", r.group_name),
        (None, None) => format!("{} {kind}", r.group_name),
    };
    let place = r.place.as_deref().map(|x| format!(", {}", esc(&one_line(x)))).unwrap_or_default();
    format!(
        "{}: <a href=\"/meetings/{}/{}?{}\">{}</a>{place}",
        r.starts_at.date(),
        esc(r.group.as_str()),
        esc(&r.reference),
        p.keep(),
        esc(&shown)
    )
}

/// An address written over lines, on one.
fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", ")
}

pub(super) async fn meetings(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let today = s.today();
    let l = s.read();
    let rows = match query::meetings(&l.model()) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = format!(
        "<p><a href=\"/meetings.ics\">{}</a></p>\n<h2>{}</h2>\n",
        t(lang, "Abonnér på møderne som kalender (iCal)", "Subscribe to the meetings as a calendar (iCal)"),
        t(lang, "Kommende møder", "Next meetings")
    );
    let upcoming: Vec<&MeetingRow> = rows.iter().filter(|r| !r.held && r.starts_at.date() >= today).collect();
    if upcoming.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", t(lang, "Ingen møder er planlagt.", "No meetings are scheduled."));
    } else {
        body += "<ul id=\"upcoming\">\n";
        for r in upcoming {
            let _ = writeln!(body, "<li>{}</li>", meeting_line(lang, r, &p));
        }
        body += "</ul>\n";
    }
    // Each group's meetings, the latest first, by kind and number.
    let mut groups: Vec<(&str, &str)> = rows.iter().map(|r| (r.group_name.as_str(), r.group.as_str())).collect();
    groups.sort();
    groups.dedup();
    for (name, id) in groups {
        let _ = writeln!(
            body,
            "<h2><a href=\"/groups/{}?{}\">{}</a></h2>\n<table class=\"meetings\">\n<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            esc(id),
            p.keep(),
            esc(name),
            t(lang, "Møde", "Meeting"),
            t(lang, "Dato", "Date"),
            t(lang, "Sted", "Place"),
            t(lang, "Status", "State"),
        );
        for r in rows.iter().rev().filter(|r| r.group.as_str() == id) {
            let kind = minutes::meeting_kind(lang, r.meeting_kind);
            let shown = r.number.map_or_else(|| kind.to_string(), |n| format!("{kind} {n}"));
            let _ = writeln!(
                body,
                "<tr><td><a href=\"/meetings/{}/{}?{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(id),
                esc(&r.reference),
                p.keep(),
                esc(&shown),
                r.starts_at.date(),
                esc(&one_line(r.place.as_deref().unwrap_or(""))),
                match (r.held, r.starts_at.date() >= today) {
                    (true, _) => t(lang, "afholdt", "held"),
                    (false, true) => t(lang, "planlagt", "scheduled"),
                    (false, false) => t(lang, "ikke registreret som afholdt", "not recorded as held"),
                }
            );
        }
        body += "</table>\n";
    }
    page(lang, t(lang, "Møder", "Meetings"), &body)
}

/// The page's date: `?at=`, or today; the error says what is allowed.
fn day_of(lang: Lang, p: &Params, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, &'static str> {
    match p.at.as_deref().filter(|a| !a.is_empty()).map(str::parse::<chrono::NaiveDate>) {
        None => Ok(today),
        Some(Ok(d)) => Ok(d),
        Some(Err(_)) => Err(t(lang, "at: en dato (ÅÅÅÅ-MM-DD)", "at: a date (YYYY-MM-DD)")),
    }
}

pub(super) async fn people(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let day = match day_of(lang, &p, s.today()) {
        Ok(d) => d,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, e),
    };
    let l = s.read();
    let rows = match query::people(&l.model(), day) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = format!(
        "<p>{} {day}: {}</p>\n<table id=\"people\">\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t(
            lang,
            "Alle personer i protokollen, med grupper og tilknytning den",
            "Everyone the record names, with their groups and affiliation on"
        ),
        rows.len(),
        t(lang, "Navn", "Name"),
        t(lang, "Tilknytning", "Affiliation"),
        t(lang, "Grupper", "Groups"),
    );
    for r in &rows {
        let title = r.title.as_deref().map(|x| format!(", {}", esc(x))).unwrap_or_default();
        let groups: Vec<String> = r
            .groups
            .iter()
            .map(|g| format!("<a href=\"/groups/{}?{}\">{}</a>", esc(g.group.as_str()), p.keep(), esc(&g.group_name)))
            .collect();
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/people/{}?{}\">{}</a>{title}</td><td>{}</td><td>{}</td></tr>",
            esc(r.person.as_str()),
            p.keep(),
            esc(&r.name),
            esc(r.affiliation_name.as_deref().unwrap_or("")),
            groups.join(", ")
        );
    }
    body += "</table>\n";
    page(lang, t(lang, "Personer", "People"), &body)
}

pub(super) async fn organisations(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let day = match day_of(lang, &p, s.today()) {
        Ok(d) => d,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, e),
    };
    let l = s.read();
    let rows = match query::organisations(&l.model(), day) {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = format!(
        "<p>{} {day}: {}</p>\n<table id=\"organisations\">\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        t(
            lang,
            "Organisationerne i protokollen, med deres folk den",
            "The organisations the record names, with their people on"
        ),
        rows.len(),
        t(lang, "Organisation", "Organisation"),
        t(lang, "Tilknyttede", "Affiliated"),
        t(lang, "Repræsenteret i grupper af", "Represented in groups by"),
    );
    let people = |xs: &[query::Member]| -> String {
        xs.iter()
            .map(|x| format!("<a href=\"/people/{}?{}\">{}</a>", esc(x.person.as_str()), p.keep(), esc(&x.name)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for r in &rows {
        let short = r.short_name.as_deref().map(|x| format!(" ({})", esc(x))).unwrap_or_default();
        let _ = writeln!(
            body,
            "<tr id=\"{}\"><td>{}{short}</td><td>{}</td><td>{}</td></tr>",
            esc(r.organisation.as_str()),
            esc(&r.name),
            people(&r.people),
            people(&r.represented_by)
        );
    }
    body += "</table>\n";
    page(lang, t(lang, "Organisationer", "Organisations"), &body)
}
