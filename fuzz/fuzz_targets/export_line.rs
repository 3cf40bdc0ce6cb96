//! An export line, as an outside file would give it: decode and chain-check, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut chain = protokol::envelope::ChainChecker::default();
    for line in text.lines() {
        match protokol::envelope::Record::from_export_line(line) {
            Ok(r) => {
                if chain.check(None, &r).is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
});
