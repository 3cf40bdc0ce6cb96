//! The JSON event reader on arbitrary bytes, and the rules on whatever it accepts, in a
//! pure history (no store): errors, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(events) = protokol::input::parse_events("fuzz", text) else { return };
    let mut history = protokol::state::History::default();
    let at = protokol::when::RecordedAt(chrono::DateTime::UNIX_EPOCH);
    for e in events {
        let seq = history.head_seq().next();
        let entry = protokol::state::Entry { seq, recorded_at: at, effective: e.effective, recorded_by: "fuzz".into(), event: e.event };
        let _ = history.push(entry);
    }
});
