//! The mapping of the grammar's failures to [`ParseError`](crate::ParseError) words.
//!
//! pest reports a failure as an offset and the rules it would have accepted there. This module
//! turns that into an [`ErrorKind`] and the alternatives in words (`` `header.` ``, `end of
//! input`), never rule names. The leaf rules are atomic, so where pest says only "not this
//! rule", the text before the offset tells which part of the expression the mistake is in.

use pest::error::{Error as PestError, ErrorVariant, InputLocation};

use crate::chars::is_tchar;
use crate::dialect::Dialect;
use crate::error::{ErrorKind, RawError};
use crate::grammar::Rule;
use crate::keywords;

/// Whether an expression stands alone or between the braces of a template; the two differ only
/// in what may follow the expression (the end of input, or `}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    Whole,
    Embedded,
    /// At the start of a longer text ([`Expression::parse_prefix`](crate::Expression::parse_prefix)):
    /// anything may follow.
    Prefix,
}

impl Context {
    fn end_word(self) -> &'static str {
        match self {
            Context::Whole | Context::Prefix => "end of input",
            Context::Embedded => keywords::CLOSE_BRACE.word,
        }
    }
}

/// The byte offset at which the grammar failed.
pub(crate) fn failure_offset(err: &PestError<Rule>) -> usize {
    match err.location {
        InputLocation::Pos(pos) => pos,
        InputLocation::Span((start, _)) => start,
    }
}

fn positives(err: &PestError<Rule>) -> &[Rule] {
    match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => &[],
    }
}

/// The words for a rule the grammar would have accepted, if it is one a user should read
/// about (the rules inside a keyword or a name are not).
fn rule_word(rule: Rule, context: Context) -> Option<&'static str> {
    Some(match rule {
        Rule::url => keywords::URL.word,
        Rule::method => keywords::METHOD.word,
        Rule::status_code => keywords::STATUS_CODE.word,
        Rule::request_prefix => keywords::REQUEST.word,
        Rule::response_prefix => keywords::RESPONSE.word,
        Rule::header_prefix => keywords::HEADER.word,
        Rule::query_prefix => keywords::QUERY.word,
        Rule::path_prefix => keywords::PATH.word,
        Rule::body_keyword => keywords::BODY.word,
        Rule::pointer_separator => keywords::POINTER_SEPARATOR.word,
        Rule::token => "a header name",
        Rule::message_prefix => keywords::MESSAGE.word,
        Rule::inputs_prefix => keywords::INPUTS.word,
        Rule::outputs_prefix => keywords::OUTPUTS.word,
        Rule::steps_prefix => keywords::STEPS.word,
        Rule::workflows_prefix => keywords::WORKFLOWS.word,
        Rule::source_descriptions_prefix => keywords::SOURCE_DESCRIPTIONS.word,
        Rule::components_prefix => keywords::COMPONENTS.word,
        Rule::self_uri => keywords::SELF.word,
        Rule::payload_keyword => keywords::PAYLOAD.word,
        Rule::step_outputs => keywords::STEP_OUTPUTS.word,
        Rule::workflow_inputs => keywords::WORKFLOW_INPUTS.word,
        Rule::workflow_outputs => keywords::WORKFLOW_OUTPUTS.word,
        Rule::component_parameters => keywords::COMPONENT_PARAMETERS.word,
        Rule::component_success_actions => keywords::COMPONENT_SUCCESS_ACTIONS.word,
        Rule::component_failure_actions => keywords::COMPONENT_FAILURE_ACTIONS.word,
        Rule::dot => keywords::DOT.word,
        Rule::identifier => IDENTIFIER_WORDS,
        Rule::identifier_strict => STRICT_IDENTIFIER_WORDS,
        Rule::source_reference_id => "an operationId, workflowId or field name",
        Rule::EOI => context.end_word(),
        _ => return None,
    })
}

/// The words for an Arazzo 1.1.0 `identifier`.
const IDENTIFIER_WORDS: &str = "a name (letters, digits, `.`, `-`, `_`)";
/// The words for an Arazzo 1.1.0 `identifier-strict`.
const STRICT_IDENTIFIER_WORDS: &str = "an id (letters, digits, `-`, `_`)";

/// Which part of an expression the text before `offset` is in, read from its prefix (the leaf
/// rules are atomic, so pest does not say).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// After `header.`: the token starts at the given offset.
    HeaderName(usize),
    /// After `query.` or `path.`.
    Name,
    /// After `body#`: the pointer starts at the given offset.
    Pointer(usize),
    Other,
}

fn part_at(text: &str, offset: usize, dialect: Dialect) -> Part {
    let before = &text[..offset];
    if dialect.is_arazzo()
        && let Some(part) = arazzo_part_at(before, offset, dialect)
    {
        return part;
    }
    let source = keywords::REQUEST
        .strip_from(before)
        .or_else(|| keywords::RESPONSE.strip_from(before))
        .or_else(|| {
            (dialect.is_arazzo() && dialect != Dialect::Arazzo1_0_1)
                .then(|| keywords::MESSAGE.strip_from(before))
                .flatten()
        });
    let Some(source) = source else {
        return Part::Other;
    };
    if let Some(rest) = keywords::HEADER.strip_from(source) {
        return Part::HeaderName(offset - rest.len());
    }
    if keywords::QUERY.strip_from(source).is_some() || keywords::PATH.strip_from(source).is_some() {
        return Part::Name;
    }
    let body = keywords::BODY.strip_from(source).or_else(|| {
        (dialect == Dialect::Arazzo1_1_0)
            .then(|| keywords::PAYLOAD.strip_from(source))
            .flatten()
    });
    if let Some(rest) = body.and_then(|rest| keywords::POINTER_SEPARATOR.strip_from(rest)) {
        return Part::Pointer(offset - rest.len());
    }
    Part::Other
}

/// The part of an Arazzo `$inputs.`, `$steps.`, … expression: in 1.0.x the name after the
/// family; in 1.1.0 the reference of `$sourceDescriptions.<name>.`, or the pointer after `#`.
fn arazzo_part_at(before: &str, offset: usize, dialect: Dialect) -> Option<Part> {
    let families = [
        keywords::INPUTS,
        keywords::OUTPUTS,
        keywords::STEPS,
        keywords::WORKFLOWS,
        keywords::SOURCE_DESCRIPTIONS,
        keywords::COMPONENTS,
    ];
    let (family, rest) = families
        .into_iter()
        .find_map(|family| family.strip_from(before).map(|rest| (family, rest)))?;
    if dialect != Dialect::Arazzo1_1_0 {
        return Some(Part::Name);
    }
    if family == keywords::SOURCE_DESCRIPTIONS {
        let id_len = rest
            .bytes()
            .position(|b| !crate::reference::is_strict_identifier_byte(b))
            .unwrap_or(rest.len());
        return (id_len > 0 && keywords::DOT.strip_from(&rest[id_len..]).is_some())
            .then_some(Part::Name);
    }
    // Identifiers hold no `#`: the first one starts the pointer.
    rest.find('#')
        .map(|hash| Part::Pointer(offset - rest.len() + hash + 1))
}

/// The error for `text` (a whole expression or the text between braces) refused by the grammar.
pub(crate) fn expression_error(
    text: &str,
    err: &PestError<Rule>,
    context: Context,
    dialect: Dialect,
) -> RawError {
    let offset = failure_offset(err);
    let found = text[offset..].chars().next();
    let end = context.end_word();
    let error = |kind, expected| RawError {
        kind,
        offset,
        expected,
    };
    if context == Context::Embedded && offset == 0 && found != Some('$') {
        return error(ErrorKind::ExpectedDollar, vec!["`$`"]);
    }
    match (part_at(text, offset, dialect), found) {
        (Part::HeaderName(start), Some(c))
            if offset > start && !(c.is_ascii() && is_tchar(c as u8)) =>
        {
            return error(
                ErrorKind::InvalidHeaderCharacter(c),
                vec![
                    "a header-name character (letter, digit or one of !#$%&'*+-.^_`|~)",
                    end,
                ],
            );
        }
        (Part::HeaderName(start), found) if offset == start => {
            let expected = vec!["a header name"];
            return match found {
                Some(c) if c != '}' || context == Context::Whole => {
                    error(ErrorKind::InvalidHeaderCharacter(c), expected)
                }
                _ => error(ErrorKind::Unexpected, expected),
            };
        }
        (Part::Name, Some('\\')) => {
            return error(
                ErrorKind::InvalidNameEscape,
                vec![
                    "`\\\"`",
                    "`\\\\`",
                    "`\\/`",
                    "`\\b`",
                    "`\\f`",
                    "`\\n`",
                    "`\\r`",
                    "`\\t`",
                    "`\\uXXXX`",
                ],
            );
        }
        (Part::Name, Some(c)) if c == '"' || c.is_control() => {
            return error(ErrorKind::UnescapedCharacter(c), vec![]);
        }
        // Arazzo 1.1.0's `CHAR` has no raw brace (between the braces of a template the text
        // ends before one, so this is a bare expression).
        (Part::Name, Some(c @ ('{' | '}')))
            if dialect == Dialect::Arazzo1_1_0 && context != Context::Embedded =>
        {
            return error(ErrorKind::UnescapedCharacter(c), vec![]);
        }
        // Before the `~` arm: a pointer that does not start with `/` (`body#~0`) lacks its `/`;
        // its `~0` is not the mistake.
        (Part::Pointer(start), _) if offset == start => {
            return error(ErrorKind::Unexpected, vec!["`/`", end]);
        }
        (Part::Pointer(_), Some('~')) => {
            return error(ErrorKind::InvalidPointerEscape, vec!["`~0`", "`~1`"]);
        }
        _ => {}
    }
    let mut expected: Vec<&'static str> = Vec::new();
    for &rule in positives(err) {
        if let Some(word) = rule_word(rule, context)
            && !expected.contains(&word)
        {
            expected.push(word);
        }
    }
    // The end of input is the last resort: name it last.
    if let Some(index) = expected.iter().position(|word| *word == end) {
        let word = expected.remove(index);
        expected.push(word);
    }
    error(ErrorKind::Unexpected, expected)
}

/// The structural error of a template the grammar refused (a lone `}`, a `{` never closed),
/// once the embedded expressions before it are known to be fine.
pub(crate) fn template_error(input: &str, err: &PestError<Rule>) -> RawError {
    let offset = failure_offset(err);
    let found = input[offset..].chars().next();
    let in_braces = positives(err).contains(&Rule::close_brace);
    let kind = match found {
        Some('}') if !in_braces => ErrorKind::UnmatchedCloseBrace,
        _ if in_braces => ErrorKind::UnclosedBrace,
        _ => ErrorKind::Unexpected,
    };
    let expected = if in_braces {
        vec![keywords::CLOSE_BRACE.word]
    } else {
        vec!["literal text", keywords::OPEN_BRACE.word, "end of input"]
    };
    RawError {
        kind,
        offset,
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::{Context, rule_word};
    use crate::grammar::Rule;
    use crate::keywords::ALL;

    /// The error words of a keyword's rule are the keyword's own, so the table is the one
    /// place that spells them.
    #[test]
    fn a_keyword_rule_is_named_by_its_keyword() {
        for &rule in Rule::all_rules() {
            let name = format!("{rule:?}");
            if let Some(keyword) = ALL.iter().find(|k| k.rule == name)
                && let Some(word) = rule_word(rule, Context::Whole)
            {
                assert_eq!(word, keyword.word, "rule {name}");
            }
        }
        // And every keyword the grammar can expect at an error has words.
        for keyword in ALL {
            let rule = Rule::all_rules()
                .iter()
                .find(|r| format!("{r:?}") == keyword.rule)
                .unwrap_or_else(|| panic!("no rule {}", keyword.rule));
            let braces = matches!(keyword.rule, "open_brace" | "close_brace");
            assert!(
                braces || rule_word(*rule, Context::Whole).is_some(),
                "the keyword {} has no error words",
                keyword.text
            );
        }
    }
}
