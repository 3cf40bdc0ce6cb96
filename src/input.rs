//! Reading events written by people or programs: `{"effective", "kind", "body"}` objects,
//! as one object, a JSON array, or JSON Lines. Every error names the source and where.

use crate::error::Error;
use crate::event::Event;
use crate::when::When;
use serde_json::Value;

/// Most events in one batch: a batch is checked and written as one unit, in memory.
pub const BATCH_LEN_MAX: usize = 10_000;
/// Largest input file we read.
pub const INPUT_BYTES_MAX: usize = 64 * 1024 * 1024;

/// An event on its way into the ledger: valid time and body. Recorded time, who records
/// it, seq and hashes are the ledger's to add.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub effective: When,
    pub event: Event,
    /// Where it came from, for messages: `file.toml:42`, `stdin:3`, `batch.json: event 2`.
    pub origin: String,
    /// Where each entry of a list event came from, by its place in the list (from 0): a
    /// refusal about one entry names that entry's own line.
    pub entries: Vec<(String, String)>,
}

impl NewEvent {
    pub fn new(effective: When, event: Event, origin: String) -> NewEvent {
        NewEvent { effective, event, origin, entries: Vec::new() }
    }
}

impl NewEvent {
    /// The input form, the same shape `parse_events` reads.
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "effective": self.effective.to_string(),
            "kind": self.event.kind(),
            "body": self.event.body_value(),
        })
    }
}

/// Parses one input document; `source` names it in errors (a path, or "stdin").
pub fn parse_events(source: &str, text: &str) -> Result<Vec<NewEvent>, Error> {
    if text.len() > INPUT_BYTES_MAX {
        return Err(Error::Input(format!("{source}: larger than {INPUT_BYTES_MAX} bytes")));
    }
    let events = match serde_json::from_str::<Value>(text) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let origin = format!("{source}: event {}", i + 1);
                new_event(v, &origin).map_err(|e| Error::Input(format!("{origin}: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?,
        Ok(v @ Value::Object(_)) => {
            vec![new_event(v, source).map_err(|e| Error::Input(format!("{source}: {e}")))?]
        }
        Ok(_) => {
            return Err(Error::Input(format!("{source}: expected an event object, an array of them, or JSON Lines")))
        }
        Err(whole) => {
            // Not one JSON document: read it as JSON Lines if its first line is an object.
            let mut out = Vec::new();
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: Value = serde_json::from_str(line).map_err(|e| {
                    if out.is_empty() && n == 0 && !line.trim_start().starts_with('{') {
                        Error::Input(format!("{source}: {whole}"))
                    } else {
                        Error::Input(format!("{source}:{}: {e}", n + 1))
                    }
                })?;
                let origin = format!("{source}:{}", n + 1);
                out.push(new_event(v, &origin).map_err(|e| Error::Input(format!("{origin}: {e}")))?);
            }
            out
        }
    };
    if events.is_empty() {
        return Err(Error::Input(format!("{source}: no events")));
    }
    if events.len() > BATCH_LEN_MAX {
        return Err(Error::Input(format!("{source}: {} events, more than {BATCH_LEN_MAX} in one batch", events.len())));
    }
    Ok(events)
}

fn new_event(value: Value, origin: &str) -> Result<NewEvent, String> {
    let Value::Object(mut map) = value else {
        return Err("an event is a JSON object with \"effective\", \"kind\" and \"body\"".into());
    };
    if let Some(extra) = map.keys().find(|k| !["effective", "kind", "body"].contains(&k.as_str())) {
        return Err(format!("unknown field {extra:?} (an event has \"effective\", \"kind\" and \"body\")"));
    }
    let field = |map: &mut serde_json::Map<String, Value>, name: &str| {
        map.remove(name).ok_or_else(|| format!("missing field {name:?}"))
    };
    let effective = match field(&mut map, "effective")? {
        Value::String(s) => When::parse(&s).map_err(|e| format!("effective: {e}"))?,
        other => return Err(format!("effective: expected a date string, got {other}")),
    };
    let kind = match field(&mut map, "kind")? {
        Value::String(s) => s,
        other => return Err(format!("kind: expected a string, got {other}")),
    };
    let body = field(&mut map, "body")?;
    let event = Event::from_parts(&kind, body)?;
    Ok(NewEvent::new(effective, event, origin.to_string()))
}
