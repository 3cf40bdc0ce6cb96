//! The record's pages: a group with its composition and timeline, a meeting with its
//! minutes, a person.

use super::*;
use crate::event::name_of;
use crate::ids::{GroupId, MeetingRef, PersonId};
use crate::minutes;
use crate::minutes::Label;
use crate::query::{self};
use axum::extract::{Path, State};

pub(super) async fn group(State(s): State<AppState>, Path(g): Path<String>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let Ok(gid) = GroupId::try_from(g) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt gruppe-id", "Invalid group id"));
    };
    let day = match page_day(lang, &p, s.today()) {
        Ok(d) => d,
        Err(e) => return error(lang, StatusCode::BAD_REQUEST, e),
    };
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let m = &l.model();
    // The timeline is part of the page: a failed read fails the page, it never drops
    // the section.
    let (c, tl) = match query::composition(m, &gid, day).and_then(|c| Ok((c, query::timeline(m, &gid)?))) {
        Ok(x) => x,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let body = html! {
        form method="get" {
            input type="hidden" name="lang" value=(code(lang));
            label { (t(lang, "Sammensætning den", "Composition on")) " " input type="date" id="at" name="at" value=(day); }
            " "
            button type="submit" { (t(lang, "Vis", "Show")) }
        }
        h2 { (t(lang, "Medlemmer", "Members")) " " (day) ": " (c.members.len()) }
        table id="members" {
            (header_row(&[t(lang, "Navn", "Name"), t(lang, "Rolle", "Role"), t(lang, "For", "On behalf of"), t(lang, "Siden", "Since")]))
            @for x in &c.members {
                tr class="member" {
                    td {
                        a href={ "/people/" (x.person) "?" (keep) } { (x.name) }
                        @if x.chair { " (" (t(lang, "formandskab", "chair")) ")" }
                    }
                    td { (minutes::role_label(x.role, x.rank, lang)) }
                    td { (x.organisation.as_deref().unwrap_or("")) }
                    td { (x.start) }
                }
            }
        }
        @if let Some(seats) = &c.seats {
            p id="seats" class=[(seats.over_capacity > 0 || !seats.over_share.is_empty()).then_some("err")] {
                (t(lang, "Pladser besat", "Seats held")) ": " (seats.held) " / " (seats.seats)
                @if seats.vacant > 0 { ", " (seats.vacant) " " (t(lang, "ledige", "vacant")) }
                @if seats.over_capacity > 0 { ", " (seats.over_capacity) " " (t(lang, "for mange", "over capacity")) }
                @for (c, n) in &seats.over_share { "; " (c) " " (n) }
            }
        }
        @if !c.substitutes.is_empty() {
            h3 { (t(lang, "Stedfortrædere", "Substitutes")) }
            ul id="substitutes" {
                @for x in &c.substitutes {
                    li { (x.name) @if let Some(principal) = &x.substitute_for { " (for " (principal) ")" } }
                }
            }
        }
        @if !c.nominations.is_empty() {
            h3 { (t(lang, "Indstillet, endnu ikke udpeget", "Nominated, not yet appointed")) }
            ul { @for n in &c.nominations { li { (n.name) " (" (n.date) ")" } } }
        }
        h2 { (t(lang, "Tidslinje", "Timeline")) }
        (timeline::timeline_svg(&tl, day, lang))
        h2 { (t(lang, "Møder", "Meetings")) }
        ul {
            @for (id, number, d, kind) in &tl.meetings {
                li {
                    a href={ "/meetings/" (gid) "/" (query::meeting_ref(id, *number, *kind)) "?" (keep) } {
                        (minutes::meeting_kind(lang, *kind)) @if let Some(n) = number { " " (n) }
                    }
                    ", " (d)
                }
            }
        }
    };
    page(lang, &c.name, body)
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
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let m = &l.model();
    let read = (|| {
        let (_, mt) = query::find_meeting(m, &gid, &number)?;
        let record = query::meeting_record(m, &gid, &number, mt.date())?;
        let minutes = minutes::html_fragment(m, &record, lang)?;
        // A link to each approved document the ledger keeps; its hash either way.
        let kept = record
            .minutes_approvals
            .iter()
            .map(|a| l.has_document(&a.document_hash))
            .collect::<Result<Vec<bool>, _>>()?;
        Ok::<_, crate::Error>((record, minutes, kept))
    })();
    let (record, fragment, kept) = match read {
        Ok(x) => x,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let body = html! {
        // The minutes writer's own HTML: it escapes what it writes, and its bytes are the
        // minutes as approved.
        (PreEscaped(fragment))
        @if !record.minutes_approvals.is_empty() {
            h2 { (t(lang, "Godkendte referater", "Approved minutes")) }
            ul {
                @for (a, kept) in record.minutes_approvals.iter().zip(&kept) {
                    @let name = a.document_name.as_deref().unwrap_or(t(lang, "dokument", "document"));
                    li {
                        @if *kept { a href={ "/documents/" (a.document_hash) } { (name) } } @else { (name) }
                        ", " (t(lang, "godkendt", "approved")) " " (a.date) " (BLAKE3 " code { (a.document_hash) } ")"
                    }
                }
            }
        }
        h2 { (t(lang, "Beslutninger i registret", "Decisions in the register")) }
        ul {
            @for d in record.agenda.iter().flat_map(|i| &i.decisions) {
                li {
                    a href={ "/decisions?group=" (gid) "&" (keep) "#" (d.id) } { (d.id) }
                    " " (badge(&name_of(&d.outcome), d.outcome.label(lang)))
                }
            }
        }
    };
    page(lang, record.title.as_deref().unwrap_or(&record.group_name), body)
}

pub(super) async fn person(State(s): State<AppState>, Path(pid): Path<String>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let Ok(pid) = PersonId::try_from(pid) else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Ugyldigt person-id", "Invalid person id"));
    };
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let h = match query::person_history(&l.model(), &pid) {
        Ok(h) => h,
        Err(e) => return from_error(lang, e),
    };
    let keep = p.keep();
    let body = html! {
        table {
            (header_row(&[t(lang, "Gruppe", "Group"), t(lang, "Rolle", "Role"), t(lang, "Fra", "From"), t(lang, "Til", "Until")]))
            @for i in &h.memberships {
                tr {
                    td { a href={ "/groups/" (i.group) "?" (keep) } { (i.group) } }
                    td { (minutes::role_label(i.role, i.rank, lang)) }
                    td { (i.start) }
                    td { @if let Some(end) = i.end { (end) } }
                }
            }
        }
        @if !h.attendance.is_empty() {
            h2 { (t(lang, "Møder", "Meetings")) }
            ul {
                @for a in &h.attendance {
                    li {
                        (a.date) " " (a.group) " " @if let Some(n) = a.number { (n) } ": " (a.presence.label(lang))
                    }
                }
            }
        }
    };
    page(lang, &h.name, body)
}
