//! The export line: a record as one line of canonical JSON, and read back from one, as an
//! outside verifier reads it (docs/FORMAT.md, "The export").

use super::{Header, Problem, Record};
use crate::hash;
use crate::ids::{Hash, Seq};
use serde_json::Value;

impl Record {
    /// One line of the JSON Lines export: the canonical JSON of the whole envelope,
    /// header fields, `body` (for an erased record, `redacted` in its place) and `hash`. Canonical JSON nests (an object's canonical form
    /// is its members, sorted, each value in its own canonical form), so the line is
    /// spliced from the stored canonical bytes: the body, most of the line, is copied as
    /// it was hashed, never re-serialized.
    pub fn to_export_line(&self) -> Result<String, Problem> {
        let undecodable = |what: &str, e: String| Problem::Undecodable(format!("{what}: {e}"));
        let header: std::collections::BTreeMap<String, Value> =
            serde_json::from_slice(&self.header_bytes).map_err(|e| undecodable("header", e.to_string()))?;
        if !self.body_bytes.is_empty() {
            serde_json::from_slice::<serde::de::IgnoredAny>(&self.body_bytes)
                .map_err(|e| undecodable("body", e.to_string()))?;
        }
        let body = std::str::from_utf8(&self.body_bytes).map_err(|e| undecodable("body", e.to_string()))?;
        let mut members: Vec<(&str, String)> = Vec::with_capacity(header.len() + 2);
        for (k, v) in &header {
            let v = String::from_utf8(hash::canonical(v).map_err(|e| undecodable(k, e))?).expect("JSON is UTF-8");
            members.push((k, v));
        }
        match self.erased_by {
            None => members.push(("body", body.to_string())),
            // No body: the seq that erased it, and the replacement it left, if any.
            Some(by) if body.is_empty() => members.push(("redacted", format!("{{\"by\":{}}}", by.0))),
            Some(by) => members.push(("redacted", format!("{{\"by\":{},\"replacement\":{body}}}", by.0))),
        }
        members.push(("hash", format!("\"{}\"", self.hash.to_hex())));
        // Canonical JSON orders members by the UTF-16 code units of their names.
        members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        if members.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Problem::Undecodable("a header field named body, hash or redacted".into()));
        }
        let mut line = String::with_capacity(self.header_bytes.len() + self.body_bytes.len() + 96);
        line.push('{');
        for (i, (k, v)) in members.iter().enumerate() {
            if i > 0 {
                line.push(',');
            }
            line.push_str(&serde_json::to_string(k).expect("a string serializes"));
            line.push(':');
            line.push_str(v);
        }
        line.push('}');
        Ok(line)
    }

    /// Reads an export line back, rebuilding the canonical bytes from its fields as an
    /// outside verifier would. The caller checks the hashes with [`ChainChecker`].
    pub fn from_export_line(line: &str) -> Result<Record, Problem> {
        let mut value: Value = serde_json::from_str(line).map_err(|e| Problem::Undecodable(e.to_string()))?;
        let map = value.as_object_mut().ok_or_else(|| Problem::Undecodable("not a JSON object".into()))?;
        let (body, erased_by) = match (map.remove("body"), map.remove("redacted")) {
            (Some(body), None) => (Some(body), None),
            (None, Some(Value::Object(mut r))) => {
                let by = r.remove("by").and_then(|b| b.as_u64()).ok_or_else(|| {
                    Problem::Undecodable("\"redacted\" without the seq (\"by\") that erased the body".into())
                })?;
                (r.remove("replacement"), Some(Seq(by)))
            }
            (Some(_), Some(_)) => return Err(Problem::Undecodable("both a \"body\" and \"redacted\"".into())),
            (None, _) => return Err(Problem::Undecodable("no \"body\"".into())),
        };
        let hash = match map.remove("hash") {
            Some(Value::String(s)) => Hash::from_hex(&s).map_err(|e| Problem::Undecodable(format!("hash: {e}")))?,
            _ => return Err(Problem::Undecodable("no \"hash\" string".into())),
        };
        let header: Header =
            serde_json::from_value(value.clone()).map_err(|e| Problem::Undecodable(format!("envelope: {e}")))?;
        let header_bytes = hash::canonical(&value).map_err(Problem::Undecodable)?;
        let body_bytes = match body {
            Some(body) => hash::canonical(&body).map_err(|e| Problem::Undecodable(format!("body: {e}")))?,
            None => Vec::new(),
        };
        Ok(Record { header, header_bytes, body_bytes, hash, erased_by })
    }
}
