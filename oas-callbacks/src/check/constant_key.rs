//! Callback keys that cannot give a URL: a constant that is not an absolute `http(s)` URL, or
//! an expression that is never one (`$method`, `$statusCode`).

use expr_grammar::Expression;

use super::{At, Checker};
use crate::diagnostic::{DiagnosticCode, Severity};
use crate::model::{Callback, CallbackUrl};

/// What an expression that can never be a URL gives instead.
fn not_a_url(expr: &Expression) -> Option<&'static str> {
    match expr {
        Expression::Method => Some("the HTTP method"),
        Expression::StatusCode => Some("the status code"),
        _ => None,
    }
}

impl Checker<'_> {
    /// Lints a key that is a constant or never a URL; whether it was one (such a key has no
    /// expression worth linting further).
    pub(super) fn constant_key(
        &mut self,
        callback: &Callback,
        url: &CallbackUrl,
        at: At<'_>,
    ) -> bool {
        let never_a_url = match url {
            CallbackUrl::Constant(text) => {
                if !(text.starts_with("http://") || text.starts_with("https://")) {
                    let diagnostic = self.diagnostic(
                        Severity::Warning,
                        DiagnosticCode::ConstantCallbackKey,
                        at,
                        None,
                        format!("callback key `{text}` holds no runtime expression and is not an absolute http(s) URL"),
                    );
                    self.out.push(diagnostic);
                }
                return true;
            }
            CallbackUrl::Expression(expr) => not_a_url(expr.expression()),
            CallbackUrl::Template(template) if template.template().segments().len() == 1 => {
                template.template().expressions().find_map(not_a_url)
            }
            CallbackUrl::Template(_) => None,
        };
        let Some(instead) = never_a_url else {
            return false;
        };
        let diagnostic = self.diagnostic(
            Severity::Warning,
            DiagnosticCode::CallbackKeyNotAUrl,
            at,
            None,
            format!(
                "callback key `{}` evaluates to {instead}, not to a URL",
                callback.key()
            ),
        );
        self.out.push(diagnostic);
        true
    }
}
