//! The membership timeline as SVG: one bar per person and role across time, meetings
//! as vertical marks.

use super::esc;
use crate::query::Timeline;
use chrono::NaiveDate;
use std::fmt::Write;

/// The membership timeline as SVG: one bar per person and role across time, meetings as
/// vertical marks. Drawn from `start` of the first interval to `until`.
pub(super) fn timeline_svg(tl: &Timeline, until: NaiveDate, lang: crate::minutes::Lang) -> String {
    let Some(first) = tl.intervals.iter().map(|i| i.start).chain(tl.meetings.iter().map(|m| m.2)).min() else {
        return String::new();
    };
    let last = until.max(tl.meetings.iter().map(|m| m.2).max().unwrap_or(until));
    let span_days = ((last - first).num_days().max(1) + 14) as f64;
    let (label_w, width, row_h) = (260.0, 900.0, 18.0);
    let x = |d: NaiveDate| label_w + (d - first).num_days() as f64 / span_days * (width - label_w - 10.0);
    let height = row_h * (tl.intervals.len() as f64 + 2.0);
    let mut svg = format!("<svg role=\"img\" aria-label=\"timeline\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\" font-size=\"11\">\n");
    for (i, iv) in tl.intervals.iter().enumerate() {
        let y = row_h * (i as f64 + 1.0);
        let end = iv.end.unwrap_or(last);
        let colour = if iv.chair { "#b5651d" } else { "#4a7ab5" };
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{:.0}\">{} ({})</text><rect x=\"{:.1}\" y=\"{:.0}\" width=\"{:.1}\" height=\"{:.0}\" fill=\"{colour}\"><title>{} {} – {}</title></rect>",
            y + 12.0,
            esc(&iv.name),
            esc(&crate::minutes::role_label(iv.role, iv.rank, lang)),
            x(iv.start),
            y + 2.0,
            (x(end) - x(iv.start)).max(2.0),
            row_h - 4.0,
            esc(&iv.name),
            iv.start,
            iv.end.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    for (id, number, d, _) in &tl.meetings {
        let _ = writeln!(
            svg,
            "<line x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#c00\" stroke-dasharray=\"3,2\"><title>{3} {4}</title></line>",
            x(*d),
            row_h * 0.5,
            height - row_h * 0.5,
            esc(id.as_str()),
            d
        );
        let _ = number;
    }
    let _ = writeln!(svg, "<text x=\"{label_w}\" y=\"{:.0}\">{first}</text><text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"end\">{last}</text>", height - 2.0, width - 10.0, height - 2.0);
    svg + "</svg>\n"
}
