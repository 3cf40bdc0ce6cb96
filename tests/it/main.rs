//! The one integration-test binary (ripgrep's layout): one module per concern.

mod accountability;
mod bad_input;
mod browser;
mod bundles;
mod cli;
mod common;
mod concurrent;
mod council;
mod crash;
mod dates;
mod files;
mod format;
mod hostile;
mod import;
mod layout;
mod ledger;
mod minutes;
mod projections;
mod read_faults;
mod redaction;
mod rules;
mod secretariat;
mod server;
mod tamper;
mod tour;
mod tree;
