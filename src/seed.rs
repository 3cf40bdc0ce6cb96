//! The ATMP Danmark record from `events/`, built into the binary so `protokol seed` works
//! from any directory. A test checks this list against the folder, so neither can drift.

/// `recorded_by` of the seeded events.
pub const RECORDED_BY: &str = "protokol seed (events/atmp-danmark)";

/// Each file is one batch, appended in this order (register first, then by meeting date).
pub const FILES: &[(&str, &str)] = &[
    ("events/atmp-danmark/000-register.json", include_str!("../events/atmp-danmark/000-register.json")),
    (
        "events/atmp-danmark/2025-05-02-referencegruppen-1.json",
        include_str!("../events/atmp-danmark/2025-05-02-referencegruppen-1.json"),
    ),
    (
        "events/atmp-danmark/2026-01-21-styregruppen-4.json",
        include_str!("../events/atmp-danmark/2026-01-21-styregruppen-4.json"),
    ),
];
