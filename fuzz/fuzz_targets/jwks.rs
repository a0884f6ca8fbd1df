#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tokenkeeper_fuzz::jwks(data));
