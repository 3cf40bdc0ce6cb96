//! protokol: a committee's record as a tamper-evident, event-sourced decision ledger.
//! See ARCHITECTURE.md for the map and the invariants.

pub mod api;
pub mod cli;
pub mod envelope;
pub mod error;
pub mod event;
pub mod gen;
pub mod hash;
pub mod ids;
pub mod import;
pub mod input;
pub mod kv;
pub mod ledger;
pub mod minutes;
pub mod query;
pub mod record_file;
pub mod render;
pub mod rules;
pub mod seed;
pub mod server;
pub mod site;
pub mod state;
pub mod store;
pub mod when;

pub use error::Error;
pub use ledger::{Expect, Ledger};
