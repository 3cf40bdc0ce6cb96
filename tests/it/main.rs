//! The one integration-test binary (ripgrep's layout): one module per concern.

mod bad_input;
mod browser;
mod cli;
mod common;
mod concurrent;
mod crash;
mod format;
mod hostile;
mod import;
mod ledger;
mod minutes;
mod projections;
mod rules;
mod server;
mod tamper;
