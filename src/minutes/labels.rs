//! Every code a person is shown, as a word of their language: roles, outcomes,
//! statuses, presence, capacities, group, meeting and action kinds. The codes stay in
//! events, keys and `--json`; the words are for tables, minutes and pages.

use super::words::{month, plain_date};
use super::Lang;
use crate::event::{Capacity, DecisionStatus, GroupKind, MeetingKind, Outcome, Presence, Role};
use crate::query::ActionState;
use crate::said::SaidDate;

/// A code's word in a language: `co_chair` is "medformand" or "co-chair".
pub trait Label: Copy {
    fn label(self, lang: Lang) -> &'static str;
}

/// Declares each enum's words once, Danish then English.
macro_rules! labels {
    ($t:ty { $($v:ident => $da:literal, $en:literal;)* }) => {
        impl Label for $t {
            fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((<$t>::$v, Lang::Da) => $da, (<$t>::$v, Lang::En) => $en,)*
                }
            }
        }
    };
}

labels!(Role {
    Chair => "formand", "chair";
    CoChair => "medformand", "co-chair";
    ViceChair => "næstformand", "vice chair";
    Member => "medlem", "member";
    Substitute => "stedfortræder", "substitute";
    Observer => "observatør", "observer";
    Secretary => "sekretær", "secretary";
    Staff => "medarbejder", "staff";
    MinuteTaker => "referent", "minute taker";
});

labels!(Outcome {
    Noted => "taget til efterretning", "noted";
    Approved => "godkendt", "approved";
    ApprovedWithReservations => "godkendt med forbehold", "approved with reservations";
    Decided => "besluttet", "decided";
    Discussed => "drøftet", "discussed";
    Rejected => "afvist", "rejected";
    Postponed => "udsat", "postponed";
});

labels!(DecisionStatus {
    Recorded => "som besluttet", "as decided";
    ConditionsMet => "forbehold opfyldt", "conditions met";
    InProgress => "i gang", "in progress";
    Implemented => "gennemført", "implemented";
    Superseded => "afløst", "superseded";
    Revoked => "ophævet", "revoked";
});

labels!(Presence {
    Present => "til stede", "present";
    Apologies => "afbud", "apologies";
    Absent => "fraværende", "absent";
});

labels!(Capacity {
    Member => "medlem", "member";
    Observer => "observatør", "observer";
    Secretariat => "sekretariat", "secretariat";
    Guest => "gæst", "guest";
    Substitute => "stedfortræder", "substitute";
    Officer => "embedsmand", "officer";
});

labels!(GroupKind {
    Steering => "styregruppe", "steering group";
    Reference => "referencegruppe", "reference group";
    Working => "arbejdsgruppe", "working group";
    Secretariat => "sekretariat", "secretariat";
    Other => "gruppe", "group";
    Council => "råd", "council";
    Board => "bestyrelse", "board";
    Committee => "udvalg", "committee";
});

labels!(MeetingKind {
    Ordinary => "ordinært møde", "ordinary meeting";
    Extraordinary => "ekstraordinært møde", "extraordinary meeting";
    WrittenProcedure => "skriftlig behandling", "written procedure";
    AnnualMeeting => "generalforsamling", "annual meeting";
    Election => "valg", "election";
    ChairsDecision => "formandsbeslutning", "chair's decision";
});

labels!(ActionState {
    Open => "åben", "open";
    Overdue => "overskredet", "overdue";
    Done => "udført", "done";
});

/// A role with its rank where it has one: "1. næstformand", "1st vice chair".
pub fn role_label(role: Role, rank: Option<u8>, lang: Lang) -> String {
    match (rank, lang) {
        (Some(n), Lang::Da) => format!("{n}. {}", role.label(lang)),
        (Some(n), Lang::En) => format!("{} {}", super::words::ordinal(n), role.label(lang)),
        (None, _) => role.label(lang).to_string(),
    }
}

/// A date in the words it was said with: "3. kvartal 2025", "primo april 2026",
/// "forventeligt 10. juni 2025", never a day nobody gave.
pub fn said_date(lang: Lang, d: &SaidDate) -> String {
    use SaidDate::*;
    let da = lang == Lang::Da;
    match *d {
        Exact(w) => plain_date(lang, w.date()),
        About(x) => format!("{} {}", if da { "forventeligt" } else { "around" }, plain_date(lang, x)),
        PartOfMonth(y, m, p) => {
            let part = if da { ["primo", "medio", "ultimo"] } else { ["early", "mid", "late"] }[p as usize];
            format!("{part} {} {y}", month(lang, m))
        }
        Month(y, m) => format!("{} {y}", month(lang, m)),
        Quarter(y, q) if da => format!("{q}. kvartal {y}"),
        Quarter(y, q) => format!("Q{q} {y}"),
        Half(y, h) if da => format!("{h}. halvår {y}"),
        Half(y, h) => format!("the {} half of {y}", if h == 1 { "first" } else { "second" }),
        Year(y) => y.to_string(),
        NextMeeting if da => "inden næste møde".into(),
        NextMeeting => "before the next meeting".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value of every enum has a word in both languages, and no word is a code.
    #[test]
    fn every_code_has_a_word_that_is_not_a_code() {
        let words: Vec<&str> = [Lang::Da, Lang::En]
            .into_iter()
            .flat_map(|l| {
                let mut w: Vec<&str> = Outcome::ALL.iter().map(|o| o.label(l)).collect();
                w.extend(DecisionStatus::ALL.iter().map(|s| s.label(l)));
                w.extend(MeetingKind::ALL.iter().map(|k| k.label(l)));
                w.extend([Role::CoChair, Role::MinuteTaker, Role::ViceChair].map(|r| r.label(l)));
                w
            })
            .collect();
        assert!(words.iter().all(|w| !w.contains('_') && !w.is_empty()), "{words:?}");
        assert_eq!(role_label(Role::ViceChair, Some(2), Lang::Da), "2. næstformand");
        assert_eq!(role_label(Role::ViceChair, Some(2), Lang::En), "2nd vice chair");
        assert_eq!(Outcome::ApprovedWithReservations.label(Lang::Da), "godkendt med forbehold");
    }
}
