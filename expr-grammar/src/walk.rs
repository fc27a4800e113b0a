//! The reference reader: the pest grammar's parse tree, walked into the typed syntax tree.
//!
//! It reads everything the grammar accepts and is the only source of error reports (the fast
//! reader hands it every input it does not accept).

use pest::Parser as _;
use pest::iterators::Pair;

use crate::ast::{Expression, Source};
use crate::dialect::Dialect;
use crate::error::{ErrorKind, RawError};
use crate::error_words::{self, Context};
use crate::escape;
use crate::grammar::{Grammar, Rule};
use crate::header_name::HeaderName;
use crate::pointer::JsonPointer;
use crate::reference::{
    self, ComponentKind, ComponentReference, Family, Reference, SourceDescriptionReference,
    StepReference, WorkflowField, WorkflowReference,
};
use crate::template::{Segment, Template};

/// `expression` of the grammar on the whole of `text` (a whole input, or the text between the
/// braces of a template).
pub(crate) fn expression(text: &str, context: Context) -> Result<Expression, RawError> {
    expression_in(text, context, Dialect::OpenApi)
}

/// `expression` of `dialect`'s grammar on the whole of `text`.
pub(crate) fn expression_in(
    text: &str,
    context: Context,
    dialect: Dialect,
) -> Result<Expression, RawError> {
    let rule = match dialect {
        Dialect::OpenApi => Rule::expression_input,
        Dialect::Arazzo1_0_0 => Rule::arazzo_1_0_0_input,
        Dialect::Arazzo1_0_1 => Rule::arazzo_1_0_1_input,
        Dialect::Arazzo1_1_0 => Rule::arazzo_1_1_0_input,
    };
    let mut pairs = Grammar::parse(rule, text)
        .map_err(|err| error_words::expression_error(text, &err, context, dialect))?;
    let pair = pairs.next().ok_or_else(|| internal_error(0))?;
    build_expression(pair)
}

/// `expression` of `dialect`'s grammar at the start of `text`, and its length.
pub(crate) fn prefix(text: &str, dialect: Dialect) -> Result<(Expression, usize), RawError> {
    let rule = match dialect {
        Dialect::OpenApi => Rule::expression_prefix,
        Dialect::Arazzo1_0_0 => Rule::arazzo_1_0_0_prefix,
        Dialect::Arazzo1_0_1 => Rule::arazzo_1_0_1_prefix,
        Dialect::Arazzo1_1_0 => Rule::arazzo_1_1_0_prefix,
    };
    let mut pairs = Grammar::parse(rule, text)
        .map_err(|err| error_words::expression_error(text, &err, Context::Prefix, dialect))?;
    let pair = pairs.next().ok_or_else(|| internal_error(0))?;
    let len = pair.as_span().end();
    Ok((build_expression(pair)?, len))
}

/// `template_input` of the grammar, each embedded expression read with [`expression`].
pub(crate) fn template(input: &str) -> Result<Template, RawError> {
    template_in(input, Dialect::OpenApi)
}

/// `template_input` of the grammar, each embedded expression read in `dialect`.
pub(crate) fn template_in(input: &str, dialect: Dialect) -> Result<Template, RawError> {
    let pairs = match Grammar::parse(Rule::template_input, input) {
        Ok(pairs) => pairs,
        Err(err) => return Err(template_failure(input, &err, dialect)),
    };
    let mut segments = Vec::new();
    for pair in pairs {
        match pair.as_rule() {
            Rule::literal_text => segments.push(Segment::Literal(pair.as_str().to_owned())),
            Rule::embedded_expression => {
                let text = pair
                    .into_inner()
                    .find(|part| part.as_rule() == Rule::embedded_text)
                    .ok_or_else(|| internal_error(0))?;
                let start = text.as_span().start();
                let expr = expression_in(text.as_str(), Context::Embedded, dialect)
                    .map_err(|err| err.shifted(start))?;
                segments.push(Segment::Expression(expr));
            }
            _ => {}
        }
    }
    Ok(Template::from_parsed(segments))
}

/// The error of a template the grammar refused: the first mistake, which may be in an embedded
/// expression before the structural error (`{id}}`), or in the text of a brace left open
/// (`{id`), else the structural error itself.
fn template_failure(input: &str, err: &pest::error::Error<Rule>, dialect: Dialect) -> RawError {
    let offset = error_words::failure_offset(err);
    let mut from = 0;
    while let Some(open) = input[from..offset].find('{').map(|i| from + i) {
        let text_start = open + 1;
        let text_end = input[text_start..offset]
            .find('}')
            .map_or(offset, |i| text_start + i);
        if let Err(err) = expression_in(&input[text_start..text_end], Context::Embedded, dialect) {
            return err.shifted(text_start);
        }
        from = text_end;
        if text_end == offset {
            break;
        }
    }
    error_words::template_error(input, err)
}

fn build_expression(pair: Pair<'_, Rule>) -> Result<Expression, RawError> {
    let start = pair.as_span().start();
    Ok(match pair.as_rule() {
        Rule::url => Expression::Url,
        Rule::method => Expression::Method,
        Rule::status_code => Expression::StatusCode,
        Rule::request | Rule::request_1_1 => Expression::Request(build_source(pair)?),
        Rule::response | Rule::response_1_1 => Expression::Response(build_source(pair)?),
        Rule::message | Rule::message_1_1 => Expression::Message(build_source(pair)?),
        Rule::self_uri => Expression::SelfUri,
        Rule::inputs_name => name_1_0(Family::Inputs, pair)?,
        Rule::outputs_name => name_1_0(Family::Outputs, pair)?,
        Rule::steps_name => name_1_0(Family::Steps, pair)?,
        Rule::workflows_name => name_1_0(Family::Workflows, pair)?,
        Rule::source_descriptions_name => name_1_0(Family::SourceDescriptions, pair)?,
        Rule::components_name => name_1_0(Family::Components, pair)?,
        Rule::inputs_1_1 => Expression::Inputs(build_value(&mut parts_after_prefix(pair))?),
        Rule::outputs_1_1 => Expression::Outputs(build_value(&mut parts_after_prefix(pair))?),
        Rule::steps_1_1 => {
            let mut parts = parts_after_prefix(pair);
            let step_id = next_part(&mut parts, start)?;
            // `.outputs.`
            next_part(&mut parts, start)?;
            let output = build_value(&mut parts)?;
            Expression::Steps(StepReference::from_parsed(step_id.as_str(), output))
        }
        Rule::workflows_1_1 => {
            let mut parts = parts_after_prefix(pair);
            let workflow_id = next_part(&mut parts, start)?;
            let mut field = None;
            for part in parts.by_ref() {
                match part.as_rule() {
                    Rule::workflow_inputs => field = Some(WorkflowField::Inputs),
                    Rule::workflow_outputs => field = Some(WorkflowField::Outputs),
                    Rule::dot if field.is_some() => break,
                    _ => {}
                }
            }
            let field = field.ok_or_else(|| internal_error(start))?;
            let value = build_value(&mut parts)?;
            Expression::Workflows(WorkflowReference::from_parsed(
                workflow_id.as_str(),
                field,
                value,
            ))
        }
        Rule::source_descriptions_1_1 => {
            let mut parts = parts_after_prefix(pair);
            let name = next_part(&mut parts, start)?;
            next_part(&mut parts, start)?;
            let reference = next_part(&mut parts, start)?;
            let reference = decode_name(reference.as_str(), reference.as_span().start())?;
            Expression::SourceDescriptions(SourceDescriptionReference::from_parsed(
                name.as_str(),
                &reference,
            ))
        }
        Rule::components_1_1 => {
            let mut parts = parts_after_prefix(pair);
            let kind = match next_part(&mut parts, start)?.as_rule() {
                Rule::component_parameters => ComponentKind::Parameters,
                Rule::component_success_actions => ComponentKind::SuccessActions,
                Rule::component_failure_actions => ComponentKind::FailureActions,
                _ => return Err(internal_error(start)),
            };
            next_part(&mut parts, start)?;
            let name = next_part(&mut parts, start)?;
            Expression::Components(ComponentReference::from_parsed(kind, name.as_str()))
        }
        _ => return Err(internal_error(start)),
    })
}

/// The parts of a family's pair after its `$…` prefix.
fn parts_after_prefix(pair: Pair<'_, Rule>) -> pest::iterators::Pairs<'_, Rule> {
    let mut parts = pair.into_inner();
    parts.next();
    parts
}

fn next_part<'i>(
    parts: &mut pest::iterators::Pairs<'i, Rule>,
    start: usize,
) -> Result<Pair<'i, Rule>, RawError> {
    parts.next().ok_or_else(|| internal_error(start))
}

/// `identifier [ "#" json-pointer ]`, from the remaining parts.
fn build_value(parts: &mut pest::iterators::Pairs<'_, Rule>) -> Result<Reference, RawError> {
    let name = parts.next().ok_or_else(|| internal_error(0))?;
    let start = name.as_span().start();
    let pointer = match parts.next() {
        None => None,
        // `#`, then the (possibly empty) pointer, which pest leaves out when it is empty.
        Some(_) => {
            let text = parts.next().map_or("", |p| p.as_str());
            Some(JsonPointer::parse(text).map_err(|_| internal_error(start))?)
        }
    };
    Ok(Reference::from_parsed(name.as_str(), pointer))
}

/// An Arazzo 1.0.x `"$family." name`: the decoded name, read in its family's structure.
fn name_1_0(family: Family, pair: Pair<'_, Rule>) -> Result<Expression, RawError> {
    let start = pair.as_span().start();
    let name = parts_after_prefix(pair).next();
    let (raw, name_start) = name
        .as_ref()
        .map_or(("", start), |p| (p.as_str(), p.as_span().start()));
    Ok(reference::from_name_1_0(
        family,
        decode_name(raw, name_start)?,
    ))
}

/// Builds the source of a `request` or `response` pair: `prefix (header|query|path|body)_reference`.
fn build_source(pair: Pair<'_, Rule>) -> Result<Source, RawError> {
    let start = pair.as_span().start();
    let reference = pair
        .into_inner()
        .nth(1)
        .ok_or_else(|| internal_error(start))?;
    let rule = reference.as_rule();
    let mut parts = reference.into_inner().skip(1);
    let part = parts.next();
    let part_str = part.as_ref().map_or("", |p| p.as_str());
    let part_start = part.as_ref().map_or(start, |p| p.as_span().start());
    Ok(match rule {
        Rule::header_reference => Source::Header(HeaderName::from_token(part_str)),
        Rule::query_reference | Rule::query_reference_1_1 => {
            Source::Query(decode_name(part_str, part_start)?)
        }
        Rule::path_reference | Rule::path_reference_1_1 => {
            Source::Path(decode_name(part_str, part_start)?)
        }
        Rule::payload_reference => Source::Payload(match parts.next() {
            None if part.is_none() => None,
            pointer => {
                let text = pointer.as_ref().map_or("", |p| p.as_str());
                Some(JsonPointer::parse(text).map_err(|_| internal_error(part_start))?)
            }
        }),
        Rule::body_reference | Rule::body_reference_1_1 => match parts.next() {
            // `body` alone, or `body#` followed by a (possibly empty) pointer.
            None if part.is_none() => Source::Body(None),
            pointer => {
                let text = pointer.as_ref().map_or("", |p| p.as_str());
                let pointer = JsonPointer::parse(text).map_err(|_| internal_error(part_start))?;
                Source::Body(Some(pointer))
            }
        },
        _ => return Err(internal_error(start)),
    })
}

fn decode_name(raw: &str, start: usize) -> Result<String, RawError> {
    escape::decode_name(raw).map_err(|lone| RawError {
        kind: ErrorKind::LoneSurrogate,
        offset: start + lone.offset,
        expected: vec!["a low surrogate escape `\\uDC00`…`\\uDFFF` after a high one"],
    })
}

/// A tree shape the grammar cannot produce; reported rather than panicking.
fn internal_error(offset: usize) -> RawError {
    RawError {
        kind: ErrorKind::Unexpected,
        offset,
        expected: vec!["a well-formed runtime expression (internal parser error)"],
    }
}
