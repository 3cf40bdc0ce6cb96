//! The record's pages: a group with its composition and timeline, a meeting with its
//! minutes, a person.

use super::*;
use crate::ids::{GroupId, MeetingRef, PersonId};
use crate::minutes;
use crate::minutes::Label;
use crate::query::{self};
use axum::extract::{Path, State};
use chrono::NaiveDate;
use std::fmt::Write;

pub(super) async fn group(State(s): State<AppState>, Path(g): Path<String>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let Ok(gid) = GroupId::try_from(g) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt gruppe-id", "Invalid group id"));
    };
    let day = match p.at.as_deref().map(str::parse::<NaiveDate>) {
        None => s.today(),
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
            esc(&minutes::role_label(x.role, x.rank, lang)),
            esc(x.organisation.as_deref().unwrap_or("")),
            x.start
        );
    }
    body += "</table>\n";
    if let Some(seats) = &c.seats {
        let flag = if seats.over_capacity > 0 || !seats.over_share.is_empty() { " class=\"err\"" } else { "" };
        let _ = write!(
            body,
            "<p id=\"seats\"{flag}>{}: {} / {}",
            t(lang, "Pladser besat", "Seats held"),
            seats.held,
            seats.seats
        );
        if seats.vacant > 0 {
            let _ = write!(body, ", {} {}", seats.vacant, t(lang, "ledige", "vacant"));
        }
        if seats.over_capacity > 0 {
            let _ = write!(body, ", {} {}", seats.over_capacity, t(lang, "for mange", "over capacity"));
        }
        for (c, n) in &seats.over_share {
            let _ = write!(body, "; {} {n}", esc(c.as_str()));
        }
        body += "</p>\n";
    }
    if !c.substitutes.is_empty() {
        let _ = writeln!(body, "<h3>{}</h3>\n<ul id=\"substitutes\">", t(lang, "Stedfortrædere", "Substitutes"));
        for x in &c.substitutes {
            let principal = x.substitute_for.as_ref().map(|p| format!(" (for {})", esc(p.as_str())));
            let _ = writeln!(body, "<li>{}{}</li>", esc(&x.name), principal.unwrap_or_default());
        }
        body += "</ul>\n";
    }
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
    // The timeline is part of the page: a failed read fails the page, it never drops
    // the section.
    let tl = match query::timeline(m, &gid) {
        Ok(tl) => tl,
        Err(e) => return from_error(lang, e),
    };
    let _ = writeln!(body, "<h2>{}</h2>", t(lang, "Tidslinje", "Timeline"));
    body += &timeline::timeline_svg(&tl, day, lang);
    let _ = writeln!(body, "<h2>{}</h2>\n<ul>", t(lang, "Møder", "Meetings"));
    for (id, number, d, kind) in &tl.meetings {
        let shown = match number {
            Some(n) => format!("{} {n}", minutes::meeting_kind(lang, *kind)),
            None => minutes::meeting_kind(lang, *kind).to_string(),
        };
        let _ = writeln!(
            body,
            "<li><a href=\"/meetings/{}/{}?{}\">{}</a>, {d}</li>",
            esc(gid.as_str()),
            esc(&query::meeting_ref(id, *number, *kind).to_string()),
            p.keep(),
            esc(&shown)
        );
    }
    body += "</ul>\n";
    page(lang, &c.name, &body)
}

pub(super) async fn meeting(
    State(s): State<AppState>,
    Path((g, n)): Path<(String, String)>,
    SiteQuery(p): SiteQuery,
) -> Response {
    let lang = p.lang();
    let (Ok(gid), Ok(number)) = (GroupId::try_from(g), n.parse::<MeetingRef>()) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt møde", "Invalid meeting"));
    };
    let l = s.read();
    let m = &l.model();
    let record = match query::find_meeting(m, &gid, &number)
        .and_then(|(_, mt)| query::meeting_record(m, &gid, &number, mt.date()))
    {
        Ok(r) => r,
        Err(e) => return from_error(lang, e),
    };
    let mut body = match minutes::html_fragment(m, &record, lang) {
        Ok(b) => b,
        Err(e) => return from_error(lang, e),
    };
    if !record.minutes_approvals.is_empty() {
        let _ = writeln!(body, "<h2>{}</h2>\n<ul>", t(lang, "Godkendte referater", "Approved minutes"));
        for a in &record.minutes_approvals {
            // A link to the document where the ledger keeps it; its hash either way.
            let name = esc(a.document_name.as_deref().unwrap_or(t(lang, "dokument", "document")));
            let shown = match l.has_document(&a.document_hash) {
                Ok(true) => format!("<a href=\"/documents/{}\">{name}</a>", a.document_hash),
                Ok(false) => name,
                Err(e) => return from_error(lang, e),
            };
            let _ = writeln!(
                body,
                "<li>{shown}, {} {} (BLAKE3 <code>{}</code>)</li>",
                t(lang, "godkendt", "approved"),
                a.date,
                a.document_hash
            );
        }
        body += "</ul>\n";
    }
    let _ = writeln!(body, "<h2>{}</h2>\n<ul>", t(lang, "Beslutninger i registret", "Decisions in the register"));
    for item in &record.agenda {
        for d in &item.decisions {
            let _ = writeln!(
                body,
                "<li><a href=\"/decisions?group={}&{}#{}\">{}</a> {}</li>",
                esc(gid.as_str()),
                p.keep(),
                esc(d.id.as_str()),
                esc(d.id.as_str()),
                badge(&crate::event::name_of(&d.outcome), d.outcome.label(lang))
            );
        }
    }
    body += "</ul>\n";
    page(lang, record.title.as_deref().unwrap_or(&record.group_name), &body)
}

pub(super) async fn person(State(s): State<AppState>, Path(pid): Path<String>, SiteQuery(p): SiteQuery) -> Response {
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
            esc(&minutes::role_label(i.role, i.rank, lang)),
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
                esc(a.presence.label(lang))
            );
        }
        body += "</ul>\n";
    }
    page(lang, &h.name, &body)
}
