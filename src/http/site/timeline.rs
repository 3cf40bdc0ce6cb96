//! The membership timeline as SVG: one bar per person and role across time, meetings
//! as labelled vertical marks, the page's date marked, yearly and monthly ticks and a
//! legend. It scales to the screen (a `viewBox`, no fixed size).

use super::t;
use crate::minutes::Lang;
use crate::query::Timeline;
use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};

const CHAIR: &str = "#b5651d";
const MEMBER: &str = "#4a7ab5";
const MEETING: &str = "#c00";
const AT: &str = "#222";

/// The timeline from the first interval or meeting to the last date the ledger knows
/// of for the group (an interval's start or end, a meeting, the group's dissolution),
/// with `at` marked (and the axis reaching it). An interval still open is drawn to the
/// last known date and ends in an arrow: the ledger says it goes on, not how long.
/// Every element is closed (`{}`, never maud's void `;`): inside HTML, an SVG element
/// left open swallows the ones after it, which are then never drawn.
pub(super) fn timeline_svg(tl: &Timeline, at: NaiveDate, lang: Lang) -> Markup {
    let starts = tl.intervals.iter().map(|i| i.start);
    let Some(first) = starts.clone().chain(tl.meetings.iter().map(|m| m.2)).min() else {
        return html! {};
    };
    let known = starts
        .chain(tl.intervals.iter().filter_map(|i| i.end))
        .chain(tl.meetings.iter().map(|m| m.2))
        .chain(tl.dissolved)
        .max()
        .unwrap_or(first);
    // The axis reaches the page's date too, if it is later.
    let last = known.max(at);
    let span_days = ((last - first).num_days().max(1) + 14) as f64;
    let (label_w, width, row_h, top) = (260.0, 900.0, 18.0, 30.0);
    let plot_w = width - label_w - 16.0;
    let x = |d: NaiveDate| label_w + (d - first).num_days().max(0) as f64 / span_days * plot_w;
    let rows_h = row_h * tl.intervals.len() as f64;
    let axis_y = top + rows_h + 6.0;
    let height = axis_y + 60.0;
    let (f0, f1) = (|v: f64| format!("{v:.0}"), |v: f64| format!("{v:.1}"));
    let months = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32;
    // The axis: a tick each month, longer and labelled each year (and each quarter when
    // the span is short enough for the labels to fit).
    let ticks: Vec<(NaiveDate, bool, bool)> =
        std::iter::successors(NaiveDate::from_ymd_opt(first.year(), first.month(), 1), |m| {
            m.checked_add_months(chrono::Months::new(1))
        })
        .take_while(|m| *m <= last)
        .filter(|m| *m >= first)
        .map(|m| {
            let year_tick = m.month() == 1;
            (m, year_tick, year_tick || (months <= 36 && m.month() % 3 == 1) || m == first)
        })
        .collect();
    let ly = axis_y + 42.0;
    html! {
        svg role="img" aria-label=(t(lang, "Tidslinje over medlemskaber", "Timeline of memberships")) viewBox={ "0 0 " (width) " " (height) } xmlns="http://www.w3.org/2000/svg" font-size="11" {
            defs {
                marker id="open" viewBox="0 0 6 6" refX="0" refY="3" markerWidth="6" markerHeight="6" orient="auto" {
                    path d="M0,0 L6,3 L0,6 z" fill="#555" {}
                }
            }
            @for (i, iv) in tl.intervals.iter().enumerate() {
                @let y = top + row_h * i as f64;
                @let end = iv.end.unwrap_or(known);
                @let until = iv.end.map_or_else(|| t(lang, "fortsat", "continuing").to_string(), |d| d.to_string());
                text x="0" y=(f0(y + 12.0)) { (iv.name) " (" (crate::minutes::role_label(iv.role, iv.rank, lang)) ")" }
                rect x=(f1(x(iv.start))) y=(f0(y + 2.0)) width=(f1((x(end) - x(iv.start)).max(2.0))) height=(f0(row_h - 4.0)) fill=(if iv.chair { CHAIR } else { MEMBER }) {
                    title { (iv.name) " " (iv.start) " – " (until) }
                }
                @if iv.end.is_none() {
                    line x1=(f1(x(end))) x2=(f1(x(end) + 4.0)) y1=(f0(y + row_h / 2.0)) y2=(f0(y + row_h / 2.0)) stroke="#555" marker-end="url(#open)" {}
                }
            }
            line x1=(label_w) x2=(f1(label_w + plot_w)) y1=(axis_y) y2=(axis_y) stroke="#888" {}
            @for (month, year_tick, labelled) in &ticks {
                line x1=(f1(x(*month))) x2=(f1(x(*month))) y1=(axis_y) y2=(axis_y + if *year_tick { 8.0 } else { 4.0 }) stroke="#888" {}
                @if *labelled {
                    text x=(f1(x(*month))) y=(axis_y + 20.0) text-anchor="middle" font-weight=[year_tick.then_some("bold")] {
                        @if *year_tick { (month.year()) } @else { (month.format("%m")) }
                    }
                }
            }
            @for (id, number, d, _) in &tl.meetings {
                line x1=(f1(x(*d))) x2=(f1(x(*d))) y1=(top - 4.0) y2=(axis_y) stroke=(MEETING) stroke-dasharray="3,2" {
                    title { (id) " " (d) }
                }
                text x=(f1(x(*d))) y=(top - 8.0) text-anchor="middle" fill=(MEETING) { @if let Some(n) = number { (n) } }
            }
            @if at >= first && at <= last {
                line x1=(f1(x(at))) x2=(f1(x(at))) y1=(top - 18.0) y2=(axis_y) stroke=(AT) stroke-width="1.5" {}
                text x=(f1(x(at))) y=(top - 20.0) text-anchor="middle" font-weight="bold" { (at) }
            }
            // The legend.
            rect x="0" y=(ly) width="14" height="10" fill=(CHAIR) {}
            text x="20" y=(ly + 9.0) { (t(lang, "formandskab", "chair")) }
            rect x="150" y=(ly) width="14" height="10" fill=(MEMBER) {}
            text x="170" y=(ly + 9.0) { (t(lang, "medlem og andre roller", "member and other roles")) }
            line x1="330" x2="330" y1=(ly) y2=(ly + 10.0) stroke=(MEETING) stroke-dasharray="3,2" {}
            text x="336" y=(ly + 9.0) { (t(lang, "møde (nummer)", "meeting (number)")) }
            line x1="470" x2="470" y1=(ly) y2=(ly + 10.0) stroke=(AT) stroke-width="1.5" {}
            text x="476" y=(ly + 9.0) { (t(lang, "sidens dato", "the page's date")) }
            line x1="600" x2="612" y1=(ly + 5.0) y2=(ly + 5.0) stroke="#555" marker-end="url(#open)" {}
            text x="624" y=(ly + 9.0) { (t(lang, "fortsat", "continuing")) }
        }
    }
}
