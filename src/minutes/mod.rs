//! Minutes rendered from the ledger alone: the decision minutes (Beslutningsreferat) in
//! Danish, following the structure of the secretariat's own, or in English, as Markdown or
//! HTML. Deterministic: the same ledger renders the same bytes, so a rendering can be
//! approved by hash and checked again later.

mod document;
mod labels;
mod words;
mod write;

pub use labels::{role_label, said_date, Label};
pub use words::{long_date, meeting_kind};
pub use write::html_escape;

use crate::error::Error;
use crate::ids::{GroupId, Hash, MeetingId, MeetingRef, Seq};
use crate::model::{MinutesStatus, Model};
use crate::query::{self, MeetingRecord};
use chrono::NaiveDate;
use document::document;
use write::{html_blocks, to_html, to_markdown};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Da,
    En,
}

impl std::str::FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Lang, String> {
        match s {
            "da" => Ok(Lang::Da),
            "en" => Ok(Lang::En),
            _ => Err(format!("{s:?} is not da or en")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Md,
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        match s {
            "md" => Ok(Format::Md),
            "html" => Ok(Format::Html),
            _ => Err(format!("{s:?} is not md or html")),
        }
    }
}

/// Every language and format, for checking which rendering was approved.
pub const ALL: [(Lang, Format); 4] =
    [(Lang::Da, Format::Md), (Lang::Da, Format::Html), (Lang::En, Format::Md), (Lang::En, Format::Html)];

/// The minutes as an HTML fragment, for a page that has its own frame (the site): the
/// agenda's entries link to their items.
pub fn html_fragment(model: &Model, record: &MeetingRecord, lang: Lang) -> Result<String, Error> {
    Ok(html_blocks(&document(model, record, lang)?, true))
}

/// Renders the minutes of a group's meeting by number or id, from the model alone. Memberships
/// are read on the meeting's date, and nothing on the page depends on later dates.
pub fn render_meeting(
    model: &Model,
    group: &GroupId,
    number: &MeetingRef,
    lang: Lang,
    format: Format,
) -> Result<String, Error> {
    let (_, mt) = query::find_meeting(model, group, number)?;
    let record = query::meeting_record(model, group, number, mt.date())?;
    render(model, &record, lang, format)
}

/// An approval a document matched.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Approved {
    pub meeting: MeetingId,
    pub group: GroupId,
    pub number: Option<u32>,
    #[serde(skip_serializing_if = "crate::event::MeetingKind::is_ordinary")]
    pub meeting_kind: crate::event::MeetingKind,
    pub held: NaiveDate,
    pub approved: NaiveDate,
    pub seq: Seq,
    pub document_hash: Hash,
    pub document_name: Option<String>,
    /// The log the approval was made at: a checkpoint of that size or later proves it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<crate::event::LogCheckpoint>,
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
        )?;
        match &self.checkpoint {
            Some(c) => write!(f, ", when the log held {} events (tree root {})", c.size, c.root),
            None => Ok(()),
        }
    }
}

/// Every approval of minutes whose document hashes like `document`.
pub fn find_approved(model: &Model, document: &[u8]) -> Result<Vec<Approved>, Error> {
    let h = crate::hash::document_hash(document);
    let found = model
        .meetings_approving(&h)?
        .into_iter()
        .flat_map(|(id, mt)| {
            mt.minutes_approvals
                .iter()
                .filter(|a| a.document_hash == h)
                .map(|a| Approved {
                    meeting: id.clone(),
                    group: mt.group.clone(),
                    number: mt.number,
                    meeting_kind: mt.meeting_kind,
                    held: mt.date(),
                    approved: a.date,
                    seq: a.seq,
                    document_hash: a.document_hash,
                    document_name: a.document_name.clone(),
                    checkpoint: a.checkpoint.clone(),
                })
                .collect::<Vec<_>>()
        })
        .collect();
    Ok(found)
}

/// Whether today's rendering of a meeting, in any language and format, still hashes to
/// one of its approved documents.
pub fn check_rendered(model: &Model, group: &GroupId, number: &MeetingRef) -> Result<String, Error> {
    let (_, mt) = query::find_meeting(model, group, number)?;
    if mt.minutes_approvals.is_empty() {
        return Err(Error::NoMatch(format!("{group} meeting {number} has no approved minutes")));
    }
    let mut record = query::meeting_record(model, group, number, mt.date())?;
    for a in &mt.minutes_approvals {
        // The document approved said where the minutes stood before the approval: a
        // draft, or one of the steps before it.
        let before = std::iter::once(MinutesStatus::Draft)
            .chain(mt.minutes_steps.iter().filter(|s| s.seq().is_some_and(|seq| seq < a.seq)).cloned());
        for status in before {
            record.minutes_status = status;
            for (lang, format) in ALL {
                let h = crate::hash::document_hash(render(model, &record, lang, format)?.as_bytes());
                if h == a.document_hash {
                    return Ok(format!(
                        "today's rendering of {group} meeting {number} ({lang:?}, {format:?}) hashes to {h}, as approved on {} at seq {}",
                        a.date, a.seq
                    ));
                }
            }
        }
    }
    Err(Error::NoMatch(format!(
        "today's rendering of {group} meeting {number} matches none of its approved minutes ({}): the record has changed since approval",
        mt.minutes_approvals.iter().map(|a| format!("{} at seq {}", a.document_hash, a.seq)).collect::<Vec<_>>().join(", ")
    )))
}

/// Renders a meeting's minutes from the model alone.
pub fn render(model: &Model, record: &MeetingRecord, lang: Lang, format: Format) -> Result<String, Error> {
    let doc = document(model, record, lang)?;
    Ok(match format {
        Format::Md => to_markdown(&doc),
        Format::Html => to_html(&doc, lang),
    })
}
