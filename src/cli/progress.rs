//! Progress on a terminal: one `indicatif` bar a phase on stderr, drawn only when stderr
//! is a terminal and `--quiet` was not given.

use super::Quiet;
use crate::progress::Progress;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;

pub(super) struct Bar {
    shown: bool,
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub(super) fn new(quiet: &Quiet) -> Bar {
        Bar { shown: !quiet.quiet && std::io::stderr().is_terminal(), bar: Mutex::new(None) }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.bar.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Progress for Bar {
    fn phase(&self, what: &str, total: u64) {
        if !self.shown {
            return;
        }
        let mut current = self.current();
        if let Some(done) = current.take() {
            done.finish();
        }
        let bar = if total == 0 { ProgressBar::new_spinner() } else { ProgressBar::new(total) };
        let template =
            if total == 0 { "{msg} {spinner} {pos} ({elapsed})" } else { "{msg} [{bar:30}] {pos}/{len} ({eta} left)" };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(what.to_string());
        *current = Some(bar);
    }

    fn advance(&self, steps: u64) {
        if let Some(bar) = self.current().as_ref() {
            bar.inc(steps);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(bar) = self.current().take() {
            bar.finish_and_clear();
        }
    }
}
