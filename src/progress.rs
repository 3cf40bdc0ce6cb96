//! How far long work has come (verify, rebuild, compact, gen, import), for an edge to
//! show. The library only reports; whether anything is drawn is the edge's choice.

/// Receives a run's phases and steps. Shared by the threads of one run.
pub trait Progress: Sync {
    /// A new phase of `total` steps (0 when the count is not known).
    fn phase(&self, what: &str, total: u64);
    /// `steps` more of the current phase are done.
    fn advance(&self, steps: u64);
}

/// Reports to no one: the library's calls without an edge, and tests.
pub struct Silent;

impl Progress for Silent {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
}
