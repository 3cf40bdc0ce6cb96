//! The decision register as CSV (RFC 4180), for spreadsheets.

use crate::event::name_of;
use crate::query::DecisionView;

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
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
