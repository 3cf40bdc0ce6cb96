//! The meeting-file reader on arbitrary bytes: parse, then turn into events against an
//! empty model. It may refuse; it must not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(file) = protokol::record_file::parse("fuzz.toml", text) {
            let _ = protokol::record_file::to_events(&file, &protokol::model::Model::default());
        }
    }
});
