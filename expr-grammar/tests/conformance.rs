//! Conformance table for the runtime-expression grammar.
//!
//! The cases live in `tests/data/*.json`; each one is a separate named trial (libtest-mimic), so
//! a failing case never hides another and `cargo test --test conformance -- NAME` runs one.
//! Inputs too large for a data file (1 MB and more) are generated here, as trials of their own.
//!
//! A data file is `{"description": "...", "cases": [CASE, ...]}`. A case is:
//!
//! ```json
//! {"name": "spec-table-body-pointer", "input": "$request.body#/user/uuid", "mode": "expression",
//!  "valid": true, "canonical": "$request.body#/user/uuid",
//!  "ast": {"type": "request", "source": "body", "pointer": "/user/uuid"}}
//! {"name": "dot-instead-of-hash", "input": "$response.body.id", "mode": "expression",
//!  "valid": false, "offset": 14, "kind": "Unexpected", "expected": ["`#`", "end of input"]}
//! ```
//!
//! - `dialect` (optional, default `openapi`): the [`Dialect`] spelling (`arazzo-1.0.1`, …); the
//!   case is read with [`Expression::parse_in`], [`Template::parse_in`] or
//!   [`Expression::parse_prefix`].
//! - `mode`: `expression` ([`Expression::parse`]), `template` ([`Template::parse`]) or `prefix`
//!   ([`Expression::parse_prefix`]: a valid case also gives `length`, the bytes the expression
//!   takes).
//! - valid cases: `canonical` is the expected `Display` output, `ast` the expected tree:
//!   an expression is `{"type": "url" | "method" | "statusCode"}` or
//!   `{"type": "request" | "response", "source": "header" | "query" | "path", "name": NAME}` or
//!   `{"type": …, "source": "body"}` (no pointer) / `{"type": …, "source": "body", "pointer": P}`,
//!   optionally with `"tokens"`, the decoded reference tokens of the pointer; a template is a
//!   list of `{"literal": TEXT}` and `{"expression": EXPRESSION}`. Arazzo expressions:
//!   `{"type": "message", "source": …}` (as request), source `payload` (as body),
//!   `{"type": "inputs" | "outputs", "name": N, "pointer"?: P}`,
//!   `{"type": "steps", "stepId": S, "name": N, "pointer"?: P}`,
//!   `{"type": "workflows", "workflowId": W, "field": "inputs" | "outputs", "name": N, "pointer"?: P}`,
//!   `{"type": "sourceDescriptions", "name": N, "reference": R}`,
//!   `{"type": "components", "kind": "parameters" | "successActions" | "failureActions", "name": N}`,
//!   `{"type": "self"}`, `{"type": "unstructured", "family": "inputs" | "steps" | …, "name": N}`.
//! - invalid cases: `offset` is the expected byte offset of the error; optionally `kind` (the
//!   [`ErrorKind`] variant name), `expected` (exactly [`ParseError::expected`], in order),
//!   `message` (exactly [`ParseError::message`], the words a user reads), `line` and `column`.
//! - `why` (optional) says which rule of the specification or of DESIGN §2 decides the case.
//!
//! Unknown keys are an error, so that a misspelt key cannot silently skip a check.
//!
//! Every case also goes through each of the two readers on its own (the fast reader and the
//! pest grammar, [`expr_grammar::differential`]): they must agree with each other and with the
//! public entry point.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use expr_grammar::{
    ComponentKind, Dialect, ErrorKind, Expression, Family, JsonPointer, MAX_INPUT_LEN, ParseError,
    Reference, Segment, Source, Template, WorkflowField, differential,
};
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::{Map, Value, json};

fn main() {
    let args = Arguments::from_args();
    let mut trials = data_trials(&data_dir());
    trials.extend(generated_trials());
    libtest_mimic::run(&args, trials).exit();
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("data")
}

// ---------------------------------------------------------------------------------------------
// Data-driven cases

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Expression,
    Template,
    Prefix,
}

#[derive(Debug)]
enum Expectation {
    Valid {
        canonical: String,
        ast: Value,
        length: Option<usize>,
    },
    Invalid(ExpectedError),
}

/// What an invalid case says about its error; `None` fields are not checked.
#[derive(Debug)]
struct ExpectedError {
    offset: usize,
    kind: Option<String>,
    expected: Option<Vec<String>>,
    message: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Debug)]
struct Case {
    input: String,
    mode: Mode,
    dialect: Dialect,
    expectation: Expectation,
}

/// Every case of every data file as a trial; a file or case that cannot be read becomes a
/// failing trial that says why, so broken data is reported rather than skipped.
fn data_trials(dir: &Path) -> Vec<Trial> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect(),
        Err(err) => {
            let message = format!("cannot read {}: {err}", dir.display());
            return vec![Trial::test("data::directory", move || Err(message.into()))];
        }
    };
    files.sort();
    if files.is_empty() {
        let message = format!("no *.json case files in {}", dir.display());
        return vec![Trial::test("data::directory", move || Err(message.into()))];
    }

    let mut trials = Vec::new();
    let mut seen_names = BTreeSet::new();
    for file in files {
        let stem = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let cases = match read_cases(&file) {
            Ok(cases) => cases,
            Err(message) => {
                trials.push(Trial::test(format!("{stem}::<file>"), move || {
                    Err(message.into())
                }));
                continue;
            }
        };
        for (index, case) in cases.into_iter().enumerate() {
            let (name, parsed) = match case {
                Ok((name, case)) => (name, Ok(case)),
                Err((name, message)) => (name.unwrap_or_else(|| format!("#{index}")), Err(message)),
            };
            let trial_name = format!("{stem}::{name}");
            if !seen_names.insert(trial_name.clone()) {
                trials.push(Trial::test(
                    format!("{trial_name}#duplicate-{index}"),
                    || Err("two cases have this name; names must be unique".into()),
                ));
                continue;
            }
            trials.push(Trial::test(trial_name, move || match parsed {
                Ok(case) => check_case(&case),
                Err(message) => Err(format!("malformed case: {message}").into()),
            }));
        }
    }
    trials
}

type CaseResult = Result<(String, Case), (Option<String>, String)>;

fn read_cases(file: &Path) -> Result<Vec<CaseResult>, String> {
    let text = std::fs::read_to_string(file).map_err(|err| format!("{}: {err}", file.display()))?;
    let document: Value =
        serde_json::from_str(&text).map_err(|err| format!("{}: {err}", file.display()))?;
    let object = document
        .as_object()
        .ok_or("a case file is an object with `description` and `cases`")?;
    check_keys(object, &["description", "cases"])?;
    if !object.get("description").is_some_and(Value::is_string) {
        return Err("`description` (a string) is missing".to_owned());
    }
    let cases = object
        .get("cases")
        .and_then(Value::as_array)
        .ok_or("`cases` (an array) is missing")?;
    if cases.is_empty() {
        return Err("`cases` is empty".to_owned());
    }
    Ok(cases.iter().map(read_case).collect())
}

fn check_keys(object: &Map<String, Value>, allowed: &[&str]) -> Result<(), String> {
    match object.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(key) => Err(format!("unknown key `{key}` (allowed: {allowed:?})")),
        None => Ok(()),
    }
}

fn read_case(value: &Value) -> CaseResult {
    let object = value
        .as_object()
        .ok_or((None, "a case is a JSON object".to_owned()))?;
    let name = object
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or((None, "`name` (a string) is missing".to_owned()))?;
    let fail = |message: String| (Some(name.clone()), message);
    check_keys(
        object,
        &[
            "name",
            "why",
            "input",
            "dialect",
            "mode",
            "length",
            "valid",
            "canonical",
            "ast",
            "offset",
            "kind",
            "expected",
            "message",
            "line",
            "column",
        ],
    )
    .map_err(fail)?;
    let string = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("`{key}` (a string) is missing")))
    };
    let number = |key: &str| {
        object.get(key).map(|value| {
            value
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| fail(format!("`{key}` must be a non-negative integer")))
        })
    };
    let input = string("input")?;
    let mode = match string("mode")?.as_str() {
        "expression" => Mode::Expression,
        "template" => Mode::Template,
        "prefix" => Mode::Prefix,
        other => {
            return Err(fail(format!(
                "`mode` is {other:?}, not expression, template or prefix"
            )));
        }
    };
    let dialect = match object.get("dialect") {
        None => Dialect::OpenApi,
        Some(value) => value
            .as_str()
            .ok_or_else(|| fail("`dialect` is a string".to_owned()))?
            .parse::<Dialect>()
            .map_err(|err| fail(err.to_string()))?,
    };
    let valid = object
        .get("valid")
        .and_then(Value::as_bool)
        .ok_or_else(|| fail("`valid` (a boolean) is missing".to_owned()))?;
    let expectation = if valid {
        if let Some(key) = ["offset", "kind", "expected", "message", "line", "column"]
            .into_iter()
            .find(|key| object.contains_key(*key))
        {
            return Err(fail(format!("a valid case has no `{key}`")));
        }
        let ast = object
            .get("ast")
            .cloned()
            .ok_or_else(|| fail("`ast` is missing".to_owned()))?;
        let length = number("length").transpose()?;
        if (mode == Mode::Prefix) != length.is_some() {
            return Err(fail(
                "a valid prefix case has a `length`, and no other case has one".to_owned(),
            ));
        }
        Expectation::Valid {
            canonical: string("canonical")?,
            ast,
            length,
        }
    } else {
        if let Some(key) = ["canonical", "ast", "length"]
            .into_iter()
            .find(|key| object.contains_key(*key))
        {
            return Err(fail(format!("an invalid case has no `{key}`")));
        }
        let expected = match object.get("expected") {
            None => None,
            Some(Value::Array(words)) => Some(
                words
                    .iter()
                    .map(|word| word.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| fail("`expected` is a list of strings".to_owned()))?,
            ),
            Some(_) => return Err(fail("`expected` is a list of strings".to_owned())),
        };
        let optional_string = |key: &str| object.contains_key(key).then(|| string(key)).transpose();
        Expectation::Invalid(ExpectedError {
            offset: number("offset").ok_or_else(|| fail("`offset` is missing".to_owned()))??,
            kind: optional_string("kind")?,
            expected,
            message: optional_string("message")?,
            line: number("line").transpose()?,
            column: number("column").transpose()?,
        })
    };
    Ok((
        name,
        Case {
            input,
            mode,
            dialect,
            expectation,
        },
    ))
}

/// What one parse gave: the canonical form, the tree in the data files' shape, and for a
/// prefix the length.
type Parsed = (String, Value, Option<usize>);

/// The result of parsing in the given mode and dialect, as the tree shape of the data files.
fn parse_to_ast(input: &str, mode: Mode, dialect: Dialect) -> Result<Parsed, ParseError> {
    match mode {
        Mode::Expression if dialect == Dialect::OpenApi => {
            Expression::parse(input).map(|expr| (expr.to_string(), expression_ast(&expr), None))
        }
        Mode::Expression => Expression::parse_in(input, dialect)
            .map(|expr| (expr.canonical_in(dialect), expression_ast(&expr), None)),
        Mode::Template if dialect == Dialect::OpenApi => Template::parse(input)
            .map(|template| (template.to_string(), template_ast(&template), None)),
        Mode::Template => Template::parse_in(input, dialect)
            .map(|template| (template.to_string(), template_ast(&template), None)),
        Mode::Prefix => Expression::parse_prefix(input, dialect)
            .map(|(expr, len)| (expr.canonical_in(dialect), expression_ast(&expr), Some(len))),
    }
}

/// Both readers on their own: the fast reader accepts exactly what the grammar accepts, with
/// the same tree, and the public entry point gives the grammar's result (DESIGN §2).
fn check_readers(input: &str, mode: Mode, dialect: Dialect) -> Result<(), Failed> {
    let agree = match mode {
        Mode::Expression => {
            let grammar = differential::grammar_expression_in(input, dialect);
            let fast = differential::fast_expression_in(input, dialect);
            let public = Expression::parse_in(input, dialect);
            let mut agree = fast.as_ref() == grammar.as_ref().ok() && public == grammar;
            if dialect == Dialect::OpenApi {
                agree &= differential::fast_expression(input) == fast
                    && differential::grammar_expression(input) == grammar
                    && Expression::parse(input) == public;
            }
            agree
                .then_some(())
                .ok_or_else(|| format!("fast {fast:?}\n  grammar {grammar:?}\n  public {public:?}"))
        }
        Mode::Template => {
            let grammar = differential::grammar_template_in(input, dialect);
            let fast = differential::fast_template_in(input, dialect);
            let public = Template::parse_in(input, dialect);
            let mut agree = fast.as_ref() == grammar.as_ref().ok() && public == grammar;
            if dialect == Dialect::OpenApi {
                agree &= differential::fast_template(input) == fast
                    && differential::grammar_template(input) == grammar
                    && Template::parse(input) == public;
            }
            agree
                .then_some(())
                .ok_or_else(|| format!("fast {fast:?}\n  grammar {grammar:?}\n  public {public:?}"))
        }
        Mode::Prefix => {
            let grammar = differential::grammar_prefix(input, dialect);
            let fast = differential::fast_prefix(input, dialect);
            let public = Expression::parse_prefix(input, dialect);
            (fast.as_ref() == grammar.as_ref().ok() && public == grammar)
                .then_some(())
                .ok_or_else(|| format!("fast {fast:?}\n  grammar {grammar:?}\n  public {public:?}"))
        }
    };
    agree.map_err(|problem| format!("input {input:?}: the readers disagree\n  {problem}").into())
}

fn check_case(case: &Case) -> Result<(), Failed> {
    check_readers(&case.input, case.mode, case.dialect)?;
    let result = parse_to_ast(&case.input, case.mode, case.dialect);
    match (&case.expectation, result) {
        (
            Expectation::Valid {
                canonical,
                ast,
                length,
            },
            Ok((actual_canonical, actual_ast, actual_length)),
        ) => {
            let mut problems = String::new();
            if *length != actual_length {
                let _ = writeln!(problems, "length {actual_length:?} instead of {length:?}");
            }
            let actual_ast = without_unrequested_tokens(actual_ast, ast);
            if &actual_ast != ast {
                let _ = writeln!(
                    problems,
                    "syntax tree differs\n  expected: {ast}\n  actual:   {actual_ast}"
                );
            }
            if &actual_canonical != canonical {
                let _ = writeln!(
                    problems,
                    "canonical form differs\n  expected: {canonical:?}\n  actual:   {actual_canonical:?}"
                );
            }
            // The canonical form must read back as the same tree (DESIGN §2), as a whole
            // expression in a prefix case.
            let mode = match case.mode {
                Mode::Prefix => Mode::Expression,
                mode => mode,
            };
            match parse_to_ast(&actual_canonical, mode, case.dialect) {
                Ok((again, reparsed_ast, _)) => {
                    let reparsed_ast = without_unrequested_tokens(reparsed_ast, ast);
                    if reparsed_ast != actual_ast || again != actual_canonical {
                        let _ = writeln!(
                            problems,
                            "the canonical form {actual_canonical:?} parses back to {reparsed_ast} (written {again:?})"
                        );
                    }
                }
                Err(err) => {
                    let _ = writeln!(
                        problems,
                        "the canonical form {actual_canonical:?} does not parse back:\n{err}"
                    );
                }
            }
            if problems.is_empty() {
                Ok(())
            } else {
                Err(format!("input {:?}\n{problems}", case.input).into())
            }
        }
        (Expectation::Valid { .. }, Err(err)) => Err(format!(
            "input {:?} should be valid, but:\n{err}\n(kind {:?}, offset {})",
            case.input,
            err.kind(),
            err.offset()
        )
        .into()),
        (Expectation::Invalid(_), Ok((canonical, ast, _))) => Err(format!(
            "input {:?} should be invalid, but parses as {ast} (written {canonical:?})",
            case.input
        )
        .into()),
        (Expectation::Invalid(expected), Err(err)) => check_error(&case.input, &err, expected),
    }
}

fn check_error(input: &str, err: &ParseError, want: &ExpectedError) -> Result<(), Failed> {
    let mut problems = String::new();
    if err.offset() != want.offset {
        let _ = writeln!(
            problems,
            "offset {} instead of {}",
            err.offset(),
            want.offset
        );
    }
    if let Some(kind) = &want.kind {
        let actual = kind_name(err.kind());
        if actual != *kind {
            let _ = writeln!(
                problems,
                "kind {actual} ({:?}) instead of {kind}",
                err.kind()
            );
        }
    }
    if let Some(expected) = &want.expected
        && err.expected() != expected.as_slice()
    {
        let _ = writeln!(
            problems,
            "expected-words {:?} instead of {expected:?}",
            err.expected()
        );
    }
    if let Some(message) = &want.message
        && err.message() != *message
    {
        let _ = writeln!(
            problems,
            "message {:?} instead of {message:?}",
            err.message()
        );
    }
    if let Some(line) = want.line
        && err.line() != line
    {
        let _ = writeln!(problems, "line {} instead of {line}", err.line());
    }
    if let Some(column) = want.column
        && err.column() != column
    {
        let _ = writeln!(problems, "column {} instead of {column}", err.column());
    }
    // Whatever the case, the message must show the caret, and never a pest rule name. (Only
    // the words are searched: the snippet repeats the input, which may hold anything.)
    let shown = err.to_string();
    if !shown.ends_with('^') || !shown.starts_with(&err.message()) {
        let _ = writeln!(problems, "the message does not end with a caret line");
    }
    let words = format!("{} {:?}", err.message(), err.expected());
    if let Some(rule) = [
        "_reference",
        "_prefix",
        "json_pointer",
        "embedded_text",
        "EOI",
        "SOI",
    ]
    .into_iter()
    .find(|rule| words.contains(rule))
    {
        let _ = writeln!(problems, "the message names the pest rule {rule}");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("input {input:?}\n{problems}the error was:\n{shown}").into())
    }
}

/// The variant name of an error kind, without its fields.
fn kind_name(kind: &ErrorKind) -> String {
    let debug = format!("{kind:?}");
    debug
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn expression_ast(expr: &Expression) -> Value {
    match expr {
        Expression::Url => json!({"type": "url"}),
        Expression::Method => json!({"type": "method"}),
        Expression::StatusCode => json!({"type": "statusCode"}),
        Expression::Request(source) => source_ast("request", source),
        Expression::Response(source) => source_ast("response", source),
        Expression::Message(source) => source_ast("message", source),
        Expression::Inputs(value) => value_ast(json!({"type": "inputs"}), value),
        Expression::Outputs(value) => value_ast(json!({"type": "outputs"}), value),
        Expression::Steps(step) => value_ast(
            json!({"type": "steps", "stepId": step.step_id()}),
            step.output(),
        ),
        Expression::Workflows(workflow) => value_ast(
            json!({
                "type": "workflows",
                "workflowId": workflow.workflow_id(),
                "field": match workflow.field() {
                    WorkflowField::Inputs => "inputs",
                    WorkflowField::Outputs => "outputs",
                    other => return json!({"type": format!("unknown field: {other:?}")}),
                },
            }),
            workflow.value(),
        ),
        Expression::SourceDescriptions(source) => json!({
            "type": "sourceDescriptions",
            "name": source.name(),
            "reference": source.reference(),
        }),
        Expression::Components(component) => json!({
            "type": "components",
            "kind": match component.kind() {
                ComponentKind::Parameters => "parameters",
                ComponentKind::SuccessActions => "successActions",
                ComponentKind::FailureActions => "failureActions",
                other => return json!({"type": format!("unknown kind: {other:?}")}),
            },
            "name": component.name(),
        }),
        Expression::SelfUri => json!({"type": "self"}),
        Expression::Unstructured(name) => json!({
            "type": "unstructured",
            "family": match name.family() {
                Family::Inputs => "inputs",
                Family::Outputs => "outputs",
                Family::Steps => "steps",
                Family::Workflows => "workflows",
                Family::SourceDescriptions => "sourceDescriptions",
                Family::Components => "components",
                other => return json!({"type": format!("unknown family: {other:?}")}),
            },
            "name": name.name(),
        }),
        other => json!({"type": format!("unknown: {other:?}")}),
    }
}

/// `base` with the name and (when there is one) the pointer of an Arazzo value reference.
fn value_ast(mut base: Value, value: &Reference) -> Value {
    base["name"] = json!(value.name());
    if let Some(pointer) = value.pointer() {
        base["pointer"] = json!(pointer.as_str());
        base["tokens"] = json!(pointer_tokens(pointer));
    }
    base
}

fn source_ast(message: &str, source: &Source) -> Value {
    match source {
        Source::Header(name) => json!({"type": message, "source": "header", "name": name.as_str()}),
        Source::Query(name) => json!({"type": message, "source": "query", "name": name}),
        Source::Path(name) => json!({"type": message, "source": "path", "name": name}),
        Source::Body(None) => json!({"type": message, "source": "body"}),
        Source::Body(Some(pointer)) => json!({
            "type": message,
            "source": "body",
            "pointer": pointer.as_str(),
            "tokens": pointer_tokens(pointer),
        }),
        Source::Payload(None) => json!({"type": message, "source": "payload"}),
        Source::Payload(Some(pointer)) => json!({
            "type": message,
            "source": "payload",
            "pointer": pointer.as_str(),
            "tokens": pointer_tokens(pointer),
        }),
        other => json!({"type": message, "source": format!("unknown: {other:?}")}),
    }
}

fn pointer_tokens(pointer: &JsonPointer) -> Vec<String> {
    pointer
        .tokens()
        .map(|token| token.decoded().into_owned())
        .collect()
}

fn template_ast(template: &Template) -> Value {
    template
        .segments()
        .iter()
        .map(|segment| match segment {
            Segment::Literal(text) => json!({"literal": text}),
            Segment::Expression(expr) => json!({"expression": expression_ast(expr)}),
            other => json!({"unknown": format!("{other:?}")}),
        })
        .collect()
}

/// The decoded pointer tokens are checked only where a case lists them: drops `tokens` from
/// the actual tree wherever the expected tree has none at the same place.
fn without_unrequested_tokens(actual: Value, expected: &Value) -> Value {
    match (actual, expected) {
        (Value::Object(mut actual), Value::Object(expected)) => {
            if !expected.contains_key("tokens") {
                actual.remove("tokens");
            }
            Value::Object(
                actual
                    .into_iter()
                    .map(|(key, value)| {
                        let value = match expected.get(&key) {
                            Some(expected) => without_unrequested_tokens(value, expected),
                            None => value,
                        };
                        (key, value)
                    })
                    .collect(),
            )
        }
        (Value::Array(actual), Value::Array(expected)) => Value::Array(
            actual
                .into_iter()
                .enumerate()
                .map(|(index, value)| match expected.get(index) {
                    Some(expected) => without_unrequested_tokens(value, expected),
                    None => value,
                })
                .collect(),
        ),
        (actual, _) => actual,
    }
}

// ---------------------------------------------------------------------------------------------
// Generated cases: inputs of a megabyte and more. Parsing is linear, so these finish quickly; no
// timing is asserted (the machine may be loaded), only that the result is right.

const MEGABYTE: usize = 1 << 20;

/// `unit` repeated until the text is at least `len` bytes long.
fn repeat_to(unit: &str, len: usize) -> String {
    unit.repeat(len.div_ceil(unit.len()))
}

fn generated_trials() -> Vec<Trial> {
    vec![
        Trial::test("generated::1mb-query-name-with-escapes", || {
            // Every kind of name character: ASCII, an escape, a two-byte and a four-byte one.
            let (raw_unit, decoded_unit) = (r"ab\u00e9😀~\n", "abé😀~\n");
            let units = MEGABYTE.div_ceil(raw_unit.len());
            let (raw, decoded) = (raw_unit.repeat(units), decoded_unit.repeat(units));
            let input = format!("$request.query.{raw}");
            let expr = Expression::parse(&input).map_err(|err| err.to_string())?;
            let Expression::Request(Source::Query(name)) = &expr else {
                return Err(format!("parsed as {:?}…", kind_of(&expr)).into());
            };
            check(name == &decoded, "the decoded name differs")?;
            let canonical = format!("$request.query.{}", decoded.replace('\n', r"\n"));
            check(expr.to_string() == canonical, "the canonical form differs")
        }),
        Trial::test("generated::1mb-header-name", || {
            let name = repeat_to("X-Trace-Id.", MEGABYTE);
            let input = format!("$response.header.{name}");
            let expr = Expression::parse(&input).map_err(|err| err.to_string())?;
            let Expression::Response(Source::Header(header)) = &expr else {
                return Err(format!("parsed as {:?}…", kind_of(&expr)).into());
            };
            check(header.as_str() == name, "the header name differs")?;
            check(expr.to_string() == input, "the canonical form differs")
        }),
        Trial::test("generated::1mb-body-pointer", || {
            let segment = "/a~0b~1c{}é😀";
            let pointer = repeat_to(segment, MEGABYTE);
            let input = format!("$request.body#{pointer}");
            let expr = Expression::parse(&input).map_err(|err| err.to_string())?;
            let Expression::Request(Source::Body(Some(parsed))) = &expr else {
                return Err(format!("parsed as {:?}…", kind_of(&expr)).into());
            };
            check(parsed.as_str() == pointer, "the pointer differs")?;
            let tokens = pointer_tokens(parsed);
            check(
                tokens.len() == pointer.len() / segment.len()
                    && tokens.iter().all(|token| token == "a~b/c{}é😀"),
                "the decoded tokens differ",
            )?;
            check(expr.to_string() == input, "the canonical form differs")
        }),
        Trial::test(
            "generated::1mb-query-name-then-raw-quote-is-invalid",
            || {
                let input = format!("$request.query.{}\"", repeat_to("name😀", MEGABYTE));
                expect_error(
                    Expression::parse(&input),
                    input.len() - 1,
                    &ErrorKind::UnescapedCharacter('"'),
                )
            },
        ),
        Trial::test("generated::1mb-pointer-then-bad-escape-is-invalid", || {
            let input = format!("$request.body#{}~2", repeat_to("/x~1", MEGABYTE));
            expect_error(
                Expression::parse(&input),
                input.len() - 2,
                &ErrorKind::InvalidPointerEscape,
            )
        }),
        Trial::test("generated::1mb-header-then-space-is-invalid", || {
            let input = format!("$request.header.{} ", repeat_to("Accept", MEGABYTE));
            expect_error(
                Expression::parse(&input),
                input.len() - 1,
                &ErrorKind::InvalidHeaderCharacter(' '),
            )
        }),
        Trial::test(
            "generated::1mb-template-of-literals-and-expressions",
            || {
                let unit = "/items?id={$request.body#/id}&x={$response.header.Location}";
                let input = repeat_to(unit, MEGABYTE);
                let template = Template::parse(&input).map_err(|err| err.to_string())?;
                let units = input.len() / unit.len();
                check(
                    template.segments().len() == 4 * units,
                    "wrong number of segments",
                )?;
                check(
                    template.expressions().count() == 2 * units,
                    "wrong number of expressions",
                )?;
                check(template.to_string() == input, "the canonical form differs")
            },
        ),
        Trial::test(
            "generated::1mb-template-then-lone-close-brace-is-invalid",
            || {
                let input = format!("{}}}", repeat_to("a{$url}", MEGABYTE));
                expect_error(
                    Template::parse(&input),
                    input.len() - 1,
                    &ErrorKind::UnmatchedCloseBrace,
                )
            },
        ),
        Trial::test(
            "generated::1mb-template-with-placeholder-in-the-middle-is-invalid",
            || {
                let half = repeat_to("x{$method}", MEGABYTE / 2);
                let input = format!("{half}{{id}}{half}");
                expect_error(
                    Template::parse(&input),
                    half.len() + 1,
                    &ErrorKind::ExpectedDollar,
                )
            },
        ),
        Trial::test("generated::1mb-of-open-braces-is-invalid", || {
            let input = "{".repeat(MEGABYTE);
            expect_error(Template::parse(&input), 1, &ErrorKind::ExpectedDollar)
        }),
        Trial::test("generated::1mb-unclosed-brace-is-invalid", || {
            // The expression is fine as far as it goes; the brace is never closed.
            let input = format!("{{$request.query.{}", "q".repeat(MEGABYTE));
            expect_error(
                Template::parse(&input),
                input.len(),
                &ErrorKind::UnclosedBrace,
            )
        }),
        Trial::test("generated::over-the-length-limit-expression", || {
            let input = format!("$request.query.{}", "q".repeat(MAX_INPUT_LEN));
            expect_error(
                Expression::parse(&input),
                MAX_INPUT_LEN,
                &ErrorKind::TooLong {
                    limit: MAX_INPUT_LEN,
                },
            )
        }),
        Trial::test("generated::over-the-length-limit-template", || {
            let input = "t".repeat(MAX_INPUT_LEN + 1);
            expect_error(
                Template::parse(&input),
                MAX_INPUT_LEN,
                &ErrorKind::TooLong {
                    limit: MAX_INPUT_LEN,
                },
            )
        }),
        Trial::test("generated::at-the-length-limit-template", || {
            let input = "t".repeat(MAX_INPUT_LEN);
            let template = Template::parse(&input).map_err(|err| err.to_string())?;
            check(
                template.is_literal(),
                "a literal-only template was expected",
            )
        }),
    ]
}

fn check(condition: bool, message: &str) -> Result<(), Failed> {
    if condition {
        Ok(())
    } else {
        Err(message.into())
    }
}

/// A short description of a tree that may hold a megabyte of text.
fn kind_of(expr: &Expression) -> String {
    let debug = format!("{expr:?}");
    debug.chars().take(60).collect()
}

fn expect_error<T>(
    result: Result<T, ParseError>,
    offset: usize,
    kind: &ErrorKind,
) -> Result<(), Failed> {
    match result {
        Ok(_) => Err("the input should be invalid, but it parses".into()),
        Err(err) if err.offset() == offset && err.kind() == kind => Ok(()),
        Err(err) => Err(format!(
            "expected {kind:?} at {offset}, got {:?} at {}: {}",
            err.kind(),
            err.offset(),
            err.message()
        )
        .into()),
    }
}
