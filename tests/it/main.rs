//! The one integration-test binary (ripgrep's layout): one module per concern.

mod cli;
mod common;
mod format;
mod ledger;
mod projections;
mod rules;
