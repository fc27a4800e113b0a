//! Criteria as data: every case of `tests/data/criteria/*.json` is one test, named by its file
//! and its name.
//!
//! A file has a `context` (the context file shape of DESIGN §8) and `cases`, each with a
//! `criterion` (a Criterion Object), an optional `context` replacing the file's, an optional
//! `version` (`1.0` or `1.1`, the default) and one expectation: `"expect": "pass"` or
//! `"fail"`, `"error": TEXT` (an evaluation error whose message contains TEXT) or
//! `"invalid": TEXT` (the criterion does not compile; the message contains TEXT). A case of a
//! simple condition may also give `"printed": TEXT`: the condition prints (`Display`) as TEXT,
//! which reads back as the same condition.

use std::path::Path;

use arazzo::{Condition, Criterion, Outcome, Version};
use expr_eval::{OwnedExchange, OwnedRequest, OwnedResponse};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

fn main() {
    let args = Arguments::from_args();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/criteria");
    let mut trials = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/data/criteria exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the criteria data files are missing");
    for path in files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("readable");
        let file: Value = serde_json::from_str(&text).expect("valid JSON");
        let default_context = file.get("context").cloned().unwrap_or(Value::Null);
        for case in file["cases"].as_array().expect("cases").clone() {
            let name = format!(
                "{stem}::{}",
                case["name"].as_str().expect("every case has a name")
            );
            let context = case
                .get("context")
                .cloned()
                .unwrap_or_else(|| default_context.clone());
            trials.push(Trial::test(name, move || run(&case, &context)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn run(case: &Value, context: &Value) -> Result<(), Failed> {
    let version = match case.get("version").and_then(Value::as_str) {
        None | Some("1.1") => Version::V1_1,
        Some("1.0") => Version::V1_0,
        Some(other) => return Err(format!("unknown version {other} in the test").into()),
    };
    if let Some(expected) = case.get("printed").and_then(Value::as_str) {
        check_printed(case, version, expected)?;
    }
    let compiled = Criterion::from_json(&case["criterion"], version);
    if let Some(expected) = case.get("invalid").and_then(Value::as_str) {
        return match compiled {
            Err(err) if err.to_string().contains(expected) => Ok(()),
            Err(err) => Err(format!("error `{err}` does not contain `{expected}`").into()),
            Ok(criterion) => Err(format!(
                "expected the criterion to be invalid ({expected}), it compiled: {criterion:?}"
            )
            .into()),
        };
    }
    let criterion = compiled.map_err(|err| format!("the criterion does not compile: {err}"))?;
    let exchange = exchange(context)?;
    let outcome = criterion.evaluate(&exchange);
    match (
        case.get("expect").and_then(Value::as_str),
        case.get("error"),
    ) {
        (Some("pass"), _) if outcome == Outcome::Pass => Ok(()),
        (Some("fail"), _) if outcome == Outcome::Fail => Ok(()),
        (Some(expected @ ("pass" | "fail")), _) => {
            Err(format!("expected {expected}, got {outcome}").into())
        }
        (None, Some(Value::String(expected))) => match outcome {
            Outcome::Error(err) if err.to_string().contains(expected.as_str()) => Ok(()),
            Outcome::Error(err) => {
                Err(format!("error `{err}` does not contain `{expected}`").into())
            }
            other => Err(format!("expected an error ({expected}), got {other}").into()),
        },
        _ => Err("the case has no expectation (expect, error or invalid)".into()),
    }
}

/// The simple condition of the case prints as `expected`, which reads back as the same condition.
fn check_printed(case: &Value, version: Version, expected: &str) -> Result<(), Failed> {
    let text = case["criterion"]["condition"]
        .as_str()
        .ok_or("a printed case needs a condition")?;
    let condition = Condition::parse(text, version)
        .map_err(|err| format!("the condition does not parse: {err}"))?;
    let printed = condition.to_string();
    if printed != expected {
        return Err(format!("printed as `{printed}`, expected `{expected}`").into());
    }
    let again = Condition::parse(&printed, version)
        .map_err(|err| format!("the printed form `{printed}` does not parse: {err}"))?;
    if again != condition {
        return Err(
            format!("the printed form `{printed}` reads as {again:?}, not {condition:?}").into(),
        );
    }
    Ok(())
}

/// The request and response of a context file (the shape of DESIGN §8).
fn exchange(context: &Value) -> Result<OwnedExchange, Failed> {
    let text = |v: &Value, key: &str, default: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let mut request = OwnedRequest::new(
        text(context, "method", "GET"),
        text(context, "url", "https://api.example/"),
    )
    .map_err(|err| err.to_string())?;
    let empty = Value::Null;
    let request_part = context.get("request").unwrap_or(&empty);
    for (name, value) in headers(request_part) {
        request = request.with_header(name, value);
    }
    if let Some(body) = request_part.get("body") {
        request = request.with_json_body(body.clone());
    }
    let mut exchange = OwnedExchange::new(request);
    if let Some(status) = context.get("statusCode").and_then(Value::as_u64) {
        let status = u16::try_from(status).map_err(|err| err.to_string())?;
        let mut response = OwnedResponse::new(status).map_err(|err| err.to_string())?;
        let response_part = context.get("response").unwrap_or(&empty);
        for (name, value) in headers(response_part) {
            response = response.with_header(name, value);
        }
        if let Some(body) = response_part.get("body") {
            response = response.with_json_body(body.clone());
        }
        exchange = exchange.with_response(response);
    }
    Ok(exchange)
}

fn headers(part: &Value) -> Vec<(String, String)> {
    part.get("headers")
        .and_then(Value::as_object)
        .map(|headers| {
            headers
                .iter()
                .map(|(name, value)| (name.clone(), value.as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}
