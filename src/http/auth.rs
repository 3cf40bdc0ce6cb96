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
    /// Reads `name:token` pairs, one per line or comma-separated; `#` starts a comment.
    pub fn parse(source: &str, text: &str) -> Result<Tokens, Error> {
        let mut out = Vec::new();
        for (n, entry) in text.split(['\n', ',']).enumerate() {
            let entry = entry.split('#').next().unwrap_or("").trim();
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
            out.push((name.to_string(), blake3::hash(token.as_bytes())));
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
