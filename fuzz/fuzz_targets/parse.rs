#![no_main]

#[path = "../../tests/common/plain.rs"]
mod plain;
#[path = "../../tests/common/oracles.rs"]
mod oracles;

libfuzzer_sys::fuzz_target!(|data: &[u8]| oracles::parse(data));
