//! Any string into `arazzo::Condition::parse` (both Arazzo versions): never a panic; an error
//! has an offset on a character boundary and a caret display; a success prints (`Display`) and
//! reparses to the same condition, the printed form is a fixed point, and evaluating it
//! against a small fixed exchange never panics.
#![no_main]

use arazzo::{Condition, Version};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let exchange = fuzz_support::arazzo_exchange();
    for version in [Version::V1_0, Version::V1_1] {
        match Condition::parse(input, version) {
            Ok(condition) => {
                let printed = condition.to_string();
                let again = Condition::parse(&printed, version).unwrap_or_else(|err| {
                    panic!("{input:?} printed as {printed:?}, which does not parse: {err}")
                });
                assert_eq!(again, condition, "{input:?} printed as {printed:?}");
                assert_eq!(
                    again.to_string(),
                    printed,
                    "the printed form is not a fixed point"
                );
                for expression in condition.expressions() {
                    assert!(expression.span().end <= input.len());
                }
                let _ = condition.evaluate(&exchange);
            }
            Err(err) => {
                assert!(err.offset() <= input.len(), "offset past the end: {err:?}");
                assert!(
                    input.is_char_boundary(err.offset()),
                    "offset inside a character"
                );
                assert!(err.to_string().contains('^'), "no caret: {err}");
            }
        }
    }
});
