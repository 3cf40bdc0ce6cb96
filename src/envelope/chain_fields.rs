//! The four header fields the chain walk needs (seq, prev, body hash, kind), read from
//! a header written plainly in canonical form without a JSON parser: the walk reads a
//! million headers, and serde_json's reading of them was a sixth of its time
//! (docs/PERFORMANCE.md, "Held to account"). A header this does not read (an escape in a
//! string, a space, a key out of order, a value not a string or a whole number) is read
//! by serde_json, so every header reads as serde_json reads it, errors included.

use super::Problem;
use crate::ids::{Hash, Seq};
use serde::Deserialize;
use std::borrow::Cow;

#[derive(Debug, PartialEq, Deserialize)]
pub(super) struct ChainFields<'a> {
    pub seq: Seq,
    pub body_hash: Hash,
    pub prev: Hash,
    #[serde(borrow)]
    pub kind: Cow<'a, str>,
}

pub(super) fn read(header: &[u8]) -> Result<ChainFields<'_>, Problem> {
    match plain(header) {
        Some(fields) => Ok(fields),
        None => serde_json::from_slice(header).map_err(|e| Problem::Undecodable(format!("header: {e}"))),
    }
}

/// The fields of a header that is one object of strings without escapes and whole
/// numbers, its keys in strictly increasing order (as canonical JSON sorts them, so none
/// twice), with no space anywhere; none for any other.
fn plain(h: &[u8]) -> Option<ChainFields<'_>> {
    // Checked once, so is every string in it: each starts and ends at an ASCII quote.
    let text = std::str::from_utf8(h).ok()?;
    if h.first() != Some(&b'{') {
        return None;
    }
    let mut at = 1;
    let (mut seq, mut body_hash, mut prev, mut kind) = (None, None, None, None);
    let mut last_key = None;
    loop {
        let key = string(text, &mut at)?;
        if last_key.is_some_and(|last| key <= last) {
            return None;
        }
        last_key = Some(key);
        if h.get(at) != Some(&b':') {
            return None;
        }
        at += 1;
        match (key, h.get(at)?) {
            ("seq", b'0'..=b'9') => seq = Some(number(h, &mut at)?),
            ("seq", _) => return None,
            ("body_hash", b'"') => body_hash = Some(hash(h, &mut at)?),
            ("prev", b'"') => prev = Some(hash(h, &mut at)?),
            ("kind", b'"') => kind = Some(string(text, &mut at)?),
            (_, b'"') => {
                string(text, &mut at)?;
            }
            _ => return None,
        }
        match h.get(at)? {
            b',' => at += 1,
            b'}' if at + 1 == h.len() => break,
            _ => return None,
        }
    }
    Some(ChainFields { seq: Seq(seq?), body_hash: body_hash?, prev: prev?, kind: Cow::Borrowed(kind?) })
}

/// A string at `at` with no escape and no control character; `at` moves past it.
fn string<'a>(text: &'a str, at: &mut usize) -> Option<&'a str> {
    /// The bytes that end a plain string: its quote, an escape, a control character.
    const STOPS: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = true;
            b += 1;
        }
        t[b'"' as usize] = true;
        t[b'\\' as usize] = true;
        t
    };
    let h = text.as_bytes();
    if h.get(*at) != Some(&b'"') {
        return None;
    }
    let start = *at + 1;
    let end = start + h.get(start..)?.iter().position(|&b| STOPS[b as usize])?;
    if h[end] != b'"' {
        return None;
    }
    *at = end + 1;
    text.get(start..end)
}

/// A hash at `at`: 64 lowercase hex digits in quotes; `at` moves past it.
fn hash(h: &[u8], at: &mut usize) -> Option<Hash> {
    let quoted = h.get(*at..*at + 66)?;
    if quoted[65] != b'"' {
        return None;
    }
    *at += 66;
    Hash::from_hex_digits(quoted[1..65].try_into().expect("64 bytes"))
}

/// A whole number at `at` as JSON writes it (no leading zero) that fits in a u64.
fn number(h: &[u8], at: &mut usize) -> Option<u64> {
    let digits = h[*at..].iter().take_while(|b| b.is_ascii_digit()).count();
    let text = &h[*at..*at + digits];
    if digits > 1 && text[0] == b'0' {
        return None;
    }
    *at += digits;
    text.iter().try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &str = concat!(
        r#"{"body_hash":"c99bffe45d9a18f83416b8022372bcb3ca61c21383e415ff0f0a3bc67c4747f0","effective":"2015-01-01","#,
        r#""kind":"OrganisationRegistered","prev":"0000000000000000000000000000000000000000000000000000000000000000","#,
        r#""recorded_at":"2026-12-04T18:50:53.668490Z","recorded_by":"Søren Ågård","seq":18446744073709551615}"#
    );

    fn by_serde(h: &[u8]) -> Option<ChainFields<'_>> {
        serde_json::from_slice(h).ok()
    }

    #[test]
    fn a_canonical_header_is_read_without_the_parser_and_as_the_parser_reads_it() {
        let fields = plain(HEADER.as_bytes()).expect("read plainly");
        assert_eq!(Some(&fields), by_serde(HEADER.as_bytes()).as_ref());
        assert_eq!((fields.seq, fields.kind.as_ref()), (Seq(u64::MAX), "OrganisationRegistered"));
        for other in [
            HEADER.replace(r#""seq":18446744073709551615"#, r#""seq":18446744073709551616"#),
            HEADER.replace(r#""seq":18446744073709551615"#, r#""seq":01"#),
            HEADER.replace(r#""seq":18446744073709551615"#, r#""seq":1.0"#),
            HEADER.replace("Søren", r"S\u00f8ren"),
            HEADER.replace(r#","kind""#, r#", "kind""#),
            HEADER.replace(r#""kind":"OrganisationRegistered","#, ""),
            HEADER.replace(r#""effective""#, r#""prev""#),
            // Twice the same key: serde_json refuses it.
            HEADER.replace(r#""kind":"OrganisationRegistered","#, r#""kind":"OrganisationRegistered","kind":"X","#),
            format!("{HEADER} "),
        ] {
            assert_eq!(plain(other.as_bytes()), None, "{other}");
        }
        assert_eq!(by_serde(HEADER.replace("Søren", r"S\u00f8ren").as_bytes()).map(|f| f.seq), Some(Seq(u64::MAX)));
        let twice =
            HEADER.replace(r#""kind":"OrganisationRegistered","#, r#""kind":"OrganisationRegistered","kind":"X","#);
        assert!(by_serde(twice.as_bytes()).is_none(), "a key twice");
    }

    proptest! {
        /// Whatever is read plainly reads the same by serde_json: a header changed
        /// anywhere, by bytes a header is made of.
        #[test]
        fn what_is_read_plainly_is_what_serde_reads(
            edits in proptest::collection::vec((0..HEADER.len() + 1, 0usize..3, proptest::sample::select(
                r#"{}":,\ 0123456789abcdefsqpkindrv_-.ø"#.as_bytes().to_vec())), 1..4),
        ) {
            let mut h = HEADER.as_bytes().to_vec();
            for (at, how, byte) in edits {
                let at = at.min(h.len());
                match how {
                    0 => h.insert(at, byte),
                    1 if at < h.len() => { h.remove(at); }
                    _ if at < h.len() => h[at] = byte,
                    _ => {}
                }
            }
            if let Some(fields) = plain(&h) {
                prop_assert_eq!(Some(fields), by_serde(&h), "{}", String::from_utf8_lossy(&h));
            }
        }
    }
}
