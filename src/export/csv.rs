//! The decision register as CSV (RFC 4180), for spreadsheets.

use crate::event::name_of;
use crate::query::DecisionView;

/// A cell as a spreadsheet shows it and never runs it: one that would start with `=`,
/// `+`, `-`, `@`, a tab or a carriage return (a formula, or one a spreadsheet reads as
/// one) gets a `'` before it, as OWASP's guidance on CSV injection says; then RFC 4180's
/// quoting.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The register for spreadsheets: one row a decision, conditions joined by " | ".
pub fn decisions(rows: &[DecisionView]) -> String {
    let mut out = String::from(
        "id,group,meeting,meeting_number,date,item,item_title,outcome,status,text,conditions,takes_effect,deferred\r\n",
    );
    for d in rows {
        let cells = [
            d.id.to_string(),
            d.group.to_string(),
            d.meeting.to_string(),
            d.meeting_number.map(|n| n.to_string()).unwrap_or_default(),
            d.date.to_string(),
            d.item.to_string(),
            d.item_title.clone(),
            name_of(&d.outcome),
            name_of(&d.status),
            d.text.clone(),
            d.conditions.join(" | "),
            d.takes_effect.map(|t| t.to_string()).unwrap_or_default(),
            d.deferred.clone().unwrap_or_default(),
        ];
        out += &cells.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
        out += "\r\n";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn a_cell_that_a_spreadsheet_would_run_is_shown_as_text() {
        assert_eq!(csv_field("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        for s in ["+1", "-1+2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_field(s).trim_start_matches('"').starts_with('\''), "{s:?}");
        }
        assert_eq!(csv_field("Godkendt, med forbehold"), "\"Godkendt, med forbehold\"");
        assert_eq!(csv_field("2026-01-21"), "2026-01-21");
    }
}
