//! The JSON API under `/api`: the same queries as the CLI with the same `at` and
//! `known_at`, the event feed for auditors and replicas, and authenticated writes.

mod documents;
mod handlers;
pub mod openapi;
mod proofs;
mod redactions;
mod routes;
mod writes;

pub(crate) use documents::document;
pub use handlers::LIST_PAGE_LEN;
pub use routes::{routes, RouteDoc, ROUTES};
pub use writes::parse_batch;
