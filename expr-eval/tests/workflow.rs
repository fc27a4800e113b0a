//! Arazzo expressions against a `WorkflowContext` (issue 13, item 2): every family of
//! expression, pointers into their values, the value rules of expression strings (Arazzo 1.1.0:
//! scalars as text, objects and arrays as JSON), and an error naming the expression for every
//! value the context does not hold.

use expr_eval::{EvalError, OwnedExchange, OwnedRequest, OwnedResponse, Value, WorkflowContext};
use expr_grammar::{Dialect, Expression, Template};
use serde_json::json;

fn expr(text: &str, dialect: Dialect) -> Expression {
    Expression::parse_in(text, dialect).unwrap_or_else(|err| panic!("{text}: {err}"))
}

struct Values {
    inputs: serde_json::Value,
    outputs: serde_json::Value,
    step: serde_json::Value,
    workflow_inputs: serde_json::Value,
    workflow_outputs: serde_json::Value,
    components: serde_json::Value,
    petstore: serde_json::Value,
    exchange: OwnedExchange,
    message: OwnedRequest,
}

fn values() -> Values {
    let request = OwnedRequest::new("POST", "https://pets.example/v1/pets?kind=cat")
        .expect("valid")
        .with_header("X-Trace", "t-1")
        .with_json_body(json!({"name": "Tom"}));
    let response = OwnedResponse::new(201)
        .expect("valid")
        .with_json_body(json!({"id": 42}));
    Values {
        inputs: json!({"customer": {"name": "Ada", "address": {"city": "London"}}, "count": 3,
            "customer.uri": "urn:c:1", "vip": true, "note": null}),
        outputs: json!({"total": 12.5}),
        step: json!({"pets": [{"id": 7}, {"id": 9}], "token": "abc"}),
        workflow_inputs: json!({"user": "u-1"}),
        workflow_outputs: json!({"orderId": "o-9"}),
        components: json!({"parameters": {"page": {"name": "page", "in": "query", "value": 1}},
            "successActions": {"done": {"name": "done", "type": "end"}}}),
        petstore: json!({"name": "petstore", "url": "https://pets.example/openapi.yaml", "type": "openapi"}),
        exchange: OwnedExchange::new(request).with_response(response),
        message: OwnedRequest::new("POST", "https://broker.example/")
            .expect("valid")
            .with_header("correlationId", "c-5")
            .with_json_body(json!({"event": {"kind": "created"}})),
    }
}

fn context(values: &Values) -> WorkflowContext<'_, OwnedExchange> {
    WorkflowContext::new()
        .with_exchange(&values.exchange)
        .with_message(&values.message)
        .with_inputs(&values.inputs)
        .with_outputs(&values.outputs)
        .with_step_outputs("findPets", &values.step)
        .with_workflow_inputs("order", &values.workflow_inputs)
        .with_workflow_outputs("order", &values.workflow_outputs)
        .with_components(&values.components)
        .with_source_description("petstore", &values.petstore)
        .with_self_uri("https://example.com/arazzo.yaml")
}

#[test]
fn every_family_reads_its_value() {
    let values = values();
    let context = context(&values);
    let cases: &[(&str, serde_json::Value)] = &[
        ("$inputs.customer#/address/city", json!("London")),
        ("$inputs.customer", values.inputs["customer"].clone()),
        ("$inputs.count", json!(3)),
        // Dots belong to the name.
        ("$inputs.customer.uri", json!("urn:c:1")),
        ("$inputs.note", json!(null)),
        ("$outputs.total", json!(12.5)),
        ("$steps.findPets.outputs.pets#/1/id", json!(9)),
        ("$steps.findPets.outputs.token", json!("abc")),
        ("$workflows.order.inputs.user", json!("u-1")),
        ("$workflows.order.outputs.orderId", json!("o-9")),
        (
            "$components.parameters.page",
            values.components["parameters"]["page"].clone(),
        ),
        (
            "$components.successActions.done",
            values.components["successActions"]["done"].clone(),
        ),
        (
            "$sourceDescriptions.petstore.url",
            json!("https://pets.example/openapi.yaml"),
        ),
        ("$self", json!("https://example.com/arazzo.yaml")),
        ("$message.header.correlationId", json!("c-5")),
        ("$message.payload#/event/kind", json!("created")),
        ("$message.payload", json!({"event": {"kind": "created"}})),
        // The current step's exchange, as evaluate reads it.
        ("$method", json!("POST")),
        ("$statusCode", json!(201)),
        ("$url", json!("https://pets.example/v1/pets?kind=cat")),
        ("$request.query.kind", json!("cat")),
        ("$request.header.x-trace", json!("t-1")),
        ("$request.body#/name", json!("Tom")),
        ("$response.body#/id", json!(42)),
    ];
    for (text, expected) in cases {
        let value = context
            .evaluate(&expr(text, Dialect::Arazzo1_1_0))
            .unwrap_or_else(|err| panic!("{text}: {err}"));
        assert_eq!(&value.to_json(), expected, "{text}");
    }
    // Values are borrowed from what the context was given.
    let Value::Json(pets) = context
        .evaluate(&expr("$steps.findPets.outputs.pets", Dialect::Arazzo1_1_0))
        .expect("present")
    else {
        panic!("a JSON value")
    };
    assert!(std::ptr::eq(pets, &values.step["pets"]));
}

#[test]
fn the_1_0_1_dialect_reads_the_same_values() {
    let values = values();
    let context = context(&values);
    for text in [
        "$inputs.customer#/address/city",
        "$steps.findPets.outputs.pets#/0/id",
        "$components.parameters.page",
        "$sourceDescriptions.petstore.url",
    ] {
        assert_eq!(
            context.evaluate(&expr(text, Dialect::Arazzo1_0_1)),
            context.evaluate(&expr(text, Dialect::Arazzo1_1_0)),
            "{text}"
        );
    }
    // A 1.0.x free-form name without the structure of its family names no value.
    let unstructured = expr("$steps.findPets.pets", Dialect::Arazzo1_0_1);
    assert_eq!(
        context.evaluate(&unstructured),
        Err(EvalError::Unsupported {
            expression: unstructured.to_string()
        })
    );
}

#[test]
fn a_value_the_context_does_not_hold_is_an_error_naming_the_expression() {
    let values = values();
    let context = context(&values);
    let missing = [
        "$inputs.nope",
        "$outputs.nope",
        "$steps.other.outputs.pets",
        "$steps.findPets.outputs.nope",
        "$workflows.other.inputs.user",
        "$workflows.order.inputs.orderId",
        "$components.parameters.size",
        "$components.failureActions.done",
        "$sourceDescriptions.other.url",
        "$sourceDescriptions.petstore.nope",
        "$message.header.nope",
    ];
    for text in missing {
        let err = context
            .evaluate(&expr(text, Dialect::Arazzo1_1_0))
            .expect_err(text);
        assert_eq!(
            err.to_string(),
            format!("{text}: the workflow context has no such value"),
            "{text}"
        );
    }
    let err = context
        .evaluate(&expr("$inputs.customer#/address/zip", Dialect::Arazzo1_1_0))
        .expect_err("no zip");
    assert_eq!(
        err.to_string(),
        "$inputs.customer#/address/zip: pointer /address/zip names no value in it"
    );
    // An exchange error stays the exchange's.
    assert_eq!(
        context.evaluate(&expr("$request.header.nope", Dialect::Arazzo1_1_0)),
        Err(EvalError::HeaderNotPresent {
            part: expr_eval::Part::Request,
            name: "nope".to_owned()
        })
    );
}

#[test]
fn an_empty_context_says_what_it_lacks() {
    let context = WorkflowContext::new();
    assert_eq!(
        context.evaluate(&expr("$statusCode", Dialect::Arazzo1_1_0)),
        Err(EvalError::NoExchange)
    );
    assert_eq!(
        context.evaluate(&expr("$message.payload", Dialect::Arazzo1_1_0)),
        Err(EvalError::NoMessage)
    );
    assert_eq!(
        context
            .evaluate(&expr("$self", Dialect::Arazzo1_1_0))
            .expect_err("an error")
            .to_string(),
        "$self: the workflow context has no such value"
    );
    assert_eq!(
        EvalError::NoExchange.to_string(),
        "the workflow context has no HTTP exchange (WorkflowContext::with_exchange)"
    );
}

#[test]
fn a_message_that_cannot_be_read_says_why() {
    let text = OwnedRequest::new("POST", "https://broker.example/")
        .expect("valid")
        .with_header("Content-Type", "text/plain")
        .with_body("plain words");
    let context = WorkflowContext::new().with_message(&text);
    assert_eq!(
        context
            .evaluate(&expr("$message.payload", Dialect::Arazzo1_1_0))
            .expect("text")
            .to_json(),
        json!("plain words")
    );
    assert_eq!(
        context
            .evaluate(&expr("$message.payload#/a", Dialect::Arazzo1_1_0))
            .expect_err("an error")
            .to_string(),
        "$message.payload#/a: the message payload is not JSON"
    );
}

#[test]
fn expression_strings_write_scalars_as_text_and_structures_as_json() {
    let values = values();
    let context = context(&values);
    let cases = [
        ("city={$inputs.customer#/address/city}", "city=London"),
        ("n={$inputs.count}", "n=3"),
        (
            "vip={$inputs.vip} note={$inputs.note}",
            "vip=true note=null",
        ),
        ("total={$outputs.total}", "total=12.5"),
        (
            "ids {$steps.findPets.outputs.pets}",
            r#"ids [{"id":7},{"id":9}]"#,
        ),
        ("{$inputs.customer#/address}", r#"{"city":"London"}"#),
        (
            "status {$statusCode} for {$request.body#/name}",
            "status 201 for Tom",
        ),
        ("no expression", "no expression"),
    ];
    for (text, expected) in cases {
        let template = Template::parse_in(text, Dialect::Arazzo1_1_0).expect(text);
        assert_eq!(context.render(&template).as_deref(), Ok(expected), "{text}");
    }
    // The first failing expression is the error: nothing is left empty.
    let template = Template::parse_in("a {$inputs.count} b {$outputs.nope}", Dialect::Arazzo1_1_0)
        .expect("valid");
    assert_eq!(
        context.render(&template).expect_err("an error").to_string(),
        "$outputs.nope: the workflow context has no such value"
    );
}

#[test]
fn rendering_stops_at_its_limit() {
    let values = values();
    let template = Template::parse_in("ids {$steps.findPets.outputs.pets}", Dialect::Arazzo1_1_0)
        .expect("valid");
    let whole = r#"ids [{"id":7},{"id":9}]"#.len();
    let fits = context(&values).with_max_rendered_len(whole);
    assert_eq!(fits.render(&template).map(|s| s.len()), Ok(whole));
    let short = context(&values).with_max_rendered_len(whole - 1);
    assert_eq!(
        short.render(&template),
        Err(EvalError::RenderedTooLong { limit: whole - 1 })
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever Arazzo expression or expression string parses, evaluating or rendering it
        /// in a full or an empty context never panics, and a rendering is whole or an error.
        #[test]
        fn evaluating_any_arazzo_expression_never_panics(
            text in "\\$(inputs|outputs|steps|workflows|components|sourceDescriptions|message|request|response|self|url|method|statusCode)[.a-zA-Z0-9#/~_-]{0,24}",
            dialect in prop::sample::select(vec![Dialect::Arazzo1_0_0, Dialect::Arazzo1_0_1, Dialect::Arazzo1_1_0]),
        ) {
            let values = values();
            let full = context(&values);
            let empty = WorkflowContext::new();
            if let Ok(expression) = Expression::parse_in(&text, dialect) {
                let _ = full.evaluate(&expression);
                let _ = empty.evaluate(&expression);
            }
            if let Ok(template) = Template::parse_in(&format!("a{{{text}}}b"), dialect) {
                if let Ok(out) = full.render(&template) {
                    prop_assert!(out.starts_with('a') && out.ends_with('b'));
                }
                let _ = empty.render(&template);
            }
        }
    }
}
