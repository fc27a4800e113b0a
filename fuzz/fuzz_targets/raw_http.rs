//! Arbitrary bytes as a raw HTTP/1.1 request and response (split at the first NUL byte) into
//! `OwnedExchange::parse_http1`: never a panic; whatever parses evaluates every kind of
//! expression and template without a panic, with the same oracles as the `eval` target.
#![no_main]

use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
use expr_grammar::{Expression, Template};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (request, response) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let _ = OwnedRequest::parse_http1(request, "http");
    if let Some(response) = response {
        let _ = OwnedResponse::parse_http1(response);
    }
    let exchange = match OwnedExchange::parse_http1(request, response) {
        Ok(exchange) => exchange,
        Err(err) => {
            assert!(!err.to_string().is_empty());
            return;
        }
    };
    for text in fuzz_support::EXPRESSIONS {
        let expr = Expression::parse(text).expect("a valid expression");
        let _ = fuzz_support::check_evaluation(&expr, &exchange);
    }
    for text in fuzz_support::TEMPLATES {
        let template = Template::parse(text).expect("a valid template");
        fuzz_support::check_rendering(&template, &exchange);
    }
});
