//! Writers of the record in other people's formats. They know nothing of HTTP: the API
//! and the CLI both call them.

pub mod csv;
pub mod popolo;
