//! Newtypes for every identifier, so a person's id can never be passed where a group's is
//! expected, and every id is checked once, where it enters the program.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Longest id we accept: ids are typed by people into meeting files and URLs.
pub const ID_LEN_MAX: usize = 64;

/// Position of an event in the log: 1, 2, 3... with no gaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Seq(pub u64);

impl Seq {
    pub fn next(self) -> Seq {
        Seq(self.0 + 1)
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A 32-byte BLAKE3 digest, shown and serialized as 64 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev` of the first event.
    pub const ZERO: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(DIGITS[usize::from(b >> 4)] as char);
            s.push(DIGITS[usize::from(b & 0xf)] as char);
        }
        s
    }

    /// Accepts only the canonical form (64 lowercase hex digits): a hash that could be
    /// written two ways could be compared wrongly by someone else's verifier.
    pub fn from_hex(s: &str) -> Result<Hash, String> {
        let Ok(digits) = s.as_bytes().try_into() else {
            return Err(format!("a hash is 64 lowercase hex digits, got {} characters", s.len()));
        };
        Hash::from_hex_digits(digits).ok_or_else(|| {
            // Named as a character, not as the byte: 'é', not 'Ã'.
            let c = s.chars().find(|c| !matches!(c, '0'..='9' | 'a'..='f')).unwrap_or(char::REPLACEMENT_CHARACTER);
            format!("a hash is 64 lowercase hex digits, found {c:?}")
        })
    }

    /// `from_hex` of bytes: none unless each is a lowercase hex digit.
    pub(crate) fn from_hex_digits(digits: &[u8; 64]) -> Option<Hash> {
        // A digit's value, or 0x10 for a byte that is not a lowercase hex digit: the walk
        // of the log decodes two hashes a record, so without a branch a digit.
        const DIGITS: [u8; 256] = {
            let mut t = [0x10u8; 256];
            let mut c = 0;
            while c < 10 {
                t[b'0' as usize + c] = c as u8;
                c += 1;
            }
            let mut c = 0;
            while c < 6 {
                t[b'a' as usize + c] = 10 + c as u8;
                c += 1;
            }
            t
        };
        let mut out = [0u8; 32];
        let mut bad = 0u8;
        for (i, o) in out.iter_mut().enumerate() {
            let (high, low) = (DIGITS[digits[2 * i] as usize], DIGITS[digits[2 * i + 1] as usize]);
            bad |= high | low;
            *o = high << 4 | low;
        }
        (bad & 0x10 == 0).then_some(Hash(out))
    }
}

impl std::str::FromStr for Hash {
    type Err = String;

    fn from_str(s: &str) -> Result<Hash, String> {
        Hash::from_hex(s)
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl Serialize for Hash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl schemars::JsonSchema for Hash {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Hash".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "BLAKE3, 64 lowercase hex digits"})
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read in place, never copied into a String: verify reads millions of these.
        struct HexDigits;
        impl serde::de::Visitor<'_> for HexDigits {
            type Value = Hash;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a hash: 64 lowercase hex digits")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Hash, E> {
                Hash::from_hex(s).map_err(E::custom)
            }
        }
        d.deserialize_str(HexDigits)
    }
}

/// Checks the one spelling rule all slug ids share: lowercase letters (æ, ø, å included),
/// digits and inner hyphens. Readable in a URL and in a meeting file, and never two
/// spellings for one thing.
pub fn check_slug(s: &str) -> Result<(), String> {
    if s.is_empty() {
        return Err("an id cannot be empty".into());
    }
    if s.chars().count() > ID_LEN_MAX {
        return Err(format!("id {s:?} is longer than {ID_LEN_MAX} characters"));
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Err(format!("id {s:?} cannot start or end with '-'"));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_alphanumeric() && !c.is_uppercase() || *c == '-')) {
        return Err(format!("id {s:?} has {c:?}: ids are lowercase letters, digits and '-' (e.g. \"erik-jylling\")"));
    }
    Ok(())
}

macro_rules! slug_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                check_slug(&s)?;
                Ok($name(s))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = String;
            fn try_from(s: &str) -> Result<Self, String> {
                $name::try_from(s.to_string())
            }
        }

        /// Parsed once where it enters (a command line argument, a path segment).
        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                $name::try_from(s.to_string())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl schemars::JsonSchema for $name {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": "string", "maxLength": ID_LEN_MAX, "description": "a slug: lowercase letters (æ, ø, å included), digits and inner hyphens"})
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                // Quoted, as messages show it: `unknown person "erik-jyling"`.
                write!(f, "{:?}", self.0)
            }
        }
    };
}

slug_id!(
    /// An organisation: a region, an agency, a company (`amgros`, `lif`).
    OrgId
);
slug_id!(
    /// A person (`erik-jylling`).
    PersonId
);
slug_id!(
    /// A group: steering group, reference group, working group, secretariat.
    GroupId
);
slug_id!(
    /// A meeting, fixed before it has a number (`styregruppen-2026-01-21`).
    MeetingId
);
slug_id!(
    /// A decision (`sg-2026-01-21-p7`).
    DecisionId
);
slug_id!(
    /// An action that follows from a meeting or decision.
    ActionId
);

/// How a reader names one of a group's meetings: by its number ("4", the ordinary
/// meeting of that number where kinds are numbered apart) or by its id, which every
/// meeting has, numbered or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeetingRef {
    Number(u32),
    Id(MeetingId),
}

impl std::str::FromStr for MeetingRef {
    type Err = String;

    fn from_str(s: &str) -> Result<MeetingRef, String> {
        match s.parse::<u32>() {
            Ok(n) => Ok(MeetingRef::Number(n)),
            Err(_) => MeetingId::try_from(s)
                .map(MeetingRef::Id)
                .map_err(|e| format!("a meeting is its number or its id: {e}")),
        }
    }
}

impl fmt::Display for MeetingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeetingRef::Number(n) => n.fmt(f),
            MeetingRef::Id(id) => f.write_str(id.as_str()),
        }
    }
}

impl From<u32> for MeetingRef {
    fn from(n: u32) -> MeetingRef {
        MeetingRef::Number(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_hex_round_trips_and_rejects_uppercase() {
        let h = Hash([0xab; 32]);
        assert_eq!(Hash::from_hex(&h.to_hex()).unwrap(), h);
        assert!(Hash::from_hex(&h.to_hex().to_uppercase()).is_err());
        assert!(Hash::from_hex("abc").is_err());
    }

    /// Every byte that is not a lowercase hex digit (two-byte letters too), first or
    /// last, is refused, by name; every hash comes back from its hex, in JSON too.
    #[test]
    fn hash_hex_refuses_every_other_byte_anywhere_and_decodes_every_digit() {
        let digits: Vec<u8> = (0..=255u8).collect();
        for pair in digits.chunks(32) {
            let h = Hash(pair.try_into().unwrap());
            assert_eq!(Hash::from_hex(&h.to_hex()).unwrap(), h);
            let json = serde_json::to_string(&h).unwrap();
            assert_eq!(serde_json::from_str::<Hash>(&json).unwrap(), h);
        }
        let valid = "0123456789abcdef".repeat(4);
        for c in (0..=127u8).map(char::from).chain(['é', 'ø']) {
            if c.is_ascii_digit() || ('a'..='f').contains(&c) {
                continue;
            }
            let n = c.len_utf8();
            for s in [format!("{c}{}", &valid[n..]), format!("{}{c}", &valid[..64 - n])] {
                let err = Hash::from_hex(&s).unwrap_err();
                assert!(err.ends_with(&format!("found {c:?}")), "{s}: {err}");
            }
        }
        assert!(serde_json::from_str::<Hash>("\"0123\"").unwrap_err().to_string().contains("64 lowercase"));
        assert!(serde_json::from_str::<Hash>("17").unwrap_err().to_string().contains("a hash"));
    }

    #[test]
    fn slugs_accept_danish_letters_and_refuse_capitals_and_spaces() {
        assert!(PersonId::try_from("søren-pihlkjær-hjortshøj").is_ok());
        assert!(PersonId::try_from("Søren").unwrap_err().contains("lowercase"));
        assert!(PersonId::try_from("a b").is_err());
        assert!(PersonId::try_from("-a").is_err());
        assert!(PersonId::try_from("").is_err());
        assert!(PersonId::try_from("a".repeat(65)).is_err());
    }
}
