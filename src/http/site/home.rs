//! The home page: what the body is, its next meetings, latest decisions and open
//! actions, its groups, and where the ledger stands; each list a few rows, read from
//! the end of its register or index, with a link to the whole.

use super::*;
use crate::minutes::{self, Label};
use crate::query;
use axum::extract::State;
use std::fmt::Write;

/// How many of each the home page shows; the pages it links to have them all.
pub const HOME_ROWS: usize = 5;

pub(super) async fn home(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let l = s.read();
    let today = s.today();
    let m = &l.model();
    let groups = match query::groups(m, today) {
        Ok(g) => g,
        Err(e) => return from_error(lang, e),
    };
    // The body is the group at the top, where there is one: the others report to it.
    let tops: Vec<&query::GroupRow> =
        groups.iter().filter(|g| g.parent.is_none() && g.dissolved.is_none_or(|d| today < d)).collect();
    let title = match tops.as_slice() {
        [top] => top.name.clone(),
        _ => t(lang, "Protokol", "Record").to_string(),
    };
    let mut body = format!(
        "<p class=\"lead\">{}</p>\n",
        t(
            lang,
            "Protokollen over grupperne, deres møder, beslutninger og opgaver: hvem der sad med hvornår, hvad der blev besluttet, og hvad der står åbent. Alt er ført i en log, som enhver kan kontrollere.",
            "The record of the groups, their meetings, decisions and actions: who sat on them when, what was decided, and what is still open. Everything is kept in a log anyone can check."
        )
    );
    for top in &tops {
        if let Some(mandate) = &top.mandate {
            let _ = writeln!(body, "<p>{}</p>", esc(mandate));
        }
    }
    let upcoming = match query::upcoming(m, today) {
        Ok(u) => u,
        Err(e) => return from_error(lang, e),
    };
    let _ = writeln!(body, "<h2>{}</h2>", t(lang, "Kommende møder", "Next meetings"));
    if upcoming.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", t(lang, "Ingen møder er planlagt.", "No meetings are scheduled."));
    } else {
        body += "<ul id=\"next-meetings\">\n";
        for r in upcoming.iter().take(HOME_ROWS) {
            let _ = writeln!(body, "<li>{}</li>", super::directory::meeting_line(lang, r, &p));
        }
        body += "</ul>\n";
    }
    let _ = writeln!(
        body,
        "<p><a href=\"/meetings?{}\">{}</a> · <a href=\"/meetings.ics\">{}</a></p>",
        p.keep(),
        t(lang, "Alle møder", "All meetings"),
        t(lang, "Kalender (iCal)", "Calendar (iCal)")
    );
    let latest = match query::latest_decisions(m, today, HOME_ROWS) {
        Ok(d) => d,
        Err(e) => return from_error(lang, e),
    };
    let _ = writeln!(body, "<h2>{}</h2>", t(lang, "Seneste beslutninger", "Latest decisions"));
    if latest.is_empty() {
        let _ = writeln!(body, "<p>{}</p>", t(lang, "Ingen beslutninger endnu.", "No decisions yet."));
    } else {
        body += "<ul id=\"latest-decisions\">\n";
        for d in &latest {
            let _ = writeln!(
                body,
                "<li>{}: <a href=\"/decisions?group={}&{}#{}\">{}</a> {}</li>",
                d.date,
                esc(d.group.as_str()),
                p.keep(),
                esc(d.id.as_str()),
                esc(&d.item_title),
                badge(&crate::event::name_of(&d.outcome), d.outcome.label(lang))
            );
        }
        body += "</ul>\n";
    }
    let _ = writeln!(
        body,
        "<p><a href=\"/decisions?{}\">{}</a> · <a href=\"/decisions.atom\">{}</a></p>",
        p.keep(),
        t(lang, "Hele beslutningsregistret", "The whole decision register"),
        t(lang, "Nyhedsfeed (Atom)", "News feed (Atom)")
    );
    let mut actions = match query::actions(m, today) {
        Ok(a) => a,
        Err(e) => return from_error(lang, e),
    };
    super::registers::open_first(&mut actions);
    let open: Vec<&query::ActionView> = actions.iter().filter(|a| a.state != query::ActionState::Done).collect();
    let _ = writeln!(body, "<h2>{}: {}</h2>", t(lang, "Åbne opgaver", "Open actions"), open.len());
    if !open.is_empty() {
        body += "<ul id=\"open-actions\">\n";
        for a in open.iter().take(HOME_ROWS) {
            let due = a.due.as_ref().map(|d| format!(", {} {}", t(lang, "frist", "due"), minutes::said_date(lang, d)));
            let _ = writeln!(
                body,
                "<li><a href=\"/actions?{}#{}\">{}</a> ({}{}) {}</li>",
                p.keep(),
                esc(a.id.as_str()),
                esc(&a.description),
                esc(&a.owner_name),
                esc(&due.unwrap_or_default()),
                badge(&crate::event::name_of(&a.state), a.state.label(lang))
            );
        }
        body += "</ul>\n";
    }
    let _ = writeln!(body, "<p><a href=\"/actions?{}\">{}</a></p>", p.keep(), t(lang, "Alle opgaver", "All actions"));
    let _ = writeln!(
        body,
        "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        t(lang, "Grupper", "Groups"),
        t(lang, "Gruppe", "Group"),
        t(lang, "Type", "Kind"),
        t(lang, "Medlemmer i dag", "Members today")
    );
    for g in &groups {
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/groups/{}?{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
            esc(g.id.as_str()),
            p.keep(),
            esc(&g.name),
            esc(g.group_kind.label(lang)),
            g.members
        );
    }
    body += "</table>\n";
    let _ = writeln!(
        body,
        "<p><a href=\"/people?{k}\">{}</a> · <a href=\"/organisations?{k}\">{}</a></p>",
        t(lang, "Personer", "People"),
        t(lang, "Organisationer", "Organisations"),
        k = p.keep()
    );
    // What the ledger is now, and what the server's last verify found: never a verify
    // on a request.
    let (seq, hash) = l.head().unwrap_or((crate::ids::Seq(0), crate::ids::Hash::ZERO));
    let mut verified = format!(
        "<p>{} <strong>{}</strong> {}, head <code>{}</code></p>\n",
        t(lang, "Protokollen rummer", "The record holds"),
        seq.0,
        t(lang, "hændelser", "events"),
        hash
    );
    match l.last_checkpoint_size() {
        Ok(Some(size)) => {
            let _ = writeln!(
                verified,
                "<p>{} <a href=\"/checkpoint\">{} {size} {}</a></p>",
                t(lang, "Senest signeret:", "Last signed:"),
                t(lang, "checkpoint ved", "checkpoint at"),
                t(lang, "hændelser", "events")
            );
        }
        Ok(None) => {}
        Err(e) => return from_error(lang, e),
    }
    verified += &match s.last_verify() {
        Some(v) if v.ok => format!(
            "<p>{} <strong>{}</strong> {} ({} {})</p>\n",
            t(lang, "Kæden er verificeret:", "The chain verifies:"),
            v.count,
            t(lang, "hændelser", "events"),
            t(lang, "kontrolleret", "checked"),
            v.verified_at.format("%Y-%m-%d %H:%M UTC")
        ),
        Some(v) => format!(
            "<p class=\"err\">{}: {}</p>\n",
            t(lang, "Verifikation fejlede", "Verification failed"),
            esc(v.error.as_deref().unwrap_or(""))
        ),
        None => {
            format!("<p>{}</p>\n", t(lang, "Endnu ikke verificeret af serveren.", "Not yet verified by the server."))
        }
    };
    body += &format!("<h2>{}</h2>\n{verified}", t(lang, "Ledgeren", "The ledger"));
    page(lang, &title, &body)
}
