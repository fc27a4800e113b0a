//! `$request.query.X` and `$request.header.X` against the parameters the operation declares
//! (the specification requires request parameters to be declared).

use expr_grammar::{Expression, HeaderName};

use super::{At, Checker};
use crate::diagnostic::{DiagnosticCode, Severity};
use crate::model::Operation;

/// Header fields the specification says cannot be declared as parameters (they "SHALL be
/// ignored"), so an expression reading them cannot be expected to declare them.
const UNDECLARABLE_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

impl Checker<'_> {
    pub(super) fn query_parameter(
        &mut self,
        op: &Operation,
        expr: &Expression,
        name: &str,
        at: At<'_>,
    ) {
        if op.lookup().query.contains(name) {
            return;
        }
        let diagnostic = self.diagnostic(
            Severity::Warning,
            DiagnosticCode::UndeclaredQueryParameter,
            at,
            None,
            format!("`{expr}`: operation `{}` declares no query parameter `{name}` (the specification requires request parameters to be declared)", op.display_name()),
        );
        self.out.push(diagnostic);
    }

    pub(super) fn header_parameter(
        &mut self,
        op: &Operation,
        expr: &Expression,
        name: &HeaderName,
        at: At<'_>,
    ) {
        let undeclarable = UNDECLARABLE_HEADERS.iter().any(|h| name.matches(h));
        if undeclarable
            || op
                .lookup()
                .headers
                .contains(&name.as_str().to_ascii_lowercase())
        {
            return;
        }
        let diagnostic = self.diagnostic(
            Severity::Warning,
            DiagnosticCode::UndeclaredHeaderParameter,
            at,
            None,
            format!("`{expr}`: operation `{}` declares no header parameter `{name}` (the specification requires request parameters to be declared)", op.display_name()),
        );
        self.out.push(diagnostic);
    }
}
