//! The two readers of the grammar on the same string, each on its own
//! (`expr_grammar::differential`): the fast reader accepts exactly what the pest grammar
//! accepts, with the same tree, read as an expression and as a template; and the public entry
//! points give the grammar's answer, error included.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(input) = std::str::from_utf8(data) {
        fuzz_support::check_readers_agree(input);
    }
});
