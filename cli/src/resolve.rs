//! `oas-callbacks resolve SPEC --operation ID (--exchange FILE | --request FILE [--response FILE])`:
//! the callbacks of one operation for one exchange, one JSON object per line.

use oas_callbacks::CallbackOutcome;

use crate::document_args::{OperationArgs, Target};
use crate::error::{CliError, Outcome};
use crate::exchange::ExchangeArgs;
use crate::output;

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    target: OperationArgs,
    #[command(flatten)]
    exchange: ExchangeArgs,
}

/// Prints each callback as `{"callback", "expression", "method", "operationId", "url"}`, with
/// `skipped` (the reason) or `invalid` (and the URL) instead of `url` when there is no call to
/// make. Exit 0 even when callbacks are skipped (that is the specification's behaviour); 1 when
/// the operation has no callbacks or a key resolves to an invalid URL.
pub(crate) fn run(args: &Args) -> Result<Outcome, CliError> {
    let target = Target::load(&args.target)?;
    let exchange = args.exchange.load()?;
    let op = target.operation();
    let resolved = op.resolve_callbacks(&exchange);
    if resolved.is_empty() {
        return Err(CliError::invalid(format!(
            "operation `{}` has no callbacks",
            op.display_name()
        )));
    }
    for callback in &resolved {
        output::json_line(callback)?;
    }
    Ok(Outcome::failure_if(resolved.iter().any(|callback| {
        matches!(callback.outcome, CallbackOutcome::Invalid { .. })
    })))
}
