//! The membership timeline as SVG: one bar per person and role across time, meetings
//! as labelled vertical marks, the page's date marked, yearly and monthly ticks and a
//! legend. It scales to the screen (a `viewBox`, no fixed size).

use super::{esc, t};
use crate::minutes::Lang;
use crate::query::Timeline;
use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

const CHAIR: &str = "#b5651d";
const MEMBER: &str = "#4a7ab5";
const MEETING: &str = "#c00";
const AT: &str = "#222";

/// The timeline from the first interval or meeting to the last date the ledger knows
/// of for the group (an interval's start or end, a meeting, the group's dissolution),
/// with `at` marked (and the axis reaching it). An interval still open is drawn to the
/// last known date and ends in an arrow: the ledger says it goes on, not how long.
pub(super) fn timeline_svg(tl: &Timeline, at: NaiveDate, lang: Lang) -> String {
    let starts = tl.intervals.iter().map(|i| i.start);
    let Some(first) = starts.clone().chain(tl.meetings.iter().map(|m| m.2)).min() else {
        return String::new();
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
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n",
        t(lang, "Tidslinje over medlemskaber", "Timeline of memberships")
    );
    svg += "<defs><marker id=\"open\" viewBox=\"0 0 6 6\" refX=\"0\" refY=\"3\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L6,3 L0,6 z\" fill=\"#555\"/></marker></defs>\n";
    for (i, iv) in tl.intervals.iter().enumerate() {
        let y = top + row_h * i as f64;
        let end = iv.end.unwrap_or(known);
        let colour = if iv.chair { CHAIR } else { MEMBER };
        let until = iv.end.map_or_else(|| t(lang, "fortsat", "continuing").to_string(), |d| d.to_string());
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{:.0}\">{} ({})</text><rect x=\"{:.1}\" y=\"{:.0}\" width=\"{:.1}\" height=\"{:.0}\" fill=\"{colour}\"><title>{} {} – {until}</title></rect>",
            y + 12.0,
            esc(&iv.name),
            esc(&crate::minutes::role_label(iv.role, iv.rank, lang)),
            x(iv.start),
            y + 2.0,
            (x(end) - x(iv.start)).max(2.0),
            row_h - 4.0,
            esc(&iv.name),
            iv.start,
        );
        if iv.end.is_none() {
            let _ = writeln!(
                svg,
                "<line x1=\"{0:.1}\" x2=\"{1:.1}\" y1=\"{2:.0}\" y2=\"{2:.0}\" stroke=\"#555\" marker-end=\"url(#open)\"/>",
                x(end),
                x(end) + 4.0,
                y + row_h / 2.0
            );
        }
    }
    // The axis: a tick each month, longer and labelled each year (and each quarter when
    // the span is short enough for the labels to fit).
    let _ = writeln!(
        svg,
        "<line x1=\"{label_w}\" x2=\"{:.1}\" y1=\"{axis_y}\" y2=\"{axis_y}\" stroke=\"#888\"/>",
        label_w + plot_w
    );
    let months = (last.year() - first.year()) * 12 + last.month() as i32 - first.month() as i32;
    let mut month = NaiveDate::from_ymd_opt(first.year(), first.month(), 1).expect("a month's first day");
    while month <= last {
        if month >= first {
            let year_tick = month.month() == 1;
            let labelled = year_tick || (months <= 36 && month.month() % 3 == 1) || month == first;
            let len = if year_tick { 8.0 } else { 4.0 };
            let _ = write!(
                svg,
                "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{axis_y}\" y2=\"{1}\" stroke=\"#888\"/>",
                x(month),
                axis_y + len
            );
            if labelled {
                let label = if year_tick { month.year().to_string() } else { month.format("%m").to_string() };
                let weight = if year_tick { " font-weight=\"bold\"" } else { "" };
                let _ = write!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\"{weight}>{label}</text>",
                    x(month),
                    axis_y + 20.0
                );
            }
        }
        month = month.checked_add_months(chrono::Months::new(1)).expect("within chrono's range");
    }
    svg += "\n";
    for (id, number, d, _) in &tl.meetings {
        let label = number.map_or_else(String::new, |n| n.to_string());
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{MEETING}\" stroke-dasharray=\"3,2\"><title>{3} {4}</title></line><text x=\"{0:.1}\" y=\"{5}\" text-anchor=\"middle\" fill=\"{MEETING}\">{6}</text>",
            x(*d),
            top - 4.0,
            axis_y,
            esc(id.as_str()),
            d,
            top - 8.0,
            esc(&label),
        );
    }
    if at >= first && at <= last {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"{AT}\" stroke-width=\"1.5\"/><text x=\"{0:.1}\" y=\"{3}\" text-anchor=\"middle\" font-weight=\"bold\">{at}</text>",
            x(at),
            top - 18.0,
            axis_y,
            top - 20.0,
        );
    }
    // The legend.
    let ly = axis_y + 42.0;
    let _ = writeln!(
        svg,
        "<rect x=\"0\" y=\"{0}\" width=\"14\" height=\"10\" fill=\"{CHAIR}\"/><text x=\"20\" y=\"{1}\">{2}</text><rect x=\"150\" y=\"{0}\" width=\"14\" height=\"10\" fill=\"{MEMBER}\"/><text x=\"170\" y=\"{1}\">{3}</text><line x1=\"300\" x2=\"300\" y1=\"{0}\" y2=\"{4}\" stroke=\"{MEETING}\" stroke-dasharray=\"3,2\"/><text x=\"306\" y=\"{1}\">{5}</text><line x1=\"450\" x2=\"450\" y1=\"{0}\" y2=\"{4}\" stroke=\"{AT}\" stroke-width=\"1.5\"/><text x=\"456\" y=\"{1}\">{6}</text><line x1=\"600\" x2=\"612\" y1=\"{7}\" y2=\"{7}\" stroke=\"#555\" marker-end=\"url(#open)\"/><text x=\"624\" y=\"{1}\">{8}</text>",
        ly,
        ly + 9.0,
        t(lang, "formandskab", "chair"),
        t(lang, "medlem og andre roller", "member and other roles"),
        ly + 10.0,
        t(lang, "møde (nummer)", "meeting (number)"),
        t(lang, "sidens dato", "the page's date"),
        ly + 5.0,
        t(lang, "fortsat", "continuing"),
    );
    svg + "</svg>\n"
}
