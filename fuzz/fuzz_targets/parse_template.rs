//! Any string into `Template::parse`: never a panic; an error is well-formed; a success
//! prints and reparses to the same segments, which `Template::from_segments` accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(template) = fuzz_support::check_template(input) {
        // Every embedded expression also parses on its own, to the same tree.
        for expr in template.expressions() {
            let alone = expr_grammar::Expression::parse(&expr.to_string()).unwrap_or_else(|err| {
                panic!("{expr:?} embedded in {input:?} does not parse alone: {err}")
            });
            assert_eq!(&alone, expr);
        }
    }
});
