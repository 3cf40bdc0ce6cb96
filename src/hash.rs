//! The hash rule: the one place that turns an event into bytes and bytes into hashes.
//! It is a public contract, written out in docs/FORMAT.md; change neither without the other.

use crate::ids::Hash;
use serde::Serialize;
use serde_json::Value;

/// BLAKE3 derive-key context for an event's body.
pub const BODY_CONTEXT: &str = "protokol 2026-11 body v1";
/// BLAKE3 derive-key context for an event's envelope (without body and hash).
pub const EVENT_CONTEXT: &str = "protokol 2026-11 event v1";

/// Largest integer a body may hold: beyond 2^53 - 1, JavaScript and other I-JSON readers
/// round numbers, and a verifier written in them would compute a different hash.
pub const INT_ABS_MAX: u64 = (1 << 53) - 1;

/// RFC 8785 (JCS) canonical JSON. Refuses floating-point numbers and integers outside
/// ±(2^53 - 1): their canonical form is where independent implementations disagree.
pub fn canonical<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    let value = serde_json::to_value(value).map_err(|e| e.to_string())?;
    check_numbers(&value, &mut String::new())?;
    serde_json_canonicalizer::to_vec(&value).map_err(|e| e.to_string())
}

fn check_numbers(value: &Value, path: &mut String) -> Result<(), String> {
    match value {
        Value::Number(n) => {
            let ok = n.as_u64().is_some_and(|u| u <= INT_ABS_MAX)
                || n.as_i64().is_some_and(|i| i.unsigned_abs() <= INT_ABS_MAX);
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "number {n} at {}: only integers within ±(2^53 - 1) are allowed",
                    if path.is_empty() { "/" } else { path }
                ))
            }
        }
        Value::Array(items) => items.iter().enumerate().try_for_each(|(i, v)| {
            let len = path.len();
            path.push_str(&format!("/{i}"));
            let r = check_numbers(v, path);
            path.truncate(len);
            r
        }),
        Value::Object(map) => map.iter().try_for_each(|(k, v)| {
            let len = path.len();
            path.push('/');
            path.push_str(k);
            let r = check_numbers(v, path);
            path.truncate(len);
            r
        }),
        _ => Ok(()),
    }
}

pub fn body_hash(canonical_body: &[u8]) -> Hash {
    keyed(&BODY_KEY, BODY_CONTEXT, canonical_body)
}

pub fn event_hash(canonical_header: &[u8]) -> Hash {
    keyed(&EVENT_KEY, EVENT_CONTEXT, canonical_header)
}

static BODY_KEY: std::sync::OnceLock<blake3::hazmat::ContextKey> = std::sync::OnceLock::new();
static EVENT_KEY: std::sync::OnceLock<blake3::hazmat::ContextKey> = std::sync::OnceLock::new();

/// `blake3::derive_key(context, material)`, with the context's key derived once rather
/// than for every record (a test checks the two agree), and a hasher started from it
/// rather than copied: the walk hashes two million inputs, and copying a hasher (about
/// 2 KB) for each was a twentieth of their time.
fn keyed(key: &std::sync::OnceLock<blake3::hazmat::ContextKey>, context: &str, material: &[u8]) -> Hash {
    use blake3::hazmat::HasherExt;
    let key = key.get_or_init(|| blake3::hazmat::hash_derive_key_context(context));
    let mut h = blake3::Hasher::new_from_context_key(key);
    h.update(material);
    Hash(*h.finalize().as_bytes())
}

/// The hash under which `approve-minutes` records a document: plain BLAKE3 of its bytes,
/// so anyone can check it with `b3sum`.
pub fn document_hash(bytes: &[u8]) -> Hash {
    Hash(*blake3::hash(bytes).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8785 section 3.2.2, input and expected output as printed in the RFC.
    #[test]
    fn jcs_matches_rfc_8785_example() {
        let input = "{\n  \"numbers\": [333333333.33333329, 1E30, 4.50,\n              2e-3, 0.000000000000000000000000001],\n  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n  \"literals\": [null, true, false]\n}";
        let value: Value = serde_json::from_str(input).unwrap();
        let out = serde_json_canonicalizer::to_string(&value).unwrap();
        assert_eq!(
            out,
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    /// RFC 8785 section 3.2.3: properties sorted by their UTF-16 code units.
    #[test]
    fn jcs_sorts_keys_by_utf16_as_rfc_8785_says() {
        let input = "{\n  \"\\u20ac\": \"Euro Sign\",\n  \"\\r\": \"Carriage Return\",\n  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n  \"1\": \"One\",\n  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n  \"\\u0080\": \"Control\",\n  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n}";
        let value: Value = serde_json::from_str(input).unwrap();
        let out = serde_json_canonicalizer::to_string(&value).unwrap();
        let keys: Vec<&str> = out.split("\":\"").collect();
        assert_eq!(
            out,
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"😀\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}",
            "{keys:?}"
        );
    }

    #[test]
    fn canonical_refuses_floats_and_unsafe_integers() {
        assert!(canonical(&serde_json::json!({"a": 1.5})).unwrap_err().contains("/a"));
        assert!(canonical(&serde_json::json!([1u64 << 53])).is_err());
        assert!(canonical(&serde_json::json!([-(1i64 << 53)])).is_err());
        assert_eq!(
            canonical(&serde_json::json!({"b": [INT_ABS_MAX], "a": -3})).unwrap(),
            b"{\"a\":-3,\"b\":[9007199254740991]}"
        );
    }

    #[test]
    fn contexts_separate_body_and_event_hashes() {
        assert_ne!(body_hash(b"{}"), event_hash(b"{}"));
        assert_eq!(body_hash(b"{}"), Hash(blake3::derive_key("protokol 2026-11 body v1", b"{}")));
        // The hasher started from the context key agrees with derive_key at any length,
        // past a chunk (1 KiB) too.
        for len in [0, 1, 64, 65, 1024, 1025, 5000] {
            let material = vec![b'x'; len];
            assert_eq!(
                event_hash(&material),
                Hash(blake3::derive_key("protokol 2026-11 event v1", &material)),
                "{len}"
            );
            assert_eq!(body_hash(&material), Hash(blake3::derive_key("protokol 2026-11 body v1", &material)), "{len}");
        }
    }
}
