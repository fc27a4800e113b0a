//! `oas-callbacks eval EXPR_OR_TEMPLATE (--exchange FILE | --request FILE [--response FILE])`.
//!
//! An argument that starts with `$` is an expression, anything else a template. A string value is
//! printed as it is (on a terminal, with control characters escaped), any other value as
//! compact JSON. Exit status: 0 evaluated; 1 the expression
//! or template does not parse, or cannot be evaluated against the exchange; 2 a file is missing,
//! unreadable or not an exchange.

use expr_eval::{CompiledExpression, CompiledTemplate, EvalError, RenderOptions};
use expr_grammar::Template;

use crate::error::{CliError, Outcome};
use crate::exchange::ExchangeArgs;
use crate::limits::{Limits, MAX_RENDERED_BYTES_VAR};
use crate::output;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A runtime expression (starts with `$`, e.g. '$request.body#/failedUrl') or a template
    /// with embedded {expressions} (e.g. '{$request.query.queryUrl}/data').
    input: String,
    #[command(flatten)]
    exchange: ExchangeArgs,
    /// Templates: render an expression that cannot be evaluated as the empty string instead of
    /// failing.
    #[arg(long)]
    lenient: bool,
    /// Templates: percent-encode values that land in the URL's path or query.
    #[arg(long)]
    percent_encode: bool,
}

enum Compiled {
    Expression(CompiledExpression),
    Template(CompiledTemplate),
}

pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    // Parse first: a mistake in the expression is reported even when a file is missing.
    let compiled = if args.input.starts_with('$') {
        Compiled::Expression(CompiledExpression::parse(&args.input)?)
    } else {
        let options = RenderOptions::default()
            .with_lenient(args.lenient)
            .with_percent_encode(args.percent_encode)
            .with_max_rendered_len(Limits::from_env()?.max_rendered_bytes);
        Compiled::Template(
            CompiledTemplate::new(Template::parse(&args.input)?).with_options(options),
        )
    };
    let exchange = args.exchange.load()?;
    let text = match &compiled {
        Compiled::Expression(expression) => expression
            .evaluate(&exchange)
            .map(|value| value.to_string()),
        Compiled::Template(template) => template.render(&exchange),
    }
    .map_err(|err| match err {
        EvalError::RenderedTooLong { .. } => {
            CliError::invalid(format!("{err}: set {MAX_RENDERED_BYTES_VAR} to change it"))
        }
        err => CliError::invalid(err.to_string()),
    })?;
    output::data(&text)?;
    Ok(Outcome::Success)
}
