//! Plain-text tables for the terminal. The same views serialize to JSON for `--json`.

use crate::minutes::{role_label, said_date, Label, Lang};
use crate::model::Membership;
use crate::query::*;
use std::fmt::Write;

/// Left-aligned columns, widths by character count so æ, ø and å line up.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (cell, w) in cells.zip(&widths) {
            let pad = w - cell.chars().count();
            let _ = write!(s, "{cell}{}  ", " ".repeat(pad));
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut out, &mut headers.iter().copied());
    line(&mut out, &mut widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().iter().map(String::as_str));
    for row in rows {
        line(&mut out, &mut row.iter().map(String::as_str));
    }
    out
}

/// Shortens text for a table cell; the full text is in `--json` and the meeting record.
fn clip(s: &str, chars_max: usize) -> String {
    if s.chars().count() <= chars_max {
        return s.to_string();
    }
    s.chars().take(chars_max - 1).collect::<String>() + "…"
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

pub fn groups(rows: &[GroupRow]) -> String {
    table(
        &["group", "name", "kind", "established", "dissolved", "members"],
        &rows
            .iter()
            .map(|g| {
                vec![
                    g.id.to_string(),
                    g.name.clone(),
                    g.group_kind.label(Lang::En).to_string(),
                    g.established.to_string(),
                    opt(&g.dissolved),
                    g.members.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    )
}

pub fn affiliations(c: &crate::query::AffiliationCounts) -> String {
    let mut out = format!("{} ({}) on {}: {} members\n", c.name, c.group, c.at, c.members);
    for (title, counts) in [("By affiliation", &c.by_affiliation), ("By constituency", &c.by_constituency)] {
        let _ = write!(out, "\n{title}:\n");
        let rows: Vec<Vec<String>> = counts
            .iter()
            .map(|x| {
                vec![x.name.clone().unwrap_or_else(|| "(none)".into()), opt(&x.organisation), x.members.to_string()]
            })
            .collect();
        out += &table(&["name", "id", "members"], &rows);
    }
    out
}

pub fn composition(c: &Composition) -> String {
    let mut out = format!("{} ({}) on {}: {} members\n\n", c.name, c.group, c.at, c.members.len());
    out += &table(
        &["person", "name", "role", "on behalf of", "since", "seq"],
        &c.members
            .iter()
            .map(|m| {
                vec![
                    m.person.to_string(),
                    if m.chair { format!("{} (formandskab)", m.name) } else { m.name.clone() },
                    role_of(m),
                    opt(&m.organisation),
                    m.start.to_string(),
                    m.opened_by.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    if let Some(s) = &c.seats {
        let _ = write!(out, "\nSeats: {} held of {}", s.held, s.seats);
        if s.vacant > 0 {
            let _ = write!(out, ", {} vacant", s.vacant);
        }
        if s.over_capacity > 0 {
            let _ = write!(out, ", {} over capacity", s.over_capacity);
        }
        for (c, n) in &s.over_share {
            let _ = write!(out, "; {c} holds {n}, more than its {}", s.per_constituency.unwrap_or_default());
        }
        out += "\n";
    }
    if !c.substitutes.is_empty() {
        out += "\nSubstitutes (not members):\n";
        for s in &c.substitutes {
            let principal = s.substitute_for.as_ref().map(|p| format!(" for {p}")).unwrap_or_default();
            let _ = writeln!(out, "  {} ({}){principal}, since {} (seq {})", s.name, s.person, s.start, s.opened_by);
        }
    }
    if !c.on_leave.is_empty() {
        out += "\nOn leave (still members):\n";
        for l in &c.on_leave {
            let until = l.end.map(|d| format!(" until {d}")).unwrap_or_default();
            let sub = l.substitute_name.as_ref().map(|s| format!(", {s} substituting")).unwrap_or_default();
            let _ = writeln!(out, "  {} ({}) from {}{until}{sub} (seq {})", l.name, l.person, l.start, l.opened_by);
        }
    }
    if !c.nominations.is_empty() {
        out += "\nNominated, not yet appointed:\n";
        for n in &c.nominations {
            let _ = writeln!(
                out,
                "  {} ({}) as {} on {} (seq {})",
                n.name,
                n.person,
                n.role.label(Lang::En),
                n.date,
                n.seq
            );
        }
    }
    out
}

pub fn intervals(title: &str, rows: &[Interval]) -> String {
    let mut out = format!("{title}\n\n");
    out += &table(
        &["from", "until", "person", "group", "role", "on behalf of", "seqs"],
        &rows
            .iter()
            .map(|m| {
                vec![
                    m.start.to_string(),
                    opt(&m.end),
                    m.name.clone(),
                    m.group.to_string(),
                    m.role.label(Lang::En).to_string(),
                    opt(&m.organisation),
                    match m.closed_by {
                        Some(c) => format!("{}-{}", m.opened_by, c),
                        None => m.opened_by.to_string(),
                    },
                ]
            })
            .collect::<Vec<_>>(),
    );
    out
}

pub fn decisions(rows: &[DecisionView]) -> String {
    let mut out = table(
        &["date", "meeting", "item", "decision", "outcome", "status"],
        &rows
            .iter()
            .map(|d| {
                vec![
                    d.date.to_string(),
                    format!("{} {}", d.group, opt(&d.meeting_number)),
                    d.item.to_string(),
                    d.id.to_string(),
                    d.outcome.label(Lang::En).to_string(),
                    d.status.label(Lang::En).to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    );
    for d in rows {
        let _ = write!(out, "\n{} ({}, item {}: {})\n  {}\n", d.id, d.date, d.item, d.item_title, d.text);
        for c in &d.conditions {
            let _ = writeln!(out, "  reservation: {c}");
        }
        if let Some(t) = d.takes_effect {
            let _ = writeln!(out, "  takes effect: {}", said_date(Lang::En, &t));
        }
        if let Some(x) = &d.deferred {
            let _ = writeln!(out, "  left for later: {x}");
        }
        for s in &d.status_history {
            let _ = writeln!(out, "  {} {} (seq {})", s.date, s.status.label(Lang::En), s.seq);
        }
    }
    out
}

pub fn actions(rows: &[ActionView]) -> String {
    table(
        &["state", "due", "owner", "action", "from", "id"],
        &rows
            .iter()
            .map(|a| {
                vec![
                    a.state.label(Lang::En).to_string(),
                    a.due.map(|d| said_date(Lang::En, &d)).unwrap_or_default(),
                    a.owner_name.clone(),
                    clip(&a.description, 70),
                    format!("{} item {}", a.meeting, a.item),
                    a.id.to_string(),
                ]
            })
            .collect::<Vec<_>>(),
    )
}

pub fn meeting(r: &MeetingRecord) -> String {
    let mut out = format!(
        "{} – meeting {} ({}), {}{}\n",
        r.group_name,
        opt(&r.number),
        r.meeting_kind.label(Lang::En),
        r.starts_at,
        r.ends_at.map(|e| format!(" to {e}")).unwrap_or_default()
    );
    if let Some(p) = &r.place {
        let _ = writeln!(out, "Place: {}", p.replace('\n', ", "));
    }
    out += "\n";
    out += &table(
        &["attendee", "presence", "capacity", "role", "note"],
        &r.attendees
            .iter()
            .map(|a| {
                let mut note = Vec::new();
                if let Some(n) = &a.in_place_of_name {
                    note.push(format!("in place of {n}"));
                }
                if !a.items.is_empty() {
                    note.push(format!("items {:?}", a.items));
                }
                if a.minute_taker {
                    note.push("minute taker".into());
                }
                vec![
                    match &a.organisation {
                        Some(o) => format!("{}, {o}", a.name),
                        None => a.name.clone(),
                    },
                    a.presence.label(Lang::En).to_string(),
                    a.capacity.label(Lang::En).to_string(),
                    a.role.map(|r| r.label(Lang::En).to_string()).unwrap_or_default(),
                    note.join("; "),
                ]
            })
            .collect::<Vec<_>>(),
    );
    for it in &r.agenda {
        let presenters: Vec<&str> = it.presenters.iter().map(|p| p.name.as_str()).collect();
        let _ = write!(out, "\n{}. {}", it.shown_number(), it.title);
        if !presenters.is_empty() {
            let _ = write!(out, " v/ {}", presenters.join(", "));
        }
        out += "\n";
        for d in &it.decisions {
            let _ = writeln!(out, "   [{}] {}", d.outcome.label(Lang::En), d.text);
            for c in &d.conditions {
                let _ = writeln!(out, "   reservation: {c}");
            }
        }
        for a in &it.actions {
            let _ = writeln!(
                out,
                "   action ({}): {} – {}{}",
                a.state.label(Lang::En),
                a.owner_name,
                a.description,
                a.due.map(|d| format!(", due {}", said_date(Lang::En, &d))).unwrap_or_default()
            );
        }
    }
    if let Some(n) = &r.next_meeting {
        let _ = writeln!(
            out,
            "\nNext meeting: {}{}",
            n.starts_at,
            n.ends_at.map(|e| format!(" to {e}")).unwrap_or_default()
        );
    }
    out
}

/// A role with its rank where it has one: "1st vice chair".
fn role_of(m: &Membership) -> String {
    role_label(m.role, m.rank, Lang::En)
}
