//! The JSON API under `/api`: the same queries as the CLI with the same `at` and
//! `known_at`, the event feed for auditors and replicas, and authenticated writes.

mod documents;
mod handlers;
pub mod openapi;
mod proofs;
mod redactions;
mod routes;

pub(crate) use documents::document;
pub use handlers::parse_batch;
pub use routes::{routes, RouteDoc, ROUTES};
