//! The ATMP Danmark record from `events/`, built into the binary so `protokol seed` works
//! from any directory. A test checks this list against the folder, so neither can drift.

/// `recorded_by` of the seeded events.
pub const RECORDED_BY: &str = "protokol seed (events/atmp-danmark)";

/// Each file is one batch; `import` orders them (register first, then meetings by date).
pub const FILES: &[(&str, &str)] = &[
    ("register.toml", include_str!("../events/atmp-danmark/register.toml")),
    ("2025-05-02-referencegruppen-1.toml", include_str!("../events/atmp-danmark/2025-05-02-referencegruppen-1.toml")),
    ("2026-01-21-styregruppen-4.toml", include_str!("../events/atmp-danmark/2026-01-21-styregruppen-4.toml")),
];

/// Imports the embedded files, in the same order and with the same checks as
/// `protokol import events/atmp-danmark`.
pub fn import_all(
    ledger: &mut crate::Ledger,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<crate::import::Outcome>, crate::Error> {
    let files =
        FILES.iter().map(|(name, text)| crate::record_file::parse(name, text)).collect::<Result<Vec<_>, _>>()?;
    crate::import::import_parsed(ledger, files, RECORDED_BY, now, &crate::progress::Silent)
}
