//! `oas-callbacks resolve SPEC --operation ID (--exchange FILE | --request FILE [--response FILE])`:
//! the callbacks of one operation for one exchange, one JSON object per line.

use oas_callbacks::CallbackOutcome;

use super::document_args::{self, OperationArgs};
use super::eval::ExchangeArgs;
use super::{FAILURE, SUCCESS, USAGE_OR_IO};

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
pub(crate) fn run(args: &Args) -> u8 {
    let (target, exchange) = match document_args::Target::load(&args.target)
        .and_then(|target| Ok((target, document_args::exchange(&args.exchange)?)))
    {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let (doc, op) = (&target.doc, target.operation());
    let resolved = doc.resolve_callbacks(op, &exchange);
    if resolved.is_empty() {
        eprintln!("error: operation `{}` has no callbacks", op.display_name());
        return FAILURE;
    }
    let mut status = SUCCESS;
    for callback in &resolved {
        if matches!(callback.outcome, CallbackOutcome::Invalid { .. }) {
            status = FAILURE;
        }
        match serde_json::to_string(callback) {
            Ok(line) => println!("{line}"),
            Err(err) => {
                eprintln!("error: {err}");
                return USAGE_OR_IO;
            }
        }
    }
    status
}
