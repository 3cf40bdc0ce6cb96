//! The JSON event reader on arbitrary bytes, and the rules on whatever it accepts, over a
//! model in memory (no store): errors, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;
use protokol::ids::Seq;
use protokol::model::{Entry, Model};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(events) = protokol::input::parse_events("fuzz", text) else { return };
    let mut model = Model::default();
    let at = protokol::when::RecordedAt(chrono::DateTime::UNIX_EPOCH);
    for (n, e) in events.into_iter().enumerate() {
        let entry = Entry { seq: Seq(n as u64 + 1), recorded_at: at, effective: e.effective, recorded_by: "fuzz".into(), event: e.event };
        if matches!(entry.event, protokol::event::Event::EventCorrected(_)) {
            continue; // a correction needs the log: the ledger's, not the model's
        }
        if protokol::rules::check(&model, &entry).is_ok() {
            model.apply_recorded(&entry).expect("a model in memory reads what it wrote");
        }
    }
});
