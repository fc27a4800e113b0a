//! `$request.path.X` against the `{name}`s of the operation's path template.

use expr_grammar::Expression;

use super::suggest::{MAX_SUGGESTIONS, closest};
use super::{At, Checker};
use crate::diagnostic::{DiagnosticCode, Severity};
use crate::model::Operation;

impl Checker<'_> {
    pub(super) fn path_parameter(
        &mut self,
        op: &Operation,
        expr: &Expression,
        name: &str,
        at: At<'_>,
    ) {
        let lookup = op.lookup();
        if lookup.path_set.contains(name) {
            return;
        }
        let mut diagnostic = self.diagnostic(
            Severity::Error,
            DiagnosticCode::UnknownPathParameter,
            at,
            None,
            format!(
                "`{expr}`: the path `{}` of operation `{}` has no `{{{name}}}`",
                op.path(),
                op.display_name()
            ),
        );
        if self.out.len() < MAX_SUGGESTIONS
            && let Some(close) = closest(name, lookup.path.iter().map(String::as_str))
        {
            diagnostic = diagnostic.with_help(format!("did you mean `$request.path.{close}`?"));
        }
        self.out.push(diagnostic);
    }
}
