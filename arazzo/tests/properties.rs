//! Properties of the condition language: any text parses or fails without panicking; a
//! condition prints in a canonical form that parses back to the same condition and prints the
//! same again.

use arazzo::{Condition, Version};
use proptest::prelude::*;

fn operand() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("$statusCode".to_owned()),
        Just("$method".to_owned()),
        Just("$response.body#/count".to_owned()),
        Just("$response.header.X-Total".to_owned()),
        Just("$request.query.q".to_owned()),
        Just("$response.body.items[0].id".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("null".to_owned()),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        (-1.0e6f64..1.0e6).prop_map(|f| format!("{f}")),
        "[a-zA-Z' ]{0,8}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        escaped_name(),
    ]
}

/// A query, path or (Arazzo 1.0.x) free-form name with characters written as `\uXXXX`
/// escapes, among them those that end an operand: printing must escape those again.
fn escaped_name() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-z]{1,3}",
        prop::sample::select(vec![
            ' ', '!', '&', '(', ')', '<', '=', '>', '{', '|', '}', 'a', '.'
        ])
        .prop_map(|c| format!("\\u{:04x}", u32::from(c))),
    ];
    (
        prop::sample::select(vec![
            "$request.query.",
            "$request.path.",
            "$steps.$s",
            "$inputs.$",
        ]),
        prop::collection::vec(piece, 1..5),
    )
        .prop_map(|(prefix, pieces)| format!("{prefix}{}", pieces.concat()))
}

fn condition() -> impl Strategy<Value = String> {
    let leaf = operand();
    leaf.prop_recursive(6, 48, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["==", "!=", "<", "<=", ">", ">="]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} && {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}||{b}")),
            inner.clone().prop_map(|a| format!("!{a}")),
            inner.prop_map(|a| format!("( {a} )")),
        ]
    })
}

proptest! {
    #[test]
    fn canonical_form_round_trips(text in condition()) {
        for version in [Version::V1_0, Version::V1_1] {
            if let Ok(parsed) = Condition::parse(&text, version) {
                let printed = parsed.to_string();
                let again = Condition::parse(&printed, version)
                    .unwrap_or_else(|err| panic!("{text:?} printed as {printed:?}: {err}"));
                prop_assert_eq!(&again, &parsed, "{} printed as {}", text, printed);
                prop_assert_eq!(again.to_string(), printed);
            }
        }
    }

    #[test]
    fn any_text_parses_or_fails_cleanly(text in "\\PC{0,64}") {
        match Condition::parse(&text, Version::V1_1) {
            Ok(condition) => {
                prop_assert!(Condition::parse(&condition.to_string(), Version::V1_1).is_ok());
            }
            Err(err) => {
                prop_assert!(err.offset() <= text.len());
                prop_assert!(text.is_char_boundary(err.offset()));
                prop_assert!(err.to_string().contains('^'));
            }
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
    let err = Condition::parse(&deep, Version::V1_1).expect_err("too deep");
    assert!(
        err.message().contains("ConditionLimits::max_depth"),
        "{err}"
    );
    let nots = format!("{}true", "!".repeat(100_000));
    assert!(Condition::parse(&nots, Version::V1_1).is_err());
    // A long flat condition is fine: a chain of `&&` or `||` is one list, not a deep tree, so
    // that parsing, printing, evaluating and dropping it do not recurse along it.
    let long = vec!["$statusCode == 200"; 40_000].join(" && ");
    let condition = Condition::parse(&long, Version::V1_1).expect("parses");
    assert_eq!(condition.to_string(), long);
    let long_or = vec!["false"; 100_000].join("||");
    let condition = Condition::parse(&long_or, Version::V1_1).expect("parses");
    let exchange = expr_eval::OwnedExchange::new(
        expr_eval::OwnedRequest::new("GET", "https://api.example/").expect("request"),
    );
    assert_eq!(condition.evaluate(&exchange), Ok(false));
}
