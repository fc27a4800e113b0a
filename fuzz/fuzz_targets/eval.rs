//! A structured exchange (built with the public `OwnedRequest` / `OwnedResponse` builders)
//! plus an expression or template: evaluation never panics; `evaluate` and
//! `CompiledExpression` agree; a body pointer resolves as a reference RFC 6901 resolver says;
//! a strict rendering is the concatenation of its segments' values and a lenient one the same
//! with failures left empty; within a rendering limit, a rendering is whole or the error that
//! names the limit.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use expr_grammar::{Expression, Template};
use fuzz_support::{ExchangeIn, check_evaluation, check_rendering};
use libfuzzer_sys::fuzz_target;

#[derive(Debug)]
struct Input {
    exchange: ExchangeIn,
    text: String,
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        let exchange = u.arbitrary()?;
        // The expression first from the known list half of the time, so that the exchange
        // part of the input is what varies.
        let text = if u.ratio(1, 2)? {
            let list = if u.arbitrary()? {
                fuzz_support::EXPRESSIONS
            } else {
                fuzz_support::TEMPLATES
            };
            (*u.choose(list)?).to_owned()
        } else {
            u.arbitrary()?
        };
        Ok(Input { exchange, text })
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = Input::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let exchange = input.exchange.build();
    if let Ok(expr) = Expression::parse(&input.text) {
        let _ = check_evaluation(&expr, &exchange);
    }
    if let Ok(template) = Template::parse(&input.text) {
        check_rendering(&template, &exchange);
    }
});
