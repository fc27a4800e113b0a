//! The canonical text form of expressions and templates: what `Display` writes.
//!
//! Keywords are written as the specification spells them (from the keyword table), names with
//! the fewest escapes that read back unchanged, pointers as they are. `parse(x.to_string()) == x`
//! holds for every syntax tree (a property test checks it).

use std::fmt;

use crate::ast::{Expression, Source};
use crate::escape;
use crate::keywords;
use crate::template::{Segment, Template};

impl Expression {
    /// Writes the canonical form; `in_template` selects the escaping needed between braces.
    pub(crate) fn write_canonical(
        &self,
        out: &mut impl fmt::Write,
        in_template: bool,
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
        };
        source.write_canonical(out, in_template)
    }
}

impl Source {
    fn write_canonical(&self, out: &mut impl fmt::Write, in_template: bool) -> fmt::Result {
        match self {
            Source::Header(name) => {
                out.write_str(keywords::HEADER.text)?;
                out.write_str(name.as_str())
            }
            Source::Query(name) => {
                out.write_str(keywords::QUERY.text)?;
                escape::write_name(out, name, in_template)
            }
            Source::Path(name) => {
                out.write_str(keywords::PATH.text)?;
                escape::write_name(out, name, in_template)
            }
            Source::Body(None) => out.write_str(keywords::BODY.text),
            Source::Body(Some(pointer)) => {
                out.write_str(keywords::BODY.text)?;
                out.write_str(keywords::POINTER_SEPARATOR.text)?;
                out.write_str(pointer.as_str())
            }
        }
    }
}

impl fmt::Display for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_canonical(f, false)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for segment in self.segments() {
            match segment {
                Segment::Literal(text) => f.write_str(text)?,
                Segment::Expression(expr) => {
                    f.write_str(keywords::OPEN_BRACE.text)?;
                    expr.write_canonical(f, true)?;
                    f.write_str(keywords::CLOSE_BRACE.text)?;
                }
            }
        }
        Ok(())
    }
}
