//! Any string into `Expression::parse`: never a panic; an error is well-formed (offset, line,
//! column, caret); a success prints and reparses to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = std::str::from_utf8(data) {
        fuzz_support::check_expression(input);
    }
});
