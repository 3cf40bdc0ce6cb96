//! Who may write: tokens, each bound to the name that becomes `recorded_by`, and the
//! writer a request's `Authorization` header names.

use super::error::ApiError;
use super::AppState;
use crate::error::Error;
use axum::http::{HeaderMap, StatusCode};

/// Most write tokens configured.
pub const TOKENS_MAX: usize = 1000;

/// Write tokens, each bound to the name that becomes `recorded_by`. Only their BLAKE3
/// hashes are kept, and comparison is of fixed-size hashes in constant time.
#[derive(Clone, Default)]
pub struct Tokens(Vec<(String, blake3::Hash)>);

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

impl Tokens {
    /// Reads `name:token` pairs, one per line or comma-separated; a line that starts
    /// with `#` is a comment (a `#` anywhere else is part of the token, which may hold
    /// one). Each token is one writer's: a token given twice is refused, whatever names.
    pub fn parse(source: &str, text: &str) -> Result<Tokens, Error> {
        let mut out: Vec<(String, blake3::Hash)> = Vec::new();
        let entries = text.lines().filter(|l| !l.trim_start().starts_with('#')).flat_map(|l| l.split(','));
        for (n, entry) in entries.enumerate() {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let Some((name, token)) = entry.split_once(':') else {
                return Err(Error::Input(format!("{source}: entry {}: expected name:token", n + 1)));
            };
            let (name, token) = (name.trim(), token.trim());
            if name.is_empty() || token.len() < 16 {
                return Err(Error::Input(format!(
                    "{source}: entry {}: a name, and a token of at least 16 characters",
                    n + 1
                )));
            }
            if let Some((_, c)) = crate::rules::hidden_char(name, false) {
                return Err(Error::Input(format!(
                    "{source}: entry {}: the name holds U+{:04X}; a name is visible characters",
                    n + 1,
                    c as u32
                )));
            }
            let hash = blake3::hash(token.as_bytes());
            if let Some((other, _)) = out.iter().find(|(_, h)| *h == hash) {
                return Err(Error::Input(format!(
                    "{source}: entry {}: this token is already {other}'s; give each writer a token of their own",
                    n + 1
                )));
            }
            out.push((name.to_string(), hash));
        }
        if out.len() > TOKENS_MAX {
            return Err(Error::Input(format!("{source}: more than {TOKENS_MAX} tokens")));
        }
        Ok(Tokens(out))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The name bound to `presented`, looking at every token whatever matches
    /// (`blake3::Hash` equality is constant-time).
    fn who(&self, presented: &str) -> Option<String> {
        let h = blake3::hash(presented.as_bytes());
        let mut found = None;
        for (name, hash) in &self.0 {
            if *hash == h {
                found = Some(name.clone());
            }
        }
        found
    }
}

impl AppState {
    /// The authenticated writer, from `Authorization: Bearer TOKEN`.
    pub fn writer(&self, headers: &HeaderMap) -> Result<String, ApiError> {
        if self.0.tokens.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "read_only",
                "this server has no write tokens configured",
            ));
        }
        let presented = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send Authorization: Bearer TOKEN")
            })?;
        self.0
            .tokens
            .who(presented)
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "unknown token"))
    }
}
