//! Minutes rendered from the ledger alone: the decision minutes (Beslutningsreferat) in
//! Danish, following the structure of the secretariat's own, or in English, as Markdown or
//! HTML. Deterministic: the same ledger renders the same bytes, so a rendering can be
//! approved by hash and checked again later.

use crate::error::Error;
use crate::event::{Capacity, Presence};
use crate::ids::{GroupId, Hash, MeetingId, Seq};
use crate::query;
use crate::query::{AttendeeView, MeetingRecord};
use crate::state::Model;
use crate::when::When;
use chrono::{Datelike, NaiveDate, Timelike, Weekday};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    Da,
    En,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
}

/// Every language and format, for checking which rendering was approved.
pub const ALL: [(Lang, Format); 4] =
    [(Lang::Da, Format::Md), (Lang::Da, Format::Html), (Lang::En, Format::Md), (Lang::En, Format::Html)];

/// The document, before it becomes Markdown or HTML: one structure, two writers.
enum Block {
    Title(String),
    Field(String, Vec<String>),
    /// A field whose lines belong together, like an address.
    Lines(String, Vec<String>),
    Heading(String),
    Para(String),
    List(Vec<String>),
    Numbered(Vec<(u32, String)>),
    Label(String),
}

struct Words {
    decision_minutes: &'static str,
    minutes: &'static str,
    meeting: &'static str,
    place: &'static str,
    when: &'static str,
    present: &'static str,
    secretariat: &'static str,
    observers: &'static str,
    guests: &'static str,
    apologies: &'static str,
    next: &'static str,
    agenda: &'static str,
    decision: &'static str,
    reservations: &'static str,
    takes_effect: &'static str,
    deferred: &'static str,
    actions: &'static str,
    chair: &'static str,
    minute_taker: &'static str,
    presented_by: &'static str,
    in_absence_of: &'static str,
    due: &'static str,
}

const DA: Words = Words {
    decision_minutes: "Beslutningsreferat",
    minutes: "Referat",
    meeting: "Mødetitel",
    place: "Sted",
    when: "Dato og tid",
    present: "Deltagerkreds",
    secretariat: "Sekretariatet",
    observers: "Observatør",
    guests: "Gæster",
    apologies: "Afbud",
    next: "Næste møde",
    agenda: "Dagsorden",
    decision: "Beslutning",
    reservations: "Forbehold",
    takes_effect: "Træder i kraft",
    deferred: "Til senere",
    actions: "Opfølgning",
    chair: "formandskab",
    minute_taker: "referent",
    presented_by: "v/",
    in_absence_of: "i fravær af",
    due: "frist",
};

const EN: Words = Words {
    decision_minutes: "Decision minutes",
    minutes: "Minutes",
    meeting: "Meeting",
    place: "Place",
    when: "Date and time",
    present: "Present",
    secretariat: "Secretariat",
    observers: "Observers",
    guests: "Guests",
    apologies: "Apologies",
    next: "Next meeting",
    agenda: "Agenda",
    decision: "Decision",
    reservations: "Reservations",
    takes_effect: "Takes effect",
    deferred: "Left for later",
    actions: "Actions",
    chair: "chair",
    minute_taker: "minute taker",
    presented_by: "presented by ",
    in_absence_of: "in the absence of",
    due: "due",
};

fn weekday(lang: Lang, d: Weekday) -> &'static str {
    let i = d.num_days_from_monday() as usize;
    match lang {
        Lang::Da => ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"][i],
        Lang::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i],
    }
}

fn month(lang: Lang, m: u32) -> &'static str {
    let i = (m - 1) as usize;
    match lang {
        Lang::Da => [
            "januar",
            "februar",
            "marts",
            "april",
            "maj",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "december",
        ][i],
        Lang::En => [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ][i],
    }
}

/// "Onsdag 21. januar 2026" / "Wednesday 21 January 2026".
pub fn long_date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Da => format!("{} {}. {} {}", weekday(lang, d.weekday()), d.day(), month(lang, d.month()), d.year()),
        Lang::En => format!("{} {} {} {}", weekday(lang, d.weekday()), d.day(), month(lang, d.month()), d.year()),
    }
}

/// "30. september 2025" / "30 September 2025": a date inside a sentence.
fn plain_date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Da => format!("{}. {} {}", d.day(), month(lang, d.month()), d.year()),
        Lang::En => format!("{} {} {}", d.day(), month(lang, d.month()), d.year()),
    }
}

fn clock(lang: Lang, w: &When) -> Option<String> {
    match w {
        When::Date(_) => None,
        When::Instant(t) => Some(match lang {
            Lang::Da => format!("{:02}.{:02}", t.hour(), t.minute()),
            Lang::En => format!("{:02}:{:02}", t.hour(), t.minute()),
        }),
    }
}

/// "Onsdag 21. januar 2026 kl. 14.00-17.00", in the meeting's own offset.
fn date_and_time(lang: Lang, starts: &When, ends: &Option<When>) -> String {
    let mut s = long_date(lang, starts.date());
    if let Some(from) = clock(lang, starts) {
        s += if lang == Lang::Da { " kl. " } else { ", " };
        s += &from;
        if let Some(to) = ends.as_ref().and_then(|e| clock(lang, e)) {
            s += &format!("-{to}");
        }
    }
    s
}

fn items_phrase(lang: Lang, items: &[u32]) -> String {
    let nums: Vec<String> = items.iter().map(u32::to_string).collect();
    let joined = match nums.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {} {last}", init.join(", "), if lang == Lang::Da { "og" } else { "and" }),
    };
    match (lang, items.len()) {
        (Lang::Da, _) => format!("under punkt {joined}"),
        (Lang::En, 1) => format!("for item {joined}"),
        (Lang::En, _) => format!("for items {joined}"),
    }
}

fn person_line(lang: Lang, w: &Words, a: &AttendeeView, with_org: bool) -> String {
    let mut s = a.name.clone();
    if with_org {
        if let Some(o) = &a.organisation {
            s += &format!(", {o}");
        }
    }
    let mut marks = Vec::new();
    if a.role.is_some_and(|r| r.is_chair()) {
        marks.push(w.chair.to_string());
    }
    if a.minute_taker {
        marks.push(w.minute_taker.to_string());
    }
    if !marks.is_empty() {
        s += &format!(" ({})", marks.join(", "));
    }
    if let Some(n) = &a.in_place_of_name {
        s += &format!(", {} {n}", w.in_absence_of);
    }
    if !a.items.is_empty() {
        s += if lang == Lang::Da { " " } else { ", " };
        s += &items_phrase(lang, &a.items);
    }
    s
}

fn document(model: &Model, r: &MeetingRecord, lang: Lang) -> Vec<Block> {
    let w = if lang == Lang::Da { &DA } else { &EN };
    let mut doc = Vec::new();
    let has_decisions = r.agenda.iter().any(|i| i.decision.is_some());
    doc.push(Block::Title(if has_decisions { w.decision_minutes } else { w.minutes }.to_string()));
    let title = r
        .title
        .clone()
        .unwrap_or_else(|| format!("{} {}", r.group_name, r.number.map(|n| n.to_string()).unwrap_or_default()));
    doc.push(Block::Field(w.meeting.into(), vec![title]));
    if let Some(p) = &r.place {
        doc.push(Block::Lines(w.place.into(), p.lines().map(str::to_string).collect()));
    }
    doc.push(Block::Field(w.when.into(), vec![date_and_time(lang, &r.starts_at, &r.ends_at)]));
    let present = |c: Capacity| r.attendees.iter().filter(move |a| a.presence == Presence::Present && a.capacity == c);
    let members: Vec<String> = present(Capacity::Member).map(|a| person_line(lang, w, a, true)).collect();
    if !members.is_empty() {
        doc.push(Block::Field(w.present.into(), members));
    }
    let secretariat: Vec<&AttendeeView> = present(Capacity::Secretariat).collect();
    if let Some(first) = secretariat.first() {
        // Headed by the secretariat group's own name ("ATMP Danmark sekretariatet") when known.
        let day = r.starts_at.date();
        let heading = model
            .person_memberships(&first.person)
            .iter()
            .filter(|m| m.covers(day))
            .filter_map(|m| model.group(&m.group))
            .find(|g| g.group_kind == crate::event::GroupKind::Secretariat)
            .map_or_else(|| w.secretariat.to_string(), |g| g.name);
        doc.push(Block::Field(heading, secretariat.iter().map(|a| person_line(lang, w, a, false)).collect()));
    }
    let observers: Vec<String> = present(Capacity::Observer).map(|a| person_line(lang, w, a, true)).collect();
    if !observers.is_empty() {
        doc.push(Block::Field(w.observers.into(), observers));
    }
    let guests: Vec<String> = present(Capacity::Guest).map(|a| person_line(lang, w, a, true)).collect();
    if !guests.is_empty() {
        doc.push(Block::Field(w.guests.into(), guests));
    }
    let apologies: Vec<String> = r
        .attendees
        .iter()
        .filter(|a| a.presence == Presence::Apologies)
        .map(|a| person_line(lang, w, a, true))
        .collect();
    if !apologies.is_empty() {
        doc.push(Block::Field(w.apologies.into(), apologies));
    }
    if let Some(n) = &r.next_meeting {
        let mut lines = vec![date_and_time(lang, &n.starts_at, &n.ends_at)];
        lines.extend(n.place.iter().flat_map(|p| p.lines().map(str::to_string)));
        doc.push(Block::Lines(w.next.into(), lines));
    }
    if !r.agenda.is_empty() {
        doc.push(Block::Heading(w.agenda.into()));
        doc.push(Block::Numbered(r.agenda.iter().map(|i| (i.number, i.title.clone())).collect()));
    }
    for item in &r.agenda {
        let presenters: Vec<&str> = item.presenters.iter().map(|p| p.name.as_str()).collect();
        let mut heading = format!("{}. {}", item.number, item.title);
        if !presenters.is_empty() {
            heading += &format!(" {}{}", w.presented_by, presenters.join(", "));
        }
        doc.push(Block::Heading(heading));
        for para in item.text.iter().flat_map(|t| t.split("\n\n")) {
            let lines: Vec<&str> = para.lines().collect();
            if !lines.is_empty() && lines.iter().all(|l| l.starts_with("• ")) {
                doc.push(Block::List(lines.iter().map(|l| l.trim_start_matches("• ").to_string()).collect()));
            } else {
                doc.push(Block::Para(para.to_string()));
            }
        }
        if let Some(d) = &item.decision {
            doc.push(Block::Label(w.decision.into()));
            doc.push(Block::Para(d.text.clone()));
            if !d.conditions.is_empty() {
                doc.push(Block::Field(w.reservations.into(), d.conditions.clone()));
            }
            if let Some(t) = &d.takes_effect {
                doc.push(Block::Field(w.takes_effect.into(), vec![plain_date(lang, t.date())]));
            }
            if let Some(x) = &d.deferred {
                doc.push(Block::Field(w.deferred.into(), vec![x.clone()]));
            }
        }
        if !item.actions.is_empty() {
            let mut actions: Vec<_> = item.actions.iter().collect();
            actions.sort_by_key(|a| a.seq);
            let lines = actions
                .iter()
                .map(|a| {
                    let due = a.due.map(|d| format!(" ({} {})", w.due, plain_date(lang, d))).unwrap_or_default();
                    format!("{}: {}{due}", a.owner_name, a.description)
                })
                .collect();
            doc.push(Block::Label(format!("{}:", w.actions)));
            doc.push(Block::List(lines));
        }
    }
    doc
}

fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn to_markdown(doc: &[Block]) -> String {
    let mut out = String::new();
    for b in doc {
        match b {
            Block::Title(t) => out += &format!("# {}\n\n", md_escape(t)),
            Block::Field(label, lines) if lines.len() == 1 => {
                out += &format!("**{}:** {}\n\n", md_escape(label), md_escape(&lines[0]))
            }
            Block::Field(label, lines) => {
                out += &format!("**{}:**\n\n", md_escape(label));
                for l in lines {
                    out += &format!("- {}\n", md_escape(l));
                }
                out += "\n";
            }
            Block::Lines(label, lines) => {
                let lines: Vec<String> = lines.iter().map(|l| md_escape(l)).collect();
                out += &format!("**{}:** {}\n\n", md_escape(label), lines.join("  \n"))
            }
            Block::Heading(h) => out += &format!("## {}\n\n", md_escape(h)),
            Block::Para(p) => out += &format!("{}\n\n", p.lines().map(md_escape).collect::<Vec<_>>().join("  \n")),
            Block::List(items) => {
                for i in items {
                    out += &format!("- {}\n", md_escape(i));
                }
                out += "\n";
            }
            Block::Numbered(items) => {
                for (n, t) in items {
                    out += &format!("{n}. {}\n", md_escape(t));
                }
                out += "\n";
            }
            Block::Label(l) => out += &format!("**{}**\n\n", md_escape(l)),
        }
    }
    out.trim_end().to_string() + "\n"
}

fn to_html(doc: &[Block], lang: Lang) -> String {
    let title = doc.iter().find_map(|b| if let Block::Title(t) = b { Some(t.as_str()) } else { None }).unwrap_or("");
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body>\n{}</body>\n</html>\n",
        if lang == Lang::Da { "da" } else { "en" },
        html_escape(title),
        html_blocks(doc)
    )
}

fn html_blocks(doc: &[Block]) -> String {
    let mut out = String::new();
    for b in doc {
        match b {
            Block::Title(t) => out += &format!("<h1>{}</h1>\n", html_escape(t)),
            Block::Field(label, lines) if lines.len() == 1 => {
                out += &format!("<p><strong>{}:</strong> {}</p>\n", html_escape(label), html_escape(&lines[0]))
            }
            Block::Field(label, lines) => {
                out += &format!("<p><strong>{}:</strong></p>\n<ul>\n", html_escape(label));
                for l in lines {
                    out += &format!("<li>{}</li>\n", html_escape(l));
                }
                out += "</ul>\n";
            }
            Block::Lines(label, lines) => {
                let lines: Vec<String> = lines.iter().map(|l| html_escape(l)).collect();
                out += &format!("<p><strong>{}:</strong> {}</p>\n", html_escape(label), lines.join("<br>\n"))
            }
            Block::Heading(h) => out += &format!("<h2>{}</h2>\n", html_escape(h)),
            Block::Para(p) => {
                out += &format!("<p>{}</p>\n", p.lines().map(html_escape).collect::<Vec<_>>().join("<br>\n"))
            }
            Block::List(items) => {
                out += "<ul>\n";
                for i in items {
                    out += &format!("<li>{}</li>\n", html_escape(i));
                }
                out += "</ul>\n";
            }
            Block::Numbered(items) => {
                out += "<ol>\n";
                for (n, t) in items {
                    out += &format!("<li value=\"{n}\">{}</li>\n", html_escape(t));
                }
                out += "</ol>\n";
            }
            Block::Label(l) => out += &format!("<p><strong>{}</strong></p>\n", html_escape(l)),
        }
    }
    out
}

/// The minutes as an HTML fragment, for a page that has its own frame (the site).
pub fn html_fragment(model: &Model, record: &MeetingRecord, lang: Lang) -> String {
    html_blocks(&document(model, record, lang))
}

/// Renders the minutes of a group's meeting by number, from the model alone. Memberships
/// are read on the meeting's date, and nothing on the page depends on later dates.
pub fn render_meeting(model: &Model, group: &str, number: u32, lang: Lang, format: Format) -> Result<String, Error> {
    let g = GroupId::try_from(group).map_err(|e| Error::Input(format!("group: {e}")))?;
    let (_, mt) = query::find_meeting(model, &g, number)?;
    let record = query::meeting_record(model, &g, number, mt.date())?;
    Ok(render(model, &record, lang, format))
}

/// An approval a document matched.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Approved {
    pub meeting: MeetingId,
    pub group: GroupId,
    pub number: Option<u32>,
    pub held: NaiveDate,
    pub approved: NaiveDate,
    pub seq: Seq,
    pub document_hash: Hash,
    pub document_name: Option<String>,
}

impl std::fmt::Display for Approved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the approved minutes of {} meeting {} ({}, held {}), approved {} at seq {}",
            self.group,
            self.number.map(|n| n.to_string()).unwrap_or_default(),
            self.meeting,
            self.held,
            self.approved,
            self.seq
        )
    }
}

/// Every approval of minutes whose document hashes like `document`.
pub fn find_approved(model: &Model, document: &[u8]) -> Result<Vec<Approved>, Error> {
    let h = crate::hash::document_hash(document);
    let found = model
        .meetings_approving(&h)
        .into_iter()
        .flat_map(|(id, mt)| {
            mt.minutes_approvals
                .iter()
                .filter(|a| a.document_hash == h)
                .map(|a| Approved {
                    meeting: id.clone(),
                    group: mt.group.clone(),
                    number: mt.number,
                    held: mt.date(),
                    approved: a.date,
                    seq: a.seq,
                    document_hash: a.document_hash,
                    document_name: a.document_name.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    model.fault()?;
    Ok(found)
}

/// Whether today's rendering of a meeting, in any language and format, still hashes to
/// one of its approved documents.
pub fn check_rendered(model: &Model, group: &str, number: u32) -> Result<String, Error> {
    let g = GroupId::try_from(group).map_err(|e| Error::Input(format!("group: {e}")))?;
    let (_, mt) = query::find_meeting(model, &g, number)?;
    if mt.minutes_approvals.is_empty() {
        return Err(Error::NoMatch(format!("{group} meeting {number} has no approved minutes")));
    }
    for (lang, format) in ALL {
        let h = crate::hash::document_hash(render_meeting(model, group, number, lang, format)?.as_bytes());
        if let Some(a) = mt.minutes_approvals.iter().find(|a| a.document_hash == h) {
            return Ok(format!(
                "today's rendering of {group} meeting {number} ({lang:?}, {format:?}) hashes to {h}, as approved on {} at seq {}",
                a.date, a.seq
            ));
        }
    }
    Err(Error::NoMatch(format!(
        "today's rendering of {group} meeting {number} matches none of its approved minutes ({}): the record has changed since approval",
        mt.minutes_approvals.iter().map(|a| format!("{} at seq {}", a.document_hash, a.seq)).collect::<Vec<_>>().join(", ")
    )))
}

/// Renders a meeting's minutes from the model alone.
pub fn render(model: &Model, record: &MeetingRecord, lang: Lang, format: Format) -> String {
    let doc = document(model, record, lang);
    match format {
        Format::Md => to_markdown(&doc),
        Format::Html => to_html(&doc, lang),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_and_english_long_dates() {
        let d = NaiveDate::from_ymd_opt(2026, 1, 21).unwrap();
        assert_eq!(long_date(Lang::Da, d), "Onsdag 21. januar 2026");
        assert_eq!(long_date(Lang::En, d), "Wednesday 21 January 2026");
        let starts = When::parse("2026-04-29T13:00:00+02:00").unwrap();
        let ends = Some(When::parse("2026-04-29T15:00:00+02:00").unwrap());
        assert_eq!(date_and_time(Lang::Da, &starts, &ends), "Onsdag 29. april 2026 kl. 13.00-15.00");
        assert_eq!(date_and_time(Lang::En, &starts, &ends), "Wednesday 29 April 2026, 13:00-15:00");
    }

    #[test]
    fn item_phrases() {
        assert_eq!(items_phrase(Lang::Da, &[5, 7]), "under punkt 5 og 7");
        assert_eq!(items_phrase(Lang::En, &[1]), "for item 1");
        assert_eq!(items_phrase(Lang::En, &[1, 2, 3]), "for items 1, 2 and 3");
    }

    #[test]
    fn escaping_makes_markup_inert() {
        assert_eq!(html_escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(md_escape("*a* [b](c)"), "\\*a\\* \\[b\\](c)");
    }
}
