//! `protokol serve`: tokens from a file or the environment, the ledger (seeded when
//! missing), and the server until Ctrl-C.

use super::{open_or_create, say, Context};
use crate::error::Error;
use crate::http::{self, AppState, Tokens};
use crate::ids::{Hash, Seq};
use crate::seed;
use std::path::{Path, PathBuf};

pub(super) fn serve(
    path: &Path,
    ctx: &mut Context,
    addr: std::net::SocketAddr,
    tokens: Option<PathBuf>,
    key: Option<&Path>,
    witnesses: Vec<String>,
) -> Result<(), Error> {
    let skey = key.map(|f| super::keys::read_key(f).map(|(s, _)| s)).transpose()?;
    let tokens = match (tokens, std::env::var("PROTOKOL_TOKENS").ok()) {
        (Some(file), _) => {
            let text = std::fs::read_to_string(&file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
            Tokens::parse(&file.display().to_string(), &text)?
        }
        (None, Some(inline)) => Tokens::parse("PROTOKOL_TOKENS", &inline)?,
        (None, None) => Tokens::default(),
    };
    let mut ledger = open_or_create(path)?;
    if ledger.head().is_none() {
        for outcome in seed::import_all(&mut ledger, ctx.now)? {
            say(ctx, &outcome.to_string())?;
        }
    }
    // Opening checked the newest record and that the projection is at the recorded
    // head, not every record (that is `verify`): say which.
    let (seq, head) = ledger.head().unwrap_or((Seq(0), Hash::ZERO));
    say(
        ctx,
        &format!(
            "ledger {}: {seq} events, head {head} (newest record checked; `protokol verify` checks them all)",
            path.display()
        ),
    )?;
    if tokens.is_empty() {
        say(ctx, "no write tokens configured: read-only")?;
    }
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt().with_target(false).with_ansi(ansi).with_writer(std::io::stderr).try_init();
    if let Some(skey) = &skey {
        ledger.sign_checkpoint(skey)?;
        say(ctx, &format!("signing checkpoints as {}", crate::checkpoint::origin_of(skey).unwrap_or_default()))?;
    }
    let state = AppState::new(ledger, tokens).signing(skey, witnesses);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Error::Input(format!("starting the server: {e}")))?;
    let out = &mut *ctx.out;
    runtime.block_on(http::run(state, addr, |local| {
        let _ = writeln!(out, "serving on http://{local}/");
        let _ = out.flush();
    }))
}
