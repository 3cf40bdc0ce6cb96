//! The home page: what the body is, its next meetings, latest decisions and open
//! actions, its groups, and where the ledger stands; each list a few rows, read from
//! the end of its register or index, with a link to the whole.

use super::*;
use crate::event::name_of;
use crate::minutes::{self, Label};
use crate::query;
use axum::extract::State;

/// How many of each the home page shows; the pages it links to have them all.
pub const HOME_ROWS: usize = 5;

pub(super) async fn home(State(s): State<AppState>, SiteQuery(p): SiteQuery) -> Response {
    let lang = p.lang();
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let today = s.today();
    let m = &l.model();
    let read = (|| {
        let groups = query::group_summaries(m, today)?;
        let upcoming = query::upcoming(m, today)?;
        let latest = query::latest_decisions(m, today, HOME_ROWS)?;
        let open = query::open_actions(m, today, HOME_ROWS)?;
        let checkpoint = l.last_checkpoint_size()?;
        Ok::<_, crate::Error>((groups, upcoming, latest, open, checkpoint))
    })();
    let (groups, upcoming, latest, open, checkpoint) = match read {
        Ok(x) => x,
        Err(e) => return from_error(lang, e),
    };
    // The body is the group at the top, where there is one: the others report to it.
    let tops: Vec<&query::GroupSummary> =
        groups.iter().filter(|g| g.parent.is_none() && g.dissolved.is_none_or(|d| today < d)).collect();
    let title = match tops.as_slice() {
        [top] => top.name.clone(),
        _ => t(lang, "Protokol", "Record").to_string(),
    };
    let keep = p.keep();
    // What the ledger is now, and what the server's last verify found: never a verify
    // on a request.
    let (seq, hash) = l.head().unwrap_or((crate::ids::Seq(0), crate::ids::Hash::ZERO));
    let body = html! {
        p class="lead" {
            (t(lang,
                "Protokollen over grupperne, deres møder, beslutninger og opgaver: hvem der sad med hvornår, hvad der blev besluttet, og hvad der står åbent. Alt er ført i en log, som enhver kan kontrollere.",
                "The record of the groups, their meetings, decisions and actions: who sat on them when, what was decided, and what is still open. Everything is kept in a log anyone can check."))
        }
        @for top in &tops {
            @if let Some(mandate) = &top.mandate { p { (mandate) } }
        }
        h2 { (t(lang, "Kommende møder", "Next meetings")) }
        @if upcoming.is_empty() {
            p { (t(lang, "Ingen møder er planlagt.", "No meetings are scheduled.")) }
        } @else {
            ul id="next-meetings" {
                @for r in upcoming.iter().take(HOME_ROWS) { li { (super::directory::meeting_line(lang, r, &p)) } }
            }
        }
        p {
            a href={ "/meetings?" (keep) } { (t(lang, "Alle møder", "All meetings")) }
            " · "
            a href="/meetings.ics" { (t(lang, "Kalender (iCal)", "Calendar (iCal)")) }
        }
        h2 { (t(lang, "Seneste beslutninger", "Latest decisions")) }
        @if latest.is_empty() {
            p { (t(lang, "Ingen beslutninger endnu.", "No decisions yet.")) }
        } @else {
            ul id="latest-decisions" {
                @for d in &latest {
                    li {
                        (d.date) ": "
                        a href={ "/decisions?group=" (d.group) "&" (keep) "#" (d.id) } { (d.item_title) }
                        " " (badge(&name_of(&d.outcome), d.outcome.label(lang)))
                    }
                }
            }
        }
        p {
            a href={ "/decisions?" (keep) } { (t(lang, "Hele beslutningsregistret", "The whole decision register")) }
            " · "
            a href="/decisions.atom" { (t(lang, "Nyhedsfeed (Atom)", "News feed (Atom)")) }
        }
        h2 { (t(lang, "Åbne opgaver", "Open actions")) ": " (open.count) }
        @if !open.latest.is_empty() {
            p { (t(lang, "De senest aftalte:", "The latest agreed:")) }
            ul id="open-actions" {
                @for a in &open.latest {
                    li {
                        a href={ "/actions?" (keep) "#" (a.id) } { (a.description) }
                        " (" (a.owner_name)
                        @if let Some(due) = &a.due { ", " (t(lang, "frist", "due")) " " (minutes::said_date(lang, due)) }
                        ") " (badge(&name_of(&a.state), a.state.label(lang)))
                    }
                }
            }
        }
        p { a href={ "/actions?" (keep) } { (t(lang, "Alle opgaver", "All actions")) } }
        h2 { (t(lang, "Grupper", "Groups")) }
        table {
            (header_row(&[t(lang, "Gruppe", "Group"), t(lang, "Type", "Kind")]))
            @for g in &groups {
                tr {
                    td { a href={ "/groups/" (g.id) "?" (keep) } { (g.name) } }
                    td { (g.group_kind.label(lang)) @if let Some(d) = g.dissolved { @if d <= today { ", " (t(lang, "nedlagt", "dissolved")) " " (d) } } }
                }
            }
        }
        p {
            a href={ "/people?" (keep) } { (t(lang, "Personer", "People")) }
            " · "
            a href={ "/organisations?" (keep) } { (t(lang, "Organisationer", "Organisations")) }
        }
        h2 { (t(lang, "Ledgeren", "The ledger")) }
        p {
            (t(lang, "Protokollen rummer", "The record holds")) " " strong { (seq.0) } " "
            (t(lang, "hændelser", "events")) ", head " code { (hash) }
        }
        @if let Some(size) = checkpoint {
            p {
                (t(lang, "Senest signeret:", "Last signed:")) " "
                a href="/checkpoint" { (t(lang, "checkpoint ved", "checkpoint at")) " " (size) " " (t(lang, "hændelser", "events")) }
            }
        }
        @match s.last_verify() {
            Some(v) if v.ok => {
                p {
                    (t(lang, "Kæden er verificeret:", "The chain verifies:")) " " strong { (v.count) } " "
                    (t(lang, "hændelser", "events")) " (" (t(lang, "kontrolleret", "checked")) " "
                    (v.verified_at.format("%Y-%m-%d %H:%M UTC")) ")"
                }
            }
            Some(v) => {
                p class="err" {
                    (t(lang, "Verifikation fejlede", "Verification failed")) ": " (v.error.as_deref().unwrap_or(""))
                }
            }
            None => { p { (t(lang, "Endnu ikke verificeret af serveren.", "Not yet verified by the server.")) } }
        }
    };
    page(lang, &title, body)
}
