//! The words of the minutes in Danish and English, and how dates, times and attendees
//! are said in each.

use super::Lang;
use crate::query::AttendeeView;
use crate::when::When;
use chrono::{Datelike, NaiveDate, Timelike, Weekday};

pub(super) struct Words {
    pub(super) decision_minutes: &'static str,
    pub(super) minutes: &'static str,
    pub(super) meeting: &'static str,
    pub(super) place: &'static str,
    pub(super) when: &'static str,
    pub(super) present: &'static str,
    pub(super) secretariat: &'static str,
    pub(super) observers: &'static str,
    pub(super) guests: &'static str,
    pub(super) apologies: &'static str,
    pub(super) absent: &'static str,
    pub(super) next: &'static str,
    pub(super) agenda: &'static str,
    pub(super) decision: &'static str,
    pub(super) reservations: &'static str,
    pub(super) takes_effect: &'static str,
    pub(super) deferred: &'static str,
    pub(super) vote: &'static str,
    pub(super) unanimous: &'static str,
    pub(super) in_favour: &'static str,
    pub(super) against: &'static str,
    pub(super) abstaining: &'static str,
    pub(super) actions: &'static str,
    pub(super) chair: &'static str,
    pub(super) minute_taker: &'static str,
    pub(super) presented_by: &'static str,
    pub(super) in_absence_of: &'static str,
    pub(super) due: &'static str,
    pub(super) substitutes: &'static str,
    pub(super) officers: &'static str,
    pub(super) in_place_of: &'static str,
    pub(super) answered: &'static str,
    pub(super) not_answered: &'static str,
    pub(super) period: &'static str,
    pub(super) status: &'static str,
    pub(super) draft: &'static str,
    pub(super) circulated: &'static str,
    pub(super) approved: &'static str,
    pub(super) reopened: &'static str,
    /// Said where the minutes are translated: their own text is not.
    pub(super) original: Option<&'static str>,
}

pub(super) const DA: Words = Words {
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
    absent: "Fraværende uden afbud",
    next: "Næste møde",
    agenda: "Dagsorden",
    decision: "Beslutning",
    reservations: "Forbehold",
    takes_effect: "Træder i kraft",
    deferred: "Til senere",
    vote: "Afstemning",
    unanimous: "Enstemmigt",
    in_favour: "for",
    against: "imod",
    abstaining: "undlod at stemme",
    actions: "Opfølgning",
    chair: "formandskab",
    minute_taker: "referent",
    presented_by: "v/",
    in_absence_of: "i fravær af",
    due: "frist",
    substitutes: "Stedfortrædere",
    officers: "Embedsmænd",
    in_place_of: "i stedet for",
    answered: "Svar modtaget fra",
    not_answered: "Svarede ikke",
    period: "Periode",
    status: "Status",
    draft: "Udkast",
    circulated: "Udsendt til kommentering",
    approved: "Godkendt",
    reopened: "Genåbnet",
    original: None,
};

pub(super) const EN: Words = Words {
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
    absent: "Absent without apologies",
    next: "Next meeting",
    agenda: "Agenda",
    decision: "Decision",
    reservations: "Reservations",
    takes_effect: "Takes effect",
    deferred: "Left for later",
    vote: "Vote",
    unanimous: "Unanimous",
    in_favour: "in favour",
    against: "against",
    abstaining: "abstaining",
    actions: "Actions",
    chair: "chair",
    minute_taker: "minute taker",
    presented_by: "presented by ",
    in_absence_of: "in the absence of",
    due: "due",
    substitutes: "Substitutes",
    officers: "Officers",
    in_place_of: "in place of",
    answered: "Answers received from",
    not_answered: "Did not answer",
    period: "Period",
    status: "Status",
    draft: "Draft",
    circulated: "Sent for comments",
    approved: "Approved",
    reopened: "Reopened",
    original: Some("The headings and labels are translated; the text of the minutes is in its original language."),
};

pub(super) fn weekday(lang: Lang, d: Weekday) -> &'static str {
    let i = d.num_days_from_monday() as usize;
    match lang {
        Lang::Da => ["Mandag", "Tirsdag", "Onsdag", "Torsdag", "Fredag", "Lørdag", "Søndag"][i],
        Lang::En => ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][i],
    }
}

pub(super) fn month(lang: Lang, m: u32) -> &'static str {
    let i = (m - 1) as usize;
    match lang {
        Lang::Da => crate::said::MONTHS_DA[i],
        Lang::En => crate::said::MONTHS_EN[i],
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
pub(super) fn plain_date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Da => format!("{}. {} {}", d.day(), month(lang, d.month()), d.year()),
        Lang::En => format!("{} {} {}", d.day(), month(lang, d.month()), d.year()),
    }
}

pub(super) fn clock(lang: Lang, w: &When) -> Option<String> {
    match w {
        When::Date(_) => None,
        When::Instant(t) => Some(match lang {
            Lang::Da => format!("{:02}.{:02}", t.hour(), t.minute()),
            Lang::En => format!("{:02}:{:02}", t.hour(), t.minute()),
        }),
    }
}

/// "Onsdag 21. januar 2026 kl. 14.00-17.00", in the meeting's own offset.
pub(super) fn date_and_time(lang: Lang, starts: &When, ends: &Option<When>) -> String {
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

/// "under punkt 5 og 7A": the items as the agenda numbers them (`shown`).
pub(super) fn items_phrase(lang: Lang, items: &[u32], shown: &dyn Fn(u32) -> String) -> String {
    let nums: Vec<String> = items.iter().map(|i| shown(*i)).collect();
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

/// One attendee's line; `shown` says an item's number as the agenda does.
pub(super) fn person_line(
    lang: Lang,
    w: &Words,
    a: &AttendeeView,
    with_org: bool,
    shown: &dyn Fn(u32) -> String,
) -> String {
    let mut s = a.name.clone();
    if with_org {
        if let Some(o) = &a.organisation {
            s += &format!(", {o}");
        }
    }
    let mut marks = Vec::new();
    // The Danish minutes mark the formandskab as such; the English say which chair.
    match a.role.filter(|r| r.is_chair()) {
        Some(r) if lang == Lang::En => marks.push(super::Label::label(r, lang).to_string()),
        Some(_) => marks.push(w.chair.to_string()),
        None => {}
    }
    if a.role == Some(crate::event::Role::ViceChair) {
        marks.push(match (lang, a.rank) {
            (Lang::Da, Some(n)) => format!("{n}. næstformand"),
            (Lang::Da, None) => "næstformand".to_string(),
            (Lang::En, Some(n)) => format!("{} vice chair", ordinal(n)),
            (Lang::En, None) => "vice chair".to_string(),
        });
    }
    if a.minute_taker {
        marks.push(w.minute_taker.to_string());
    }
    if !marks.is_empty() {
        s += &format!(" ({})", marks.join(", "));
    }
    if let Some(n) = &a.in_place_of_name {
        let words = if a.capacity == crate::event::Capacity::Substitute { w.in_place_of } else { w.in_absence_of };
        s += &format!(", {words} {n}");
    }
    if !a.items.is_empty() {
        s += if lang == Lang::Da { " " } else { ", " };
        s += &items_phrase(lang, &a.items, shown);
    }
    if !a.except_items.is_empty() {
        let items = items_phrase(lang, &a.except_items, shown);
        s += &match lang {
            Lang::Da => format!(", deltog ikke {items}"),
            Lang::En => format!(", not taking part in {}", items.trim_start_matches("for ")),
        };
    }
    for (t, da, en) in [(&a.arrived, "kom kl.", "arrived"), (&a.departed, "gik kl.", "left")] {
        if let Some(at) = t.as_ref().and_then(|t| clock(lang, t)) {
            s += &format!(", {} {at}", if lang == Lang::Da { da } else { en });
        }
    }
    s
}

/// "Udkast", "Godkendt 29. april 2026", "Genåbnet 5. maj 2026: REASON".
pub(super) fn minutes_status(lang: Lang, w: &Words, s: &crate::model::MinutesStatus) -> String {
    use crate::model::MinutesStatus::*;
    match s {
        Draft => w.draft.to_string(),
        Circulated { date, .. } => format!("{} {}", w.circulated, plain_date(lang, *date)),
        Approved { date, .. } => format!("{} {}", w.approved, plain_date(lang, *date)),
        Reopened { date, reason, .. } => format!("{} {}: {reason}", w.reopened, plain_date(lang, *date)),
    }
}

/// "1st", "2nd", "3rd", "4th", ..., "11th", "21st".
pub(super) fn ordinal(n: u8) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// "7 for, 2 imod, 1 undlod at stemme" / "Unanimous: 7 in favour".
pub(super) fn tally(w: &Words, v: &crate::event::Votes) -> String {
    let mut parts = vec![format!("{} {}", v.in_favour, w.in_favour), format!("{} {}", v.against, w.against)];
    if v.abstaining > 0 {
        parts.push(format!("{} {}", v.abstaining, w.abstaining));
    }
    if v.unanimous {
        parts.retain(|p| !p.starts_with("0 "));
        return format!("{}: {}", w.unanimous, parts.join(", "));
    }
    parts.join(", ")
}

/// A kind of meeting as the minutes name it: "Ordinært møde", "Skriftlig behandling".
pub fn meeting_kind(lang: Lang, kind: crate::event::MeetingKind) -> &'static str {
    use crate::event::MeetingKind::*;
    match (lang, kind) {
        (Lang::Da, Ordinary) => "Møde",
        (Lang::Da, Extraordinary) => "Ekstraordinært møde",
        (Lang::Da, WrittenProcedure) => "Skriftlig behandling",
        (Lang::Da, AnnualMeeting) => "Generalforsamling",
        (Lang::Da, Election) => "Valg",
        (Lang::Da, ChairsDecision) => "Formandsbeslutning",
        (Lang::En, Ordinary) => "Meeting",
        (Lang::En, Extraordinary) => "Extraordinary meeting",
        (Lang::En, WrittenProcedure) => "Written procedure",
        (Lang::En, AnnualMeeting) => "Annual meeting",
        (Lang::En, Election) => "Election",
        (Lang::En, ChairsDecision) => "Chair's decision",
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
    fn tallies() {
        let v = crate::event::Votes { in_favour: 7, against: 2, abstaining: 1, ..Default::default() };
        assert_eq!(tally(&DA, &v), "7 for, 2 imod, 1 undlod at stemme");
        assert_eq!(tally(&EN, &v), "7 in favour, 2 against, 1 abstaining");
        let u = crate::event::Votes { in_favour: 9, unanimous: true, ..Default::default() };
        assert_eq!(tally(&DA, &u), "Enstemmigt: 9 for");
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].into_iter().map(ordinal).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]);
    }

    #[test]
    fn item_phrases() {
        let plain = |n: u32| n.to_string();
        assert_eq!(items_phrase(Lang::Da, &[5, 7], &plain), "under punkt 5 og 7");
        assert_eq!(items_phrase(Lang::En, &[1], &plain), "for item 1");
        assert_eq!(items_phrase(Lang::En, &[1, 2, 3], &plain), "for items 1, 2 and 3");
        let labelled = |n: u32| if n == 7 { "7A".to_string() } else { n.to_string() };
        assert_eq!(items_phrase(Lang::Da, &[5, 7], &labelled), "under punkt 5 og 7A");
    }
}
