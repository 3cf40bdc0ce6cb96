//! protokol: a committee's record as a tamper-evident, event-sourced decision ledger.
//! See ARCHITECTURE.md for the map and the invariants.

pub mod amend;
pub mod checkpoint;
pub mod cli;
pub mod envelope;
pub mod error;
pub mod event;
pub mod export;
pub mod follow;
pub mod gen;
pub mod hash;
pub mod http;
pub mod ids;
pub mod import;
pub mod input;
pub mod kv;
pub mod ledger;
pub mod merkle;
pub mod minutes;
pub mod model;
pub mod progress;
pub mod proof;
pub mod query;
pub mod record_file;
pub mod redact;
pub mod rules;
pub mod said;
pub mod seed;
pub mod store;
pub mod tiles;
pub mod when;

pub use error::Error;
pub use ledger::{Expect, Ledger};
