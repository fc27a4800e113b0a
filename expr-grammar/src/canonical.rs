//! The canonical text form of expressions and templates: what `Display` writes.
//!
//! Keywords are written as the specification spells them (from the keyword table), names with
//! the fewest escapes that read back unchanged, pointers as they are. `parse(x.to_string()) == x`
//! holds for every syntax tree (a property test checks it).

use std::fmt;

use crate::ast::{Expression, Source};
use crate::dialect::Dialect;
use crate::escape::{self, Escapes};
use crate::keywords;
use crate::pointer::JsonPointer;
use crate::reference::{ComponentKind, Reference, WorkflowField};
use crate::template::{Segment, Template};

impl Expression {
    /// Writes the canonical form, escaping in names what `escapes` asks for beyond the grammar.
    pub(crate) fn write_canonical(
        &self,
        out: &mut impl fmt::Write,
        escapes: Escapes,
    ) -> fmt::Result {
        let source = match self {
            Expression::Url => return out.write_str(keywords::URL.text),
            Expression::Method => return out.write_str(keywords::METHOD.text),
            Expression::StatusCode => return out.write_str(keywords::STATUS_CODE.text),
            Expression::Request(source) => {
                out.write_str(keywords::REQUEST.text)?;
                source
            }
            Expression::Response(source) => {
                out.write_str(keywords::RESPONSE.text)?;
                source
            }
            Expression::Message(source) => {
                out.write_str(keywords::MESSAGE.text)?;
                source
            }
            Expression::Inputs(value) => {
                out.write_str(keywords::INPUTS.text)?;
                return write_reference(out, value);
            }
            Expression::Outputs(value) => {
                out.write_str(keywords::OUTPUTS.text)?;
                return write_reference(out, value);
            }
            Expression::Steps(step) => {
                out.write_str(keywords::STEPS.text)?;
                out.write_str(step.step_id())?;
                out.write_str(keywords::STEP_OUTPUTS.text)?;
                return write_reference(out, step.output());
            }
            Expression::Workflows(workflow) => {
                out.write_str(keywords::WORKFLOWS.text)?;
                out.write_str(workflow.workflow_id())?;
                out.write_str(keywords::DOT.text)?;
                out.write_str(match workflow.field() {
                    WorkflowField::Inputs => keywords::WORKFLOW_INPUTS.text,
                    WorkflowField::Outputs => keywords::WORKFLOW_OUTPUTS.text,
                })?;
                out.write_str(keywords::DOT.text)?;
                return write_reference(out, workflow.value());
            }
            Expression::SourceDescriptions(source) => {
                out.write_str(keywords::SOURCE_DESCRIPTIONS.text)?;
                out.write_str(source.name())?;
                out.write_str(keywords::DOT.text)?;
                // Braces escaped everywhere: Arazzo 1.1.0 allows them in no name.
                return escape::write_name(out, source.reference(), escapes.with_braces());
            }
            Expression::Components(component) => {
                out.write_str(keywords::COMPONENTS.text)?;
                out.write_str(match component.kind() {
                    ComponentKind::Parameters => keywords::COMPONENT_PARAMETERS.text,
                    ComponentKind::SuccessActions => keywords::COMPONENT_SUCCESS_ACTIONS.text,
                    ComponentKind::FailureActions => keywords::COMPONENT_FAILURE_ACTIONS.text,
                })?;
                out.write_str(keywords::DOT.text)?;
                return out.write_str(component.name());
            }
            Expression::SelfUri => return out.write_str(keywords::SELF.text),
            Expression::Unstructured(name) => {
                out.write_str(name.family().prefix())?;
                return escape::write_name(out, name.name(), escapes.with_braces());
            }
        };
        source.write_canonical(out, escapes)
    }

    /// The canonical form for `dialect`: the [`Display`](fmt::Display) form, except that in
    /// Arazzo 1.1.0, whose `CHAR` excludes `{` and `}`, a query or path name writes them as
    /// `\u007b` and `\u007d` (as every dialect does between the braces of a template).
    ///
    /// ```
    /// use expr_grammar::{Dialect, Expression};
    /// let expr = Expression::parse(r"$request.query.a\u007bb")?;
    /// assert_eq!(expr.to_string(), "$request.query.a{b");
    /// assert_eq!(expr.canonical_in(Dialect::Arazzo1_1_0), r"$request.query.a\u007bb");
    /// assert_eq!(Expression::parse_in(&expr.canonical_in(Dialect::Arazzo1_1_0), Dialect::Arazzo1_1_0)?, expr);
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn canonical_in(&self, dialect: Dialect) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_canonical(
            &mut out,
            Escapes::braces_if(dialect == Dialect::Arazzo1_1_0),
        );
        out
    }

    /// The canonical form for any dialect with, in the names that take escapes (query and path
    /// names, source-description references, Arazzo 1.0.x free-form names), `{`, `}` and every
    /// character for which `escape` holds written as a `\uXXXX` escape. For a reader that ends
    /// the expression at such a character, as an Arazzo condition ends an operand at a space or
    /// an operator: what it read there can only hold one in a name, decoded from an escape, and
    /// the escape is written back.
    ///
    /// ```
    /// use expr_grammar::{Dialect, Expression};
    /// let expr = Expression::parse_in(r"$request.query.a\u0020b", Dialect::Arazzo1_1_0)?;
    /// assert_eq!(expr.to_string(), "$request.query.a b");
    /// assert_eq!(expr.canonical_escaping(|c| c == ' '), r"$request.query.a\u0020b");
    /// # Ok::<(), expr_grammar::ParseError>(())
    /// ```
    pub fn canonical_escaping(&self, escape: fn(char) -> bool) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_canonical(&mut out, Escapes::braces_and(escape));
        out
    }
}

/// `name [ "#" pointer ]`.
fn write_reference(out: &mut impl fmt::Write, value: &Reference) -> fmt::Result {
    out.write_str(value.name())?;
    write_pointer(out, value.pointer())
}

fn write_pointer(out: &mut impl fmt::Write, pointer: Option<&JsonPointer>) -> fmt::Result {
    match pointer {
        None => Ok(()),
        Some(pointer) => {
            out.write_str(keywords::POINTER_SEPARATOR.text)?;
            out.write_str(pointer.as_str())
        }
    }
}

impl Source {
    fn write_canonical(&self, out: &mut impl fmt::Write, escapes: Escapes) -> fmt::Result {
        match self {
            Source::Header(name) => {
                out.write_str(keywords::HEADER.text)?;
                out.write_str(name.as_str())
            }
            Source::Query(name) => {
                out.write_str(keywords::QUERY.text)?;
                escape::write_name(out, name, escapes)
            }
            Source::Path(name) => {
                out.write_str(keywords::PATH.text)?;
                escape::write_name(out, name, escapes)
            }
            Source::Body(None) => out.write_str(keywords::BODY.text),
            Source::Body(Some(pointer)) => {
                out.write_str(keywords::BODY.text)?;
                out.write_str(keywords::POINTER_SEPARATOR.text)?;
                out.write_str(pointer.as_str())
            }
            Source::Payload(pointer) => {
                out.write_str(keywords::PAYLOAD.text)?;
                write_pointer(out, pointer.as_ref())
            }
        }
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_canonical(f, Escapes::REQUIRED)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in self.segments() {
            match segment {
                Segment::Literal(text) => f.write_str(text)?,
                Segment::Expression(expr) => {
                    f.write_str(keywords::OPEN_BRACE.text)?;
                    expr.write_canonical(f, Escapes::BRACES)?;
                    f.write_str(keywords::CLOSE_BRACE.text)?;
                }
            }
        }
        Ok(())
    }
}
