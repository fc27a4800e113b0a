//! The grammar's keywords and prefixes, in one table.
//!
//! Every quoted literal of `runtime_expression.pest` (`"$url"`, `"$request."`, `"header."`, …) is
//! here once, with the spelling the specification prints, the words an error uses for it and the
//! pest rule that is exactly that literal. The fast reader matches these texts, the error
//! mapping names them, the canonical printer writes them; a unit test below parses the `.pest`
//! file with `pest_meta` and checks that the two agree in both directions, so a keyword cannot
//! change in one place only.

/// One keyword or prefix of the grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Keyword {
    /// The literal as the specification spells it, which is also the canonical spelling.
    pub(crate) text: &'static str,
    /// The literal in backticks, as an error message names it (`` `$request.` ``).
    pub(crate) word: &'static str,
    /// The pest rule whose whole expression is this literal.
    pub(crate) rule: &'static str,
    /// Whether the grammar compares it without regard to ASCII case (`^"…"`, every quoted ABNF
    /// string, RFC 5234 §2.3) or exactly (`"…"`, punctuation that has no case anyway).
    pub(crate) case_insensitive: bool,
}

impl Keyword {
    /// `text` with this keyword removed from its start, compared as the grammar compares it.
    ///
    /// Always inlined: the readers try keyword after keyword, and almost every try fails on
    /// the byte after `$`, so the call would cost more than the comparison.
    #[inline(always)]
    pub(crate) fn strip_from<'a>(&self, text: &'a str) -> Option<&'a str> {
        let head = text.as_bytes().get(..self.text.len())?;
        // Input spelled as the specification spells it is the common case, and a comparison of
        // a known length is a few loads; the byte-by-byte comparison without case comes after.
        let matches = head == self.text.as_bytes()
            || (self.case_insensitive && head.eq_ignore_ascii_case(self.text.as_bytes()));
        // Every keyword is ASCII, so a match ends on a character boundary.
        matches.then(|| text.get(self.text.len()..)).flatten()
    }

    /// Whether `text` is exactly this keyword.
    #[inline]
    pub(crate) fn is(&self, text: &str) -> bool {
        self.strip_from(text).is_some_and(str::is_empty)
    }
}

/// Defines each keyword as a constant and [`ALL`] as the list of them.
macro_rules! keywords {
    ($($(#[$doc:meta])* $name:ident = $text:literal, $case:ident $rule:literal;)*) => {
        $(
            $(#[$doc])*
            pub(crate) const $name: Keyword = Keyword {
                text: $text,
                word: concat!("`", $text, "`"),
                rule: $rule,
                case_insensitive: keywords!(@case $case),
            };
        )*
        /// Every keyword of the grammar.
        #[cfg(test)]
        pub(crate) const ALL: &[Keyword] = &[$($name),*];
    };
    (@case insensitive) => { true };
    (@case exact) => { false };
}

keywords! {
    /// `$url`
    URL = "$url", insensitive "url";
    /// `$method`
    METHOD = "$method", insensitive "method";
    /// `$statusCode`
    STATUS_CODE = "$statusCode", insensitive "status_code";
    /// `$request.`
    REQUEST = "$request.", insensitive "request_prefix";
    /// `$response.`
    RESPONSE = "$response.", insensitive "response_prefix";
    /// `header.`
    HEADER = "header.", insensitive "header_prefix";
    /// `query.`
    QUERY = "query.", insensitive "query_prefix";
    /// `path.`
    PATH = "path.", insensitive "path_prefix";
    /// `body`
    BODY = "body", insensitive "body_keyword";
    /// `#`, between `body` and its JSON pointer.
    POINTER_SEPARATOR = "#", exact "pointer_separator";
    /// `{`, opening an embedded expression.
    OPEN_BRACE = "{", exact "open_brace";
    /// `}`, closing an embedded expression.
    CLOSE_BRACE = "}", exact "close_brace";

    // Arazzo.
    /// `$message.` (Arazzo 1.0.0 and 1.1.0)
    MESSAGE = "$message.", insensitive "message_prefix";
    /// `$inputs.`
    INPUTS = "$inputs.", insensitive "inputs_prefix";
    /// `$outputs.`
    OUTPUTS = "$outputs.", insensitive "outputs_prefix";
    /// `$steps.`
    STEPS = "$steps.", insensitive "steps_prefix";
    /// `$workflows.`
    WORKFLOWS = "$workflows.", insensitive "workflows_prefix";
    /// `$sourceDescriptions.`
    SOURCE_DESCRIPTIONS = "$sourceDescriptions.", insensitive "source_descriptions_prefix";
    /// `$components.`
    COMPONENTS = "$components.", insensitive "components_prefix";
    /// `$self` (Arazzo 1.1.0)
    SELF = "$self", insensitive "self_uri";
    /// `payload` (Arazzo 1.1.0)
    PAYLOAD = "payload", insensitive "payload_keyword";
    /// `.outputs.`, between a step id and an output name (Arazzo 1.1.0)
    STEP_OUTPUTS = ".outputs.", insensitive "step_outputs";
    /// `inputs`, a workflow field (Arazzo 1.1.0)
    WORKFLOW_INPUTS = "inputs", insensitive "workflow_inputs";
    /// `outputs`, a workflow field (Arazzo 1.1.0)
    WORKFLOW_OUTPUTS = "outputs", insensitive "workflow_outputs";
    /// `parameters`, a component type (Arazzo 1.1.0)
    COMPONENT_PARAMETERS = "parameters", insensitive "component_parameters";
    /// `successActions`, a component type (Arazzo 1.1.0)
    COMPONENT_SUCCESS_ACTIONS = "successActions", insensitive "component_success_actions";
    /// `failureActions`, a component type (Arazzo 1.1.0)
    COMPONENT_FAILURE_ACTIONS = "failureActions", insensitive "component_failure_actions";
    /// `.`, between the parts of an Arazzo 1.1.0 reference
    DOT = ".", exact "dot";
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is the test failing
mod tests {
    use std::collections::BTreeMap;

    use pest_meta::ast::Expr;

    use super::{ALL, Keyword};

    const GRAMMAR: &str = include_str!("runtime_expression.pest");

    /// Every rule of the grammar file, by name.
    fn rules() -> BTreeMap<String, Expr> {
        let pairs = pest_meta::parser::parse(pest_meta::parser::Rule::grammar_rules, GRAMMAR)
            .unwrap_or_else(|err| panic!("the grammar does not parse: {err}"));
        let rules = pest_meta::parser::consume_rules(pairs)
            .unwrap_or_else(|errs| panic!("the grammar is not valid: {errs:?}"));
        rules
            .into_iter()
            .map(|rule| (rule.name, rule.expr))
            .collect()
    }

    /// Every quoted literal in an expression, with whether it is case-insensitive.
    fn literals(expr: &Expr, out: &mut Vec<(String, bool)>) {
        for node in expr.iter_top_down() {
            match node {
                Expr::Str(text) => out.push((text, false)),
                Expr::Insens(text) => out.push((text, true)),
                _ => {}
            }
        }
    }

    #[test]
    fn each_keyword_is_exactly_its_rule_in_the_grammar() {
        let rules = rules();
        for keyword in ALL {
            let expr = rules.get(keyword.rule).unwrap_or_else(|| {
                panic!("{keyword:?}: no rule `{}` in the grammar", keyword.rule)
            });
            let expected = if keyword.case_insensitive {
                Expr::Insens(keyword.text.to_owned())
            } else {
                Expr::Str(keyword.text.to_owned())
            };
            assert_eq!(
                expr, &expected,
                "rule `{}` is not the keyword {:?}",
                keyword.rule, keyword.text
            );
            assert_eq!(keyword.word, format!("`{}`", keyword.text));
        }
    }

    #[test]
    fn every_case_insensitive_literal_of_the_grammar_is_in_the_table() {
        // Case-insensitive literals are the ABNF's quoted strings: every one is a keyword. The
        // exact literals are punctuation and escapes inside character rules (`"\\"`, `"~"`);
        // only the ones with a rule of their own are keywords, and those are checked above.
        let mut found = Vec::new();
        for expr in rules().values() {
            literals(expr, &mut found);
        }
        for (text, insensitive) in found {
            if insensitive {
                assert!(
                    ALL.iter().any(|k| k.text == text && k.case_insensitive),
                    "the grammar's literal ^{text:?} is not in the keyword table"
                );
            }
        }
    }

    #[test]
    fn keywords_and_rules_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.rule, b.rule, "two keywords for one rule");
                assert_ne!(a.text, b.text, "one keyword twice");
            }
        }
    }

    #[test]
    fn strip_from_follows_the_case_rule() {
        const REQUEST: Keyword = super::REQUEST;
        assert_eq!(REQUEST.strip_from("$REQUEST.body"), Some("body"));
        assert_eq!(REQUEST.strip_from("$request"), None);
        assert_eq!(REQUEST.strip_from("$requesté"), None);
        assert_eq!(super::POINTER_SEPARATOR.strip_from("#/a"), Some("/a"));
        assert!(super::STATUS_CODE.is("$STATUSCODE"));
        assert!(!super::STATUS_CODE.is("$statusCodes"));
    }
}
