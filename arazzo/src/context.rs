//! What criteria read their runtime expressions from.

use expr_grammar::Expression;

/// The values a criterion's runtime expressions resolve to: the current request and response
/// (or message), the workflow's inputs, step outputs and the rest of a running workflow.
///
/// A workflow runner implements it over its own state; the command line uses expr-eval's
/// workflow context, read from a context file.
pub trait Context {
    /// Why an expression does not resolve.
    type Error: std::fmt::Display;

    /// The value of `expression`, borrowed from the context where it can be.
    fn evaluate(&self, expression: &Expression) -> Result<expr_eval::Value<'_>, Self::Error>;
}

impl<C: Context + ?Sized> Context for &C {
    type Error = C::Error;

    fn evaluate(&self, expression: &Expression) -> Result<expr_eval::Value<'_>, Self::Error> {
        (**self).evaluate(expression)
    }
}

/// An HTTP exchange is a context with the request and response only.
impl Context for expr_eval::OwnedExchange {
    type Error = expr_eval::EvalError;

    fn evaluate(&self, expression: &Expression) -> Result<expr_eval::Value<'_>, Self::Error> {
        expr_eval::evaluate(expression, self)
    }
}

/// A running workflow's context as `expr-eval` keeps it (the exchange or message of the
/// current step, inputs, step outputs, workflows, components, source descriptions).
impl<X: expr_eval::Exchange + ?Sized> Context for expr_eval::WorkflowContext<'_, X> {
    type Error = expr_eval::EvalError;

    fn evaluate(&self, expression: &Expression) -> Result<expr_eval::Value<'_>, Self::Error> {
        expr_eval::WorkflowContext::evaluate(self, expression)
    }
}
