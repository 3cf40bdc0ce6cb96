//! The body of `POST /api/events`, as any client could send it: an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = protokol::http::api::parse_batch(data);
});
