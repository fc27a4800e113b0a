//! The `serde` feature: expressions and templates travel as their canonical string form.
#![cfg(feature = "serde")]

use std::collections::BTreeMap;

use expr_grammar::{Expression, Segment, Source, Template};

#[test]
fn expression_serializes_as_its_canonical_string() {
    let expr = Expression::parse("$Request.Body#/user/uuid").expect("valid expression");
    let json = serde_json::to_string(&expr).expect("serializable");
    assert_eq!(json, r##""$request.body#/user/uuid""##);
}

#[test]
fn expression_round_trips_through_json() {
    // Names with characters that JSON and the grammar both escape, and a pointer with braces
    // (allowed in a bare expression).
    let inputs = [
        "$url",
        "$statusCode",
        "$request.header.X-Request-ID",
        r#"$request.query.a\"b\\c\u0001"#,
        "$request.path.😀",
        "$response.body#/a~1b/{c}",
        "$response.body#",
        "$request.body",
    ];
    for input in inputs {
        let expr = Expression::parse(input).expect(input);
        let json = serde_json::to_string(&expr).expect("serializable");
        let back: Expression = serde_json::from_str(&json).expect(&json);
        assert_eq!(back, expr, "{input} via {json}");
    }
}

#[test]
fn template_round_trips_through_json() {
    let input = "http://notificationServer.com?transactionId={$request.body#/id}&email={$request.body#/email}";
    let template = Template::parse(input).expect("valid template");
    let json = serde_json::to_string(&template).expect("serializable");
    assert_eq!(json, format!("\"{input}\""));
    let back: Template = serde_json::from_str(&json).expect("deserializable");
    assert_eq!(back, template);
    assert_eq!(back.segments().len(), 4);
}

#[test]
fn template_with_escaped_braces_round_trips() {
    let template = Template::from_segments(vec![
        Segment::Literal("x=".into()),
        Segment::Expression(Expression::Request(Source::Query("{id}".into()))),
    ])
    .expect("embeddable");
    let json = serde_json::to_string(&template).expect("serializable");
    assert_eq!(json, r#""x={$request.query.\\u007bid\\u007d}""#);
    let back: Template = serde_json::from_str(&json).expect("deserializable");
    assert_eq!(back, template);
}

#[test]
fn expressions_deserialize_inside_collections() {
    let links: BTreeMap<String, Expression> =
        serde_json::from_str(r#"{"userid": "$request.path.id", "uuid": "$response.body#/uuid"}"#)
            .expect("valid link parameters");
    assert_eq!(
        links["userid"],
        Expression::Request(Source::Path("id".into()))
    );
    assert_eq!(links["uuid"].to_string(), "$response.body#/uuid");
}

#[test]
fn invalid_expression_is_a_deserialization_error_with_the_parser_message() {
    let err = serde_json::from_str::<Expression>(r#""$response.body.id""#)
        .expect_err("dot form is invalid");
    let message = err.to_string();
    assert!(
        message
            .starts_with("invalid runtime expression: expected `#` or end of input at column 15"),
        "{message}"
    );
    // serde_json adds where in the JSON text the bad value is.
    assert!(message.contains("line 1"), "{message}");
}

#[test]
fn invalid_template_is_a_deserialization_error_with_the_parser_message() {
    let err =
        serde_json::from_str::<Template>(r#""http://x/{id}""#).expect_err("placeholder is invalid");
    let message = err.to_string();
    assert!(
        message.starts_with("invalid template: expected `$` after `{`"),
        "{message}"
    );
    assert!(message.contains("at column 11"), "{message}");
}

#[test]
fn the_empty_string_is_a_template_but_not_an_expression() {
    let template: Template = serde_json::from_str(r#""""#).expect("the empty template is valid");
    assert!(template.segments().is_empty());
    assert!(serde_json::from_str::<Expression>(r#""""#).is_err());
}

#[test]
fn a_non_string_is_rejected_with_what_was_expected() {
    let err = serde_json::from_str::<Expression>("42").expect_err("not a string");
    assert!(err.to_string().contains("a runtime expression"), "{err}");
    let err = serde_json::from_str::<Template>("[]").expect_err("not a string");
    assert!(
        err.to_string()
            .contains("runtime expressions embedded in `{}`"),
        "{err}"
    );
}
